package checkout

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
)

// TestStateTables enumerates every pair of statuses of sessions, parts
// and payments and checks the tables: the moves listed are the only ones
// allowed; every non-final status can reach a final one; final statuses
// have no way out; and every mutation's gate answers every status.
func TestStateTables(t *testing.T) {
	want := map[string]bool{}
	for from, tos := range sessionMoves {
		for _, to := range tos {
			want[fmt.Sprint(from, "→", to)] = true
		}
	}
	for _, from := range allSessionStatuses {
		for _, to := range allSessionStatuses {
			got := CanMove(from, to)
			if exp := from == to || want[fmt.Sprint(from, "→", to)]; got != exp {
				t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, exp)
			}
			if from != to && from.Final() && got {
				t.Errorf("final %s moves to %s", from, to)
			}
		}
		if !from.Final() && !reachesFinal(from, map[Status]bool{}) {
			t.Errorf("%s cannot reach a final status", from)
		}
		for step, g := range gates {
			run, ue, warn := gate(&Session{Status: from}, step)
			if from.Final() && (run || len(ue) != 1) {
				t.Errorf("%s on a final %s: run %v, user errors %v", step, from, run, ue)
			}
			// A step that does not run says so: a user error, or an
			// ALREADY_DONE warning when the session is past it. Never a
			// silent success.
			if !run && len(ue)+len(warn) != 1 {
				t.Errorf("%s on %s does nothing and answers user errors %v, warnings %v", step, from, ue, warn)
			}
			if len(warn) == 1 && (warn[0].Code != fault.AlreadyDone || !slices.Contains(g.past, from)) {
				t.Errorf("%s on %s warns %v", step, from, warn)
			}
			if g.action == "" {
				t.Errorf("gate %s has no action for its messages", step)
			}
		}
	}
	for from, tos := range sessionMoves {
		if !slices.Contains(allSessionStatuses, from) {
			t.Errorf("%s is not in allSessionStatuses", from)
		}
		for _, to := range tos {
			if !slices.Contains(allSessionStatuses, to) {
				t.Errorf("%s is not in allSessionStatuses", to)
			}
		}
	}
	parts := []PartStatus{PartPending, PartUnknown, PartBooked, PartFailed, PartCanceled}
	for _, from := range parts {
		for _, to := range parts {
			exp := from == to || slices.Contains(partMoves[from], to)
			if CanMovePart(from, to) != exp {
				t.Errorf("CanMovePart(%s, %s) = %v", from, to, !exp)
			}
		}
	}
	pays := []payments.Status{payments.RequiresPaymentMethod, payments.Processing, payments.Failed, payments.Authorized, payments.Captured, payments.Canceled}
	for _, from := range pays {
		for _, to := range pays {
			exp := from == to || slices.Contains(paymentMoves[from], to)
			if CanMovePayment(from, to) != exp {
				t.Errorf("CanMovePayment(%s, %s) = %v", from, to, !exp)
			}
		}
	}
	// The moves case 3 of issue 9 made: a late notice must not undo an
	// authorization.
	for _, late := range []payments.Status{payments.RequiresPaymentMethod, payments.Failed, payments.Processing} {
		if CanMovePayment(payments.Authorized, late) {
			t.Errorf("an authorized payment moves back to %s", late)
		}
	}
}

func reachesFinal(s Status, seen map[Status]bool) bool {
	if s.Final() {
		return true
	}
	seen[s] = true
	for _, to := range sessionMoves[s] {
		if !seen[to] && reachesFinal(to, seen) {
			return true
		}
	}
	return false
}

// TestBookingsOnlyFromBooking: a session in a status of beforeBooking has
// no booking stored (load does not read its bookings), so the only way
// back from BOOKING into one of them is BOOKING → PAYMENT_PENDING, which
// backToPayment takes only when nothing was booked; every status reached
// from BOOKING otherwise may have bookings.
func TestBookingsOnlyFromBooking(t *testing.T) {
	reached := map[Status]bool{Booking: true}
	for queue := []Status{Booking}; len(queue) > 0; queue = queue[1:] {
		for _, to := range sessionMoves[queue[0]] {
			if !to.mayHaveBookings() {
				if queue[0] != Booking || to != PaymentPending {
					t.Errorf("%s → %s leads back before booking", queue[0], to)
				}
				continue
			}
			if !reached[to] {
				reached[to] = true
				queue = append(queue, to)
			}
		}
	}
	for _, st := range allSessionStatuses {
		if !reached[st] && st.mayHaveBookings() {
			t.Errorf("%s is never reached from BOOKING: its bookings need not be read", st)
		}
	}
	booked := &Session{Status: Booking, Parts: []PartState{{Status: PartBooked}, {Status: PartPending}}}
	if _, err := (&Service{}).backToPayment(context.Background(), booked, []fault.Violation{{Code: fault.CardDeclined}}); err == nil {
		t.Error("backToPayment went back to PAYMENT_PENDING with a part booked")
	}
}

// TestGateMessages: the gates' messages read as sentences ("cannot select
// seats: the checkout session is AUTHORIZED"), never "cannot seats a
// checkout session".
func TestGateMessages(t *testing.T) {
	_, ue, _ := gate(&Session{Status: Authorized}, "seats")
	if len(ue) != 1 || ue[0].Message != "cannot select seats: the checkout session is AUTHORIZED" {
		t.Errorf("seats on AUTHORIZED: %v", ue)
	}
	_, ue, _ = gate(&Session{Status: Booked}, "forward")
	if len(ue) != 1 || ue[0].Code != fault.InvalidState || ue[0].Message != "the checkout session is BOOKED, which is final; cannot forward a card" {
		t.Errorf("forward on BOOKED: %v", ue)
	}
	_, ue, _ = gate(&Session{Status: Booking}, "forward")
	if len(ue) != 1 || ue[0].Code != fault.InProgress {
		t.Errorf("forward on BOOKING: %v", ue)
	}
	_, ue, _ = gate(&Session{Status: Booked}, "seats")
	if len(ue) != 1 || ue[0].Message != "the checkout session is BOOKED, which is final; cannot select seats" {
		t.Errorf("seats on BOOKED: %v", ue)
	}
	// acceptPriceChange on a session whose price never changed says so in
	// every status before the end, as on OPEN; once a new price was
	// accepted, a repeat is ALREADY_DONE.
	for _, st := range []Status{Open, Held, PaymentPending, Authorized, Booking, NeedsAttention} {
		run, ue, w := gate(&Session{Status: st}, "accept")
		if run || len(ue) != 1 || ue[0].Code != fault.InvalidState || ue[0].Message != "the price has not changed" || w != nil {
			t.Errorf("accept on %s, price never changed: %v %v", st, ue, w)
		}
	}
	for _, st := range []Status{Held, PaymentPending, Authorized, Booking, NeedsAttention} {
		_, ue, w := gate(&Session{Status: st, PriceRevision: 1}, "accept")
		if len(ue) != 0 || len(w) != 1 || w[0].Code != fault.AlreadyDone {
			t.Errorf("accept on %s after a new price was accepted: %v %v", st, ue, w)
		}
	}
	for _, st := range []Status{Held, PaymentPending, Authorized} {
		if run, _, _ := gate(&Session{Status: st}, "forward"); !run {
			t.Errorf("forward does not run on %s", st)
		}
	}
}

// TestSessionEventsListed: every session status is in db.SessionStatuses
// (the list webhook endpoints are validated with and the README shows as
// checkout_session.<status> events), and nothing else is.
func TestSessionEventsListed(t *testing.T) {
	var got []string
	for _, s := range allSessionStatuses {
		got = append(got, string(s))
	}
	if !slices.Equal(got, db.SessionStatuses) {
		t.Errorf("db.SessionStatuses = %v, want the session statuses %v", db.SessionStatuses, got)
	}
}
