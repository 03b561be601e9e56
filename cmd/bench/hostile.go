package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faregraph/faregraph/server/hostile"
)

// hostileAddr is the loopback address the hostile clients send from, so
// that the server tells them from the legitimate client (127.0.0.1) as it
// would tell two hosts apart.
var hostileAddr = net.IPv4(127, 0, 0, 2)

// hostileWorkers are the clients that send issue 7's refused inputs in a
// loop while the hostile scenario measures a legitimate request.
const hostileWorkers = 4

// hostileLoad: roundtrip-full's request, one at a time, alone for
// -duration and then for -duration while hostileWorkers clients send every
// input of issue 7 in a loop. Its p99 should stay within 1.5× of alone.
func (b *bench) hostileLoad(ctx context.Context) (*scenarioResult, error) {
	if _, err := b.warmRoundTrip(ctx); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	legit := load{name: "hostile", targeter: staticTarget(b.srv.url, b.roundTripBody()), duration: b.opts.duration, workers: 1}
	alone := attack(ctx, legit)

	// Built once: the clients' cost of making them is not the server's.
	// Each kind is sent in turn; each flood of __typename is numbered
	// differently (of 64), so that no query cache could help.
	var kinds [][]vegeta.Target
	for i := range 64 {
		for j, body := range hostile.Bodies(i) {
			if i == 0 {
				kinds = append(kinds, nil)
			}
			if i == 0 || j == 1 {
				kinds[j] = append(kinds[j], gqlTarget(b.srv.url, body))
			}
		}
	}
	var n atomic.Int64
	targeter := func(t *vegeta.Target) error {
		i := int(n.Add(1))
		k := kinds[i%len(kinds)]
		*t = k[i/len(kinds)%len(k)]
		return nil
	}
	before, err := providerCalls(ctx, b.client, b.srv.url)
	if err != nil {
		return nil, err
	}
	mem := startMemSampler()
	var (
		wg  sync.WaitGroup
		bad *loadResult
	)
	wg.Go(func() {
		bad = attack(ctx, load{name: "hostile-inputs", targeter: targeter, duration: b.opts.duration, workers: hostileWorkers,
			check: func([]byte) error { return nil }, from: hostileAddr})
	})
	under := attack(ctx, legit)
	wg.Wait()
	rss, heap := mem.Stop()
	after, err := providerCalls(ctx, b.client, b.srv.url)
	if err != nil {
		return nil, err
	}

	r := newScenarioResult("hostile", 1, under)
	// Under the hostile load: its inputs are refused before any provider
	// call, so the calls are the legitimate request's.
	r.PeakRSSBytes, r.PeakHeapBytes = rss, heap
	r.ProviderCalls, r.providerCallsTotal = callsBetween(before, after)
	r.ProviderCallsPerQuery = r.providerCallsTotal / float64(max(under.m.Requests, 1))
	r.Description = fmt.Sprintf("roundtrip-full one at a time while %d clients send issue 7's inputs (fragment spreads 4^15, __typename ×4,900, 450 same-alias fields, 200,000 providers, a 500 KB operation name) in a loop", hostileWorkers)
	r.Notes = append(r.Notes,
		fmt.Sprintf("alone: p50 %.1f ms, p99 %.1f ms; under the hostile load: p50 %.1f ms, p99 %.1f ms (p99 ratio %.2f, goal ≤ 1.5)",
			ms(alone.m.Latencies.P50), ms(alone.m.Latencies.P99), ms(under.m.Latencies.P50), ms(under.m.Latencies.P99),
			ms(under.m.Latencies.P99)/max(ms(alone.m.Latencies.P99), 0.001)),
		fmt.Sprintf("hostile inputs refused: %d at %.0f/s (%d of them 429 once over the refusal budget), p99 %.1f ms", bad.m.Requests, bad.m.Rate, bad.m.StatusCodes["429"], ms(bad.m.Latencies.P99)))
	return r, nil
}
