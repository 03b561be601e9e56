package litesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// Booking codes (B.6, B.7) the simulator answers. [assumed] B.6 numbers no
// validation error of the request itself; the simulator answers 400 45002
// for a missing or invalid prebookId, payment or customTags and for a
// field the call does not take (holder, passengers, clientReference: B.10),
// with the field in key. A malformed booking id on GET is 400 47005.
const (
	codeBookInvalid         = 45002
	codeBookPrebookNotFound = 45033
	codeBookPrebookExpired  = 45084
	codeBookPaymentFailed   = 55004
	codeGetBookingNotFound  = 47002
	codeGetBookingBadID     = 47005
)

// ticketLimit is how long after booking the airline must ticket.
const ticketLimit = 24 * time.Hour

// booking is a booking of a prebook.
type booking struct {
	id, ref string
	prebook *prebook
	status  string
	created time.Time
	payment wire.BookPayment
	tags    map[string]string
	// canceled is the outcome of a cancellation made through the API
	// (nil when none was asked, or the airline canceled); pending while
	// it answered 202.
	canceled *wire.CancelData
	pending  bool
}

// bookBody is a booking body as the simulator reads it.
type bookBody struct {
	PrebookID  string            `json:"prebookId"`
	Payment    *bookPayment      `json:"payment"`
	CustomTags map[string]string `json:"customTags"`
	Metadata   json.RawMessage   `json:"metadata"`
}

type bookPayment struct {
	Method        string          `json:"method"`
	TransactionID string          `json:"transactionId"`
	Token         string          `json:"token"`
	BillingInfo   json.RawMessage `json:"billingInfo"`
}

func (s *Simulator) createBooking(w http.ResponseWriter, r incoming) {
	var req bookBody
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			writeError(w, http.StatusBadRequest, *invalid(codeBookInvalid, "bodyRequest."+strings.Trim(field, `"`),
				"the booking takes only prebookId, payment, customTags and metadata"))
			return
		}
		writeError(w, http.StatusBadRequest, wire.APIError{Code: codeBadRequest, Message: "Invalid JSON body"})
		return
	}
	if bad := checkBook(req); bad != nil {
		writeError(w, http.StatusBadRequest, *bad)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prebookLocked(w, req.PrebookID, codeBookPrebookNotFound)
	switch {
	case !ok:
		return
	case p.bookingID != "":
		// Idempotent per prebookId: the booking that exists, whatever the body.
		b := s.bookings[p.bookingID]
		writeJSON(w, http.StatusOK, wire.ReplayResponse{Data: []wire.ReplayData{{
			Booking: wire.ReplayBooking{BookingID: b.id, Status: b.status}, Message: wire.ReplayMessage}}})
		return
	case p.released:
		writeError(w, http.StatusNotFound, wire.APIError{Code: codeBookPrebookExpired, Message: "Booking expired", Description: "the prebook expired"})
		return
	case req.Payment.Method == wire.PaymentTransactionID:
		if bad := transactionRefusal(p, req.Payment.TransactionID); bad != nil {
			writeError(w, http.StatusBadGateway, *bad)
			return
		}
	}
	now := s.cfg.Now()
	s.seats.sell(p.q.buckets(), p.q.pax.Seats())
	b := &booking{
		id:      s.newIDLocked("booking"),
		prebook: p,
		status:  wire.StatusConfirmed,
		created: now,
		payment: wire.BookPayment{Method: req.Payment.Method, TransactionID: req.Payment.TransactionID},
		tags:    req.CustomTags,
	}
	b.ref = fmt.Sprintf("FH-%02d%c-%s", now.Year()%100, "123456789ABC"[now.Month()-1], s.token("ref", b.id, 8, upperAlnum))
	p.bookingID = b.id
	s.bookings[b.id] = b
	writeJSON(w, http.StatusCreated, wire.BookResponse{Data: []wire.BookData{{Booking: s.flightBookingLocked(b)}}})
}

// checkBook applies the request rules of B.6.
func checkBook(req bookBody) *wire.APIError {
	bad := func(key, msg string) *wire.APIError { return invalid(codeBookInvalid, "bodyRequest."+key, msg) }
	switch {
	case req.PrebookID == "":
		return bad("prebookId", "prebookId is required")
	case req.Payment == nil || req.Payment.Method == "":
		return bad("payment.method", "payment.method is required")
	}
	switch req.Payment.Method {
	case wire.PaymentCredit, wire.PaymentAccCreditCard: // a credit line; a card on the account (simulated)
	case wire.PaymentTransactionID:
		if req.Payment.TransactionID == "" {
			return bad("payment.transactionId", "transactionId is required with TRANSACTION_ID")
		}
	case wire.PaymentThirdParty, wire.PaymentCreditCard:
		return bad("payment.method", req.Payment.Method+" is not available to this account (CREDIT_CARD goes to the pci-book host)")
	default:
		return bad("payment.method", "method must be TRANSACTION_ID, CREDIT, THIRD_PARTY, CREDIT_CARD or ACC_CREDIT_CARD")
	}
	if len(req.CustomTags) > wire.MaxCustomTags {
		return bad("customTags", fmt.Sprintf("at most %d tags", wire.MaxCustomTags))
	}
	for k, v := range req.CustomTags {
		if k == "" || strings.Trim(k, wire.CustomTagKeyLetter) != "" {
			return bad("customTags", fmt.Sprintf("tag %q: keys match ^[A-Z0-9_-]+$", k))
		}
		if len(v) > wire.MaxCustomTagValue {
			return bad("customTags", fmt.Sprintf("tag %s: values have at most %d characters", k, wire.MaxCustomTagValue))
		}
	}
	return nil
}

func (s *Simulator) getBooking(w http.ResponseWriter, r incoming) {
	s.withBooking(w, r, codeGetBookingNotFound, func(b *booking) {
		writeJSON(w, http.StatusOK, wire.BookResponse{Data: []wire.BookData{{Booking: s.flightBookingLocked(b)}}})
	})
}

// withBooking runs fn, under the lock, on the booking the path names; a
// malformed id is a 400 and an unknown one a 404 with notFound's code.
func (s *Simulator) withBooking(w http.ResponseWriter, r incoming, notFound int, fn func(*booking)) {
	if !pathUUID(w, r, codeGetBookingBadID, "bookingId", "booking") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bookings[r.id]
	if !ok {
		writeError(w, http.StatusNotFound, wire.APIError{Code: notFound, Message: "Booking not found"})
		return
	}
	fn(b)
}

// voidWindow is how long after booking a booking can be voided: canceled
// with everything refunded [assumed, as airlines void tickets the day
// they are issued].
const voidWindow = 24 * time.Hour

// flexPenaltyPercent is the penalty of cancelling a refundable fare after
// the void window [assumed].
const flexPenaltyPercent = 10

// cancellationTerms is what cancelling b now refunds and keeps, in minor
// units: voidable within voidWindow of booking (all refunded), then a
// refundable fare keeps flexPenaltyPercent and a non-refundable one all.
func (s *Simulator) cancellationTerms(b *booking) (voidable, refundable bool, refund, penalty int64) {
	price := b.prebook.price()
	switch {
	case s.cfg.Now().Before(b.created.Add(voidWindow)):
		return true, true, price, 0
	case b.prebook.q.fam.refundable:
		penalty = price * flexPenaltyPercent / 100
		return false, true, price - penalty, penalty
	}
	return false, false, 0, price
}

// quoteCancellation answers GET /flights/bookings/{id}/cancellations
// (B.7): what cancelling now would refund. A canceled booking is a 409
// [assumed: 49007].
func (s *Simulator) quoteCancellation(w http.ResponseWriter, r incoming) {
	s.withBooking(w, r, codeQuoteNotFound, func(b *booking) {
		if b.status == wire.StatusCanceled {
			writeError(w, http.StatusConflict, wire.APIError{Code: codeQuoteNotCancellable, Message: "Booking cannot be canceled"})
			return
		}
		voidable, refundable, refund, penalty := s.cancellationTerms(b)
		q := b.prebook.q
		var pnr string
		if ls := b.prebook.order.AirlineBookings; len(ls) > 0 {
			pnr = ls[0].AirlinePnr
		}
		writeJSON(w, http.StatusOK, wire.CancellationQuoteResponse{Data: &wire.CancellationQuote{
			Confidence: "high", IsRefundable: refundable, IsVoidable: voidable,
			Refund:      &wire.PaymentAmount{Amount: q.money(refund), Currency: q.cur},
			Penalty:     &wire.PaymentAmount{Amount: q.money(penalty), Currency: q.cur},
			Destination: "original_form_of_payment", PNR: pnr,
		}})
	})
}

// Cancellation codes [assumed: the documentation lists 409 46004, 46005
// and 46006 without their meanings]: the simulator answers 46004 for a
// booking already canceled by the airline and 46002 for an unknown one;
// the quote answers 49002 and 49007 alike.
const (
	codeCancelNotFound        = 46002
	codeCancelAlreadyCanceled = 46004
	codeQuoteNotFound         = 49002
	codeQuoteNotCancellable   = 49007
)

// cancel answers POST /flights/bookings/{id}/cancellations with the terms
// of cancellationTerms. While SetCancellationsPending is on it answers 202
// with the booking still CONFIRMED, and completes on a later call once it
// is off. A booking canceled through this endpoint answers its outcome
// again [assumed: the call is idempotent]; one the airline canceled is a
// 409 46004.
func (s *Simulator) cancel(w http.ResponseWriter, r incoming) {
	s.withBooking(w, r, codeCancelNotFound, func(b *booking) {
		switch {
		case b.canceled != nil && !b.pending:
			writeJSON(w, http.StatusOK, wire.CancelResponse{Data: b.canceled})
			return
		case b.status == wire.StatusCanceled:
			writeError(w, http.StatusConflict, wire.APIError{Code: codeCancelAlreadyCanceled, Message: "Booking already canceled"})
			return
		}
		if b.canceled == nil {
			_, _, refund, penalty := s.cancellationTerms(b)
			q := b.prebook.q
			st := wire.StatusCanceled
			if penalty > 0 {
				st = wire.StatusCanceledWithCharges
			}
			b.canceled = &wire.CancelData{BookingID: b.id, Status: st,
				CancellationFee: string(q.money(penalty)), RefundAmount: string(q.money(refund)), Currency: q.cur}
		}
		if s.pendCancels {
			b.pending = true
			writeJSON(w, http.StatusAccepted, wire.CancelResponse{Data: &wire.CancelData{BookingID: b.id, Status: b.status, Currency: b.canceled.Currency}})
			return
		}
		b.pending = false
		b.status = wire.StatusCanceled
		writeJSON(w, http.StatusOK, wire.CancelResponse{Data: b.canceled})
	})
}

// flightBookingLocked renders a booking (B.6) with its flights as
// ShiftSchedule moved them. The payment amount is the supplier's price, the
// total without the partner markup: the sandbox's was ~3% below the total
// (B.10).
func (s *Simulator) flightBookingLocked(b *booking) wire.FlightBooking {
	p := b.prebook
	total := p.price()
	cur, money := p.q.cur, p.q.money
	var seatsAmt, bagsAmt int64
	for _, a := range p.services {
		if a.svc.Category == wire.CategorySeat {
			seatsAmt += p.unit(a) * int64(a.sel.Quantity)
		} else {
			bagsAmt += p.unit(a) * int64(a.sel.Quantity)
		}
	}
	created := b.created.UTC().Format(wire.InstantLayout)
	limit := b.created.Add(ticketLimit).UTC().Format(wire.InstantLayout)
	var locators []wire.AirlineLocator
	for _, ab := range p.order.AirlineBookings {
		locators = append(locators, wire.AirlineLocator{AirlineCode: ab.AirlineCode, AirlinePnr: ab.AirlinePnr})
	}
	var tickets []wire.Ticket
	for i, px := range p.passengers {
		tickets = append(tickets, wire.Ticket{PassengerIndex: i, Status: "issued",
			TicketNumber: s.token("ticket", b.id+strconv.Itoa(i), 13, digitChars), DocumentNumber: px.DocumentNumber})
	}
	sel, booked := p.selected("booking", "confirmed")
	contact := p.contact
	payment := b.payment
	return wire.FlightBooking{
		BookingID:           b.id,
		BookingRef:          b.ref,
		Status:              b.status,
		Timestamp:           created,
		OfferID:             p.offerID,
		PaymentStatus:       "completed",
		ProviderEnvironment: "sandbox",
		TicketLimitTime:     limit,
		Journey:             s.bookedJourneyLocked(p),
		Passengers:          p.passengers,
		Contact:             &contact,
		Order: &wire.Order{Reference: p.order, Currency: cur, Status: "created",
			Price: &wire.OrderPrice{Currency: cur, Total: money(total)}, TicketLimitTime: limit},
		AirlineLocators: locators,
		Pricing: &wire.BookingPricing{Subtotal: money(p.fare), ServicesAmount: money(seatsAmt + bagsAmt), SeatsAmount: money(seatsAmt),
			BaggageAmount: money(bagsAmt), TotalAmount: money(total), MerchantOfRecordFee: "0", TicketingFee: "0",
			FeesIncludedInTotal: true, Currency: cur},
		Payment:          &wire.PaymentAmount{Amount: money(total * 100 / markupPercent), Currency: cur},
		SelectedServices: sel,
		BookedServices:   booked,
		TicketData:       &wire.TicketData{ConfirmationID: locators[0].AirlinePnr, TicketedAt: created, Tickets: tickets},
		PaymentInput:     &payment,
		CustomTags:       b.tags,
	}
}
