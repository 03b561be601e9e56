package litesim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers/sim"
)

// testKey is the API key of the simulators under test.
const testKey = "test-key"

// newClock is a clock at the tests' fixed time, 10 March 2026, the day
// their dates in the past and beyond 11 months are counted from.
func newClock() *sim.Clock { return sim.NewClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)) }

// post serves a POST of body (JSON, or raw bytes) to path with key (none
// when empty) and returns the status and raw answer.
func post(t *testing.T, h http.Handler, path, key string, body any) (int, []byte) {
	t.Helper()
	raw, err := json.Marshal(body)
	if b, ok := body.([]byte); ok {
		raw, err = b, nil
	}
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(raw))
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}
