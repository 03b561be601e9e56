package checkout_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
)

// claimLeftByACrash records key for bookCheckoutSession of sessionID as a
// killed process leaves it: RUNNING, same operation and input, last
// renewed at at.
func claimLeftByACrash(t *testing.T, e *env, key, sessionID string, at time.Time) {
	t.Helper()
	b, _ := json.Marshal(sessionID)
	h := sha256.Sum256(append([]byte("bookCheckoutSession\x00"), b...))
	if row, err := (db.Idempotency{}).Claim(e.ctx, e.a.DB, tenant, key, "bookCheckoutSession", hex.EncodeToString(h[:]), at, time.Hour); err != nil || row != nil {
		t.Fatalf("claim: %+v %v", row, err)
	}
}

// TestRetryAfterCrashAnswersBeforeItsDeadline: a client whose book
// request died with the server (kill -9) retries with the same
// idempotency key while the dead request's claim is still within its
// lease. The retry waits, but answers IN_PROGRESS before its own
// request's deadline (the server's FAREGRAPH_REQUEST_TIMEOUT), not after
// the saga's OperationTimeout (1 min) on a detached context: over HTTP
// that outlived the server's 60 s WriteTimeout, and the client got a
// dropped connection after 60 001 ms instead of an answer.
func TestRetryAfterCrashAnswersBeforeItsDeadline(t *testing.T) {
	e := newEnv(t, "")
	o := e.offer(t, oneWay("citizenplane"), from("citizenplane"))
	s := e.payByCard(t, o, input(o))
	claimLeftByACrash(t, e, "k-crash", s.ID, e.clock.Now())
	ctx, cancel := context.WithTimeout(e.ctx, 2*time.Second)
	defer cancel()
	start := time.Now()
	res, err := e.a.Checkout.Book(ctx, tenant, s.ID, "k-crash")
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the retry answered after %v, past its 2 s request deadline (res %+v, err %v)", d, res, err)
	}
	if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != fault.InProgress {
		t.Fatalf("retry while the claim is live: %+v, %v; want IN_PROGRESS", res, err)
	}
	if got, _ := e.a.Checkout.Get(e.ctx, tenant, s.ID); got.Status != checkout.Authorized {
		t.Errorf("session %s: the retry ran although the key was another request's", got.Status)
	}
}

// TestRetryAfterCrashTakesTheKeyOver: once the dead request's claim has
// gone unrenewed for the lease (10 s: a live request renews it every
// third of that), a retry with the same key takes it over and runs: the
// session is booked, and the key then answers that.
func TestRetryAfterCrashTakesTheKeyOver(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		o := e.offer(t, oneWay("citizenplane"), from("citizenplane"))
		s := e.payByCard(t, o, input(o))
		claimLeftByACrash(t, e, "k-crash", s.ID, e.clock.Now())
		e.clock.Add(11 * time.Second)
		ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
		defer cancel()
		start := time.Now()
		got := ok(t)(e.a.Checkout.Book(ctx, tenant, s.ID, "k-crash"))
		want(t, got, checkout.Booked)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("the take-over took %v", d)
		}
		res, err := e.a.Checkout.Book(ctx, tenant, s.ID, "k-crash")
		if err != nil || res.Session.Status != checkout.Booked || len(res.Warnings) == 0 || res.Warnings[0].Code != fault.IdempotentReplay {
			t.Errorf("the key again: %+v, %v; want the stored answer", res, err)
		}
	})
}
