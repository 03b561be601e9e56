package server_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"

	"github.com/faregraph/faregraph/app"
)

// movableClock is a clock the test moves, for the server and the
// simulators alike.
type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *movableClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func newClockedApp(t *testing.T) (*app.App, *movableClock) {
	clock := &movableClock{now: testNow}
	return newTestApp(t, func(c *app.Config) { c.Now, c.Sim.Now = clock.Now, clock.Now }), clock
}

// TestExampleOperationNames: every operation in examples/ has a name of
// two words or more, unique across the examples and unlike any schema
// type, so that code generators give each its own types.
func TestExampleOperationNames(t *testing.T) {
	s := loadSchema(t)
	files, _ := filepath.Glob("../examples/*.graphql")
	seen := map[string]string{}
	words := regexp.MustCompile(`^[A-Z][a-z0-9]+([A-Z][a-z0-9]*)+$`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, gerr := gqlparser.LoadQuery(s, string(src))
		if gerr != nil {
			t.Fatalf("%s: %v", f, gerr)
		}
		for _, op := range doc.Operations {
			switch {
			case op.Name == "":
				t.Errorf("%s: an operation has no name", f)
			case !words.MatchString(op.Name):
				t.Errorf("%s: %s is too generic a name: say what it does, like CreateCheckoutSession", f, op.Name)
			case seen[op.Name] != "":
				t.Errorf("%s: %s is also an operation of %s", f, op.Name, seen[op.Name])
			case s.Types[op.Name] != nil:
				t.Errorf("%s: %s is also a schema type", f, op.Name)
			}
			seen[op.Name] = f
		}
	}
}

// readmeQueries returns the GraphQL blocks of README.md.
func readmeQueries(t *testing.T) []string {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatal("README.md has no graphql block")
	}
	return out
}

// TestReadmeFirstQuery runs the README's first query as written and with
// pages of 50 and of the documented maximum, 100.
func TestReadmeFirstQuery(t *testing.T) {
	s := loadSchema(t)
	qs := readmeQueries(t)
	for i, q := range qs {
		if _, err := gqlparser.LoadQuery(s, q); err != nil {
			t.Errorf("README graphql block %d does not validate: %v", i+1, err)
		}
	}
	a := newTestApp(t, nil)
	first := regexp.MustCompile(`offers\(first: \d+`)
	if !first.MatchString(qs[0]) {
		t.Fatal("the README's first query pages no offers")
	}
	date := testNow.AddDate(0, 1, 0).Format(time.DateOnly)
	q := regexp.MustCompile(`departureDate: "[0-9-]+", returnDate: "[0-9-]+"`).ReplaceAllString(qs[0],
		`departureDate: "`+date+`", returnDate: "`+testNow.AddDate(0, 1, 7).Format(time.DateOnly)+`"`)
	for _, n := range []string{"", "50", "100"} {
		text := q
		if n != "" {
			text = first.ReplaceAllString(q, "offers(first: "+n)
		}
		r := post(t, a.Handler, text, nil)
		if len(r.Errors) > 0 || dig(r.Data, "searchOffers", "offers", "totalCount") == nil {
			t.Errorf("first: %q: %+v", n, r.Errors)
		}
	}
}

const pagedSearch = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  offerSearch(id: $id) { offers(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } } }`

func pageOf(t *testing.T, h http.Handler, q string, root []any, vars map[string]any) (ids []string, info map[string]any) {
	t.Helper()
	r := post(t, h, q, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%v: %+v", vars, r.Errors)
	}
	conn := dig(r.Data, root...)
	for _, e := range dig(conn, "edges").([]any) {
		ids = append(ids, dig(e, "node", "id").(string))
	}
	return ids, dig(conn, "pageInfo").(map[string]any)
}

// walk pages through a connection forward with first/after, then backward
// with last/before, and checks both give the whole list in the same order
// with pageInfo right on every page.
func walk(t *testing.T, h http.Handler, q string, root []any, vars map[string]any, size int) []string {
	t.Helper()
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range vars {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	all, _ := pageOf(t, h, q, root, with("first", 100))
	if len(all) < 2*size+1 {
		t.Fatalf("only %d items to walk", len(all))
	}
	var forward []string
	var after any
	for p := 0; ; p++ {
		ids, info := pageOf(t, h, q, root, with("first", size, "after", after))
		forward = append(forward, ids...)
		if info["hasPreviousPage"] != (p > 0) || info["startCursor"] == nil || info["endCursor"] == nil {
			t.Errorf("forward page %d: %v", p, info)
		}
		if info["hasNextPage"] != true {
			break
		}
		after = info["endCursor"]
	}
	var backward []string
	var before any
	for p := 0; ; p++ {
		ids, info := pageOf(t, h, q, root, with("last", size, "before", before))
		backward = append(ids, backward...)
		if info["hasNextPage"] != (p > 0) {
			t.Errorf("backward page %d: %v", p, info)
		}
		if info["hasPreviousPage"] != true {
			break
		}
		before = info["startCursor"]
	}
	if strings.Join(forward, ",") != strings.Join(all, ",") || strings.Join(backward, ",") != strings.Join(all, ",") {
		t.Errorf("walks differ:\nall      %v\nforward  %v\nbackward %v", all, forward, backward)
	}
	return all
}

func TestOffersPageBothWays(t *testing.T) {
	a := newTestApp(t, nil)
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01"})
	id := dig(r.Data, "searchOffers", "id")
	walk(t, a.Handler, pagedSearch, []any{"offerSearch", "offers"}, map[string]any{"id": id}, 3)
}

// checkoutCount is how many sessions the paging tests create and book.
const checkoutCount = 5

func TestSessionsAndBookingsPageBothWays(t *testing.T) {
	a, clock := newClockedApp(t)
	h := a.Handler
	r := post(t, h, flowSearch, map[string]any{"p": []string{"citizenplane"}})
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id")
	for range checkoutCount {
		clock.Add(time.Second) // distinct creation times, and one tie below
		s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
			"offerId": offer, "passengers": passengerVars, "contact": contactVars}})
		id := s["id"]
		mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
		mutate(t, h, "", "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id, "method": "CARD"}})
		mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
		mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
	}
	mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offer, "passengers": passengerVars, "contact": contactVars}})

	const sessions = `query($first: Int, $after: String, $last: Int, $before: String) { checkoutSessions(first: $first, after: $after, last: $last, before: $before) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id createdAt } } } }`
	all := walk(t, h, sessions, []any{"checkoutSessions"}, nil, 2)
	if len(all) != checkoutCount+1 {
		t.Errorf("%d sessions, want %d", len(all), checkoutCount+1)
	}
	const bookings = `query($first: Int, $after: String, $last: Int, $before: String) { bookings(first: $first, after: $after, last: $last, before: $before) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } }`
	if got := walk(t, h, bookings, []any{"bookings"}, nil, 2); len(got) != checkoutCount {
		t.Errorf("%d bookings, want %d", len(got), checkoutCount)
	}
}

// TestPagingArguments: first and last together, a cursor against the
// direction, and sizes out of range are BAD_USER_INPUT naming the
// argument, on every connection.
func TestPagingArguments(t *testing.T) {
	a := newTestApp(t, nil)
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01"})
	id := dig(r.Data, "searchOffers", "id")
	cursor := dig(r.Data, "searchOffers", "offers", "edges", 0, "cursor")
	for _, tt := range []struct {
		args  string
		field string
	}{
		{"first: 2, last: 2", "last"},
		{`last: 2, after: "` + cursor.(string) + `"`, "after"},
		{`first: 2, before: "` + cursor.(string) + `"`, "before"},
		{"first: 101", "first"},
		{"last: -1", "last"},
	} {
		for _, q := range []string{
			`query($id: ID!) { offerSearch(id: $id) { offers(` + tt.args + `) { totalCount } } }`,
			`{ bookings(` + tt.args + `) { totalCount } }`,
			`{ checkoutSessions(` + tt.args + `) { totalCount } }`,
		} {
			vars := map[string]any{"id": id}
			if !strings.HasPrefix(q, "query") {
				vars = nil
			}
			r := post(t, a.Handler, q, vars)
			if len(r.Errors) == 0 || r.codes()[0] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("%s: %+v", q, r.Errors)
			}
		}
	}
}

const warningFields = `checkoutSession { id status } userErrors { field code message } warnings { field code message }`

func warningsOf(t *testing.T, h http.Handler, name, input string, vars map[string]any) []any {
	t.Helper()
	r := post(t, h, `mutation($in: `+input+`!) { `+name+`(input: $in) { `+warningFields+` } }`, vars)
	if len(r.Errors) > 0 || len(dig(r.Data, name, "userErrors").([]any)) > 0 {
		t.Fatalf("%s: %+v %v", name, r.Errors, r.Data)
	}
	return dig(r.Data, name, "warnings").([]any)
}

func codesOf(ws []any) []string {
	var c []string
	for _, w := range ws {
		c = append(c, dig(w, "code").(string))
	}
	return c
}

// TestWarnings: every WarningCode, where it happens, and none where
// nothing needs noting.
func TestWarnings(t *testing.T) {
	a, clock := newClockedApp(t)
	h := a.Handler
	r := post(t, h, flowSearch, map[string]any{"p": []string{"citizenplane"}})
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id")
	create := map[string]any{"in": map[string]any{"offerId": offer, "passengers": passengerVars, "contact": contactVars, "idempotencyKey": "w-1"}}
	if ws := warningsOf(t, h, "createCheckoutSession", "CreateCheckoutSessionInput", create); len(ws) != 0 {
		t.Errorf("first create: warnings %v", ws)
	}
	ws := warningsOf(t, h, "createCheckoutSession", "CreateCheckoutSessionInput", create)
	if strings.Join(codesOf(ws), ",") != "IDEMPOTENT_REPLAY" || dig(ws, 0, "field", 1) != "idempotencyKey" {
		t.Errorf("repeated create: warnings %v", ws)
	}
	id := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offer, "passengers": passengerVars, "contact": contactVars}})["id"]
	sid := map[string]any{"in": map[string]any{"checkoutSessionId": id}}
	mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", sid)
	mutate(t, h, "", "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id, "method": "CARD"}})
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", sid)
	clock.Add(4 * time.Minute) // the 3-minute CitizenPlane hold lapses
	ws = warningsOf(t, h, "bookCheckoutSession", "BookCheckoutSessionInput", sid)
	if strings.Join(codesOf(ws), ",") != "HOLD_RENEWED" || dig(ws, 0, "message") != "1 seat hold lapsed before booking and was held again at the same price" {
		t.Errorf("book after the hold lapsed: warnings %v", ws)
	}

	other := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offer, "passengers": passengerVars, "contact": contactVars}})["id"]
	cancel := map[string]any{"in": map[string]any{"checkoutSessionId": other}}
	if ws := warningsOf(t, h, "cancelCheckoutSession", "CancelCheckoutSessionInput", cancel); len(ws) != 0 {
		t.Errorf("first cancel: warnings %v", ws)
	}
	if ws := warningsOf(t, h, "cancelCheckoutSession", "CancelCheckoutSessionInput", cancel); strings.Join(codesOf(ws), ",") != "ALREADY_CANCELED" {
		t.Errorf("second cancel: warnings %v", ws)
	}
}

// TestExpiredSearch: a stored search past its expiry answers
// SEARCH_EXPIRED, as an expired offer answers OFFER_EXPIRED, from memory
// and from the database (another replica); an unknown one answers null.
func TestExpiredSearch(t *testing.T) {
	a, clock := newClockedApp(t)
	r := post(t, a.Handler, roundTripQuery, map[string]any{"d": "2026-07-01"})
	id := dig(r.Data, "searchOffers", "id")
	clock.Add(16 * time.Minute)
	replica := newTestApp(t, func(c *app.Config) { c.DBPath, c.Now = a.DBPath, clock.Now })
	const q = `query($id: ID!) { offerSearch(id: $id) { id } node(id: $id) { id } }`
	for name, h := range map[string]http.Handler{"memory": a.Handler, "database": replica.Handler} {
		r := post(t, h, q, map[string]any{"id": id})
		if len(r.Errors) != 2 || r.codes()[0] != "SEARCH_EXPIRED" || r.codes()[1] != "SEARCH_EXPIRED" || dig(r.Data, "offerSearch") != nil {
			t.Errorf("%s: %+v %v", name, r.Errors, r.Data)
		}
	}
	if r := post(t, a.Handler, q, map[string]any{"id": "T2ZmZXJTZWFyY2g6bm9wZQ"}); len(r.Errors) > 0 || dig(r.Data, "offerSearch") != nil {
		t.Errorf("unknown search: %+v %v", r.Errors, r.Data)
	}
}

// TestAPIKeyMissingOrWrong: in production, no key and a wrong key are
// both 401 with the code UNAUTHENTICATED.
func TestAPIKeyMissingOrWrong(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) {
		c.Development, c.AllowSimulators, c.AllowSandboxPayments = false, true, true
	})
	for name, key := range map[string]string{"missing": "", "wrong": "fg_0011223344556677_nope", "malformed": "nope"} {
		r := postAs(t, a.Handler, key, `{ __typename }`, nil)
		if r.Status != http.StatusUnauthorized || len(r.Errors) != 1 || r.codes()[0] != "UNAUTHENTICATED" {
			t.Errorf("%s key: %d %+v", name, r.Status, r.Errors)
		}
	}
}

// TestCORSRefusal: a preflight from an origin that may not call the API is
// told so, with a code.
func TestCORSRefusal(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) { c.CORSOrigins = []string{"https://app.example"} })
	preflight := func(origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)
		return rec
	}
	if rec := preflight("https://app.example"); rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("allowed origin: %d %v", rec.Code, rec.Header())
	}
	rec := preflight("https://evil.example")
	body := rec.Body.String()
	if rec.Code != http.StatusForbidden || !strings.Contains(body, "CORS_ORIGIN_NOT_ALLOWED") || !strings.Contains(body, "https://evil.example") ||
		strings.Contains(body, "transport") || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("refused origin: %d %s", rec.Code, body)
	}
}

// TestErrorShapesAgree: the same input path, argument first, names a bad
// field in a query's extensions.field (dotted) and in a mutation's
// userErrors.field (a list); list indexes are numbers in both.
func TestErrorShapesAgree(t *testing.T) {
	a := newTestApp(t, nil)
	r := post(t, a.Handler, `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}, providers: ["citizenplane", ""]}) { id } }`, nil)
	if len(r.Errors) == 0 || r.Errors[0].Extensions["field"] != "input.providers.1" {
		t.Fatalf("query: %+v", r.Errors)
	}
	r = post(t, a.Handler, flowSearch, map[string]any{"p": []string{"citizenplane"}})
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id")
	bad := []any{map[string]any{
		"type": "ADULT", "givenName": "", "familyName": "Martin", "gender": "FEMALE", "dateOfBirth": "1985-03-02",
		"document": map[string]any{"number": "P1234567", "expiresOn": "2031-01-01", "issuingCountry": "FR", "nationality": "FR"},
	}}
	r = post(t, a.Handler, `mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"offerId": offer, "passengers": bad, "contact": contactVars}})
	field := dig(r.Data, "createCheckoutSession", "userErrors", 0, "field")
	if len(r.Errors) > 0 || strings.Join(toStrings(field), ".") != "input.passengers.0.givenName" {
		t.Errorf("mutation: %+v %v", r.Errors, r.Data)
	}
}

func toStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestCountsAgree: messages say "1 adult", "1 child", "0 infants".
func TestCountsAgree(t *testing.T) {
	a := newTestApp(t, nil)
	r := post(t, a.Handler, flowSearch, map[string]any{"p": []string{"citizenplane"}})
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id")
	child := map[string]any{
		"type": "CHILD", "givenName": "Leo", "familyName": "Martin", "gender": "MALE", "dateOfBirth": "2018-03-02",
		"document": map[string]any{"number": "P7654321", "expiresOn": "2031-01-01", "issuingCountry": "FR", "nationality": "FR"},
	}
	r = post(t, a.Handler, `mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"offerId": offer, "passengers": append(append([]any{}, passengerVars...), child), "contact": contactVars}})
	want := "the offer is for 1 adult, 0 children and 0 infants; got 1 adult, 1 child and 0 infants"
	found := false
	for _, ue := range dig(r.Data, "createCheckoutSession", "userErrors").([]any) {
		found = found || dig(ue, "message") == want
	}
	if !found {
		t.Errorf("want the message %q: %+v %v", want, r.Errors, r.Data)
	}
}
