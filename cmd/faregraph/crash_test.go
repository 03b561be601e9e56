package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/db/dbtest"
)

// TestCrashMidBook is issue 9's crash test. Simulators run in a process of
// their own (faregraph simulators, CitizenPlane answering after 1 s), and
// a server books through them; it is killed with SIGKILL at several
// moments of the book step (while the provider books, around its answer,
// around the capture) and restarted on the same database. After each
// restart the session must reach a final state within the reconcile
// limit, with every authorization captured or released and every provider
// booking recorded exactly once and captured. It runs on SQLite, and on
// Postgres when FAREGRAPH_TEST_DATABASE_URL is set. It logs the time from
// restart to settled.
func TestCrashMidBook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs faregraph processes")
	}
	bin := filepath.Join(t.TempDir(), "faregraph")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	simEnv := startSimulators(t, bin)
	t.Run("sqlite", func(t *testing.T) {
		crashLoop(t, bin, append(simEnv, "FAREGRAPH_DB_PATH="+filepath.Join(t.TempDir(), "crash.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		crashLoop(t, bin, append(simEnv, "DATABASE_URL="+dbtest.PostgresURL(t)))
	})
}

// startSimulators runs faregraph simulators and returns the settings it
// prints, as environment entries.
func startSimulators(t *testing.T, bin string) []string {
	cmd := exec.Command(bin, "simulators")
	cmd.Env = append(os.Environ(), "FAREGRAPH_SIM_ADDR="+freeAddr(t), "FAREGRAPH_SIM_LATENCY=citizenplane=1s")
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
	for sc.Scan() && len(env) < 4 {
		env = append(env, sc.Text())
	}
	if len(env) == 0 {
		t.Fatal("faregraph simulators printed no settings")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return env
}

type process struct {
	t    *testing.T
	bin  string
	env  []string
	addr string
	cmd  *exec.Cmd
}

func (s *process) start() {
	s.cmd = exec.Command(s.bin, "serve")
	s.cmd.Env = append(append(os.Environ(), s.env...), "FAREGRAPH_ADDR="+s.addr)
	var logs bytes.Buffer
	s.cmd.Stderr = &logs
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for range 200 {
		if r, err := http.Get("http://" + s.addr + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("the server did not start:\n%s", logs.String())
}

func (s *process) kill() {
	_ = s.cmd.Process.Signal(os.Kill)
	_ = s.cmd.Wait()
}

func (s *process) gql(query string, vars map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	r, err := http.Post("http://"+s.addr+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer r.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.NewDecoder(r.Body).Decode(&out); err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		return out.Data, fmt.Errorf("graphql errors: %v", out.Errors)
	}
	return out.Data, nil
}

func (s *process) must(query string, vars map[string]any) map[string]any {
	s.t.Helper()
	d, err := s.gql(query, vars)
	if err != nil {
		s.t.Fatal(err)
	}
	return d
}

func get(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

const crashSession = `{ id status payment { status amount { amount } capturedAmount { amount } } total { amount }
  bookings { providerReference status } events { event } }`

// crashLoop books, kills the server at each offset into the book step,
// restarts it and checks the invariants.
func crashLoop(t *testing.T, bin string, env []string) {
	s := &process{t: t, bin: bin, addr: freeAddr(t), env: append(env,
		"FAREGRAPH_SECRET=crash-test-secret-0123456789abcdef0123",
		"FAREGRAPH_SWEEP_INTERVAL=200ms", "FAREGRAPH_CHECKOUT_LEASE=3s")}
	s.start()
	defer func() { s.kill() }()
	day := time.Now().AddDate(0, 0, 30).Format("2006-01-02")
	for _, at := range []time.Duration{300 * time.Millisecond, 900 * time.Millisecond, 1100 * time.Millisecond, 1500 * time.Millisecond} {
		d := s.must(`query($d: Date!) { searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: $d, passengers: {adults: 1}, providers: ["citizenplane"]}) {
			offers(first: 1) { edges { node { id } } } } }`, map[string]any{"d": day})
		edges, _ := get(d, "searchOffers", "offers", "edges").([]any)
		if len(edges) == 0 {
			t.Fatalf("no offer on %s", day)
		}
		in := map[string]any{"offerId": get(edges[0], "node", "id"), "method": "CARD", "contact": map[string]any{"givenName": "Ana", "familyName": "Martin", "email": "ana@example.com", "phoneNumber": "+33612345678"},
			"passengers": []any{map[string]any{"type": "ADULT", "givenName": "Ana", "familyName": "Martin", "gender": "FEMALE", "dateOfBirth": "1985-03-02",
				"document": map[string]any{"number": "P1234567", "expiresOn": "2031-01-01", "issuingCountry": "FR", "nationality": "FR"}}}}
		d = s.must(`mutation($in: CheckoutInput!) { checkout(input: $in) { checkoutSession `+crashSession+` userErrors { code message } } }`, map[string]any{"in": in})
		id, _ := get(d, "checkout", "checkoutSession", "id").(string)
		if id == "" {
			t.Fatalf("checkout: %v", d)
		}
		s.must(`mutation($id: ID!) { confirmSandboxPayment(input: {checkoutSessionId: $id}) { userErrors { code } } }`, map[string]any{"id": id})
		go s.gql(`mutation($id: ID!) { bookCheckoutSession(input: {checkoutSessionId: $id}) { userErrors { code } } }`, map[string]any{"id": id}) //nolint:errcheck // killed
		time.Sleep(at)
		s.kill()
		s.start()
		restarted := time.Now()
		var sess any
		var err error
		for time.Since(restarted) < 30*time.Second {
			var d map[string]any
			d, err = s.gql(`query($id: ID!) { checkoutSession(id: $id) `+crashSession+` }`, map[string]any{"id": id})
			if err == nil {
				sess = get(d, "checkoutSession")
				if st := get(sess, "status"); st == "BOOKED" || st == "FAILED" {
					break
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		settled := time.Since(restarted)
		st := get(sess, "status")
		pay := get(sess, "payment", "status")
		bookings, _ := get(sess, "bookings").([]any)
		t.Logf("killed %v into book: %s after %v from restart (payment %s, %d bookings)", at, st, settled.Round(10*time.Millisecond), pay, len(bookings))
		switch {
		case st == "BOOKED" && (pay != "CAPTURED" || len(bookings) != 1 || get(sess, "payment", "capturedAmount", "amount") != get(sess, "total", "amount")):
			t.Errorf("booked, but payment %v captured %v of %v, %d bookings", pay, get(sess, "payment", "capturedAmount", "amount"), get(sess, "total", "amount"), len(bookings))
		case st == "FAILED" && (pay != "CANCELED" || len(bookings) != 0):
			t.Errorf("failed, but payment %v, %d bookings", pay, len(bookings))
		case st != "BOOKED" && st != "FAILED":
			t.Fatalf("not settled 30 s after the restart: %v (%v)", sess, err)
		}
		if strings.Count(fmt.Sprint(get(sess, "events")), "booked") > 1 {
			t.Errorf("booked twice: %v", get(sess, "events"))
		}
	}
}
