package liteapi

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// Prebook (B.3, B.4) and services (B.5, B.8) codes the simulator answers.
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

// Services codes (B.5). [assumed] An unknown prebook is 404 44004 and a
// malformed id 400 44008; a prebook that lapsed is 400 44013 (session
// expired), the documented code whose words fit, rather than the
// undocumented 404 44005. A service of another journey, a passengerIndex
// out of range, a bad quantity (seats 1, bags 1 to 3) or a seat for an
// infant are all 44001 (ancillary not found), with the field in key. A
// passenger's second seat on a segment, or one seat for two, is 409 44007.
const (
	codeServiceNotFound   = 44001
	codeServicesNotFound  = 44004
	codeServicesConfirmed = 44006
	codeServiceConflict   = 44007
	codeServicesBadID     = 44008
	codeSeatUnavailable   = 44012
	codeServicesExpired   = 44013
)

// prebookTTL is how long a simulated prebook holds its seats.
const prebookTTL = 15 * time.Minute

// maxBagsPerService is the most units of one bag a passenger may attach.
const maxBagsPerService = 3

// seatsPerSegment is how many seats a prebook lists per flight.
const seatsPerSegment = 4

// simCreditLine is the simulated account's credit balance (B.9), in USD as
// LiteAPI shows it. [assumed] It is shown, not drawn on.
const simCreditLine = "100000.00"

// paymentTypes are the payment methods of the simulated account.
var paymentTypes = []string{wire.PaymentTransactionID, wire.PaymentCredit, wire.PaymentAccCreditCard}

// simPrebook is a prebook: the seats of an offer held for passengers.
type simPrebook struct {
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
	released                 bool   // lapsed: seats given back
	bookingID                string // booked
}

// attachedService is a service attached to a prebook.
type attachedService struct {
	sel wire.SelectedService
	svc wire.Service
	at  time.Time
}

// price is what the prebook costs now, minor units of p.q.cur.
func (p *simPrebook) price() int64 {
	total := p.fare
	for _, a := range p.services {
		total += p.unit(a) * int64(a.sel.Quantity)
	}
	return total
}

// unit is an attached service's price per unit, minor units of p.q.cur
// (services are priced in the prebook's currency).
func (p *simPrebook) unit(a attachedService) int64 {
	m, _ := providers.MoneyFromJSON(a.svc.Pricing.Display.Amount, p.q.cur)
	return m.Amount
}

// simPrebookRequest is a prebook body as the simulator reads it: pointers
// tell missing fields from zero ones.
type simPrebookRequest struct {
	OfferID              string          `json:"offerId"`
	UsePaymentSdk        *bool           `json:"usePaymentSdk"`
	IncludeCreditBalance bool            `json:"includeCreditBalance"`
	Contact              *wire.Contact   `json:"contact"`
	Passengers           []simPassenger  `json:"passengers"`
	Payment              json.RawMessage `json:"payment"`
}

type simPassenger struct {
	wire.Passenger
	PassengerType *int `json:"passengerType"`
}

func (s *Simulator) prebook(w http.ResponseWriter, r simRequest) {
	var req simPrebookRequest
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
	if !s.seats.hold(q.buckets(), q.pax.Seats()) {
		writeError(w, http.StatusBadGateway, wire.APIError{Code: codePrebookSoldOut, Message: "Sold out", Description: "not enough seats left"})
		return
	}
	p := &simPrebook{
		id:         s.newIDLocked("prebook"),
		offerID:    req.OfferID,
		q:          q,
		journeyKey: s.inv.journeyKey(q.its),
		created:    now,
		expires:    now.Add(prebookTTL),
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
			AirlineName: carrierInfo[code].name, AirlinePnr: s.token("pnr", p.id+code, 6, pnrLetters)})
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

// checkPrebook applies the documented request rules, answering the HTTP
// status and error of the first broken one.
func (s *Simulator) checkPrebook(req simPrebookRequest, tok offerToken, q quote, found bool) (int, *wire.APIError) {
	missing := func(key string) (int, *wire.APIError) {
		return http.StatusBadRequest, invalid(codePrebookMissing, "bodyRequest."+key, key+" is required")
	}
	bad := func(key, msg string) (int, *wire.APIError) {
		return http.StatusBadRequest, invalid(codePrebookInvalid, "bodyRequest."+key, msg)
	}
	c := req.Contact
	switch {
	case c == nil:
		return missing("contact")
	case c.FirstName == "":
		return missing("contact.firstName")
	case c.LastName == "":
		return missing("contact.lastName")
	case c.Email == "":
		return missing("contact.email")
	case c.PhoneNumber == "":
		return missing("contact.phoneNumber")
	case !validEmail(c.Email):
		return bad("contact.email", "not an email address")
	case !digits(c.PhoneNumber, 4, 14) || (c.PhoneCountryCode != "" && !digits(c.PhoneCountryCode, 1, 3)):
		return http.StatusInternalServerError, &wire.APIError{Code: codePrebookServerError, Message: "Internal server error"}
	case len(req.Passengers) == 0:
		return missing("passengers")
	}
	// Age limits apply on the first flight's day; documents must outlive
	// the last flight.
	var first, last time.Time
	if found {
		first, last = q.its[0].dep(), q.its[len(q.its)-1].arr()
	} else if len(tok.Legs) > 0 {
		d, _ := time.Parse(time.DateOnly, tok.Legs[0].Date)
		first, last = d, d
	}
	var counts [3]int
	for i, p := range req.Passengers {
		key := fmt.Sprintf("passengers[%d].", i)
		for _, f := range []struct{ name, v string }{
			{"firstName", p.FirstName}, {"lastName", p.LastName}, {"birthday", p.Birthday}, {"gender", p.Gender},
			{"documentType", p.DocumentType}, {"documentNumber", p.DocumentNumber},
			{"documentIssueCountry", p.DocumentIssueCountry}, {"documentExpiry", p.DocumentExpiry},
		} {
			if f.v == "" {
				return missing(key + f.name)
			}
		}
		if p.PassengerType == nil {
			return missing(key + "passengerType")
		}
		born, errB := time.Parse(time.DateOnly, p.Birthday)
		expiry, errE := time.Parse(time.DateOnly, p.DocumentExpiry)
		pt := *p.PassengerType
		switch {
		case p.Gender != wire.GenderMale && p.Gender != wire.GenderFemale:
			return bad(key+"gender", "gender must be M or F")
		case pt < wire.PaxTypeAdult || pt > wire.PaxTypeInfant:
			return bad(key+"passengerType", "passengerType must be 0 (adult), 1 (child) or 2 (infant)")
		case errB != nil || born.After(first):
			return bad(key+"birthday", "birthday must be a past date YYYY-MM-DD")
		case !ageFits(pt, born, first):
			return bad(key+"birthday", "age does not match passengerType (adult 12+, child 2-11, infant under 2)")
		case errE != nil || !expiry.After(last):
			return bad(key+"documentExpiry", "the document must be valid after the last flight")
		case !isCountry(p.DocumentIssueCountry):
			return bad(key+"documentIssueCountry", "an ISO 3166-1 alpha-2 country is required")
		case p.Nationality != "" && !isCountry(p.Nationality):
			return bad(key+"nationality", "an ISO 3166-1 alpha-2 country is required")
		}
		counts[pt]++
	}
	if counts != tok.Pax {
		return bad("passengers", fmt.Sprintf("the offer is for %d adults, %d children and %d infants; got %d, %d and %d",
			tok.Pax[0], tok.Pax[1], tok.Pax[2], counts[0], counts[1], counts[2]))
	}
	// usePaymentSdk false needs payment bypass and a credit line: the
	// simulated account has both, so it is accepted.
	return 0, nil
}

// ageFits reports whether someone born on born has the passenger type's
// age on day.
func ageFits(pt int, born, day time.Time) bool {
	age := day.Year() - born.Year()
	if day.Month() < born.Month() || day.Month() == born.Month() && day.Day() < born.Day() {
		age--
	}
	switch pt {
	case wire.PaxTypeAdult:
		return age >= 12
	case wire.PaxTypeChild:
		return age >= 2 && age <= 11
	default:
		return age < 2
	}
}

func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(s, " \t")
}

// digits reports whether s is lo to hi decimal digits.
func digits(s string, lo, hi int) bool {
	return len(s) >= lo && len(s) <= hi && strings.Trim(s, "0123456789") == ""
}

func isCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func (s *Simulator) getPrebook(w http.ResponseWriter, r simRequest) {
	if !isUUID(r.id) {
		writeError(w, http.StatusBadRequest, *invalid(codeGetPrebookBadID, "pathParam.prebookId", "not a prebook id"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prebooks[r.id]
	if !ok {
		writeError(w, http.StatusNotFound, wire.APIError{Code: codeGetPrebookNotFound, Message: "Prebook not found"})
		return
	}
	credit := r.query.Get("includeCreditBalance") == "true"
	writeJSON(w, http.StatusOK, wire.PrebookResponse{Data: []wire.PrebookData{s.prebookDataLocked(p, credit)}})
}

func (s *Simulator) services(w http.ResponseWriter, r simRequest) {
	if !isUUID(r.id) {
		writeError(w, http.StatusBadRequest, *invalid(codeServicesBadID, "pathParam.prebookId", "not a prebook id"))
		return
	}
	var req wire.ServicesRequest
	if err := json.Unmarshal(r.body, &req); err != nil {
		writeError(w, http.StatusBadRequest, wire.APIError{Code: codeBadRequest, Message: "Invalid JSON body"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prebooks[r.id]
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, wire.APIError{Code: codeServicesNotFound, Message: "Prebook not found"})
		return
	case p.bookingID != "":
		writeError(w, http.StatusConflict, wire.APIError{Code: codeServicesConfirmed, Message: "Booking already confirmed"})
		return
	case p.released:
		writeError(w, http.StatusBadRequest, wire.APIError{Code: codeServicesExpired, Message: "Session expired", Description: "the prebook expired"})
		return
	}
	add, status, bad := s.checkServicesLocked(p, req.SelectedServices)
	if bad != nil {
		writeError(w, status, *bad)
		return
	}
	now := s.cfg.Now()
	for _, a := range add {
		a.at = now
		p.services = append(p.services, a)
		if a.svc.Category == wire.CategorySeat {
			s.seatMap[a.svc.SegmentKey+"|"+a.svc.Metadata.Seat.SeatNumber] = p.id
		}
	}
	if p.sdk {
		s.newIntentLocked(p) // a new payment intent for the new price (B.5)
	}
	writeJSON(w, http.StatusOK, wire.PrebookResponse{Data: []wire.PrebookData{s.prebookDataLocked(p, false)}})
}

// checkServicesLocked validates the services to attach, all or none.
func (s *Simulator) checkServicesLocked(p *simPrebook, sel []wire.SelectedService) ([]attachedService, int, *wire.APIError) {
	if len(sel) == 0 {
		return nil, http.StatusBadRequest, invalid(codeServiceNotFound, "bodyRequest.selectedServices", "no service selected")
	}
	offered := map[string]wire.Service{}
	for _, list := range s.seatOptions(p) {
		for _, sv := range list {
			offered[sv.ServiceID] = sv
		}
	}
	bag := s.bagService(p)
	offered[bag.ServiceID] = bag
	seated := map[string]bool{} // passenger|segment that has a seat
	for _, a := range p.services {
		if a.svc.Category == wire.CategorySeat {
			seated[strconv.Itoa(a.sel.PassengerIndex)+"|"+a.svc.SegmentKey] = true
		}
	}
	var out []attachedService
	taken := map[string]bool{}
	for i, it := range sel {
		key := fmt.Sprintf("bodyRequest.selectedServices[%d].", i)
		notFound := func(field, msg string) ([]attachedService, int, *wire.APIError) {
			return nil, http.StatusBadRequest, invalid(codeServiceNotFound, key+field, msg)
		}
		var tok serviceToken
		if !s.open(it.ServiceID, &tok) || tok.Journey != p.journeyKey {
			return notFound("serviceId", "no such service on this prebook")
		}
		if it.PassengerIndex < 0 || it.PassengerIndex >= len(p.passengers) {
			return notFound("passengerIndex", "no such passenger")
		}
		infant := p.passengers[it.PassengerIndex].PassengerType == wire.PaxTypeInfant
		if tok.Kind != wire.CategorySeat {
			sv, ok := offered[it.ServiceID]
			switch {
			case !ok: // the bag of this journey priced in another currency
				return notFound("serviceId", "no such service on this prebook")
			case it.Quantity < 1 || it.Quantity > maxBagsPerService:
				return notFound("quantity", fmt.Sprintf("1 to %d bags", maxBagsPerService))
			}
			out = append(out, attachedService{sel: it, svc: sv})
			continue
		}
		seatKey := tok.Segment + "|" + tok.Seat
		paxKey := strconv.Itoa(it.PassengerIndex) + "|" + tok.Segment
		switch {
		case it.Quantity != 1:
			return notFound("quantity", "one seat per passenger")
		case infant:
			return notFound("passengerIndex", "infants travel on a lap")
		case s.seatMap[seatKey] == p.id || taken[seatKey] || seated[paxKey]:
			return nil, http.StatusConflict, &wire.APIError{Code: codeServiceConflict, Message: "Service conflict",
				Description: "one seat per passenger and segment, one passenger per seat"}
		case s.seatMap[seatKey] != "":
			return nil, http.StatusBadRequest, &wire.APIError{Code: codeSeatUnavailable, Message: "Seat unavailable", Key: key + "serviceId"}
		}
		sv, ok := offered[it.ServiceID]
		if !ok {
			return notFound("serviceId", "no such service on this prebook")
		}
		taken[seatKey], seated[paxKey] = true, true
		out = append(out, attachedService{sel: it, svc: sv})
	}
	return out, 0, nil
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
func (s *Simulator) releaseLocked(p *simPrebook) {
	p.released = true
	s.seats.release(p.q.buckets(), p.q.pax.Seats())
	for _, a := range p.services {
		if a.svc.Category == wire.CategorySeat {
			delete(s.seatMap, a.svc.SegmentKey+"|"+a.svc.Metadata.Seat.SeatNumber)
		}
	}
}

// prebookDataLocked renders a prebook (B.3, B.4, B.5).
func (s *Simulator) prebookDataLocked(p *simPrebook, credit bool) wire.PrebookData {
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
		d.CreditLine = &wire.CreditLine{RemainingCredit: simCreditLine, Currency: "USD"}
	}
	return d
}

func (s *Simulator) prebookBookingLocked(p *simPrebook) *wire.PrebookBooking {
	ref := p.order
	contact := p.contact
	b := &wire.PrebookBooking{
		Timestamp:  p.created.UTC().Format(wire.InstantLayout),
		Journey:    s.bookedJourneyLocked(p, p.q),
		Passengers: p.passengers,
		Order:      &wire.Order{Reference: ref},
		Contact:    &contact,
	}
	b.SelectedServices, b.BookedServices = p.selected("prebook", "pending")
	return b
}

// selected lists a prebook's attached services as selected and booked
// views, nil when none. [assumed] phase and status values.
func (p *simPrebook) selected(phase, status string) ([]wire.SelectedService, []wire.BookedService) {
	var sel []wire.SelectedService
	var booked []wire.BookedService
	for _, a := range p.services {
		sel = append(sel, a.sel)
		booked = append(booked, wire.BookedService{ServiceID: a.svc.ServiceID, Name: a.svc.Name, Category: a.svc.Category,
			PassengerType: a.svc.PassengerType, PassengerIndex: a.sel.PassengerIndex, SegmentKey: a.svc.SegmentKey,
			Quantity: a.sel.Quantity, CreatedAt: a.at.UTC().Format(wire.InstantLayout), Phase: phase, Status: status,
			Pricing: a.svc.Pricing, Metadata: a.svc.Metadata})
	}
	return sel, booked
}

// bookedJourneyLocked is the journey of a prebook or booking, flown as q
// says (q may be shifted).
func (s *Simulator) bookedJourneyLocked(p *simPrebook, q quote) *wire.BookedJourney {
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

// attachableLocked lists the services a prebook can still take: the paid
// bag of verify (same serviceId) and, per flight, the first free seats of
// its seat list. ExpiresAt is the prebook's expiry.
func (s *Simulator) attachableLocked(p *simPrebook) *wire.ServicesAttachable {
	yes := true
	seats := []wire.Service{}
	for _, list := range s.seatOptions(p) {
		n := 0
		for _, sv := range list {
			if n == seatsPerSegment {
				break
			}
			if s.seatMap[sv.SegmentKey+"|"+sv.Metadata.Seat.SeatNumber] == "" {
				seats = append(seats, sv)
				n++
			}
		}
	}
	return &wire.ServicesAttachable{
		ExpiresAt: p.expires.UTC().Format(wire.InstantLayout),
		Groups: []wire.ServiceGroup{
			{Available: &yes, Category: wire.CategorySeat, Label: "Seat Selection", Services: seats},
			{Available: &yes, Category: wire.CategoryBaggage, Label: "Extra Baggage", Services: []wire.Service{s.bagService(p)}},
		},
	}
}

// bagService is the paid checked bag as an attachable service, with the
// serviceId verify gives it. It is for the whole journey (no segmentKey).
func (s *Simulator) bagService(p *simPrebook) wire.Service {
	return wire.Service{ServiceID: s.paidBagID(p.q), Name: "Extra checked bag up to 23 kg", Category: wire.CategoryBaggage,
		PassengerType: "ALL", Pricing: wire.BagPricing{Display: wire.Amount{Amount: p.q.money(p.q.bagFee), Currency: p.q.cur}},
		Metadata: &wire.ServiceMetadata{Baggage: &wire.BaggageMetadata{BagType: "checked", Pieces: 1, WeightKg: "23"}}}
}

// seatCandidates is the length of a flight's seat list.
const seatCandidates = 4 * seatsPerSegment

// seatOptions is, per flight of the prebook, its deterministic list of
// seats for sale, taken or not.
func (s *Simulator) seatOptions(p *simPrebook) [][]wire.Service {
	var out [][]wire.Service
	for _, it := range p.q.its {
		for _, f := range it.flights {
			var list []wire.Service
			seen := map[string]bool{}
			for i := range seatCandidates {
				sv := s.seatService(p.journeyKey, p.q.cur, f, i)
				if n := sv.Metadata.Seat.SeatNumber; !seen[n] {
					seen[n] = true
					list = append(list, sv)
				}
			}
			out = append(out, list)
		}
	}
	return out
}

// seatService is the i-th seat of a flight's deterministic list: window
// and aisle seats cost more than middle ones, rows 1, 12 and 13 have
// extra legroom. Prices are set in EUR and shown in cur, the prebook's
// currency.
func (s *Simulator) seatService(journey, cur string, f flight, i int) wire.Service {
	h := s.inv.hash("seat", f.key, strconv.Itoa(i))
	row := 1 + int(h%30)
	col := "ABCDEF"[(h>>8)%6]
	number := fmt.Sprintf("%d%c", row, col)
	pos, cents := "middle", int64(799)
	switch col {
	case 'A', 'F':
		pos, cents = "window", 1299
	case 'C', 'D':
		pos, cents = "aisle", 1099
	}
	kind := "standard"
	if row == 1 || row == 12 || row == 13 {
		kind, cents = "extra_legroom", cents+1000
	}
	price := fromEUR(cents, cur)
	id := s.sign(serviceToken{Journey: journey, Kind: wire.CategorySeat, Segment: f.key, Seat: number, Price: price, Cur: tokenCurrency(cur)})
	return wire.Service{ServiceID: id, Name: "Seat " + number, Category: wire.CategorySeat, PassengerType: "ALL", SegmentKey: f.key,
		Pricing: wire.BagPricing{Display: wire.Amount{Amount: amountIn(price, cur), Currency: cur}},
		Metadata: &wire.ServiceMetadata{Seat: &wire.SeatMetadata{Available: true, Position: pos, SeatColumn: string(col),
			SeatNumber: number, SeatRow: row, SeatType: kind}}}
}

// carriers lists the marketing carriers of a quote in order of flight.
func (q quote) carriers() []string {
	var out []string
	for _, it := range q.its {
		for _, f := range it.flights {
			if !slices.Contains(out, f.carrier) {
				out = append(out, f.carrier)
			}
		}
	}
	return out
}

// newIntentLocked gives a prebook a new fake payment intent.
func (s *Simulator) newIntentLocked(p *simPrebook) {
	s.ids++
	n := strconv.FormatUint(s.ids, 10)
	p.transactionID = "tr_cts_" + s.token("transaction", n, 24, alnum)
	pi := s.token("intent", n, 24, alnum)
	p.secretKey = "pi_" + pi + "_secret_" + s.token("secret", n, 24, alnum)
}

// Alphabets of generated references.
const (
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	// pnrLetters leaves out the letters and digits airlines avoid (I, O, 0, 1).
	pnrLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	digitChars = "0123456789"
)

// token is n characters of alphabet derived from the seed and parts.
func (s *Simulator) token(kind, salt string, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.inv.hash(kind, salt, strconv.Itoa(i))%uint64(len(alphabet))]
	}
	return string(b)
}

// newIDLocked is a UUIDv7 string: the clock's milliseconds, then bits
// derived from the seed and a counter.
func (s *Simulator) newIDLocked(kind string) string {
	s.ids++
	n := strconv.FormatUint(s.ids, 10)
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(s.cfg.Now().UnixMilli())<<16|s.inv.hash(kind, n, "a")&0xffff)
	binary.BigEndian.PutUint64(b[8:16], s.inv.hash(kind, n, "b"))
	b[6] = 0x70 | b[6]&0x0f // version 7
	b[8] = 0x80 | b[8]&0x3f // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// isUUID reports whether id has the 8-4-4-4-12 hex form of a UUID.
func isUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, c := range id {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}
