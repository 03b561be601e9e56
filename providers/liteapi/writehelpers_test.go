package liteapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
	"github.com/faregraph/faregraph/providers/sim"
)

// testContact is the contact of every test booking.
var testContact = providers.Contact{GivenName: "Marie", FamilyName: "Dupont", Email: "marie.dupont@example.com", PhoneNumber: "+33 6 12 34 56 78"}

// testTravellers are the first adults, children and infants of a family
// flying in July 2026: two adults, a child of 8 and an infant of 9 months.
func testTravellers(pax providers.Passengers) []providers.Traveller {
	adults := []providers.Traveller{
		{Type: providers.Adult, GivenName: "Jean", FamilyName: "Dupont", Gender: "MALE", DateOfBirth: "1985-04-12",
			DocumentNumber: "19AB12345", DocumentExpiresOn: "2031-01-01", DocumentIssuingCountry: "fr", Nationality: "FR"},
		{Type: providers.Adult, GivenName: "Marie", FamilyName: "Dupont", Gender: "FEMALE", DateOfBirth: "1988-11-30",
			DocumentNumber: "20CD67890", DocumentExpiresOn: "2032-06-30", DocumentIssuingCountry: "FR", Nationality: "FR"},
	}
	child := providers.Traveller{Type: providers.Child, GivenName: "Léa", FamilyName: "Dupont", Gender: "FEMALE", DateOfBirth: "2018-05-20",
		DocumentNumber: "21EF13579", DocumentExpiresOn: "2030-05-20", DocumentIssuingCountry: "FR", Nationality: "FR"}
	infant := providers.Traveller{Type: providers.Infant, GivenName: "Hugo", FamilyName: "Dupont", Gender: "MALE", DateOfBirth: "2025-09-14",
		DocumentNumber: "25GH24680", DocumentExpiresOn: "2030-09-14", DocumentIssuingCountry: "FR", Nationality: "FR"}
	var out []providers.Traveller
	out = append(out, adults[:pax.Adults]...)
	for range pax.Children {
		out = append(out, child)
	}
	for range pax.Infants {
		out = append(out, infant)
	}
	return out
}

// searchOffer searches l for pax and returns the first offer that ok
// accepts (any when ok is nil).
func searchOffer(t *testing.T, env *simEnv, l providers.OriginDestination, pax providers.Passengers, ok func(providers.Offer) bool) providers.Offer {
	t.Helper()
	offers, err := env.client.Search(context.Background(), providers.Query{OriginDestination: l, Passengers: pax})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range offers {
		if ok == nil || ok(o) {
			return o
		}
	}
	t.Fatalf("no offer fits among %d", len(offers))
	return providers.Offer{}
}

// nonstop accepts offers of one flight.
func nonstop(o providers.Offer) bool { return len(o.Slices[0].Segments) == 1 }

// flightsOf are the keys of the flights of o.
func flightsOf(o providers.Offer) []sim.FlightKey {
	var out []sim.FlightKey
	for _, sl := range o.Slices {
		for _, s := range sl.Segments {
			out = append(out, sim.FlightOf(s.CarrierCode, s.FlightNumber, s.DepartureAt))
		}
	}
	return out
}

// roomy leaves n seats on every flight of o, so that tests can hold it
// often (or none, to sell it out).
func roomy(t *testing.T, env *simEnv, o providers.Offer, n int) {
	t.Helper()
	for _, k := range flightsOf(o) {
		if err := env.sim.SetSeats(k, n); err != nil {
			t.Fatal(err)
		}
	}
}

// holdRequest is a hold of o's part for the test travellers.
func holdRequest(o providers.Offer, sel ...providers.Selection) providers.HoldRequest {
	p := o.Parts[0]
	return providers.HoldRequest{Part: p, Travellers: testTravellers(p.Passengers), Contact: testContact, Selections: sel}
}

// bookRequest books h of o.
func bookRequestFor(o providers.Offer, h *providers.Hold, externalID string) providers.BookRequest {
	p := o.Parts[0]
	return providers.BookRequest{Part: p, Hold: *h, Travellers: testTravellers(p.Passengers), Contact: testContact, ExternalID: externalID}
}

// mustHold holds o or fails the test.
func mustHold(t *testing.T, env *simEnv, o providers.Offer, sel ...providers.Selection) *providers.Hold {
	t.Helper()
	h, err := env.client.Hold(context.Background(), holdRequest(o, sel...))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// tapped is one request the simulator received.
type tapped struct {
	method, path string
	body         []byte
}

// tapLog keeps the requests the simulator receives, once on.
type tapLog struct {
	mu   sync.Mutex
	on   bool
	reqs []tapped
}

// wrap records the requests to h while the log is on.
func (l *tapLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		on := l.on
		l.mu.Unlock()
		if on {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			l.mu.Lock()
			l.reqs = append(l.reqs, tapped{r.Method, r.URL.Path, body})
			l.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// tap starts recording the simulator's requests.
func (e *simEnv) tap() *tapLog {
	e.taps.mu.Lock()
	defer e.taps.mu.Unlock()
	e.taps.on = true
	return e.taps
}

// bodies are the decoded bodies of the requests to paths starting with prefix.
func (l *tapLog) bodies(t *testing.T, method, prefix string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, r := range l.reqs {
		if r.method != method || !strings.HasPrefix(r.path, prefix) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(r.body, &m); err != nil {
			t.Fatalf("%s %s body %s: %v", r.method, r.path, r.body, err)
		}
		out = append(out, m)
	}
	return out
}

// get sends a GET to url with key and returns the status and raw answer.
func get(t *testing.T, url, key string) (int, []byte) {
	t.Helper()
	return send(t, http.MethodGet, url, key, nil)
}

// envelope decodes an error answer, failing the test if it is not one.
func envelope(t *testing.T, status int, raw []byte) wire.APIError {
	t.Helper()
	var env wire.ErrorEnvelope
	if err := json.Unmarshal(raw, &env); err != nil || env.Error == nil {
		t.Fatalf("HTTP %d %s: not an error envelope", status, raw)
	}
	return *env.Error
}

// uuidV7 is the form of the simulator's prebook and booking ids: RFC 9562
// version 7, variant 10.
var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// isUUIDv7 reports whether id is a UUIDv7 in lower case.
func isUUIDv7(id string) bool { return uuidV7.MatchString(id) }

// prebookOf returns the simulator's prebook by id.
func (e *simEnv) prebookOf(t *testing.T, id string) litesim.Prebook {
	t.Helper()
	p, ok := e.sim.Prebook(id)
	if !ok {
		t.Fatalf("no prebook %s", id)
	}
	return p
}

// seatsLeft is what the simulator has left for o's part.
func (e *simEnv) seatsLeft(t *testing.T, o providers.Offer) int {
	t.Helper()
	n, ok := e.sim.SeatsLeft(o.Parts[0].Ref)
	if !ok {
		t.Fatal("not a simulator offer id, or the offer is not in the inventory")
	}
	return n
}

// wantError asserts err is a *providers.Error of op with code and provider code.
func wantError(t *testing.T, err error, op string, code providers.ErrorCode, providerCode string) *providers.Error {
	t.Helper()
	pe := providerError(t, err)
	if pe.Op != op || pe.Code != code || pe.ProviderCode != providerCode {
		t.Errorf("error op %s code %s provider code %q, want %s %s %q (%v)", pe.Op, pe.Code, pe.ProviderCode, op, code, providerCode, err)
	}
	if pe.Message == "" || pe.Err == nil {
		t.Errorf("error without message or detail: %+v", pe)
	}
	return pe
}
