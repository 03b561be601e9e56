package checkout

import (
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
