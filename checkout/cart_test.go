package checkout

import (
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers"
)

func TestCartAndAddendumSumExactly(t *testing.T) {
	eur := func(a int64) providers.Money { return providers.Money{Amount: a, Currency: "EUR"} }
	seg := func(from, to string) providers.Segment {
		return providers.Segment{CarrierCode: "VY", FlightNumber: "1", Origin: from, Destination: to, DepartureAt: time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC), ArrivalAt: time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)}
	}
	offer := providers.Offer{
		Slices: []providers.Slice{{Segments: []providers.Segment{seg("CDG", "MAD"), seg("MAD", "PMI")}}, {Segments: []providers.Segment{seg("PMI", "CDG")}}},
		Parts: []providers.Part{
			{Provider: "liteapi", OriginDestinations: []providers.OriginDestination{{}}, Total: eur(10001), Taxes: eur(3337)},
			{Provider: "citizenplane", OriginDestinations: []providers.OriginDestination{{}}, Total: eur(8999), Taxes: eur(9999)}, // taxes above total: ignored
		},
		Total: eur(19000),
	}
	sels := []Selection{{PartIndex: 1, Quantity: 2, Ancillary: providers.Ancillary{Kind: providers.CheckedBag, Description: "Bag", Price: eur(2550)}}}
	items, parts, total := cart(offer, sels)
	var sum int64
	for _, it := range items {
		if it.UnitAmount*int64(it.Quantity)-it.Discount+it.Tax != it.Total {
			t.Errorf("item %q: %d × %d − %d + %d ≠ %d", it.Name, it.UnitAmount, it.Quantity, it.Discount, it.Tax, it.Total)
		}
		sum += it.Total
	}
	if sum != total.Amount || total.Amount != 19000+5100 || items[0].Tax != 3337 || items[1].Tax != 0 {
		t.Errorf("items %+v total %d", items, total.Amount)
	}
	if parts[1].Amount != 8999+5100 {
		t.Errorf("part amounts %+v", parts)
	}
	a := addendum(offer)
	var fare, tax int64
	for _, l := range a.Legs[:2] {
		fare += l.FareAmount
		tax += l.TaxAmount
	}
	if len(a.Legs) != 3 || fare != 10001-3337 || tax != 3337 || a.Legs[2].FareAmount != 8999 {
		t.Errorf("legs %+v", a.Legs)
	}
}

// TestCartLinesNameTheSliceAndPassenger: the same bag bought for the way
// out and the way back of a round-trip fare is two lines that name their
// slice, and the passenger as the client indexed it (passengers[0]).
func TestCartLinesNameTheSliceAndPassenger(t *testing.T) {
	eur := func(a int64) providers.Money { return providers.Money{Amount: a, Currency: "EUR"} }
	at := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	seg := func(num, from, to string) providers.Segment {
		return providers.Segment{CarrierCode: "VY", FlightNumber: num, Origin: from, Destination: to, DepartureAt: at, ArrivalAt: at.Add(2 * time.Hour)}
	}
	offer := providers.Offer{
		Slices: []providers.Slice{
			{Segments: []providers.Segment{seg("1", "CDG", "PMI")}},
			{Segments: []providers.Segment{seg("2", "PMI", "MAD"), seg("3", "MAD", "CDG")}},
		},
		Parts: []providers.Part{{Provider: "liteapi", OriginDestinations: []providers.OriginDestination{{}, {}}, Total: eur(20000)}},
		Total: eur(20000),
	}
	bag := func(segment string, passenger int) Selection {
		return Selection{Quantity: 1, PassengerIndex: passenger, Ancillary: providers.Ancillary{Kind: providers.CheckedBag, Description: "Checked bag 20 kg", Price: eur(2550), Segment: segment}}
	}
	items, _, _ := cart(offer, []Selection{bag("VY1", 0), bag("VY2", 0), bag("VY3", 1), bag("", 1)})
	var got []string
	for _, it := range items[1:] {
		got = append(got, it.Name)
	}
	want := []string{
		"Checked bag 20 kg, CDG–PMI (passengers[0])",
		"Checked bag 20 kg, PMI–MAD VY2 (passengers[0])",
		"Checked bag 20 kg, MAD–CDG VY3 (passengers[1])",
		"Checked bag 20 kg, CDG–PMI, PMI–CDG (passengers[1])",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cart lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
