package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/errcode"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/server"
	"github.com/faregraph/faregraph/server/hostile"
)

// TestRequestErrorCodesAreErrorCodes walks a request that produces each
// code the server answers before any field runs, and checks that the code
// answered is the expected one and a value of the ErrorCode enum the
// server itself serves.
func TestRequestErrorCodesAreErrorCodes(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) {
		c.CORSOrigins = []string{"https://app.example"}
		c.Refusals = server.RefusalBudget{Rate: 0.001, Burst: 1, Delay: time.Millisecond}
	})
	h := a.Handler
	var enum struct {
		Data struct {
			Type struct{ EnumValues []struct{ Name string } } `json:"__type"`
		}
	}
	clients := 0
	req := func(method, target, contentType, origin string, body []byte, hdr ...string) *http.Request {
		r := httptest.NewRequest(method, target, bytes.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		// Each request from its own client, so that the refusal budget
		// spends only where the test asks.
		clients++
		r.RemoteAddr = "192.0.2." + strconv.Itoa(clients) + ":1234"
		return r
	}
	do := func(r *http.Request) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	rec := do(req(http.MethodPost, "/graphql", "application/json", "", queryBody(`{ __type(name: "ErrorCode") { enumValues(includeDeprecated: true) { name } } }`)))
	if err := json.Unmarshal(rec.Body.Bytes(), &enum); err != nil || len(enum.Data.Type.EnumValues) == 0 {
		t.Fatalf("ErrorCode by introspection: %v %s", err, rec.Body)
	}
	served := map[string]bool{}
	for _, v := range enum.Data.Type.EnumValues {
		served[v.Name] = true
	}
	// Six searches cost more than server.MaxComplexity.
	searches := ""
	for i := range 6 {
		searches += "s" + strconv.Itoa(i) + `: searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) { id } `
	}
	for _, tt := range []struct {
		code fault.Code
		req  *http.Request
	}{
		{fault.GraphQLParseFailed, req(http.MethodPost, "/graphql", "application/json", "", queryBody(`{`))},
		{fault.GraphQLValidationFailed, req(http.MethodPost, "/graphql", "application/json", "", queryBody(`{ nope }`))},
		{fault.ComplexityLimitExceeded, req(http.MethodPost, "/graphql", "application/json", "", queryBody(`{ `+searches+`}`))},
		{fault.TooManyErrors, req(http.MethodPost, "/graphql", "application/json", "", queryBody(hostile.SameAlias(100)))},
		{fault.RequestTooLarge, req(http.MethodPost, "/graphql", "application/json", "", make([]byte, server.MaxBodyBytes+1))},
		{fault.BadRequest, req(http.MethodPost, "/graphql", "application/json", "", []byte(`not json`))},
		{fault.MethodNotAllowed, req(http.MethodPut, "/graphql", "application/json", "", queryBody(`{ __typename }`))},
		{fault.MethodNotAllowed, req(http.MethodGet, "/graphql?query=mutation%7B__typename%7D", "", "", nil)},
		{fault.UnsupportedMediaType, req(http.MethodPost, "/graphql", "text/plain", "", []byte(`{ __typename }`))},
		{fault.CORSOriginNotAllowed, req(http.MethodOptions, "/graphql", "", "https://evil.example", nil, "Access-Control-Request-Method", "POST")},
		{fault.NotAcceptable, req(http.MethodPost, "/graphql", "application/json", "", queryBody(`subscription { searchOffersProgress(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) { __typename } }`))},
		{fault.BadRequest, req(http.MethodGet, "/graphql", "", "", nil, "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13")},
		{fault.CORSOriginNotAllowed, req(http.MethodGet, "/graphql", "", "https://evil.example", nil, "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13")},
		{fault.BadUserInput, req(http.MethodPost, "/graphql", "application/json", "", []byte(`{"query":"query($f: Int) { bookings(first: $f) { totalCount } }","variables":{"f":2.5}}`))},
		// The client of the request above has spent its budget of one.
		{fault.TooManyRequests, nil},
	} {
		if tt.req == nil {
			tt.req = req(http.MethodPost, "/graphql", "application/json", "", queryBody(`{ nope }`))
			tt.req.RemoteAddr = "192.0.2." + strconv.Itoa(clients-1) + ":1234"
		}
		rec := do(tt.req)
		var body struct {
			Errors []gqlError `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) == 0 {
			t.Errorf("%s: %d %s", tt.code, rec.Code, rec.Body)
			continue
		}
		last, _ := body.Errors[len(body.Errors)-1].Extensions["code"].(string)
		if last != string(tt.code) {
			t.Errorf("%s %s: code %q (%d), want %s", tt.req.Method, tt.req.URL, last, rec.Code, tt.code)
		}
		if !served[last] {
			t.Errorf("%q is not a value of the ErrorCode enum", last)
		}
	}
	// gqlgen answers these itself; fault spells them as it does.
	if fault.GraphQLParseFailed != errcode.ParseFailed || fault.GraphQLValidationFailed != errcode.ValidationFailed {
		t.Error("fault's spelling of gqlgen's codes differs")
	}
}
