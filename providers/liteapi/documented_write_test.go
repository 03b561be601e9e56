package liteapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
)

// documentedSegment is the example flight of B.1, with the segmentKey the
// services of B.8 name.
const documentedSegment = `{"segmentKey":"35125125","stopCount":0,"originCode":"JFK","originName":"John F. Kennedy International Airport",
    "destinationCode":"CDG","destinationName":"Charles de Gaulle Airport","departureTime":"2026-07-01T16:10:00",
    "arrivalTime":"2026-07-02T05:55:00","direction":"OUTBOUND","duration":{"iso8601":"PT7H45M","minutes":465},
    "flight":{"marketingNumber":"2017","operatingNumber":"2017"},
    "carrier":{"marketingCode":"DE","marketingName":"Condor Flugdienst","operatingCode":"DE","operatingName":"Condor Flugdienst"}}`

// documentedAttachable is B.8's example, its elided serviceIds filled in.
const documentedAttachable = `{"expiresAt":"2026-03-19T14:31:42.493Z","groups":[
 {"available":true,"category":"seat","label":"Seat Selection","services":[
   {"serviceId":"g6Rwc2lk2SQwMTlkMDY3","name":"Seat 7A","category":"seat","passengerType":"ALL","segmentKey":"35125125",
    "pricing":{"display":{"amount":21.83,"currency":"USD"},"converted":true},
    "metadata":{"seat":{"available":true,"position":"window","seatColumn":"A","seatNumber":"7A","seatRow":7,"seatType":"extra_legroom"}}}]},
 {"available":true,"category":"baggage","label":"Extra Baggage","services":[
   {"serviceId":"g6Rwc2lk2SQwMTlkMDY4","name":"Standard Check In Baggage 10kg","category":"baggage","passengerType":"ALL","segmentKey":"35125125",
    "pricing":{"display":{"amount":13.62,"currency":"USD"},"converted":true},"metadata":{"baggage":{"bagType":"checked","pieces":1,"weightKg":10}}}]}]}`

// documentedPrebook is B.3's 200 example with its elisions filled in.
const documentedPrebook = `{"data":[{"prebookId":"019d0674-834d-7db7-9c8b-93fe8e46e7b8",
 "booking":{"timestamp":"2026-03-19T14:16:42.493Z",
   "journey":{"journeyKey":"a3bbe883fe3a4f6b","segments":[` + documentedSegment + `],
     "pricing":{"display":{"total":740.27,"currency":"USD","base":403.63,"fees":0,"taxes":336.64},"converted":false},
     "terms":{"changeable":true,"refundable":false},"cabinClass":"ECONOMY",
     "fare":{"family":"Economy","mixedCabin":false,"mixedFareFamily":false,"seatsRemaining":7},
     "segmentFares":[{"segmentKey":"35125125","bookingCode":"W","cabin":"Economy","fareBasisCode":"WRAQ1","fareFamily":"Economy","seatsRemaining":7}],
     "baggage":{"included":[{"bagType":"cabin","description":"1 carry-on bag up to 8 kg","passengerType":"ADT","pieces":1,
       "pricing":{"display":{"amount":0,"currency":"USD"},"converted":false},"unit":"kg","weightKg":8}],"paid":[]}},
   "passengers":[{"firstName":"John","lastName":"Doe","birthday":"1996-04-28","gender":"M","nationality":"US","passengerType":0,
     "documentType":"passport","documentNumber":"123456789","documentIssueCountry":"US","documentExpiry":"2030-04-28"}],
   "order":{"reference":{"orderId":"ord_7c1f0a","airlineBookings":[{"airlineCode":"DE","airlineName":"Condor","airlinePnr":"K7XQ2M"}]}},
   "contact":{"firstName":"John","lastName":"Doe","email":"j.doe@example.com","phoneCountryCode":"33","phoneNumber":"670355364"}},
 "price":740.27,"currency":"USD","transactionId":"tr_cts_WaTMq2","secretKey":"pi_3TCh9x_secret_Zk1","publishableKey":null,
 "offerId":"h6NwaWTZJDAx…","servicesAttachable":` + documentedAttachable + `,"voucherCode":"SPRING","voucherTotalAmount":20,
 "paymentTypes":["TRANSACTION_ID","CREDIT","ACC_CREDIT_CARD"]}]}`

// documentedFlightBooking is a FlightBooking with every field B.6 lists,
// status left to fill.
const documentedFlightBooking = `{"bookingId":"019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10","bookingRef":"FH-263-7KQ2M9XA","status":%q,
 "cancelIntentAt":null,"timestamp":"2026-03-19T14:20:11.120Z","offerId":"h6NwaWTZJDAx…","paymentStatus":"not_required",
 "providerEnvironment":"sandbox","ticketLimitTime":"2026-03-20T14:20:11.000Z",
 "journey":{"journeyKey":"a3bbe883fe3a4f6b","segments":[` + documentedSegment + `]},
 "passengers":[{"firstName":"John","lastName":"Doe","birthday":"1996-04-28","gender":"M","passengerType":0}],
 "contact":{"firstName":"John","lastName":"Doe","email":"j.doe@example.com","phoneCountryCode":"33","phoneNumber":"670355364"},
 "order":{"reference":{"orderId":"ord_7c1f0a","airlineBookings":[{"airlineCode":"DE","airlineName":"Condor","airlinePnr":"K7XQ2M"}]},
   "currency":"USD","status":"created","price":{"currency":"USD","total":761.1},"ticketLimitTime":"2026-03-20T14:20:11.000Z"},
 "airlineLocators":[{"airlineCode":"DE","airlinePnr":"K7XQ2M"}],
 "pricing":{"subtotal":740.27,"servicesAmount":20.83,"seatsAmount":0,"baggageAmount":20.83,"totalAmount":761.10,
   "merchantOfRecordFee":0,"ticketingFee":0,"feesIncludedInTotal":true,"currency":"USD"},
 "payment":{"amount":738.94,"currency":"USD"},"selectedServices":[{"passengerIndex":0,"serviceId":"g6Rwc2lk2SQwMTlkMDY4","quantity":1}],
 "bookedServices":[],"ticketData":null,"timings":{"createdAt":"2026-03-19T14:20:11.120Z"},
 "paymentInput":{"method":"CREDIT"},"customTags":{"FAREGRAPH_REF":"FG-1"},"distributorCommission":null,"distributorPrice":null}`

// documentedReplay is B.6's 200 replay.
const documentedReplay = `{"data":[{"booking":{"bookingId":"019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10","status":"CONFIRMED"},
 "message":"a booking already exists for this prebookId; returning the existing booking"}]}`

// fakeAnswer is what a fake server answers one method and path.
type fakeAnswer struct {
	status int
	body   string
}

// fakeAPI serves fixed answers by "METHOD /path" under /v3.0 and keeps
// the request bodies it was sent, in order.
type fakeAPI struct {
	t       *testing.T
	answers map[string]fakeAnswer
	mu      sync.Mutex
	got     []string // "METHOD /path body"
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	key := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/v3.0")
	f.mu.Lock()
	f.got = append(f.got, strings.TrimSpace(key+" "+string(raw)))
	f.mu.Unlock()
	a, ok := f.answers[key]
	if !ok || r.Header.Get("X-API-Key") != testKey {
		f.t.Errorf("unexpected %s, key %q", key, r.Header.Get("X-API-Key"))
		w.WriteHeader(http.StatusTeapot)
		return
	}
	if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "application/json" {
		f.t.Errorf("%s: content type %q", key, r.Header.Get("Content-Type"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (f *fakeAPI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

func newFakeAPI(t *testing.T, answers map[string]fakeAnswer) (*fakeAPI, *Client, *recorder) {
	f := &fakeAPI{t: t, answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	obs := &recorder{}
	return f, New(Config{BaseURL: srv.URL + "/v3.0", APIKey: testKey, HTTPClient: srv.Client(), Observer: obs, Now: newClock().Now}), obs
}

var documentedPart = providers.Part{Provider: Name, Ref: "h6NwaWTZJDAx…", FareType: providers.OneWay,
	OriginDestinations: []providers.OriginDestination{leg("JFK", "CDG", "2026-07-01")}, Passengers: providers.Passengers{Adults: 1},
	Total: providers.Money{Amount: 75387, Currency: "USD"}}

var documentedTraveller = providers.Traveller{Type: providers.Adult, GivenName: "John", FamilyName: "Doe", Gender: "MALE",
	DateOfBirth: "1996-04-28", DocumentNumber: "123456789", DocumentExpiresOn: "2030-04-28", DocumentIssuingCountry: "US", Nationality: "US"}

var documentedSlices = []providers.Slice{{Segments: []providers.Segment{{CarrierCode: "DE", FlightNumber: "2017", Origin: "JFK", Destination: "CDG",
	DepartureAt: time.Date(2026, 7, 1, 16, 10, 0, 0, providers.AirportLocation("JFK")),
	ArrivalAt:   time.Date(2026, 7, 2, 5, 55, 0, 0, providers.AirportLocation("CDG")), OperatingCarrierCode: "DE"}}}}

// TestDocumentedPrebook: the adapter reads B.3's example, with B.8's
// services, and sends B.3's flat body.
func TestDocumentedPrebook(t *testing.T) {
	f, c, _ := newFakeAPI(t, map[string]fakeAnswer{"POST /flights/prebooks": {200, documentedPrebook}})
	h, err := c.Hold(context.Background(), providers.HoldRequest{Part: documentedPart, Travellers: []providers.Traveller{documentedTraveller},
		Contact: providers.Contact{GivenName: "John", FamilyName: "Doe", Email: "j.doe@example.com", PhoneNumber: "+33670355364"}})
	if err != nil {
		t.Fatal(err)
	}
	wantBody := `POST /flights/prebooks {"offerId":"h6NwaWTZJDAx…","usePaymentSdk":false,"includeCreditBalance":false,` +
		`"contact":{"firstName":"John","lastName":"Doe","email":"j.doe@example.com","phoneCountryCode":"33","phoneNumber":"670355364"},` +
		`"passengers":[{"firstName":"John","lastName":"Doe","birthday":"1996-04-28","gender":"M","nationality":"US","passengerType":0,` +
		`"documentType":"passport","documentNumber":"123456789","documentIssueCountry":"US","documentExpiry":"2030-04-28"}]}`
	if diff := cmp.Diff([]string{wantBody}, f.requests()); diff != "" {
		t.Errorf("requests (-want +got)\n%s", diff)
	}
	want := &providers.Hold{
		Ref:       "019d0674-834d-7db7-9c8b-93fe8e46e7b8",
		ExpiresAt: time.Date(2026, 3, 19, 14, 31, 42, 493e6, time.UTC),
		Total:     providers.Money{Amount: 74027, Currency: "USD"},
		Ancillaries: []providers.Ancillary{
			{Ref: "g6Rwc2lk2SQwMTlkMDY3", Kind: providers.Seat, Description: "Seat 7A", Price: providers.Money{Amount: 2183, Currency: "USD"}, Segment: "DE2017",
				Seat: &providers.SeatInfo{Designator: "7A", Row: 7, Column: "A", Available: true,
					Characteristics: []providers.SeatCharacteristic{providers.Window, providers.ExtraLegroom}}},
			{Ref: "g6Rwc2lk2SQwMTlkMDY4", Kind: providers.CheckedBag, Description: "Standard Check In Baggage 10kg",
				Price: providers.Money{Amount: 1362, Currency: "USD"}, WeightKg: 10, Segment: "DE2017"},
		},
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestDocumentedAttach: Attach posts the seats to the prebook's services
// path in the documented body (B.5: selectedServices with passengerIndex,
// serviceId, quantity) and answers the hold with the new price, keeping
// the prebook's id.
func TestDocumentedAttach(t *testing.T) {
	path := "POST /flights/prebooks/019d0674-834d-7db7-9c8b-93fe8e46e7b8/services"
	f, c, _ := newFakeAPI(t, map[string]fakeAnswer{path: {200, documentedPrebook}})
	h, err := c.Attach(context.Background(), providers.AttachRequest{Part: documentedPart,
		Hold:       providers.Hold{Ref: "019d0674-834d-7db7-9c8b-93fe8e46e7b8"},
		Selections: []providers.Selection{{Ref: "g6Rwc2lk2SQwMTlkMDY3", PassengerIndex: 0, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	wantBody := path + ` {"selectedServices":[{"passengerIndex":0,"serviceId":"g6Rwc2lk2SQwMTlkMDY3","quantity":1}]}`
	if diff := cmp.Diff([]string{wantBody}, f.requests()); diff != "" {
		t.Errorf("requests (-want +got)\n%s", diff)
	}
	if h.Ref != "019d0674-834d-7db7-9c8b-93fe8e46e7b8" || h.Total != (providers.Money{Amount: 74027, Currency: "USD"}) {
		t.Errorf("hold %+v", h)
	}
	if _, err := c.Attach(context.Background(), providers.AttachRequest{Part: documentedPart, Hold: providers.Hold{Ref: "x"}}); providers.CodeOf(err) != providers.Rejected {
		t.Errorf("no selections: %v", err)
	}
}

// TestDocumentedPrebookWithServices: the attach answer (B.5: B.3's shape)
// gives the hold's total and remaining services; an answer without
// servicesAttachable keeps the prebook's expiry.
func TestDocumentedPrebookWithServices(t *testing.T) {
	attached := strings.Replace(documentedPrebook, `"price":740.27`, `"price":761.1`, 1)
	attached = strings.Replace(attached, `"servicesAttachable":`+documentedAttachable+`,`, ``, 1)
	f, c, obs := newFakeAPI(t, map[string]fakeAnswer{
		"POST /flights/prebooks": {200, documentedPrebook},
		"POST /flights/prebooks/019d0674-834d-7db7-9c8b-93fe8e46e7b8/services": {200, attached},
	})
	h, err := c.Hold(context.Background(), providers.HoldRequest{Part: documentedPart, Travellers: []providers.Traveller{documentedTraveller},
		Contact:    providers.Contact{GivenName: "John", FamilyName: "Doe", Email: "j.doe@example.com", PhoneNumber: "+33670355364"},
		Selections: []providers.Selection{{Ref: "cabin:8", Quantity: 1}, {Ref: "g6Rwc2lk2SQwMTlkMDY4", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 2 || reqs[1] != `POST /flights/prebooks/019d0674-834d-7db7-9c8b-93fe8e46e7b8/services {"selectedServices":[{"passengerIndex":0,"serviceId":"g6Rwc2lk2SQwMTlkMDY4","quantity":1}]}` {
		t.Errorf("requests %q", reqs)
	}
	want := &providers.Hold{Ref: "019d0674-834d-7db7-9c8b-93fe8e46e7b8", ExpiresAt: time.Date(2026, 3, 19, 14, 31, 42, 493e6, time.UTC),
		Total: providers.Money{Amount: 76110, Currency: "USD"}}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]call{{"liteapi/hold", "ok"}, {"liteapi/attach_services", "ok"}}, obs.all(), cmp.AllowUnexported(call{})); diff != "" {
		t.Errorf("observed (-want +got)\n%s", diff)
	}
}

// TestDocumentedHoldWithoutExpiry: a prebook without servicesAttachable
// holds for the fallback 15 minutes.
func TestDocumentedHoldWithoutExpiry(t *testing.T) {
	body := strings.Replace(documentedPrebook, `"servicesAttachable":`+documentedAttachable+`,`, ``, 1)
	_, c, _ := newFakeAPI(t, map[string]fakeAnswer{"POST /flights/prebooks": {200, body}})
	h, err := c.Hold(context.Background(), providers.HoldRequest{Part: documentedPart, Travellers: []providers.Traveller{documentedTraveller},
		Contact: providers.Contact{GivenName: "John", FamilyName: "Doe", Email: "j.doe@example.com", PhoneNumber: "+33670355364"}})
	if err != nil {
		t.Fatal(err)
	}
	if !h.ExpiresAt.Equal(testNow.Add(fallbackHoldTTL)) || h.Ancillaries != nil {
		t.Errorf("hold %+v", h)
	}
}

func documentedBookRequest() providers.BookRequest {
	return providers.BookRequest{Part: documentedPart, Hold: providers.Hold{Ref: "019d0674-834d-7db7-9c8b-93fe8e46e7b8"},
		Travellers: []providers.Traveller{documentedTraveller}, ExternalID: "FG-1"}
}

const documentedBookBody = `POST /flights/bookings {"prebookId":"019d0674-834d-7db7-9c8b-93fe8e46e7b8","payment":{"method":"CREDIT"},"customTags":{"FAREGRAPH_REF":"FG-1"}}`

// TestDocumentedBook: a 201 FlightBooking is the booking; a 200 replay is
// read back with GET and is the booking too.
func TestDocumentedBook(t *testing.T) {
	booking := func(status string) string {
		return `{"data":[{"booking":` + fmt.Sprintf(documentedFlightBooking, status) + `}]}`
	}
	want := &providers.Booking{Reference: "019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10", Status: providers.BookingPending,
		Total: providers.Money{Amount: 76110, Currency: "USD"}, Locators: []string{"K7XQ2M"}, Slices: documentedSlices}

	t.Run("201", func(t *testing.T) {
		f, c, obs := newFakeAPI(t, map[string]fakeAnswer{"POST /flights/bookings": {201, booking("PENDING_CONFIRMATION")}})
		b, err := c.Book(context.Background(), documentedBookRequest())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, b); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		if diff := cmp.Diff([]string{documentedBookBody}, f.requests()); diff != "" {
			t.Errorf("requests (-want +got)\n%s", diff)
		}
		if diff := cmp.Diff([]call{{"liteapi/book", "ok"}}, obs.all(), cmp.AllowUnexported(call{})); diff != "" {
			t.Errorf("observed (-want +got)\n%s", diff)
		}
	})
	t.Run("200 replay", func(t *testing.T) {
		f, c, obs := newFakeAPI(t, map[string]fakeAnswer{
			"POST /flights/bookings":                                     {200, documentedReplay},
			"GET /flights/bookings/019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10": {200, booking("CONFIRMED")},
		})
		b, err := c.Book(context.Background(), documentedBookRequest())
		if err != nil {
			t.Fatal(err)
		}
		confirmed := *want
		confirmed.Status = providers.BookingConfirmed
		if diff := cmp.Diff(&confirmed, b); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		wantReqs := []string{documentedBookBody, "GET /flights/bookings/019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10"}
		if diff := cmp.Diff(wantReqs, f.requests()); diff != "" {
			t.Errorf("requests (-want +got)\n%s", diff)
		}
		if diff := cmp.Diff([]call{{"liteapi/book", "ok"}, {"liteapi/retrieve", "ok"}}, obs.all(), cmp.AllowUnexported(call{})); diff != "" {
			t.Errorf("observed (-want +got)\n%s", diff)
		}
		found, err := c.FindBooking(context.Background(), documentedBookRequest())
		if err != nil || !cmp.Equal(b, found) {
			t.Errorf("find (-book +find)\n%s%v", cmp.Diff(b, found), err)
		}
	})
	t.Run("statuses", func(t *testing.T) {
		for status, want := range map[string]providers.BookingStatus{
			"CONFIRMED": providers.BookingConfirmed, "TICKETED": providers.BookingConfirmed, "CREATED": providers.BookingPending,
			"PENDING_CONFIRMATION": providers.BookingPending, "CANCELLED": providers.BookingCanceled,
			"CANCELLED_WITH_CHARGES": providers.BookingCanceled, "SOMETHING_NEW": providers.BookingPending,
		} {
			_, c, _ := newFakeAPI(t, map[string]fakeAnswer{"GET /flights/bookings/x": {200, booking(status)}})
			b, err := c.Retrieve(context.Background(), "x")
			if err != nil || b.Status != want {
				t.Errorf("%s: %+v %v", status, b, err)
			}
		}
	})
	t.Run("order total", func(t *testing.T) {
		body := strings.Replace(booking("CONFIRMED"), `"totalAmount":761.10,`, ``, 1)
		body = strings.Replace(body, `"airlineLocators":[{"airlineCode":"DE","airlinePnr":"K7XQ2M"}],`, ``, 1)
		_, c, _ := newFakeAPI(t, map[string]fakeAnswer{"GET /flights/bookings/x": {200, body}})
		b, err := c.Retrieve(context.Background(), "x")
		if err != nil || b.Total != want.Total || !cmp.Equal(b.Locators, want.Locators) {
			t.Errorf("%+v %v", b, err)
		}
	})
}

// TestBookRedirect: the sandbox answered POST /flights/bookings with 307
// to /flights/bookings/ (B.10); the booking call follows it, body and key
// included.
func TestBookRedirect(t *testing.T) {
	f := &fakeAPI{t: t, answers: map[string]fakeAnswer{
		"POST /flights/bookings/": {201, `{"data":[{"booking":` + fmt.Sprintf(documentedFlightBooking, "CONFIRMED") + `}]}`}}}
	mux := http.NewServeMux()
	mux.HandleFunc("/v3.0/flights/bookings", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v3.0/flights/bookings/", http.StatusTemporaryRedirect)
	})
	mux.Handle("/v3.0/flights/bookings/", f)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := New(Config{BaseURL: srv.URL + "/v3.0", APIKey: testKey, HTTPClient: srv.Client()})
	b, err := c.Book(context.Background(), documentedBookRequest())
	if err != nil || b.Reference != "019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10" {
		t.Fatalf("%+v %v", b, err)
	}
	want := []string{strings.Replace(documentedBookBody, "/flights/bookings", "/flights/bookings/", 1)}
	if diff := cmp.Diff(want, f.requests()); diff != "" {
		t.Errorf("requests (-want +got)\n%s", diff)
	}
}

// TestWriteErrorCodes: write-side failures are classified on the
// provider's code, whatever the status says.
func TestWriteErrorCodes(t *testing.T) {
	const prebook, services, book = "POST /flights/prebooks", "POST /flights/prebooks/019d0674-834d-7db7-9c8b-93fe8e46e7b8/services", "POST /flights/bookings"
	errBody := func(code int) string {
		return fmt.Sprintf(`{"error":{"code":%d,"message":"SECRET","description":"SECRET detail"}}`, code)
	}
	tests := []struct {
		call   string // "hold", "hold+services", "book", "find", "retrieve"
		path   string
		status int
		code   int
		want   providers.ErrorCode // "" means (nil, nil) for find
		op     string
	}{
		{"hold", prebook, 502, 53010, providers.SoldOut, "hold"},
		{"hold", prebook, 502, 53001, providers.PriceChanged, "hold"},
		{"hold", prebook, 502, 52001, providers.PriceChanged, "hold"},
		{"hold", prebook, 404, 43004, providers.OfferExpired, "hold"},
		{"hold", prebook, 404, 43017, providers.OfferExpired, "hold"},
		{"hold", prebook, 404, 43019, providers.OfferExpired, "hold"},
		{"hold", prebook, 400, 43015, providers.OfferExpired, "hold"},
		{"hold", prebook, 502, 53016, providers.OfferExpired, "hold"},
		{"hold", prebook, 502, 53019, providers.OfferExpired, "hold"},
		{"hold", prebook, 400, 43007, providers.Rejected, "hold"},
		{"hold", prebook, 400, 43001, providers.Rejected, "hold"},
		{"hold", prebook, 500, 53099, providers.Unavailable, "hold"},
		{"hold", prebook, 503, 53014, providers.Unavailable, "hold"},
		{"hold", prebook, 401, 43003, providers.Unavailable, "hold"},
		{"hold+services", services, 400, 44012, providers.SoldOut, "attach_services"},
		{"hold+services", services, 400, 44013, providers.OfferExpired, "attach_services"},
		{"hold+services", services, 400, 44001, providers.Rejected, "attach_services"},
		{"hold+services", services, 409, 44007, providers.Rejected, "attach_services"},
		{"hold+services", services, 502, 54016, providers.Unavailable, "attach_services"},
		{"book", book, 404, 45084, providers.HoldExpired, "book"},
		{"book", book, 404, 45033, providers.HoldExpired, "book"},
		{"book", book, 404, 45029, providers.HoldExpired, "book"},
		{"book", book, 400, 45063, providers.HoldExpired, "book"},
		{"book", book, 409, 45035, providers.Unavailable, "book"},
		{"book", book, 409, 45036, providers.Unavailable, "book"},
		{"book", book, 409, 45087, providers.Unavailable, "book"},
		{"book", book, 502, 55004, providers.Rejected, "book"},
		{"book", book, 400, 45004, providers.Rejected, "book"},
		{"book", book, 502, 55014, providers.Unavailable, "book"},
		{"book", book, 503, 55035, providers.Unavailable, "book"},
		{"book", book, 500, 55099, providers.Unavailable, "book"},
		{"book", book, 401, 45028, providers.Unavailable, "book"},
		{"find", book, 404, 45084, "", "find_booking"},
		{"find", book, 404, 45033, "", "find_booking"},
		{"find", book, 409, 45035, providers.Unavailable, "find_booking"},
		{"find", book, 503, 55035, providers.Unavailable, "find_booking"},
		{"retrieve", "GET /flights/bookings/x", 404, 47002, providers.NotFound, "retrieve"},
		{"retrieve", "GET /flights/bookings/x", 404, 47003, providers.NotFound, "retrieve"},
		{"retrieve", "GET /flights/bookings/x", 401, 47001, providers.Unavailable, "retrieve"},
		{"retrieve", "GET /flights/bookings/x", 500, 57099, providers.Unavailable, "retrieve"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %d", tt.call, tt.code), func(t *testing.T) {
			answers := map[string]fakeAnswer{tt.path: {tt.status, errBody(tt.code)}}
			if tt.path == services {
				answers[prebook] = fakeAnswer{200, documentedPrebook}
			}
			_, c, _ := newFakeAPI(t, answers)
			ctx := context.Background()
			hr := providers.HoldRequest{Part: documentedPart, Travellers: []providers.Traveller{documentedTraveller},
				Contact: providers.Contact{GivenName: "John", FamilyName: "Doe", Email: "j.doe@example.com", PhoneNumber: "+33670355364"}}
			var err error
			switch tt.call {
			case "hold":
				_, err = c.Hold(ctx, hr)
			case "hold+services":
				hr.Selections = []providers.Selection{{Ref: "g6Rwc2lk2SQwMTlkMDY3", Quantity: 1}}
				_, err = c.Hold(ctx, hr)
			case "book":
				_, err = c.Book(ctx, documentedBookRequest())
			case "find":
				var b *providers.Booking
				b, err = c.FindBooking(ctx, documentedBookRequest())
				if tt.want == "" {
					if b != nil || err != nil {
						t.Errorf("find: %+v %v, want nil, nil", b, err)
					}
					return
				}
			case "retrieve":
				_, err = c.Retrieve(ctx, "x")
			}
			pe := wantError(t, err, tt.op, tt.want, fmt.Sprint(tt.code))
			if pe.Status != tt.status || strings.Contains(pe.Message, "SECRET") {
				t.Errorf("status %d message %q", pe.Status, pe.Message)
			}
		})
	}
}

// TestBookDuplicateNamed: a 409 duplicate that names the booking is read
// back, not an error.
func TestBookDuplicateNamed(t *testing.T) {
	for name, body := range map[string]string{
		"in data":  `{"data":[{"booking":{"bookingId":"019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10"}}],"error":{"code":45036,"message":"duplicate"}}`,
		"in error": `{"error":{"code":45036,"message":"duplicate","bookingId":"019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, c, _ := newFakeAPI(t, map[string]fakeAnswer{
				"POST /flights/bookings": {409, body},
				"GET /flights/bookings/019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10": {200,
					`{"data":[{"booking":` + fmt.Sprintf(documentedFlightBooking, "CONFIRMED") + `}]}`},
			})
			b, err := c.Book(context.Background(), documentedBookRequest())
			if err != nil || b.Reference != "019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10" || b.Status != providers.BookingConfirmed {
				t.Errorf("%+v %v", b, err)
			}
		})
	}
}

// TestBookReplayUnreadable: a replay whose booking cannot be read leaves
// the outcome to FindBooking: Unavailable, never NotFound.
func TestBookReplayUnreadable(t *testing.T) {
	_, c, _ := newFakeAPI(t, map[string]fakeAnswer{
		"POST /flights/bookings":                                     {200, documentedReplay},
		"GET /flights/bookings/019d0677-1c2a-7f3e-8a41-5c0e7d9b2f10": {404, `{"error":{"code":47002,"message":"not found"}}`},
	})
	_, err := c.Book(context.Background(), documentedBookRequest())
	pe := wantError(t, err, "book", providers.Unavailable, "")
	if providers.CodeOf(pe.Err) != providers.NotFound {
		t.Errorf("cause %v", pe.Err)
	}
}

// TestPrebookBodyDecimals: amounts keep their exact digits.
func TestPrebookBodyDecimals(t *testing.T) {
	body := strings.Replace(documentedPrebook, `"price":740.27`, `"price":740.275`, 1)
	_, c, _ := newFakeAPI(t, map[string]fakeAnswer{"POST /flights/prebooks": {200, body}})
	_, err := c.Hold(context.Background(), providers.HoldRequest{Part: documentedPart, Travellers: []providers.Traveller{documentedTraveller},
		Contact: providers.Contact{GivenName: "John", FamilyName: "Doe", Email: "j.doe@example.com", PhoneNumber: "+33670355364"}})
	if pe := wantError(t, err, "hold", providers.Unavailable, ""); pe.Message != msgUnreadable {
		t.Errorf("message %q", pe.Message)
	}
	var v any
	if json.Unmarshal([]byte(documentedPrebook), &v) != nil {
		t.Error("the documented prebook is not JSON")
	}
}
