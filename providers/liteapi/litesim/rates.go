package litesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// Rates validation codes (B.1). [assumed] The documentation numbers only
// missing fields (41002, key "bodyRequest.legs") and passenger errors
// (41006, 41012); the simulator also answers 41002 for a field present but
// invalid (any leg problem, with key "bodyRequest.legs" and the leg and
// field in the description; the rejected top-level fields) and 41006 for a
// currency it cannot price (one not in sandboxRates).
const (
	codeMissingField   = 41002
	codeInvalidPax     = 41006
	codeInfantsTooMany = 41012
)

// maxSeats is the most adults and children one search may seat. [assumed]
const maxSeats = 9

// ratesBody is a rates body as the simulator reads it: the
// documented fields plus the top-level ones LiteAPI rejects.
type ratesBody struct {
	wire.RatesRequest
	Origin        json.RawMessage `json:"origin"`
	Destination   json.RawMessage `json:"destination"`
	DepartureDate json.RawMessage `json:"departureDate"`
}

// searchLeg is a validated leg.
type searchLeg struct {
	from, to string
	date     time.Time
}

// offerToken is what the simulator's offerId carries.
type offerToken struct {
	Legs    []tokenLeg `json:"l"`
	Family  string     `json:"f"`
	Pax     [3]int     `json:"p"`
	Total   int64      `json:"t"` // minor units of the currency
	Expires int64      `json:"x"` // Unix milliseconds
	// Cur is the currency the offer was searched in, empty for EUR (so
	// that EUR ids are those made before other currencies were priced).
	Cur string `json:"c,omitempty"`
}

// currency is the currency of the offer.
func (t offerToken) currency() string {
	if t.Cur == "" {
		return wire.DefaultCurrency
	}
	return t.Cur
}

// tokenLeg is one leg of an offer and its journey's index in the day's list.
type tokenLeg struct {
	From  string `json:"o"`
	To    string `json:"d"`
	Date  string `json:"t"`
	Index int    `json:"i"`
}

func (s *Simulator) searchRates(w http.ResponseWriter, r incoming) {
	var req ratesBody
	if err := json.Unmarshal(r.body, &req); err != nil {
		writeError(w, http.StatusBadRequest, wire.APIError{Code: codeBadRequest, Message: "Invalid JSON body"})
		return
	}
	legs, bad := s.checkRates(req)
	if bad != nil {
		writeError(w, http.StatusBadRequest, *bad)
		return
	}
	pax := providers.Passengers{Adults: req.Adults, Children: req.Children, Infants: req.Infants}
	writeJSON(w, http.StatusOK, wire.RatesResponse{Data: []wire.RatesData{{Journeys: s.journeys(legs, pax, req.CabinClass, req.Currency)}}})
}

// invalid is a validation error on the request field key.
func invalid(code int, key, msg string) *wire.APIError {
	return &wire.APIError{Code: code, Message: "Invalid request", Description: msg, Key: key}
}

// checkRates applies the documented request rules.
func (s *Simulator) checkRates(req ratesBody) ([]searchLeg, *wire.APIError) {
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{{"origin", req.Origin}, {"destination", req.Destination}, {"departureDate", req.DepartureDate}} {
		if f.raw != nil {
			return nil, invalid(codeMissingField, "bodyRequest."+f.name, "top-level "+f.name+" is not supported: use legs")
		}
	}
	if len(req.Legs) == 0 || len(req.Legs) > 2 {
		return nil, invalid(codeMissingField, "bodyRequest.legs", "legs must hold one or two legs")
	}
	legs, bad := s.checkLegs(req.Legs)
	if bad != nil {
		return nil, bad
	}
	switch {
	case req.Currency == "":
		return nil, invalid(codeMissingField, wire.KeyCurrency, "currency is required")
	case !pricedIn(req.Currency):
		return nil, invalid(codeInvalidPax, wire.KeyCurrency, "currency not supported by sandbox")
	case req.Adults < 1:
		return nil, invalid(codeMissingField, "bodyRequest.adults", "at least one adult is required")
	case req.Children < 0 || req.Infants < 0 || req.Adults+req.Children > maxSeats:
		return nil, invalid(codeInvalidPax, "bodyRequest.adults", fmt.Sprintf("1 to %d seated passengers", maxSeats))
	case req.Infants > req.Adults:
		return nil, invalid(codeInfantsTooMany, "bodyRequest.infants", "infants cannot exceed adults")
	case !agesMatch(req.ChildrenAges, req.Children, 2, 11):
		return nil, invalid(codeInvalidPax, "bodyRequest.childrenAges", "one age from 2 to 11 per child")
	case !agesMatch(req.InfantAges, req.Infants, 0, 1):
		return nil, invalid(codeInvalidPax, "bodyRequest.infantAges", "one age under 2 per infant")
	}
	switch req.CabinClass {
	case "", wire.CabinEconomy, "PREMIUM_ECONOMY", "BUSINESS", "FIRST":
	default:
		return nil, invalid(codeMissingField, "bodyRequest.cabinClass", "unknown cabin class")
	}
	return legs, nil
}

// monthsAhead is how many months ahead the simulator searches a leg
// (B.1).
const monthsAhead = 11

func (s *Simulator) checkLegs(in []wire.Leg) ([]searchLeg, *wire.APIError) {
	now := s.cfg.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	// B.1: "leg date ≤ 11 months ahead", counted here from today in UTC.
	// The simulator states the rule itself, apart from the adapter's
	// lastSearchDate, so that a test can catch either being wrong.
	last := today.AddDate(0, monthsAhead, 0)
	var legs []searchLeg
	for i, l := range in {
		bad := func(field, msg string) *wire.APIError {
			return invalid(codeMissingField, "bodyRequest.legs", fmt.Sprintf("legs[%d].%s: %s", i, field, msg))
		}
		want := wire.Direction(i)
		d, err := time.Parse(time.DateOnly, l.Date)
		switch {
		case !isIATA(l.Origin):
			return nil, bad("origin", "an IATA airport code is required")
		case !isIATA(l.Destination) || l.Destination == l.Origin:
			return nil, bad("destination", "an IATA airport code other than the origin is required")
		case l.Direction != "" && l.Direction != want:
			return nil, bad("direction", "must be "+want)
		case err != nil:
			return nil, bad("date", "must be YYYY-MM-DD")
		case d.Before(today):
			return nil, bad("date", "is in the past")
		case d.After(last):
			return nil, bad("date", fmt.Sprintf("is more than %d months ahead", monthsAhead))
		case i == 1 && d.Before(legs[0].date):
			return nil, bad("date", "is before the outbound")
		}
		legs = append(legs, searchLeg{from: l.Origin, to: l.Destination, date: d})
	}
	return legs, nil
}

func isIATA(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func agesMatch(ages []int, n, lo, hi int) bool {
	if len(ages) != n {
		return false
	}
	for _, a := range ages {
		if a < lo || a > hi {
			return false
		}
	}
	return true
}

// journeys lists what the inventory sells for legs: one-way journeys, or
// every outbound combined with every return. Offers without enough seats
// for the party are left out, and journeys without offers. The sandbox has
// economy seats only. Prices are in cur, one of sandboxRates.
func (s *Simulator) journeys(legs []searchLeg, pax providers.Passengers, cabin, cur string) []wire.Journey {
	out := []wire.Journey{}
	if cabin != "" && cabin != wire.CabinEconomy {
		return out
	}
	var combos [][]itinerary
	outbound := s.inv.itineraries(legs[0].from, legs[0].to, legs[0].date)
	if len(legs) == 1 {
		for _, o := range outbound {
			combos = append(combos, []itinerary{o})
		}
	} else {
		inbound := s.inv.itineraries(legs[1].from, legs[1].to, legs[1].date)
		for _, o := range outbound {
			for _, in := range inbound {
				combos = append(combos, []itinerary{o, in})
			}
		}
	}
	now := s.cfg.Now()
	exp := now.Add(s.cfg.OfferTTL)
	for _, its := range combos {
		var offers []wire.Offer
		for _, fam := range families {
			if !fam.sells(its) {
				continue
			}
			q := newQuote(its, fam, pax).in(cur)
			seats := s.seats.left(q.buckets())
			if seats < pax.Seats() {
				continue
			}
			id := s.sign(newOfferToken(legs, its, q, exp))
			offers = append(offers, s.wireOffer(q, id, exp, min(seats, maxShownSeats)))
		}
		if len(offers) > 0 {
			out = append(out, s.wireJourney(s.live(its), pax, now, offers))
		}
	}
	return out
}

func newOfferToken(legs []searchLeg, its []itinerary, q quote, exp time.Time) offerToken {
	t := offerToken{Family: q.fam.name, Pax: [3]int{q.pax.Adults, q.pax.Children, q.pax.Infants},
		Total: q.total(), Expires: exp.UnixMilli(), Cur: tokenCurrency(q.cur)}
	for i, l := range legs {
		t.Legs = append(t.Legs, tokenLeg{From: l.from, To: l.to, Date: l.date.Format(time.DateOnly), Index: its[i].index})
	}
	return t
}
