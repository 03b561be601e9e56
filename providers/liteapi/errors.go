package liteapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// LiteAPI error codes have five digits: the first is 4 (client) or 5
// (server), the second the operation (1 rates, 2 verify, ...). A few are
// generic (401, 429, 4290, 40301). Failures are classified on these codes;
// the HTTP status only decides when the body carries no code.
var (
	// rateLimitCodes: 429 is documented, 4290 was seen in the sandbox.
	rateLimitCodes = map[int]bool{429: true, 4290: true}
	// keyRefusedCodes are the 401 and 403 answers of the operations we call:
	// rates, verify, prebook (B.3, B.4), services, book, get booking.
	keyRefusedCodes = map[int]bool{401: true, 40301: true, 41004: true, 41011: true, 42003: true, 42016: true,
		43003: true, 43016: true, 44003: true, 44014: true, 45028: true, 45082: true, 45083: true, 47001: true, 47006: true}
	// offerGoneCodes are verify answers meaning the offer is no longer sold:
	// expired (42004, 42017, 52016), unknown (42018, 52019) or a search
	// session that has lapsed (42015, 42019). Search again, never retry.
	// Any 404 means the same, whatever its code (isOfferGone).
	offerGoneCodes = map[int]bool{42004: true, 42015: true, 42017: true, 42018: true, 42019: true, 52016: true, 52019: true}
)

// Messages of the errors the adapter returns. They are shown to API
// clients, so they are short sentences of ours: never the provider's text,
// its request field names or its codes (those are in ProviderCode and,
// with the detail, in Err for logs).
const (
	msgTimeout     = "LiteAPI did not answer in time"
	msgUnreachable = "LiteAPI could not be reached"
	msgCanceled    = "the call to LiteAPI was canceled"
	msgRateLimited = "LiteAPI rate limit reached"
	msgKeyRefused  = "LiteAPI refused the API key"
	msgUnreadable  = "LiteAPI sent an answer that could not be read"
	msgRefused     = "LiteAPI refused the request"
	msgUnavailable = "LiteAPI is unavailable"
	msgCurrency    = "LiteAPI does not price in this currency"
)

// codeInvalidData is B.1's invalid request data; on wire.KeyCurrency it
// refuses the currency.
const codeInvalidData = 41006

// apiFailure classifies an answer that carries an error envelope or a
// non-2xx status. e is nil when the body had no envelope.
func apiFailure(op, method, path string, status int, e *wire.APIError) *providers.Error {
	pe := &providers.Error{Provider: Name, Op: op, Status: status, Code: providers.Unavailable}
	detail := fmt.Sprintf("%s %s: HTTP %d", method, path, status)
	code := 0
	if e != nil && e.Code != 0 {
		code = e.Code
		pe.ProviderCode = strconv.Itoa(code)
		detail += fmt.Sprintf(" code %d: %s", code, e.Message)
		if e.Description != "" {
			detail += ": " + e.Description
		}
		if e.Key != "" {
			detail += " (" + e.Key + ")"
		}
	}
	pe.Err = errors.New(detail)

	switch {
	case rateLimitCodes[code] || status == http.StatusTooManyRequests:
		pe.Message = msgRateLimited
	case keyRefusedCodes[code] || status == http.StatusUnauthorized || status == http.StatusForbidden:
		pe.Message = msgKeyRefused
	case code != 0 && firstDigit(code) == 5:
		pe.Message = msgUnavailable
	case code == codeInvalidData && e.Key == wire.KeyCurrency:
		pe.Code, pe.Message = providers.Rejected, msgCurrency
	case code != 0 && firstDigit(code) == 4:
		pe.Code, pe.Message = providers.Rejected, msgRefused
	case status >= 400 && status < 500 && status != http.StatusRequestTimeout:
		// No code we know: a 4xx without an envelope is still our request's fault.
		pe.Code, pe.Message = providers.Rejected, msgRefused
	default:
		pe.Message = msgUnavailable
	}
	return pe
}

// transportFailure classifies an error of the HTTP exchange itself: no
// answer, or an answer cut short.
func transportFailure(ctx context.Context, op, method, path string, err error) *providers.Error {
	pe := &providers.Error{Provider: Name, Op: op, Code: providers.Unavailable, Message: msgUnreachable,
		Err: fmt.Errorf("%s %s: %w", method, path, err)}
	switch {
	case providers.IsTimeout(ctx, err):
		pe.Code, pe.Message = providers.Timeout, msgTimeout
	case errors.Is(err, context.Canceled):
		pe.Message = msgCanceled
	}
	return pe
}

// unreadable is a 2xx answer the adapter could not decode or map.
func unreadable(op string, status int, err error) *providers.Error {
	return &providers.Error{Provider: Name, Op: op, Code: providers.Unavailable, Status: status,
		Message: msgUnreadable, Err: err}
}

// firstDigit is the leading decimal digit of a positive code.
func firstDigit(code int) int {
	for code >= 10 {
		code /= 10
	}
	return code
}

// isOfferGone reports whether err is a verify answer saying the offer is no
// longer sold: any 404, whatever its body (LiteAPI's rule: a 404 means the
// offer expired, back to search), or a code of offerGoneCodes under another
// status.
func isOfferGone(err error) bool {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return false
	}
	if pe.Status == http.StatusNotFound {
		return true
	}
	return offerGoneCodes[providerCode(pe)]
}

// verdict is how the adapter reports one provider code of the write side:
// the neutral code and a message safe to show.
type verdict struct {
	code providers.ErrorCode
	msg  string
}

var (
	vSoldOut       = verdict{providers.SoldOut, "the flight is sold out at LiteAPI"}
	vSeatTaken     = verdict{providers.SoldOut, "a seat chosen is no longer available at LiteAPI"}
	vPriceChanged  = verdict{providers.PriceChanged, "the flight or its price changed at LiteAPI"}
	vOfferExpired  = verdict{providers.OfferExpired, "the LiteAPI offer expired: search again"}
	vHoldExpired   = verdict{providers.HoldExpired, "the LiteAPI hold expired before booking"}
	vBookInFlight  = verdict{providers.Unavailable, "a booking of this hold is already in progress at LiteAPI"}
	vAlreadyBooked = verdict{providers.Unavailable, "LiteAPI already has a booking for this hold"}
	vPaymentFailed = verdict{providers.Rejected, "LiteAPI refused the payment"} // worded by method: paymentRefusal
	vNoBooking     = verdict{providers.NotFound, "LiteAPI has no such booking"}
)

// Provider codes of the write side that mean more than "client error" or
// "server error". Codes not listed fall back to apiFailure's rules:
// 4xxxx Rejected, 5xxxx Unavailable.
var (
	// holdCodes: prebook (B.3) and attach (B.5). Expired offers and lapsed
	// search sessions (43015, 44013 on an expired prebook) send the
	// traveller back to search.
	//
	// [assumed] 44005 (404 on attach, undocumented meaning) is taken as an
	// expired prebook, like 44013.
	holdCodes = map[int]verdict{
		53010: vSoldOut, 44012: vSeatTaken,
		53001: vPriceChanged, 52001: vPriceChanged,
		43004: vOfferExpired, 43015: vOfferExpired, 43017: vOfferExpired, 43019: vOfferExpired,
		53016: vOfferExpired, 53019: vOfferExpired, 44005: vOfferExpired, 44013: vOfferExpired,
	}
	// bookCodes: POST /flights/bookings (B.6). A prebook that lapsed or is
	// unknown, an expired offer or session: the hold is gone and nothing
	// was booked. 409 45035 (another book of the prebook in progress) and
	// 45036/45087 (a booking exists) leave the outcome to FindBooking, so
	// they are Unavailable and never Rejected.
	bookCodes = map[int]verdict{
		45084: vHoldExpired, 45033: vHoldExpired, 45029: vHoldExpired, 45063: vHoldExpired,
		45035: vBookInFlight, 45036: vAlreadyBooked, 45087: vAlreadyBooked,
		55004: vPaymentFailed,
	}
	// retrieveCodes: GET /flights/bookings/{id} (B.7); 47002 is documented
	// under both 400 and 404.
	retrieveCodes = map[int]verdict{47002: vNoBooking, 47003: vNoBooking}
	// cancelCodes: POST /flights/bookings/{id}/cancellations (B.7).
	cancelCodes = map[int]verdict{46002: vNoBooking}
	// quoteCodes: GET /flights/bookings/{id}/cancellations (B.7). [assumed]
	// 49002 is an unknown booking, as 46002 for the cancel; 49007 (409)
	// falls back to Rejected: the booking cannot be canceled.
	quoteCodes = map[int]verdict{49002: vNoBooking}
)

// codeCancelAlreadyDone is the cancellation answer for a booking already
// canceled [assumed: 409 46004].
const codeCancelAlreadyDone = 46004

// Book codes whose answer says a booking of the prebook already exists.
const (
	codeDuplicateBooking = 45036
	codeAlreadyTicketed  = 45087
)

// reclassify gives err the verdict table has for its provider code, if any.
func reclassify(err error, table map[int]verdict) error {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return err
	}
	if v, ok := table[providerCode(pe)]; ok {
		pe.Code, pe.Message = v.code, v.msg
	}
	return err
}

// providerCode is the provider's code of pe as a number, 0 when none.
func providerCode(pe *providers.Error) int {
	n, err := strconv.Atoi(pe.ProviderCode)
	if err != nil {
		return 0
	}
	return n
}

// rejected is a request the adapter refuses to send: bad input that
// passed the caller's validation.
func rejected(op, msg string, err error) *providers.Error {
	return &providers.Error{Provider: Name, Op: op, Code: providers.Rejected, Message: msg, Err: err}
}
