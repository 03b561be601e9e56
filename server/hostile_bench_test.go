package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faregraph/faregraph/server/hostile"
)

// BenchmarkRefusals measures what each input of issue 7 costs before it is
// refused: time per request on one goroutine (its CPU, near enough) and
// bytes allocated, and the time as a multiple of a `{ __typename }` request
// in the same run (x_typename), so that the figures compare across
// machines.
//
//	go test ./server -run '^$' -bench Refusals -benchmem
func BenchmarkRefusals(b *testing.B) {
	a := newTestApp(b, nil)
	h := a.Handler
	do := func(body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", graphQLResponse)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
	perOp := func(body func(i int) []byte, n int) time.Duration {
		start := time.Now()
		for i := range n {
			do(body(i))
		}
		return time.Since(start) / time.Duration(n)
	}
	typename := queryBody("{ __typename }")
	baseline := perOp(func(int) []byte { return typename }, 2000)

	for _, tc := range []struct {
		name string
		body func(i int) []byte
	}{
		{"typename", func(int) []byte { return typename }},
		{"fragments-4^15", func(int) []byte { return queryBody(hostile.FragmentBomb()) }},
		{"typename-x4900-unique", func(i int) []byte { return queryBody(hostile.TypenameFlood(i)) }},
		{"aliases-450", func(int) []byte { return queryBody(hostile.SameAlias(450)) }},
		{"providers-200000", func(int) []byte { return hostile.ProvidersFlood(200_000) }},
		{"providers-50000", func(int) []byte { return hostile.ProvidersFlood(50_000) }},
		{"operation-name-500KB", func(int) []byte { return hostile.LongOperationName(500_000) }},
		{"operation-name-100KB", func(int) []byte { return hostile.LongOperationName(100_000) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			// Bodies are built outside the timer: the client's cost.
			bodies := make([][]byte, min(b.N, 64))
			for i := range bodies {
				bodies[i] = tc.body(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				do(bodies[i%len(bodies)])
			}
			elapsed := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(float64(elapsed)/float64(baseline), "x_typename")
		})
	}
}
