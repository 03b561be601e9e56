package events

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/fault"
)

// TestEndpointURLs: in production an endpoint's URL must name a global
// address or a public name: every special-purpose range (IANA's IPv4 and
// IPv6 special registries), addresses embedded in NAT64 or IPv4-mapped
// IPv6, numeric hosts that URL parsers and libc read as IPv4 (decimal,
// short, hex, octal), localhost and other special-use names are refused;
// ports, length, credentials and fragments are checked; each violation
// names input.url. In development loopback and http are allowed, numeric
// shorthand still is not.
func TestEndpointURLs(t *testing.T) {
	refused := []string{
		"https://100.64.0.1/x", "https://100.127.255.254/", "https://198.18.0.1/", "https://198.19.255.1/",
		"https://255.255.255.255/", "https://0.0.0.0/", "https://10.1.2.3/", "https://127.0.0.1/", "https://169.254.169.254/latest",
		"https://192.0.2.1/", "https://224.0.0.1/", "https://240.0.0.1/",
		"https://[64:ff9b::7f00:1]/", "https://[64:ff9b::a00:1]/", "https://[64:ff9b::5db8:d70e]/",
		"https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/", "https://[::1]/", "https://[::]/", "https://[fe80::1]/",
		"https://[fc00::1]/", "https://[2002:7f00:1::]/", "https://[2001:db8::1]/", "https://[fe80::1%25eth0]/",
		"https://localhost/", "https://localhost./", "https://LOCALHOST/", "https://a.localhost/", "https://a.localhost./",
		"https://printer.local/", "https://db.internal/", "https://router.home.arpa/", "https://intranet/",
		"https://2130706433/", "https://127.1/", "https://0x7f.1/", "https://0x7f000001/", "https://017700000001/", "https://127.0.0.01/",
		"https://1.2.3/", "https://example.com.1/",
		"https://example.com:0/", "https://example.com:65536/", "https://example.com:/", "https://example.com:99999999999/",
		"http://example.com/", "ftp://example.com/", "https://user:pw@example.com/", "https://example.com/#frag", "example.com/x",
		"https://", "", "https://example.com/" + strings.Repeat("a", MaxURLLength),
	}
	for _, u := range refused {
		got, ve := checkURL(u, false)
		if len(ve) != 1 || !slices.Equal(ve[0].Field, []string{"input", "url"}) || ve[0].Message == "" {
			t.Errorf("production %q: %q %v, want one violation on input.url", u, got, ve)
		}
	}
	if _, ve := checkURL("https://example.com/"+strings.Repeat("a", MaxURLLength), false); ve[0].Code != fault.TooLong {
		t.Errorf("a long URL: %v, want TOO_LONG", ve)
	}
	accepted := []string{
		"https://example.com/x", "https://hooks.example.com:8443/in?tenant=1", "https://example.com./x",
		"https://93.184.215.14/x", "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/x", "https://1.1.1.1/", "https://xn--bcher-kva.example/",
	}
	for _, u := range accepted {
		if _, ve := checkURL(u, false); len(ve) != 0 {
			t.Errorf("production %q refused: %v", u, ve)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080/x", "http://localhost:3000/", "https://[::1]:8443/", "http://host.docker.internal/"} {
		if _, ve := checkURL(u, true); len(ve) != 0 {
			t.Errorf("development %q refused: %v", u, ve)
		}
	}
	for _, u := range []string{"http://127.1/", "http://2130706433/", "http://localhost:0/", "http://localhost:70000/"} {
		if _, ve := checkURL(u, true); len(ve) != 1 {
			t.Errorf("development %q: %v, want refused", u, ve)
		}
	}
}

// TestDialerRefusesNonGlobal: the delivery dialer's check, made on the
// address actually dialled (so a name that resolves to one is refused),
// refuses every non-global address, including NAT64 and IPv4-mapped ones.
func TestDialerRefusesNonGlobal(t *testing.T) {
	for _, a := range []struct{ network, address string }{
		{"tcp4", "100.64.0.1:443"}, {"tcp4", "198.18.0.1:443"}, {"tcp4", "255.255.255.255:443"}, {"tcp4", "127.0.0.1:8080"},
		{"tcp4", "169.254.169.254:80"}, {"tcp4", "10.0.0.1:443"}, {"tcp6", "[64:ff9b::7f00:1]:443"}, {"tcp6", "[64:ff9b::a00:1]:443"},
		{"tcp6", "[::ffff:127.0.0.1]:443"}, {"tcp6", "[::1]:443"}, {"tcp6", "[fd00::1]:443"}, {"tcp6", "[2002:a00:1::1]:443"},
		{"udp4", "93.184.215.14:443"},
	} {
		if err := refuseNonGlobal(a.network, a.address, nil); err == nil {
			t.Errorf("%s %s allowed", a.network, a.address)
		}
	}
	for _, a := range []struct{ network, address string }{{"tcp4", "93.184.215.14:443"}, {"tcp6", "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443"}} {
		if err := refuseNonGlobal(a.network, a.address, nil); err != nil {
			t.Errorf("%s %s refused: %v", a.network, a.address, err)
		}
	}
}

// TestEventTypesOneList: every event the outbox may hold (db.EventTypes,
// which emit checks) can be asked for by name, each wildcard too, and the
// README's table and the schema's Event description name every one of them.
func TestEventTypesOneList(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := os.ReadFile("../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range db.EventTypes() {
		if !strings.Contains(string(schema), typ+",") && !strings.Contains(string(schema), typ+")") && !strings.Contains(string(schema), typ+".") {
			t.Errorf("schema.graphql's Event description does not name %s", typ)
		}
	}
	for _, typ := range append(db.EventTypes(), Wildcards...) {
		if _, ve := checkTypes([]string{typ}); len(ve) != 0 {
			t.Errorf("%s refused: %v", typ, ve)
		}
		if typ != "*" && !strings.Contains(string(readme), "`"+typ+"`") {
			t.Errorf("README.md does not name %s", typ)
		}
	}
	for _, typ := range []string{"checkout_session.booked", "checkout_session.needs_attention", "booking.canceled", "refund.succeeded"} {
		if !slices.Contains(Types, typ) {
			t.Errorf("Types lacks %s", typ)
		}
	}
	set, ve := checkTypes([]string{"booking.*", "checkout_session.booked", "booking.*", "nope", "checkout_session.BOOKED"})
	if !slices.Equal(set, []string{"booking.*", "checkout_session.booked"}) || len(ve) != 2 ||
		!slices.Equal(ve[0].Field, []string{"input", "events", "3"}) || !slices.Equal(ve[1].Field, []string{"input", "events", "4"}) {
		t.Errorf("checkTypes: %v %v", set, ve)
	}
}

func newService(t *testing.T, d *db.DB, mod func(*Config)) *Service {
	t.Helper()
	if _, err := (db.Tenants{}).EnsureTenant(t.Context(), d, "acme", "acme", time.Now()); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DB: d, AllowPrivate: true}
	if mod != nil {
		mod(&cfg)
	}
	s := New(cfg)
	t.Cleanup(s.Close)
	return s
}

// TestDuplicateEndpoints: a second live endpoint of a tenant with the same
// URL and the same set of types (in any order, with repeats, or wildcards
// spelled out: ["*"] and every type listed) is DUPLICATE on input.url,
// also when requests race; another set, or the same after
// the first is deleted, is a new endpoint; types are stored once each.
func TestDuplicateEndpoints(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d, nil)
		ctx := t.Context()
		ep, _, ve, err := s.CreateEndpoint(ctx, "acme", "https://example.com/hook", []string{"refund.succeeded", "booking.*", "booking.*"})
		if err != nil || len(ve) != 0 || !slices.Equal(ep.Events, []string{"booking.*", "refund.succeeded"}) {
			t.Fatalf("create: %v %v %v", ep, ve, err)
		}
		_, _, ve, err = s.CreateEndpoint(ctx, "acme", "https://example.com/hook", []string{"booking.*", "refund.succeeded"})
		if err != nil || len(ve) != 1 || ve[0].Code != fault.Duplicate || !slices.Equal(ve[0].Field, []string{"input", "url"}) || !strings.Contains(ve[0].Message, ep.ID) {
			t.Errorf("the same again: %v %v", ve, err)
		}
		if _, _, ve, err = s.CreateEndpoint(ctx, "acme", "https://example.com/hook", []string{"booking.*"}); err != nil || len(ve) != 0 {
			t.Errorf("another set of types: %v %v", ve, err)
		}
		if ok, err := s.DeleteEndpoint(ctx, "acme", ep.ID); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if _, _, ve, err = s.CreateEndpoint(ctx, "acme", "https://example.com/hook", []string{"booking.*", "refund.succeeded"}); err != nil || len(ve) != 0 {
			t.Errorf("after the first was deleted: %v %v", ve, err)
		}

		// Wildcards are compared as the types they stand for.
		all, _, ve, err := s.CreateEndpoint(ctx, "acme", "https://example.com/all", []string{"*"})
		if err != nil || len(ve) != 0 {
			t.Fatal(ve, err)
		}
		var booking []string
		for _, typ := range Types {
			if strings.HasPrefix(typ, "booking.") {
				booking = append(booking, typ)
			}
		}
		for _, c := range []struct {
			types []string
			dup   bool
		}{
			{Types, true},
			{append([]string{"checkout_session.*", "booking.*"}, "refund.succeeded"), true},
			{Types[1:], false},
			{[]string{"booking.*"}, false},
		} {
			_, _, ve, err := s.CreateEndpoint(ctx, "acme", "https://example.com/all", c.types)
			if got := err == nil && len(ve) == 1 && ve[0].Code == fault.Duplicate && strings.Contains(ve[0].Message, all.ID); got != c.dup || err != nil {
				t.Errorf("%v next to [*]: %v %v, want duplicate %v", c.types, ve, err, c.dup)
			}
		}
		if _, _, ve, err := s.CreateEndpoint(ctx, "acme", "https://example.com/all", booking); err != nil || len(ve) != 1 || ve[0].Code != fault.Duplicate {
			t.Errorf("every booking type next to booking.*: %v %v", ve, err)
		}

		var wg sync.WaitGroup
		var made, dup atomic.Int32
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				types := []string{"*"}
				if i%2 == 1 {
					types = Types // the same set, spelled out
				}
				_, _, ve, err := s.CreateEndpoint(context.Background(), "acme", "https://example.com/race", types)
				switch {
				case err != nil:
					t.Error(err)
				case len(ve) == 0:
					made.Add(1)
				case ve[0].Code == fault.Duplicate:
					dup.Add(1)
				}
			}()
		}
		wg.Wait()
		if made.Load() != 1 || dup.Load() != 7 {
			t.Errorf("8 concurrent creations: %d made, %d duplicate; want 1 and 7", made.Load(), dup.Load())
		}
	})
}

// writeEvents writes n events of the tenant into the outbox.
func writeEvents(t *testing.T, d *db.DB, n int) {
	t.Helper()
	for i := range n {
		row := &db.OutboxRow{ID: fmt.Sprintf("evt_test%d_%d", time.Now().UnixNano(), i), TenantID: "acme", Type: db.EventBookingConfirmed,
			SubjectID: "b1", Data: `{"bookingId":"b1"}`, CreatedAt: time.Now().UTC()}
		if _, err := d.NewInsert().Model(row).Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSlowEndpointDelaysOnlyItself: with one endpoint that never answers
// and a backlog of deliveries to it, Run keeps at most PerEndpoint
// requests in flight to it and delivers every event to another endpoint
// at once.
func TestSlowEndpointDelaysOnlyItself(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d, func(c *Config) { c.PollInterval = 20 * time.Millisecond })
		release := make(chan struct{})
		var slowNow, slowMax atomic.Int32
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := slowNow.Add(1)
			defer slowNow.Add(-1)
			for m := slowMax.Load(); n > m && !slowMax.CompareAndSwap(m, n); m = slowMax.Load() {
			}
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer slow.Close()
		defer close(release)
		var fastGot atomic.Int32
		fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fastGot.Add(1) }))
		defer fast.Close()
		for _, u := range []string{slow.URL, fast.URL} {
			if _, _, ve, err := s.CreateEndpoint(t.Context(), "acme", u, []string{"*"}); err != nil || len(ve) > 0 {
				t.Fatal(ve, err)
			}
		}
		time.Sleep(10 * time.Millisecond) // events after the endpoints' creation
		writeEvents(t, d, 20)

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { s.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		deadline := time.Now().Add(10 * time.Second)
		for fastGot.Load() < 20 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if fastGot.Load() != 20 {
			t.Errorf("the fast endpoint got %d of 20 events while the slow one hangs", fastGot.Load())
		}
		if m := slowMax.Load(); m < 1 || m > DefaultPerEndpoint {
			t.Errorf("at most %d requests at once went to the slow endpoint, want 1 to %d", m, DefaultPerEndpoint)
		}
	})
}

// TestReplicasSendEachDeliveryOnce: two Services (replicas) delivering at
// the same time from one database send each event once: a delivery is
// claimed (leased) before it is sent.
func TestReplicasSendEachDeliveryOnce(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d *db.DB) {
		one := newService(t, d, nil)
		two := New(Config{DB: d, AllowPrivate: true})
		defer two.Close()
		var mu sync.Mutex
		seen := map[string]int{}
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(5 * time.Millisecond)
			mu.Lock()
			seen[r.Header.Get(EventIDHeader)]++
			mu.Unlock()
		}))
		defer hook.Close()
		if _, _, ve, err := one.CreateEndpoint(t.Context(), "acme", hook.URL, []string{"booking.confirmed"}); err != nil || len(ve) > 0 {
			t.Fatal(ve, err)
		}
		time.Sleep(10 * time.Millisecond)
		writeEvents(t, d, 30)
		var wg sync.WaitGroup
		for _, s := range []*Service{one, two, one, two} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Deliver(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != 30 {
			t.Errorf("%d of 30 events delivered", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s sent %d times", id, n)
			}
		}
	})
}

// TestDeliveryRefusedAtConnect: an endpoint whose host turns out to be
// loopback when dialled (as after a DNS change) gets nothing in
// production: the attempt fails at connect time and is retried later.
func TestDeliveryRefusedAtConnect(t *testing.T) {
	d := dbtest.SQLite(t)
	s := newService(t, d, func(c *Config) { c.AllowPrivate = false })
	var got atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer hook.Close()
	row := &db.WebhookEndpointRow{ID: "we_rebound", TenantID: "acme", URL: hook.URL, Secret: "whsec_x", Events: "*", CreatedAt: time.Now().UTC().Add(-time.Minute)}
	if err := s.out.CreateEndpoint(t.Context(), d, row); err != nil {
		t.Fatal(err)
	}
	writeEvents(t, d, 1)
	if _, err := s.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	ds, _, err := s.Deliveries(t.Context(), "acme", "we_rebound", 0, 10)
	if err != nil || len(ds) != 1 {
		t.Fatal(ds, err)
	}
	if got.Load() != 0 || ds[0].Status != "PENDING" || ds[0].Attempts != 1 || !strings.Contains(ds[0].LastError, "refused") {
		t.Errorf("delivery to a loopback address in production: received %d, %+v", got.Load(), ds[0])
	}
}
