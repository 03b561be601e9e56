package checkout_test

import (
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/search"
)

// quoted checks a cancellation mutation's answer and returns the
// cancellation.
func quoted(t *testing.T) func(*checkout.CancellationResult, error) *checkout.Cancellation {
	return func(res *checkout.CancellationResult, err error) *checkout.Cancellation {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if len(res.UserErrors) > 0 {
			t.Fatalf("user errors: %+v", res.UserErrors)
		}
		return res.Cancellation
	}
}

// refused checks that a cancellation mutation answered the user error code.
func refused(t *testing.T, res *checkout.CancellationResult, err error, code fault.Code) {
	t.Helper()
	if err != nil || len(res.UserErrors) != 1 || res.UserErrors[0].Code != code {
		t.Errorf("want user error %s, got %+v %v", code, res, err)
	}
}

// booked books o paid by card and returns its bookings.
func (e *env) bookedByCard(t *testing.T, o *search.Offer) []checkout.BookingRecord {
	t.Helper()
	s := e.payByCard(t, o, input(o))
	s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
	want(t, s, checkout.Booked)
	return s.Bookings
}

// bookedByCredit books o on a credit line of limit and returns the session.
func (e *env) bookedByCredit(t *testing.T, o *search.Offer, limit int64) *checkout.Session {
	t.Helper()
	var ts db.Tenants
	if err := ts.SetCreditLine(e.ctx, e.a.DB, tenant, true, limit, o.Total.Currency); err != nil {
		t.Fatal(err)
	}
	c := e.a.Checkout
	s := ok(t)(c.Create(e.ctx, tenant, input(o)))
	s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
	s = ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.CreditLine, ""))
	s = ok(t)(c.Book(e.ctx, tenant, s.ID, ""))
	want(t, s, checkout.Booked)
	return s
}

func (e *env) available(t *testing.T) int64 {
	t.Helper()
	cl, err := e.a.Checkout.CreditLine(e.ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	return cl.Available.Amount
}

// TestCancelBookingRefundsCard: a LiteAPI booking quoted and canceled is
// refunded on the card for what the provider refunded, the booking reads
// CANCELED, a replay with the key answers the same cancellation, and the
// booking cannot be quoted again.
func TestCancelBookingRefundsCard(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		b := e.bookedByCard(t, e.offer(t, oneWay("liteapi"), from("liteapi")))[0]
		q := quoted(t)(c.QuoteCancellation(e.ctx, tenant, b.ID))
		if q.Status != checkout.CancelQuoted || !q.Refundable || !q.Voidable || !q.Cancellable || q.QuotedRefund != b.Amount || !q.Latest {
			t.Fatalf("quote %+v, booking %s", q, b.Amount)
		}
		got := quoted(t)(c.CancelBooking(e.ctx, tenant, q.ID, "cancel-1"))
		if got.Status != checkout.CancelCompleted || got.Refunded == nil || *got.Refunded != b.Amount || got.RefundStatus != payments.RefundSucceeded || got.RefundRef == "" ||
			got.RefundedBy != checkout.RefundByGateway || got.ProviderRefunded == nil || *got.ProviderRefunded != b.Amount {
			t.Fatalf("cancellation %+v", got)
		}
		after, err := c.Booking(e.ctx, tenant, b.ID)
		if err != nil || after.Status != providers.BookingCanceled {
			t.Errorf("booking after cancellation %+v %v", after, err)
		}
		res, err := c.CancelBooking(e.ctx, tenant, q.ID, "cancel-1")
		if err != nil || res.Cancellation == nil || res.Cancellation.Status != checkout.CancelCompleted || len(res.Warnings) != 1 || res.Warnings[0].Code != fault.IdempotentReplay {
			t.Errorf("replay %+v %v", res, err)
		}
		res, err = c.CancelBooking(e.ctx, tenant, q.ID, "cancel-2")
		refused(t, res, err, fault.InvalidState)
		res, err = c.QuoteCancellation(e.ctx, tenant, b.ID)
		refused(t, res, err, fault.NotCancellable)
		list, err := c.Cancellations(e.ctx, &b)
		if err != nil || len(list) != 1 || list[0].ID != q.ID {
			t.Errorf("cancellations %+v %v", list, err)
		}
	})
}

// TestOnlyTheLatestQuote: an older quote, or an expired one, is a user
// error; the latest live one confirms.
func TestOnlyTheLatestQuote(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		b := e.bookedByCard(t, e.offer(t, oneWay("liteapi"), from("liteapi")))[0]
		q1 := quoted(t)(c.QuoteCancellation(e.ctx, tenant, b.ID))
		q2 := quoted(t)(c.QuoteCancellation(e.ctx, tenant, b.ID))
		res, err := c.CancelBooking(e.ctx, tenant, q1.ID, "")
		refused(t, res, err, fault.QuoteSuperseded)
		e.clock.Add(checkout.QuoteTTL + time.Second)
		res, err = c.CancelBooking(e.ctx, tenant, q2.ID, "")
		refused(t, res, err, fault.QuoteExpired)
		q3 := quoted(t)(c.QuoteCancellation(e.ctx, tenant, b.ID))
		if got := quoted(t)(c.CancelBooking(e.ctx, tenant, q3.ID, "")); got.Status != checkout.CancelCompleted {
			t.Errorf("latest quote: %+v", got)
		}
		res, err = c.CancelBooking(e.ctx, tenant, "bc_nope", "")
		refused(t, res, err, fault.NotFound)
	})
}

// TestConcurrentCancelBooking: two concurrent confirmations of one quote
// with one key cancel once and restore the credit line once; both answer
// the same completed cancellation.
func TestConcurrentCancelBooking(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("liteapi"), from("liteapi"))
		s := e.bookedByCredit(t, o, 3*o.Total.Amount)
		if got := e.available(t); got != 2*o.Total.Amount {
			t.Fatalf("available %d after booking", got)
		}
		q := quoted(t)(c.QuoteCancellation(e.ctx, tenant, s.Bookings[0].ID))
		var wg sync.WaitGroup
		answers := make([]*checkout.Cancellation, 2)
		for i := range answers {
			wg.Go(func() {
				res, err := c.CancelBooking(e.ctx, tenant, q.ID, "same-key")
				if err != nil || len(res.UserErrors) > 0 {
					t.Errorf("concurrent cancel: %+v %v", res, err)
					return
				}
				answers[i] = res.Cancellation
			})
		}
		wg.Wait()
		for _, a := range answers {
			if a == nil || a.ID != q.ID || a.Status != checkout.CancelCompleted || a.Refunded == nil || *a.Refunded != s.Bookings[0].Amount {
				t.Errorf("answer %+v", a)
			}
		}
		if got := e.available(t); got != 3*o.Total.Amount {
			t.Errorf("available %d after the refund, want %d (restored once)", got, 3*o.Total.Amount)
		}
	})
}

// TestCitizenPlaneQuoteIsNonRefundable: CitizenPlane fares cannot be
// canceled: the quote says so, and confirming it is a user error.
func TestCitizenPlaneQuoteIsNonRefundable(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		b := e.bookedByCard(t, e.offer(t, oneWay("citizenplane"), from("citizenplane")))[0]
		q := quoted(t)(c.QuoteCancellation(e.ctx, tenant, b.ID))
		if q.Refundable || q.Cancellable || q.QuotedRefund.Amount != 0 || q.Penalty != b.Amount {
			t.Errorf("quote %+v", q)
		}
		res, err := c.CancelBooking(e.ctx, tenant, q.ID, "")
		refused(t, res, err, fault.NotCancellable)
	})
}

// TestPendingCancellationIsFollowedUp: a provider that answers pending
// (202) leaves the cancellation PENDING, nothing refunded; the sweeper
// asks again and refunds once the provider completes.
func TestPendingCancellationIsFollowedUp(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, oneWay("liteapi"), from("liteapi"))
		s := e.bookedByCredit(t, o, o.Total.Amount)
		lite := e.a.Simulators["liteapi"].(*litesim.Simulator)
		lite.SetCancellationsPending(true)
		q := quoted(t)(c.QuoteCancellation(e.ctx, tenant, s.Bookings[0].ID))
		if got := quoted(t)(c.CancelBooking(e.ctx, tenant, q.ID, "")); got.Status != checkout.CancelPending || got.Refunded != nil {
			t.Fatalf("pending: %+v", got)
		}
		e.clock.Add(time.Hour)
		if _, _, err := c.Sweep(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.available(t); got != 0 {
			t.Errorf("refunded %d while the provider is still pending", got)
		}
		lite.SetCancellationsPending(false)
		e.clock.Add(time.Hour)
		if _, _, err := c.Sweep(e.ctx); err != nil {
			t.Fatal(err)
		}
		list, err := c.Cancellations(e.ctx, &s.Bookings[0])
		if err != nil || len(list) != 1 || list[0].Status != checkout.CancelCompleted {
			t.Fatalf("after the sweep: %+v %v", list, err)
		}
		if got := e.available(t); got != o.Total.Amount {
			t.Errorf("available %d, want %d", got, o.Total.Amount)
		}
	})
}

// TestCancelOnePartRefundsThatPart: canceling one booking of a two-part
// session refunds that part only; the other stays booked.
func TestCancelOnePartRefundsThatPart(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		c := e.a.Checkout
		o := e.offer(t, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", ReturnDate: "2026-07-08", Providers: []string{"liteapi"}},
			func(o *search.Offer) bool { return len(o.Parts) == 2 })
		s := e.bookedByCredit(t, o, o.Total.Amount)
		if len(s.Bookings) != 2 {
			t.Fatalf("%d bookings", len(s.Bookings))
		}
		part := s.Bookings[1]
		q := quoted(t)(c.QuoteCancellation(e.ctx, tenant, part.ID))
		if got := quoted(t)(c.CancelBooking(e.ctx, tenant, q.ID, "")); got.Status != checkout.CancelCompleted || *got.Refunded != part.Amount || got.RefundedBy != checkout.RefundByCreditLine {
			t.Fatalf("cancellation %+v", got)
		}
		if got := e.available(t); got != part.Amount.Amount {
			t.Errorf("available %d, want the canceled part's %d", got, part.Amount.Amount)
		}
		other, err := c.Booking(e.ctx, tenant, s.Bookings[0].ID)
		if err != nil || other.Status == providers.BookingCanceled {
			t.Errorf("the other part: %+v %v", other, err)
		}
	})
}
