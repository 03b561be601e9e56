package main

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// load describes one vegeta attack.
type load struct {
	name     string
	targeter vegeta.Targeter
	// pacer is vegeta.Rate{} (as fast as the workers go) unless set.
	pacer vegeta.Pacer
	// duration is 0 when the pacer ends the attack.
	duration time.Duration
	workers  int
	// check judges a 2xx answer's body; gqlError when nil.
	check func(body []byte) error
	// timeout is a request's deadline; 30 s when 0.
	timeout time.Duration
	// from is the local address the load is sent from (any when nil):
	// the server counts refusals per client address.
	from net.IP
}

// loadResult is what an attack measured.
type loadResult struct {
	m vegeta.Metrics
	// ok counts answers with a 2xx status that passed the check.
	ok uint64
	// errors counts the distinct failures (first 200 bytes of each).
	errors map[string]int
}

// success is the share of requests answered 2xx without GraphQL errors.
func (r *loadResult) success() float64 {
	if r.m.Requests == 0 {
		return 0
	}
	return float64(r.ok) / float64(r.m.Requests)
}

// throughput is the good answers per second over the attack: from its
// first request to its last answer.
func (r *loadResult) throughput() float64 {
	if s := (r.m.Duration + r.m.Wait).Seconds(); s > 0 {
		return float64(r.ok) / s
	}
	return 0
}

// attack runs l with a closed loop of l.workers workers: each sends its
// next request as soon as the last one is answered.
func attack(ctx context.Context, l load) *loadResult {
	if l.timeout == 0 {
		l.timeout = 30 * time.Second
	}
	atk := vegeta.NewAttacker(
		vegeta.Workers(uint64(l.workers)),
		vegeta.MaxWorkers(uint64(l.workers)),
		vegeta.Connections(l.workers),
		vegeta.KeepAlive(true),
		vegeta.Timeout(l.timeout),
	)
	if l.from != nil {
		vegeta.LocalAddr(net.IPAddr{IP: l.from})(atk)
	}
	pacer := l.pacer
	if pacer == nil {
		pacer = vegeta.Rate{Freq: 0} // no pacing: the worker pool bounds it
	}
	check := l.check
	if check == nil {
		check = gqlError
	}
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()

	res := &loadResult{errors: map[string]int{}}
	for r := range atk.Attack(l.targeter, pacer, l.duration, l.name) {
		res.m.Add(r)
		var msg string
		switch {
		case r.Error != "":
			msg = r.Error
		case r.Code < 200 || r.Code > 299:
			msg = "HTTP " + strconv.Itoa(int(r.Code))
		default:
			if err := check(r.Body); err != nil {
				msg = err.Error()
			}
		}
		if msg == "" {
			res.ok++
			continue
		}
		if len(msg) > 200 {
			msg = msg[:200]
		}
		res.errors[msg]++
	}
	res.m.Close()
	return res
}

// staticTarget is a targeter that posts the same GraphQL body every time.
func staticTarget(baseURL string, body []byte) vegeta.Targeter {
	return vegeta.NewStaticTargeter(gqlTarget(baseURL, body))
}

func gqlTarget(baseURL string, body []byte) vegeta.Target {
	return vegeta.Target{
		Method: http.MethodPost,
		URL:    baseURL + "/graphql",
		Body:   body,
		Header: http.Header{"Content-Type": []string{"application/json"}},
	}
}

// maxHits is a pacer that sends n requests as fast as the workers go.
type maxHits int

func (n maxHits) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	return 0, hits >= uint64(n)
}

// Rate is the pacer's rate for vegeta's reports: unbounded.
func (maxHits) Rate(time.Duration) float64 { return 0 }

// memSampler follows the process's peak memory during a scenario: the
// Go heap (live and not yet swept objects) sampled every 50 ms, and the
// resident set's high-water mark, reset at the start when the kernel
// allows it (else the highest sampled resident set).
type memSampler struct {
	stop     chan struct{}
	done     chan struct{}
	hwmReset bool
	peakHeap uint64
	peakRSS  uint64
}

const heapObjects = "/memory/classes/heap/objects:bytes"

func startMemSampler() *memSampler {
	runtime.GC() // start every scenario from the same heap
	s := &memSampler{stop: make(chan struct{}), done: make(chan struct{})}
	// "5" resets VmHWM to the current resident set (Linux 4.0+).
	s.hwmReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	go s.loop()
	return s
}

func (s *memSampler) loop() {
	defer close(s.done)
	sample := []metrics.Sample{{Name: heapObjects}}
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			s.peakHeap = max(s.peakHeap, sample[0].Value.Uint64())
		}
		s.peakRSS = max(s.peakRSS, procStatus("VmRSS"))
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// Stop ends the sampling and returns the peak resident set and Go heap,
// in bytes.
func (s *memSampler) Stop() (rss, heap uint64) {
	close(s.stop)
	<-s.done
	rss = s.peakRSS
	if s.hwmReset {
		rss = max(rss, procStatus("VmHWM"))
	}
	return rss, s.peakHeap
}

// procStatus returns a "kB" field of /proc/self/status in bytes, 0 when
// it cannot be read (not Linux).
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != field {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return n * 1024
	}
	return 0
}
