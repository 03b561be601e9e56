package liteapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
)

// documentedRates is the trimmed official example of POST /flights/rates
// (provider-apis.md B.1) with its elisions filled in: the real provider's
// shape, not our simulator's.
const documentedRates = `{"data":[{"journeys":[{"journeyKey":"a3bbe883fe3a4f6b","isCheapest":true,"timestamp":"2026-03-19T12:52:59.494Z",
  "totalDuration":{"iso8601":"PT7H45M","minutes":465},
  "legDurations":[{"direction":"OUTBOUND","duration":{"iso8601":"PT7H45M","minutes":465},"dayChange":1,"overnightFlight":false}],
  "parameters":{"adults":1,"children":0,"infants":0},
  "segments":[{"segmentKey":"d0a8a7dd","stopCount":0,"originCode":"JFK","originName":"John F. Kennedy International Airport",
    "destinationCode":"CDG","destinationName":"Charles de Gaulle Airport","departureTime":"2026-07-01T16:10:00",
    "arrivalTime":"2026-07-02T05:55:00","direction":"OUTBOUND","duration":{"iso8601":"PT7H45M","minutes":465},
    "flight":{"marketingNumber":"2017","operatingNumber":"2017"},
    "carrier":{"marketingCode":"DE","marketingName":"Condor Flugdienst","marketingLogo":"…","operatingCode":"DE","operatingName":"…","operatingLogo":"…"}}],
  "offers":[{"offerId":"h6NwaWTZJDAx…","expiration":"2026-03-19T12:52:59.494Z",
    "pricing":{"display":{"total":753.87,"currency":"USD","base":403.63,"fees":0,"taxes":350.24,
      "perPassenger":{"adult":{"base":403.63,"currency":"USD","fees":0,"taxes":350.24,"total":753.87},
                      "child":{"base":0,"currency":"USD","fees":0,"taxes":0,"total":0},"infant":{"base":0,"currency":"USD","fees":0,"taxes":0,"total":0}}},"converted":false},
    "provider":{"code":"SABRE","logo":"…"},
    "fare":{"family":"Economy","mixedCabin":false,"mixedFareFamily":false,"seatsRemaining":7},
    "baggage":{"hasCarryOnBag":true,"hasCheckedBag":false,"included":[{"bagType":"cabin","description":"1 carry-on bag up to 8 kg",
      "passengerType":"ADT","pieces":1,"pricing":{"display":{"amount":0,"currency":"USD"},"converted":false},"unit":"kg","weightKg":8}]},
    "terms":{"changeable":true,"refundable":false,"summary":[{"level":"danger","message":"Non-refundable"}],
      "changeFee":{"pricing":{"display":{"amount":75,"currency":"USD"},"converted":false},"percent":null,
        "applicability":"beforeDeparture","label":"Change fee (before departure)"},"refundFee":null,"hasChangeFee":true,"hasRefundFee":false},
    "segmentFares":[{"segmentKey":"d0a8a7dd","bookingCode":"W","cabin":"Economy","fareBasisCode":"WRAQ1","fareFamily":"Economy","seatsRemaining":7}],
    "segmentAmenities":[{"segmentKey":"d0a8a7dd","aircraftType":"339","amenities":[{"available":true,"category":"wifi","chargeable":true,"name":"Wi-Fi","details":"…"}]}]}]}],
 "sortMetadata":{"best":{"journeyKey":"a3bbe883fe3a4f6b","offerId":"h6NwaWTZJDAx…","price":753.87,"currency":"USD"},
   "price":{"journeyKey":"a3bbe883fe3a4f6b","offerId":"h6NwaWTZJDAx…","price":753.87,"currency":"USD"},
   "duration":{"journeyKey":"a3bbe883fe3a4f6b"},"stops":{"journeyKey":"a3bbe883fe3a4f6b"}}}]}`

// documentedVerify is a verify answer in the documented journey shape
// (B.2), with baggage.paid as the adapter assumes it.
const documentedVerify = `{"data":[{"journey":{"journeyKey":"a3bbe883fe3a4f6b","expiration":"2026-03-19T13:10:00.000Z",
  "timestamp":"2026-03-19T12:55:00.000Z","provider":{"code":"SABRE"},
  "pricing":{"display":{"total":760.12,"currency":"USD","base":403.63,"fees":0,"taxes":356.49},"converted":false},
  "baggage":{"hasCarryOnBag":true,"hasCheckedBag":false,
    "included":[
      {"bagType":"cabin","description":"1 carry-on bag up to 8 kg","passengerType":"ADT","pieces":1,"pricing":{"display":{"amount":0,"currency":"USD"},"converted":false},"unit":"kg","weightKg":8},
      {"bagType":"cabin","description":"1 carry-on bag up to 8 kg","passengerType":"CHD","pieces":1,"pricing":{"display":{"amount":0,"currency":"USD"},"converted":false},"unit":"kg","weightKg":8},
      {"bagType":"personal","description":"1 personal item","passengerType":"ALL","pieces":1,"pricing":{"display":{"amount":0,"currency":"USD"},"converted":false},"size":"40x30x15"}],
    "paid":[
      {"serviceId":"g6Rwc2lk2SQwMTlk","segmentKey":"d0a8a7dd","bagType":"checked","description":"Standard Check In Baggage 23kg","passengerType":"ALL","pieces":1,
       "pricing":{"display":{"amount":13.62,"currency":"USD"},"converted":true},"unit":"kg","weightKg":23},
      {"serviceId":"g6Rwc2lk2SQwMTle","bagType":"sports","description":"Golf bag","pricing":{"display":{"amount":40,"currency":"USD"},"converted":true}}]},
  "fare":{"family":"Economy","mixedCabin":false,"mixedFareFamily":false,"seatsRemaining":4},
  "passengers":{"adults":1,"children":1,"infants":0},
  "segments":[{"segmentKey":"d0a8a7dd","stopCount":0,"originCode":"JFK","destinationCode":"CDG","departureTime":"2026-07-01T16:10:00",
    "arrivalTime":"2026-07-02T05:55:00","direction":"OUTBOUND","flight":{"marketingNumber":"2017"},"carrier":{"marketingCode":"DE"}}],
  "terms":{"changeable":true,"refundable":false}},
 "changes":{"priceChanged":true,"fareChanged":false,"cabinChanged":false,"messages":["Price increased"],
   "pricing":{"old":{"display":{"total":753.87,"currency":"USD"},"converted":false},"new":{"display":{"total":760.12,"currency":"USD"},"converted":false}}}}]}`

// fakeLiteAPI serves fixed answers under /v3.0, as the real host does, and
// keeps the request bodies it was sent.
type fakeLiteAPI struct {
	t      *testing.T
	answer map[string]string // path → body
	got    map[string]map[string]any
}

func (f *fakeLiteAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := f.answer[r.URL.Path]
	if !ok || r.Method != http.MethodPost || r.Header.Get("X-API-Key") != testKey || r.Header.Get("Content-Type") != "application/json" {
		f.t.Errorf("unexpected %s %s key %q", r.Method, r.URL.Path, r.Header.Get("X-API-Key"))
		w.WriteHeader(http.StatusNotFound)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var req map[string]any
	if err := json.Unmarshal(raw, &req); err != nil {
		f.t.Errorf("request body %s: %v", raw, err)
	}
	f.got[r.URL.Path] = req
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, body)
}

func newFake(t *testing.T, answer map[string]string) (*fakeLiteAPI, *Client) {
	f := &fakeLiteAPI{t: t, answer: answer, got: map[string]map[string]any{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	// A trailing slash on the base URL is tolerated.
	return f, New(Config{BaseURL: srv.URL + "/v3.0/", APIKey: testKey, HTTPClient: srv.Client(), Now: newClock().Now})
}

// documentedTerms are B.1's terms: changeable for a fee, not refundable.
var documentedTerms = providers.Conditions{Refundable: false, Changeable: true,
	ChangeFee: &providers.Penalty{Amount: &providers.Money{Amount: 7500, Currency: "USD"}, Label: "Change fee (before departure)"},
	Notes:     []string{"Non-refundable"}}

func TestDocumentedRates(t *testing.T) {
	f, c := newFake(t, map[string]string{"/v3.0/flights/rates": documentedRates})
	q := providers.Query{OriginDestination: leg("JFK", "CDG", "2026-07-01"), Passengers: providers.Passengers{Adults: 1}, Currency: "USD"}
	offers, err := c.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}

	wantReq := map[string]any{
		"legs":   []any{map[string]any{"origin": "JFK", "destination": "CDG", "date": "2026-07-01", "direction": "OUTBOUND"}},
		"adults": 1.0, "children": 0.0, "childrenAges": []any{}, "infants": 0.0, "infantAges": []any{},
		"cabinClass": "ECONOMY", "currency": "USD",
	}
	if diff := cmp.Diff(wantReq, f.got["/v3.0/flights/rates"]); diff != "" {
		t.Errorf("request (-want +got)\n%s", diff)
	}

	total := providers.Money{Amount: 75387, Currency: "USD"}
	want := []providers.Offer{{
		FareType: providers.OneWay,
		Slices: []providers.Slice{{Segments: []providers.Segment{{
			CarrierCode: "DE", FlightNumber: "2017", Origin: "JFK", Destination: "CDG",
			DepartureAt: parseWant(t, "2026-07-01T16:10:00-04:00"),
			ArrivalAt:   parseWant(t, "2026-07-02T05:55:00+02:00"),
			// B.1's carrier.operatingCode
			OperatingCarrierCode: "DE",
		}}}},
		Parts: []providers.Part{{Provider: "liteapi", Ref: "h6NwaWTZJDAx…", FareType: providers.OneWay,
			OriginDestinations: []providers.OriginDestination{q.OriginDestination}, Passengers: q.Passengers, Total: total,
			Taxes: providers.Money{Amount: 35024, Currency: "USD"}, // taxes 350.24 + fees 0
			// perPassenger.adult taxes + fees
			PerPassenger:   providers.PassengerPrice{Adult: total},
			PassengerTaxes: providers.PassengerPrice{Adult: providers.Money{Amount: 35024, Currency: "USD"}},
			// segmentFares cabin, fare.family, baggage.included, terms
			Fare: providers.Fare{Cabin: providers.Economy, Brand: "Economy",
				Baggage: []providers.BaggageAllowance{{Kind: providers.CabinBagKind, PassengerTypes: []providers.PassengerType{providers.Adult},
					Pieces: 1, WeightKg: 8, Description: "1 carry-on bag up to 8 kg"}},
				Conditions: documentedTerms}}},
		Total:          total,
		PerPassenger:   providers.PassengerPrice{Adult: total},
		SeatsAvailable: 7,
		Conditions:     documentedTerms,
		ExpiresAt:      time.Date(2026, 3, 19, 12, 52, 59, 494e6, time.UTC),
	}}
	if diff := cmp.Diff(want, offers); diff != "" {
		t.Fatalf("(-want +got)\n%s", diff)
	}
	s := offers[0].Slices[0].Segments[0]
	checkZone(t, s.DepartureAt, "JFK", -4*3600)
	checkZone(t, s.ArrivalAt, "CDG", 2*3600)
	if d := offers[0].Slices[0].Duration(); d != 465*time.Minute {
		t.Errorf("duration %s, want the documented 465 minutes", d)
	}
}

func TestDocumentedRoundTrip(t *testing.T) {
	// The inbound segment comes first: slices follow direction, not order.
	inbound := `{"segmentKey":"e1b94c02","stopCount":0,"originCode":"CDG","destinationCode":"JFK","departureTime":"2026-08-02T10:30:00",
    "arrivalTime":"2026-08-02T12:45:00","direction":"INBOUND","flight":{"marketingNumber":"2016"},"carrier":{"marketingCode":"DE"}},`
	body := strings.Replace(documentedRates, `"segments":[`, `"segments":[`+inbound, 1)
	f, c := newFake(t, map[string]string{"/v3.0/flights/rates": body})
	pax := providers.Passengers{Adults: 1, Children: 1, Infants: 1}
	out, back := leg("JFK", "CDG", "2026-07-01"), leg("CDG", "JFK", "2026-08-02")
	offers, err := c.SearchRoundTrips(context.Background(), providers.RoundTripQuery{Outbound: out, Return: back, Passengers: pax})
	if err != nil {
		t.Fatal(err)
	}

	req := f.got["/v3.0/flights/rates"]
	wantLegs := []any{
		map[string]any{"origin": "JFK", "destination": "CDG", "date": "2026-07-01", "direction": "OUTBOUND"},
		map[string]any{"origin": "CDG", "destination": "JFK", "date": "2026-08-02", "direction": "INBOUND"},
	}
	if diff := cmp.Diff(wantLegs, req["legs"]); diff != "" {
		t.Errorf("legs (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]any{8.0}, req["childrenAges"]); diff != "" {
		t.Errorf("childrenAges (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]any{1.0}, req["infantAges"]); diff != "" {
		t.Errorf("infantAges (-want +got)\n%s", diff)
	}
	if req["currency"] != "EUR" {
		t.Errorf("currency %v, want the default EUR", req["currency"])
	}

	if len(offers) != 1 {
		t.Fatalf("%d offers", len(offers))
	}
	o := offers[0]
	zeroUSD := providers.Money{Currency: "USD"}
	// Children and infants may fly free; the example's zeros are kept.
	wantPP := providers.PassengerPrice{Adult: providers.Money{Amount: 75387, Currency: "USD"}, Child: &zeroUSD, Infant: &zeroUSD}
	if diff := cmp.Diff(wantPP, o.PerPassenger); diff != "" {
		t.Errorf("per passenger (-want +got)\n%s", diff)
	}
	if o.FareType != providers.RoundTrip || len(o.Slices) != 2 || o.Parts[0].FareType != providers.RoundTrip {
		t.Fatalf("%+v", o)
	}
	if diff := cmp.Diff([]providers.OriginDestination{out, back}, o.Parts[0].OriginDestinations); diff != "" {
		t.Errorf("part legs (-want +got)\n%s", diff)
	}
	if want := (providers.Money{Amount: 35024, Currency: "USD"}); o.Parts[0].Taxes != want {
		t.Errorf("part taxes %s, want the whole offer's %s", o.Parts[0].Taxes, want)
	}
	ret := o.Slices[1].Segments[0]
	if ret.Origin != "CDG" || ret.FlightNumber != "2016" || ret.ArrivalAt.Sub(ret.DepartureAt) != 8*time.Hour+15*time.Minute {
		t.Errorf("return segment %+v", ret)
	}
	checkZone(t, ret.DepartureAt, "CDG", 2*3600)
	checkZone(t, ret.ArrivalAt, "JFK", -4*3600)
}

func TestDocumentedVerify(t *testing.T) {
	f, c := newFake(t, map[string]string{"/v3.0/flights/verify": documentedVerify})
	part := providers.Part{Provider: Name, Ref: "h6NwaWTZJDAx…", FareType: providers.OneWay,
		OriginDestinations: []providers.OriginDestination{leg("JFK", "CDG", "2026-07-01")}, Passengers: providers.Passengers{Adults: 1, Children: 1},
		Total: providers.Money{Amount: 75387, Currency: "USD"}}
	pc, err := c.CheckPrice(context.Background(), part)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"offerId": "h6NwaWTZJDAx…"}, f.got["/v3.0/flights/verify"]); diff != "" {
		t.Errorf("request (-want +got)\n%s", diff)
	}
	zero := providers.Money{Currency: "USD"}
	want := &providers.PriceCheck{
		Available:      true,
		Total:          providers.Money{Amount: 76012, Currency: "USD"},
		SeatsAvailable: 4,
		Ancillaries: []providers.Ancillary{
			{Ref: "cabin:8", Kind: providers.CabinBag, Description: "1 carry-on bag up to 8 kg", Price: zero, WeightKg: 8},
			{Ref: "personal:0", Kind: providers.CabinBag, Description: "1 personal item", Price: zero, Dimensions: "40x30x15"},
			{Ref: "g6Rwc2lk2SQwMTlk", Kind: providers.CheckedBag, Description: "Standard Check In Baggage 23kg",
				Price: providers.Money{Amount: 1362, Currency: "USD"}, WeightKg: 23, Segment: "DE2017"},
		},
	}
	if diff := cmp.Diff(want, pc); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestVerifyWithoutBaggage(t *testing.T) {
	body := `{"data":[{"journey":{"pricing":{"display":{"total":99.5,"currency":"EUR"}},"fare":{"seatsRemaining":2}}}]}`
	_, c := newFake(t, map[string]string{"/v3.0/flights/verify": body})
	pc, err := c.CheckPrice(context.Background(), providers.Part{Provider: Name, Ref: "x"})
	if err != nil {
		t.Fatal(err)
	}
	want := &providers.PriceCheck{Available: true, Total: providers.Money{Amount: 9950, Currency: "EUR"},
		SeatsAvailable: 2, Ancillaries: []providers.Ancillary{}}
	if diff := cmp.Diff(want, pc); diff != "" || pc.Ancillaries == nil {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestRedirect: the sandbox answered some POSTs with 307 to the
// trailing-slash path; the call follows it with its body and key.
func TestRedirect(t *testing.T) {
	f, c := newFake(t, map[string]string{"/v3.0/flights/rates/": documentedRates})
	mux := http.NewServeMux()
	mux.HandleFunc("/v3.0/flights/rates", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v3.0/flights/rates/", http.StatusTemporaryRedirect)
	})
	mux.Handle("/v3.0/flights/rates/", f)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c = New(Config{BaseURL: srv.URL + "/v3.0", APIKey: testKey, HTTPClient: srv.Client()})
	offers, err := c.Search(context.Background(), providers.Query{OriginDestination: leg("JFK", "CDG", "2026-07-01"), Passengers: providers.Passengers{Adults: 1}})
	if err != nil || len(offers) != 1 {
		t.Fatalf("%d offers, %v", len(offers), err)
	}
	if f.got["/v3.0/flights/rates/"]["adults"] != 1.0 {
		t.Errorf("redirected body %v", f.got["/v3.0/flights/rates/"])
	}
}
