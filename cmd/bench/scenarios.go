package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The round trip of roundtrip-full, cached-page and dedupe: departure in
// 30 days, return 7 days later.
const (
	roundTripOut    = 30
	roundTripReturn = 37
	// fanoutFirstDay is the first departure of fanout's distinct searches,
	// clear of roundTripOut so that none is answered from memory.
	fanoutFirstDay = 45
	fanoutStay     = 7
	// memoryFirstDay is the first departure of memory's searches, after
	// fanout's; memoryDays departure days are used (the last return is
	// within the 365 bookable days).
	memoryFirstDay = 100
	memoryDays     = 250
	// memoryProviderTimeout is the provider deadline of memory's server.
	memoryProviderTimeout = 2 * time.Minute
)

func (b *bench) roundTripBody() []byte {
	return gqlBody(roundTripFullQuery, "RoundTripFull", map[string]any{
		"date": b.date(roundTripOut), "return": b.date(roundTripReturn)})
}

// warmRoundTrip sends the roundtrip-full request once, outside any
// measurement (it runs the search, which later requests reuse), checks
// the answer and remembers the search id for cached-page.
func (b *bench) warmRoundTrip(ctx context.Context) (string, error) {
	body, err := post(ctx, b.client, b.srv.url, b.roundTripBody())
	if err != nil {
		return "", err
	}
	s, err := decodeSearch(body)
	if err != nil {
		return "", err
	}
	if len(s.Offers.Edges) == 0 {
		return "", errors.New("the round-trip search found no offers")
	}
	checks, available, extras := 0, 0, 0
	for _, e := range s.Offers.Edges {
		if pc := e.Node.PriceCheck; pc != nil {
			checks++
			if pc.Available {
				available++
			}
		}
		extras += len(e.Node.Ancillaries)
	}
	if checks != len(s.Offers.Edges) {
		return "", fmt.Errorf("%d of %d offers have no priceCheck", len(s.Offers.Edges)-checks, len(s.Offers.Edges))
	}
	b.searchID = s.ID
	return fmt.Sprintf("each answer: %d offers (of %d found), %d price checks (%d available), %d ancillaries",
		len(s.Offers.Edges), s.Offers.TotalCount, checks, available, extras), nil
}

// throughput runs a closed-loop attack of body for -duration and measures
// it: latency, success, provider calls per query and peak memory.
func (b *bench) throughput(ctx context.Context, name string, targeter vegeta.Targeter) (*scenarioResult, error) {
	before, err := providerCalls(ctx, b.client, b.srv.url)
	if err != nil {
		return nil, err
	}
	mem := startMemSampler()
	res := attack(ctx, load{name: name, targeter: targeter,
		duration: b.opts.duration, workers: b.opts.workers})
	rss, heap := mem.Stop()
	after, err := providerCalls(ctx, b.client, b.srv.url)
	if err != nil {
		return nil, err
	}
	r := newScenarioResult(name, b.opts.workers, res)
	r.PeakRSSBytes, r.PeakHeapBytes = rss, heap
	r.ProviderCalls, r.providerCallsTotal = callsBetween(before, after)
	r.ProviderCallsPerQuery = r.providerCallsTotal / float64(max(res.m.Requests, 1))
	return r, nil
}

// roundTripFull: the round-trip search with a live price check and the
// extras of each of its 20 offers, as fast as -workers go.
func (b *bench) roundTripFull(ctx context.Context) (*scenarioResult, error) {
	note, err := b.warmRoundTrip(ctx)
	if err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	r, err := b.throughput(ctx, "roundtrip-full", staticTarget(b.srv.url, b.roundTripBody()))
	if err != nil {
		return nil, err
	}
	r.Description = fmt.Sprintf("round trip CDG→PMI %s/%s, 2 adults, offers(first: 20) with priceCheck and ancillaries; the search is reused from memory",
		b.date(roundTripOut), b.date(roundTripReturn))
	r.Notes = append(r.Notes, note)
	return r, nil
}

// cachedPage: roundtrip-full's stored search paged with offerSearch(id),
// which asks no provider, as fast as -workers go: first as a client sends
// it (answered from the response cache), then with Cache-Control:
// no-cache (executed every time); then the REST baselines on the same page.
func (b *bench) cachedPage(ctx context.Context) ([]*scenarioResult, error) {
	if b.searchID == "" {
		if _, err := b.warmRoundTrip(ctx); err != nil {
			return nil, fmt.Errorf("warm-up: %w", err)
		}
	}
	body := gqlBody(cachedPageQuery, "CachedPage", map[string]any{"id": b.searchID})
	page, err := post(ctx, b.client, b.srv.url, body)
	if err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	s, err := decodeSearch(page)
	if err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	if len(s.Offers.Edges) == 0 {
		return nil, errors.New("warm-up: the stored search has no offers")
	}
	cached, err := b.throughput(ctx, "cached-page", staticTarget(b.srv.url, body))
	if err != nil {
		return nil, err
	}
	cached.Description = "offerSearch(id) of the round-trip search: a page of 20 offers with slices, segments and parts, no priceCheck or ancillaries; answered from the response cache"
	t := gqlTarget(b.srv.url, body)
	t.Header.Set("Cache-Control", "no-cache")
	executed, err := b.throughput(ctx, "cached-page-executed", vegeta.NewStaticTargeter(t))
	if err != nil {
		return nil, err
	}
	executed.Description = "the same page sent with Cache-Control: no-cache: parsed document from the query cache, executed by gqlgen every time"
	note := fmt.Sprintf("each answer: %d offers, %d bytes", len(s.Offers.Edges), len(page))
	cached.Notes = append(cached.Notes, note)
	executed.Notes = append(executed.Notes, note)
	if err := b.restBaselines(ctx, executed, page); err != nil {
		return nil, err
	}
	for _, bl := range executed.Baselines {
		bl.Ratio = cached.RPS / bl.Rate
		cached.Baselines = append(cached.Baselines, bl)
	}
	return []*scenarioResult{cached, executed}, nil
}

// fanout: distinct round-trip searches (one departure date each, so
// none is reused) with latency injected in the simulators. A round trip
// makes three calls per provider, all in parallel, so a search should take
// about the slowest provider's latency.
func (b *bench) fanout(ctx context.Context) (*scenarioResult, error) {
	a := b.srv.app
	cp, la := b.opts.latency["citizenplane"], b.opts.latency["liteapi"]
	cpSim, laSim := a.Simulators["citizenplane"], a.Simulators["liteapi"]
	cpSim.SetLatency(cp)
	laSim.SetLatency(la)
	defer cpSim.SetLatency(0)
	defer laSim.SetLatency(0)
	slowest := max(cp, la)

	n := b.opts.fanoutSearches
	bodies := make([]vegeta.Target, n)
	for i := range bodies {
		bodies[i] = gqlTarget(b.srv.url, gqlBody(fanoutQuery, "Fanout", map[string]any{
			"date": b.date(fanoutFirstDay + i), "return": b.date(fanoutFirstDay + i + fanoutStay)}))
	}
	next := 0 // the attack asks for targets one at a time
	targeter := func(t *vegeta.Target) error {
		if next >= len(bodies) {
			return vegeta.ErrNoTargets
		}
		*t = bodies[next]
		next++
		return nil
	}

	before, err := providerCalls(ctx, b.client, b.srv.url)
	if err != nil {
		return nil, err
	}
	var serverSide []time.Duration // slowest provider of each search, as the server saw it
	mem := startMemSampler()
	res := attack(ctx, load{name: "fanout", targeter: lockedTargeter(targeter), pacer: maxHits(n),
		workers: b.opts.fanoutWorkers, check: func(body []byte) error {
			if err := checkFanout(body); err != nil {
				return err
			}
			s, _ := decodeSearch(body)
			slow := 0
			for _, p := range s.ProviderResults {
				slow = max(slow, p.LatencyMs)
			}
			serverSide = append(serverSide, time.Duration(slow)*time.Millisecond)
			return nil
		}})
	rss, heap := mem.Stop()
	after, err := providerCalls(ctx, b.client, b.srv.url)
	if err != nil {
		return nil, err
	}

	r := newScenarioResult("fanout", b.opts.fanoutWorkers, res)
	r.Description = fmt.Sprintf("%d distinct round-trip searches CDG→PMI (departures %s to %s), %d in flight, latency injected: %s",
		n, b.date(fanoutFirstDay), b.date(fanoutFirstDay+n-1), b.opts.fanoutWorkers, latencyString(b.opts.latency))
	r.PeakRSSBytes, r.PeakHeapBytes = rss, heap
	r.ProviderCalls, r.providerCallsTotal = callsBetween(before, after)
	r.ProviderCallsPerQuery = r.providerCallsTotal / float64(max(res.m.Requests, 1))
	f := &fanoutResult{SlowestProviderMs: ms(slowest)}
	if slowest > 0 {
		f.Ratio = ms(res.m.Latencies.P50) / ms(slowest)
	}
	if len(serverSide) > 0 {
		slices.Sort(serverSide)
		f.ServerSideSlowestP50Ms = ms(serverSide[len(serverSide)/2])
	}
	r.Fanout = f
	return r, nil
}

// lockedTargeter serializes a targeter that is not safe for concurrent use.
func lockedTargeter(tr vegeta.Targeter) vegeta.Targeter {
	ch := make(chan struct{}, 1)
	return func(t *vegeta.Target) error {
		ch <- struct{}{}
		defer func() { <-ch }()
		return tr(t)
	}
}

func latencyString(m map[string]time.Duration) string {
	s := ""
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if s != "" {
			s += ", "
		}
		s += k + "=" + m[k].String()
	}
	if s == "" {
		return "none"
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// memory: -memory-searches distinct round-trip searches all in flight at
// once, latency injected as in fanout, for the process's peak resident
// set. Searches differ by departure day (from memoryFirstDay) and by the
// number of adults, so that none shares another's run.
func (b *bench) memory(ctx context.Context) (*scenarioResult, error) {
	// A server of its own whose providers may take as long as the machine
	// needs: 1,000 searches make 6,000 provider calls at once, and on two
	// shared cores a 5 s deadline would fail most of them, leaving nothing
	// to measure but timeouts.
	cfg := b.config("memory.db")
	cfg.ProviderTimeout = memoryProviderTimeout
	cfg.RequestTimeout = memoryProviderTimeout + time.Minute
	srv, err := startServer(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	a := srv.app
	cpSim, laSim := a.Simulators["citizenplane"], a.Simulators["liteapi"]
	cpSim.SetLatency(b.opts.latency["citizenplane"])
	laSim.SetLatency(b.opts.latency["liteapi"])
	defer cpSim.SetLatency(0)
	defer laSim.SetLatency(0)

	n := b.opts.memorySearches
	const days, maxAdults = memoryDays, 4
	if n > days*maxAdults {
		return nil, fmt.Errorf("-memory-searches is at most %d", days*maxAdults)
	}
	targets := make([]vegeta.Target, n)
	for i := range targets {
		day := memoryFirstDay + i%days
		targets[i] = gqlTarget(srv.url, gqlBody(memoryQuery, "Memory", map[string]any{
			"date": b.date(day), "return": b.date(day + fanoutStay), "adults": 1 + i/days}))
	}
	next := 0
	targeter := func(t *vegeta.Target) error {
		if next >= len(targets) {
			return vegeta.ErrNoTargets
		}
		*t = targets[next]
		next++
		return nil
	}
	before, err := providerCalls(ctx, b.client, srv.url)
	if err != nil {
		return nil, err
	}
	mem := startMemSampler()
	res := attack(ctx, load{name: "memory", targeter: lockedTargeter(targeter), pacer: maxHits(n), workers: n, timeout: memoryProviderTimeout + time.Minute})
	rss, heap := mem.Stop()
	after, err := providerCalls(ctx, b.client, srv.url)
	if err != nil {
		return nil, err
	}
	r := newScenarioResult("memory", n, res)
	r.ProviderCalls, r.providerCallsTotal = callsBetween(before, after)
	r.ProviderCallsPerQuery = r.providerCallsTotal / float64(max(res.m.Requests, 1))
	r.Description = fmt.Sprintf("%d distinct round-trip searches CDG→PMI all in flight at once (%d departure days from %s, 1 to %d adults), latency injected: %s",
		n, min(n, days), b.date(memoryFirstDay), (n+days-1)/days, latencyString(b.opts.latency))
	r.PeakRSSBytes, r.PeakHeapBytes = rss, heap
	return r, nil
}
