package citizenplane

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
)

// These tests run the adapter against hand-written servers that answer
// with the examples of provider-apis.md section A verbatim, so that the
// adapter follows the provider's documented shape and not only our
// simulator.

// docFlight is the flight object of the documented search example.
const docFlight = `{
  "id": 4014831, "flight_number": "5O7892",
  "origin": "CDG", "destination": "PMI",
  "departure_date": "2025-08-06T10:00:00+02:00", "arrival_date": "2025-08-06T12:05:00+02:00",
  "airline": {"name": "ASL Airlines France", "iata_code": "5O"},
  "available_seats": 20, "cabin_class": "economy", "booking_class": "Y",
  "price": 89.99, "infant_price": 25.00, "included_airport_tax": 13.20, "currency": "EUR",
  "bags": {"checked": [{"weight": 20, "price": 25.50}, {"weight": 23, "price": 32.00}],
           "cabin":   [{"dimensions": {"width": 56, "height": 45, "length": 25}, "price": 15.00}]}
 }`

// docSearch is the documented answer of GET /v3/flights.
const docSearch = `{"results": [` + docFlight + `], "total": 1, "page": 0, "total_pages": 1}`

// docInbound is a return flight in the documented flight shape.
const docInbound = `{
  "id": 3795943, "flight_number": "5O7893",
  "origin": "PMI", "destination": "CDG",
  "departure_date": "2025-08-13T13:00:00+02:00", "arrival_date": "2025-08-13T15:00:00+02:00",
  "airline": {"name": "ASL Airlines France", "iata_code": "5O"},
  "available_seats": 12, "cabin_class": "economy", "booking_class": "Y",
  "price": 79.99, "infant_price": 25.00, "included_airport_tax": 9.85, "currency": "EUR",
  "bags": {"checked": [{"weight": 20, "price": 25.50}], "cabin": []}
 }`

// docRoundTrips is the documented answer of GET /v3/roundTrips.
const docRoundTrips = `{"results": [{"outbound": ` + docFlight + `, "inbound": ` + docInbound + `, "price": 160.00, "infant_price": 45.00, "currency": "EUR"}]}`

// docVerify is the documented answer of POST /v3/flights/verify.
const docVerify = `{"price": 50, "currency": "EUR", "infant_price": null, "total_price": 50, "included_airport_tax": 13.2}`

// docError is the assumed error body.
const docError = `{"message": "Flight 4014831 is no longer available", "type": "FLIGHT_UNAVAILABLE"}`

// docServer answers method and path with status and body after checking
// the headers every call must carry; check may inspect the request more.
func docServer(t *testing.T, method, path string, status int, body string, check func(*http.Request)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method || r.URL.Path != path {
			t.Errorf("request %s %s, want %s %s", r.Method, r.URL.Path, method, path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("Authorization = %q", got)
		}
		if got := r.Header.Get("Accept"); got != "application/json" {
			t.Errorf("Accept = %q", got)
		}
		if check != nil {
			check(r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// wantQuery returns a check that the request has exactly the query want.
func wantQuery(t *testing.T, want url.Values) func(*http.Request) {
	return func(r *http.Request) {
		if diff := cmp.Diff(want, r.URL.Query()); diff != "" {
			t.Errorf("query (-want +got)\n%s", diff)
		}
	}
}

func TestSearchDocumentedAnswer(t *testing.T) {
	srv := docServer(t, "GET", "/v3/flights", 200, docSearch, wantQuery(t, url.Values{
		"origin": {"CDG"}, "destination": {"PMI"}, "start": {"2025-08-06"}, "end": {"2025-08-07"}, "seats": {"2"},
	}))
	pax := providers.Passengers{Adults: 1, Children: 1, Infants: 1}
	q := providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: pax, Currency: "GBP"}
	c := newTestClient(srv.URL+"/", nil) // a trailing slash on the origin is tolerated
	if c.Name() != "citizenplane" {
		t.Errorf("Name() = %q", c.Name())
	}
	got, err := c.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	paris := time.FixedZone("", 2*3600)
	want := []providers.Offer{{
		FareType: providers.OneWay,
		Slices: []providers.Slice{{Segments: []providers.Segment{{
			CarrierCode: "5O", FlightNumber: "7892", Origin: "CDG", Destination: "PMI",
			DepartureAt: time.Date(2025, 8, 6, 10, 0, 0, 0, paris),
			ArrivalAt:   time.Date(2025, 8, 6, 12, 5, 0, 0, paris),
		}}}},
		Parts: []providers.Part{{
			Provider: "citizenplane", Ref: "4014831", FareType: providers.OneWay,
			OriginDestinations: []providers.OriginDestination{q.OriginDestination}, Passengers: pax, Total: eur(20498),
			Taxes:          eur(2640), // 2 seats × 13.20; the infant pays no airport tax
			PerPassenger:   providers.PassengerPrice{Adult: eur(8999), Child: eurp(8999), Infant: eurp(2500)},
			PassengerTaxes: providers.PassengerPrice{Adult: eur(1320), Child: eurp(1320), Infant: eurp(0)},
			Fare:           wantFare, // "cabin_class": "economy"
		}},
		Total:          eur(20498), // 2 seats × 89.99 + 1 infant × 25.00
		PerPassenger:   providers.PassengerPrice{Adult: eur(8999), Child: eurp(8999), Infant: eurp(2500)},
		SeatsAvailable: 20,
		Conditions:     wantFare.Conditions,
		ExpiresAt:      testNow.Add(20 * time.Minute),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if name, off := got[0].Slices[0].Segments[0].DepartureAt.Zone(); off != 7200 {
		t.Errorf("departure zone %q %d, want the +02:00 offset kept", name, off)
	}
}

func TestSearchKeepsOnlyTheSearchedDay(t *testing.T) {
	nextDay := strings.Replace(docFlight, `"2025-08-06T10:00:00+02:00", "arrival_date": "2025-08-06T12:05:00+02:00"`,
		`"2025-08-07T00:30:00+02:00", "arrival_date": "2025-08-07T02:35:00+02:00"`, 1)
	srv := docServer(t, "GET", "/v3/flights", 200, `{"results": [`+docFlight+`, `+nextDay+`]}`, nil)
	got, err := newTestClient(srv.URL, nil).Search(context.Background(),
		providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: providers.Passengers{Adults: 1}})
	if err != nil || len(got) != 1 {
		t.Fatalf("got %d offers, %v; want 1", len(got), err)
	}
}

func TestSearchRoundTripsDocumentedAnswer(t *testing.T) {
	srv := docServer(t, "GET", "/v3/roundTrips", 200, docRoundTrips, wantQuery(t, url.Values{
		"origin": {"CDG"}, "destination": {"PMI"}, "start": {"2025-08-06"}, "end": {"2025-08-07"},
		"returnStart": {"2025-08-13"}, "returnEnd": {"2025-08-14"}, "seats": {"2"},
	}))
	pax := providers.Passengers{Adults: 2, Infants: 1}
	q := providers.RoundTripQuery{Outbound: leg("CDG", "PMI", "2025-08-06"), Return: leg("PMI", "CDG", "2025-08-13"), Passengers: pax}
	got, err := newTestClient(srv.URL, nil).SearchRoundTrips(context.Background(), q)
	if err != nil {
		t.Fatalf("SearchRoundTrips: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d offers, want 1", len(got))
	}
	wantPart := providers.Part{
		Provider: Name, Ref: "4014831,3795943", FareType: providers.RoundTrip,
		OriginDestinations: []providers.OriginDestination{q.Outbound, q.Return}, Passengers: pax, Total: eur(36500), // 2 × 160.00 + 45.00
		Taxes:          eur(4610), // 2 seats × (13.20 + 9.85); the infant pays no airport tax
		PerPassenger:   providers.PassengerPrice{Adult: eur(16000), Infant: eurp(4500)},
		PassengerTaxes: providers.PassengerPrice{Adult: eur(2305), Infant: eurp(0)},
		Fare:           wantFare,
	}
	o := got[0]
	if diff := cmp.Diff([]providers.Part{wantPart}, o.Parts); diff != "" {
		t.Errorf("parts (-want +got)\n%s", diff)
	}
	if o.FareType != providers.RoundTrip || len(o.Slices) != 2 || o.SeatsAvailable != 12 || o.Total != eur(36500) {
		t.Errorf("got %s, %d slices, %d seats, %s; want ROUND_TRIP, 2, 12, 365.00 EUR", o.FareType, len(o.Slices), o.SeatsAvailable, o.Total)
	}
	if fn := o.Slices[1].Segments[0].FlightNumber; fn != "7893" {
		t.Errorf("return flight number %q, want 7893", fn)
	}
}

func TestCheckPriceDocumentedAnswers(t *testing.T) {
	part := providers.Part{Provider: Name, Ref: "4014831", FareType: providers.OneWay,
		OriginDestinations: []providers.OriginDestination{leg("CDG", "PMI", "2025-08-06")}, Passengers: providers.Passengers{Adults: 1}, Total: eur(8999)}
	wantBody := `{"flight_id":4014831,"passengers":{"adults":1,"children":0,"infants":0},"customer_code":"faregraph"}`
	checkBody := func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != wantBody {
			t.Errorf("body %s, want %s", b, wantBody)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
	}
	tests := []struct {
		name   string
		status int
		body   string
		want   *providers.PriceCheck
	}{
		{"price moved", 200, docVerify, &providers.PriceCheck{Available: true, Total: eur(5000)}},
		{"no longer available", 409, docError, &providers.PriceCheck{Available: false}},
		{"unknown flight", 404, `{"message": "Flight 4014831 not found", "type": "FLIGHT_NOT_FOUND"}`, &providers.PriceCheck{Available: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := docServer(t, "POST", "/v3/flights/verify", tt.status, tt.body, checkBody)
			got, err := newTestClient(srv.URL, nil).CheckPrice(context.Background(), part)
			if err != nil {
				t.Fatalf("CheckPrice: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestListAncillariesDocumentedAnswer(t *testing.T) {
	srv := docServer(t, "GET", "/v3/flights", 200, docSearch, nil)
	part := providers.Part{Provider: Name, Ref: "4014831", FareType: providers.OneWay,
		OriginDestinations: []providers.OriginDestination{leg("CDG", "PMI", "2025-08-06")}, Passengers: providers.Passengers{Adults: 2}}
	got := newTestClient(srv.URL, nil).ListAncillaries(context.Background(), []providers.Part{part})
	want := []providers.AncillaryResult{{Ancillaries: []providers.Ancillary{
		{Ref: "4014831:checked:20", Kind: providers.CheckedBag, Description: "Checked bag 20 kg", Price: eur(2550), WeightKg: 20, Segment: "5O7892"},
		{Ref: "4014831:checked:23", Kind: providers.CheckedBag, Description: "Checked bag 23 kg", Price: eur(3200), WeightKg: 23, Segment: "5O7892"},
		{Ref: "4014831:cabin:56x45x25", Kind: providers.CabinBag, Description: "Cabin bag 56×45×25 cm", Price: eur(1500), Dimensions: "56x45x25", Segment: "5O7892"},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestErrorAnswers(t *testing.T) {
	tests := []struct {
		status       int
		body         string
		wantCode     providers.ErrorCode
		wantProvider string
	}{
		{400, `{"message": "seats is required", "type": "INVALID_REQUEST"}`, providers.Rejected, "INVALID_REQUEST"},
		{401, `{"message": "Unauthorized", "type": "UNAUTHORIZED"}`, providers.Unavailable, "UNAUTHORIZED"},
		{403, `{"message": "Forbidden", "type": "FORBIDDEN"}`, providers.Unavailable, "FORBIDDEN"},
		{404, `{"message": "Not found", "type": "NOT_FOUND"}`, providers.NotFound, "NOT_FOUND"},
		{409, docError, providers.OfferExpired, "FLIGHT_UNAVAILABLE"},
		{422, `{"message": "Validation failed", "type": "VALIDATION_ERROR"}`, providers.Rejected, "VALIDATION_ERROR"},
		{429, `{"message": "Slow down", "type": "RATE_LIMITED"}`, providers.Unavailable, "RATE_LIMITED"},
		{500, `{"message": "Internal server error", "type": "INTERNAL_ERROR"}`, providers.Unavailable, "INTERNAL_ERROR"},
		{502, `<html><body>Bad gateway</body></html>`, providers.Unavailable, ""},
		{200, `{"results": [`, providers.Unavailable, ""},
		{200, strings.Replace(docSearch, `"price": 89.99`, `"price": 13.205`, 1), providers.Unavailable, ""},
		{200, strings.Replace(docSearch, `"2025-08-06T10:00:00+02:00"`, `"tomorrow"`, 1), providers.Unavailable, ""},
	}
	q := providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: providers.Passengers{Adults: 1}}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status)+" "+tt.wantProvider, func(t *testing.T) {
			srv := docServer(t, "GET", "/v3/flights", tt.status, tt.body, nil)
			offers, err := newTestClient(srv.URL, nil).Search(context.Background(), q)
			if err == nil {
				t.Fatalf("got %d offers and no error", len(offers))
			}
			pe := asProviderError(t, err)
			if pe.Code != tt.wantCode || pe.Status != tt.status || pe.ProviderCode != tt.wantProvider || pe.Op != "search" {
				t.Errorf("got %s %s %d %q, want search %s %d %q", pe.Op, pe.Code, pe.Status, pe.ProviderCode, tt.wantCode, tt.status, tt.wantProvider)
			}
			if pe.Message == "" || strings.Contains(pe.Message, "{") || strings.Contains(pe.Message, "Flight 4014831") {
				t.Errorf("Message %q must be ours: short, no provider body", pe.Message)
			}
		})
	}
	t.Run("401 says authentication was refused", func(t *testing.T) {
		srv := docServer(t, "GET", "/v3/flights", 401, `{"message": "Unauthorized", "type": "UNAUTHORIZED"}`, nil)
		_, err := newTestClient(srv.URL, nil).Search(context.Background(), q)
		if pe := asProviderError(t, err); !strings.Contains(pe.Message, "authentication") {
			t.Errorf("Message %q should say authentication was refused", pe.Message)
		}
	})
}

func TestSearchFollowsPages(t *testing.T) {
	flightN := func(id int) string {
		return strings.Replace(docFlight, `"id": 4014831`, fmt.Sprintf(`"id": %d`, id), 1)
	}
	tests := []struct {
		name        string
		honourPages bool
		wantIDs     []string
		wantCalls   int
	}{
		{"pages followed", true, []string{"1", "2"}, 2},
		{"page parameter ignored: no duplicates", false, []string{"1"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				p, _ := strconv.Atoi(r.URL.Query().Get("page"))
				if !tt.honourPages {
					p = 0
				}
				body, _ := json.Marshal(map[string]any{
					"results": []json.RawMessage{json.RawMessage(flightN(p + 1))}, "total": 2, "page": p, "total_pages": 2,
				})
				w.Write(body)
			}))
			defer srv.Close()
			offers, err := newTestClient(srv.URL, nil).Search(context.Background(),
				providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: providers.Passengers{Adults: 1}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, o := range offers {
				ids = append(ids, o.Parts[0].Ref)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" || int(calls.Load()) != tt.wantCalls {
				t.Errorf("calls %d (want %d), ids (-want +got)\n%s", calls.Load(), tt.wantCalls, diff)
			}
		})
	}
}
