package citizenplane

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// Book books the requests of r's hold: POST /v3/bookings with the request
// ids, our customer code, r.ExternalID, the contact's name, email and
// phone number, the gender of the first adult traveller and the payment:
// self_psp when we take the payment ourselves (Merchant), or, for a card
// forwarded (CardForward), payment_method (the pm_ the app made with
// CitizenPlane's restricted key) and three_d_secure when given, without
// self_psp.
//
// The booking's Status is BookingConfirmed when CitizenPlane answers
// "confirmed", BookingCanceled for "cancelled" and BookingPending for
// anything else. A 409 REQUEST_ALREADY_BOOKED means the hold was booked
// already, by an earlier attempt whose answer was lost: the booking it
// names is read back (GET /v3/bookings) and returned, not an error.
//
// Errors are *providers.Error values: Rejected, without a call, for a
// hold ref that is not CitizenPlane request ids or a contact or adult
// traveller missing what the booking needs; HoldExpired for 403 (the
// requests expired, or were aborted); PriceChanged or SoldOut for another
// 409, by its type; NotFound for request ids CitizenPlane does not know
// (404); PaymentDeclined for 422 PAYMENT_FAILED of a forwarded card;
// Rejected for 400 and other 422s. Unavailable or Timeout (server errors,
// no answer, an answer that cannot be read) leave the outcome unknown:
// ask FindBooking.
func (c *Client) Book(ctx context.Context, r providers.BookRequest) (*providers.Booking, error) {
	return c.book(ctx, opBook, r)
}

// FindBooking finds the booking made from r's hold, if any, the way
// CitizenPlane documents: it replays the POST /v3/bookings that Book makes
// and reads the reference of the booking from the 409
// REQUEST_ALREADY_BOOKED, then reads that booking back.
//
// CitizenPlane books a request at most once, so the replay cannot make a
// second booking. But it can make the first: when the earlier Book never
// reached CitizenPlane and the hold is still valid, the replay books it
// (201) and FindBooking returns that booking. A 403 (the requests expired
// or were aborted, and so were never booked) is (nil, nil). Any error
// leaves the question open; its codes are Book's.
func (c *Client) FindBooking(ctx context.Context, r providers.BookRequest) (*providers.Booking, error) {
	b, err := c.book(ctx, opFindBooking, r)
	if providers.CodeOf(err) == providers.HoldExpired {
		return nil, nil
	}
	return b, err
}

// Retrieve reads a booking back by its cp_reference (GET
// /v3/bookings?cp_reference=...), with its flights as CitizenPlane has
// them now: schedule changes show in the slices' times. An unknown
// reference is NotFound.
func (c *Client) Retrieve(ctx context.Context, reference string) (*providers.Booking, error) {
	ref := strings.TrimSpace(reference)
	if ref == "" {
		return nil, c.fail(opRetrieve, providers.Rejected, 0, "", "no booking reference", errors.New("empty cp_reference"))
	}
	return c.retrieve(ctx, opRetrieve, ref)
}

// book posts the booking of r for op (book or find_booking).
func (c *Client) book(ctx context.Context, op string, r providers.BookRequest) (*providers.Booking, error) {
	body, err := c.bookingBody(r)
	if err != nil {
		return nil, c.fail(op, providers.Rejected, 0, "", err.Error(), err)
	}
	var resp wire.Booking
	status, err := c.do(ctx, op, http.MethodPost, wire.PathBookings, nil, body, &resp, http.StatusForbidden, http.StatusConflict)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.status == http.StatusConflict && ae.body.Type == wire.TypeAlreadyBooked {
			if ae.body.CPReference == "" {
				return nil, c.fail(op, providers.Unavailable, ae.status, ae.body.Type, "hold already booked; the provider did not say which booking", err)
			}
			return c.retrieveBooked(ctx, op, ae.body.CPReference)
		}
		return nil, c.bookError(err, body.PaymentMethod != "")
	}
	b, err := bookingOf(resp)
	if err != nil {
		// Booked, most likely, but unreadable: the outcome is unknown.
		return nil, c.fail(op, providers.Unavailable, status, "", "unreadable provider answer", fmt.Errorf("POST %s: %w", wire.PathBookings, err))
	}
	return b, nil
}

// bookingBody is the POST /v3/bookings of r, the same every time for the
// same r, so that FindBooking replays exactly what Book sent.
func (c *Client) bookingBody(r providers.BookRequest) (wire.BookingBody, error) {
	ids, err := parseRef(r.Hold.Ref)
	if err != nil {
		return wire.BookingBody{}, errors.New("not a CitizenPlane hold")
	}
	ct := r.Contact
	b := wire.BookingBody{
		RequestIDs:   ids,
		CustomerCode: c.cfg.CustomerCode,
		ExternalID:   r.ExternalID,
		FirstName:    strings.TrimSpace(ct.GivenName),
		LastName:     strings.TrimSpace(ct.FamilyName),
		Email:        strings.TrimSpace(ct.Email),
		PhoneNumber:  strings.TrimSpace(ct.PhoneNumber),
	}
	switch pay := r.Payment; pay.Settlement {
	case "", providers.Merchant:
		b.SelfPSP = true
	case providers.CardForward:
		if !strings.HasPrefix(pay.PaymentMethod, "pm_") {
			return wire.BookingBody{}, errors.New("a card forwarded to CitizenPlane needs a Stripe PaymentMethod id (pm_...)")
		}
		b.PaymentMethod = pay.PaymentMethod
		if t := pay.ThreeDSecure; t != nil {
			b.ThreeDSecure = &wire.ThreeDSecure{Version: t.Version, ElectronicCommerceIndicator: t.ElectronicCommerceIndicator,
				Cryptogram: t.Cryptogram, TransactionID: t.TransactionID}
		}
	default:
		return wire.BookingBody{}, fmt.Errorf("CitizenPlane does not settle by %s", pay.Settlement)
	}
	if b.FirstName == "" || b.LastName == "" || b.Email == "" || b.PhoneNumber == "" {
		return wire.BookingBody{}, errors.New("contact needs given and family names, email and phone number")
	}
	for _, t := range r.Travellers {
		if t.Type == providers.Adult {
			if b.Gender, err = wireGender(t.Gender); err != nil {
				return wire.BookingBody{}, fmt.Errorf("first adult traveller: %w", err)
			}
			return b, nil
		}
	}
	return wire.BookingBody{}, errors.New("no adult traveller")
}

// Settlements: CitizenPlane is paid on deposit (Merchant, self_psp) or
// charges a forwarded card itself (CardForward, payment_method).
func (c *Client) Settlements() []providers.Settlement {
	return settlements()
}

// bookError maps a failed POST /v3/bookings to the write side's codes. A
// 422 PAYMENT_FAILED of a booking paid by a forwarded card (cardForwarded)
// is the card declined (PaymentDeclined: CitizenPlane charged it and
// failed, aborting the held requests [doc, v1]); any other 422 is Rejected.
func (c *Client) bookError(err error, cardForwarded bool) error {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Status {
	case http.StatusForbidden:
		pe.Code, pe.Message = providers.HoldExpired, "the hold expired"
	case http.StatusConflict:
		conflict(pe)
	case http.StatusNotFound:
		pe.Code, pe.Message = providers.NotFound, "hold not found"
	case http.StatusUnprocessableEntity:
		pe.Code, pe.Message = providers.Rejected, "provider refused the booking"
		if cardForwarded && pe.ProviderCode == wire.TypePaymentFailed {
			pe.Code, pe.Message = providers.PaymentDeclined, "CitizenPlane declined the card forwarded to it; the held seats were released"
		}
	}
	return pe
}

// retrieveBooked reads back the booking that holds our requests. The
// booking exists, so a failure to read it is never a definite answer:
// it is Timeout or Unavailable (ask again), whatever the call's code.
func (c *Client) retrieveBooked(ctx context.Context, op, ref string) (*providers.Booking, error) {
	b, err := c.retrieve(ctx, op, ref)
	if err != nil {
		var pe *providers.Error
		if errors.As(err, &pe) && pe.Code != providers.Timeout {
			pe.Code, pe.Message = providers.Unavailable, "booking made but could not be read"
		}
		return nil, err
	}
	return b, nil
}

// retrieve gets booking ref for op.
func (c *Client) retrieve(ctx context.Context, op, ref string) (*providers.Booking, error) {
	var resp wire.Booking
	status, err := c.do(ctx, op, http.MethodGet, wire.PathBookings, url.Values{wire.ReferenceParam: {ref}}, nil, &resp, http.StatusNotFound)
	if err != nil {
		var pe *providers.Error
		if errors.As(err, &pe) && pe.Status == http.StatusNotFound {
			pe.Code, pe.Message = providers.NotFound, "booking not found"
		}
		return nil, err
	}
	b, err := bookingOf(resp)
	if err == nil && !strings.EqualFold(b.Reference, ref) {
		err = fmt.Errorf("asked for %s, got %s", ref, b.Reference)
	}
	if err != nil {
		return nil, c.fail(op, providers.Unavailable, status, "", "unreadable provider answer", fmt.Errorf("GET %s: %w", wire.PathBookings, err))
	}
	return b, nil
}

// bookingOf maps a booking answer: one slice per flight, in the order
// CitizenPlane lists them (outbound, then inbound).
func bookingOf(b wire.Booking) (*providers.Booking, error) {
	if b.CPReference == "" {
		return nil, errors.New("no cp_reference")
	}
	if b.TotalPrice == "" {
		return nil, fmt.Errorf("booking %s: no total_price", b.CPReference)
	}
	total, err := providers.MoneyFromJSON(b.TotalPrice, currencyOr(b.Currency))
	if err != nil {
		return nil, fmt.Errorf("booking %s: total_price: %w", b.CPReference, err)
	}
	out := &providers.Booking{Reference: b.CPReference, Status: providers.BookingPending, Total: total}
	switch strings.ToLower(b.Status) {
	case wire.BookingConfirmed:
		out.Status = providers.BookingConfirmed
	case wire.BookingCanceled, "canceled":
		out.Status = providers.BookingCanceled
	}
	for _, f := range b.Flights {
		seg, err := segmentOf(f)
		if err != nil {
			return nil, fmt.Errorf("booking %s: %w", b.CPReference, err)
		}
		out.Slices = append(out.Slices, providers.Slice{Segments: []providers.Segment{seg}})
	}
	return out, nil
}

// settlements is CitizenPlane's list: deposit (Merchant) or a forwarded card (CardForward).
func settlements() []providers.Settlement {
	return []providers.Settlement{providers.Merchant, providers.CardForward}
}
