package cpsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
	"github.com/faregraph/faregraph/providers/sim"
)

// simFlights returns the flights of CDG–PMI on 6 August 2025 and PMI–CDG
// on 13 August, and the round-trip pair of those days.
func simFlights(t *testing.T) (outs, backs []simFlight, pairOut, pairBack simFlight) {
	t.Helper()
	ri, _ := routeIndex("CDG", "PMI")
	rb, _ := routeIndex("PMI", "CDG")
	outs = schedule(testSeed, ri, dayOf(time.Date(2025, 8, 6, 0, 0, 0, 0, time.UTC)))
	backs = schedule(testSeed, rb, dayOf(time.Date(2025, 8, 13, 0, 0, 0, 0, time.UTC)))
	pairOut, pairBack = outs[0], backs[len(backs)-1]
	regulars := regular(testSeed, rb, dayOf(pairBack.dep))
	pairBack = regulars[len(regulars)-1]
	if !isPair(testSeed, pairOut, pairBack) || isPair(testSeed, outs[1], pairBack) || isPair(testSeed, pairOut, backs[0]) || isPair(testSeed, pairOut, backs[len(backs)-1]) {
		t.Fatal("isPair does not pick the first outbound and the last regular return")
	}
	return outs, backs, pairOut, pairBack
}

// zeroBags is the bags entry of f with every option at quantity 0.
func zeroBags(f simFlight) map[string]any {
	d := carriers[f.carrier].cabinSize
	return map[string]any{
		"checked": []any{map[string]any{"weight": 20, "quantity": 0}, map[string]any{"weight": 23, "quantity": 0}},
		"cabin":   []any{map[string]any{"dimensions": map[string]any{"width": d.Width, "height": d.Height, "length": d.Length}, "quantity": 0}},
	}
}

// passengerJSON is a valid passenger of a request.
func passengerJSON(first, birth string) map[string]any {
	return map[string]any{
		"first_name": first, "last_name": "Doe", "gender": "male", "date_of_birth": birth,
		"passport_number": "ABCDE123", "passport_expiry_date": "01/01/2040", "nationality": "fr", "passport_country_of_issue": "fr",
	}
}

// requestJSON is a valid one-way request body for fs, changed by mut.
func requestJSON(mut func(m map[string]any), fs ...simFlight) string {
	ids := []any{}
	bags := map[string]any{}
	for _, f := range fs {
		ids = append(ids, f.id)
		bags[strconv.FormatInt(f.id, 10)] = zeroBags(f)
	}
	m := map[string]any{
		"flight_ids":    ids,
		"passengers":    []any{passengerJSON("John", "1970-01-01")},
		"bags":          bags,
		"fare_type":     "one_way",
		"customer_code": "kiwi",
	}
	if mut != nil {
		mut(m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// post sends a JSON body to the simulator.
func post(t *testing.T, s *Simulator, path, body string) (int, string) {
	t.Helper()
	return simGet(t, s, "POST", path, testToken, body)
}

// firstPassenger is the first passenger of a request body being changed.
func firstPassenger(m map[string]any) map[string]any {
	return m["passengers"].([]any)[0].(map[string]any)
}

func TestSimulatorRequestValidation(t *testing.T) {
	outs, _, pairOut, pairBack := simFlights(t)
	f := outs[1]
	key := strconv.FormatInt(f.id, 10)
	bagsOf := func(m map[string]any) map[string]any { return m["bags"].(map[string]any)[key].(map[string]any) }
	tests := []struct {
		name     string
		body     string
		status   int
		inMsg    string
		wantType string
	}{
		{"not JSON", "flight_ids=1", 400, "JSON", "INVALID_REQUEST"},
		{"unknown field", requestJSON(func(m map[string]any) { m["flight_id"] = f.id }, f), 400, "flight_id", ""},
		{"flight ids of the wrong type", requestJSON(func(m map[string]any) { m["flight_ids"] = []any{"x"} }, f), 400, "flight_ids", ""},
		{"no flight", requestJSON(func(m map[string]any) { m["flight_ids"] = []any{} }, f), 400, "flight_ids", ""},
		{"three flights", requestJSON(func(m map[string]any) { m["flight_ids"] = []any{f.id, outs[2].id, outs[0].id} }, f), 400, "flight_ids", ""},
		{"a flight twice", requestJSON(func(m map[string]any) { m["flight_ids"] = []any{f.id, f.id} }, f), 400, "flight_ids", ""},
		{"no passengers", requestJSON(func(m map[string]any) { m["passengers"] = []any{} }, f), 400, "passengers", ""},
		{"ten passengers", requestJSON(func(m map[string]any) {
			ps := []any{}
			for i := range 10 {
				ps = append(ps, passengerJSON("P"+strconv.Itoa(i), "1970-01-01"))
			}
			m["passengers"] = ps
		}, f), 400, "passengers", ""},
		{"no first name", requestJSON(func(m map[string]any) { delete(firstPassenger(m), "first_name") }, f), 400, "passengers[0].first_name", ""},
		{"no last name", requestJSON(func(m map[string]any) { firstPassenger(m)["last_name"] = "" }, f), 400, "passengers[0].last_name", ""},
		{"upper-case gender", requestJSON(func(m map[string]any) { firstPassenger(m)["gender"] = "MALE" }, f), 400, "gender", ""},
		{"birth date as DD/MM/YYYY", requestJSON(func(m map[string]any) { firstPassenger(m)["date_of_birth"] = "01/01/1970" }, f), 400, "date_of_birth", ""},
		{"no passport number", requestJSON(func(m map[string]any) { firstPassenger(m)["passport_number"] = "" }, f), 400, "passport_number", ""},
		{"expiry as YYYY-MM-DD", requestJSON(func(m map[string]any) { firstPassenger(m)["passport_expiry_date"] = "2040-01-01" }, f), 400, "passport_expiry_date", ""},
		{"expiry not a day", requestJSON(func(m map[string]any) { firstPassenger(m)["passport_expiry_date"] = "31/02/2040" }, f), 400, "passport_expiry_date", ""},
		{"upper-case nationality", requestJSON(func(m map[string]any) { firstPassenger(m)["nationality"] = "FR" }, f), 400, "nationality", ""},
		{"alpha-3 issuer", requestJSON(func(m map[string]any) { firstPassenger(m)["passport_country_of_issue"] = "fra" }, f), 400, "passport_country_of_issue", ""},
		{"no bags", requestJSON(func(m map[string]any) { delete(m, "bags") }, f), 400, "bags", ""},
		{"bad fare type", requestJSON(func(m map[string]any) { m["fare_type"] = "oneway" }, f), 400, "fare_type", ""},
		{"round trip of one flight", requestJSON(func(m map[string]any) { m["fare_type"] = "round_trip" }, f), 400, "fare_type", ""},
		{"no customer code", requestJSON(func(m map[string]any) { m["customer_code"] = "" }, f), 400, "customer_code", ""},
		{"unknown flight", requestJSON(func(m map[string]any) { m["flight_ids"] = []any{2999999} }, f), 404, "2999999", "FLIGHT_NOT_FOUND"},
		{"bags of a flight missing", requestJSON(func(m map[string]any) { m["bags"] = map[string]any{} }, f), 400, "bags." + key, ""},
		{"bags of another flight", requestJSON(func(m map[string]any) { m["bags"].(map[string]any)["123"] = zeroBags(f) }, f), 400, "bags.123", ""},
		{"an option missing", requestJSON(func(m map[string]any) {
			bagsOf(m)["checked"] = bagsOf(m)["checked"].([]any)[:1]
		}, f), 400, "23 kg", ""},
		{"an option not sold", requestJSON(func(m map[string]any) {
			bagsOf(m)["checked"] = append(bagsOf(m)["checked"].([]any), map[string]any{"weight": 32, "quantity": 0})
		}, f), 400, "32 kg", ""},
		{"an option twice", requestJSON(func(m map[string]any) {
			bagsOf(m)["checked"] = append(bagsOf(m)["checked"].([]any), map[string]any{"weight": 20, "quantity": 1})
		}, f), 400, "twice", ""},
		{"cabin bag of another size", requestJSON(func(m map[string]any) {
			bagsOf(m)["cabin"] = []any{map[string]any{"dimensions": map[string]any{"width": 1, "height": 2, "length": 3}, "quantity": 0}}
		}, f), 400, "cabin", ""},
		{"negative quantity", requestJSON(func(m map[string]any) {
			bagsOf(m)["checked"].([]any)[0].(map[string]any)["quantity"] = -1
		}, f), 400, "quantity", ""},
		{"no adult", requestJSON(func(m map[string]any) { firstPassenger(m)["date_of_birth"] = "2015-01-01" }, f), 400, "adult", ""},
		{"more infants than adults", requestJSON(func(m map[string]any) {
			m["passengers"] = append(m["passengers"].([]any), passengerJSON("Baby", "2025-01-01"), passengerJSON("Baby2", "2024-09-01"))
		}, f), 400, "infants", ""},
		{"born after the flight", requestJSON(func(m map[string]any) {
			m["passengers"] = append(m["passengers"].([]any), passengerJSON("Late", "2025-09-01"))
		}, f), 400, "date_of_birth", ""},
		{"passport expired on the day", requestJSON(func(m map[string]any) { firstPassenger(m)["passport_expiry_date"] = "05/08/2025" }, f), 400, "passport_expiry_date", ""},
		{"round trip that is no fare", requestJSON(func(m map[string]any) { m["fare_type"] = "round_trip" }, outs[1], pairBack), 400, "round-trip fare", ""},
		{"round trip the wrong way", requestJSON(func(m map[string]any) { m["fare_type"] = "round_trip" }, pairBack, pairOut), 400, "round-trip fare", ""},
		{"departed flight", requestJSON(nil, schedule(testSeed, f.route, dayOf(testNow)-3)[0]), 409, "no longer available", "FLIGHT_UNAVAILABLE"},
	}
	s := New(Config{Token: testToken, Seed: testSeed, Now: clock})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, s, "/v3/requests", tt.body)
			var eb wire.ErrorBody
			if err := json.Unmarshal([]byte(body), &eb); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			want := tt.wantType
			if want == "" {
				want = "INVALID_REQUEST"
			}
			if status != tt.status || !strings.Contains(eb.Message, tt.inMsg) || eb.Type != want {
				t.Errorf("got %d %+v, want %d %s naming %q", status, eb, tt.status, want, tt.inMsg)
			}
		})
	}
	if len(s.requests) != 0 {
		t.Errorf("%d requests made by invalid bodies", len(s.requests))
	}
}

func TestSimulatorRequests(t *testing.T) {
	outs, backs, pairOut, pairBack := simFlights(t)
	s := New(Config{Token: testToken, Seed: testSeed, Now: clock})

	t.Run("two one-way fares in one call", func(t *testing.T) {
		status, body := post(t, s, "/v3/requests", requestJSON(func(m map[string]any) {
			m["passengers"] = append(m["passengers"].([]any), passengerJSON("Kid", "2019-06-01"), passengerJSON("Baby", "2025-01-01"))
			b := m["bags"].(map[string]any)[strconv.FormatInt(outs[1].id, 10)].(map[string]any)
			b["checked"].([]any)[1].(map[string]any)["quantity"] = 2
		}, outs[1], backs[0]))
		if status != http.StatusCreated {
			t.Fatalf("status %d: %s", status, body)
		}
		var got wire.RequestsResponse
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		in := func(n int64) *json.Number { c := cents(n); return &c }
		f0, f1 := outs[1], backs[0]
		c23 := carriers[f0.carrier].checked23
		want := wire.RequestsResponse{Requests: []wire.Request{
			{ID: FirstRequestID, FlightID: f0.id, Status: "pending", ExpiresAt: "2025-07-01T08:03:00Z",
				Price: cents(f0.price), InfantPrice: in(f0.infant), BagsPrice: cents(2 * c23),
				TotalPrice: cents(2*f0.price + f0.infant + 2*c23), Currency: "EUR"},
			{ID: FirstRequestID + 1, FlightID: f1.id, Status: "pending", ExpiresAt: "2025-07-01T08:03:00Z",
				Price: cents(f1.price), InfantPrice: in(f1.infant), BagsPrice: "0.00",
				TotalPrice: cents(2*f1.price + f1.infant), Currency: "EUR"},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})

	t.Run("round trip", func(t *testing.T) {
		status, body := post(t, s, "/v3/requests", requestJSON(func(m map[string]any) { m["fare_type"] = "round_trip" }, pairOut, pairBack))
		if status != http.StatusCreated {
			t.Fatalf("status %d: %s", status, body)
		}
		var got wire.RequestsResponse
		json.Unmarshal([]byte(body), &got)
		price, _ := pairFare(pairOut, pairBack)
		a, _ := providers.MoneyFromJSON(got.Requests[0].TotalPrice, "EUR")
		b, _ := providers.MoneyFromJSON(got.Requests[1].TotalPrice, "EUR")
		if len(got.Requests) != 2 || a.Amount+b.Amount != price || got.Requests[0].InfantPrice != nil {
			t.Errorf("requests %+v: totals must add up to the pair's %d cents, infant_price null", got.Requests, price)
		}
	})

	t.Run("not enough seats", func(t *testing.T) {
		f := outs[2]
		if err := s.SetSeats(f.view().Key(), 0); err != nil {
			t.Fatal(err)
		}
		status, body := post(t, s, "/v3/requests", requestJSON(nil, f))
		if status != http.StatusConflict || !strings.Contains(body, `"type":"FLIGHT_UNAVAILABLE"`) {
			t.Errorf("got %d %s, want 409 FLIGHT_UNAVAILABLE", status, body)
		}
		// Nothing is held on the other flight of a call that fails.
		before := len(s.requests)
		status, _ = post(t, s, "/v3/requests", requestJSON(nil, outs[0], f))
		if status != http.StatusConflict || len(s.requests) != before {
			t.Errorf("got %d and %d new requests, want 409 and none", status, len(s.requests)-before)
		}
	})
}

// makeRequests creates requests with body and returns their ids.
func makeRequests(t *testing.T, s *Simulator, body string) []int64 {
	t.Helper()
	status, out := post(t, s, "/v3/requests", body)
	var resp wire.RequestsResponse
	if err := json.Unmarshal([]byte(out), &resp); err != nil || status != http.StatusCreated {
		t.Fatalf("requests: %d %s", status, out)
	}
	var ids []int64
	for _, r := range resp.Requests {
		ids = append(ids, r.ID)
	}
	return ids
}

// bookingJSON is a booking body for ids paid by self_psp, changed by mut.
func bookingJSON(mut func(m map[string]any), ids ...int64) string {
	m := map[string]any{
		"request_ids": ids, "customer_code": "kiwi", "external_id": "ABC123",
		"first_name": "John", "last_name": "Doe", "gender": "male",
		"email": "john.doe@example.com", "phonenumber": "+33600000000", "self_psp": true,
	}
	if mut != nil {
		mut(m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// cardPayment turns a booking body into one paid by card.
func cardPayment(pm, eci string) func(m map[string]any) {
	return func(m map[string]any) {
		delete(m, "self_psp")
		m["payment_method"] = pm
		if eci != "" {
			m["three_d_secure"] = map[string]any{"version": "2.2.0", "electronic_commerce_indicator": eci,
				"cryptogram": "4BQwsg4yuKt0S1LI1nDZTcO9vUM=", "transaction_id": "f879ea1c-aa2c-4441-806d-e30406466d79"}
		}
	}
}

func TestSimulatorBookingValidation(t *testing.T) {
	outs, _, _, _ := simFlights(t)
	s := New(Config{Token: testToken, Seed: testSeed, Now: clock})
	id := makeRequests(t, s, requestJSON(nil, outs[1]))[0]
	tests := []struct {
		name   string
		body   string
		status int
		inMsg  string
	}{
		{"not JSON", "{", 400, "JSON"},
		{"unknown field", bookingJSON(func(m map[string]any) { m["request_id"] = id }, id), 400, "request_id"},
		{"no request", bookingJSON(nil), 400, "request_ids"},
		{"three requests", bookingJSON(nil, id, id+1, id+2), 400, "request_ids"},
		{"a request twice", bookingJSON(nil, id, id), 400, "request_ids"},
		{"no customer code", bookingJSON(func(m map[string]any) { delete(m, "customer_code") }, id), 400, "customer_code"},
		{"no first name", bookingJSON(func(m map[string]any) { m["first_name"] = "" }, id), 400, "first_name"},
		{"no last name", bookingJSON(func(m map[string]any) { delete(m, "last_name") }, id), 400, "last_name"},
		{"no email", bookingJSON(func(m map[string]any) { m["email"] = "john" }, id), 400, "email"},
		{"national phone number", bookingJSON(func(m map[string]any) { m["phonenumber"] = "0600000000" }, id), 400, "phonenumber"},
		{"upper-case gender", bookingJSON(func(m map[string]any) { m["gender"] = "MALE" }, id), 400, "gender"},
		{"no payment", bookingJSON(func(m map[string]any) { delete(m, "self_psp") }, id), 400, "payment_method or self_psp"},
		{"both payments", bookingJSON(func(m map[string]any) { m["payment_method"] = "pm_card_visa" }, id), 400, "not both"},
		{"not a payment method", bookingJSON(cardPayment("tok_visa", ""), id), 400, "payment_method"},
		{"failed authentication sent", bookingJSON(cardPayment("pm_card_visa", "07"), id), 400, "electronic_commerce_indicator"},
		{"3-D Secure with self_psp", bookingJSON(func(m map[string]any) {
			cardPayment("pm_card_visa", "05")(m)
			delete(m, "payment_method")
			m["self_psp"] = true
		}, id), 400, "three_d_secure"},
		{"unknown request", bookingJSON(nil, 1), 404, "Request 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := post(t, s, "/v3/bookings", tt.body)
			var eb wire.ErrorBody
			if err := json.Unmarshal([]byte(body), &eb); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if status != tt.status || !strings.Contains(eb.Message, tt.inMsg) || eb.Type == "" {
				t.Errorf("got %d %+v, want %d naming %q", status, eb, tt.status, tt.inMsg)
			}
		})
	}
	if n := s.BookingCount(); n != 0 {
		t.Errorf("%d bookings made by invalid bodies", n)
	}
}

func TestSimulatorBookings(t *testing.T) {
	outs, _, pairOut, pairBack := simFlights(t)
	clk := sim.NewClock(testNow)
	s := New(Config{Token: testToken, Seed: testSeed, Now: clk.Now})
	left := func(f simFlight) int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.leftLocked(f, clk.Now())
	}

	t.Run("declined card aborts the requests", func(t *testing.T) {
		f := outs[1]
		before := left(f)
		id := makeRequests(t, s, requestJSON(nil, f))[0]
		status, body := post(t, s, "/v3/bookings", bookingJSON(cardPayment("pm_card_chargeDeclined", ""), id))
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "PAYMENT_FAILED") {
			t.Errorf("got %d %s, want 422 PAYMENT_FAILED", status, body)
		}
		if got := left(f); got != before {
			t.Errorf("%d seats left, want %d: an aborted request holds none", got, before)
		}
		status, body = post(t, s, "/v3/bookings", bookingJSON(nil, id))
		if status != http.StatusForbidden || !strings.Contains(body, "REQUEST_ABORTED") {
			t.Errorf("booking an aborted request: %d %s, want 403", status, body)
		}
	})

	t.Run("card with 3-D Secure", func(t *testing.T) {
		f := outs[2]
		before := left(f)
		id := makeRequests(t, s, requestJSON(nil, f))[0]
		status, body := post(t, s, "/v3/bookings", bookingJSON(cardPayment("pm_card_visa", "05"), id))
		var b wire.Booking
		if err := json.Unmarshal([]byte(body), &b); err != nil || status != http.StatusCreated {
			t.Fatalf("got %d %s", status, body)
		}
		if b.Status != "confirmed" || len(b.CPReference) != 6 || b.ExternalID != "ABC123" || len(b.Flights) != 1 || b.Flights[0].ID != f.id {
			t.Errorf("booking %+v", b)
		}
		if got := left(f); got != before-1 {
			t.Errorf("%d seats left, want %d", got, before-1)
		}
		status, body = post(t, s, "/v3/bookings", bookingJSON(nil, id))
		var eb wire.ErrorBody
		json.Unmarshal([]byte(body), &eb)
		if status != http.StatusConflict || eb.Type != "REQUEST_ALREADY_BOOKED" || eb.CPReference != b.CPReference {
			t.Errorf("booking again: %d %s, want 409 REQUEST_ALREADY_BOOKED %s", status, body, b.CPReference)
		}
		status, got := simGet(t, s, "GET", "/v3/bookings?cp_reference="+b.CPReference, testToken, "")
		if status != http.StatusOK || got != body0(t, s, b.CPReference) {
			t.Errorf("GET: %d %s", status, got)
		}
	})

	t.Run("round-trip requests are booked together", func(t *testing.T) {
		ids := makeRequests(t, s, requestJSON(func(m map[string]any) { m["fare_type"] = "round_trip" }, pairOut, pairBack))
		status, body := post(t, s, "/v3/bookings", bookingJSON(nil, ids[0]))
		if status != http.StatusBadRequest || !strings.Contains(body, "round-trip") {
			t.Errorf("half a round trip: %d %s, want 400", status, body)
		}
		status, body = post(t, s, "/v3/bookings", bookingJSON(nil, ids[1], ids[0]))
		var b wire.Booking
		json.Unmarshal([]byte(body), &b)
		price, _ := pairFare(pairOut, pairBack)
		if status != http.StatusCreated || b.TotalPrice != cents(price) || len(b.Flights) != 2 {
			t.Errorf("got %d %s, want 201 for %s", status, body, cents(price))
		}
	})

	t.Run("expired", func(t *testing.T) {
		id := makeRequests(t, s, requestJSON(nil, outs[0]))[0]
		clk.Advance(requestTTL)
		status, body := post(t, s, "/v3/bookings", bookingJSON(nil, id))
		if status != http.StatusForbidden || !strings.Contains(body, "REQUEST_EXPIRED") {
			t.Errorf("got %d %s, want 403 REQUEST_EXPIRED", status, body)
		}
	})

	t.Run("retrieve", func(t *testing.T) {
		if status, body := simGet(t, s, "GET", "/v3/bookings", testToken, ""); status != 400 || !strings.Contains(body, "cp_reference") {
			t.Errorf("no reference: %d %s", status, body)
		}
		if status, body := simGet(t, s, "GET", "/v3/bookings?cp_reference=NOPENO", testToken, ""); status != 404 || !strings.Contains(body, "BOOKING_NOT_FOUND") {
			t.Errorf("unknown: %d %s", status, body)
		}
	})

	t.Run("references are deterministic", func(t *testing.T) {
		refs := func() []string {
			s := New(Config{Token: testToken, Seed: testSeed, Now: clock})
			var out []string
			for _, f := range outs[:3] {
				id := makeRequests(t, s, requestJSON(nil, f))[0]
				_, body := post(t, s, "/v3/bookings", bookingJSON(nil, id))
				var b wire.Booking
				json.Unmarshal([]byte(body), &b)
				out = append(out, b.CPReference)
			}
			return out
		}
		a, b := refs(), refs()
		if !cmp.Equal(a, b) || a[0] == a[1] || a[1] == a[2] {
			t.Errorf("references %v and %v: want the same three, all different", a, b)
		}
	})
}

// body0 is the booking ref as GET answers it, built from the state.
func body0(t *testing.T, s *Simulator, ref string) string {
	t.Helper()
	s.mu.Lock()
	b := s.bookingWireLocked(s.bookings[ref], s.now())
	s.mu.Unlock()
	out, _ := json.Marshal(b)
	return string(out) + "\n"
}

func TestSimulatorShiftSchedule(t *testing.T) {
	outs, _, _, _ := simFlights(t)
	s := New(Config{Token: testToken, Seed: testSeed, Now: clock})
	f := outs[1]
	for _, d := range []time.Duration{30 * time.Minute, 15 * time.Minute} {
		if err := s.ShiftSchedule(f.view().Key(), d); err != nil {
			t.Fatal(err)
		}
	}
	// A flight not flown that day, or by that carrier, is refused.
	other := f.view().Key()
	other.Date = "2019-12-31"
	if err := s.ShiftSchedule(other, time.Hour); !errors.Is(err, sim.ErrUnknownFlight) {
		t.Errorf("shift of %s: %v, want ErrUnknownFlight", other, err)
	}
	other = f.view().Key()
	other.Carrier = "ZZ"
	if err := s.SetSeats(other, 1); !errors.Is(err, sim.ErrUnknownFlight) {
		t.Errorf("seats of %s: %v, want ErrUnknownFlight", other, err)
	}
	_, body := simGet(t, s, "GET", flightsURL, testToken, "")
	want := fmt.Sprintf(`"id":%d,"flight_number":"%s","origin":"CDG","destination":"PMI","departure_date":"%s","arrival_date":"%s"`,
		f.id, f.number, f.dep.Add(45*time.Minute).Format(time.RFC3339), f.arr.Add(45*time.Minute).Format(time.RFC3339))
	if !strings.Contains(body, want) {
		t.Errorf("search does not show the new times %s:\n%s", want, body)
	}
}
