package cpsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// simGet sends one request to h and returns the status and body.
func simGet(t *testing.T, h http.Handler, method, target, auth, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

const (
	flightsURL    = "/v3/flights?origin=CDG&destination=PMI&start=2025-08-06&end=2025-08-07&seats=2"
	roundTripsURL = "/v3/roundTrips?origin=CDG&destination=PMI&start=2025-08-06&end=2025-08-07&returnStart=2025-08-13&returnEnd=2025-08-14&seats=2"
)

func TestSimulatorIsDeterministic(t *testing.T) {
	for _, target := range []string{flightsURL, roundTripsURL} {
		a := New(Config{Seed: 7, Now: clock})
		b := New(Config{Seed: 7, Now: clock})
		other := New(Config{Seed: 8, Now: clock})
		_, bodyA := simGet(t, a, "GET", target, "t", "")
		_, bodyB := simGet(t, b, "GET", target, "t", "")
		_, bodyOther := simGet(t, other, "GET", target, "t", "")
		if bodyA != bodyB {
			t.Errorf("%s: same seed, different bodies:\n%s\n%s", target, bodyA, bodyB)
		}
		if bodyA == bodyOther {
			t.Errorf("%s: seeds 7 and 8 give the same inventory", target)
		}
	}
}

func TestSimulatorAuth(t *testing.T) {
	tests := []struct {
		name, token, auth string
		want              int
	}{
		{"bearer token", "tok", "Bearer tok", 200},
		{"bare token", "tok", "tok", 200},
		{"lower-case bearer", "tok", "bearer tok", 200},
		{"wrong token", "tok", "Bearer nope", 401},
		{"missing header", "tok", "", 401},
		{"any token when none configured", "", "whatever", 200},
		{"still needs a header", "", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := New(Config{Token: tt.token, Now: clock})
			status, body := simGet(t, sim, "GET", flightsURL, tt.auth, "")
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, body)
			}
			if status == 401 && !strings.Contains(body, `"type":"UNAUTHORIZED"`) {
				t.Errorf("401 body %s", body)
			}
		})
	}
}

func TestSimulatorValidation(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		wantStatus                 int
		wantInMessage              string
	}{
		{"missing origin", "GET", "/v3/flights?destination=PMI&start=2025-08-06&end=2025-08-07&seats=1", "", 400, "origin"},
		{"bad airport", "GET", "/v3/flights?origin=CD1&destination=PMI&start=2025-08-06&end=2025-08-07&seats=1", "", 400, "origin"},
		{"same airports", "GET", "/v3/flights?origin=CDG&destination=CDG&start=2025-08-06&end=2025-08-07&seats=1", "", 400, "destination"},
		{"bad date", "GET", "/v3/flights?origin=CDG&destination=PMI&start=06/08/2025&end=2025-08-07&seats=1", "", 400, "start"},
		{"end before start", "GET", "/v3/flights?origin=CDG&destination=PMI&start=2025-08-06&end=2025-08-06&seats=1", "", 400, "end"},
		{"window too long", "GET", "/v3/flights?origin=CDG&destination=PMI&start=2025-08-01&end=2025-10-01&seats=1", "", 400, "31 days"},
		{"no seats", "GET", "/v3/flights?origin=CDG&destination=PMI&start=2025-08-06&end=2025-08-07&seats=0", "", 400, "seats"},
		{"seats not a number", "GET", "/v3/flights?origin=CDG&destination=PMI&start=2025-08-06&end=2025-08-07&seats=two", "", 400, "seats"},
		{"bad page", "GET", "/v3/flights?origin=CDG&destination=PMI&start=2025-08-06&end=2025-08-07&seats=1&page=-1", "", 400, "page"},
		{"round trip without return", "GET", "/v3/roundTrips?origin=CDG&destination=PMI&start=2025-08-06&end=2025-08-07&seats=1", "", 400, "returnStart"},
		{"return before outbound", "GET", "/v3/roundTrips?origin=CDG&destination=PMI&start=2025-08-06&end=2025-08-07&returnStart=2025-08-01&returnEnd=2025-08-02&seats=1", "", 400, "returnStart"},
		{"verify not JSON", "POST", "/v3/flights/verify", "flight=1", 400, "JSON"},
		{"verify without flight", "POST", "/v3/flights/verify", `{"passengers":{"adults":1},"customer_code":"x"}`, 400, "flight_id"},
		{"verify without adult", "POST", "/v3/flights/verify", `{"flight_id":4046530,"passengers":{"adults":0},"customer_code":"x"}`, 400, "adults"},
		{"verify more infants than adults", "POST", "/v3/flights/verify", `{"flight_id":4046530,"passengers":{"adults":1,"infants":2},"customer_code":"x"}`, 400, "infants"},
		{"verify without customer code", "POST", "/v3/flights/verify", `{"flight_id":4046530,"passengers":{"adults":1}}`, 400, "customer_code"},
		{"unknown path", "GET", "/v3/hotels", "", 404, "/v3/hotels"},
		{"wrong method", "DELETE", "/v3/flights", "", 404, "DELETE"},
	}
	sim := New(Config{Token: testToken, Now: clock})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := simGet(t, sim, tt.method, tt.target, testToken, tt.body)
			var eb wire.ErrorBody
			if err := json.Unmarshal([]byte(body), &eb); err != nil {
				t.Fatalf("body %q is not the error shape: %v", body, err)
			}
			if status != tt.wantStatus || !strings.Contains(eb.Message, tt.wantInMessage) || eb.Type == "" {
				t.Errorf("got %d %+v, want %d with a message naming %q", status, eb, tt.wantStatus, tt.wantInMessage)
			}
		})
	}
}

func TestSimulatorVerify(t *testing.T) {
	sim := New(Config{Seed: testSeed, Now: clock})
	d := dayOf(time.Date(2025, 8, 6, 0, 0, 0, 0, time.UTC))
	ri, _ := routeIndex("CDG", "PMI")
	f := schedule(testSeed, ri, d)[0]
	body := func(id int64, adults, infants int) string {
		b, _ := json.Marshal(wire.VerifyRequest{FlightID: id, Passengers: wire.VerifyPassenger{Adults: adults, Infants: infants}, CustomerCode: "x"})
		return string(b)
	}
	status, got := simGet(t, sim, "POST", "/v3/flights/verify", "t", body(f.id, 2, 1))
	want := wire.VerifyResponse{Price: cents(f.price), Currency: "EUR", TotalPrice: cents(2*f.price + f.infant), IncludedAirportTax: wire.TaxAmount(cents(f.tax))}
	n := cents(f.infant)
	want.InfantPrice = &n
	var resp wire.VerifyResponse
	if err := json.Unmarshal([]byte(got), &resp); err != nil || status != 200 {
		t.Fatalf("status %d body %s: %v", status, got, err)
	}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if _, got := simGet(t, sim, "POST", "/v3/flights/verify", "t", body(f.id, 1, 0)); !strings.Contains(got, `"infant_price":null`) {
		t.Errorf("without infants: %s, want infant_price null", got)
	}

	if err := sim.SetSeats(f.view().Key(), 1); err != nil {
		t.Fatal(err)
	}
	if status, got := simGet(t, sim, "POST", "/v3/flights/verify", "t", body(f.id, 2, 0)); status != 409 || !strings.Contains(got, "FLIGHT_UNAVAILABLE") {
		t.Errorf("two seats of one left: %d %s, want 409 FLIGHT_UNAVAILABLE", status, got)
	}
	if status, _ := simGet(t, sim, "POST", "/v3/flights/verify", "t", body(f.id, 1, 1)); status != 200 {
		t.Errorf("one seat of one left (infant on lap): %d, want 200", status)
	}
	for _, id := range []int64{1, idBase - 1, flightID(len(routes), d, 0), flightID(ri, d, maxSlots-1), flightID(ri, d+horizonDays, 0)} {
		if status, _ := simGet(t, sim, "POST", "/v3/flights/verify", "t", body(id, 1, 0)); status != 404 {
			t.Errorf("flight %d: status %d, want 404", id, status)
		}
	}
	past := schedule(testSeed, ri, d-60)[0]
	if status, _ := simGet(t, sim, "POST", "/v3/flights/verify", "t", body(past.id, 1, 0)); status != 409 {
		t.Errorf("departed flight: status %d, want 409", status)
	}
}

// TestInventory checks every route's schedule on days across a year: 3
// to 5 regular flights between 06:00 and 22:00 and the edge flights, in
// departure order, each found again by its id, with sane durations,
// prices and seats.
func TestInventory(t *testing.T) {
	today := dayOf(testNow)
	seen := map[int64]bool{}
	for ri, r := range routes {
		for d := today; d <= today+horizonDays; d += 11 {
			fs := schedule(testSeed, ri, d)
			regulars := regular(testSeed, ri, d)
			if len(regulars) < 3 || len(regulars) > 5 || len(fs) != len(regulars)+4 {
				t.Fatalf("%s-%s day %d: %d flights, %d regular; want 3 to 5 regular and 4 edge flights", r.from, r.to, d, len(fs), len(regulars))
			}
			for i, f := range fs {
				if seen[f.id] {
					t.Fatalf("flight id %d twice", f.id)
				}
				seen[f.id] = true
				if back, ok := lookup(testSeed, f.id); !ok || !cmp.Equal(back, f, cmp.AllowUnexported(simFlight{})) {
					t.Fatalf("lookup(%d) = %+v, %v; want %+v", f.id, back, ok, f)
				}
				if i > 0 && f.dep.Before(fs[i-1].dep) {
					t.Errorf("%s departs before the previous flight", f.number)
				}
				if dur := f.arr.Sub(f.dep); dur < r.block || dur > r.block+10*time.Minute {
					t.Errorf("%s flies %s, want about %s", f.number, dur, r.block)
				}
				if dayOf(f.dep) != d || f.dep.Hour() < 6 || f.dep.Hour() > 22 {
					t.Errorf("%s departs %s, want day %d between 06:00 and 23:00", f.number, f.dep, d)
				}
				if f.price < 4900 || f.price > 26000 || f.seats < 4 || f.seats > 60 || f.infant <= 0 || f.tax <= 0 {
					t.Errorf("%s: price %d, seats %d, infant %d, tax %d out of range", f.number, f.price, f.seats, f.infant, f.tax)
				}
				if _, ok := carriers[f.carrier]; !ok || !strings.HasPrefix(f.number, f.carrier) {
					t.Errorf("%s: carrier %q", f.number, f.carrier)
				}
			}
			for _, f := range regulars {
				if f.dep.Hour() > 21 {
					t.Errorf("regular %s departs %s, want before 22:00", f.number, f.dep)
				}
			}
		}
	}
}

// TestInventoryEdgeCases: on every route and day, a search made at 10:00
// local sees a flight that left earlier that day and one within the
// 2-hour booking cut-off; a flight lands on the next local day; and a
// same-day return leaves less than 60 minutes, and another less than 2
// hours but at least 60 minutes, after an outbound lands.
func TestInventoryEdgeCases(t *testing.T) {
	today := dayOf(testNow)
	for ri, r := range routes {
		rb, ok := routeIndex(r.to, r.from)
		if !ok {
			t.Fatalf("%s-%s has no reverse route", r.from, r.to)
		}
		for d := today; d <= today+horizonDays; d++ {
			fs := schedule(testSeed, ri, d)
			y, m, dd := d.midnight().Date()
			now := time.Date(y, m, dd, 10, 0, 0, 0, providers.AirportLocation(r.from))
			var departed, closing, overnight, tight, snug bool
			for _, f := range fs {
				departed = departed || f.dep.Before(now)
				closing = closing || !f.dep.Before(now) && f.dep.Before(now.Add(2*time.Hour))
				overnight = overnight || dayOf(f.arr) == d+1
				for _, out := range schedule(testSeed, rb, d) {
					switch ground := f.dep.Sub(out.arr); {
					case ground >= 0 && ground < time.Hour:
						tight = true
					case ground >= time.Hour && ground < 2*time.Hour:
						snug = true
					}
				}
			}
			if !departed || !closing || !overnight || !tight || !snug {
				t.Fatalf("%s-%s day %d: departed %v, within the cut-off %v, overnight %v, return within 60 min %v, within 2 h %v",
					r.from, r.to, d, departed, closing, overnight, tight, snug)
			}
		}
	}
}

func TestSimulatorHonoursCancelledRequests(t *testing.T) {
	sim := New(Config{Latency: time.Hour, Now: clock})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+flightsURL, nil)
	req.Header.Set("Authorization", "t")
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Millisecond}
	resp, err := client.Do(req)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		t.Fatal("answered despite an hour of latency")
	}
	// srv.Close waits for the handler: the test ending at all shows the
	// handler stopped waiting when the client went away.
}

func TestSimulatorSettersUnderLoad(t *testing.T) {
	sim := New(Config{Seed: testSeed, Now: clock})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			sim.SetFailureRate(float64(i%2) / 2)
			sim.SetLatency(time.Duration(i%2) * time.Microsecond)
		}
	}()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				if status, body := simGet(t, sim, "GET", flightsURL, "t", ""); status != 200 && status != 500 {
					t.Errorf("status %d: %s", status, body)
				}
			}
		})
	}
	wg.Wait()
	<-done
}
