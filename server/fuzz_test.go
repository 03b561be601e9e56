package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/server/hostile"
)

// Issue 7's classification inputs.
const (
	payWrongCaseEnum = `mutation($m: PaymentMethodType!) { payCheckoutSession(input:{checkoutSessionId:"Q2hlY2tvdXRTZXNzaW9uOmNzXwA", method:$m}) { userErrors { code } } }`
	sessionNULID     = `{ checkoutSession(id:"Q2hlY2tvdXRTZXNzaW9uOmNzXwA") { id status } }`
	holdNULKey       = `mutation { holdCheckoutSession(input:{checkoutSessionId:"Q2hlY2tvdXRTZXNzaW9uOmNzXwA", idempotencyKey:"k\u0000"}) { userErrors { code } } }`
)

// searchWith is a search a month ahead for the given passenger counts.
func searchWith(passengers string) string {
	day := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	return `{ searchOffers(input:{origin:"CDG", destination:"PMI", departureDate:"` + day + `", passengers:{` + passengers + `}}) { id offers(first: 3) { edges { node { id totalPrice { amount } } } } } }`
}

// fuzzSeeds are the inputs of issue 7 (and a few ordinary requests to
// mutate from): a document and its variables as JSON.
func fuzzSeeds() [][2]string {
	flood, _ := json.Marshal(map[string]any{"p": strings.Split(strings.Repeat("x", 200_000), "")})
	longName := "Q" + strings.Repeat("a", 500_000)
	return [][2]string{
		{`{ __typename }`, ``},
		{searchWith(`adults:1`), ``},
		{searchWith(`adults:1, children:9223372036854775807`), ``},
		{searchWith(`adults:9223372036854775807, children:1`), ``},
		{hostile.FragmentBomb(), ``},
		{hostile.TypenameFlood(7), ``},
		{hostile.SameAlias(450), ``},
		{`query($p: [String!]) { searchOffers(input:{origin:"CDG", destination:"PMI", departureDate:"2026-07-01", passengers:{adults:1}, providers:$p}) { id } }`, string(flood)},
		{"query " + longName + " { __typename }", ``},
		{`query($m: PaymentMethodType!) { __typename }`, `{"m":"card"}`},
		{payWrongCaseEnum, `{"m":"card"}`},
		{`query($s: OfferSortKey) { offerSearch(id:"x") { offers(sortBy:$s) { totalCount } } }`, `{"s":"price"}`},
		{sessionNULID, ``},
		{holdNULKey, ``},
		{`mutation { cancelCheckoutSession(input:{checkoutSessionId:"Q2hlY2tvdXRTZXNzaW9uOmNzXzE"}) { checkoutSession { offer { priceCheck { available } ancillaries { id } } } } }`, ``},
		{`query($f: Int) { bookings(first:$f) { totalCount } }`, `{"f":"2"}`},
		{`query($f: Int) { bookings(first:$f) { totalCount } }`, `{"f":2147483648}`},
		{`{ searchOffer }`, ``},
		{`mutation { payCheckoutSession(input:{checkoutSessionId:"x", method:CARDS}) { userErrors { code } } }`, ``},
		{`{ offers: offer(id:"T2ZmZXI6eA") { id } node(id:"\xff") { id } }`, ``},
	}
}

// FuzzGraphQL drives the whole HTTP handler (on the simulators) with
// mutated documents and variables over the real schema: no answer may be
// a 500, be other than a JSON object, or carry the code INTERNAL.
//
//	go test ./server -run '^$' -fuzz FuzzGraphQL -fuzztime 30s
func FuzzGraphQL(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s[0], s[1])
	}
	a := newTestApp(f, nil)
	f.Fuzz(func(t *testing.T, query, variables string) {
		req := map[string]any{"query": query}
		if json.Valid([]byte(variables)) {
			req["variables"] = json.RawMessage(variables)
		}
		body, err := json.Marshal(req)
		if err != nil {
			t.Skip("not encodable as a request")
		}
		r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, r)
		if rec.Code >= 500 {
			t.Fatalf("%d: %.500s", rec.Code, rec.Body)
		}
		var resp struct {
			Errors []gqlError `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("not a JSON answer (%d): %.500s", rec.Code, rec.Body)
		}
		for _, e := range resp.Errors {
			if e.Extensions["code"] == "INTERNAL" {
				t.Fatalf("INTERNAL for %q %q: %+v", query, variables, resp.Errors)
			}
		}
	})
}
