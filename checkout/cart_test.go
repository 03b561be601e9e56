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

// TestCartLinesPerPassengerType: a part whose per-passenger prices add up
// to its price is one flight line per passenger type (quantity the
// passengers of the type, unit their fare without taxes, tax theirs); a
// converted part is charged at its converted prices.
func TestCartLinesPerPassengerType(t *testing.T) {
	m := func(a int64, c string) providers.Money { return providers.Money{Amount: a, Currency: c} }
	mp := func(a int64, c string) *providers.Money { x := m(a, c); return &x }
	at := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	seg := func(from, to string) providers.Segment {
		return providers.Segment{CarrierCode: "VY", FlightNumber: "1", Origin: from, Destination: to, DepartureAt: at, ArrivalAt: at.Add(2 * time.Hour)}
	}
	px := providers.Passengers{Adults: 2, Children: 1, Infants: 1}
	usd := providers.Part{Provider: "liteapi", OriginDestinations: []providers.OriginDestination{{}}, Passengers: px,
		Total: m(2*10000+7500+1000, "USD"), Taxes: m(2*3000+2200+300, "USD"),
		PerPassenger:   providers.PassengerPrice{Adult: m(10000, "USD"), Child: mp(7500, "USD"), Infant: mp(1000, "USD")},
		PassengerTaxes: providers.PassengerPrice{Adult: m(3000, "USD"), Child: mp(2200, "USD"), Infant: mp(300, "USD")}}
	eur := providers.Part{Provider: "citizenplane", OriginDestinations: []providers.OriginDestination{{}}, Passengers: px,
		Total: m(3*8999+2500, "EUR"), Taxes: m(3*1320, "EUR"),
		PerPassenger:   providers.PassengerPrice{Adult: m(8999, "EUR"), Child: mp(8999, "EUR"), Infant: mp(2500, "EUR")},
		PassengerTaxes: providers.PassengerPrice{Adult: m(1320, "EUR"), Child: mp(1320, "EUR"), Infant: mp(0, "EUR")}}
	eur.Converted = &providers.Converted{Conversion: providers.Conversion{From: "EUR", To: "USD", Rate: "1.100000", Source: providers.RateECB, Date: "2026-11-27"},
		Prices: providers.Prices{Total: m(3*9899+2750, "USD"), Taxes: m(4356, "USD"),
			PerPassenger:   providers.PassengerPrice{Adult: m(9899, "USD"), Child: mp(9899, "USD"), Infant: mp(2750, "USD")},
			PassengerTaxes: providers.PassengerPrice{Adult: m(1452, "USD"), Child: mp(1452, "USD"), Infant: mp(0, "USD")}}}
	offer := providers.Offer{
		Slices: []providers.Slice{{Segments: []providers.Segment{seg("CDG", "PMI")}}, {Segments: []providers.Segment{seg("PMI", "CDG")}}},
		Parts:  []providers.Part{usd, eur},
		Total:  m(usd.Total.Amount+eur.Converted.Total.Amount, "USD"),
	}
	items, parts, total := cart(offer, nil)
	type line struct {
		name            string
		qty             int
		unit, tax, line int64
	}
	var got []line
	for _, it := range items {
		if it.Currency != "USD" || it.ProductType != "FLIGHT" || it.UnitAmount*int64(it.Quantity)-it.Discount+it.Tax != it.Total {
			t.Errorf("item %+v", it)
		}
		got = append(got, line{it.Name, it.Quantity, it.UnitAmount, it.Tax, it.Total})
	}
	want := []line{
		{"Flight CDG→PMI 2026-07-01, adult", 2, 7000, 6000, 20000},
		{"Flight CDG→PMI 2026-07-01, child", 1, 5300, 2200, 7500},
		{"Flight CDG→PMI 2026-07-01, infant", 1, 700, 300, 1000},
		{"Flight PMI→CDG 2026-07-01, adult", 2, 8447, 2904, 19798},
		{"Flight PMI→CDG 2026-07-01, child", 1, 8447, 1452, 9899},
		{"Flight PMI→CDG 2026-07-01, infant", 1, 2750, 0, 2750},
	}
	if len(got) != len(want) {
		t.Fatalf("lines %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if total != offer.Total || parts[0].Amount != usd.Total.Amount || parts[1].Amount != eur.Converted.Total.Amount {
		t.Errorf("total %s, part amounts %+v", total, parts)
	}

	// Per-passenger prices that do not add up: one line for the part.
	odd := usd
	odd.Total.Amount++
	items, _, total = cart(providers.Offer{Slices: offer.Slices[:1], Parts: []providers.Part{odd}, Total: odd.Total}, nil)
	if len(items) != 1 || items[0].Quantity != 1 || items[0].Total != odd.Total.Amount || items[0].Tax != odd.Taxes.Amount || total != odd.Total {
		t.Errorf("odd part: %+v", items)
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
