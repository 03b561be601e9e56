package checkout_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faregraph/faregraph/db"
)

// TestBreak9RetryAfterCrashHonoursRequestDeadline: a client whose book
// request died with the server (kill -9) retries with the same idempotency
// key. The dead request's claim is still RUNNING, so the retry waits; but
// it must stop waiting when its own request's deadline passes (the
// server's FAREGRAPH_REQUEST_TIMEOUT, 30 s) and answer, not wait the whole
// saga OperationTimeout (1 min) on a detached context: over HTTP that
// outlives the server's 60 s WriteTimeout and the client gets a dropped
// connection instead of IN_PROGRESS (seen from outside: 60 001 ms, no
// answer, with FAREGRAPH_REQUEST_TIMEOUT=30s).
func TestBreak9RetryAfterCrashHonoursRequestDeadline(t *testing.T) {
	e := newEnv(t, "")
	c := e.a.Checkout
	s := e.payByCard(t, e.offer(t, oneWay("citizenplane"), from("citizenplane")), input(e.offer(t, oneWay("citizenplane"), from("citizenplane"))))
	// The claim the killed process left: RUNNING, same operation and input.
	b, _ := json.Marshal(s.ID)
	h := sha256.Sum256(append([]byte("bookCheckoutSession\x00"), b...))
	if row, err := (db.Idempotency{}).Claim(e.ctx, e.a.DB, tenant, "k-crash", "bookCheckoutSession", hex.EncodeToString(h[:]), e.clock.Now(), time.Hour); err != nil || row != nil {
		t.Fatalf("claim: %+v %v", row, err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 2*time.Second)
	defer cancel()
	start := time.Now()
	res, err := c.Book(ctx, tenant, s.ID, "k-crash")
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the retry waited %v past its 2 s request deadline (res %+v, err %v)", d, res, err)
	}
}

// TestBreak9ResolveRefusesALiveStep: an operator's `sessions resolve --as
// failed` on a BOOKING session whose book step is alive (its lease held:
// here it has just booked at the provider and not yet recorded it) must
// be refused. Today it marks the part failed and releases the payment;
// the provider's booking (CitizenPlane: non-refundable) is left without a
// booking row. Seen from outside on Postgres: kill -9 mid-book, restart,
// the sweeper resumes the book step, `sessions resolve ID --as failed`
// during it answers FAILED / payment CANCELED while the simulator counts
// the booking.
func TestBreak9ResolveRefusesALiveStep(t *testing.T) {
	dialects2(t, 10*time.Second, func(t *testing.T, e *env, at *atomic.Value, reached <-chan struct{}) {
		c := e.a.Checkout
		s := ok(t)(c.Create(e.ctx, tenant, input(e.offer(t, oneWay("citizenplane"), from("citizenplane")))))
		s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		e.pay(s)
		at.Store("book:after_provider")
		go c.Book(e.ctx, tenant, s.ID, "")
		select {
		case <-reached:
		case <-time.After(20 * time.Second):
			t.Fatal("the book step did not reach the provider")
		}
		at.Store("")
		got, err := c.Resolve(e.ctx, s.ID, -1, false, "")
		if err == nil {
			t.Fatalf("resolve --as failed during a live book step that booked at the provider: accepted, session %s (want a refusal while the step holds its lease)", got.Status)
		}
	})
}
