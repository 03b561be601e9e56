package providers

import (
	"context"
	"errors"
	"time"
)

// Outcome of one provider HTTP call, as metrics label it.
const (
	OutcomeOK      = "ok"
	OutcomeError   = "error"
	OutcomeTimeout = "timeout"
)

// Observer is told about every HTTP call an adapter makes to its provider:
// which operation ("search", "round_trips", "verify", ...), the outcome and
// how long it took. Adapters accept a nil Observer.
type Observer interface {
	ObserveCall(provider, op, outcome string, d time.Duration)
}

// Outcome classifies the error of a finished call.
func Outcome(err error) string {
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, context.DeadlineExceeded), CodeOf(err) == Timeout:
		return OutcomeTimeout
	default:
		return OutcomeError
	}
}

// Observe reports a call to o if o is not nil.
func Observe(o Observer, provider, op string, start time.Time, err error) {
	if o != nil {
		o.ObserveCall(provider, op, Outcome(err), time.Since(start))
	}
}
