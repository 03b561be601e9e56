package liteapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// Book completes the booking of a prebook (POST /flights/bookings, B.6):
// {prebookId: the Hold's Ref, payment, customTags {FAREGRAPH_REF:
// ExternalID}}, where payment is {method CREDIT} (paid on account) or, for
// a ProviderIntent part, {method TRANSACTION_ID, transactionId: the
// latest intent of the prebook, confirmed by the app}. The part, travellers and
// contact are not sent: LiteAPI took them at the prebook and its booking
// call accepts nothing else.
//
// A 201 answer is the booking. LiteAPI books a prebook at most once and
// answers a second call 200 with only the existing bookingId and status;
// the booking is then read back (GET /flights/bookings/{id}, observed as
// "retrieve") and returned, not an error. So do 409 45036 (duplicate) and
// 45087 (already ticketed) when they name the booking.
//
// Errors are *providers.Error values with Op "book": HoldExpired when the
// prebook lapsed or is unknown (404 45084, 45033, 45029; 400 45063),
// PaymentNotConfirmed for a refused payment (502 55004) of a booking paid
// by TRANSACTION_ID (the intent is not confirmed, or not the prebook's
// latest: the prebook stays bookable once the app confirms it), Rejected
// for a refused payment on account (55004 with CREDIT) or an invalid
// request (other 4xxxx), and Unavailable or Timeout when the outcome is unknown: a server
// error, no answer, another booking call of the prebook in progress (409
// 45035), a booking that exists but could not be read. After those, ask
// FindBooking; never book again with another hold.
func (c *Client) Book(ctx context.Context, r providers.BookRequest) (*providers.Booking, error) {
	return c.book(ctx, "book", r)
}

// FindBooking finds the booking made from r's hold by replaying the
// booking call, which LiteAPI makes idempotent per prebookId (B.6): a
// prebook is booked at most once, so the replay can never book twice, and
// for a booked prebook it answers the existing booking (200 replay, or 201).
// A prebook that is gone without a booking (404 45084, 45033, 45029; 400
// 45063) gives (nil, nil).
//
// LiteAPI has no read-only lookup of a prebook's booking (its prebook
// snapshots carry no bookingId), so a replay for a prebook that is still
// live and was never booked does book it, exactly once. Callers ask
// FindBooking after a Book whose outcome is unknown, when booking is what
// they want anyway; they must not use it to probe a hold they no longer
// mean to book. Errors are those of Book, with Op "find_booking".
func (c *Client) FindBooking(ctx context.Context, r providers.BookRequest) (*providers.Booking, error) {
	b, err := c.book(ctx, "find_booking", r)
	if providers.CodeOf(err) == providers.HoldExpired {
		return nil, nil
	}
	return b, err
}

// Retrieve reads a booking (GET /flights/bookings/{bookingId}, B.7) with
// the flights as LiteAPI has them now. An unknown bookingId (47002) is
// NotFound. Errors are *providers.Error values with Op "retrieve".
func (c *Client) Retrieve(ctx context.Context, reference string) (*providers.Booking, error) {
	const op = "retrieve"
	if reference == "" {
		return nil, rejected(op, "no LiteAPI booking id", errors.New("retrieve an empty booking id"))
	}
	path := wire.BookingPath(reference)
	var resp wire.BookResponse
	var status int
	if err := c.observe(op, func() (err error) {
		status, err = c.get(ctx, op, path, &resp)
		return reclassify(err, retrieveCodes)
	}); err != nil {
		return nil, err
	}
	if len(resp.Data) == 0 {
		return nil, unreadable(op, status, fmt.Errorf("map %s: no data", path))
	}
	b, err := toBooking(resp.Data[0].Booking)
	if err != nil {
		return nil, unreadable(op, status, fmt.Errorf("map %s: %w", path, err))
	}
	return b, nil
}

// Cancel cancels a booking (POST /flights/bookings/{bookingId}/cancellations,
// B.7). 200 answers it canceled; 202 (cancellation pending) answers it
// with status BookingPending; a booking already canceled (409 46004
// [assumed]) answers it canceled too. An unknown bookingId is NotFound.
// Errors are *providers.Error values with Op "cancel".
func (c *Client) Cancel(ctx context.Context, reference string) (*providers.Booking, error) {
	const op = "cancel"
	if reference == "" {
		return nil, rejected(op, "no LiteAPI booking id", errors.New("cancel an empty booking id"))
	}
	path := wire.CancellationsPath(reference)
	var resp wire.CancelResponse
	var status int
	err := c.observe(op, func() (err error) {
		status, err = c.post(ctx, op, path, struct{}{}, &resp)
		return reclassify(err, cancelCodes)
	})
	switch pe := asProviderError(err); {
	case pe != nil && providerCode(pe) == codeCancelAlreadyDone:
		return &providers.Booking{Reference: reference, Status: providers.BookingCanceled}, nil
	case err != nil:
		return nil, err
	case resp.Data == nil:
		return nil, unreadable(op, status, fmt.Errorf("map %s: no data", path))
	}
	st, ok := bookingStatuses[resp.Data.Status]
	if !ok || status == http.StatusAccepted {
		st = providers.BookingPending
	}
	b := &providers.Booking{Reference: reference, Status: st}
	if st == providers.BookingCanceled && resp.Data.RefundAmount != "" {
		m, err := providers.ParseMoney(resp.Data.RefundAmount, resp.Data.Currency)
		if err != nil {
			return nil, unreadable(op, status, fmt.Errorf("map %s: refund_amount: %w", path, err))
		}
		b.Refund = &m
	}
	return b, nil
}

// QuoteCancellation asks what cancelling a booking would refund (GET
// /flights/bookings/{bookingId}/cancellations, B.7): isRefundable,
// isVoidable, refund and penalty. An unknown bookingId is NotFound; a
// booking that cannot be canceled (409) is Rejected. Errors are
// *providers.Error values with Op "quote_cancellation".
func (c *Client) QuoteCancellation(ctx context.Context, reference string) (*providers.CancellationQuote, error) {
	const op = "quote_cancellation"
	if reference == "" {
		return nil, rejected(op, "no LiteAPI booking id", errors.New("quote an empty booking id"))
	}
	path := wire.CancellationsPath(reference)
	var resp wire.CancellationQuoteResponse
	var status int
	if err := c.observe(op, func() (err error) {
		status, err = c.get(ctx, op, path, &resp)
		return reclassify(err, quoteCodes)
	}); err != nil {
		return nil, err
	}
	if resp.Data == nil {
		return nil, unreadable(op, status, fmt.Errorf("map %s: no data", path))
	}
	q := &providers.CancellationQuote{Refundable: resp.Data.IsRefundable, Voidable: resp.Data.IsVoidable}
	for _, f := range []struct {
		in  *wire.PaymentAmount
		out *providers.Money
	}{{resp.Data.Refund, &q.Refund}, {resp.Data.Penalty, &q.Penalty}} {
		if f.in == nil {
			continue
		}
		m, err := providers.MoneyFromJSON(f.in.Amount, f.in.Currency)
		if err != nil {
			return nil, unreadable(op, status, fmt.Errorf("map %s: %w", path, err))
		}
		*f.out = m
	}
	if !q.Refundable {
		q.Refund.Amount = 0
	}
	return q, nil
}

// asProviderError is err's *providers.Error, or nil.
func asProviderError(err error) *providers.Error {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// book makes the booking call for op ("book" or "find_booking") and reads
// back a booking the answer only names.
func (c *Client) book(ctx context.Context, op string, r providers.BookRequest) (*providers.Booking, error) {
	req, err := newBookRequest(r)
	if err != nil {
		return nil, rejected(op, "the booking cannot be sent to LiteAPI", err)
	}
	var (
		booking  *providers.Booking
		existing string
	)
	if err := c.observe(op, func() (err error) {
		booking, existing, err = c.postBooking(ctx, op, req)
		return err
	}); err != nil {
		return nil, err
	}
	if booking != nil {
		return booking, nil
	}
	booking, err = c.Retrieve(ctx, existing)
	if err != nil {
		code := providers.Unavailable
		if providers.CodeOf(err) == providers.Timeout {
			code = providers.Timeout
		}
		return nil, &providers.Error{Provider: Name, Op: op, Code: code,
			Message: "LiteAPI has a booking for this hold but it could not be read", Err: err}
	}
	return booking, nil
}

// postBooking sends the booking call. It returns the booking of a full
// answer, or the bookingId of an answer that only names one (the 200
// replay, a 409 duplicate that carries it).
func (c *Client) postBooking(ctx context.Context, op string, req wire.BookRequest) (*providers.Booking, string, error) {
	status, raw, err := c.exchange(ctx, op, http.MethodPost, wire.BookingsPath, req)
	if err != nil {
		return nil, "", err
	}
	var resp wire.BookResponse
	if err := decodeAnswer(op, http.MethodPost, wire.BookingsPath, status, raw, &resp); err != nil {
		err = reclassify(err, bookCodes)
		paymentRefusal(err, req.Payment.Method)
		var pe *providers.Error
		if errors.As(err, &pe) && (providerCode(pe) == codeDuplicateBooking || providerCode(pe) == codeAlreadyTicketed) {
			if id := duplicateBookingID(raw); id != "" {
				return nil, id, nil
			}
		}
		return nil, "", err
	}
	if len(resp.Data) == 0 || resp.Data[0].Booking.BookingID == "" {
		return nil, "", unreadable(op, status, fmt.Errorf("map %s: no booking id", wire.BookingsPath))
	}
	fb := resp.Data[0].Booking
	// The 200 replay has only bookingId and status; a full booking is
	// mapped whatever the status says.
	if fb.Pricing == nil && (fb.Order == nil || fb.Order.Price == nil) {
		return nil, fb.BookingID, nil
	}
	b, err := toBooking(fb)
	if err != nil {
		return nil, "", unreadable(op, status, fmt.Errorf("map %s: %w", wire.BookingsPath, err))
	}
	return b, "", nil
}

// duplicateBookingID is the bookingId a 409 answer names, "" when none.
func duplicateBookingID(raw []byte) string {
	var d wire.DuplicateBody
	if json.Unmarshal(raw, &d) != nil {
		return ""
	}
	if len(d.Data) > 0 && d.Data[0].Booking.BookingID != "" {
		return d.Data[0].Booking.BookingID
	}
	if d.Error != nil {
		return d.Error.BookingID
	}
	return ""
}

// newBookRequest is the booking body for r: payment on the credit line,
// and our own id in a custom tag when there is one.
func newBookRequest(r providers.BookRequest) (wire.BookRequest, error) {
	if r.Part.Provider != "" && r.Part.Provider != Name {
		return wire.BookRequest{}, fmt.Errorf("book a part of provider %q", r.Part.Provider)
	}
	if r.Hold.Ref == "" {
		return wire.BookRequest{}, errors.New("no prebook id in the hold")
	}
	req := wire.BookRequest{PrebookID: r.Hold.Ref, Payment: wire.BookPayment{Method: wire.PaymentCredit}}
	switch r.Payment.Settlement {
	case "", providers.Merchant:
	case providers.ProviderIntent:
		if r.Payment.TransactionID == "" {
			return wire.BookRequest{}, errors.New("no transactionId to book a prebook paid by LiteAPI's intent")
		}
		req.Payment = wire.BookPayment{Method: wire.PaymentTransactionID, TransactionID: r.Payment.TransactionID}
	default:
		return wire.BookRequest{}, fmt.Errorf("LiteAPI does not settle by %s", r.Payment.Settlement)
	}
	if r.ExternalID != "" {
		if len(r.ExternalID) > wire.MaxCustomTagValue {
			return wire.BookRequest{}, fmt.Errorf("external id of %d bytes, LiteAPI keeps %d", len(r.ExternalID), wire.MaxCustomTagValue)
		}
		req.CustomTags = map[string]string{wire.CustomTagRef: r.ExternalID}
	}
	return req, nil
}

// bookingStatuses maps FlightBooking statuses.
var bookingStatuses = map[string]providers.BookingStatus{
	wire.StatusConfirmed:           providers.BookingConfirmed,
	wire.StatusTicketed:            providers.BookingConfirmed,
	wire.StatusCreated:             providers.BookingPending,
	wire.StatusPendingConfirmation: providers.BookingPending,
	wire.StatusCanceled:            providers.BookingCanceled,
	wire.StatusCanceledWithCharges: providers.BookingCanceled,
}

// toBooking maps a FlightBooking. The total is pricing.totalAmount, else
// order.price.total; the locators are airlineLocators, else the order's
// airline bookings; the slices are the journey's segments as they are now.
//
// [assumed] A status the documentation does not list is taken as PENDING:
// the booking exists and its confirmation is to follow.
func toBooking(fb wire.FlightBooking) (*providers.Booking, error) {
	if fb.BookingID == "" {
		return nil, errors.New("no bookingId")
	}
	status, ok := bookingStatuses[strings.ToUpper(fb.Status)]
	if !ok {
		status = providers.BookingPending
	}
	total, err := bookingTotal(fb)
	if err != nil {
		return nil, err
	}
	b := &providers.Booking{Reference: fb.BookingID, Status: status, Total: total}
	for _, l := range fb.AirlineLocators {
		b.Locators = appendLocator(b.Locators, l.AirlinePnr)
	}
	if len(b.Locators) == 0 && fb.Order != nil {
		for _, ab := range fb.Order.Reference.AirlineBookings {
			b.Locators = appendLocator(b.Locators, ab.AirlinePnr)
		}
	}
	if fb.Journey != nil && len(fb.Journey.Segments) > 0 {
		if b.Slices, err = toSlices(fb.Journey.Segments, slicesOf(fb.Journey.Segments)); err != nil {
			return nil, fmt.Errorf("journey: %w", err)
		}
	}
	return b, nil
}

func bookingTotal(fb wire.FlightBooking) (providers.Money, error) {
	if p := fb.Pricing; p != nil && p.TotalAmount != "" {
		m, err := requiredMoney(p.TotalAmount, p.Currency)
		if err != nil {
			return providers.Money{}, fmt.Errorf("pricing.totalAmount: %w", err)
		}
		return m, nil
	}
	if o := fb.Order; o != nil && o.Price != nil && o.Price.Total != "" {
		cur := o.Price.Currency
		if cur == "" {
			cur = o.Currency
		}
		m, err := requiredMoney(o.Price.Total, cur)
		if err != nil {
			return providers.Money{}, fmt.Errorf("order.price.total: %w", err)
		}
		return m, nil
	}
	return providers.Money{}, errors.New("no total (pricing.totalAmount or order.price.total)")
}

func appendLocator(ls []string, locator string) []string {
	locator = strings.TrimSpace(locator)
	if locator == "" || slices.Contains(ls, locator) {
		return ls
	}
	return append(ls, locator)
}

// slicesOf is the number of slices (directions) of a booked journey: two when a
// segment is INBOUND.
func slicesOf(segs []wire.Segment) int {
	for _, s := range segs {
		if s.Direction == wire.DirectionInbound {
			return 2
		}
	}
	return 1
}

// paymentRefusal words a refused payment (55004) by how the booking pays:
// on account (CREDIT) LiteAPI refused to charge our account (Rejected);
// with TRANSACTION_ID its payment intent is not confirmed, or not the
// prebook's latest (PaymentNotConfirmed). err is changed in place.
func paymentRefusal(err error, method string) {
	pe := asProviderError(err)
	if pe == nil || providerCode(pe) != 55004 {
		return
	}
	switch method {
	case wire.PaymentTransactionID:
		pe.Code, pe.Message = providers.PaymentNotConfirmed, "LiteAPI refused the payment: its payment intent (transactionId) is not confirmed, or is not the prebook's latest"
	case wire.PaymentCredit:
		pe.Message = "LiteAPI refused the payment on account (credit)"
	}
}
