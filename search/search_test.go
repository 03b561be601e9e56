package search

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/rules"
)

var now = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

func TestNormalize(t *testing.T) {
	known := []string{"citizenplane", "liteapi"}
	ok := Request{Origin: "cdg", Destination: " pmi", DepartureDate: "2026-07-01", Passengers: providers.Passengers{Adults: 1}}
	got, err := Normalize(ok, known, now)
	if err != nil || got.Origin != "CDG" || got.Destination != "PMI" || got.Currency != "EUR" || len(got.Providers) != 2 {
		t.Fatalf("Normalize(ok) = %+v, %v", got, err)
	}
	for _, tt := range []struct {
		name  string
		mod   func(*Request)
		field string
	}{
		{"origin not three letters", func(r *Request) { r.Origin = "CDGX" }, "input.origin"},
		{"origin with digits", func(r *Request) { r.Origin = "C1G" }, "input.origin"},
		{"destination equals origin", func(r *Request) { r.Destination = "CDG" }, "input.destination"},
		{"past date", func(r *Request) { r.DepartureDate = "2026-05-31" }, "input.departureDate"},
		{"bad date", func(r *Request) { r.DepartureDate = "2026-02-30" }, "input.departureDate"},
		{"too far", func(r *Request) { r.DepartureDate = "2027-06-02" }, "input.departureDate"},
		{"return before departure", func(r *Request) { r.ReturnDate = "2026-06-30" }, "input.returnDate"},
		{"no adults", func(r *Request) { r.Passengers = providers.Passengers{Children: 1} }, "input.passengers.adults"},
		{"negative children", func(r *Request) { r.Passengers.Children = -1 }, "input.passengers.children"},
		{"ten travellers", func(r *Request) { r.Passengers = providers.Passengers{Adults: 5, Children: 5} }, "input.passengers"},
		{"more infants than adults", func(r *Request) { r.Passengers = providers.Passengers{Adults: 1, Infants: 2} }, "input.passengers.infants"},
		{"unknown currency", func(r *Request) { r.Currency = "ABC" }, "input.currencyCode"},
		{"unknown provider", func(r *Request) { r.Providers = []string{"liteapi", "sabre"} }, "input.providers.1"},
		{"provider twice", func(r *Request) { r.Providers = []string{"liteapi", "LiteAPI"} }, "input.providers.1"},
		{"empty provider list", func(r *Request) { r.Providers = []string{} }, "input.providers"},
		{"children overflow the sum", func(r *Request) { r.Passengers = providers.Passengers{Adults: 1, Children: math.MaxInt} }, "input.passengers.children"},
		{"adults overflow the sum", func(r *Request) { r.Passengers = providers.Passengers{Adults: math.MaxInt, Children: 1} }, "input.passengers.adults"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.mod(&r)
			_, err := Normalize(r, known, now)
			var fe *fault.FieldError
			if !errors.As(err, &fe) || fault.Dotted(fe.Violations[0].Field) != tt.field {
				t.Errorf("err = %v, want a violation of %s", err, tt.field)
			}
		})
	}
	nine := ok
	nine.Passengers = providers.Passengers{Adults: 4, Children: 3, Infants: 2}
	if _, err := Normalize(nine, known, now); err != nil {
		t.Errorf("nine travellers refused: %v", err)
	}
}

func offer(provider string, from, to string, dep time.Time, amount int64, currency string) providers.Offer {
	return providers.Offer{
		FareType:       providers.OneWay,
		Slices:         []providers.Slice{{Segments: []providers.Segment{{Origin: from, Destination: to, DepartureAt: dep, ArrivalAt: dep.Add(2 * time.Hour)}}}},
		Parts:          []providers.Part{{Provider: provider, Ref: provider + from, FareType: providers.OneWay, OriginDestinations: []providers.OriginDestination{{Origin: from, Destination: to}}, Total: providers.Money{Amount: amount, Currency: currency}}},
		Total:          providers.Money{Amount: amount, Currency: currency},
		PerPassenger:   providers.PassengerPrice{Adult: providers.Money{Amount: amount, Currency: currency}},
		SeatsAvailable: int(amount % 10),
		ExpiresAt:      dep,
	}
}

func TestCombine(t *testing.T) {
	day := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	out := []providers.Offer{offer("a", "CDG", "PMI", day, 10000, "EUR"), offer("b", "CDG", "PMI", day.Add(time.Hour), 9000, "EUR"), offer("c", "CDG", "PMI", day, 1000, "USD")}
	ret := []providers.Offer{
		offer("a", "PMI", "CDG", day.Add(270*time.Minute), 5000, "EUR"), // 12:30: 2h30 after a lands, too soon after b (11:00)
		offer("b", "PMI", "CDG", day.Add(48*time.Hour), 7000, "EUR"),
	}
	sellable := func(o providers.Offer) bool {
		return rules.Itinerary(o, rules.Defaults(), day.Add(-24*time.Hour)) == nil
	}
	got := combine(out, ret, "EUR", sellable)
	if len(got) != 3 {
		t.Fatalf("%d combinations, want 3 (a+a, a+b, b+b): %+v", len(got), got)
	}
	first := got[0]
	if first.FareType != providers.CombinedOneWays || first.Total.Amount != 15000 || first.Parts[0].Provider != "a" || first.Parts[1].Provider != "a" {
		t.Errorf("cheapest = %+v", first)
	}
	for _, c := range got {
		if c.Total.Currency != "EUR" || len(c.Slices) != 2 || len(c.Parts) != 2 {
			t.Errorf("bad combination %+v", c)
		}
		if c.Slices[1].DepartureAt().Before(c.Slices[0].ArrivalAt().Add(rules.DefaultMinSelfTransfer)) {
			t.Errorf("return leaves %s, before the outbound lands + 2h (%s)", c.Slices[1].DepartureAt(), c.Slices[0].ArrivalAt())
		}
	}
	if got[1].Parts[0].Provider != "b" || got[1].Parts[1].Provider != "b" || got[1].Total.Amount != 16000 {
		t.Errorf("second = %+v", got[1])
	}
	if got[2].Parts[0].Provider != "a" || got[2].Parts[1].Provider != "b" {
		t.Errorf("cross-provider combination missing: %+v", got[2])
	}
}

func TestAncillaryIDKeepsEverything(t *testing.T) {
	signer, _ := ids.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	s := New(Config{Signer: signer})
	part := providers.Part{Provider: "citizenplane", Ref: "42"}
	a := providers.Ancillary{Ref: "42:checked:20", Kind: providers.CheckedBag, Description: "Checked bag 20 kg", Price: providers.Money{Amount: 2550, Currency: "EUR"}, WeightKg: 20, Segment: "5O1"}
	id, err := s.AncillaryID(part, a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.DecodeAncillary(id)
	if err != nil || got.Provider != "citizenplane" || got.PartRef != "42" || got.Ancillary != a {
		t.Errorf("DecodeAncillary = %+v, %v", got, err)
	}
}
