package citizenplane

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
	"github.com/faregraph/faregraph/providers/sim"
)

// bodyLog remembers the bodies of the requests a server received.
type bodyLog struct {
	mu     sync.Mutex
	bodies map[string][][]byte // by "METHOD /path"
}

func (l *bodyLog) add(key string, b []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bodies == nil {
		l.bodies = map[string][][]byte{}
	}
	l.bodies[key] = append(l.bodies[key], b)
}

// last is the last body received for key.
func (l *bodyLog) last(t *testing.T, key string) []byte {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	bs := l.bodies[key]
	if len(bs) == 0 {
		t.Fatalf("no %s received", key)
	}
	return bs[len(bs)-1]
}

func (l *bodyLog) count(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.bodies[key])
}

// bookingEnv is a simulator on a controllable clock behind a real HTTP
// server that logs request bodies, and an adapter for it.
type bookingEnv struct {
	sim   *cpsim.Simulator
	clock *sim.Clock
	log   *bodyLog
	obs   *recorder
	c     *Client
	url   string
}

func newBookingEnv(t *testing.T) *bookingEnv {
	t.Helper()
	e := &bookingEnv{clock: sim.NewClock(testNow), log: &bodyLog{}, obs: &recorder{}}
	e.sim = cpsim.New(cpsim.Config{Token: testToken, Seed: testSeed, Now: e.clock.Now})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.log.add(r.Method+" "+r.URL.Path, b)
		r.Body = io.NopCloser(bytes.NewReader(b))
		e.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.c = e.client()
	return e
}

// client is a new adapter for the environment, with an empty search cache.
func (e *bookingEnv) client() *Client {
	return New(Config{BaseURL: e.url, Token: testToken, CustomerCode: "faregraph", Observer: e.obs, Now: e.clock.Now})
}

// left is the number of seats of flight id on sale now.
func (e *bookingEnv) left(t *testing.T, id int64) int {
	t.Helper()
	if _, ok := cpsim.FlightByID(testSeed, id); !ok {
		t.Fatalf("no flight %d", id)
	}
	return e.sim.SeatsLeft(id)
}

// travellers of the tests: an adult, a child and an infant in August 2025.
var (
	adultT = providers.Traveller{Type: providers.Adult, GivenName: "Marie", FamilyName: "Curie", Gender: "FEMALE",
		DateOfBirth: "1980-05-17", DocumentNumber: "X1234567", DocumentExpiresOn: "2031-03-09",
		DocumentIssuingCountry: "FR", Nationality: "FR"}
	adult2T = providers.Traveller{Type: providers.Adult, GivenName: "Pierre", FamilyName: "Curie", Gender: "MALE",
		DateOfBirth: "1979-01-31", DocumentNumber: "Y7654321", DocumentExpiresOn: "2029-12-01",
		DocumentIssuingCountry: "PL", Nationality: "PL"}
	childT = providers.Traveller{Type: providers.Child, GivenName: "Irène", FamilyName: "Curie", Gender: "FEMALE",
		DateOfBirth: "2018-02-03", DocumentNumber: "C2018020", DocumentExpiresOn: "2028-02-03",
		DocumentIssuingCountry: "FR", Nationality: "FR"}
	infantT = providers.Traveller{Type: providers.Infant, GivenName: "Ève", FamilyName: "Curie", Gender: "FEMALE",
		DateOfBirth: "2024-12-01", DocumentNumber: "I2024120", DocumentExpiresOn: "2029-12-01",
		DocumentIssuingCountry: "FR", Nationality: "FR"}
	contactT = providers.Contact{GivenName: "Marie", FamilyName: "Curie", Email: "marie@example.com", PhoneNumber: "+33600000000"}
)

// travellersFor returns test travellers for pax (at most two adults).
func travellersFor(pax providers.Passengers) []providers.Traveller {
	var ts []providers.Traveller
	for i := range pax.Adults {
		ts = append(ts, []providers.Traveller{adultT, adult2T}[i%2])
	}
	for range pax.Children {
		ts = append(ts, childT)
	}
	for range pax.Infants {
		ts = append(ts, infantT)
	}
	return ts
}

// oneWayPart searches CDG–PMI on 6 August 2025 for pax and returns the
// offer of the given index.
func (e *bookingEnv) oneWay(t *testing.T, pax providers.Passengers, i int) providers.Offer {
	t.Helper()
	offers, err := e.c.Search(context.Background(), providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: pax})
	if err != nil || len(offers) <= i {
		t.Fatalf("Search: %d offers, %v", len(offers), err)
	}
	return offers[i]
}

// hold holds p for its travellers without extras.
func (e *bookingEnv) hold(t *testing.T, p providers.Part) *providers.Hold {
	t.Helper()
	h, err := e.c.Hold(context.Background(), providers.HoldRequest{Part: p, Travellers: travellersFor(p.Passengers), Contact: contactT})
	if err != nil {
		t.Fatalf("Hold: %v", err)
	}
	return h
}

func bookReq(p providers.Part, h *providers.Hold) providers.BookRequest {
	return providers.BookRequest{Part: p, Hold: *h, Travellers: travellersFor(p.Passengers), Contact: contactT, ExternalID: "fg-" + h.Ref}
}

// jsonEqual fails the test unless got and want are the same JSON value.
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("body (-want +got)\n%s\ngot: %s", diff, got)
	}
}

func TestHoldOneWayWithBags(t *testing.T) {
	e := newBookingEnv(t)
	ctx := context.Background()
	pax := providers.Passengers{Adults: 2, Children: 1, Infants: 1}
	o := e.oneWay(t, pax, 0)
	p := o.Parts[0]
	anc := e.c.ListAncillaries(ctx, []providers.Part{p})[0]
	if anc.Err != nil || len(anc.Ancillaries) != 3 {
		t.Fatalf("ListAncillaries: %+v", anc)
	}
	checked20, cabin := anc.Ancillaries[0], anc.Ancillaries[2]
	id := flightIDOf(t, p.Ref)
	before := e.left(t, id)

	h, err := e.c.Hold(ctx, providers.HoldRequest{
		Part: p, Travellers: travellersFor(pax), Contact: contactT,
		Selections: []providers.Selection{
			{Ref: checked20.Ref, PassengerIndex: 0, Quantity: 1},
			{Ref: checked20.Ref, PassengerIndex: 1, Quantity: 1},
			{Ref: cabin.Ref, PassengerIndex: 2, Quantity: 1},
		},
	})
	if err != nil {
		t.Fatalf("Hold: %v", err)
	}
	f, _ := cpsim.FlightByID(testSeed, id)
	ci := cpsim.CarrierOf(f.Carrier)
	want := &providers.Hold{
		Ref:       strconv.Itoa(cpsim.FirstRequestID),
		ExpiresAt: testNow.Add(3 * time.Minute),
		Total:     eur(3*f.Price + f.InfantPrice + 2*ci.Checked20 + ci.Cabin),
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("hold (-want +got)\n%s", diff)
	}
	if got := e.left(t, id); got != before-3 {
		t.Errorf("seats left %d, want %d (3 seats held, the infant on a lap)", got, before-3)
	}
	d := ci.CabinSize
	jsonEqual(t, e.log.last(t, "POST /v3/requests"), fmt.Sprintf(`{
		"flight_ids": [%d],
		"passengers": [
		 {"first_name": "Marie", "last_name": "Curie", "gender": "female", "date_of_birth": "1980-05-17",
		  "passport_number": "X1234567", "passport_expiry_date": "09/03/2031", "nationality": "fr", "passport_country_of_issue": "fr"},
		 {"first_name": "Pierre", "last_name": "Curie", "gender": "male", "date_of_birth": "1979-01-31",
		  "passport_number": "Y7654321", "passport_expiry_date": "01/12/2029", "nationality": "pl", "passport_country_of_issue": "pl"},
		 {"first_name": "Irène", "last_name": "Curie", "gender": "female", "date_of_birth": "2018-02-03",
		  "passport_number": "C2018020", "passport_expiry_date": "03/02/2028", "nationality": "fr", "passport_country_of_issue": "fr"},
		 {"first_name": "Ève", "last_name": "Curie", "gender": "female", "date_of_birth": "2024-12-01",
		  "passport_number": "I2024120", "passport_expiry_date": "01/12/2029", "nationality": "fr", "passport_country_of_issue": "fr"}
		],
		"bags": {"%d": {"checked": [{"weight": 20, "quantity": 2}, {"weight": 23, "quantity": 0}],
		                "cabin": [{"dimensions": {"width": %d, "height": %d, "length": %d}, "quantity": 1}]}},
		"fare_type": "one_way",
		"customer_code": "faregraph"
	}`, id, id, d.Width, d.Height, d.Length))

	// The flights search for the bags was the one Search made: cached.
	if n := e.log.count("GET /v3/flights"); n != 1 {
		t.Errorf("%d flights searches, want 1 (the bags come from the cached search)", n)
	}
	if n := e.obs.count("hold ok"); n != 1 {
		t.Errorf("observer saw %d hold calls, want 1: %v", n, e.obs.snapshot())
	}
}

func TestHoldRoundTripWithBags(t *testing.T) {
	e := newBookingEnv(t)
	ctx := context.Background()
	pax := providers.Passengers{Adults: 2, Infants: 1}
	out, back := leg("CDG", "PMI", "2025-08-06"), leg("PMI", "CDG", "2025-08-13")
	rts, err := e.c.SearchRoundTrips(ctx, providers.RoundTripQuery{Outbound: out, Return: back, Passengers: pax})
	if err != nil || len(rts) != 1 {
		t.Fatalf("SearchRoundTrips: %d, %v", len(rts), err)
	}
	p := rts[0].Parts[0]
	anc := e.c.ListAncillaries(ctx, []providers.Part{p})[0]
	if anc.Err != nil || len(anc.Ancillaries) != 6 {
		t.Fatalf("ListAncillaries: %+v", anc)
	}
	inbound23 := anc.Ancillaries[4] // outbound 20, 23, cabin; inbound 20, 23, cabin
	h, err := e.c.Hold(ctx, providers.HoldRequest{Part: p, Travellers: travellersFor(pax), Contact: contactT,
		Selections: []providers.Selection{{Ref: inbound23.Ref, PassengerIndex: 1, Quantity: 1}}})
	if err != nil {
		t.Fatalf("Hold: %v", err)
	}
	wantRef := fmt.Sprintf("%d,%d", cpsim.FirstRequestID, cpsim.FirstRequestID+1)
	total, _ := p.Total.Add(inbound23.Price)
	if diff := cmp.Diff(&providers.Hold{Ref: wantRef, ExpiresAt: testNow.Add(3 * time.Minute), Total: total}, h); diff != "" {
		t.Errorf("hold (-want +got)\n%s", diff)
	}

	ids, _ := parseRef(p.Ref)
	fo, _ := cpsim.FlightByID(testSeed, ids[0])
	fi, _ := cpsim.FlightByID(testSeed, ids[1])
	co, cin := cpsim.CarrierOf(fo.Carrier), cpsim.CarrierOf(fi.Carrier)
	jsonEqual(t, e.log.last(t, "POST /v3/requests"), fmt.Sprintf(`{
		"flight_ids": [%d, %d],
		"passengers": [
		 {"first_name": "Marie", "last_name": "Curie", "gender": "female", "date_of_birth": "1980-05-17",
		  "passport_number": "X1234567", "passport_expiry_date": "09/03/2031", "nationality": "fr", "passport_country_of_issue": "fr"},
		 {"first_name": "Pierre", "last_name": "Curie", "gender": "male", "date_of_birth": "1979-01-31",
		  "passport_number": "Y7654321", "passport_expiry_date": "01/12/2029", "nationality": "pl", "passport_country_of_issue": "pl"},
		 {"first_name": "Ève", "last_name": "Curie", "gender": "female", "date_of_birth": "2024-12-01",
		  "passport_number": "I2024120", "passport_expiry_date": "01/12/2029", "nationality": "fr", "passport_country_of_issue": "fr"}
		],
		"bags": {
		  "%d": {"checked": [{"weight": 20, "quantity": 0}, {"weight": 23, "quantity": 0}],
		         "cabin": [{"dimensions": {"width": %d, "height": %d, "length": %d}, "quantity": 0}]},
		  "%d": {"checked": [{"weight": 20, "quantity": 0}, {"weight": 23, "quantity": 1}],
		         "cabin": [{"dimensions": {"width": %d, "height": %d, "length": %d}, "quantity": 0}]}},
		"fare_type": "round_trip",
		"customer_code": "faregraph"
	}`, fo.ID, fi.ID, fo.ID, co.CabinSize.Width, co.CabinSize.Height, co.CabinSize.Length,
		fi.ID, cin.CabinSize.Width, cin.CabinSize.Height, cin.CabinSize.Length))

	// The pair's price is split across the two requests, exactly.
	r1, ok1 := e.sim.Request(cpsim.FirstRequestID)
	r2, ok2 := e.sim.Request(cpsim.FirstRequestID + 1)
	price, infant, ok := cpsim.RoundTripFare(testSeed, fo.ID, fi.ID)
	if !ok1 || !ok2 || !ok {
		t.Fatalf("requests %v %v, fare %v: want both requests and the pair's fare", ok1, ok2, ok)
	}
	if r1.Price+r2.Price != price || r1.InfantPrice+r2.InfantPrice != infant || r1.Pair != r2.ID || r2.Pair != r1.ID {
		t.Errorf("requests %+v and %+v do not split the pair's %d and %d", r1, r2, price, infant)
	}
}

func TestHoldSoldOut(t *testing.T) {
	e := newBookingEnv(t)
	pax := providers.Passengers{Adults: 2}
	o := e.oneWay(t, pax, 1) // the search is cached: the flight is still listed
	id := flightIDOf(t, o.Parts[0].Ref)
	must(t, e.sim.SetSeats(flightKey(t, id), 1))

	_, err := e.c.Hold(context.Background(), providers.HoldRequest{Part: o.Parts[0], Travellers: travellersFor(pax), Contact: contactT})
	pe := asProviderError(t, err)
	if pe.Code != providers.SoldOut || pe.Status != http.StatusConflict || pe.ProviderCode != "FLIGHT_UNAVAILABLE" || pe.Op != "hold" {
		t.Errorf("got %v, want a SoldOut hold error from the 409", pe)
	}
	if n := e.obs.count("hold error"); n != 0 {
		t.Errorf("observer counted %d hold errors; a 409 is an answer", n)
	}

	t.Run("search no longer lists it", func(t *testing.T) {
		before := e.log.count("POST /v3/requests")
		_, err := e.client().Hold(context.Background(), providers.HoldRequest{Part: o.Parts[0], Travellers: travellersFor(pax), Contact: contactT})
		if pe := asProviderError(t, err); pe.Code != providers.SoldOut || pe.Status != 0 {
			t.Errorf("got %v, want SoldOut without a request call", pe)
		}
		if n := e.log.count("POST /v3/requests") - before; n != 0 {
			t.Errorf("made %d request calls, want none", n)
		}
	})
}

func TestConcurrentHoldsOfTheLastSeats(t *testing.T) {
	e := newBookingEnv(t)
	pax := providers.Passengers{Adults: 1}
	o := e.oneWay(t, pax, 0)
	id := flightIDOf(t, o.Parts[0].Ref)
	f, _ := cpsim.FlightByID(testSeed, id)
	if f.Seats < 10 {
		t.Fatalf("flight %d has %d seats; pick one with at least 10", id, f.Seats)
	}
	must(t, e.sim.SetSeats(f.Key(), 10))

	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		held, soldOut  int
		others         []error
		refs           = map[string]bool{}
		start          = make(chan struct{})
		part           = o.Parts[0]
		travellers     = travellersFor(pax)
		ctx            = context.Background()
		wantHolds, all = 10, 50
	)
	for range all {
		wg.Go(func() {
			<-start
			h, err := e.c.Hold(ctx, providers.HoldRequest{Part: part, Travellers: travellers, Contact: contactT})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				held++
				refs[h.Ref] = true
			case providers.CodeOf(err) == providers.SoldOut:
				soldOut++
			default:
				others = append(others, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if held != wantHolds || soldOut != all-wantHolds || len(others) != 0 || len(refs) != wantHolds {
		t.Errorf("%d held (%d refs), %d sold out, other errors %v; want %d held and %d sold out",
			held, len(refs), soldOut, others, wantHolds, all-wantHolds)
	}
	if got := e.left(t, id); got != 0 {
		t.Errorf("seats left %d, want 0", got)
	}
}

func TestHoldExpires(t *testing.T) {
	e := newBookingEnv(t)
	pax := providers.Passengers{Adults: 2}
	o := e.oneWay(t, pax, 0)
	p := o.Parts[0]
	id := flightIDOf(t, p.Ref)
	before := e.left(t, id)
	h := e.hold(t, p)

	e.clock.Advance(3*time.Minute - time.Second)
	if got := e.left(t, id); got != before-2 {
		t.Fatalf("a second before expiry: %d seats left, want %d", got, before-2)
	}
	e.clock.Advance(time.Second)
	if got := e.left(t, id); got != before {
		t.Errorf("after expiry: %d seats left, want %d (free again)", got, before)
	}
	_, err := e.c.Book(context.Background(), bookReq(p, h))
	if pe := asProviderError(t, err); pe.Code != providers.HoldExpired || pe.Status != http.StatusForbidden || pe.ProviderCode != "REQUEST_EXPIRED" {
		t.Errorf("Book: %v, want HoldExpired from a 403", pe)
	}
	b, err := e.c.FindBooking(context.Background(), bookReq(p, h))
	if b != nil || err != nil {
		t.Errorf("FindBooking = %+v, %v; want nil, nil (never booked)", b, err)
	}
	if n := e.sim.BookingCount(); n != 0 {
		t.Errorf("%d bookings, want 0", n)
	}
}

func TestBook(t *testing.T) {
	e := newBookingEnv(t)
	ctx := context.Background()
	pax := providers.Passengers{Adults: 1, Children: 1, Infants: 1}
	o := e.oneWay(t, pax, 2)
	p := o.Parts[0]
	id := flightIDOf(t, p.Ref)
	before := e.left(t, id)
	h := e.hold(t, p)
	if h.Total != p.Total {
		t.Errorf("hold total %s, want the part's %s", h.Total, p.Total)
	}

	b, err := e.c.Book(ctx, bookReq(p, h))
	if err != nil {
		t.Fatalf("Book: %v", err)
	}
	if !regexp.MustCompile(`^[A-Z]{6}$`).MatchString(b.Reference) {
		t.Errorf("Reference %q, want 6 upper-case letters", b.Reference)
	}
	want := &providers.Booking{Reference: b.Reference, Status: providers.BookingConfirmed, Total: h.Total, Slices: o.Slices}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("booking (-want +got)\n%s", diff)
	}
	jsonEqual(t, e.log.last(t, "POST /v3/bookings"), fmt.Sprintf(`{
		"request_ids": [%d], "customer_code": "faregraph", "external_id": "fg-%d",
		"first_name": "Marie", "last_name": "Curie", "gender": "female",
		"email": "marie@example.com", "phonenumber": "+33600000000", "self_psp": true}`, cpsim.FirstRequestID, cpsim.FirstRequestID))
	if got := e.left(t, id); got != before-2 {
		t.Errorf("seats left %d, want %d: held seats become sold, once", got, before-2)
	}
	// Three minutes later the seats stay sold.
	e.clock.Advance(time.Hour)
	if got := e.left(t, id); got != before-2 {
		t.Errorf("an hour later: seats left %d, want %d", got, before-2)
	}

	t.Run("twice gives the same booking", func(t *testing.T) {
		again, err := e.c.Book(ctx, bookReq(p, h))
		if err != nil {
			t.Fatalf("second Book: %v", err)
		}
		if diff := cmp.Diff(b, again); diff != "" {
			t.Errorf("second booking (-first +second)\n%s", diff)
		}
		if n := e.sim.BookingCount(); n != 1 {
			t.Errorf("%d bookings, want 1", n)
		}
		if n := e.obs.count("book error"); n != 0 {
			t.Errorf("observer saw %d book errors: %v", n, e.obs.snapshot())
		}
	})

	t.Run("retrieve", func(t *testing.T) {
		got, err := e.c.Retrieve(ctx, b.Reference)
		if err != nil {
			t.Fatalf("Retrieve: %v", err)
		}
		if diff := cmp.Diff(b, got); diff != "" {
			t.Errorf("retrieved (-booked +retrieved)\n%s", diff)
		}
	})

	t.Run("retrieve after a schedule change", func(t *testing.T) {
		must(t, e.sim.ShiftSchedule(flightKey(t, id), 95*time.Minute))
		got, err := e.c.Retrieve(ctx, b.Reference)
		if err != nil {
			t.Fatalf("Retrieve: %v", err)
		}
		seg, was := got.Slices[0].Segments[0], o.Slices[0].Segments[0]
		if !seg.DepartureAt.Equal(was.DepartureAt.Add(95*time.Minute)) || !seg.ArrivalAt.Equal(was.ArrivalAt.Add(95*time.Minute)) {
			t.Errorf("flight %s–%s, want %s–%s moved by 95 minutes", seg.DepartureAt, seg.ArrivalAt, was.DepartureAt, was.ArrivalAt)
		}
		if _, off := seg.DepartureAt.Zone(); off != 2*3600 {
			t.Errorf("departure offset %d, want +02:00 kept", off)
		}
		if e.obs.count("retrieve ok") < 2 {
			t.Errorf("observer saw %v, want retrieve calls", e.obs.snapshot())
		}
	})

	t.Run("retrieve unknown", func(t *testing.T) {
		_, err := e.c.Retrieve(ctx, "ZZZZZZ")
		if pe := asProviderError(t, err); pe.Code != providers.NotFound || pe.Status != http.StatusNotFound || pe.Op != "retrieve" {
			t.Errorf("got %v, want NotFound", pe)
		}
		if n := e.obs.count("retrieve error"); n != 0 {
			t.Errorf("observer counted %d retrieve errors; a 404 is an answer", n)
		}
	})
}

func TestBookWhoseAnswerIsLost(t *testing.T) {
	tests := []struct {
		name     string
		mode     sim.FailMode
		timeout  time.Duration
		wantCode providers.ErrorCode
		status   int
	}{
		{"server error after booking", sim.FailAfter, 0, providers.Unavailable, http.StatusInternalServerError},
		{"no answer after booking", sim.FailTimeout, 100 * time.Millisecond, providers.Timeout, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newBookingEnv(t)
			pax := providers.Passengers{Adults: 2}
			o := e.oneWay(t, pax, 0)
			p := o.Parts[0]
			h := e.hold(t, p)
			id := flightIDOf(t, p.Ref)
			left := e.left(t, id)

			e.sim.SetFailure("book", tt.mode)
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := e.c.Book(ctx, bookReq(p, h))
			pe := asProviderError(t, err)
			if pe.Code != tt.wantCode || pe.Status != tt.status {
				t.Fatalf("Book: %v, want %s with status %d", pe, tt.wantCode, tt.status)
			}
			if n := e.sim.BookingCount(); n != 1 {
				t.Fatalf("%d bookings in the simulator, want 1 (the failure came after)", n)
			}

			e.sim.SetFailure("book", sim.FailNone)
			b, err := e.c.FindBooking(context.Background(), bookReq(p, h))
			if err != nil || b == nil {
				t.Fatalf("FindBooking = %+v, %v; want the booking", b, err)
			}
			rq, _ := e.sim.Request(cpsim.FirstRequestID)
			ref := rq.Booking
			want := &providers.Booking{Reference: ref, Status: providers.BookingConfirmed, Total: h.Total, Slices: o.Slices}
			if diff := cmp.Diff(want, b); diff != "" {
				t.Errorf("found (-want +got)\n%s", diff)
			}
			if n := e.sim.BookingCount(); n != 1 {
				t.Errorf("%d bookings after FindBooking, want 1", n)
			}
			if got := e.left(t, id); got != left {
				t.Errorf("seats left %d, want %d (sold once)", got, left)
			}
			if e.obs.count("find_booking ok") != 2 { // the replay's 409, then the booking read back
				t.Errorf("observer saw %v, want two find_booking calls", e.obs.snapshot())
			}
		})
	}
}

func TestFindBookingBooksAHoldNeverBooked(t *testing.T) {
	e := newBookingEnv(t)
	pax := providers.Passengers{Adults: 1}
	o := e.oneWay(t, pax, 0)
	h := e.hold(t, o.Parts[0])
	// Book's call never reached CitizenPlane: the replay books the hold, once.
	b, err := e.c.FindBooking(context.Background(), bookReq(o.Parts[0], h))
	if err != nil || b == nil || b.Status != providers.BookingConfirmed {
		t.Fatalf("FindBooking = %+v, %v; want a booking", b, err)
	}
	again, err := e.c.FindBooking(context.Background(), bookReq(o.Parts[0], h))
	if err != nil || again == nil || again.Reference != b.Reference {
		t.Fatalf("second FindBooking = %+v, %v; want %s", again, err, b.Reference)
	}
	if n := e.sim.BookingCount(); n != 1 {
		t.Errorf("%d bookings, want 1", n)
	}
}

func TestHoldFailures(t *testing.T) {
	e := newBookingEnv(t)
	pax := providers.Passengers{Adults: 1}
	o := e.oneWay(t, pax, 0)
	p := o.Parts[0]
	id := flightIDOf(t, p.Ref)
	left := e.left(t, id)

	e.sim.SetFailure("hold", sim.FailBefore)
	_, err := e.c.Hold(context.Background(), providers.HoldRequest{Part: p, Travellers: travellersFor(pax), Contact: contactT})
	if pe := asProviderError(t, err); pe.Code != providers.Unavailable || pe.Status != 500 || pe.ProviderCode != "INTERNAL_ERROR" {
		t.Errorf("FailBefore: %v", pe)
	}
	if got := e.left(t, id); got != left {
		t.Errorf("FailBefore held seats: %d left, want %d", got, left)
	}
	e.sim.SetFailure("hold", sim.FailAfter)
	_, err = e.c.Hold(context.Background(), providers.HoldRequest{Part: p, Travellers: travellersFor(pax), Contact: contactT})
	if providers.CodeOf(err) != providers.Unavailable {
		t.Errorf("FailAfter: %v", err)
	}
	if got := e.left(t, id); got != left-1 {
		t.Errorf("FailAfter: %d left, want %d (held, answer lost)", got, left-1)
	}
	e.sim.SetFailure("hold", sim.FailNone)

	e.sim.SetFailure("search", sim.FailBefore)
	_, err = e.client().Search(context.Background(), providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-07"), Passengers: pax})
	if pe := asProviderError(t, err); pe.Code != providers.Unavailable || pe.Status != 500 {
		t.Errorf("search FailBefore: %v", pe)
	}
}

func TestHoldRejectsWithoutACall(t *testing.T) {
	e := newBookingEnv(t)
	pax := providers.Passengers{Adults: 1, Infants: 1}
	o := e.oneWay(t, pax, 0)
	p := o.Parts[0]
	other := e.oneWay(t, pax, 1).Parts[0]
	anc := e.c.ListAncillaries(context.Background(), []providers.Part{other})[0]
	good := travellersFor(pax)
	with := func(f func(*providers.Traveller)) []providers.Traveller {
		ts := append([]providers.Traveller(nil), good...)
		f(&ts[0])
		return ts
	}
	tests := []struct {
		name string
		r    providers.HoldRequest
	}{
		{"extra of another flight", providers.HoldRequest{Part: p, Travellers: good, Selections: []providers.Selection{{Ref: anc.Ancillaries[0].Ref, Quantity: 1}}}},
		{"extra the flight does not sell", providers.HoldRequest{Part: p, Travellers: good, Selections: []providers.Selection{{Ref: p.Ref + ":checked:32", Quantity: 1}}}},
		{"extra for no traveller", providers.HoldRequest{Part: p, Travellers: good, Selections: []providers.Selection{{Ref: p.Ref + ":checked:20", PassengerIndex: 2, Quantity: 1}}}},
		{"travellers do not match", providers.HoldRequest{Part: p, Travellers: good[:1]}},
		{"no gender", providers.HoldRequest{Part: p, Travellers: with(func(t *providers.Traveller) { t.Gender = "" })}},
		{"bad birth date", providers.HoldRequest{Part: p, Travellers: with(func(t *providers.Traveller) { t.DateOfBirth = "17/05/1980" })}},
		{"bad country", providers.HoldRequest{Part: p, Travellers: with(func(t *providers.Traveller) { t.Nationality = "FRA" })}},
		{"no document", providers.HoldRequest{Part: p, Travellers: with(func(t *providers.Traveller) { t.DocumentNumber = " " })}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.Hold(context.Background(), tt.r)
			if pe := asProviderError(t, err); pe.Code != providers.Rejected || pe.Op != "hold" || pe.Status != 0 {
				t.Errorf("got %v, want Rejected", pe)
			}
		})
	}
	if n := e.log.count("POST /v3/requests"); n != 0 {
		t.Errorf("made %d request calls, want none", n)
	}
}

func TestBookRejectsWithoutACall(t *testing.T) {
	e := newBookingEnv(t)
	pax := providers.Passengers{Adults: 1}
	p := e.oneWay(t, pax, 0).Parts[0]
	h := &providers.Hold{Ref: "244401"}
	noEmail := bookReq(p, h)
	noEmail.Contact.Email = ""
	badRef := bookReq(p, h)
	badRef.Hold.Ref = "prebook-1"
	noAdult := bookReq(p, h)
	noAdult.Travellers = []providers.Traveller{childT}
	for name, r := range map[string]providers.BookRequest{"no email": noEmail, "not our hold": badRef, "no adult": noAdult} {
		t.Run(name, func(t *testing.T) {
			_, err := e.c.Book(context.Background(), r)
			if pe := asProviderError(t, err); pe.Code != providers.Rejected || pe.Status != 0 {
				t.Errorf("got %v, want Rejected", pe)
			}
		})
	}
	if n := e.log.count("POST /v3/bookings"); n != 0 {
		t.Errorf("made %d booking calls, want none", n)
	}
}
