package liteapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/faregraph/faregraph/providers"
)

// Verify error codes (B.2).
const (
	codeMissingOfferID = 42001
	codeInvalidOfferID = 42013
	codeOfferExpired   = 42004
	codeOfferNotFound  = 42018
)

func (s *Simulator) verify(w http.ResponseWriter, body []byte) {
	var req verifyRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, apiError{Code: codeBadRequest, Message: "Invalid JSON body"})
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
		writeError(w, http.StatusNotFound, apiError{Code: codeOfferExpired, Message: "Offer expired", Description: "search again"})
		return
	}
	q, ok := s.requote(tok)
	if !ok {
		writeError(w, http.StatusNotFound, apiError{Code: codeOfferNotFound, Message: "Offer not found"})
		return
	}
	seats := s.seats.left(q.buckets())
	if seats < q.pax.Seats() {
		writeError(w, http.StatusNotFound, apiError{Code: codeOfferNotFound, Message: "Offer not found", Description: "sold out"})
		return
	}
	j := verifiedJourney{
		JourneyKey:   s.inv.journeyKey(q.its),
		Expiration:   exp.UTC().Format(instantLayout),
		Timestamp:    now.UTC().Format(instantLayout),
		Provider:     &supplier{Code: sandboxSupplier},
		Pricing:      q.pricing(),
		Baggage:      q.baggage(s.sign(serviceToken{Journey: s.inv.journeyKey(q.its), BagType: "checked", WeightKg: 23, Price: q.bagFee})),
		Fare:         q.fare(seats),
		Passengers:   &paxCounts{Adults: q.pax.Adults, Children: q.pax.Children, Infants: q.pax.Infants},
		Segments:     q.segments(),
		SegmentFares: q.segmentFares(seats),
		Terms:        q.terms(),
	}
	writeJSON(w, http.StatusOK, verifyResponse{Data: []verifyData{{
		Journey: j,
		Changes: &changes{PriceChanged: q.total() != tok.Total},
	}}})
}

// requote rebuilds an offer's quote from the inventory; false when the
// journey or fare no longer exists.
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
	return newQuote(its, fam, providers.Passengers{Adults: tok.Pax[0], Children: tok.Pax[1], Infants: tok.Pax[2]}), true
}

// serviceToken is what the simulator's baggage serviceId carries.
type serviceToken struct {
	Journey  string `json:"j"`
	BagType  string `json:"b"`
	WeightKg int    `json:"w"`
	Price    int64  `json:"p"` // EUR cents per passenger
}
