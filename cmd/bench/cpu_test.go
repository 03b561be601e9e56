package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
)

func TestParseProcStat(t *testing.T) {
	// A command with spaces and parentheses; utime 120, stime 30,
	// starttime 345067 (fields 14, 15, 22).
	line := "7407 (post (gres) x) R 7404 7404 4425 0 -1 4194304 121 0 0 0 120 30 5 6 20 0 1 0 345067 3133440 407 18446744073709551615\n"
	cpu, started, ok := parseProcStat([]byte(line))
	if !ok || cpu != 150 || started != 345067 {
		t.Fatalf("parseProcStat = %d, %d, %v; want 150, 345067, true", cpu, started, ok)
	}
	if _, _, ok := parseProcStat([]byte("7407 (cat) R 1 2 3")); ok {
		t.Fatal("a short line parsed")
	}
	// This process's own line parses, with a start after boot.
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Skip("no /proc")
	}
	if _, started, ok := parseProcStat(b); !ok || started <= 0 {
		t.Fatalf("own stat: started %d, ok %v", started, ok)
	}
}

func TestBackendCPUs(t *testing.T) {
	a, b, c := backendKey{1, 100}, backendKey{2, 100}, backendKey{3, 150}
	var cs backendCPUs
	if cs.visible() || cs.total() != 0 {
		t.Fatal("empty accumulator not empty")
	}
	// a and b exist at the start: they count from their values then.
	cs.observe(map[backendKey]int64{a: 500, b: 70})
	// c is new: it counts from 0. b has exited (its last sample stays).
	cs.observe(map[backendKey]int64{a: 510, b: 75, c: 4})
	cs.observe(map[backendKey]int64{a: 530, c: 9})
	// A pid reused by a later backend is another backend.
	d := backendKey{1, 160}
	cs.observe(map[backendKey]int64{d: 2, c: 9})
	want := time.Duration(30+5+9+2) * clockTick
	if got := cs.total(); got != want || !cs.visible() {
		t.Fatalf("total = %v, visible %v; want %v, true", got, cs.visible(), want)
	}
}

func TestWithAppName(t *testing.T) {
	got, err := withAppName("postgres://u@h:5432/d?sslmode=disable&application_name=old&search_path=s", "faregraph-bench-x")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "application_name=faregraph-bench-x") || strings.Contains(got, "old") ||
		!strings.Contains(got, "search_path=s") || !strings.Contains(got, "sslmode=disable") {
		t.Fatalf("withAppName = %q", got)
	}
}

// TestBackendSampler burns CPU on a connection tagged with the sampler's
// tag and on an untagged one: only the former counts. Every connection
// of a pool opened on withAppName's URL carries the tag.
func TestBackendSampler(t *testing.T) {
	base := dbtest.PostgresURL(t)
	ctx := context.Background()
	tag := newRunTag()
	tagged, err := withAppName(base, tag)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := db.Open(ctx, tagged)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	other, err := db.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// Several connections of the pool at once: each says the tag.
	conns := make([]interface{ Close() error }, 0, 3)
	for range 3 {
		c, err := pool.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var name string
		if err := c.QueryRowContext(ctx, "SELECT current_setting('application_name')").Scan(&name); err != nil {
			t.Fatal(err)
		}
		if name != tag {
			t.Fatalf("a pool connection's application_name is %q, want %q", name, tag)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	var pid int
	if err := other.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid) + "/stat"); err != nil {
		t.Skip("the Postgres backends are not visible in /proc (remote database?)")
	}
	burn := "SELECT count(*) FROM generate_series(1, 3000000) g WHERE g % 7 = 3"

	// Untagged work alone: nothing counts (the tagged pool is idle).
	s, err := startBackendSampler(ctx, base, tag)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := other.ExecContext(ctx, burn); err != nil {
			t.Fatal(err)
		}
	}
	idle, _ := s.Stop()
	if s.err != nil {
		t.Fatal(s.err)
	}

	// Tagged work counts.
	s, err = startBackendSampler(ctx, base, tag)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := pool.ExecContext(ctx, burn); err != nil {
			t.Fatal(err)
		}
	}
	busy, visible := s.Stop()
	if s.err != nil || !visible {
		t.Fatalf("tagged backends not visible: %v", s.err)
	}
	// 6 million rows take far more than one tick of CPU; an idle backend
	// takes about none.
	if busy < 5*clockTick || idle > busy/4 {
		t.Fatalf("tagged work %v, untagged work %v", busy, idle)
	}
	t.Logf("tagged work %v, untagged work %v", busy, idle)
}

// TestBackendSamplerSelfNotCounted: the sampler's own connection is not
// tagged, so with no tagged backend it sees nothing.
func TestBackendSamplerSelfNotCounted(t *testing.T) {
	base := dbtest.PostgresURL(t)
	s, err := startBackendSampler(context.Background(), base, newRunTag())
	if err != nil {
		t.Fatal(err)
	}
	if d, visible := s.Stop(); d != 0 || visible || s.err != nil {
		t.Fatalf("Stop = %v, %v (%v) with no tagged backend", d, visible, s.err)
	}
	var nilSampler *backendSampler
	if d, visible := nilSampler.Stop(); d != 0 || visible {
		t.Fatal("a nil sampler reported CPU")
	}
}

// TestTPCBLoop runs the Go-loop TPC-B baseline briefly on each database:
// its statements must run through db.Open's driver on both (on Postgres
// they once used $n, which bun does not bind).
func TestTPCBLoop(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, conn *db.DB) {
		ctx := context.Background()
		if err := tpcbSetup(ctx, conn); err != nil {
			t.Fatal(err)
		}
		tps, err := tpcbRun(ctx, conn, 2, 300*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if tps <= 0 {
			t.Fatal("no transaction")
		}
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pgbench_history").Scan(&n); err != nil || n == 0 {
			t.Fatalf("history rows %d, %v", n, err)
		}
	})
}
