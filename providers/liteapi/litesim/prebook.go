package litesim

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// Prebook codes (B.3, B.4) the simulator answers.
// [assumed] B.3 numbers only a missing offerId (43001) and a bad one
// (43007); like rates (41002 missing, 41006 invalid passenger data), the
// simulator answers 43002 for any other missing field and 43006 for an
// invalid value, with the field in key. A phone that is not digits is 500
// 53099, as the sandbox answered (B.10).
const (
	codePrebookNoOffer      = 43001
	codePrebookMissing      = 43002
	codePrebookInvalid      = 43006
	codePrebookBadOffer     = 43007
	codePrebookOfferExpired = 43004
	codePrebookServerError  = 53099
	codePrebookNotFound     = 53019
	codePrebookSoldOut      = 53010
	codeGetPrebookBadID     = 43020
	codeGetPrebookNotFound  = 43021
)

// PrebookTTL is how long a prebook holds its seats, by the simulator's
// clock.
const PrebookTTL = 15 * time.Minute

// creditLine is the simulated account's credit balance (B.9), in USD as
// LiteAPI shows it. [assumed] It is shown, not drawn on.
const creditLine = "100000.00"

// paymentTypes are the payment methods of the simulated account.
var paymentTypes = []string{wire.PaymentTransactionID, wire.PaymentCredit, wire.PaymentAccCreditCard}

// prebook is a prebook: the seats of an offer held for passengers.
type prebook struct {
	id         string
	offerID    string
	q          quote
	journeyKey string
	created    time.Time
	expires    time.Time
	contact    wire.Contact
	passengers []wire.Passenger
	order      wire.OrderReference
	fare       int64 // the offer's total, minor units of q.cur
	services   []attachedService
	// sdk: usePaymentSdk was true, so the prebook has a payment intent,
	// renewed by every attach.
	sdk                      bool
	transactionID, secretKey string
	// confirmed: the app confirmed the latest intent with Stripe's SDK
	// (ConfirmIntent); a new intent starts unconfirmed.
	confirmed bool
	released  bool   // lapsed: seats given back
	bookingID string // booked
}

// price is what the prebook costs now, minor units of p.q.cur.
func (p *prebook) price() int64 {
	total := p.fare
	for _, a := range p.services {
		total += p.unit(a) * int64(a.sel.Quantity)
	}
	return total
}

// unit is an attached service's price per unit, minor units of p.q.cur
// (services are priced in the prebook's currency).
func (p *prebook) unit(a attachedService) int64 {
	m, _ := providers.MoneyFromJSON(a.svc.Pricing.Display.Amount, p.q.cur)
	return m.Amount
}

// prebookBody is a prebook body as the simulator reads it: pointers
// tell missing fields from zero ones.
type prebookBody struct {
	OfferID              string             `json:"offerId"`
	UsePaymentSdk        *bool              `json:"usePaymentSdk"`
	IncludeCreditBalance bool               `json:"includeCreditBalance"`
	Contact              *wire.Contact      `json:"contact"`
	Passengers           []prebookPassenger `json:"passengers"`
	Payment              json.RawMessage    `json:"payment"`
}

type prebookPassenger struct {
	wire.Passenger
	PassengerType *int `json:"passengerType"`
}

func (s *Simulator) createPrebook(w http.ResponseWriter, r incoming) {
	var req prebookBody
	if err := json.Unmarshal(r.body, &req); err != nil {
		writeError(w, http.StatusBadRequest, wire.APIError{Code: codeBadRequest, Message: "Invalid JSON body"})
		return
	}
	if req.OfferID == "" {
		writeError(w, http.StatusBadRequest, *invalid(codePrebookNoOffer, "bodyRequest.offerId", "offerId is required"))
		return
	}
	var tok offerToken
	if !s.open(req.OfferID, &tok) {
		writeError(w, http.StatusBadRequest, *invalid(codePrebookBadOffer, "bodyRequest.offerId", "offerId is not a valid offer id"))
		return
	}
	q, found := s.requote(tok)
	if status, bad := s.checkPrebook(req, tok, q, found); bad != nil {
		writeError(w, status, *bad)
		return
	}
	now := s.cfg.Now()
	if !now.Before(time.UnixMilli(tok.Expires)) {
		writeError(w, http.StatusNotFound, wire.APIError{Code: codePrebookOfferExpired, Message: "Offer expired", Description: "search again"})
		return
	}
	if !found {
		writeError(w, http.StatusBadGateway, wire.APIError{Code: codePrebookNotFound, Message: "Offer not found"})
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if status, bad := s.creditRefusalLocked(req.UsePaymentSdk == nil || *req.UsePaymentSdk); bad != nil {
		writeError(w, status, *bad)
		return
	}
	if !s.seats.hold(q.buckets(), q.pax.Seats()) {
		writeError(w, http.StatusBadGateway, wire.APIError{Code: codePrebookSoldOut, Message: "Sold out", Description: "not enough seats left"})
		return
	}
	p := &prebook{
		id:         s.newIDLocked("prebook"),
		offerID:    req.OfferID,
		q:          q,
		journeyKey: s.inv.journeyKey(q.its),
		created:    now,
		expires:    now.Add(PrebookTTL),
		contact:    *req.Contact,
		fare:       q.total(),
		sdk:        req.UsePaymentSdk == nil || *req.UsePaymentSdk,
	}
	for _, sp := range req.Passengers {
		wp := sp.Passenger
		wp.PassengerType = *sp.PassengerType
		p.passengers = append(p.passengers, wp)
	}
	p.order = wire.OrderReference{OrderID: "ord_" + s.token("order", p.id, 16, lowerAlnum)}
	for _, code := range q.carriers() {
		p.order.AirlineBookings = append(p.order.AirlineBookings, wire.AirlineBooking{AirlineCode: code,
			AirlineName: airlineName(code), AirlinePnr: s.token("pnr", p.id+code, 6, pnrLetters)})
	}
	if p.sdk {
		s.newIntentLocked(p)
	}
	s.prebooks[p.id] = p
	if next := s.nextExpiry.Load(); next == 0 || p.expires.UnixNano() < next {
		s.nextExpiry.Store(p.expires.UnixNano())
	}
	writeJSON(w, http.StatusOK, wire.PrebookResponse{Data: []wire.PrebookData{s.prebookDataLocked(p, req.IncludeCreditBalance)}})
}

func (s *Simulator) getPrebook(w http.ResponseWriter, r incoming) {
	if !pathUUID(w, r, codeGetPrebookBadID, "prebookId", "prebook") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prebookLocked(w, r.id, codeGetPrebookNotFound)
	if !ok {
		return
	}
	credit := r.query.Get("includeCreditBalance") == "true"
	writeJSON(w, http.StatusOK, wire.PrebookResponse{Data: []wire.PrebookData{s.prebookDataLocked(p, credit)}})
}

// pathUUID reports whether r's path id is a UUID, answering 400 with code
// (key pathParam.<param>, "not a <what> id") when it is not.
func pathUUID(w http.ResponseWriter, r incoming, code int, param, what string) bool {
	if isUUID(r.id) {
		return true
	}
	writeError(w, http.StatusBadRequest, *invalid(code, "pathParam."+param, "not a "+what+" id"))
	return false
}

// prebookLocked returns the prebook id, answering 404 "Prebook not found"
// with code when there is none. The caller holds s.mu.
func (s *Simulator) prebookLocked(w http.ResponseWriter, id string, code int) (*prebook, bool) {
	p, ok := s.prebooks[id]
	if !ok {
		writeError(w, http.StatusNotFound, wire.APIError{Code: code, Message: "Prebook not found"})
	}
	return p, ok
}

// expire lets prebooks that lapsed give their seats back. It runs before
// every operation, so expiry is lazy but never visible late.
func (s *Simulator) expire() {
	now := s.cfg.Now().UnixNano()
	if next := s.nextExpiry.Load(); next == 0 || now < next {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var next int64
	for _, p := range s.prebooks {
		if p.released || p.bookingID != "" {
			continue
		}
		exp := p.expires.UnixNano()
		if now >= exp {
			s.releaseLocked(p)
			continue
		}
		if next == 0 || exp < next {
			next = exp
		}
	}
	s.nextExpiry.Store(next)
}

// releaseLocked gives back a lapsed prebook's seats and chosen seats.
func (s *Simulator) releaseLocked(p *prebook) {
	p.released = true
	s.seats.release(p.q.buckets(), p.q.pax.Seats())
	for _, a := range p.services {
		if a.svc.Category == wire.CategorySeat {
			delete(s.seatMap, a.svc.SegmentKey+"|"+a.svc.Metadata.Seat.SeatNumber)
		}
	}
}

// prebookDataLocked renders a prebook (B.3, B.4, B.5).
func (s *Simulator) prebookDataLocked(p *prebook, credit bool) wire.PrebookData {
	d := wire.PrebookData{
		PrebookID:          p.id,
		Booking:            s.prebookBookingLocked(p),
		Price:              p.q.money(p.price()),
		Currency:           p.q.cur,
		OfferID:            p.offerID,
		ServicesAttachable: s.attachableLocked(p),
		PaymentTypes:       paymentTypes,
	}
	if p.sdk {
		d.TransactionID, d.SecretKey = p.transactionID, p.secretKey
	}
	if credit {
		d.CreditLine = &wire.CreditLine{RemainingCredit: creditLine, Currency: "USD"}
	}
	return d
}

func (s *Simulator) prebookBookingLocked(p *prebook) *wire.PrebookBooking {
	ref := p.order
	contact := p.contact
	b := &wire.PrebookBooking{
		Timestamp:  p.created.UTC().Format(wire.InstantLayout),
		Journey:    s.bookedJourneyLocked(p),
		Passengers: p.passengers,
		Order:      &wire.Order{Reference: ref},
		Contact:    &contact,
	}
	b.SelectedServices, b.BookedServices = p.selected("prebook", "pending")
	return b
}

// bookedJourneyLocked is the journey of a prebook or booking, its flights
// as ShiftSchedule moved them.
func (s *Simulator) bookedJourneyLocked(p *prebook) *wire.BookedJourney {
	q := p.q
	q.its = s.liveLocked(q.its)
	seats := min(s.seats.left(p.q.buckets()), maxShownSeats)
	pr, t, f, b := q.pricing(), q.terms(), q.fare(seats), q.baggage(s.paidBagID(p.q))
	return &wire.BookedJourney{
		JourneyKey:   p.journeyKey,
		Segments:     q.segments(),
		Pricing:      &pr,
		Terms:        &t,
		CabinClass:   wire.CabinEconomy,
		Fare:         &f,
		SegmentFares: q.segmentFares(seats),
		Baggage:      &b,
	}
}
