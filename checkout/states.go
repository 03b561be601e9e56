package checkout

import (
	"fmt"
	"slices"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
)

// The state machine of the saga: every status a session, a part and a
// payment can have, and the only moves between them. Every write of a
// session goes through move, which refuses a move the tables do not list;
// every mutation asks gate whether it may run in the session's status.
// TestStateTables enumerates the tables.

// sessionMoves lists, for each session status, the statuses it may move
// to. A status absent as a key is final: nothing leaves it. Writing a
// session without changing its status (a lease, a payment update, a
// released payment) is not a move and is always allowed.
var sessionMoves = map[Status][]Status{
	Open:           {Held, Expired, Canceled},
	Held:           {PaymentPending, Authorized, PriceChanged, Expired, Canceled},
	PaymentPending: {Authorized, PriceChanged, Expired, Canceled},
	Authorized:     {Booking, PriceChanged, Failed, Expired, Canceled},
	PriceChanged:   {Held, Expired, Canceled},
	Booking:        {Booked, PartiallyBooked, Failed, NeedsAttention},
	NeedsAttention: {Booked, PartiallyBooked, Failed},
}

// partMoves is the same for a part's booking.
var partMoves = map[PartStatus][]PartStatus{
	PartPending: {PartBooked, PartFailed, PartUnknown},
	PartUnknown: {PartBooked, PartFailed},
	PartBooked:  {PartCanceled},
}

// paymentMoves is the same for a payment. The gateway is the source of
// truth, but what it reports is applied only forward: a late or replayed
// notice of an earlier status never moves a payment back.
var paymentMoves = map[payments.Status][]payments.Status{
	payments.RequiresPaymentMethod: {payments.RequiresAction, payments.Processing, payments.Authorized, payments.Failed, payments.Canceled},
	payments.RequiresAction:        {payments.RequiresPaymentMethod, payments.Processing, payments.Authorized, payments.Failed, payments.Canceled},
	payments.Processing:            {payments.RequiresPaymentMethod, payments.RequiresAction, payments.Authorized, payments.Failed, payments.Canceled},
	payments.Failed:                {payments.RequiresPaymentMethod, payments.RequiresAction, payments.Processing, payments.Authorized, payments.Canceled},
	payments.Authorized:            {payments.Captured, payments.Canceled},
}

// allSessionStatuses lists every session status, in the schema's order.
var allSessionStatuses = []Status{Open, Held, PaymentPending, Authorized, PriceChanged, Booking, Booked, PartiallyBooked, Failed, Expired, Canceled, NeedsAttention}

// Final reports whether no further change can happen to a session in s.
func (s Status) Final() bool { _, ok := sessionMoves[s]; return !ok }

// CanMove reports whether a session may move from one status to another.
func CanMove(from, to Status) bool { return from == to || slices.Contains(sessionMoves[from], to) }

// CanMovePart reports whether a part may move from one status to another.
func CanMovePart(from, to PartStatus) bool { return from == to || slices.Contains(partMoves[from], to) }

// CanMovePayment reports whether a payment may move from one status to
// another.
func CanMovePayment(from, to payments.Status) bool {
	return from == to || from == "" || slices.Contains(paymentMoves[from], to)
}

// errMove is a move the tables forbid: a bug, never a caller's mistake.
func errMove(id string, from, to Status) error {
	return fmt.Errorf("checkout: session %s cannot move from %s to %s", id, from, to)
}

// setPart moves part i of sess to st with code, if the table allows it,
// and reports whether it did.
func setPart(sess *Session, i int, st PartStatus, code fault.Code) bool {
	if !CanMovePart(sess.Parts[i].Status, st) {
		return false
	}
	sess.Parts[i].Status, sess.Parts[i].Code = st, code
	return true
}

// A stepGate says in which statuses a mutation runs and what it answers
// in the others.
type stepGate struct {
	// runs are the statuses the step starts from.
	runs []Status
	// past are the statuses past the step: the session is answered as it
	// is, without error, so that a retry without idempotency key is safe.
	past []Status
	// busy are the statuses in which the step's work is under way.
	busy []Status
	// early says what to do first in the statuses before the step.
	early string
}

// gates is the table of mutations. A final session answers every
// mutation with a user error (see finishedErr).
var gates = map[string]stepGate{
	"hold":   {runs: []Status{Open}, past: []Status{Held, PaymentPending, Authorized, Booking, NeedsAttention}, early: ""},
	"pay":    {runs: []Status{Held}, past: []Status{PaymentPending, Authorized, Booking, NeedsAttention}, early: "hold the checkout session before paying"},
	"book":   {runs: []Status{Authorized}, past: []Status{NeedsAttention}, busy: []Status{Booking}, early: "pay for the checkout session before booking"},
	"cancel": {runs: []Status{Open, Held, PaymentPending, Authorized, PriceChanged}, busy: []Status{Booking, NeedsAttention}},
	"accept": {runs: []Status{PriceChanged}, past: []Status{Held, PaymentPending, Authorized, Booking, NeedsAttention}, early: "the price has not changed"},
	"renew":  {runs: []Status{Held, PaymentPending, Authorized}},
	// seats: before paying, so that the payment covers them (an OPEN
	// session is told to hold first by SelectSeats itself).
	"seats":  {runs: []Status{Held}},
	"expire": {runs: []Status{Open, Held, PaymentPending, Authorized, PriceChanged}},
	"confirm": {runs: []Status{PaymentPending}, past: []Status{Authorized, Booking, NeedsAttention},
		early: "pay by CARD before confirming a card"},
	"forward": {runs: []Status{Held, PaymentPending}, past: []Status{Authorized, Booking, NeedsAttention},
		early: "hold the checkout session before forwarding a card"},
}

// gate answers whether step may run on sess. When it may not, it gives
// the user errors to answer with (none when the step is already past).
func gate(sess *Session, step string) (run bool, ue []fault.Violation) {
	g := gates[step]
	switch {
	case slices.Contains(g.runs, sess.Status):
		return true, nil
	case sess.Status.Final():
		return false, finishedErr(sess, step)
	case slices.Contains(g.past, sess.Status):
		return false, nil
	case slices.Contains(g.busy, sess.Status):
		return false, userErr(fault.InProgress, fmt.Sprintf("the session is %s; read it again shortly", sess.Status), "checkoutSessionId")
	case sess.Status == PriceChanged:
		return false, userErr(fault.PriceChanged, "the price changed: accept the new price (acceptPriceChange) or cancel", "checkoutSessionId")
	case g.early != "":
		return false, userErr(fault.InvalidState, g.early, "checkoutSessionId")
	}
	return false, stateErr(sess, step)
}

// finishedErr is the user error of a mutation on a final session.
func finishedErr(sess *Session, step string) []fault.Violation {
	if sess.Status == Expired {
		return userErr(fault.SessionExpired, fmt.Sprintf("the checkout session expired; cannot %s it", step), "checkoutSessionId")
	}
	return userErr(fault.InvalidState, fmt.Sprintf("the checkout session is %s, which is final; cannot %s it", sess.Status, step), "checkoutSessionId")
}
