package server_test

import (
	"encoding/base64"
	"testing"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/db/dbtest"
)

// TestBadInputIsNeverInternal walks every documented bad input (issue 7)
// through the real HTTP handler, on SQLite and on Postgres when
// FAREGRAPH_TEST_DATABASE_URL is set: none answers INTERNAL, and each
// answers the code it is documented to, naming the field or variable.
func TestBadInputIsNeverInternal(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { walkBadInputs(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		url := dbtest.PostgresURL(t)
		walkBadInputs(t, func(c *app.Config) { c.DatabaseURL = url })
	})
}

func walkBadInputs(t *testing.T, mod func(*app.Config)) {
	a := newTestApp(t, mod)
	h := a.Handler
	r := post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}})
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id").(string)
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offer, "passengers": passengerVars, "contact": contactVars}})
	session := s["id"].(string)

	search := func(passengers string) string {
		return `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: ` + passengers + `}) { id offers { edges { node { totalPrice { amount } } } } } }`
	}
	passenger := func(k, v string) []any {
		p := map[string]any{}
		for key, val := range passengerVars[0].(map[string]any) {
			p[key] = val
		}
		p[k] = v
		return []any{p}
	}
	nulID := base64.RawURLEncoding.EncodeToString([]byte("CheckoutSession:cs_\x00"))
	nulCursor := base64.RawURLEncoding.EncodeToString([]byte("BookingCursor:1/\x00"))
	const (
		badInput = "BAD_USER_INPUT"
		valid    = ""
	)
	for _, tt := range []struct {
		name  string
		query string
		vars  map[string]any
		code  string // valid: no error at all
		field string // extensions.field of the first error
	}{
		{"children overflow the sum", search(`{adults: 1, children: 9223372036854775807}`), nil, badInput, "input.passengers.children"},
		{"adults overflow the price", search(`{adults: 9223372036854775807, children: 1}`), nil, badInput, "input.passengers.adults"},
		{"children above 2^31-1 in a variable", `query($n: Int) { searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1, children: $n}}) { id } }`,
			map[string]any{"n": int64(9223372036854775807)}, badInput, "$n"},
		{"children in range but too many", search(`{adults: 1, children: 2147483647}`), nil, badInput, "input.passengers.children"},
		{"a string for an Int", `query($f: Int) { bookings(first: $f) { totalCount } }`, map[string]any{"f": "2"}, badInput, "$f"},
		{"an Int above 2^31-1", `query($f: Int) { bookings(first: $f) { totalCount } }`, map[string]any{"f": 2147483648}, badInput, "$f"},
		{"an Int literal above 2^31-1", `{ bookings(first: 2147483648) { totalCount } }`, nil, badInput, "first"},
		{"payment method in lower case", `mutation($id: ID!, $m: PaymentMethodType!) { payCheckoutSession(input: {checkoutSessionId: $id, method: $m}) { userErrors { code } } }`,
			map[string]any{"id": session, "m": "card"}, badInput, "$m"},
		{"gender in lower case", `mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { userErrors { code } } }`,
			map[string]any{"in": map[string]any{"offerId": offer, "passengers": passenger("gender", "female"), "contact": contactVars}}, badInput, "$in.passengers.0.gender"},
		{"passenger type in lower case", `mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { userErrors { code } } }`,
			map[string]any{"in": map[string]any{"offerId": offer, "passengers": passenger("type", "adult"), "contact": contactVars}}, badInput, "$in.passengers.0.type"},
		{"sort key in lower case", `query($s: OfferSortKey) { offerSearch(id: "x") { offers(sortBy: $s) { totalCount } } }`, map[string]any{"s": "price"}, badInput, "$s"},
		{"NUL in a session id", `{ checkoutSession(id: "` + nulID + `") { id } }`, nil, valid, ""},
		{"NUL in a node id", `{ node(id: "` + nulID + `") { id } }`, nil, valid, ""},
		{"NUL in a cursor", `{ bookings(after: "` + nulCursor + `") { totalCount } }`, nil, badInput, "after"},
		{"NUL in an idempotency key", `mutation { holdCheckoutSession(input: {checkoutSessionId: "` + session + `", idempotencyKey: "k\u0000"}) { userErrors { code } } }`, nil, badInput, "input.idempotencyKey"},
		{"NUL in an idempotency key variable", `mutation($k: String) { holdCheckoutSession(input: {checkoutSessionId: "` + session + `", idempotencyKey: $k}) { userErrors { code } } }`,
			map[string]any{"k": "k\x00"}, badInput, "$k"},
		{"NUL in a name", `mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { userErrors { code } } }`,
			map[string]any{"in": map[string]any{"offerId": offer, "passengers": passenger("givenName", "An\x00a"), "contact": contactVars}}, badInput, "$in.passengers.0.givenName"},
		{"a string too long to store", `query($o: String!) { searchOffers(input: {origin: $o, destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) { id } }`,
			map[string]any{"o": string(make([]byte, 9000))}, badInput, "$o"},
		{"loaders inside a mutation payload", `mutation($id: ID!) { cancelCheckoutSession(input: {checkoutSessionId: $id}) { checkoutSession { offer { priceCheck { available } ancillaries { id } } } } }`,
			map[string]any{"id": session}, valid, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, h, tt.query, tt.vars)
			for _, e := range r.Errors {
				if e.Extensions["code"] == "INTERNAL" {
					t.Fatalf("INTERNAL: %+v", r.Errors)
				}
			}
			if tt.code == valid {
				if len(r.Errors) > 0 {
					t.Errorf("errors %+v, want none", r.Errors)
				}
				return
			}
			if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != tt.code || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("errors %+v, want %s on %s", r.Errors, tt.code, tt.field)
			}
		})
	}
}
