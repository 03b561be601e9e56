package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/db/dbtest"
)

// bookAll creates and books n sessions of one CitizenPlane offer, a second
// apart, then opens one more left OPEN.
func bookAll(t *testing.T, h http.Handler, clock interface{ Add(time.Duration) }, n int) {
	t.Helper()
	r := post(t, h, flowSearch, map[string]any{"p": []string{"citizenplane"}})
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id")
	for range n {
		clock.Add(time.Second)
		s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
			"offerId": offer, "passengers": passengerVars, "contact": contactVars}})
		id := s["id"]
		mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
		mutate(t, h, "", "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id, "method": "CARD"}})
		mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
		mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
	}
	clock.Add(time.Second)
	mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offer, "passengers": passengerVars, "contact": contactVars}})
}

const (
	filteredSessions = `query($first: Int, $after: String, $last: Int, $before: String, $f: CheckoutSessionFilter) { checkoutSessions(first: $first, after: $after, last: $last, before: $before, filter: $f) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id status } } } }`
	filteredBookings = `query($first: Int, $after: String, $last: Int, $before: String, $f: BookingFilter) { bookings(first: $first, after: $after, last: $last, before: $before, filter: $f) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id reference } } } }`
)

// TestFilteredConnections: bookings and checkoutSessions filtered in the
// database, paged forward and backward under the filter, counted under
// it; a cursor of another filter and an inverted range are BAD_USER_INPUT
// naming the argument.
// It runs on SQLite, and on Postgres when FAREGRAPH_TEST_DATABASE_URL is set.
func TestFilteredConnections(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		a, clock := newClockedApp(t)
		filteredConnections(t, a.Handler, clock)
	})
	t.Run("postgres", func(t *testing.T) {
		url := dbtest.PostgresURL(t)
		clock := &movableClock{now: testNow}
		a := newTestApp(t, func(c *app.Config) { c.Now, c.Sim.Now, c.DatabaseURL = clock.Now, clock.Now, url })
		filteredConnections(t, a.Handler, clock)
	})
}

func filteredConnections(t *testing.T, h http.Handler, clock *movableClock) {
	bookAll(t, h, clock, checkoutCount)

	booked := map[string]any{"f": map[string]any{"status": []string{"BOOKED"}}}
	if got := walk(t, h, filteredSessions, []any{"checkoutSessions"}, booked, 2); len(got) != checkoutCount {
		t.Errorf("%d BOOKED sessions, want %d", len(got), checkoutCount)
	}
	r := post(t, h, filteredSessions, map[string]any{"first": 100, "f": map[string]any{"status": []string{"OPEN"}}})
	if len(r.Errors) > 0 || dig(r.Data, "checkoutSessions", "totalCount") != float64(1) || dig(r.Data, "checkoutSessions", "edges", 0, "node", "status") != "OPEN" {
		t.Errorf("OPEN sessions: %+v %v", r.Errors, r.Data)
	}
	r = post(t, h, filteredSessions, map[string]any{"first": 100, "f": map[string]any{"createdTo": "2000-01-01T00:00:00Z"}})
	if len(r.Errors) > 0 || dig(r.Data, "checkoutSessions", "totalCount") != float64(0) {
		t.Errorf("sessions created before 2000: %+v %v", r.Errors, r.Data)
	}

	june := map[string]any{"f": map[string]any{"status": []string{"CONFIRMED", "PENDING"}, "departureFrom": "2026-06-30", "departureTo": "2026-07-02"}}
	all := walk(t, h, filteredBookings, []any{"bookings"}, june, 2)
	if len(all) != checkoutCount {
		t.Errorf("%d bookings departing around 2026-07-01, want %d", len(all), checkoutCount)
	}
	r = post(t, h, filteredBookings, map[string]any{"first": 100, "f": map[string]any{"departureFrom": "2026-07-05"}})
	if len(r.Errors) > 0 || dig(r.Data, "bookings", "totalCount") != float64(0) {
		t.Errorf("bookings departing from 2026-07-05: %+v %v", r.Errors, r.Data)
	}
	r = post(t, h, filteredBookings, map[string]any{"first": 100})
	ref := dig(r.Data, "bookings", "edges", 2, "node", "reference")
	r = post(t, h, filteredBookings, map[string]any{"first": 100, "f": map[string]any{"reference": ref}})
	if len(r.Errors) > 0 || dig(r.Data, "bookings", "totalCount") != float64(1) || dig(r.Data, "bookings", "edges", 0, "node", "reference") != ref {
		t.Errorf("booking %v: %+v %v", ref, r.Errors, r.Data)
	}

	// A cursor is valid only under the filter it was given with.
	r = post(t, h, filteredBookings, map[string]any{"first": 2, "f": june["f"]})
	cursor := dig(r.Data, "bookings", "pageInfo", "endCursor")
	for name, vars := range map[string]map[string]any{
		"no filter":      {"first": 2, "after": cursor},
		"another filter": {"first": 2, "after": cursor, "f": map[string]any{"departureFrom": "2026-06-30"}},
	} {
		r := post(t, h, filteredBookings, vars)
		if len(r.Errors) == 0 || r.codes()[0] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "after" {
			t.Errorf("%s: %+v", name, r.Errors)
		}
	}
	r = post(t, h, filteredBookings, map[string]any{"first": 2})
	plain := dig(r.Data, "bookings", "pageInfo", "startCursor")
	r = post(t, h, filteredBookings, map[string]any{"last": 2, "before": plain, "f": june["f"]})
	if len(r.Errors) == 0 || r.codes()[0] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "before" {
		t.Errorf("an unfiltered cursor under a filter: %+v", r.Errors)
	}

	for q, f := range map[string]map[string]any{
		filteredBookings: {"departureFrom": "2026-07-02", "departureTo": "2026-07-01"},
		filteredSessions: {"createdFrom": "2026-07-02T00:00:00Z", "createdTo": "2026-07-01T00:00:00Z"},
	} {
		r := post(t, h, q, map[string]any{"f": f})
		if len(r.Errors) == 0 || r.codes()[0] != "BAD_USER_INPUT" || (r.Errors[0].Extensions["field"] != "filter.departureTo" && r.Errors[0].Extensions["field"] != "filter.createdTo") {
			t.Errorf("inverted range %v: %+v", f, r.Errors)
		}
	}
}
