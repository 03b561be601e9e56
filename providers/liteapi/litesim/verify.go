package litesim

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// Verify error codes (B.2).
const (
	codeMissingOfferID = 42001
	codeInvalidOfferID = 42013
	codeOfferExpired   = 42004
	codeOfferNotFound  = 42018
)

func (s *Simulator) verify(w http.ResponseWriter, r incoming) {
	var req wire.VerifyRequest
	if err := json.Unmarshal(r.body, &req); err != nil {
		writeError(w, http.StatusBadRequest, wire.APIError{Code: codeBadRequest, Message: "Invalid JSON body"})
		return
	}
	if req.OfferID == "" {
		writeError(w, http.StatusBadRequest, *invalid(codeMissingOfferID, "bodyRequest.offerId", "offerId is required"))
		return
	}
	var tok offerToken
	if !s.open(req.OfferID, &tok) {
		writeError(w, http.StatusBadRequest, *invalid(codeInvalidOfferID, "bodyRequest.offerId", "offerId is not a valid offer id"))
		return
	}
	now := s.cfg.Now()
	exp := time.UnixMilli(tok.Expires)
	if !now.Before(exp) {
		writeError(w, http.StatusNotFound, wire.APIError{Code: codeOfferExpired, Message: "Offer expired", Description: "search again"})
		return
	}
	q, ok := s.requote(tok)
	if !ok {
		writeError(w, http.StatusNotFound, wire.APIError{Code: codeOfferNotFound, Message: "Offer not found"})
		return
	}
	seats := s.seats.left(q.buckets())
	if seats < q.pax.Seats() {
		writeError(w, http.StatusNotFound, wire.APIError{Code: codeOfferNotFound, Message: "Offer not found", Description: "sold out"})
		return
	}
	shown := min(seats, maxShownSeats)
	j := wire.VerifiedJourney{
		JourneyKey:   s.inv.journeyKey(q.its),
		Expiration:   exp.UTC().Format(wire.InstantLayout),
		Timestamp:    now.UTC().Format(wire.InstantLayout),
		Provider:     &wire.Supplier{Code: sandboxSupplier},
		Pricing:      q.pricing(),
		Baggage:      q.baggage(s.paidBagID(q)),
		Fare:         q.fare(shown),
		Passengers:   &wire.PaxCounts{Adults: q.pax.Adults, Children: q.pax.Children, Infants: q.pax.Infants},
		Segments:     quote{its: s.live(q.its)}.segments(),
		SegmentFares: q.segmentFares(shown),
		Terms:        q.terms(),
	}
	writeJSON(w, http.StatusOK, wire.VerifyResponse{Data: []wire.VerifyData{{
		Journey: j,
		Changes: &wire.Changes{PriceChanged: q.total() != tok.Total},
	}}})
}

// requote rebuilds an offer's quote from the inventory, in the currency it
// was searched in; false when the journey or fare no longer exists.
func (s *Simulator) requote(tok offerToken) (quote, bool) {
	fam, ok := familyNamed(tok.Family)
	if !ok || len(tok.Legs) == 0 || len(tok.Legs) > 2 {
		return quote{}, false
	}
	var its []itinerary
	for _, l := range tok.Legs {
		d, err := time.Parse(time.DateOnly, l.Date)
		if err != nil {
			return quote{}, false
		}
		day := s.inv.itineraries(l.From, l.To, d)
		if l.Index < 0 || l.Index >= len(day) {
			return quote{}, false
		}
		its = append(its, day[l.Index])
	}
	if !fam.sells(its) {
		return quote{}, false
	}
	if !pricedIn(tok.currency()) {
		return quote{}, false
	}
	pax := providers.Passengers{Adults: tok.Pax[0], Children: tok.Pax[1], Infants: tok.Pax[2]}
	return newQuote(its, fam, pax).in(tok.currency()), true
}

// serviceToken is what the simulator's serviceIds carry: a paid bag
// (BagType, WeightKg) for the whole journey, or a seat (Kind "seat") on one
// segment. The seat fields are left out of bag ids, so those are the same
// as before seats existed, and so is the currency when it is EUR.
type serviceToken struct {
	Journey  string `json:"j"`
	BagType  string `json:"b"`
	WeightKg int    `json:"w"`
	Price    int64  `json:"p"` // minor units of the currency per unit
	Kind     string `json:"k,omitempty"`
	Segment  string `json:"s,omitempty"` // segmentKey
	Seat     string `json:"n,omitempty"` // "12A"
	Cur      string `json:"c,omitempty"` // empty for EUR
}

// tokenCurrency is cur as tokens carry it: empty for EUR.
func tokenCurrency(cur string) string {
	if cur == wire.DefaultCurrency {
		return ""
	}
	return cur
}

// paidBagID is the serviceId of the paid 23 kg checked bag of q's journey,
// the same on verify and on prebooks.
func (s *Simulator) paidBagID(q quote) string {
	return s.sign(serviceToken{Journey: s.inv.journeyKey(q.its), BagType: "checked", WeightKg: paidBagKg, Price: q.bagFee,
		Cur: tokenCurrency(q.cur)})
}

// paidBagKg is the weight of the paid checked bag.
const paidBagKg = 23
