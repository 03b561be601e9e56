package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// recorder is a reverse proxy in front of the simulators that records
// every call: method, path, raw query and body.
type recorder struct {
	proxy *httputil.ReverseProxy
	mu    sync.Mutex
	calls []string
}

func newRecorder(target *url.URL) *recorder {
	return &recorder{proxy: &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
	}}
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	call := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		call += "?" + r.URL.RawQuery
	}
	if len(body) > 0 {
		call += " " + string(body)
	}
	rec.mu.Lock()
	rec.calls = append(rec.calls, call)
	rec.mu.Unlock()
	rec.proxy.ServeHTTP(w, r)
}

// take returns the calls recorded since the last take.
func (rec *recorder) take() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	calls := rec.calls
	rec.calls = nil
	return calls
}

// dedupe: a second server whose providers are the first server's
// simulators behind the recording proxy; roundtrip-full requests one at a
// time, and after each, the calls it made are checked for repeats.
func (b *bench) dedupe(ctx context.Context) (*scenarioResult, error) {
	target, err := url.Parse(b.srv.app.SimURL)
	if err != nil || b.srv.app.SimURL == "" {
		return nil, fmt.Errorf("simulators' URL %q: %v", b.srv.app.SimURL, err)
	}
	rec := newRecorder(target)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	proxy := &http.Server{Handler: rec, ReadHeaderTimeout: 5 * time.Second}
	go proxy.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	defer proxy.Close()
	proxyURL := "http://" + ln.Addr().String()

	cfg := b.config("dedupe.db")
	cfg.Providers = map[string]map[string]string{
		"citizenplane": {"URL": proxyURL + "/citizenplane", "TOKEN": "sim-token", "CUSTOMER_CODE": "faregraph"},
		"liteapi":      {"URL": proxyURL + "/liteapi", "KEY": "sim-key"},
	}
	srv, err := startServer(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer srv.Close()

	before, err := providerCalls(ctx, b.client, srv.url)
	if err != nil {
		return nil, err
	}
	n := b.opts.dedupeRequests
	body := b.roundTripBody()
	d := &dedupeResult{CallsPerRequest: make([]int, 0, n)}
	lat := make([]time.Duration, 0, n)
	res := &loadResult{errors: map[string]int{}}
	mem := startMemSampler()
	for i := range n {
		start := time.Now()
		answer, err := post(ctx, b.client, srv.url, body)
		lat = append(lat, time.Since(start))
		if err == nil {
			err = gqlError(answer)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			res.errors[err.Error()]++
		} else {
			res.ok++
		}
		calls := rec.take()
		d.CallsPerRequest = append(d.CallsPerRequest, len(calls))
		d.RecordedCalls += len(calls)
		seen := map[string]int{}
		for _, c := range calls {
			seen[c]++
		}
		dups := 0
		for c, k := range seen {
			if k > 1 {
				dups += k - 1
				d.MaxDuplicates = max(d.MaxDuplicates, k-1)
				if len(d.Examples) < 5 {
					d.Examples = append(d.Examples, fmt.Sprintf("request %d: %d× %.160s", i+1, k, c))
				}
			}
		}
		if dups > 0 {
			d.RequestsWithDuplicates++
		}
		d.DuplicateCalls += dups
	}
	rss, heap := mem.Stop()
	after, err := providerCalls(ctx, b.client, srv.url)
	if err != nil {
		return nil, err
	}

	res.m.Requests = uint64(n)
	r := newScenarioResult("dedupe", 1, res)
	r.Description = fmt.Sprintf("%d sequential roundtrip-full requests through a second server whose providers sit behind a recording proxy (the first request also runs the search)", n)
	if s := sum(lat); s > 0 {
		r.RPS = float64(res.ok) / s.Seconds()
		r.Seconds = s.Seconds()
	}
	slices.Sort(lat)
	r.P50Ms, r.P95Ms, r.P99Ms = ms(quantile(lat, .50)), ms(quantile(lat, .95)), ms(quantile(lat, .99))
	r.PeakRSSBytes, r.PeakHeapBytes = rss, heap
	r.ProviderCalls, r.providerCallsTotal = callsBetween(before, after)
	r.ProviderCallsPerQuery = float64(d.RecordedCalls) / float64(n)
	d.ObservedCalls = r.providerCallsTotal
	if float64(d.RecordedCalls) != d.ObservedCalls {
		r.Notes = append(r.Notes, fmt.Sprintf("the proxy recorded %d calls but the server's metrics observed %.0f", d.RecordedCalls, d.ObservedCalls))
	}
	if d.RecordedCalls == 0 {
		return nil, errors.New("the proxy recorded no call: the second server did not use it")
	}
	if d.Concurrent, err = b.dedupeConcurrent(ctx, srv.url, rec, body); err != nil {
		return nil, err
	}
	r.Dedupe = d
	return r, nil
}

// dedupeConcurrent sends the same request again, -dedupe-requests times
// with -workers in flight. Calls cannot be told apart by request then,
// but every request needs the same distinct calls (the search is reused
// and nothing is shared between requests), so a call recorded more often
// than there were requests was repeated within some request: the excess
// is a lower bound of the repeats that concurrency causes.
func (b *bench) dedupeConcurrent(ctx context.Context, baseURL string, rec *recorder, body []byte) (*dedupeConcurrent, error) {
	n := b.opts.dedupeRequests
	c := &dedupeConcurrent{Requests: n, Workers: b.opts.workers}
	before, err := providerCalls(ctx, b.client, baseURL)
	if err != nil {
		return nil, err
	}
	rec.take()
	res := attack(ctx, load{name: "dedupe-concurrent", targeter: staticTarget(baseURL, body),
		pacer: maxHits(n), workers: b.opts.workers})
	c.Success = res.success()
	calls := rec.take()
	after, err := providerCalls(ctx, b.client, baseURL)
	if err != nil {
		return nil, err
	}
	c.RecordedCalls = len(calls)
	_, c.ObservedCalls = callsBetween(before, after)
	seen := map[string]int{}
	for _, call := range calls {
		seen[call]++
	}
	for call, k := range seen {
		if k > n {
			c.ExcessCalls += k - n
			if len(c.Examples) < 3 {
				c.Examples = append(c.Examples, fmt.Sprintf("%d× in %d requests: %.160s", k, n, call))
			}
		}
	}
	return c, nil
}

func sum(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s
}

// quantile returns the q-quantile of sorted (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// callsString lists calls per request compactly: "46, 40 ×19".
func callsString(calls []int) string {
	var parts []string
	for i := 0; i < len(calls); {
		j := i
		for j < len(calls) && calls[j] == calls[i] {
			j++
		}
		if j-i > 1 {
			parts = append(parts, fmt.Sprintf("%d ×%d", calls[i], j-i))
		} else {
			parts = append(parts, fmt.Sprint(calls[i]))
		}
		i = j
	}
	return strings.Join(parts, ", ")
}
