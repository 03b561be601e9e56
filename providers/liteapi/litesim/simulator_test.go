package litesim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers/liteapi/wire"
	"github.com/faregraph/faregraph/providers/sim"
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
	sim := New(Config{APIKey: testKey, Seed: 1, Now: newClock().Now})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, sim, tt.path, tt.key, tt.body)
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
	srv := New(Config{Seed: 1, Now: newClock().Now})
	if status, body := post(t, srv, wire.RatesPath, "anything", validRates()); status != http.StatusOK {
		t.Errorf("any key: HTTP %d %s", status, body)
	}
	if status, _ := post(t, srv, wire.RatesPath, "", validRates()); status != http.StatusUnauthorized {
		t.Errorf("no key: HTTP %d", status)
	}
}

func TestSimulatorDeterministic(t *testing.T) {
	bodies := func(seed int64) [][]byte {
		srv := New(Config{APIKey: testKey, Seed: seed, Now: newClock().Now})
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
			status, body := post(t, srv, wire.RatesPath, testKey, req)
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

// TestSimulatorControlsUnknownFlight: SetSeats and ShiftSchedule take the
// flights the inventory flies on their scheduled day, and refuse others
// without changing anything.
func TestSimulatorControlsUnknownFlight(t *testing.T) {
	s := New(Config{Seed: 1, Now: newClock().Now})
	f := inventory{seed: 1}.itineraries("CDG", "PMI", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))[0].flights[0]
	if err := s.SetSeats(f.flightKey(), 3); err != nil {
		t.Fatal(err)
	}
	if err := s.ShiftSchedule(f.flightKey(), time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, k := range []sim.FlightKey{
		{Carrier: "ZZ", Number: f.number, Date: f.date},
		{Carrier: f.carrier, Number: "9999", Date: f.date},
		{Carrier: f.carrier, Number: f.number, Date: "1 July"},
	} {
		if err := s.SetSeats(k, 1); !errors.Is(err, sim.ErrUnknownFlight) {
			t.Errorf("SetSeats(%s) = %v, want ErrUnknownFlight", k, err)
		}
		if err := s.ShiftSchedule(k, time.Hour); !errors.Is(err, sim.ErrUnknownFlight) {
			t.Errorf("ShiftSchedule(%s) = %v, want ErrUnknownFlight", k, err)
		}
	}
	if len(s.shifts) != 1 {
		t.Errorf("shifts %v, want the one known flight", s.shifts)
	}
}
