package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

func TestParseFlagsDatabaseURL(t *testing.T) {
	t.Setenv("FAREGRAPH_BENCH_DATABASE_URL", "")
	for _, u := range []string{"mysql://x", "sqlite:///tmp/x.db", "/tmp/x.db", "postgres:/x"} {
		_, err := parseFlags([]string{"-database-url", u})
		if err == nil || !strings.Contains(err.Error(), "-database-url") {
			t.Errorf("-database-url %s: err %v, want one naming -database-url", u, err)
		}
	}
	for _, u := range []string{"", "postgres://postgres@127.0.0.1/test", "postgresql://h/d?sslmode=disable"} {
		if _, err := parseFlags([]string{"-database-url", u}); err != nil {
			t.Errorf("-database-url %q: %v", u, err)
		}
	}
	t.Setenv("FAREGRAPH_BENCH_DATABASE_URL", "mysql://x")
	if _, err := parseFlags(nil); err == nil || !strings.Contains(err.Error(), "-database-url") {
		t.Errorf("FAREGRAPH_BENCH_DATABASE_URL=mysql://x: err %v", err)
	}
}

func TestParseFlagsLatency(t *testing.T) {
	t.Setenv("FAREGRAPH_BENCH_DATABASE_URL", "")
	o, err := parseFlags([]string{"-latency", "citizenplane=1s, LiteAPI=20ms"})
	if err != nil {
		t.Fatal(err)
	}
	if o.latency["citizenplane"] != time.Second || o.latency["liteapi"] != 20*time.Millisecond {
		t.Fatalf("latency = %v", o.latency)
	}
	for _, l := range []string{"foo=1s", "citizenplane=1s,duffel=2s", "citizenplane", "liteapi=-1s"} {
		_, err := parseFlags([]string{"-latency", l})
		if err == nil || !strings.Contains(err.Error(), "-latency") {
			t.Errorf("-latency %s: err %v, want one naming -latency", l, err)
		}
	}
	_, err = parseFlags([]string{"-latency", "foo=1s"})
	if !strings.Contains(err.Error(), "citizenplane, liteapi") {
		t.Errorf("the error does not list the providers: %v", err)
	}
	// fanout's ratio needs a slowest latency above 0 and under the
	// provider timeout; other scenarios take any.
	for _, l := range []string{"", "citizenplane=0s", "citizenplane=0s,liteapi=0s", "citizenplane=10s", "liteapi=5s"} {
		_, err := parseFlags([]string{"-scenarios", "fanout", "-latency", l})
		if err == nil || !strings.Contains(err.Error(), "-latency") {
			t.Errorf("-scenarios fanout -latency %q: err %v, want one naming -latency", l, err)
		}
		if _, err := parseFlags([]string{"-scenarios", "memory", "-latency", l}); err != nil {
			t.Errorf("-scenarios memory -latency %q: %v", l, err)
		}
	}
}

func TestParseFlagsHelpAndEnvironment(t *testing.T) {
	t.Setenv("FAREGRAPH_BENCH_DATABASE_URL", "")
	if _, err := parseFlags([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: err %v, want flag.ErrHelp (exit 0)", err)
	}
	t.Setenv("FAREGRAPH_BENCH_DATABASE_URL", "mysql://x")
	_, err := parseFlags(nil)
	if err == nil || !strings.Contains(err.Error(), "$FAREGRAPH_BENCH_DATABASE_URL") {
		t.Errorf("a bad $FAREGRAPH_BENCH_DATABASE_URL: err %v, want one naming it", err)
	}
	_, err = parseFlags([]string{"-database-url", "mysql://x"})
	if err == nil || strings.Contains(err.Error(), "$FAREGRAPH_BENCH_DATABASE_URL") || !strings.Contains(err.Error(), "-database-url") {
		t.Errorf("a bad -database-url: err %v, want one naming the flag only", err)
	}
}

func TestFanoutGoalNeedsEverySearch(t *testing.T) {
	for _, c := range []struct {
		success, ratio float64
		pass           bool
	}{{1, 1.04, true}, {1, 0, false}, {0, 0.5, false}, {0.9, 1.01, false}, {1, 1.2, false}} {
		ts := targets([]*scenarioResult{{Name: "fanout", Success: c.success, Fanout: &fanoutResult{Ratio: c.ratio}}})
		for _, tg := range ts {
			if strings.HasPrefix(tg.What, "p50 / slowest") && tg.Pass != c.pass {
				t.Errorf("success %v ratio %v: pass %v, want %v", c.success, c.ratio, tg.Pass, c.pass)
			}
		}
	}
}

func TestWriteTextLeavesOutUnsampledMemory(t *testing.T) {
	rep := &report{Scenarios: []*scenarioResult{
		{Name: "hostile", Requests: 10},
		{Name: "fanout", Requests: 10, PeakRSSBytes: 50 << 20, PeakHeapBytes: 20 << 20},
	}}
	var buf bytes.Buffer
	rep.writeText(&buf)
	out := buf.String()
	hostile, fanout, _ := strings.Cut(out, "== fanout")
	if strings.Contains(hostile, "peak memory") {
		t.Errorf("unsampled memory printed:\n%s", hostile)
	}
	if !strings.Contains(fanout, "peak memory  RSS 50.0 MiB, Go heap 20.0 MiB") {
		t.Errorf("sampled memory missing:\n%s", fanout)
	}
}

func TestWriteSagaCPU(t *testing.T) {
	sqlite := &scenarioResult{Name: "saga", Saga: &sagaResult{Booked: 3, ProcessCPUPerCheckoutMs: 12.5}}
	pg := &scenarioResult{Name: "saga", Saga: &sagaResult{Booked: 3, ProcessCPUPerCheckoutMs: 12.5, PostgresCPUPerCheckoutMs: 2.5, CPURatio: 5},
		Baselines: []baseline{{Name: "tpcb", CPUPerTxMs: 3}}}
	for _, tt := range []struct {
		r    *scenarioResult
		want []string
	}{
		{sqlite, []string{"cpu          12.5 ms/checkout in this process"}},
		{pg, []string{"cpu          15.0 ms/checkout: 12.5 ms this process", "2.5 ms the run's Postgres backends (not its background processes)",
			"3.000 ms per transaction (its Postgres backends", "5.0 TPC-B transactions per checkout in CPU time"}},
	} {
		var buf bytes.Buffer
		writeSaga(&buf, tt.r)
		for _, w := range tt.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("missing %q in\n%s", w, buf.String())
			}
		}
	}
}

// TestMemoryCountsProviderCalls runs the memory scenario with a few
// searches on SQLite: the searches call both providers, and the
// scenario says so.
func TestMemoryCountsProviderCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	t.Setenv("FAREGRAPH_BENCH_DATABASE_URL", "")
	o, err := parseFlags([]string{"-scenarios", "memory", "-memory-searches", "4", "-latency", "citizenplane=0s,liteapi=0s"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b, err := newBench(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r, err := b.memory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Success != 1 {
		t.Fatalf("success %v: %v", r.Success, r.Errors)
	}
	if r.ProviderCallsPerQuery <= 0 || r.ProviderCalls == nil {
		t.Fatalf("provider calls %v per query, %v", r.ProviderCallsPerQuery, r.ProviderCalls)
	}
	for _, p := range []string{"citizenplane", "liteapi"} {
		found := false
		for k := range r.ProviderCalls {
			found = found || strings.HasPrefix(k, p+" ")
		}
		if !found {
			t.Errorf("no %s call counted: %v", p, r.ProviderCalls)
		}
	}
}
