package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/server"

	"github.com/faregraph/faregraph/server/hostile"
)

// answer is an HTTP answer of /graphql, decoded loosely so that tests can
// tell a missing data key from a null one.
type answer struct {
	status      int
	contentType string
	header      http.Header
	body        map[string]json.RawMessage
	raw         []byte
}

func (a answer) codes() []string {
	var errs []gqlError
	json.Unmarshal(a.body["errors"], &errs)
	var c []string
	for _, e := range errs {
		s, _ := e.Extensions["code"].(string)
		c = append(c, s)
	}
	return c
}

func (a answer) messages() string {
	var errs []gqlError
	json.Unmarshal(a.body["errors"], &errs)
	var m []string
	for _, e := range errs {
		m = append(m, e.Message)
	}
	return strings.Join(m, "\n")
}

// send sends one request to h; a non-nil body is JSON.
func send(t testing.TB, h http.Handler, method, target, accept string, body []byte) answer {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, contentType: rec.Header().Get("Content-Type"), header: rec.Header(), raw: rec.Body.Bytes()}
	if err := json.Unmarshal(rec.Body.Bytes(), &a.body); err != nil {
		t.Fatalf("%s %s: the answer is not a JSON object (%d): %.300s", method, target, rec.Code, rec.Body)
	}
	return a
}

func queryBody(query string) []byte { return hostile.Body(query, "", nil) }

const graphQLResponse = "application/graphql-response+json"

// TestHostileInputsAreRefused sends each small, costly input of issue 7
// and expects a request error: no data, the right code, and the status
// each media type calls for.
func TestHostileInputsAreRefused(t *testing.T) {
	a := newTestApp(t, nil)
	for _, tc := range []struct {
		name string
		body []byte
		code string
		// status is the status in every media type; 0 for a request
		// error, whose status depends on the media type.
		status int
	}{
		{"fragment spreads 4^15", queryBody(hostile.FragmentBomb()), "GRAPHQL_VALIDATION_FAILED", 0},
		{"__typename x4900", queryBody(hostile.TypenameFlood(1)), "GRAPHQL_VALIDATION_FAILED", 0},
		{"450 aliases sharing a name", queryBody(hostile.SameAlias(450)), "GRAPHQL_VALIDATION_FAILED", 0},
		{"100 fields in fragments spread twice", queryBody("{...A ...A} fragment A on Query {" + strings.Repeat(" __typename", 51) + "}"), "GRAPHQL_VALIDATION_FAILED", 0},
		{"providers x200000", hostile.ProvidersFlood(200_000), "REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge},
		{"providers x50000", hostile.ProvidersFlood(50_000), "BAD_USER_INPUT", 0},
		{"providers x11", hostile.ProvidersFlood(11), "BAD_USER_INPUT", 0},
		{"500 KB operation name", hostile.LongOperationName(500_000), "REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge},
		{"100 KB operation name", hostile.LongOperationName(100_000), "GRAPHQL_VALIDATION_FAILED", 0},
		{"101-byte operation name", hostile.LongOperationName(server.MaxOperationNameBytes + 1), "GRAPHQL_VALIDATION_FAILED", 0},
		{"deep nesting", queryBody(`{__type(name: "Offer")` + strings.Repeat("{ofType", 24) + "{name" + strings.Repeat("}", 26)), "GRAPHQL_VALIDATION_FAILED", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, accept := range []string{graphQLResponse, "application/json", ""} {
				r := send(t, a.Handler, http.MethodPost, "/graphql", accept, tc.body)
				wantStatus, wantType := http.StatusBadRequest, graphQLResponse
				if accept != graphQLResponse {
					wantStatus, wantType = http.StatusOK, "application/json"
				}
				if tc.status != 0 {
					wantStatus = tc.status
				}
				if r.status != wantStatus || r.contentType != wantType {
					t.Errorf("Accept %q: %d %s, want %d %s", accept, r.status, r.contentType, wantStatus, wantType)
				}
				if _, ok := r.body["data"]; ok {
					t.Errorf("Accept %q: a request error with a data key: %.200s", accept, r.raw)
				}
				if c := r.codes(); len(c) != 1 || c[0] != tc.code {
					t.Errorf("Accept %q: codes %v, want [%s]: %s", accept, c, tc.code, r.messages())
				}
				if len(r.raw) > 1000 {
					t.Errorf("Accept %q: a %d-byte answer", accept, len(r.raw))
				}
			}
		})
	}
	if r := send(t, a.Handler, http.MethodPost, "/graphql", "", hostile.LongOperationName(server.MaxOperationNameBytes)); string(r.body["data"]) != `{"__typename":"Query"}` {
		t.Errorf("a %d-byte operation name was refused: %s", server.MaxOperationNameBytes, r.raw)
	}
	if _, metrics := get(t, a.Handler, "/metrics"); strings.Contains(metrics, strings.Repeat("a", server.MaxOperationNameBytes)) {
		t.Error("/metrics has a refused operation name")
	}
}

// TestListLimits checks @maxItems on literals and variables, at every
// depth, and that every list input of the schema has a documented maximum.
func TestListLimits(t *testing.T) {
	a := newTestApp(t, nil)
	providers := func(n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat(`"citizenplane",`, n), ",") + "]"
	}
	search := `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}, providers: %s}) { id } }`
	// Ten is within the limit (the search itself then refuses duplicates).
	if r := post(t, a.Handler, fmt.Sprintf(search, providers(10)), nil); !strings.Contains(fmt.Sprint(r.Errors), "listed twice") {
		t.Errorf("10 providers: %+v", r.Errors)
	}
	r := post(t, a.Handler, fmt.Sprintf(search, providers(11)), nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.providers" || r.Data != nil {
		t.Errorf("11 providers in a literal: %+v", r.Errors)
	}
	metadata := make([]map[string]string, 21)
	for i := range metadata {
		metadata[i] = map[string]string{"key": strconv.Itoa(i), "value": "v"}
	}
	r = post(t, a.Handler, `mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { userErrors { code } } }`, map[string]any{
		"in": map[string]any{
			"offerId": "x", "passengers": []any{}, "metadata": metadata,
			"contact": map[string]any{"givenName": "A", "familyName": "B", "email": "a@b.c", "phoneNumber": "+33612345678"},
		},
	})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["field"] != "in.metadata" && r.Errors[0].Extensions["field"] != "input.metadata" {
		t.Errorf("21 metadata entries in a variable: %+v", r.Errors)
	}

	src, err := os.ReadFile("../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	schema := gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphql", Input: string(src)})
	atMost := regexp.MustCompile(`At most (\d+)\.`)
	check := func(where string, typ *ast.Type, dirs ast.DirectiveList, desc string) {
		if typ.Elem == nil {
			return
		}
		d := dirs.ForName("maxItems")
		if d == nil {
			t.Errorf("%s is a list without @maxItems", where)
			return
		}
		n, _ := strconv.Atoi(d.Arguments.ForName("n").Value.Raw)
		if n < 1 || n > server.MaxListItems {
			t.Errorf("%s: @maxItems(n: %d) is not within 1..MaxListItems", where, n)
		}
		if m := atMost.FindStringSubmatch(desc); m == nil || m[1] != strconv.Itoa(n) {
			t.Errorf("%s: the description does not say \"At most %d.\": %q", where, n, desc)
		}
	}
	for _, def := range schema.Types {
		if def.BuiltIn {
			continue
		}
		for _, f := range def.Fields {
			if def.Kind == ast.InputObject {
				check(def.Name+"."+f.Name, f.Type, f.Directives, f.Description)
			}
			for _, arg := range f.Arguments {
				check(def.Name+"."+f.Name+"("+arg.Name+")", arg.Type, arg.Directives, arg.Description)
			}
		}
	}
}

// TestErrorsAreCapped checks that neither validation nor execution can
// answer more than MaxErrors errors, plus one saying how many were left out.
func TestErrorsAreCapped(t *testing.T) {
	a := newTestApp(t, nil)
	// 100 fields under one alias: 4,950 pairs that cannot merge.
	r := send(t, a.Handler, http.MethodPost, "/graphql", "", queryBody(hostile.SameAlias(100)))
	c := r.codes()
	if len(c) != server.MaxErrors+1 || c[server.MaxErrors] != "TOO_MANY_ERRORS" {
		t.Errorf("validation: %d errors, last %v", len(c), c[len(c)-1:])
	}
	// 60 unknown offers: one NOT_FOUND each.
	var q strings.Builder
	q.WriteString("{")
	for i := range 60 {
		fmt.Fprintf(&q, ` o%d: offer(id: "T2ZmZXI6eA") { id }`, i)
	}
	q.WriteString("}")
	r = send(t, a.Handler, http.MethodPost, "/graphql", "", queryBody(q.String()))
	c = r.codes()
	if len(c) != server.MaxErrors+1 || c[server.MaxErrors] != "TOO_MANY_ERRORS" {
		t.Errorf("execution: %d errors, last %v", len(c), c[len(c)-1:])
	}
	if _, ok := r.body["data"]; !ok {
		t.Error("execution errors without data")
	}
}

// TestGraphQLOverHTTP checks media types, status codes and methods as the
// GraphQL-over-HTTP specification says, on both transports.
func TestGraphQLOverHTTP(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) { c.CORSOrigins = []string{"*"} })
	bad := "{ nope }"
	for _, tc := range []struct {
		accept     string
		wantType   string
		wantStatus int
	}{
		{graphQLResponse, graphQLResponse, http.StatusBadRequest},
		{graphQLResponse + ", application/json;q=0.9", graphQLResponse, http.StatusBadRequest},
		{"application/json, " + graphQLResponse + ";q=0.5", "application/json", http.StatusOK},
		{"application/json", "application/json", http.StatusOK},
		{"*/*", "application/json", http.StatusOK},
		{"", "application/json", http.StatusOK},
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			var r answer
			if method == http.MethodGet {
				r = send(t, a.Handler, method, "/graphql?query="+url.QueryEscape(bad), tc.accept, nil)
			} else {
				r = send(t, a.Handler, method, "/graphql", tc.accept, queryBody(bad))
			}
			if r.status != tc.wantStatus || r.contentType != tc.wantType {
				t.Errorf("%s Accept %q: %d %s, want %d %s", method, tc.accept, r.status, r.contentType, tc.wantStatus, tc.wantType)
			}
			if _, ok := r.body["data"]; ok {
				t.Errorf("%s Accept %q: a request error with a data key", method, tc.accept)
			}
			if c := r.codes(); len(c) != 1 || c[0] != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("%s Accept %q: codes %v", method, tc.accept, c)
			}
		}
	}
	// A query that runs answers 200 and data in either media type.
	for _, accept := range []string{graphQLResponse, "application/json"} {
		r := send(t, a.Handler, http.MethodPost, "/graphql", accept, queryBody("{ __typename }"))
		if r.status != http.StatusOK || r.contentType != accept || string(r.body["data"]) != `{"__typename":"Query"}` {
			t.Errorf("Accept %s: %d %s %s", accept, r.status, r.contentType, r.raw)
		}
	}

	r := send(t, a.Handler, http.MethodPut, "/graphql", "", queryBody("{ __typename }"))
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, POST, OPTIONS" {
		t.Errorf("PUT: %d Allow %q", r.status, r.header.Get("Allow"))
	}
	r = send(t, a.Handler, http.MethodGet, "/graphql?query="+url.QueryEscape(`mutation { cancelCheckoutSession(input: {checkoutSessionId: "x"}) { userErrors { code } } }`), "", nil)
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
		t.Errorf("GET mutation: %d Allow %q", r.status, r.header.Get("Allow"))
	}
	noCORS := newTestApp(t, nil)
	if r := send(t, noCORS.Handler, http.MethodDelete, "/graphql", "", nil); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, POST" {
		t.Errorf("DELETE without CORS: %d Allow %q", r.status, r.header.Get("Allow"))
	}
}

// TestNoSuggestionsWithoutIntrospection checks that validation errors do
// not reveal the schema where introspection is off, as in production.
func TestNoSuggestionsWithoutIntrospection(t *testing.T) {
	queries := []string{
		`{ searchOffer }`,
		`{ offer(idd: "x") { id } }`,
		`mutation { payCheckoutSession(input: {checkoutSessionId: "x", method: CARDS}) { userErrors { code } } }`,
		`query($x: SearchOffersInputs) { __typename }`,
		`{ offer(id: "x") }`,
	}
	dev := newTestApp(t, nil)
	if r := send(t, dev.Handler, http.MethodPost, "/graphql", "", queryBody(queries[0])); !strings.Contains(r.messages(), "Did you mean") {
		t.Errorf("development lost its suggestions: %s", r.messages())
	}
	prod := newTestApp(t, func(c *app.Config) { c.Introspection = false })
	for _, q := range queries {
		r := send(t, prod.Handler, http.MethodPost, "/graphql", "", queryBody(q))
		if c := r.codes(); len(c) == 0 || c[0] != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s: codes %v", q, c)
		}
		if m := r.messages(); strings.Contains(m, "Did you mean") {
			t.Errorf("%s: %s", q, m)
		}
	}
}

// TestRequestsStop checks that a request stops at its deadline and when
// its client goes away, while the providers are still thinking.
func TestRequestsStop(t *testing.T) {
	slow := func(c *app.Config) {
		c.ProviderTimeout = time.Minute
		c.Sim.Latency = map[string]time.Duration{"citizenplane": time.Minute, "liteapi": time.Minute}
	}
	search := queryBody(`{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) { id } }`)

	a := newTestApp(t, func(c *app.Config) { slow(c); c.RequestTimeout = 200 * time.Millisecond })
	done := make(chan answer, 1)
	go func() { done <- send(t, a.Handler, http.MethodPost, "/graphql", "", search) }()
	select {
	case r := <-done:
		if c := r.codes(); len(c) == 0 || slices.Contains(c, "INTERNAL") {
			t.Errorf("a search past its deadline answered %s", r.raw)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a request ran on past its deadline")
	}

	b := newTestApp(t, slow)
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	go func() {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(search))
		req.Header.Set("Content-Type", "application/json")
		b.Handler.ServeHTTP(httptest.NewRecorder(), req)
		close(finished)
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("a request ran on after its client went away")
	}
}
