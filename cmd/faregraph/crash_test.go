package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/ids"
	"github.com/uptrace/bun"
)

// crashLease and crashSweep are the servers' lease and sweep interval in
// the crash test: a session a killed process left mid-step is taken over
// about crashLease after the step began. FAREGRAPH_TEST_CRASH_LEASE and
// FAREGRAPH_TEST_CRASH_SWEEP set others, to measure with the defaults
// (10s and 10s).
var (
	crashLease = or(os.Getenv("FAREGRAPH_TEST_CRASH_LEASE"), "1s")
	crashSweep = or(os.Getenv("FAREGRAPH_TEST_CRASH_SWEEP"), "100ms")
)

// crashParallel is how many kill points run at once (16;
// FAREGRAPH_TEST_CRASH_PARALLEL sets another, e.g. to measure with the
// default lease, when the runs mostly wait).
var crashParallel = func() int {
	n, err := strconv.Atoi(os.Getenv("FAREGRAPH_TEST_CRASH_PARALLEL"))
	if err != nil || n < 1 {
		return 16
	}
	return n
}()

// crashScenario is a checkout the crash test kills at each of its points.
type crashScenario struct {
	name   string
	points []string
	// The offer: a one-way (or, with ret, round trip) search from origin
	// to dest whose parts are booked with parts, in order.
	origin, dest string
	ret          bool
	parts        []string
	// settlements is createCheckoutSession's settlements input.
	settlements []any
	// env is added to the servers' environment.
	env []string
	// drop, when not 0, lets part drop-1's LiteAPI prebook lapse before
	// booking: that part's booking is refused, and, partial booking
	// forbidden, the parts booked before it are canceled where their
	// provider allows it.
	drop int
	// isolate runs each kill point on a database of its own, on Postgres
	// too: sweeper work (renewals) would otherwise be done, and killed,
	// by the replicas of the scenario's other kill points.
	isolate bool
	// want is the status the session ends in (CANCELED for a release:*
	// point, which cancels the authorized session instead of booking).
	want string
}

// crashScenarios are the checkouts the crash test kills.
var crashScenarios = []crashScenario{
	{name: "citizenplane_card", points: checkout.CrashPoints[:12], origin: "CDG", dest: "PMI", parts: []string{"citizenplane"}, want: "BOOKED"},
	{name: "liteapi_card", points: points("hold:", "book:"), origin: "CDG", dest: "PMI", parts: []string{"liteapi"}, want: "BOOKED"},
	{name: "liteapi_provider_intent", points: points("hold:", "book:"), origin: "CDG", dest: "PMI", parts: []string{"liteapi"},
		settlements: []any{map[string]any{"provider": "liteapi", "mode": "PROVIDER_INTENT"}}, want: "BOOKED"},
	// The CitizenPlane part's fare goes to CitizenPlane with the card;
	// only the LiteAPI part's share is captured.
	{name: "card_forward_trip", points: points("book:", "capture:"), origin: "CDG", dest: "PMI", ret: true, parts: []string{"liteapi", "citizenplane"},
		settlements: []any{map[string]any{"provider": "citizenplane", "mode": "CARD_FORWARD"}}, want: "BOOKED"},
	// All or nothing: the LiteAPI outbound (it can be canceled) is booked
	// first and CitizenPlane (no cancellation) last; the outbound's
	// prebook lapses, so CitizenPlane is never asked: nothing is booked
	// and the payment is released.
	{name: "forbid_lapsed_outbound", points: points("book:", "release:"), origin: "CDG", dest: "PMI", ret: true, parts: []string{"liteapi", "citizenplane"}, drop: 1, want: "FAILED"},
	// All or nothing, two LiteAPI parts: the return's prebook lapses, the
	// booked outbound is canceled at LiteAPI, nothing is charged.
	{name: "forbid_canceled_outbound", points: points("book:", "cancel:", "release:"), origin: "CDG", dest: "PMI", ret: true, parts: []string{"liteapi", "liteapi"}, drop: 2, want: "FAILED"},
	// The Gr4vy gateway, its simulator in the simulators' process.
	{name: "citizenplane_gr4vy", points: points("pay:", "confirm:", "capture:", "release:"), origin: "CDG", dest: "PMI", parts: []string{"citizenplane"},
		env: []string{"FAREGRAPH_GATEWAY=gr4vy"}, want: "BOOKED"},
	// Holds renewed at every sweep (the renewal margin is longer than a
	// hold), killed mid-renewal while the traveller pays and books.
	{name: "citizenplane_renewed", points: points("renew:"), origin: "CDG", dest: "PMI", parts: []string{"citizenplane"},
		env: []string{"FAREGRAPH_CHECKOUT_RENEW_MARGIN=1h"}, isolate: true, want: "BOOKED"},
}

// crashPoints is how many kill points the scenarios have in all.
func crashPoints() int {
	n := 0
	for _, sc := range crashScenarios {
		n += len(sc.points)
	}
	return n
}

// points are the crash points starting with one of prefixes.
func points(prefixes ...string) []string {
	var out []string
	for _, p := range checkout.CrashPoints {
		for _, pre := range prefixes {
			if strings.HasPrefix(p, pre) {
				out = append(out, p)
			}
		}
	}
	return out
}

// TestCrash is issue 9's crash test. Simulators (providers and Gr4vy)
// run in a process of their own (faregraph simulators), and one server
// per scenario and kill point checks out an offer through them, with
// FAREGRAPH_TEST_CRASH_AT set to the point: the server SIGKILLs itself
// exactly at that step boundary (before or after a provider hold,
// renewal, booking or cancellation, the gateway's intent creation,
// confirmation, capture or release). It is restarted on the same database
// without the setting, the client goes on as a client would (retrying the
// mutation whose answer it lost), and the test checks the invariants:
// every session reaches its final state within the reconcile limit, and
// the steps the killed server left in INTENT are concluded; every
// authorization ends captured or released, at the gateway (the sandbox's
// intents table, the Gr4vy simulator's transactions); every booking the
// simulators made (listed by reference by their test-only admin endpoint,
// across all processes) has exactly one booking row in the runs'
// databases, and every row is such a booking, and the session
// of a booking that stayed confirmed captured the merchant's share. At
// most crashParallel runs go at once; on Postgres the servers share a
// database (the Gr4vy scenario's their own, an isolated scenario's one
// per point), so a session may be resumed by another replica. It logs
// the time from restart to settled.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs faregraph processes")
	}
	bin := filepath.Join(t.TempDir(), "faregraph")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sims := startSimulators(t, bin)
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		crashAll(t, bin, sims, 20, func(run string) string {
			return filepath.Join(dir, strings.NewReplacer(":", "_", "/", "_").Replace(run)+".db")
		})
	})
	t.Run("postgres", func(t *testing.T) {
		// One database for the servers of every scenario, so that a
		// session may be resumed by another replica; one for the Gr4vy
		// scenario, whose servers have another gateway (the replicas of a
		// deployment share theirs); one per kill point of an isolated
		// scenario.
		shared, gr := dbtest.PostgresURL(t), dbtest.PostgresURL(t)
		own := map[string]string{}
		for _, sc := range crashScenarios {
			for _, p := range sc.points {
				if sc.isolate {
					own[sc.name+"/"+p] = dbtest.PostgresURL(t)
				}
			}
		}
		// Days after SQLite's (a day per kill point from day 20), so the
		// two runs never share a flight.
		crashAll(t, bin, sims, 20+crashPoints()+10, func(run string) string {
			switch {
			case own[run] != "":
				return own[run]
			case strings.Contains(run, "gr4vy"):
				return gr
			}
			return shared
		})
	})
}

type simProcess struct {
	env   []string
	admin string
}

// bookingRefs are the references of the bookings the simulators made, by
// provider.
func (s simProcess) bookingRefs(t *testing.T) map[string][]string {
	r, err := http.Get("http://" + s.admin + "/bookings?refs=1")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var refs map[string][]string
	if err := json.NewDecoder(r.Body).Decode(&refs); err != nil || len(refs) == 0 {
		t.Fatalf("simulator booking references: %v %v", refs, err)
	}
	return refs
}

// gr4vy lists the Gr4vy simulator's transactions in status.
func (s simProcess) gr4vy(t *testing.T, status string) []string {
	r, err := http.Get("http://" + s.admin + "/gr4vy/transactions?status=" + status)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var ids []string
	if err := json.NewDecoder(r.Body).Decode(&ids); err != nil {
		t.Fatalf("Gr4vy's authorized transactions: %v", err)
	}
	return ids
}

// startSimulators runs faregraph simulators, with its test-only admin
// endpoint, and returns the settings it prints, as environment entries.
func startSimulators(t *testing.T, bin string) simProcess {
	admin := freeAddr(t)
	cmd := exec.Command(bin, "simulators")
	cmd.Env = append(os.Environ(), "FAREGRAPH_SIM_ADDR="+freeAddr(t), "FAREGRAPH_SIM_ADMIN_ADDR="+admin, "FAREGRAPH_SIM_LATENCY=citizenplane=50ms")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var env []string
	sc := bufio.NewScanner(out)
	// The settings, up to the empty line that ends them.
	for sc.Scan() && sc.Text() != "" {
		env = append(env, sc.Text())
	}
	if len(env) == 0 {
		t.Fatal("faregraph simulators printed no settings")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return simProcess{env: env, admin: admin}
}

type process struct {
	bin  string
	env  []string
	addr string
	cmd  *exec.Cmd
	logs *bytes.Buffer
	// name, with FAREGRAPH_TEST_CRASH_LOGS set to a directory, is the
	// file there the server's logs are also appended to.
	name string
	done chan struct{}
}

func (s *process) start() error {
	s.cmd = exec.Command(s.bin, "serve")
	s.cmd.Env = append(append(os.Environ(), s.env...), "FAREGRAPH_ADDR="+s.addr)
	s.logs = new(bytes.Buffer)
	s.cmd.Stderr = s.logs
	closeLog := func() {}
	if dir := os.Getenv("FAREGRAPH_TEST_CRASH_LOGS"); dir != "" && s.name != "" {
		f, err := os.OpenFile(filepath.Join(dir, s.name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		s.cmd.Stderr = io.MultiWriter(s.logs, f)
		closeLog = func() { f.Close() }
	}
	if err := s.cmd.Start(); err != nil {
		closeLog()
		return err
	}
	s.done = make(chan struct{})
	go func() { _ = s.cmd.Wait(); closeLog(); close(s.done) }()
	for range 400 {
		select {
		case <-s.done:
			return fmt.Errorf("%w:\n%s", errDiedEarly, s.logs.String())
		default:
		}
		if r, err := http.Get("http://" + s.addr + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the server did not start:\n%s", s.logs.String())
}

// died reports whether the process ended within d.
func (s *process) died(d time.Duration) bool {
	select {
	case <-s.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (s *process) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// errTransport is a request that got no HTTP answer: the server died.
var errTransport = errors.New("no answer from the server")

// errDiedEarly: the server exited before it was ready (one set to die at
// a point may reach it on another server's session at its first sweep).
var errDiedEarly = errors.New("the server exited before it was ready")

func (s *process) gql(query string, vars map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	r, err := http.Post("http://"+s.addr+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errTransport, err)
	}
	defer r.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.NewDecoder(r.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("%w: %v", errTransport, err)
	}
	if len(out.Errors) > 0 {
		return out.Data, fmt.Errorf("graphql errors: %v", out.Errors)
	}
	return out.Data, nil
}

func get(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

const crashSession = `{ id status failure { code message } payment { status amount { amount } capturedAmount { amount } } total { amount }
  bookings { provider providerReference status } events { event } }`

// crashRun is what one kill point ended with.
type crashRun struct {
	scenario, point, id, status, payment string
	settled                              time.Duration
	dbURL                                string
}

// crashAll runs every scenario's kill points at once, each with a server
// of its own on the database dbURL(scenario/point) names, then checks the
// invariants across them.
func crashAll(t *testing.T, bin string, sims simProcess, firstDay int, dbURL func(run string) string) {
	only := regexp.MustCompile(os.Getenv("FAREGRAPH_TEST_CRASH_ONLY"))
	migrated := map[string]bool{}
	for _, sc := range crashScenarios {
		for _, p := range sc.points {
			if u := dbURL(sc.name + "/" + p); only.MatchString(sc.name) && strings.HasPrefix(u, "postgres") && !migrated[u] {
				// A database servers may share: migrate it once first.
				migrated[u] = true
				cmd := exec.Command(bin, "migrate")
				cmd.Env = append(os.Environ(), "DATABASE_URL="+u)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("migrate: %v\n%s", err, out)
				}
			}
		}
	}
	// At most crashParallel runs at once: each is a server with a
	// connection pool, and Postgres takes 100 connections.
	slots := make(chan struct{}, crashParallel)
	before := sims.bookingRefs(t)
	gr4vyCaptured, gr4vyRuns := len(sims.gr4vy(t, "capture_succeeded")), 0
	var runs []*crashRun
	var wg sync.WaitGroup
	day := firstDay
	for _, sc := range crashScenarios {
		if !only.MatchString(sc.name) {
			continue
		}
		for _, point := range sc.points {
			if slices.Contains(sc.env, "FAREGRAPH_GATEWAY=gr4vy") {
				gr4vyRuns++
			}
			r := &crashRun{scenario: sc.name, point: point}
			runs = append(runs, r)
			// A day each, so that the holds of killed sessions do not
			// sell out a flight.
			d := day
			day++
			wg.Go(func() {
				slots <- struct{}{}
				defer func() { <-slots }()
				if err := crashOne(r, bin, sims, dbURL(sc.name+"/"+point), sc, d); err != nil {
					t.Errorf("%s at %s: %v", sc.name, point, err)
				}
			})
		}
	}
	wg.Wait()
	for _, r := range runs {
		if r.id != "" {
			t.Logf("%-26s killed at %-28s: %s (payment %s) %v after the restart", r.scenario, r.point, r.status, r.payment, r.settled.Round(10*time.Millisecond))
		}
	}
	// Every provider booking has exactly one booking row: each booking
	// the simulators made during these runs, by its reference, is on one
	// row of one of the runs' databases (canceled ones included), and
	// every row there is a booking they made. Matched reference by
	// reference, database by database, so that a booking with no row
	// cannot hide behind a row counted twice elsewhere.
	rows := map[string]map[string][]string{} // provider, reference: "database session" of each row
	dbs := map[string]bool{}
	for _, r := range runs {
		if r.id == "" || dbs[r.dbURL] {
			continue
		}
		dbs[r.dbURL] = true
		ctx := context.Background()
		d, err := db.Open(ctx, r.dbURL)
		if err != nil {
			t.Fatal(err)
		}
		var brs []db.BookingRow
		if err := d.NewSelect().Model(&brs).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		d.Close()
		for _, b := range brs {
			if rows[b.Provider] == nil {
				rows[b.Provider] = map[string][]string{}
			}
			rows[b.Provider][b.ProviderReference] = append(rows[b.Provider][b.ProviderReference], r.scenario+"/"+r.point+" "+b.SessionID)
		}
	}
	for p, refs := range sims.bookingRefs(t) {
		for _, ref := range refs {
			if slices.Contains(before[p], ref) {
				continue
			}
			if n := len(rows[p][ref]); n != 1 {
				t.Errorf("%s booking %s has %d booking rows: %v", p, ref, n, rows[p][ref])
			}
			delete(rows[p], ref)
		}
	}
	for p, left := range rows {
		for ref, where := range left {
			t.Errorf("booking rows of a %s booking %s the simulators did not make: %v", p, ref, where)
		}
	}
	// At Gr4vy's simulator, no transaction is left authorized, and the
	// Gr4vy scenarios were paid there.
	if left := sims.gr4vy(t, "authorization_succeeded"); len(left) > 0 {
		t.Errorf("Gr4vy transactions neither captured nor voided: %v", left)
	}
	if gr4vyRuns > 0 && len(sims.gr4vy(t, "capture_succeeded")) <= gr4vyCaptured {
		t.Errorf("%d Gr4vy scenario runs, but no Gr4vy transaction captured", gr4vyRuns)
	}
	// At the sandbox gateway: no authorization is left uncaptured and
	// unreleased, and no saga step is left in INTENT.
	checked := map[string]bool{}
	for _, r := range runs {
		if r.id == "" || checked[r.dbURL] {
			continue
		}
		checked[r.dbURL] = true
		ctx := context.Background()
		d, err := db.Open(ctx, r.dbURL)
		if err != nil {
			t.Fatal(err)
		}
		var open []string
		if err := d.NewSelect().Table("sandbox_payment_intents").Column("id").Where("status NOT IN (?)", bun.In([]string{"CAPTURED", "CANCELED"})).Scan(ctx, &open); err != nil {
			t.Fatal(err)
		}
		if len(open) > 0 {
			t.Errorf("%s: payment intents neither captured nor released: %v", r.point, open)
		}
		var intents []string
		if err := d.NewSelect().Table("saga_steps").ColumnExpr("session_id || ' ' || step").Where("state = 'INTENT'").Scan(ctx, &intents); err != nil {
			t.Fatal(err)
		}
		if len(intents) > 0 {
			t.Errorf("%s: saga steps left in INTENT: %v", r.point, intents)
		}
		d.Close()
	}
}

// crashOne checks out sc's offer on a server that kills itself at
// r.point, restarts it on the same database and drives the session to its
// end. A release:* point of a scenario that books cancels the authorized
// session instead.
func crashOne(r *crashRun, bin string, sims simProcess, dbURL string, sc crashScenario, day int) error {
	point := r.point
	r.dbURL = dbURL
	env := append(slices.Clone(sims.env),
		"FAREGRAPH_SECRET=crash-test-secret-0123456789abcdef0123",
		// Every provider through the simulators' process: none in-process,
		// whose holds and bookings would die with the server.
		"FAREGRAPH_ALLOW_SIMULATORS=false",
		"FAREGRAPH_SWEEP_INTERVAL="+crashSweep, "FAREGRAPH_CHECKOUT_LEASE="+crashLease)
	env = append(env, sc.env...)
	if strings.HasPrefix(dbURL, "postgres") {
		env = append(env, "DATABASE_URL="+dbURL)
	} else {
		env = append(env, "FAREGRAPH_DB_PATH="+dbURL)
	}
	addr, err := pickAddr()
	if err != nil {
		return err
	}
	s := &process{bin: bin, addr: addr, name: strings.NewReplacer(":", "_", "/", "_").Replace(sc.name + "_" + point), env: append(slices.Clone(env), "FAREGRAPH_TEST_CRASH_AT="+point)}
	defer func() { s.kill() }()
	// startLive starts s again while it dies before it is ready.
	startLive := func() error {
		for attempt := 0; ; attempt++ {
			err := s.start()
			if !errors.Is(err, errDiedEarly) || attempt >= 10 {
				return err
			}
			time.Sleep(time.Duration(attempt) * 300 * time.Millisecond)
		}
	}
	if err := startLive(); err != nil {
		return err
	}
	// On a shared database, the server's sweeper may reach the point
	// first, resuming another server's session: then it is started again,
	// still set to die at the point, and the checkout begins anew.
	for attempt := 0; r.id == ""; attempt++ {
		var err error
		r.id, err = newSession(s, sc, day)
		// Another server's session may keep this one dying at its point
		// until a server not set to die concludes that step: wait a little
		// between the attempts.
		if errors.Is(err, errTransport) && attempt < 10 && s.died(5*time.Second) {
			time.Sleep(time.Duration(attempt) * 300 * time.Millisecond)
			if err := startLive(); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
	}
	want := sc.want
	if strings.HasPrefix(point, "release:") && sc.want == "BOOKED" {
		want = "CANCELED"
	}
	c := &client{s: s, id: r.id, cancel: want == "CANCELED", sims: sims, drop: sc.drop, dbURL: dbURL, awaitRenewal: strings.HasPrefix(point, "renew:")}
	if _, err := c.drive(time.Minute); !errors.Is(err, errTransport) {
		return fmt.Errorf("the server was not killed at %s (%v)", point, err)
	}
	if !s.died(5 * time.Second) {
		return fmt.Errorf("no answer, but the server is alive: %s", tail(s.logs.String()))
	}
	if !strings.Contains(s.logs.String(), "killing the server at "+point) {
		return fmt.Errorf("the server died elsewhere than at %s:\n%s", point, tail(s.logs.String()))
	}
	s.env, c.awaitRenewal = env, false
	if err := s.start(); err != nil {
		return err
	}
	restarted := time.Now()
	lease, _ := time.ParseDuration(crashLease)
	sweep, _ := time.ParseDuration(crashSweep)
	sess, err := c.drive(lease + 2*sweep + 30*time.Second)
	r.settled = time.Since(restarted)
	if err != nil {
		return fmt.Errorf("after the restart: %w\n%s", err, tail(s.logs.String()))
	}
	r.status, _ = get(sess, "status").(string)
	r.payment, _ = get(sess, "payment", "status").(string)
	bookings, _ := get(sess, "bookings").([]any)
	confirmed := 0
	for _, b := range bookings {
		if get(b, "status") != "CANCELED" {
			confirmed++
		}
	}
	// Ours to capture is the payment's amount: the merchant's share of
	// the total (parts settled by PROVIDER_INTENT or CARD_FORWARD are
	// paid to their provider).
	captured, _ := get(sess, "payment", "capturedAmount", "amount").(string)
	ours, _ := get(sess, "payment", "amount", "amount").(string)
	switch st, pay := r.status, r.payment; {
	case st != want:
		err = fmt.Errorf("ended %s, want %s: %v", st, want, sess)
	case (st == "BOOKED" || st == "PARTIALLY_BOOKED") && (confirmed == 0 || pay != "CAPTURED" && pay != "" || pay == "CAPTURED" && ours != "0.00" && (captured == "" || captured == "0.00")):
		err = fmt.Errorf("booked, but payment %v captured %v of %v, %d confirmed bookings", pay, captured, ours, confirmed)
	case st == "BOOKED" && pay == "CAPTURED" && captured != ours:
		err = fmt.Errorf("booked, but captured %v of the merchant's %v (total %v)", captured, ours, get(sess, "total", "amount"))
	case (st == "FAILED" || st == "CANCELED") && (pay != "CANCELED" && pay != "" || confirmed != 0):
		err = fmt.Errorf("%s, but payment %v, %d confirmed bookings", st, pay, confirmed)
	}
	// The steps the killed process left in INTENT are concluded by the
	// restarted server's sweeper once their lease lapses, whatever the
	// session went on to (a renewal overtaken by the booking).
	if left, werr := c.stepsConcluded(lease + 2*sweep + 10*time.Second); werr != nil || len(left) > 0 {
		err = errors.Join(err, fmt.Errorf("saga steps left in INTENT %v after the session settled: %v %v", lease+2*sweep+10*time.Second, left, werr))
	}
	if strings.Count(fmt.Sprint(get(sess, "events")), "booked") > 1 {
		err = errors.Join(err, fmt.Errorf("booked twice: %v", get(sess, "events")))
	}
	return err
}

// newSession creates a session for an offer of sc, day days ahead.
func newSession(s *process, sc crashScenario, day int) (string, error) {
	vars := map[string]any{"o": sc.origin, "d": sc.dest, "dep": time.Now().AddDate(0, 0, day).Format("2006-01-02"), "p": slices.Compact(slices.Sorted(slices.Values(sc.parts)))}
	ret, retVar := "", ""
	if sc.ret {
		vars["ret"] = time.Now().AddDate(0, 0, day+3).Format("2006-01-02")
		ret, retVar = ", returnDate: $ret", ", $ret: Date"
	}
	d, err := s.gql(`query($o: String!, $d: String!, $dep: Date!`+retVar+`, $p: [String!]) { searchOffers(input: {origin: $o, destination: $d, departureDate: $dep`+ret+`, passengers: {adults: 1}, providers: $p}) {
		offers(first: 100) { edges { node { id seatsAvailable parts { provider } } } } } }`, vars)
	edges, _ := get(d, "searchOffers", "offers", "edges").([]any)
	// The offer with the most seats to spare (at least 3): a hold or a
	// renewal killed after the provider answered keeps its seats until it
	// lapses, and the client holds again.
	var offer any
	most := 2.0
	for _, e := range edges {
		parts, _ := get(e, "node", "parts").([]any)
		var names []string
		for _, p := range parts {
			n, _ := get(p, "provider").(string)
			names = append(names, n)
		}
		if seats, _ := get(e, "node", "seatsAvailable").(float64); slices.Equal(names, sc.parts) && seats > most {
			offer, most = get(e, "node", "id"), seats
		}
	}
	if err != nil || offer == nil {
		return "", fmt.Errorf("no offer of %v %d days ahead: %w", sc.parts, day, err)
	}
	in := map[string]any{"offerId": offer, "contact": map[string]any{"givenName": "Ana", "familyName": "Martin", "email": "ana@example.com", "phoneNumber": "+33612345678"},
		"passengers": []any{map[string]any{"type": "ADULT", "givenName": "Ana", "familyName": "Martin", "gender": "FEMALE", "dateOfBirth": "1985-03-02",
			"document": map[string]any{"number": "P1234567", "expiresOn": "2031-01-01", "issuingCountry": "FR", "nationality": "FR"}}}}
	if sc.settlements != nil {
		in["settlements"] = sc.settlements
	}
	d, err = s.gql(`mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { checkoutSession { id } userErrors { code message } } }`, map[string]any{"in": in})
	id, _ := get(d, "createCheckoutSession", "checkoutSession", "id").(string)
	if id == "" {
		return "", fmt.Errorf("createCheckoutSession: %v %w", d, err)
	}
	return id, nil
}

// client is the traveller's app driving one session.
type client struct {
	s      *process
	id     string
	cancel bool
	sims   simProcess
	// drop is crashScenario.drop; dropped is set once done.
	drop    int
	dropped bool
	dbURL   string
	// awaitRenewal holds the booking back until the sweeper renewed the
	// holds (a renew:* point, before the kill).
	awaitRenewal bool
	// confirmed is set once the providers' intents or forwarded cards of
	// an authorized session were given (confirmSandboxPayment).
	confirmed bool
}

// drive takes the session to its end as a client would, from whatever
// status it is in: hold, pay by card, confirm the sandbox card (and, once
// authorized, the providers' own intents), then book (or cancel),
// retrying a mutation the server answers IN_PROGRESS, and waiting while
// the server books or settles the payment. It returns the settled
// session, or errTransport as soon as a request gets no answer.
func (c *client) drive(limit time.Duration) (any, error) {
	vars := map[string]any{"id": c.id}
	start := time.Now()
	var sess any
	for time.Since(start) < limit {
		d, err := c.s.gql(`query($id: ID!) { checkoutSession(id: $id) `+crashSession+` }`, vars)
		if err != nil {
			return sess, err
		}
		sess = get(d, "checkoutSession")
		mutation := ""
		switch st, pay := get(sess, "status"), get(sess, "payment", "status"); st {
		case "OPEN":
			mutation = `holdCheckoutSession(input: {checkoutSessionId: $id}) { userErrors { code } }`
		case "HELD":
			mutation = `payCheckoutSession(input: {checkoutSessionId: $id, method: CARD}) { userErrors { code } }`
		case "PAYMENT_PENDING":
			mutation = `confirmSandboxPayment(input: {checkoutSessionId: $id}) { userErrors { code } }`
		case "AUTHORIZED":
			switch {
			case c.cancel:
				mutation = `cancelCheckoutSession(input: {checkoutSessionId: $id}) { userErrors { code } }`
			case !c.confirmed:
				mutation = `confirmSandboxPayment(input: {checkoutSessionId: $id}) { userErrors { code } }`
				c.confirmed = true
			case c.awaitRenewal && !strings.Contains(fmt.Sprint(get(sess, "events")), "holds_renewed"):
				// Wait, card confirmed, for the sweeper's renewal.
			default:
				if err := c.dropPrebook(); err != nil {
					return sess, err
				}
				mutation = `bookCheckoutSession(input: {checkoutSessionId: $id}) { userErrors { code } }`
			}
		case "BOOKING", "NEEDS_ATTENTION", "PRICE_CHANGED":
		default:
			if st != nil && (pay == "CAPTURED" || pay == "CANCELED" || pay == nil) {
				return sess, nil
			}
		}
		if mutation != "" {
			if _, err := c.s.gql(`mutation($id: ID!) { `+mutation+` }`, vars); errors.Is(err, errTransport) {
				return sess, err
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return sess, fmt.Errorf("not settled after %v: %v %v", limit, get(sess, "status"), get(sess, "payment"))
}

// stepsConcluded waits up to limit for the session's saga steps to leave
// INTENT, and returns those that did not.
func (c *client) stepsConcluded(limit time.Duration) ([]string, error) {
	_, key, err := ids.Parse(c.id)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	d, err := db.Open(ctx, c.dbURL)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	var left []string
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		left = left[:0]
		if err := d.NewSelect().Table("saga_steps").Column("step").Where("session_id = ? AND state = 'INTENT'", key).Scan(ctx, &left); err != nil {
			return nil, err
		}
		if len(left) == 0 || time.Since(start) > limit {
			return left, nil
		}
	}
}

// dropPrebook lets the held LiteAPI prebook of part c.drop-1 lapse, once,
// through the simulators' admin endpoint; the session's holds are read
// from its document in the database.
func (c *client) dropPrebook() error {
	if c.drop == 0 || c.dropped {
		return nil
	}
	_, key, err := ids.Parse(c.id)
	if err != nil {
		return err
	}
	ctx := context.Background()
	d, err := db.Open(ctx, c.dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	var data string
	if err := d.NewSelect().Table("checkout_sessions").Column("data").Where("id = ?", key).Scan(ctx, &data); err != nil {
		return err
	}
	var doc struct {
		Holds []struct {
			PartIndex int `json:"partIndex"`
			Hold      struct {
				Ref string `json:"ref"`
			} `json:"hold"`
		} `json:"holds"`
	}
	if err := json.Unmarshal([]byte(data), &doc); err != nil {
		return err
	}
	for _, h := range doc.Holds {
		if h.PartIndex == c.drop-1 {
			r, err := http.Post("http://"+c.sims.admin+"/drop-prebook?provider=liteapi&ref="+url.QueryEscape(h.Hold.Ref), "", nil)
			if err != nil {
				return err
			}
			defer r.Body.Close()
			c.dropped = true
			if r.StatusCode != http.StatusNoContent {
				b, _ := io.ReadAll(r.Body)
				return fmt.Errorf("drop prebook %s: %s %s", h.Hold.Ref, r.Status, b)
			}
			return nil
		}
	}
	return fmt.Errorf("no hold of part %d in %s", c.drop-1, data)
}

// tail is the end of a process's logs.
func tail(logs string) string {
	if len(logs) > 3000 {
		return "..." + logs[len(logs)-3000:]
	}
	return logs
}

// pickAddr is a free local address, for a goroutine (freeAddr is for the
// test's own).
func pickAddr() (string, error) {
	picked.Lock()
	defer picked.Unlock()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		addr := ln.Addr().String()
		ln.Close()
		if !picked.addrs[addr] {
			picked.addrs[addr] = true
			return addr, nil
		}
	}
	return "", errors.New("no address not handed out before")
}

// picked are the addresses pickAddr handed out: never twice, since a
// killed server's address is free until it is restarted on it, and a
// server of another run started there would answer the first run's
// client.
var picked = struct {
	sync.Mutex
	addrs map[string]bool
}{addrs: map[string]bool{}}

// TestCrashAtRefused: the test-only kill switch is refused in production
// and for a point the saga does not have.
func TestCrashAtRefused(t *testing.T) {
	if _, err := crashAt("book:before_provider", false); err == nil {
		t.Error("FAREGRAPH_TEST_CRASH_AT accepted in production")
	}
	if _, err := crashAt("book:sometime", true); err == nil {
		t.Error("an unknown crash point accepted")
	}
	if f, err := crashAt("book:before_provider", true); err != nil || f == nil {
		t.Errorf("crashAt in development = %v", err)
	}
	env := map[string]string{"FAREGRAPH_ENV": "production", "FAREGRAPH_TEST_CRASH_AT": "book:before_provider"}
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "FAREGRAPH_TEST_CRASH_AT") {
		t.Errorf("production config with FAREGRAPH_TEST_CRASH_AT: %v", err)
	}
}
