package server_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
)

// testNow is the fixed clock of these tests.
var testNow = apptest.Now

func newTestApp(t testing.TB, mod func(*app.Config)) *app.App { return apptest.New(t, mod) }

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Status int
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
}

func (r gqlResponse) codes() []string {
	var c []string
	for _, e := range r.Errors {
		s, _ := e.Extensions["code"].(string)
		c = append(c, s)
	}
	return c
}

func post(t testing.TB, h http.Handler, query string, vars map[string]any) gqlResponse {
	t.Helper()
	return postAs(t, h, "", query, vars)
}

func postRaw(t testing.TB, h http.Handler, body []byte) gqlResponse {
	t.Helper()
	return decodeResponse(t, apptest.PostBody(h, body, ""))
}

// decodeResponse reads a recorded GraphQL response and its status.
func decodeResponse(t testing.TB, rec *httptest.ResponseRecorder) gqlResponse {
	t.Helper()
	var out gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("response is not JSON (%d): %.300s", rec.Code, rec.Body)
	}
	out.Status = rec.Code
	return out
}

// dig walks a decoded JSON value by keys and indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func decodeGlobal(id string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(id)
	return string(b), err
}
