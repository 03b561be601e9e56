package liteapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/faregraph/faregraph/providers"
)

// LiteAPI error codes have five digits: the first is 4 (client) or 5
// (server), the second the operation (1 rates, 2 verify, ...). A few are
// generic (401, 429, 4290, 40301). Failures are classified on these codes;
// the HTTP status only decides when the body carries no code.
var (
	// rateLimitCodes: 429 is documented, 4290 was seen in the sandbox.
	rateLimitCodes = map[int]bool{429: true, 4290: true}
	// keyRefusedCodes are the 401 and 403 answers of the operations we call.
	keyRefusedCodes = map[int]bool{401: true, 40301: true, 41004: true, 41011: true, 42003: true, 42016: true}
	// offerGoneCodes are verify answers meaning the offer is no longer sold:
	// expired (42004, 42017, 52016), unknown (42018, 52019) or a search
	// session that has lapsed (42015, 42019). Search again, never retry.
	offerGoneCodes = map[int]bool{42004: true, 42015: true, 42017: true, 42018: true, 42019: true, 52016: true, 52019: true}
)

// Messages of the errors the adapter returns. They are shown to API
// clients, so they never quote the provider.
const (
	msgTimeout     = "LiteAPI did not answer in time"
	msgUnreachable = "LiteAPI could not be reached"
	msgCancelled   = "the call to LiteAPI was cancelled"
	msgRateLimited = "LiteAPI rate limit reached"
	msgKeyRefused  = "LiteAPI refused the API key"
	msgUnreadable  = "LiteAPI sent an answer that could not be read"
)

// apiFailure classifies an answer that carries an error envelope or a
// non-2xx status. e is nil when the body had no envelope.
func apiFailure(op, path string, status int, e *apiError) *providers.Error {
	pe := &providers.Error{Provider: Name, Op: op, Status: status, Code: providers.Unavailable}
	detail := fmt.Sprintf("POST %s: HTTP %d", path, status)
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
		pe.Message = fmt.Sprintf("LiteAPI is unavailable (code %d)", code)
	case code != 0 && firstDigit(code) == 4:
		pe.Code = providers.Rejected
		pe.Message = fmt.Sprintf("LiteAPI rejected the request (code %d)", code)
		if e.Key != "" {
			pe.Message = fmt.Sprintf("LiteAPI rejected the request (code %d, field %s)", code, e.Key)
		}
	case status >= 400 && status < 500 && status != http.StatusRequestTimeout:
		// No code we know: a 4xx without an envelope is still our request's fault.
		pe.Code = providers.Rejected
		pe.Message = fmt.Sprintf("LiteAPI rejected the request (HTTP %d)", status)
	default:
		pe.Message = fmt.Sprintf("LiteAPI is unavailable (HTTP %d)", status)
	}
	return pe
}

// transportFailure classifies an error of the HTTP exchange itself: no
// answer, or an answer cut short.
func transportFailure(ctx context.Context, op, path string, err error) *providers.Error {
	pe := &providers.Error{Provider: Name, Op: op, Code: providers.Unavailable, Message: msgUnreachable,
		Err: fmt.Errorf("POST %s: %w", path, err)}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		pe.Code, pe.Message = providers.Timeout, msgTimeout
	case errors.Is(err, context.Canceled):
		pe.Message = msgCancelled
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
// longer sold.
func isOfferGone(err error) bool {
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.ProviderCode == "" {
		return false
	}
	code, convErr := strconv.Atoi(pe.ProviderCode)
	return convErr == nil && offerGoneCodes[code]
}
