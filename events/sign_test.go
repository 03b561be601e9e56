package events

import (
	"testing"
	"time"
)

// TestSignVerify: a signature verifies with its secret and body within the
// tolerance, and fails with another secret, another body or too late.
func TestSignVerify(t *testing.T) {
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"evt_1"}`)
	h := Sign("whsec_a", at, body)
	if err := Verify("whsec_a", h, body, at.Add(time.Minute), 5*time.Minute); err != nil {
		t.Errorf("valid signature: %v", err)
	}
	for name, err := range map[string]error{
		"other secret": Verify("whsec_b", h, body, at, 5*time.Minute),
		"other body":   Verify("whsec_a", h, []byte(`{"id":"evt_2"}`), at, 5*time.Minute),
		"too late":     Verify("whsec_a", h, body, at.Add(6*time.Minute), 5*time.Minute),
		"malformed":    Verify("whsec_a", "v1=00", body, at, 5*time.Minute),
	} {
		if err == nil {
			t.Errorf("%s verified", name)
		}
	}
}

// TestMatches: endpoints get the types they asked for, with wildcards.
func TestMatches(t *testing.T) {
	for _, c := range []struct {
		events, typ string
		want        bool
	}{
		{"checkout_session.*", "checkout_session.booked", true},
		{"checkout_session.*", "booking.confirmed", false},
		{"booking.confirmed,refund.succeeded", "refund.succeeded", true},
		{"*", "booking.canceled", true},
	} {
		if got := matches(c.events, c.typ); got != c.want {
			t.Errorf("matches(%q, %q) = %v", c.events, c.typ, got)
		}
	}
}
