package liteapi

import (
	"context"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
)

// booked books a nonstop one-way for one adult at the simulator.
func booked(t *testing.T, env *simEnv, externalID string) (providers.Offer, *providers.Booking) {
	t.Helper()
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), providers.Passengers{Adults: 1}, nonstop)
	roomy(t, env, o, 9)
	h := mustHold(t, env, o)
	b, err := env.client.Book(context.Background(), bookRequestFor(o, h, externalID))
	if err != nil {
		t.Fatal(err)
	}
	return o, b
}

// TestQuoteAndCancel: the quote (GET .../cancellations) says what a
// cancellation refunds; the cancellation (POST) refunds exactly that; a
// pending cancellation (202) answers the booking still pending and
// completes on a later call; the quote of a canceled booking is Rejected.
func TestQuoteAndCancel(t *testing.T) {
	ctx := context.Background()
	env := newSimEnv(t, litesim.Config{Seed: 5})
	_, b := booked(t, env, "FG-BK-Q1")
	q, err := env.client.QuoteCancellation(ctx, b.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Refundable || !q.Voidable || q.Refund != b.Total || q.Penalty.Amount != 0 {
		t.Errorf("quote within the void window %+v, booking total %s", q, b.Total)
	}

	env.sim.SetCancellationsPending(true)
	pend, err := env.client.Cancel(ctx, b.Reference)
	if err != nil || pend.Status != providers.BookingPending || pend.Refund != nil {
		t.Fatalf("pending cancel %+v %v", pend, err)
	}
	env.sim.SetCancellationsPending(false)
	done, err := env.client.Cancel(ctx, b.Reference)
	if err != nil || done.Status != providers.BookingCanceled || done.Refund == nil || *done.Refund != q.Refund {
		t.Fatalf("completed cancel %+v %v, quoted %s", done, err, q.Refund)
	}
	again, err := env.client.Cancel(ctx, b.Reference)
	if err != nil || again.Status != providers.BookingCanceled || *again.Refund != q.Refund {
		t.Errorf("repeated cancel %+v %v", again, err)
	}
	if _, err := env.client.QuoteCancellation(ctx, b.Reference); providers.CodeOf(err) != providers.Rejected {
		t.Errorf("quote of a canceled booking: %v", err)
	}
	if _, err := env.client.QuoteCancellation(ctx, "019d0674-834d-7db7-9c8b-93fe8e46e7b8"); providers.CodeOf(err) != providers.NotFound {
		t.Errorf("quote of an unknown booking: %v", err)
	}
}

// TestQuoteAfterVoidWindow: past the void window a refundable fare keeps
// a penalty and a non-refundable one refunds nothing.
func TestQuoteAfterVoidWindow(t *testing.T) {
	ctx := context.Background()
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o, b := booked(t, env, "FG-BK-Q2")
	env.clock.Advance(25 * time.Hour)
	q, err := env.client.QuoteCancellation(ctx, b.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if q.Voidable || q.Refund.Amount+q.Penalty.Amount != b.Total.Amount || q.Refundable != o.Conditions.Refundable {
		t.Errorf("quote %+v, booking %s, refundable fare %v", q, b.Total, o.Conditions.Refundable)
	}
	c, err := env.client.Cancel(ctx, b.Reference)
	if err != nil || c.Refund == nil || *c.Refund != q.Refund {
		t.Errorf("cancel %+v %v, quoted %+v", c, err, q)
	}
}
