package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/sim"
)

// This file is a whole provider, as small as one can be: a registration,
// an adapter that calls an HTTP API, and a simulator of that API. Adding
// it to the registry is all it takes for searches to include it.

// tinyFlight is the one wire shape of the tiny provider's API.
type tinyFlight struct {
	Number      string `json:"number"`
	Departure   string `json:"departure"` // RFC 3339, local
	Arrival     string `json:"arrival"`
	PriceCents  int64  `json:"price_cents"` // per seat
	SeatsOnSale int    `json:"seats"`
}

// tinyClient is the tiny provider's adapter.
type tinyClient struct {
	name, url, token string
	hc               *http.Client
	panics           bool
}

func (c *tinyClient) Name() string { return c.name }

func (c *tinyClient) Search(ctx context.Context, q providers.Query) ([]providers.Offer, error) {
	if c.panics {
		var offers []providers.Offer
		_ = offers[len(q.Origin)] // an index out of range: a real runtime panic
	}
	u := c.url + "/flights?" + url.Values{"from": {q.Origin}, "to": {q.Destination}, "date": {string(q.Date)}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, &providers.Error{Provider: c.name, Op: "search", Code: providers.Unavailable, Message: "unreachable", Err: err}
	}
	defer resp.Body.Close()
	var fs []tinyFlight
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&fs) != nil {
		return nil, &providers.Error{Provider: c.name, Op: "search", Code: providers.Unavailable, Status: resp.StatusCode, Message: "bad answer"}
	}
	var out []providers.Offer
	for _, f := range fs {
		dep, err1 := time.Parse(time.RFC3339, f.Departure)
		arr, err2 := time.Parse(time.RFC3339, f.Arrival)
		if err1 != nil || err2 != nil || f.SeatsOnSale < q.Passengers.Seats() {
			continue
		}
		per := providers.Money{Amount: f.PriceCents, Currency: "EUR"}
		total := providers.Money{Amount: f.PriceCents * int64(q.Passengers.Seats()), Currency: "EUR"}
		out = append(out, providers.Offer{
			FareType: providers.OneWay,
			Slices: []providers.Slice{{Segments: []providers.Segment{{
				CarrierCode: f.Number[:2], FlightNumber: f.Number[2:], Origin: q.Origin, Destination: q.Destination,
				DepartureAt: dep, ArrivalAt: arr,
			}}}},
			Parts: []providers.Part{{Provider: c.name, Ref: f.Number, FareType: providers.OneWay,
				OriginDestinations: []providers.OriginDestination{q.OriginDestination}, Passengers: q.Passengers, Total: total}},
			Total: total, PerPassenger: providers.PassengerPrice{Adult: per},
			SeatsAvailable: f.SeatsOnSale, ExpiresAt: apptest.Now.Add(15 * time.Minute),
		})
	}
	return out, nil
}

// tinySim is the tiny provider's simulator: one flight, ZZ1234, on every
// route and day, with 9 seats, behind the shared knobs.
type tinySim struct {
	token string
	knobs *sim.Knobs

	mu     sync.Mutex
	seats  map[string]int           // seats on sale by day, as SetSeats left them
	shifts map[string]time.Duration // schedule changes by day
}

var _ sim.Controller = (*tinySim)(nil)

func (s *tinySim) SetLatency(d time.Duration)           { s.knobs.SetLatency(d) }
func (s *tinySim) SetFailureRate(r float64)             { s.knobs.SetFailureRate(r) }
func (s *tinySim) SetFailure(op string, m sim.FailMode) { s.knobs.SetFailure(op, m) }

// SetSeats leaves n seats of ZZ1234 on sale on the key's day; the tiny
// provider takes no holds.
func (s *tinySim) SetSeats(k sim.FlightKey, n int) error {
	if err := tinyFlies(k); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seats[k.Date] = n
	return nil
}

// ShiftSchedule moves ZZ1234 on the key's day by d.
func (s *tinySim) ShiftSchedule(k sim.FlightKey, d time.Duration) error {
	if err := tinyFlies(k); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shifts[k.Date] += d
	return nil
}

// tinyFlies checks that k names ZZ1234 on a day.
func tinyFlies(k sim.FlightKey) error {
	if _, err := time.Parse(time.DateOnly, k.Date); err != nil || k.Carrier != "ZZ" || k.Number != "1234" {
		return fmt.Errorf("tiny: %s: %w", k, sim.ErrUnknownFlight)
	}
	return nil
}

func (s *tinySim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail, ok := s.knobs.Wait(r.Context())
	if !ok {
		return
	}
	if fail || s.knobs.Failure("search") != sim.FailNone {
		http.Error(w, "internal", http.StatusInternalServerError)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.token || r.URL.Path != "/flights" {
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	date := r.URL.Query().Get("date")
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		http.Error(w, "bad date", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	seats, ok := s.seats[date]
	dep := time.Date(d.Year(), d.Month(), d.Day(), 7, 0, 0, 0, time.FixedZone("", 2*3600)).Add(s.shifts[date])
	s.mu.Unlock()
	if !ok {
		seats = 9
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode([]tinyFlight{{
		Number: "ZZ1234", Departure: dep.Format(time.RFC3339), Arrival: dep.Add(130 * time.Minute).Format(time.RFC3339),
		PriceCents: 4200, SeatsOnSale: seats,
	}})
}

// tinyRegistration registers the tiny provider as name; panics makes its
// adapter's Search panic.
func tinyRegistration(name string, panics bool) providers.Registration {
	return providers.Registration{
		Name: name,
		Keys: []string{"TOKEN"},
		New: func(s map[string]string, d providers.Deps) (providers.Searcher, error) {
			if s[providers.KeyURL] == "" {
				return nil, fmt.Errorf("%s is required", providers.KeyURL)
			}
			return &tinyClient{name: name, url: s[providers.KeyURL], token: s["TOKEN"], hc: d.HTTPClient, panics: panics}, nil
		},
		NewSimulator: func(cfg providers.SimConfig) (sim.Controller, func(string) map[string]string) {
			s := &tinySim{token: "tiny-token", knobs: sim.NewKnobs(cfg.Latency, cfg.FailureRate, cfg.Seed),
				seats: map[string]int{}, shifts: map[string]time.Duration{}}
			return s, func(base string) map[string]string {
				return map[string]string{providers.KeyURL: base, "TOKEN": "tiny-token"}
			}
		},
	}
}

// searchResult is the part of a search answer the tests read.
type searchResult struct {
	Data *struct {
		SearchOffers struct {
			ProviderResults []struct {
				Provider   string `json:"provider"`
				Status     string `json:"status"`
				OfferCount int    `json:"offerCount"`
			} `json:"providerResults"`
			Offers struct {
				TotalCount int `json:"totalCount"`
			} `json:"offers"`
		} `json:"searchOffers"`
	} `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// search runs a one-way CDG–PMI search through the server's GraphQL
// endpoint and returns the HTTP status and the decoded answer.
func search(t *testing.T, h http.Handler) (int, searchResult) {
	t.Helper()
	date := apptest.Now.AddDate(0, 1, 0).Format(time.DateOnly)
	q := `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "` + date + `", passengers: {adults: 1}}) {
	  providerResults { provider status offerCount } offers(first: 5) { totalCount } } }`
	rec := apptest.Post(h, q, nil, "")
	var res searchResult
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatalf("HTTP %d %s: %v", rec.Code, rec.Body, err)
	}
	return rec.Code, res
}

// results maps provider → "STATUS count".
func results(res searchResult) map[string]string {
	out := map[string]string{}
	if res.Data != nil {
		for _, p := range res.Data.SearchOffers.ProviderResults {
			out[p.Provider] = fmt.Sprintf("%s %d", p.Status, p.OfferCount)
		}
	}
	return out
}

// TestAThirdProviderIsSearched: a provider added to the registry, and
// nowhere else, is searched through the GraphQL API next to the others,
// against its own simulator.
func TestAThirdProviderIsSearched(t *testing.T) {
	if got := app.Registry(); len(got) != 2 || got[0].Name != "citizenplane" || got[1].Name != "liteapi" {
		t.Fatalf("registry %v, want citizenplane and liteapi", got)
	}
	a := apptest.New(t, func(c *app.Config) {
		c.Registry = append(app.Registry(), tinyRegistration("tinyair", false))
	})
	if _, ok := a.Simulators["tinyair"]; !ok {
		t.Fatalf("simulators %v: want tinyair's", a.Simulators)
	}
	status, res := search(t, a.Handler)
	if status != http.StatusOK || len(res.Errors) != 0 {
		t.Fatalf("HTTP %d, errors %+v", status, res.Errors)
	}
	got := results(res)
	if got["tinyair"] != "OK 1" {
		t.Errorf("tinyair: %q, want OK with its one offer (all: %v)", got["tinyair"], got)
	}
	for _, p := range []string{"citizenplane", "liteapi"} {
		if !strings.HasPrefix(got[p], "OK ") || got[p] == "OK 0" {
			t.Errorf("%s: %q, want OK with offers", p, got[p])
		}
	}
	if tiny := a.Simulators["tinyair"].(*tinySim); tiny.token != "tiny-token" {
		t.Errorf("the simulator is not the registration's")
	}
	// Its controls are the ones every simulator has.
	ctl := a.Simulators["tinyair"]
	if err := ctl.SetSeats(sim.FlightKey{Carrier: "ZZ", Number: "1234", Date: "2026-07-01"}, 0); err != nil {
		t.Errorf("SetSeats of its flight: %v", err)
	}
	if err := ctl.ShiftSchedule(sim.FlightKey{Carrier: "ZZ", Number: "999", Date: "2026-07-01"}, time.Hour); !errors.Is(err, sim.ErrUnknownFlight) {
		t.Errorf("ShiftSchedule of a flight it does not fly: %v", err)
	}
}

// TestAPanickingProviderFailsOnlyItself: an adapter whose Search panics
// inside the fan-out costs its own results only. The request answers 200
// with the others' offers and an INTERNAL error naming the provider, and
// the server goes on answering.
func TestAPanickingProviderFailsOnlyItself(t *testing.T) {
	a := apptest.New(t, func(c *app.Config) {
		c.Registry = append(app.Registry(), tinyRegistration("boomair", true))
	})
	for i := range 2 { // the second search proves the process survived
		status, res := search(t, a.Handler)
		if status != http.StatusOK || res.Data == nil {
			t.Fatalf("search %d: HTTP %d, data %v, errors %+v", i, status, res.Data, res.Errors)
		}
		got := results(res)
		if got["boomair"] != "ERROR 0" {
			t.Errorf("search %d: boomair %q, want ERROR 0", i, got["boomair"])
		}
		for _, p := range []string{"citizenplane", "liteapi"} {
			if !strings.HasPrefix(got[p], "OK ") || got[p] == "OK 0" {
				t.Errorf("search %d: %s %q, want OK with offers", i, p, got[p])
			}
		}
		if res.Data.SearchOffers.Offers.TotalCount == 0 {
			t.Errorf("search %d: no offers", i)
		}
		if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "INTERNAL" || res.Errors[0].Extensions["provider"] != "boomair" {
			t.Errorf("search %d: errors %+v, want one INTERNAL error of boomair", i, res.Errors)
		}
	}
}

// TestRegistrationSettlements: each registration's settlement modes (what
// "faregraph tenant settlement set" checks against) are its adapter's.
func TestRegistrationSettlements(t *testing.T) {
	for _, r := range app.Registry() {
		p, err := r.New(map[string]string{providers.KeyURL: "http://127.0.0.1:1"}, providers.Deps{HTTPClient: http.DefaultClient})
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		want := []providers.Settlement{providers.Merchant}
		if st, ok := p.(providers.Settler); ok {
			want = st.Settlements()
		}
		got := r.Settlements
		if got == nil {
			got = []providers.Settlement{providers.Merchant}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: registration settles by %v, adapter by %v", r.Name, got, want)
		}
	}
}
