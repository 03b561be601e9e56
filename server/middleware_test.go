package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestRequestLogRecoversAndKeepsBodiesOut(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := withRequestLog(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		w.Write([]byte("ok"))
	}))

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/panic", strings.NewReader(`{"passport":"ABCDE123"}`))
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic answered %d %q", rec.Code, rec.Body)
	}

	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodGet, "/ok", nil)
	req.Header.Set(RequestIDHeader, "client-id-1")
	h.ServeHTTP(rec, req)
	if rec.Header().Get(RequestIDHeader) != "client-id-1" {
		t.Errorf("request id not echoed: %q", rec.Header().Get(RequestIDHeader))
	}

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last["msg"] != "request" || last["request_id"] != "client-id-1" || last["status"] != float64(200) || last["path"] != "/ok" {
		t.Errorf("log line = %v", last)
	}
	if strings.Contains(logs.String(), "ABCDE123") {
		t.Errorf("a request body reached the log:\n%s", logs.String())
	}
	if n := strings.Count(logs.String(), `"msg":"request"`); n != 2 {
		t.Errorf("%d request lines for 2 requests", n)
	}
}

func TestWriteResponse(t *testing.T) {
	for name, tc := range map[string]struct {
		resp *graphql.Response
		want string
	}{
		"data only":   {&graphql.Response{Data: []byte(`{"a":1}`)}, `{"data":{"a":1}}`},
		"with errors": {&graphql.Response{Data: []byte(`null`), Errors: gqlerror.List{{Message: "x"}}}, `{"errors":[{"message":"x"}],"data":null}`},
		"extensions":  {&graphql.Response{Data: []byte(`{}`), Extensions: map[string]any{"k": 1}}, `{"data":{},"extensions":{"k":1}}`},
	} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeResponse(rec, tc.resp)
			if got := strings.TrimSpace(rec.Body.String()); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if cl := rec.Header().Get("Content-Length"); cl != "" && cl != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("Content-Length %s for %d bytes", cl, rec.Body.Len())
			}
		})
	}
}

func TestLogLinesCarryTheRequestID(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&logs, nil)))
	h := withRequestLog(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.WarnContext(r.Context(), "inside")
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(RequestIDHeader, "rid-42")
	h.ServeHTTP(httptest.NewRecorder(), req)
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !strings.Contains(line, `"request_id":"rid-42"`) {
			t.Errorf("log line without the request id: %s", line)
		}
	}
}

func TestCORS(t *testing.T) {
	h := cors([]string{"https://app.example.com"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	pre := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
	pre.Header.Set("Origin", "https://app.example.com")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, pre)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
	other := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	other.Header.Set("Origin", "https://evil.example")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, other)
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("an unlisted origin was allowed")
	}
}
