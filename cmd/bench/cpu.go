package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/faregraph/faregraph/db"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on
// every Linux architecture Go supports; proc(5)).
const clockTick = 10 * time.Millisecond

// backendPollInterval is how often a backendSampler reads the CPU times
// of the backends it follows.
const backendPollInterval = 100 * time.Millisecond

// processCPU is the CPU time (user + system) this process has used so far:
// the server, the simulators and the load generator share it. 0 where
// getrusage fails.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// newRunTag returns an application_name unique to this run of the bench,
// "faregraph-bench-" and 12 hex digits: Postgres keeps 63 bytes of it, so
// the suffixes appended to it ("-tpcb") survive.
func newRunTag() string {
	var r [6]byte
	_, _ = rand.Read(r[:])
	return "faregraph-bench-" + hex.EncodeToString(r[:])
}

// withAppName returns the postgres:// URL u with application_name set to
// tag, replacing any there: pgx sends it as a startup parameter of every
// connection of a pool opened on the URL (db.Open).
func withAppName(u, tag string) (string, error) {
	p, err := neturl.Parse(u)
	if err != nil {
		return "", fmt.Errorf("-database-url: %w", err)
	}
	q := p.Query()
	q.Set("application_name", tag)
	p.RawQuery = q.Encode()
	return p.String(), nil
}

// backendKey names one backend process: its pid and its start
// (pg_stat_activity.backend_start, seconds since the Unix epoch), so that
// a pid reused by a later backend counts as another backend.
type backendKey struct {
	pid   int
	start float64
}

// backendCPUs adds up the CPU time of a set of backends from successive
// samples of their cumulative CPU times, in clock ticks. A backend seen in
// the first sample counts from its value then; a backend first seen later
// counts from 0 (it started after the first sample: all its CPU time is
// the measured period's); a backend gone from a sample keeps what its last
// sample showed.
type backendCPUs struct {
	base, last map[backendKey]int64
}

// observe records one sample: the cumulative ticks of each backend that
// could be read.
func (c *backendCPUs) observe(ticks map[backendKey]int64) {
	first := c.base == nil
	if first {
		c.base, c.last = map[backendKey]int64{}, map[backendKey]int64{}
	}
	for k, t := range ticks {
		if _, seen := c.base[k]; !seen {
			if first {
				c.base[k] = t
			} else {
				c.base[k] = 0
			}
		}
		c.last[k] = t
	}
}

// total is the CPU time the backends used between the first sample and
// their last.
func (c *backendCPUs) total() time.Duration {
	var ticks int64
	for k, t := range c.last {
		ticks += max(0, t-c.base[k])
	}
	return time.Duration(ticks) * clockTick
}

// visible reports whether any backend's CPU times could be read.
func (c *backendCPUs) visible() bool { return len(c.last) > 0 }

// backendSampler follows the CPU time of the Postgres backends whose
// application_name is its tag: every backendPollInterval (and once more
// on Stop) it lists them in pg_stat_activity over a connection of its own
// (which has another application_name, so it does not count itself) and
// reads utime and stime of each from /proc/<pid>/stat (proc(5), fields 14
// and 15, in USER_HZ ticks).
//
// Only client backends with the tag count: Postgres's background
// processes (walwriter, checkpointer, background writer, autovacuum) and
// other clients' backends are left out, though the run's writes cause
// some of the former's work. The CPU time a backend uses between its last
// sample and its exit is lost: up to backendPollInterval of each backend
// that disconnects before Stop (pgbench's, at the end of its run).
//
// A backend counts only when /proc/<pid>/stat exists and its process
// started when pg_stat_activity says the backend did (within 2 s): a
// Postgres server on another machine, or in another pid namespace,
// leaves nothing readable, and Stop then reports the database "not
// visible".
type backendSampler struct {
	tag    string
	conn   *db.DB
	btime  int64 // boot time, seconds since the epoch (/proc/stat)
	stop   chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	cpus   backendCPUs
	polled int
	err    error
}

// startBackendSampler opens a connection to the Postgres database at
// base (a postgres:// URL; its own application_name is replaced, so it
// is never tag) and starts following the backends tagged tag, taking its
// first sample before it returns.
func startBackendSampler(ctx context.Context, base, tag string) (*backendSampler, error) {
	u, err := withAppName(base, "faregraph-bench-cpu-sampler")
	if err != nil {
		return nil, err
	}
	conn, err := db.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	s := &backendSampler{tag: tag, conn: conn, btime: bootTime(), stop: make(chan struct{}), done: make(chan struct{})}
	s.poll(ctx)
	go s.loop()
	return s, nil
}

func (s *backendSampler) loop() {
	defer close(s.done)
	t := time.NewTicker(backendPollInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			s.poll(ctx)
			cancel()
		}
	}
}

// poll takes one sample.
func (s *backendSampler) poll(ctx context.Context) {
	rows, err := s.conn.QueryContext(ctx,
		"SELECT pid, extract(epoch FROM backend_start)::float8 FROM pg_stat_activity WHERE application_name = ?", s.tag)
	if err != nil {
		s.fail(err)
		return
	}
	defer rows.Close()
	ticks := map[backendKey]int64{}
	for rows.Next() {
		var k backendKey
		if err := rows.Scan(&k.pid, &k.start); err != nil {
			s.fail(err)
			return
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(k.pid) + "/stat")
		if err != nil {
			continue // gone since, or not on this machine
		}
		cpu, started, ok := parseProcStat(b)
		if !ok || s.btime == 0 || math.Abs(float64(s.btime)+float64(started)*clockTick.Seconds()-k.start) > 2 {
			continue // another process with the same pid
		}
		ticks[k] = cpu
	}
	if err := rows.Err(); err != nil {
		s.fail(err)
		return
	}
	s.mu.Lock()
	s.cpus.observe(ticks)
	s.polled++
	s.mu.Unlock()
}

func (s *backendSampler) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

// Stop takes a last sample, ends the sampling and closes the connection.
// It returns the CPU time the tagged backends used since the first sample
// and whether any was visible; a failed query or unreadable /proc makes
// it (0, false).
func (s *backendSampler) Stop() (time.Duration, bool) {
	if s == nil {
		return 0, false
	}
	close(s.stop)
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	s.poll(ctx)
	cancel()
	s.conn.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		fmt.Fprintf(os.Stderr, "bench: sampling Postgres backends' CPU: %v\n", s.err)
		return 0, false
	}
	if !s.cpus.visible() {
		return 0, false
	}
	return s.cpus.total(), true
}

// parseProcStat reads a /proc/<pid>/stat line: utime + stime (fields 14
// and 15) and starttime (field 22), all in clock ticks. The command
// (field 2) is in parentheses and may hold spaces and parentheses, so
// fields are counted from the last ')'.
func parseProcStat(b []byte) (cpu, started int64, ok bool) {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return 0, 0, false
	}
	// After ") " come field 3 (state) onwards: field n is f[n-3].
	f := bytes.Fields(b[end+1:])
	if len(f) < 20 {
		return 0, 0, false
	}
	var v [3]int64
	for i, n := range []int{14, 15, 22} {
		x, err := strconv.ParseInt(string(f[n-3]), 10, 64)
		if err != nil {
			return 0, 0, false
		}
		v[i] = x
	}
	return v[0] + v[1], v[2], true
}

// bootTime is /proc/stat's btime, the boot time in seconds since the
// epoch; 0 when it cannot be read.
func bootTime() int64 {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "btime "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return 0
}

var errNotPostgres = errors.New("-database-url must start with postgres:// or postgresql:// (leave it empty for an SQLite file)")
