package liteapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// validRates is a one-adult CDG→PMI search; cases change one field.
func validRates() map[string]any {
	return map[string]any{
		"legs":   []any{map[string]any{"origin": "CDG", "destination": "PMI", "date": "2026-07-01", "direction": "OUTBOUND"}},
		"adults": 1, "children": 0, "childrenAges": []int{}, "infants": 0, "infantAges": []int{},
		"cabinClass": "ECONOMY", "currency": "EUR",
	}
}

func with(edit func(m map[string]any)) map[string]any {
	m := validRates()
	edit(m)
	return m
}

func TestSimulatorRejects(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		key    string
		body   any
		status int
		want   wire.APIError // Message and Description not compared
	}{
		{"no key", wire.RatesPath, "", validRates(), 401, wire.APIError{Code: 41004}},
		{"wrong key", wire.RatesPath, "nope", validRates(), 401, wire.APIError{Code: 41004}},
		{"verify wrong key", wire.VerifyPath, "nope", map[string]any{"offerId": "x"}, 401, wire.APIError{Code: 42003}},
		{"not json", wire.RatesPath, testKey, []byte("{"), 400, wire.APIError{Code: 4000}},
		{"missing legs", wire.RatesPath, testKey, with(func(m map[string]any) { delete(m, "legs") }), 400,
			wire.APIError{Code: 41002, Key: "bodyRequest.legs"}},
		{"empty legs", wire.RatesPath, testKey, with(func(m map[string]any) { m["legs"] = []any{} }), 400,
			wire.APIError{Code: 41002, Key: "bodyRequest.legs"}},
		{"top-level origin", wire.RatesPath, testKey, with(func(m map[string]any) { m["origin"] = "CDG" }), 400,
			wire.APIError{Code: 41002, Key: "bodyRequest.origin"}},
		{"top-level departureDate", wire.RatesPath, testKey, with(func(m map[string]any) { m["departureDate"] = "2026-07-01" }), 400,
			wire.APIError{Code: 41002, Key: "bodyRequest.departureDate"}},
		{"bad origin", wire.RatesPath, testKey, with(func(m map[string]any) {
			m["legs"] = []any{map[string]any{"origin": "cdg", "destination": "PMI", "date": "2026-07-01"}}
		}), 400, wire.APIError{Code: 41002, Key: "bodyRequest.legs"}},
		{"date in the past", wire.RatesPath, testKey, with(func(m map[string]any) {
			m["legs"] = []any{map[string]any{"origin": "CDG", "destination": "PMI", "date": "2026-03-09"}}
		}), 400, wire.APIError{Code: 41002, Key: "bodyRequest.legs"}},
		{"date over 11 months ahead", wire.RatesPath, testKey, with(func(m map[string]any) {
			m["legs"] = []any{map[string]any{"origin": "CDG", "destination": "PMI", "date": "2027-02-11"}}
		}), 400, wire.APIError{Code: 41002, Key: "bodyRequest.legs"}},
		{"return before outbound", wire.RatesPath, testKey, with(func(m map[string]any) {
			m["legs"] = []any{
				map[string]any{"origin": "CDG", "destination": "PMI", "date": "2026-07-01", "direction": "OUTBOUND"},
				map[string]any{"origin": "PMI", "destination": "CDG", "date": "2026-06-30", "direction": "INBOUND"}}
		}), 400, wire.APIError{Code: 41002, Key: "bodyRequest.legs"}},
		{"infants over adults", wire.RatesPath, testKey, with(func(m map[string]any) { m["infants"], m["infantAges"] = 2, []int{1, 1} }), 400,
			wire.APIError{Code: 41012, Key: "bodyRequest.infants"}},
		{"child ages missing", wire.RatesPath, testKey, with(func(m map[string]any) { m["children"] = 1 }), 400,
			wire.APIError{Code: 41006, Key: "bodyRequest.childrenAges"}},
		{"infant ages too many", wire.RatesPath, testKey, with(func(m map[string]any) { m["infantAges"] = []int{1} }), 400,
			wire.APIError{Code: 41006, Key: "bodyRequest.infantAges"}},
		{"no currency", wire.RatesPath, testKey, with(func(m map[string]any) { delete(m, "currency") }), 400,
			wire.APIError{Code: 41002, Key: "bodyRequest.currency"}},
		{"currency not priced", wire.RatesPath, testKey, with(func(m map[string]any) { m["currency"] = "JPY" }), 400,
			wire.APIError{Code: 41006, Key: "bodyRequest.currency"}},
		{"currency in lower case", wire.RatesPath, testKey, with(func(m map[string]any) { m["currency"] = "usd" }), 400,
			wire.APIError{Code: 41006, Key: "bodyRequest.currency"}},
		{"verify no offerId", wire.VerifyPath, testKey, map[string]any{}, 400, wire.APIError{Code: 42001, Key: "bodyRequest.offerId"}},
		{"verify malformed", wire.VerifyPath, testKey, map[string]any{"offerId": "h6NwaWTZJDAx"}, 400,
			wire.APIError{Code: 42013, Key: "bodyRequest.offerId"}},
		{"unknown path", "/flights/nothing", testKey, map[string]any{}, 404, wire.APIError{Code: 4004}},
	}
	sim := NewSimulator(SimConfig{APIKey: testKey, Seed: 1, Now: newClock().Now})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, srv.URL+tt.path, tt.key, tt.body)
			var env wire.ErrorEnvelope
			if err := json.Unmarshal(body, &env); err != nil || env.Error == nil {
				t.Fatalf("HTTP %d body %s: not an error envelope", status, body)
			}
			got := wire.APIError{Code: env.Error.Code, Key: env.Error.Key}
			if status != tt.status || got != tt.want || env.Error.Message == "" {
				t.Errorf("HTTP %d %+v, want HTTP %d %+v", status, *env.Error, tt.status, tt.want)
			}
		})
	}
}

func TestSimulatorAnyKeyWhenUnset(t *testing.T) {
	srv := httptest.NewServer(NewSimulator(SimConfig{Seed: 1, Now: newClock().Now}))
	defer srv.Close()
	if status, body := post(t, srv.URL+wire.RatesPath, "anything", validRates()); status != http.StatusOK {
		t.Errorf("any key: HTTP %d %s", status, body)
	}
	if status, _ := post(t, srv.URL+wire.RatesPath, "", validRates()); status != http.StatusUnauthorized {
		t.Errorf("no key: HTTP %d", status)
	}
}

func TestSimulatorDeterministic(t *testing.T) {
	bodies := func(seed int64) [][]byte {
		srv := httptest.NewServer(NewSimulator(SimConfig{APIKey: testKey, Seed: seed, Now: newClock().Now}))
		defer srv.Close()
		var out [][]byte
		for _, req := range []map[string]any{
			validRates(),
			with(func(m map[string]any) {
				m["legs"] = []any{
					map[string]any{"origin": "CDG", "destination": "BCN", "date": "2026-11-20", "direction": "OUTBOUND"},
					map[string]any{"origin": "BCN", "destination": "CDG", "date": "2026-11-27", "direction": "INBOUND"}}
				m["children"], m["childrenAges"] = 2, []int{4, 9}
			}),
		} {
			status, body := post(t, srv.URL+wire.RatesPath, testKey, req)
			if status != http.StatusOK {
				t.Fatalf("HTTP %d %s", status, body)
			}
			out = append(out, body)
		}
		return out
	}
	a, b, other := bodies(42), bodies(42), bodies(43)
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Errorf("request %d: same seed and clock, different bodies", i)
		}
		if bytes.Equal(a[i], other[i]) {
			t.Errorf("request %d: another seed, same body", i)
		}
	}
}

// TestInventory checks the schedule every day of a year on every route:
// 3 to 6 journeys, sorted, chained flights with real connections, sane
// durations and fares.
func TestInventory(t *testing.T) {
	inv := inventory{seed: 9}
	start := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	oneStop := 0
	for route := range schedules {
		for day := 0; day <= 365; day++ {
			date := start.AddDate(0, 0, day)
			its := inv.itineraries(route[:3], route[4:], date)
			if len(its) < 3 || len(its) > 6 {
				t.Fatalf("%s %s: %d journeys", route, date.Format(time.DateOnly), len(its))
			}
			for i, it := range its {
				if i > 0 && it.dep().Before(its[i-1].dep()) {
					t.Errorf("%s %s: journeys not sorted", route, date)
				}
				if it.index != i || it.adult < 3000 || it.adult > 40000 || it.adult%100 != 99 {
					t.Errorf("%s %s journey %d: index %d fare %d", route, date, i, it.index, it.adult)
				}
				f := it.flights
				if f[0].from != route[:3] || f[len(f)-1].to != route[4:] {
					t.Errorf("%s: journey %s-%s", route, f[0].from, f[len(f)-1].to)
				}
				for k := range f {
					if d := f[k].arr.Sub(f[k].dep); d < 50*time.Minute || d > 3*time.Hour {
						t.Errorf("%s%s flies %s", f[k].carrier, f[k].number, d)
					}
					if k > 0 && (f[k].from != f[k-1].to || f[k].dep.Sub(f[k-1].arr) < 45*time.Minute) {
						t.Errorf("%s%s: connection from %s%s", f[k].carrier, f[k].number, f[k-1].carrier, f[k-1].number)
					}
				}
				if len(f) > 1 {
					oneStop++
				}
			}
		}
	}
	if oneStop == 0 {
		t.Error("no one-stop journeys")
	}
}

func TestSeatStore(t *testing.T) {
	s := newSeatStore(inventory{seed: 1})
	buckets := []string{"VY7821|2026-07-01|Basic", "VY3902|2026-07-01|Basic"}
	left := s.left(buckets)
	if left < 1 || left > 9 {
		t.Fatalf("left %d", left)
	}
	if s.take(buckets, left+1) || s.left(buckets) != left {
		t.Fatal("took more seats than left")
	}
	if !s.take(buckets, 1) || s.left(buckets) != left-1 {
		t.Fatalf("after one sale: %d left, want %d", s.left(buckets), left-1)
	}
}

// TestSimulatorQuote: prices add up as the simulator documents them.
func TestSimulatorQuote(t *testing.T) {
	it := itinerary{adult: 10099, flex: true, bagFee: 3500}
	back := itinerary{adult: 8999, flex: true, bagFee: 3299}
	pax := providers.Passengers{Adults: 2, Children: 1, Infants: 1}
	flex, _ := familyNamed("Flex")
	tests := []struct {
		name string
		q    quote
		want [4]int64 // adult, child, infant, total
	}{
		{"basic one way", newQuote([]itinerary{it}, families[0], pax), [4]int64{10099, 7574, 1010, 10099*2 + 7574 + 1010}},
		{"flex one way", newQuote([]itinerary{it}, flex, pax), [4]int64{13634, 10226, 1363, 13634*2 + 10226 + 1363}},
		{"basic round trip", newQuote([]itinerary{it, back}, families[0], pax), [4]int64{17570, 13178, 1757, 17570*2 + 13178 + 1757}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := [4]int64{tt.q.adult, tt.q.child, tt.q.infant, tt.q.total()}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
