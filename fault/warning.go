package fault

// WarningCode says what a warning reports: a step was done, but the caller
// should know something about it. The GraphQL enum WarningCode lists the
// same values.
type WarningCode string

// The warning codes.
const (
	// HoldRenewed: booking found a seat hold lapsed or about to, and held
	// the seats again at the same price before booking.
	HoldRenewed WarningCode = "HOLD_RENEWED"
	// IdempotentReplay: the answer is the stored answer of an earlier
	// request with the same idempotency key; nothing ran again.
	IdempotentReplay WarningCode = "IDEMPOTENT_REPLAY"
	// AlreadyCanceled: the session was canceled already; nothing changed.
	AlreadyCanceled WarningCode = "ALREADY_CANCELED"
	// AlreadyDone: the session is past the step (held already, paid
	// already, ...); nothing ran again and nothing changed.
	AlreadyDone WarningCode = "ALREADY_DONE"
)

// WarningCodes lists every WarningCode, in the order of the GraphQL enum.
var WarningCodes = []WarningCode{HoldRenewed, IdempotentReplay, AlreadyCanceled, AlreadyDone}

// Warning is something to know about a step that was done. Its JSON
// encoding (Field, Code, Message, without tags) is stored in idempotency
// records with the answer: keep it.
type Warning struct {
	// Field is the GraphQL input path the warning is about, as in
	// Violation; nil when it is about the request as a whole.
	Field   []string
	Code    WarningCode
	Message string
}
