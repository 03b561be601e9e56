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
	Booking:        {Booked, PartiallyBooked, Failed, NeedsAttention, PaymentPending},
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

// beforeBooking are the statuses a session has until it first moves to
// BOOKING; none is reached from BOOKING (TestBookingsOnlyFromBooking), and
// bookings are stored only while booking, so a session in one of them
// has no booking.
var beforeBooking = []Status{Open, Held, PaymentPending, Authorized, PriceChanged, Expired, Canceled}

// mayHaveBookings reports whether a session in s may have bookings (load
// reads them only then).
func (s Status) mayHaveBookings() bool { return !slices.Contains(beforeBooking, s) }

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
	// action is what the step does, for messages: "cannot <action>".
	action string
	// runs are the statuses the step starts from.
	runs []Status
	// past are the statuses past the step: the session is answered as it
	// is with an ALREADY_DONE warning, so that a retry without idempotency
	// key is safe and the caller still learns that nothing ran.
	past []Status
	// busy are the statuses in which the step's work is under way.
	busy []Status
	// early says what to do first in the statuses before the step.
	early string
}

// gates is the table of mutations. A final session answers every
// mutation with a user error (see finishedErr). No mutation answers
// success without doing its step unless it warns so (ALREADY_DONE,
// ALREADY_CANCELED) or replays an answer (IDEMPOTENT_REPLAY).
var gates = map[string]stepGate{
	"hold": {action: "hold the checkout session", runs: []Status{Open}, past: []Status{Held, PaymentPending, Authorized, Booking, NeedsAttention}},
	"pay": {action: "set up the payment", runs: []Status{Held}, past: []Status{PaymentPending, Authorized, Booking, NeedsAttention},
		early: "hold the checkout session before paying"},
	"book": {action: "book the checkout session", runs: []Status{Authorized}, past: []Status{NeedsAttention}, busy: []Status{Booking},
		early: "pay for the checkout session before booking"},
	"cancel": {action: "cancel the checkout session", runs: []Status{Open, Held, PaymentPending, Authorized, PriceChanged}, busy: []Status{Booking, NeedsAttention}},
	"accept": {action: "accept a new price", runs: []Status{PriceChanged}, past: []Status{Held, PaymentPending, Authorized, Booking, NeedsAttention},
		early: "the price has not changed"},
	"renew": {action: "renew the holds", runs: []Status{Held, PaymentPending, Authorized}},
	// seats: before paying, so that the payment covers them (an OPEN
	// session is told to hold first by SelectSeats itself).
	"seats":  {action: "select seats", runs: []Status{Held}},
	"expire": {action: "expire the checkout session", runs: []Status{Open, Held, PaymentPending, Authorized, PriceChanged}},
	"confirm": {action: "confirm a card", runs: []Status{PaymentPending}, past: []Status{Authorized, Booking, NeedsAttention},
		early: "pay by CARD before confirming a card"},
	// forward: also once AUTHORIZED, while no booking call has started:
	// the new card replaces the one given before.
	"forward": {action: "forward a card", runs: []Status{Held, PaymentPending, Authorized}, busy: []Status{Booking, NeedsAttention},
		early: "hold the checkout session before forwarding a card"},
	// intent: the app says it confirmed a provider's payment intent; from
	// the hold (which makes the intent) until a booking call starts.
	"intent": {action: "confirm a provider's payment intent", runs: []Status{Held, PaymentPending, Authorized}, busy: []Status{Booking, NeedsAttention},
		early: "hold the checkout session first: the provider's payment intent comes with the hold"},
}

// gate answers whether step may run on sess. When it may not, it gives
// the user errors to answer with, or, when the session is past the step,
// none and an ALREADY_DONE warning.
func gate(sess *Session, step string) (run bool, ue []fault.Violation, warn []fault.Warning) {
	g := gates[step]
	switch {
	case slices.Contains(g.runs, sess.Status):
		return true, nil, nil
	case sess.Status.Final():
		return false, finishedErr(sess, step), nil
	case step == "accept" && sess.PriceRevision == 0 && !slices.Contains(g.busy, sess.Status):
		// Past accepting only once a new price was accepted: a session
		// whose price never changed has nothing to accept, in any
		// status, as OPEN says.
		return false, userErr(fault.InvalidState, g.early, "checkoutSessionId"), nil
	case slices.Contains(g.past, sess.Status):
		return false, nil, []fault.Warning{{Field: []string{"input", "checkoutSessionId"}, Code: fault.AlreadyDone,
			Message: fmt.Sprintf("the checkout session is %s, past this step: nothing was done again", sess.Status)}}
	case slices.Contains(g.busy, sess.Status):
		return false, userErr(fault.InProgress, fmt.Sprintf("cannot %s: the session is %s; read it again shortly", g.action, sess.Status), "checkoutSessionId"), nil
	case sess.Status == PriceChanged:
		return false, userErr(fault.PriceChanged, "the price changed: accept the new price (acceptPriceChange) or cancel", "checkoutSessionId"), nil
	case g.early != "":
		return false, userErr(fault.InvalidState, g.early, "checkoutSessionId"), nil
	}
	return false, stateErr(sess, step), nil
}

// stateErr is the user error of a step the session's status does not
// allow: "cannot select seats: the checkout session is AUTHORIZED".
func stateErr(sess *Session, step string) []fault.Violation {
	return userErr(fault.InvalidState, fmt.Sprintf("cannot %s: the checkout session is %s", gates[step].action, sess.Status), "checkoutSessionId")
}

// finishedErr is the user error of a mutation on a final session.
func finishedErr(sess *Session, step string) []fault.Violation {
	if sess.Status == Expired {
		return userErr(fault.SessionExpired, fmt.Sprintf("the checkout session expired; cannot %s", gates[step].action), "checkoutSessionId")
	}
	return userErr(fault.InvalidState, fmt.Sprintf("the checkout session is %s, which is final; cannot %s", sess.Status, gates[step].action), "checkoutSessionId")
}
