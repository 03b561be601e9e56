package liteapi

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// rawRates is the part of a rates answer the tests check the mapping
// against, typed here independently of wire.go.
type rawRates struct {
	Data []struct {
		Journeys []struct {
			Segments []struct {
				Origin    string `json:"originCode"`
				Dest      string `json:"destinationCode"`
				Departure string `json:"departureTime"`
				Arrival   string `json:"arrivalTime"`
				Direction string `json:"direction"`
				Flight    struct {
					Number string `json:"marketingNumber"`
				} `json:"flight"`
				Carrier struct {
					Code      string `json:"marketingCode"`
					Operating string `json:"operatingCode"`
				} `json:"carrier"`
			} `json:"segments"`
			Offers []struct {
				OfferID    string `json:"offerId"`
				Expiration string `json:"expiration"`
				Pricing    struct {
					Display struct {
						Total        json.Number `json:"total"`
						Base         json.Number `json:"base"`
						Taxes        json.Number `json:"taxes"`
						Fees         json.Number `json:"fees"`
						Currency     string      `json:"currency"`
						PerPassenger map[string]struct {
							Taxes json.Number `json:"taxes"`
							Fees  json.Number `json:"fees"`
							Total json.Number `json:"total"`
						} `json:"perPassenger"`
					} `json:"display"`
				} `json:"pricing"`
				Fare struct {
					SeatsRemaining int    `json:"seatsRemaining"`
					Family         string `json:"family"`
				} `json:"fare"`
				Terms struct {
					Changeable bool `json:"changeable"`
					Refundable bool `json:"refundable"`
					Summary    []struct {
						Message string `json:"message"`
					} `json:"summary"`
					ChangeFee *struct {
						Pricing struct {
							Display struct {
								Amount json.Number `json:"amount"`
							} `json:"display"`
						} `json:"pricing"`
						Label string `json:"label"`
					} `json:"changeFee"`
					RefundFee *struct {
						Percent json.Number `json:"percent"`
						Label   string      `json:"label"`
					} `json:"refundFee"`
				} `json:"terms"`
				Baggage struct {
					Included []struct {
						BagType       string `json:"bagType"`
						Description   string `json:"description"`
						PassengerType string `json:"passengerType"`
						Pieces        int    `json:"pieces"`
						WeightKg      int    `json:"weightKg"`
						Size          string `json:"size"`
					} `json:"included"`
				} `json:"baggage"`
				SegmentFares []struct {
					Cabin string `json:"cabin"`
				} `json:"segmentFares"`
			} `json:"offers"`
		} `json:"journeys"`
	} `json:"data"`
}

func TestSearchMapsEveryField(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 7})
	pax := providers.Passengers{Adults: 2, Children: 1, Infants: 1}
	q := providers.Query{OriginDestination: leg("CDG", "PMI", "2026-07-01"), Passengers: pax, Currency: "EUR"}

	offers, err := env.client.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	// The same request, raw: the oracle for every mapped field.
	status, body := post(t, env.srv.URL+wire.RatesPath, testKey, newRatesRequest([]providers.OriginDestination{q.OriginDestination}, pax, "EUR"))
	if status != 200 {
		t.Fatalf("raw rates: HTTP %d %s", status, body)
	}
	var raw rawRates
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}

	i, multi := 0, false
	for _, j := range raw.Data[0].Journeys {
		for _, o := range j.Offers {
			if i >= len(offers) {
				t.Fatalf("got %d offers, the answer has more", len(offers))
			}
			got := offers[i]
			i++
			d := o.Pricing.Display
			wantPP := providers.PassengerPrice{
				Adult:  providers.Money{Amount: cents(t, d.PerPassenger["adult"].Total), Currency: "EUR"},
				Child:  &providers.Money{Amount: cents(t, d.PerPassenger["child"].Total), Currency: "EUR"},
				Infant: &providers.Money{Amount: cents(t, d.PerPassenger["infant"].Total), Currency: "EUR"},
			}
			total := providers.Money{Amount: cents(t, d.Total), Currency: "EUR"}
			taxes := providers.Money{Amount: cents(t, d.Taxes) + cents(t, d.Fees), Currency: "EUR"}
			var segs []providers.Segment
			for _, s := range j.Segments {
				segs = append(segs, providers.Segment{
					CarrierCode: s.Carrier.Code, FlightNumber: s.Flight.Number, Origin: s.Origin, Destination: s.Dest,
					DepartureAt: parseWant(t, s.Departure+"+02:00"), ArrivalAt: parseWant(t, s.Arrival+"+02:00"),
					OperatingCarrierCode: s.Carrier.Operating,
				})
			}
			multi = multi || len(segs) > 1
			perTax := func(typ string) int64 {
				return cents(t, d.PerPassenger[typ].Taxes) + cents(t, d.PerPassenger[typ].Fees)
			}
			eur := func(a int64) *providers.Money { return &providers.Money{Amount: a, Currency: "EUR"} }
			conds := providers.Conditions{Refundable: o.Terms.Refundable, Changeable: o.Terms.Changeable}
			for _, m := range o.Terms.Summary {
				conds.Notes = append(conds.Notes, m.Message)
			}
			if f := o.Terms.ChangeFee; f != nil {
				conds.ChangeFee = &providers.Penalty{Amount: eur(cents(t, f.Pricing.Display.Amount)), Label: f.Label}
			}
			if f := o.Terms.RefundFee; f != nil {
				conds.RefundFee = &providers.Penalty{Percent: f.Percent.String(), Label: f.Label}
			}
			fare := providers.Fare{Brand: o.Fare.Family, Conditions: conds, Baggage: []providers.BaggageAllowance{}}
			if len(o.SegmentFares) > 0 && o.SegmentFares[0].Cabin == "Economy" {
				fare.Cabin = providers.Economy
			}
			for _, b := range o.Baggage.Included {
				kind := map[string]providers.BagKind{"cabin": providers.CabinBagKind, "checked": providers.CheckedBagKind}[b.BagType]
				typ := map[string]providers.PassengerType{"ADT": providers.Adult, "CHD": providers.Child}[b.PassengerType]
				fare.Baggage = append(fare.Baggage, providers.BaggageAllowance{Kind: kind, PassengerTypes: []providers.PassengerType{typ},
					Pieces: b.Pieces, WeightKg: b.WeightKg, Dimensions: b.Size, Description: b.Description})
			}
			want := providers.Offer{
				FareType: providers.OneWay,
				Slices:   []providers.Slice{{Segments: segs}},
				Parts: []providers.Part{{Provider: Name, Ref: o.OfferID, FareType: providers.OneWay,
					OriginDestinations: []providers.OriginDestination{q.OriginDestination}, Passengers: pax, Total: total, Taxes: taxes,
					PerPassenger:   wantPP,
					PassengerTaxes: providers.PassengerPrice{Adult: *eur(perTax("adult")), Child: eur(perTax("child")), Infant: eur(perTax("infant"))},
					Fare:           fare}},
				Total:          total,
				PerPassenger:   wantPP,
				SeatsAvailable: o.Fare.SeatsRemaining,
				Conditions:     conds,
				ExpiresAt:      testNow.Add(litesim.DefaultOfferTTL),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("offer %d (-want +got)\n%s", i-1, diff)
			}
			// Per-person prices add up to the total; base+taxes do not (markup).
			sum := wantPP.Adult.Amount*2 + wantPP.Child.Amount + wantPP.Infant.Amount
			if sum != total.Amount {
				t.Errorf("offer %d: per-passenger sum %d != total %d", i-1, sum, total.Amount)
			}
			if cents(t, d.Base)+cents(t, d.Taxes)+cents(t, d.Fees) >= total.Amount {
				t.Errorf("offer %d: base+taxes+fees %s+%s+%s not below total %s", i-1, d.Base, d.Taxes, d.Fees, d.Total)
			}
			// Taxes and fees are both stated, and are the party's per-person ones.
			if cents(t, d.Taxes) <= 0 || cents(t, d.Fees) <= 0 {
				t.Errorf("offer %d: taxes %s fees %s, want both", i-1, d.Taxes, d.Fees)
			}
			if sum := 2*perTax("adult") + perTax("child") + perTax("infant"); sum != taxes.Amount {
				t.Errorf("offer %d: per-passenger taxes and fees sum to %d, the offer's to %d", i-1, sum, taxes.Amount)
			}
			// cmp compares instants; the offsets must be the airports' own.
			for _, sl := range got.Slices {
				for _, s := range sl.Segments {
					checkZone(t, s.DepartureAt, s.Origin, 2*3600)
					checkZone(t, s.ArrivalAt, s.Destination, 2*3600)
				}
			}
		}
	}
	if i != len(offers) || i < 3 {
		t.Errorf("mapped %d offers of %d in the answer", len(offers), i)
	}
	if !multi {
		t.Error("no journey with a connection: slices with several segments are untested")
	}
}

// checkZone asserts that at is in airport's time zone with offset seconds east of UTC.
func checkZone(t *testing.T, at time.Time, airport string, offset int) {
	t.Helper()
	_, off := at.Zone()
	if loc := providers.AirportLocation(airport); at.Location() != loc || off != offset {
		t.Errorf("%s time %s: zone %s offset %d, want %s offset %d", airport, at, at.Location(), off, loc, offset)
	}
}

func cents(t *testing.T, n json.Number) int64 {
	t.Helper()
	m, err := providers.MoneyFromJSON(n, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return m.Amount
}

func parseWant(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSearchLocalTimes(t *testing.T) {
	const summer, winter = "2026-07-01", "2026-11-20"
	tests := []struct {
		name    string
		leg     providers.OriginDestination
		offsets map[string]int // airport → seconds east of UTC on that day
	}{
		{"CDG-PMI summer", leg("CDG", "PMI", summer), map[string]int{"CDG": 7200, "PMI": 7200, "MAD": 7200, "BCN": 7200}},
		{"CDG-PMI winter", leg("CDG", "PMI", winter), map[string]int{"CDG": 3600, "PMI": 3600, "MAD": 3600, "BCN": 3600}},
		{"ORY-LIS summer", leg("ORY", "LIS", summer), map[string]int{"ORY": 7200, "MAD": 7200, "LIS": 3600}},
		{"LIS-ORY winter", leg("LIS", "ORY", winter), map[string]int{"ORY": 3600, "MAD": 3600, "LIS": 0}},
	}
	env := newSimEnv(t, litesim.Config{Seed: 3})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: tt.leg, Passengers: providers.Passengers{Adults: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if len(offers) == 0 {
				t.Fatal("no offers")
			}
			for _, o := range offers {
				for _, s := range o.Slices[0].Segments {
					checkZone(t, s.DepartureAt, s.Origin, tt.offsets[s.Origin])
					checkZone(t, s.ArrivalAt, s.Destination, tt.offsets[s.Destination])
					if d := s.ArrivalAt.Sub(s.DepartureAt); d < 50*time.Minute || d > 3*time.Hour {
						t.Errorf("%s%s: flies %s", s.CarrierCode, s.FlightNumber, d)
					}
				}
			}
		})
	}
}

// TestSearchScheduledTimes pins one flight across a time-zone line: TAP 441
// leaves Orly at 07:00 Paris time and lands in Lisbon at 08:25 Lisbon time,
// 2 h 25 min later.
func TestSearchScheduledTimes(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 3})
	found := false
	for day := 1; day <= 14 && !found; day++ {
		date := providers.Date(time.Date(2026, 7, day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
		offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: leg("ORY", "LIS", date), Passengers: providers.Passengers{Adults: 1}})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range offers {
			s := o.Slices[0].Segments[0]
			if s.CarrierCode+s.FlightNumber != "TP441" {
				continue
			}
			found = true
			want := providers.Segment{CarrierCode: "TP", FlightNumber: "441", Origin: "ORY", Destination: "LIS",
				DepartureAt: parseWant(t, string(date)+"T07:00:00+02:00"), ArrivalAt: parseWant(t, string(date)+"T08:25:00+01:00"),
				OperatingCarrierCode: "TP"}
			if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if got := s.ArrivalAt.Format(time.RFC3339); got != string(date)+"T08:25:00+01:00" {
				t.Errorf("arrival %s", got)
			}
		}
	}
	if !found {
		t.Fatal("TP441 did not operate in two weeks")
	}
}

func TestSearchRoundTrips(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 11})
	pax := providers.Passengers{Adults: 1, Children: 1}
	out, back := leg("CDG", "BCN", "2026-07-01"), leg("BCN", "CDG", "2026-07-08")
	q := providers.RoundTripQuery{Outbound: out, Return: back, Passengers: pax}

	offers, err := env.client.SearchRoundTrips(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(offers) < 9 {
		t.Fatalf("%d round-trip offers, want every outbound with every return", len(offers))
	}
	cheapestRT := offers[0].Total.Amount
	for i, o := range offers {
		if o.FareType != providers.RoundTrip || len(o.Slices) != 2 || len(o.Parts) != 1 {
			t.Fatalf("offer %d: fare type %s, %d slices, %d parts", i, o.FareType, len(o.Slices), len(o.Parts))
		}
		p := o.Parts[0]
		// Taxes and fees as the simulator splits each person's price.
		_, at, af := litesim.Split(o.PerPassenger.Adult.Amount)
		_, ct, cf := litesim.Split(o.PerPassenger.Child.Amount)
		taxes := providers.Money{Amount: at + af + ct + cf, Currency: "EUR"}
		if taxes.Amount <= 0 || taxes.Amount >= o.Total.Amount {
			t.Errorf("offer %d: taxes %s, want some below the total %s", i, taxes, o.Total)
		}
		paxTaxes := providers.PassengerPrice{Adult: providers.Money{Amount: at + af, Currency: "EUR"}, Child: &providers.Money{Amount: ct + cf, Currency: "EUR"}}
		// The fare detail's mapping is TestSearchMapsEveryField's; here it is there.
		if p.Fare.Cabin != providers.Economy || (p.Fare.Brand != "Basic" && p.Fare.Brand != "Flex") || len(p.Fare.Baggage) == 0 {
			t.Errorf("offer %d: fare %+v", i, p.Fare)
		}
		if diff := cmp.Diff(providers.Part{Provider: Name, Ref: p.Ref, FareType: providers.RoundTrip,
			OriginDestinations: []providers.OriginDestination{out, back}, Passengers: pax, Total: o.Total, Taxes: taxes,
			PerPassenger: o.PerPassenger, PassengerTaxes: paxTaxes, Fare: p.Fare}, p); diff != "" || p.Ref == "" {
			t.Errorf("offer %d part (-want +got)\n%s", i, diff)
		}
		if o.Slices[0].Origin() != "CDG" || o.Slices[0].Destination() != "BCN" ||
			o.Slices[1].Origin() != "BCN" || o.Slices[1].Destination() != "CDG" {
			t.Errorf("offer %d: slices %s-%s, %s-%s", i, o.Slices[0].Origin(), o.Slices[0].Destination(),
				o.Slices[1].Origin(), o.Slices[1].Destination())
		}
		if o.PerPassenger.Child == nil || o.PerPassenger.Infant != nil {
			t.Errorf("offer %d: per passenger %+v", i, o.PerPassenger)
		}
		cheapestRT = min(cheapestRT, o.Total.Amount)
	}

	// A round trip costs less than its two one-ways.
	cheapest := func(l providers.OriginDestination) int64 {
		ow, err := env.client.Search(context.Background(), providers.Query{OriginDestination: l, Passengers: pax})
		if err != nil || len(ow) == 0 {
			t.Fatalf("one way %v: %d offers, %v", l, len(ow), err)
		}
		m := ow[0].Total.Amount
		for _, o := range ow {
			m = min(m, o.Total.Amount)
		}
		return m
	}
	if sum := cheapest(out) + cheapest(back); cheapestRT >= sum {
		t.Errorf("cheapest round trip %d, cheapest one-ways %d", cheapestRT, sum)
	}
}
