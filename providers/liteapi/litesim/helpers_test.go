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

// testNow is the fixed clock of the tests: March, so that July dates are
// summer time (+02:00 in Paris) and November dates winter time (+01:00).
var testNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

const testKey = "test-key"

func newClock() *sim.Clock { return sim.NewClock(testNow) }

// post serves a POST of body (JSON, or raw bytes) to path with key (none
// when empty) and returns the status and raw answer.
func post(t *testing.T, h http.Handler, path, key string, body any) (int, []byte) {
	t.Helper()
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}
