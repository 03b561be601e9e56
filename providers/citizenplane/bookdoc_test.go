package citizenplane

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
)

// These tests run the write side against hand-written servers that answer
// with the examples of provider-apis.md section A (and the quickstart,
// seed 004) verbatim, and check that what the adapter sends is the
// documented request, field for field.

// docRequestOneWay is the quickstart's one-way POST /v3/requests (its
// typographic quotes and trailing comma fixed).
const docRequestOneWay = `{
    "flight_ids": [4014831],
    "passengers": [
        {"first_name": "John", "last_name": "Doe", "gender": "male", "date_of_birth": "1970-01-01",
         "passport_number": "ABCDE123", "passport_expiry_date": "01/01/2040", "nationality": "fr", "passport_country_of_issue": "fr"},
        {"first_name": "Jane", "last_name": "Doe", "gender": "female", "date_of_birth": "1970-01-01",
         "passport_number": "ABCDE124", "passport_expiry_date": "01/01/2040", "nationality": "fr", "passport_country_of_issue": "fr"}
    ],
    "bags": {"4014831": {"checked": [{"weight": 20, "quantity": 1}],
                         "cabin": [{"dimensions": {"width": 56, "height": 45, "length": 25}, "quantity": 1}]}},
    "fare_type": "one_way",
    "customer_code": "kiwi"
}`

// docRequestRoundTrip is provider-apis.md's POST /v3/requests.
const docRequestRoundTrip = `{"flight_ids": [4014831, 3795943],
 "passengers": [{"first_name": "John", "last_name": "Doe", "gender": "male", "date_of_birth": "1970-01-01",
   "passport_number": "ABCDE123", "passport_expiry_date": "01/01/2040", "nationality": "fr",
   "passport_country_of_issue": "fr"}],
 "bags": {"4014831": {"checked": [{"weight": 20, "quantity": 1}],
                      "cabin":   [{"dimensions": {"width": 56, "height": 45, "length": 25}, "quantity": 1}]},
          "3795943": {"checked": [{"weight": 20, "quantity": 0}],
                      "cabin":   [{"dimensions": {"width": 56, "height": 45, "length": 25}, "quantity": 0}]}},
 "fare_type": "round_trip", "customer_code": "kiwi"}`

// docRequest is the documented request object answered by POST /v3/requests.
const docRequest = `{"id": 244401, "flight_id": 4014831, "status": "pending",
  "expires_at": "2025-08-01T09:03:00Z", "price": 89.99, "infant_price": null,
  "bags_price": 25.50, "total_price": 205.48, "currency": "EUR"}`

// docRequests is the documented answer of POST /v3/requests.
const docRequests = `{"requests": [` + docRequest + `]}`

// docBookingRequest is the documented POST /v3/bookings as we send it:
// self_psp instead of payment_method and three_d_secure.
const docBookingRequest = `{"request_ids": [244401, 244402], "customer_code": "kiwi", "external_id": "ABC123",
 "first_name": "John", "last_name": "Doe", "gender": "male",
 "email": "john.doe@example.com", "phonenumber": "+33600000000", "self_psp": true}`

// docBooking is the documented answer of POST /v3/bookings and GET /v3/bookings.
const docBooking = `{"cp_reference": "CPKVLF", "status": "confirmed", "external_id": "ABC123",
 "request_ids": [244401, 244402], "total_price": 410.96, "currency": "EUR",
 "flights": [` + docFlight + `, ` + docInbound + `]}`

// docAlreadyBooked is the documented 409 of a request booked already.
const docAlreadyBooked = `{"message": "Request 244401 is already booked", "type": "REQUEST_ALREADY_BOOKED", "cp_reference": "CPKVLF"}`

// The documented flights with the bag options of the documented requests:
// a 20 kg checked bag and a 56×45×25 cabin bag each.
var (
	docFlightBags  = strings.Replace(docFlight, `{"weight": 20, "price": 25.50}, {"weight": 23, "price": 32.00}`, `{"weight": 20, "price": 25.50}`, 1)
	docInboundBags = strings.Replace(docInbound, `"cabin": []`, `"cabin": [{"dimensions": {"width": 56, "height": 45, "length": 25}, "price": 15.00}]`, 1)
)

// docAnswer is a hand-written server's answer to one "METHOD /path".
type docAnswer struct {
	status int
	body   string
	// query, when set, is the exact query the request must carry.
	query string
}

// docRoutes serves answers by "METHOD /path" (and, for GET /v3/flights,
// by origin: "GET /v3/flights CDG"), checking the headers every call must
// carry, and logs the bodies it receives. Any other call fails the test.
func docRoutes(t *testing.T, answers map[string]docAnswer) (*httptest.Server, *bodyLog) {
	t.Helper()
	log := &bodyLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		b, _ := io.ReadAll(r.Body)
		log.add(key, b)
		a, ok := answers[key]
		if !ok {
			a, ok = answers[key+" "+r.URL.Query().Get("origin")]
		}
		if !ok {
			t.Errorf("unexpected call %s?%s", key, r.URL.RawQuery)
			w.WriteHeader(http.StatusTeapot)
			return
		}
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("%s: Authorization = %q", key, got)
		}
		if got := r.Header.Get("Accept"); got != "application/json" {
			t.Errorf("%s: Accept = %q", key, got)
		}
		if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: Content-Type = %q", key, r.Header.Get("Content-Type"))
		}
		if a.query != "" && r.URL.RawQuery != a.query {
			t.Errorf("%s: query %q, want %q", key, r.URL.RawQuery, a.query)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	return srv, log
}

// docClient is an adapter with the documentation's customer code.
func docClient(url string) *Client {
	return New(Config{BaseURL: url, Token: testToken, CustomerCode: "kiwi", Now: clock})
}

// The documentation's travellers and contact.
var (
	john = providers.Traveller{Type: providers.Adult, GivenName: "John", FamilyName: "Doe", Gender: "MALE", DateOfBirth: "1970-01-01",
		DocumentNumber: "ABCDE123", DocumentExpiresOn: "2040-01-01", DocumentIssuingCountry: "FR", Nationality: "FR"}
	jane = providers.Traveller{Type: providers.Adult, GivenName: "Jane", FamilyName: "Doe", Gender: "FEMALE", DateOfBirth: "1970-01-01",
		DocumentNumber: "ABCDE124", DocumentExpiresOn: "2040-01-01", DocumentIssuingCountry: "FR", Nationality: "FR"}
	johnContact = providers.Contact{GivenName: "John", FamilyName: "Doe", Email: "john.doe@example.com", PhoneNumber: "+33600000000"}
)

// docOneWayHold is the hold request the quickstart's one-way request is made from.
func docOneWayHold() providers.HoldRequest {
	return providers.HoldRequest{
		Part: providers.Part{Provider: Name, Ref: "4014831", FareType: providers.OneWay,
			OriginDestinations: []providers.OriginDestination{leg("CDG", "PMI", "2025-08-06")}, Passengers: providers.Passengers{Adults: 2}, Total: eur(17998)},
		Travellers: []providers.Traveller{john, jane},
		Contact:    johnContact,
		Selections: []providers.Selection{
			{Ref: "4014831:checked:20", PassengerIndex: 0, Quantity: 1},
			{Ref: "4014831:cabin:56x45x25", PassengerIndex: 1, Quantity: 1},
		},
	}
}

func TestHoldDocumentedOneWay(t *testing.T) {
	srv, log := docRoutes(t, map[string]docAnswer{
		"GET /v3/flights":   {200, `{"results": [` + docFlightBags + `], "total": 1, "page": 0, "total_pages": 1}`, ""},
		"POST /v3/requests": {201, docRequests, ""},
	})
	got, err := docClient(srv.URL).Hold(context.Background(), docOneWayHold())
	if err != nil {
		t.Fatalf("Hold: %v", err)
	}
	want := &providers.Hold{Ref: "244401", ExpiresAt: time.Date(2025, 8, 1, 9, 3, 0, 0, time.UTC), Total: eur(20548)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	jsonEqual(t, log.last(t, "POST /v3/requests"), docRequestOneWay)
}

func TestHoldDocumentedRoundTrip(t *testing.T) {
	// The second request is ours (the documentation shows one); the answer
	// lists it first, and the ref is still in flight order.
	second := `{"id": 244402, "flight_id": 3795943, "status": "pending", "expires_at": "2025-08-01T09:02:30Z",
	  "price": 70.01, "infant_price": null, "bags_price": 0, "total_price": 70.01, "currency": "EUR"}`
	srv, log := docRoutes(t, map[string]docAnswer{
		"GET /v3/flights CDG": {200, `{"results": [` + docFlightBags + `]}`, ""},
		"GET /v3/flights PMI": {200, `{"results": [` + docInboundBags + `]}`, ""},
		"POST /v3/requests":   {201, `{"requests": [` + second + `, ` + docRequest + `]}`, ""},
	})
	r := providers.HoldRequest{
		Part: providers.Part{Provider: Name, Ref: "4014831,3795943", FareType: providers.RoundTrip,
			OriginDestinations: []providers.OriginDestination{leg("CDG", "PMI", "2025-08-06"), leg("PMI", "CDG", "2025-08-13")},
			Passengers:         providers.Passengers{Adults: 1}, Total: eur(17998 + 7001)},
		Travellers: []providers.Traveller{john},
		Contact:    johnContact,
		Selections: []providers.Selection{{Ref: "4014831:checked:20", Quantity: 1}, {Ref: "4014831:cabin:56x45x25", Quantity: 1}},
	}
	got, err := docClient(srv.URL).Hold(context.Background(), r)
	if err != nil {
		t.Fatalf("Hold: %v", err)
	}
	want := &providers.Hold{Ref: "244401,244402", ExpiresAt: time.Date(2025, 8, 1, 9, 2, 30, 0, time.UTC), Total: eur(20548 + 7001)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	jsonEqual(t, log.last(t, "POST /v3/requests"), docRequestRoundTrip)
}

func TestHoldDocumentedErrors(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		body         string
		wantCode     providers.ErrorCode
		wantProvider string
	}{
		{"sold out", 409, docError, providers.SoldOut, "FLIGHT_UNAVAILABLE"},
		{"price moved", 409, `{"message": "The price of flight 4014831 changed", "type": "PRICE_CHANGED"}`, providers.PriceChanged, "PRICE_CHANGED"},
		{"unknown flight", 404, `{"message": "Flight 4014831 not found", "type": "FLIGHT_NOT_FOUND"}`, providers.OfferExpired, "FLIGHT_NOT_FOUND"},
		{"payload refused", 400, `{"message": "passengers[0].gender must be male or female", "type": "INVALID_REQUEST"}`, providers.Rejected, "INVALID_REQUEST"},
		{"validation", 422, `{"message": "Validation failed", "type": "VALIDATION_ERROR"}`, providers.Rejected, "VALIDATION_ERROR"},
		{"bad token", 401, `{"message": "Unauthorized", "type": "UNAUTHORIZED"}`, providers.Unavailable, "UNAUTHORIZED"},
		{"server error", 500, `{"message": "Internal server error", "type": "INTERNAL_ERROR"}`, providers.Unavailable, "INTERNAL_ERROR"},
		{"unreadable", 201, `{"requests": [{"id": 244401}]}`, providers.Unavailable, ""},
		{"a request missing", 201, `{"requests": []}`, providers.Unavailable, ""},
		{"price moved at request", 201, strings.Replace(docRequests, `"total_price": 205.48`, `"total_price": 215.48`, 1), providers.PriceChanged, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := docRoutes(t, map[string]docAnswer{
				"GET /v3/flights":   {200, `{"results": [` + docFlightBags + `]}`, ""},
				"POST /v3/requests": {tt.status, tt.body, ""},
			})
			h, err := docClient(srv.URL).Hold(context.Background(), docOneWayHold())
			if err == nil {
				t.Fatalf("got %+v, want an error", h)
			}
			pe := asProviderError(t, err)
			if pe.Code != tt.wantCode || pe.Status != tt.status || pe.ProviderCode != tt.wantProvider || pe.Op != "hold" {
				t.Errorf("got %s %s %d %q, want hold %s %d %q", pe.Op, pe.Code, pe.Status, pe.ProviderCode, tt.wantCode, tt.status, tt.wantProvider)
			}
			if pe.Message == "" || strings.Contains(pe.Message, "{") || strings.Contains(pe.Message, "4014831") {
				t.Errorf("Message %q must be ours", pe.Message)
			}
		})
	}
}

// docBookRequest is the book request the documented booking is made from.
func docBookRequest() providers.BookRequest {
	return providers.BookRequest{
		Part:       providers.Part{Provider: Name, Ref: "4014831,3795943", FareType: providers.RoundTrip},
		Hold:       providers.Hold{Ref: "244401,244402"},
		Travellers: []providers.Traveller{john},
		Contact:    johnContact,
		ExternalID: "ABC123",
	}
}

// docBooked is the booking of docBooking.
func docBooked(t *testing.T) *providers.Booking {
	t.Helper()
	paris := time.FixedZone("", 2*3600)
	return &providers.Booking{
		Reference: "CPKVLF", Status: providers.BookingConfirmed, Total: eur(41096),
		Slices: []providers.Slice{
			{Segments: []providers.Segment{{CarrierCode: "5O", FlightNumber: "7892", Origin: "CDG", Destination: "PMI",
				DepartureAt: time.Date(2025, 8, 6, 10, 0, 0, 0, paris), ArrivalAt: time.Date(2025, 8, 6, 12, 5, 0, 0, paris)}}},
			{Segments: []providers.Segment{{CarrierCode: "5O", FlightNumber: "7893", Origin: "PMI", Destination: "CDG",
				DepartureAt: time.Date(2025, 8, 13, 13, 0, 0, 0, paris), ArrivalAt: time.Date(2025, 8, 13, 15, 0, 0, 0, paris)}}},
		},
	}
}

func TestBookDocumented(t *testing.T) {
	srv, log := docRoutes(t, map[string]docAnswer{"POST /v3/bookings": {201, docBooking, ""}})
	got, err := docClient(srv.URL).Book(context.Background(), docBookRequest())
	if err != nil {
		t.Fatalf("Book: %v", err)
	}
	if diff := cmp.Diff(docBooked(t), got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	jsonEqual(t, log.last(t, "POST /v3/bookings"), docBookingRequest)
}

func TestBookAlreadyBookedDocumented(t *testing.T) {
	for _, op := range []string{"book", "find_booking"} {
		t.Run(op, func(t *testing.T) {
			srv, log := docRoutes(t, map[string]docAnswer{
				"POST /v3/bookings": {409, docAlreadyBooked, ""},
				"GET /v3/bookings":  {200, docBooking, "cp_reference=CPKVLF"},
			})
			c := docClient(srv.URL)
			f := c.Book
			if op == "find_booking" {
				f = c.FindBooking
			}
			got, err := f(context.Background(), docBookRequest())
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			if diff := cmp.Diff(docBooked(t), got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			jsonEqual(t, log.last(t, "POST /v3/bookings"), docBookingRequest)
		})
	}
}

func TestBookDocumentedErrors(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		body         string
		retrieve     *docAnswer // the answer of GET /v3/bookings, if called
		wantCode     providers.ErrorCode
		wantStatus   int
		wantProvider string
		// findNil: FindBooking answers (nil, nil) rather than the error.
		findNil bool
	}{
		{"expired", 403, `{"message": "Request 244401 has expired", "type": "REQUEST_EXPIRED"}`, nil, providers.HoldExpired, 403, "REQUEST_EXPIRED", true},
		{"aborted", 403, `{"message": "Request 244401 was aborted", "type": "REQUEST_ABORTED"}`, nil, providers.HoldExpired, 403, "REQUEST_ABORTED", true},
		{"sold out", 409, docError, nil, providers.SoldOut, 409, "FLIGHT_UNAVAILABLE", false},
		{"price moved", 409, `{"message": "Price changed", "type": "PRICE_CHANGED"}`, nil, providers.PriceChanged, 409, "PRICE_CHANGED", false},
		{"payment failed", 422, `{"message": "Payment failed", "type": "PAYMENT_FAILED"}`, nil, providers.Rejected, 422, "PAYMENT_FAILED", false},
		{"payload refused", 400, `{"message": "phonenumber must be E.164", "type": "INVALID_REQUEST"}`, nil, providers.Rejected, 400, "INVALID_REQUEST", false},
		{"unknown requests", 404, `{"message": "Request 244401 not found", "type": "REQUEST_NOT_FOUND"}`, nil, providers.NotFound, 404, "REQUEST_NOT_FOUND", false},
		{"server error", 500, `{"message": "Internal server error", "type": "INTERNAL_ERROR"}`, nil, providers.Unavailable, 500, "INTERNAL_ERROR", false},
		{"booked, unreadable answer", 201, `{"status": "confirmed"}`, nil, providers.Unavailable, 201, "", false},
		{"already booked, no reference", 409, `{"message": "Already booked", "type": "REQUEST_ALREADY_BOOKED"}`, nil, providers.Unavailable, 409, "REQUEST_ALREADY_BOOKED", false},
		{"already booked, read back fails", 409, docAlreadyBooked, &docAnswer{500, `{"message": "Internal server error", "type": "INTERNAL_ERROR"}`, ""}, providers.Unavailable, 500, "INTERNAL_ERROR", false},
		// The booking exists: a 404 reading it back must not read as "no booking".
		{"already booked, read back 404", 409, docAlreadyBooked, &docAnswer{404, `{"message": "Not found", "type": "BOOKING_NOT_FOUND"}`, ""}, providers.Unavailable, 404, "BOOKING_NOT_FOUND", false},
	}
	for _, tt := range tests {
		for _, op := range []string{"book", "find_booking"} {
			t.Run(tt.name+" "+op, func(t *testing.T) {
				answers := map[string]docAnswer{"POST /v3/bookings": {tt.status, tt.body, ""}}
				if tt.retrieve != nil {
					answers["GET /v3/bookings"] = *tt.retrieve
				}
				srv, _ := docRoutes(t, answers)
				c := docClient(srv.URL)
				f := c.Book
				if op == "find_booking" {
					f = c.FindBooking
				}
				got, err := f(context.Background(), docBookRequest())
				if op == "find_booking" && tt.findNil {
					if got != nil || err != nil {
						t.Errorf("got %+v, %v; want nil, nil", got, err)
					}
					return
				}
				if err == nil {
					t.Fatalf("got %+v, want an error", got)
				}
				pe := asProviderError(t, err)
				if pe.Code != tt.wantCode || pe.Status != tt.wantStatus || pe.ProviderCode != tt.wantProvider || pe.Op != op {
					t.Errorf("got %s %s %d %q, want %s %s %d %q", pe.Op, pe.Code, pe.Status, pe.ProviderCode, op, tt.wantCode, tt.wantStatus, tt.wantProvider)
				}
				if pe.Message == "" || strings.Contains(pe.Message, "{") || strings.Contains(pe.Message, "244401") {
					t.Errorf("Message %q must be ours", pe.Message)
				}
			})
		}
	}
}

func TestRetrieveDocumented(t *testing.T) {
	tests := []struct {
		name       string
		answer     docAnswer
		wantStatus providers.BookingStatus
		wantCode   providers.ErrorCode
	}{
		{"confirmed", docAnswer{200, docBooking, "cp_reference=CPKVLF"}, providers.BookingConfirmed, ""},
		{"pending", docAnswer{200, strings.Replace(docBooking, `"confirmed"`, `"pending"`, 1), ""}, providers.BookingPending, ""},
		{"cancelled", docAnswer{200, strings.Replace(docBooking, `"confirmed"`, `"cancelled"`, 1), ""}, providers.BookingCanceled, ""},
		{"unknown", docAnswer{404, `{"message": "Booking CPKVLF not found", "type": "BOOKING_NOT_FOUND"}`, ""}, "", providers.NotFound},
		{"another booking", docAnswer{200, strings.Replace(docBooking, "CPKVLF", "CPXXXX", 1), ""}, "", providers.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := docRoutes(t, map[string]docAnswer{"GET /v3/bookings": tt.answer})
			got, err := docClient(srv.URL).Retrieve(context.Background(), "CPKVLF")
			if tt.wantCode != "" {
				if pe := asProviderError(t, err); pe.Code != tt.wantCode || pe.Op != "retrieve" {
					t.Errorf("got %v, want %s", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("Retrieve: %v", err)
			}
			want := docBooked(t)
			want.Status = tt.wantStatus
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	t.Run("no reference asks nothing", func(t *testing.T) {
		srv, _ := docRoutes(t, nil)
		_, err := docClient(srv.URL).Retrieve(context.Background(), " ")
		if pe := asProviderError(t, err); pe.Code != providers.Rejected {
			t.Errorf("got %v, want Rejected", err)
		}
	})
}
