package search

import (
	"time"

	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records/recordstest"
)

// testKey signs the golden ids; tokens in testdata were sealed with it.
var testKey = []byte("faregraph golden ids signing key")

func testService() *Service {
	signer, err := ids.NewSigner(testKey)
	if err != nil {
		panic(err)
	}
	return New(Config{Signer: signer, Now: func() time.Time { return recordstest.Time }})
}

// fixedResult is a stored search with every field set: a round trip on
// two providers, one of which failed.
func fixedResult() *Result {
	second := recordstest.Offer()
	second.FareType = providers.RoundTrip
	second.Parts = second.Parts[:1]
	second.PerPassenger.Child, second.PerPassenger.Infant = nil, nil
	second.Conditions = providers.Conditions{}
	return &Result{
		ID: "0123456789abcdef0123456789abcdef",
		Request: Request{Origin: "CDG", Destination: "LIS", DepartureDate: "2026-07-01", ReturnDate: "2026-07-08",
			Passengers: providers.Passengers{Adults: 2, Children: 1, Infants: 1}, Currency: "EUR", Providers: []string{"citizenplane", "liteapi"}},
		CreatedAt: recordstest.Time,
		ExpiresAt: recordstest.Time.Add(15 * time.Minute),
		Providers: []ProviderResult{
			{Provider: "citizenplane", Status: StatusOK, OfferCount: 2, LatencyMs: 120},
			{Provider: "liteapi", Status: StatusTimeout, OfferCount: 1, LatencyMs: 5000, Code: providers.Timeout, Message: "the provider did not answer in time"},
		},
		Offers: []*Offer{{Offer: recordstest.Offer()}, {Offer: second}},
	}
}
