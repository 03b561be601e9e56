package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/auth"
)

// TestInputCoercionAtTheEdge: every value that does not coerce to its type,
// in variables (whatever JSON kind it is sent as) and in literal arguments
// (at any depth), is refused before anything runs, as one BAD_USER_INPUT
// error naming its input path, and no provider is called.
func TestInputCoercionAtTheEdge(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	const (
		bookings = `query($f: Int) { bookings(first: $f) { totalCount } }`
		search   = `query($in: SearchOffersInput!) { searchOffers(input: $in) { id } }`
		sortBy   = `query($s: OfferSortKey) { offerSearch(id: "x") { offers(sortBy: $s) { totalCount } } }`
		input    = `"origin":"CDG","destination":"PMI","departureDate":"2026-07-01"`
		literal  = `origin: "CDG", destination: "PMI", departureDate: "2026-07-01"`
	)
	q := func(query, vars string) string {
		return `{"query":` + quoteJSON(query) + `,"variables":` + vars + `}`
	}
	for _, tt := range []struct {
		name, body, field, message string
	}{
		// Int literals: checked at the edge, named by argument path like
		// the resolvers' own checks ("first", not "offers.first").
		{"literal above 2^31-1 after a search", q(`{ searchOffers(input: {`+literal+`, passengers: {adults: 1}}) { id offers(first: 2147483648) { totalCount } } }`, `{}`), "first", "must be an Int from -2147483648 to 2147483647, got 2147483648"},
		{"literal under a null parent", q(`{ offerSearch(id: "x") { offers(first: 2147483648) { totalCount } } }`, `{}`), "first", "got 2147483648"},
		{"literal in a nested input object", q(`{ searchOffers(input: {`+literal+`, passengers: {adults: 1, children: -2147483649}}) { id } }`, `{}`), "input.passengers.children", "got -2147483649"},
		{"literal in a fragment", q(`{ offerSearch(id: "x") { ...F } } fragment F on OfferSearch { offers(last: 99999999999) { totalCount } }`, `{}`), "last", "got 99999999999"},
		// Int variables of every other JSON kind.
		{"integral float", q(bookings, `{"f":2.0}`), "$f", "must be an Int, an integer without a fraction or exponent, got 2.0"},
		{"fraction", q(bookings, `{"f":2.5}`), "$f", "got 2.5"},
		{"exponent", q(bookings, `{"f":1e2}`), "$f", "got 1e2"},
		{"boolean", q(bookings, `{"f":true}`), "$f", "must be an Int, got a boolean"},
		{"list", q(bookings, `{"f":[2]}`), "$f", "must be an Int, got a list"},
		{"object", q(bookings, `{"f":{"a":1}}`), "$f", "must be an Int, got an object"},
		{"string", q(bookings, `{"f":"2"}`), "$f", "must be an Int, got a string"},
		{"above 2^31-1", q(bookings, `{"f":2147483648}`), "$f", "got 2147483648"},
		{"fraction in an input object", q(search, `{"in":{`+input+`,"passengers":{"adults":1.5}}}`), "$in.passengers.adults", "got 1.5"},
		{"unknown input field", q(search, `{"in":{`+input+`,"passengers":{"adults":1},"zz":1}}`), "$in.zz", `SearchOffersInput has no field "zz"`},
		{"missing input field", q(search, `{"in":{"origin":"CDG","departureDate":"2026-07-01","passengers":{"adults":1}}}`), "$in.destination", "a value of type String! is required"},
		{"missing variable", q(search, `{}`), "$in", "a value of type SearchOffersInput! is required"},
		{"null for non-null", q(search, `{"in":null}`), "$in", "must not be null"},
		// Enums: one classification whatever the wrong value.
		{"enum of the wrong case", q(sortBy, `{"s":"price"}`), "$s", `"price" is not a value of OfferSortKey (PRICE, DEPARTURE, DURATION)`},
		{"enum unknown", q(sortBy, `{"s":"x"}`), "$s", `"x" is not a value of OfferSortKey (PRICE, DEPARTURE, DURATION)`},
		{"enum as a number", q(sortBy, `{"s":1}`), "$s", "must be a value of OfferSortKey (PRICE, DEPARTURE, DURATION), got the number 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := providerCalls(t, h, "")
			r := postRaw(t, h, []byte(tt.body))
			if len(r.Errors) != 1 || r.codes()[0] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field ||
				!strings.Contains(r.Errors[0].Message, tt.message) || r.Data != nil {
				t.Errorf("got %+v (data %v), want one BAD_USER_INPUT on %s saying %q", r.Errors, r.Data, tt.field, tt.message)
			}
			if after := providerCalls(t, h, ""); after != before {
				t.Errorf("%d provider calls before the refusal", after-before)
			}
		})
	}
	// An integer JSON number is an Int.
	if r := postRaw(t, h, []byte(q(bookings, `{"f":2}`))); len(r.Errors) > 0 {
		t.Errorf("an integer: %+v", r.Errors)
	}
}

// TestProductionRevealsNothingWithoutAKey: without introspection an enum's
// values are not listed, and in production a request without a valid key
// is answered 401 before its document is parsed or validated, over POST
// and GET alike.
func TestProductionRevealsNothingWithoutAKey(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) {
		c.Development, c.AllowSimulators, c.AllowSandboxPayments, c.Introspection = false, true, true, false
	})
	h := a.Handler
	key, err := a.Auth.CreateKey(context.Background(), "acme", auth.AllScopes, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sortBy := `query($s: OfferSortKey) { offerSearch(id: "x") { offers(sortBy: $s) { totalCount } } }`
	for _, s := range []string{"price", "x"} {
		r := postAs(t, h, key, sortBy, map[string]any{"s": s})
		if len(r.Errors) != 1 || r.codes()[0] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "$s" || strings.Contains(r.Errors[0].Message, "PRICE") {
			t.Errorf("%q with a key: %+v", s, r.Errors)
		}
	}
	for _, doc := range []string{`{ searchOffers(input: {}) { id } }`, `{ searchOffer { id } }`, sortBy} {
		for _, bearer := range []string{"", "fg_0011223344556677_nope", key + "x"} {
			r := decodeResponse(t, apptest.PostBody(h, []byte(`{"query":`+quoteJSON(doc)+`,"variables":{"s":"x"}}`), bearer))
			if r.Status != http.StatusUnauthorized || len(r.Errors) != 1 || r.codes()[0] != "UNAUTHENTICATED" {
				t.Errorf("POST %s with %q: %d %+v", doc, bearer, r.Status, r.Errors)
			}
			req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(doc), nil)
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if g := decodeResponse(t, rec); g.Status != http.StatusUnauthorized || len(g.Errors) != 1 || g.codes()[0] != "UNAUTHENTICATED" {
				t.Errorf("GET %s with %q: %d %+v", doc, bearer, g.Status, g.Errors)
			}
		}
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
