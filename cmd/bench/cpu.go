package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on
// every Linux architecture Go supports; proc(5)).
const clockTick = 10 * time.Millisecond

// cpuSample is the CPU time (user + system) used so far by this process
// (the server, the simulators and the load generator share it) and by the
// local Postgres server's processes. Postgres's figure includes the
// backends that have exited (their postmaster's cutime and cstime), so a
// difference of two samples counts pgbench's short-lived connections too.
// postgres is 0 when no postgres process is visible in /proc (a remote
// database, SQLite, another OS).
type cpuSample struct {
	self, postgres time.Duration
}

// sampleCPU reads a cpuSample.
func sampleCPU() cpuSample {
	var s cpuSample
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s.postgres = postgresCPU()
	return s
}

func (s cpuSample) sub(o cpuSample) cpuSample {
	return cpuSample{self: s.self - o.self, postgres: s.postgres - o.postgres}
}

// postgresCPU sums utime, stime, cutime and cstime (proc(5), fields 14–17)
// over the processes named "postgres".
func postgresCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		if open < 0 || end < open || string(b[open+1:end]) != "postgres" {
			continue
		}
		// After ") " come field 3 (state) onwards; utime is field 14.
		f := bytes.Fields(b[end+1:])
		if len(f) < 15 {
			continue
		}
		for _, v := range f[11:15] {
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err == nil {
				ticks += n
			}
		}
	}
	return time.Duration(ticks) * clockTick
}
