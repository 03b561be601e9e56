package checkout_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/db/dbtest"
)

// stmtLog records the database statements of a server, as a bun query
// hook, grouped by the mutation that runs (phase) and by transaction.
type stmtLog struct {
	mu     sync.Mutex
	phase  string
	nextTx int
	stmts  []stmt
}

// stmt is one statement: the transaction it ran in (0: on its own) and a
// summary of it (verb and table).
type stmt struct {
	phase, summary string
	tx             int
}

type stmtTxKey struct{}

func (l *stmtLog) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := strings.TrimSpace(e.Query)
	tx, _ := ctx.Value(stmtTxKey{}).(int)
	if strings.EqualFold(q, "BEGIN") {
		l.nextTx++
		tx = l.nextTx
		ctx = context.WithValue(ctx, stmtTxKey{}, tx)
	}
	sum := summarize(q)
	if strings.HasSuffix(sum, " offer_searches ON CONFLICT") {
		// The search's own write, stored while its answer is sent: not
		// the checkout's.
		return ctx
	}
	l.stmts = append(l.stmts, stmt{phase: l.phase, tx: tx, summary: sum})
	return ctx
}

func (l *stmtLog) AfterQuery(context.Context, *bun.QueryEvent) {}

func (l *stmtLog) start(phase string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.phase = phase
}

// tally is what one phase cost: transactions (each COMMIT or ROLLBACK,
// and each statement outside a transaction) and statements (BEGIN, COMMIT
// and ROLLBACK not counted).
type tally struct{ transactions, statements int }

func (l *stmtLog) tally(phase string) (t tally) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.stmts {
		if phase != "" && s.phase != phase {
			continue
		}
		switch {
		case s.summary == "COMMIT" || s.summary == "ROLLBACK":
			t.transactions++
		case s.summary == "BEGIN":
		default:
			t.statements++
			if s.tx == 0 {
				t.transactions++
			}
		}
	}
	return t
}

// listing is the phase's statements, one a line, each transaction's
// statements indented under its BEGIN.
func (l *stmtLog) listing(phase string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, s := range l.stmts {
		if s.phase != phase {
			continue
		}
		switch {
		case s.summary == "BEGIN":
			fmt.Fprintf(&b, "  tx%d BEGIN\n", s.tx)
		case s.tx != 0:
			fmt.Fprintf(&b, "  tx%d   %s\n", s.tx, s.summary)
		default:
			fmt.Fprintf(&b, "  %s\n", s.summary)
		}
	}
	return b.String()
}

var (
	stmtTable = regexp.MustCompile(`(?i)\b(?:FROM|INTO|UPDATE)\s+"?([a-z_]+)"?`)
	stmtCall  = regexp.MustCompile(`(?i)^SELECT\s+([a-z_]+)\(`)
)

// summarize names a statement by its verb and its first table (or the
// function a SELECT calls), with ON CONFLICT and RETURNING when it has them.
func summarize(q string) string {
	verb, _, _ := strings.Cut(q, " ")
	verb = strings.ToUpper(verb)
	switch verb {
	case "BEGIN", "COMMIT", "ROLLBACK":
		return verb
	}
	out := verb
	if m := stmtCall.FindStringSubmatch(q); m != nil {
		out += " " + m[1] + "()"
	} else if m := stmtTable.FindStringSubmatch(q); m != nil {
		out += " " + m[1]
	}
	up := strings.ToUpper(q)
	if strings.Contains(up, "ON CONFLICT") {
		out += " ON CONFLICT"
	}
	if strings.Contains(up, "RETURNING") {
		out += " RETURNING"
	}
	return out
}

// TestCheckoutStatements runs one checkout over GraphQL as cmd/bench's
// saga does (create, hold, pay by card, confirm with the sandbox card,
// book, each but confirm with an idempotency key), on SQLite and Postgres,
// for each provider, and lists every statement and transaction each
// mutation costs (go test -v shows them). It bounds how many there are, so
// that a change that adds a round trip to the database is seen.
func TestCheckoutStatements(t *testing.T) {
	// The bounds: transactions and statements per mutation. On Postgres
	// a session's saga steps, event, outbox event and pg_notify are one
	// statement (db's writes); SQLite runs them one by one.
	bounds := map[string]map[string]tally{
		"sqlite": {
			"create": {transactions: 3, statements: 7}, "hold": {transactions: 3, statements: 9}, "pay": {transactions: 4, statements: 10},
			"confirm": {transactions: 4, statements: 8}, "book": {transactions: 8, statements: 18},
		},
		"postgres": {
			"create": {transactions: 3, statements: 6}, "hold": {transactions: 3, statements: 7}, "pay": {transactions: 4, statements: 8},
			"confirm": {transactions: 4, statements: 6}, "book": {transactions: 8, statements: 14},
		},
	}
	perCheckout := map[string]tally{"sqlite": {transactions: 22, statements: 52}, "postgres": {transactions: 22, statements: 41}}
	for _, dialect := range []string{"sqlite", "postgres"} {
		for _, provider := range []string{"citizenplane", "liteapi"} {
			t.Run(dialect+"/"+provider, func(t *testing.T) {
				url := ""
				if dialect == "postgres" {
					url = dbtest.PostgresURL(t)
				}
				log := &stmtLog{}
				a := apptest.New(t, func(cfg *app.Config) {
					cfg.DatabaseURL = url
					cfg.DBQueryHook = log
				})
				offerID := searchOffer(t, a.Handler, provider)
				id := ""
				for _, st := range []struct{ name, query, field, want string }{
					{"create", `mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { checkoutSession { id status } userErrors { code field message } } }`, "createCheckoutSession", "OPEN"},
					{"hold", `mutation($id: ID!) { holdCheckoutSession(input: {checkoutSessionId: $id, idempotencyKey: "k-hold"}) { checkoutSession { id status } userErrors { code field message } } }`, "holdCheckoutSession", "HELD"},
					{"pay", `mutation($id: ID!) { payCheckoutSession(input: {checkoutSessionId: $id, method: CARD, idempotencyKey: "k-pay"}) { checkoutSession { id status } userErrors { code field message } } }`, "payCheckoutSession", "PAYMENT_PENDING"},
					{"confirm", `mutation($id: ID!) { confirmSandboxPayment(input: {checkoutSessionId: $id, cardNumber: "4242424242424242"}) { checkoutSession { id status } userErrors { code field message } } }`, "confirmSandboxPayment", "AUTHORIZED"},
					{"book", `mutation($id: ID!) { bookCheckoutSession(input: {checkoutSessionId: $id, idempotencyKey: "k-book"}) { checkoutSession { id status bookingReferences } userErrors { code field message } } }`, "bookCheckoutSession", "BOOKED"},
				} {
					vars := map[string]any{"id": id}
					if st.name == "create" {
						vars = map[string]any{"in": map[string]any{
							"offerId": offerID, "idempotencyKey": "k-create",
							"passengers": []any{map[string]any{"type": "ADULT", "givenName": "Ana", "familyName": "Martin", "gender": "FEMALE", "dateOfBirth": "1985-03-02",
								"document": map[string]any{"number": "P1234567", "expiresOn": "2031-01-01", "issuingCountry": "FR", "nationality": "FR"},
								"email":    "ana.martin@example.com", "phoneNumber": "+33612345678"}},
							"contact": map[string]any{"givenName": "Ana", "familyName": "Martin", "email": "ana.martin@example.com", "phoneNumber": "+33612345678"},
						}}
					}
					log.start(st.name)
					rec := apptest.Post(a.Handler, st.query, vars, "")
					log.start("")
					var r struct {
						Data   map[string]json.RawMessage `json:"data"`
						Errors []any                      `json:"errors"`
					}
					if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Errors) > 0 {
						t.Fatalf("%s: %s", st.name, rec.Body)
					}
					var p struct {
						CheckoutSession struct{ ID, Status string } `json:"checkoutSession"`
						UserErrors      []any                       `json:"userErrors"`
					}
					_ = json.Unmarshal(r.Data[st.field], &p)
					if len(p.UserErrors) > 0 || p.CheckoutSession.Status != st.want {
						t.Fatalf("%s: %s, want %s", st.name, rec.Body, st.want)
					}
					id = p.CheckoutSession.ID
				}
				total := tally{}
				for _, phase := range []string{"create", "hold", "pay", "confirm", "book"} {
					got := log.tally(phase)
					total.transactions += got.transactions
					total.statements += got.statements
					t.Logf("%s: %d transactions, %d statements\n%s", phase, got.transactions, got.statements, log.listing(phase))
					if b := bounds[dialect][phase]; got.transactions > b.transactions || got.statements > b.statements {
						t.Errorf("%s: %d transactions and %d statements, want at most %d and %d", phase, got.transactions, got.statements, b.transactions, b.statements)
					}
				}
				t.Logf("checkout: %d transactions, %d statements", total.transactions, total.statements)
				if b := perCheckout[dialect]; total.transactions > b.transactions || total.statements > b.statements {
					t.Errorf("checkout: %d transactions and %d statements, want at most %d and %d", total.transactions, total.statements, b.transactions, b.statements)
				}
			})
		}
	}
}

// searchOffer searches CDG→PMI one way for one adult with provider and
// returns the first offer's id.
func searchOffer(t *testing.T, h http.Handler, provider string) string {
	t.Helper()
	rec := apptest.Post(h, `query($p: [String!]) { searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}, providers: $p}) { offers(first: 1) { edges { node { id } } } } }`,
		map[string]any{"p": []string{provider}}, "")
	var r struct {
		Data struct {
			SearchOffers struct {
				Offers struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Data.SearchOffers.Offers.Edges) == 0 {
		t.Fatalf("search %s: %s", provider, rec.Body)
	}
	return r.Data.SearchOffers.Offers.Edges[0].Node.ID
}
