package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
				Legs: []providers.Leg{q.Leg}, Passengers: q.Passengers, Total: total}},
			Total: total, PerPassenger: providers.PassengerPrice{Adult: per},
			SeatsAvailable: f.SeatsOnSale, ExpiresAt: apptest.Now.Add(15 * time.Minute),
		})
	}
	return out, nil
}

// tinySim is the tiny provider's simulator: one flight on every route and
// day, behind the shared knobs.
type tinySim struct {
	token string
	knobs *sim.Knobs
}

var _ sim.Controller = (*tinySim)(nil)

func (s *tinySim) SetLatency(d time.Duration)           { s.knobs.SetLatency(d) }
func (s *tinySim) SetFailureRate(r float64)             { s.knobs.SetFailureRate(r) }
func (s *tinySim) SetFailure(op string, m sim.FailMode) { s.knobs.SetFailure(op, m) }

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
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode([]tinyFlight{{
		Number: "ZZ1234", Departure: date + "T07:00:00+02:00", Arrival: date + "T09:10:00+02:00", PriceCents: 4200, SeatsOnSale: 9,
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
			s := &tinySim{token: "tiny-token", knobs: sim.NewKnobs(cfg.Latency, cfg.FailureRate, cfg.Seed)}
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
	body, _ := json.Marshal(map[string]string{"query": q})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
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
