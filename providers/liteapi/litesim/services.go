package litesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/faregraph/faregraph/providers/liteapi/wire"
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

// maxBagsPerService is the most units of one bag a passenger may attach.
const maxBagsPerService = 3

// attachedService is a service attached to a prebook.
type attachedService struct {
	sel wire.SelectedService
	svc wire.Service
	at  time.Time
}

func (s *Simulator) attachServices(w http.ResponseWriter, r incoming) {
	if !pathUUID(w, r, codeServicesBadID, "prebookId", "prebook") {
		return
	}
	var req wire.ServicesRequest
	if err := json.Unmarshal(r.body, &req); err != nil {
		writeError(w, http.StatusBadRequest, wire.APIError{Code: codeBadRequest, Message: "Invalid JSON body"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.prebookLocked(w, r.id, codeServicesNotFound)
	switch {
	case !ok:
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
func (s *Simulator) checkServicesLocked(p *prebook, sel []wire.SelectedService) ([]attachedService, int, *wire.APIError) {
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

// selected lists a prebook's attached services as selected and booked
// views, nil when none. [assumed] phase and status values.
func (p *prebook) selected(phase, status string) ([]wire.SelectedService, []wire.BookedService) {
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

// attachableLocked lists the services a prebook can still take: the paid
// bag of verify (same serviceId) and, per flight, the first free seats of
// its seat list (SeatsPerSegment of them), with the seats before them
// that another prebook took marked "available": false (B.8 carries the
// flag). A seat this prebook took is left out: it is in its
// selectedServices. ExpiresAt is the prebook's expiry.
func (s *Simulator) attachableLocked(p *prebook) *wire.ServicesAttachable {
	yes := true
	seats := []wire.Service{}
	for _, list := range s.seatOptions(p) {
		n := 0
		for _, sv := range list {
			if n == SeatsPerSegment {
				break
			}
			switch s.seatMap[sv.SegmentKey+"|"+sv.Metadata.Seat.SeatNumber] {
			case p.id:
			case "":
				seats = append(seats, sv)
				n++
			default:
				seat := *sv.Metadata.Seat
				seat.Available = new(false)
				sv.Metadata = &wire.ServiceMetadata{Seat: &seat}
				seats = append(seats, sv)
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
func (s *Simulator) bagService(p *prebook) wire.Service {
	return wire.Service{ServiceID: s.paidBagID(p.q), Name: "Extra checked bag up to 23 kg", Category: wire.CategoryBaggage,
		PassengerType: "ALL", Pricing: wire.BagPricing{Display: wire.Amount{Amount: p.q.money(p.q.bagFee), Currency: p.q.cur}},
		Metadata: &wire.ServiceMetadata{Baggage: &wire.BaggageMetadata{BagType: "checked", Pieces: 1, WeightKg: "23"}}}
}
