package checkout_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/search"
)

// unknownFirstPart books an all-or-nothing LiteAPI + CitizenPlane round
// trip whose LiteAPI booking answers a server error without booking
// (knob "before": outcome unknown; or "after": booked, answering an
// error), then removes the knob. The session
// waits in NEEDS_ATTENTION with the CitizenPlane part never sent to
// CitizenPlane (pending, Deferred).
func (e *env) unknownFirstPart(t *testing.T, mode sim.FailMode) (*search.Offer, *checkout.Session) {
	t.Helper()
	o := e.roundTripOf(t, "liteapi", "citizenplane")
	s := e.payByCard(t, o, input(o))
	knobs := e.simKnobs("liteapi")
	knobs.SetFailure("book", mode)
	cpBefore := e.cpSim().BookingCount()
	s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
	knobs.SetFailure("book", sim.FailNone)
	want(t, s, checkout.NeedsAttention)
	if s.Parts[0].Status != checkout.PartUnknown || s.Parts[1].Status != checkout.PartPending || !s.Parts[1].Deferred {
		t.Fatalf("parts %+v", s.Parts)
	}
	if n := e.cpSim().BookingCount(); n != cpBefore {
		t.Fatalf("CitizenPlane was asked to book (%d bookings, %d before)", n, cpBefore)
	}
	return o, s
}

// reconcileAfter moves the clock on by d and runs the reconciler once.
func (e *env) reconcileAfter(t *testing.T, s *checkout.Session, d time.Duration) *checkout.Session {
	t.Helper()
	e.clock.Add(d)
	if _, err := e.a.Checkout.Reconcile(e.ctx); err != nil {
		t.Fatal(err)
	}
	got, err := e.a.Checkout.Get(e.ctx, tenant, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestAllOrNothingContinuesOnceTheUnknownPartIsBooked: issue 9's
// all-or-nothing trip, with the first part's outcome unknown. Once the
// reconciler finds LiteAPI booked, the trip goes on: CitizenPlane is
// booked (held again first when its 3-minute hold lapsed meanwhile), and
// the whole amount is captured. Before, the reconciler canceled the
// LiteAPI booking and reported the untried CitizenPlane part NOT_BOOKED.
func TestAllOrNothingContinuesOnceTheUnknownPartIsBooked(t *testing.T) {
	for _, wait := range []time.Duration{20 * time.Second, 10 * time.Minute} {
		t.Run(wait.String(), func(t *testing.T) {
			dialects(t, func(t *testing.T, e *env) {
				_, s := e.unknownFirstPart(t, sim.FailBefore)
				hold := s.Holds[1].Hold.Ref
				s = e.reconcileAfter(t, s, wait)
				want(t, s, checkout.Booked)
				if len(s.Bookings) != 2 || s.Parts[0].Status != checkout.PartBooked || s.Parts[1].Status != checkout.PartBooked || s.Parts[1].Deferred {
					t.Fatalf("parts %+v, bookings %+v", s.Parts, s.Bookings)
				}
				for _, b := range s.Bookings {
					if b.Status != providers.BookingConfirmed {
						t.Errorf("booking %+v", b)
					}
				}
				if got := e.captured(t, s); got != s.Total.Amount {
					t.Errorf("captured %d, want %d", got, s.Total.Amount)
				}
				if renewed := s.Holds[1].Hold.Ref != hold; renewed != (wait > 3*time.Minute) {
					t.Errorf("after %s the CitizenPlane hold was renewed: %v", wait, renewed)
				}
			})
		})
	}
}

// TestAllOrNothingCompensatesWhenTheTripCannotGoOn: once LiteAPI turns out
// booked, the CitizenPlane part cannot follow: its hold lapsed and
// CitizenPlane refuses to hold it again, or the session expired (LiteAPI
// having booked while answering an error: knob "after"), or
// CitizenPlane then refuses the booking. The LiteAPI booking is
// canceled, nothing is captured, and a part never sent to its provider is
// reported NOT_TRIED ("not tried"), not NOT_BOOKED.
func TestAllOrNothingCompensatesWhenTheTripCannotGoOn(t *testing.T) {
	cases := []struct {
		name     string
		prepare  func(t *testing.T, e *env, s *checkout.Session)
		mode     sim.FailMode
		wait     time.Duration
		code     string
		describe string
	}{
		{"hold_lapsed_and_refused", func(t *testing.T, e *env, s *checkout.Session) {
			e.simKnobs("citizenplane").SetFailure("hold", sim.FailBefore)
		}, sim.FailBefore, 10 * time.Minute, "NOT_TRIED", "part 2 (citizenplane) not tried"},
		{"session_expired", func(t *testing.T, e *env, s *checkout.Session) {}, sim.FailAfter, 2 * time.Hour, "NOT_TRIED", "part 2 (citizenplane) not tried"},
		{"booking_refused", func(t *testing.T, e *env, s *checkout.Session) {
			req, _ := strconv.ParseInt(s.Holds[1].Hold.Ref, 10, 64)
			if !e.cpSim().AbortRequest(req) {
				t.Fatalf("no pending CitizenPlane request %d", req)
			}
		}, sim.FailBefore, 20 * time.Second, "", "part 2 (citizenplane) not booked"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dialects(t, func(t *testing.T, e *env) {
				_, s := e.unknownFirstPart(t, c.mode)
				c.prepare(t, e, s)
				defer e.simKnobs("citizenplane").SetFailure("hold", sim.FailNone)
				s = e.reconcileAfter(t, s, c.wait)
				want(t, s, checkout.Failed)
				if s.Parts[0].Status != checkout.PartCanceled || s.Parts[1].Status != checkout.PartFailed ||
					len(s.Bookings) != 1 || s.Bookings[0].Provider != "liteapi" || s.Bookings[0].Status != providers.BookingCanceled {
					t.Fatalf("parts %+v, bookings %+v", s.Parts, s.Bookings)
				}
				if c.code != "" && string(s.Parts[1].Code) != c.code {
					t.Errorf("part 2 code %s, want %s", s.Parts[1].Code, c.code)
				}
				if c.code == "" && (s.Parts[1].Code == "NOT_TRIED" || s.Parts[1].Code == "NOT_BOOKED") {
					t.Errorf("part 2 code %s, want CitizenPlane's refusal", s.Parts[1].Code)
				}
				if s.Failure == nil || !strings.Contains(s.Failure.Message, "part 1 (liteapi) booked, then canceled") || !strings.Contains(s.Failure.Message, c.describe) {
					t.Errorf("failure %+v", s.Failure)
				}
				if in, _ := e.a.Checkout.Gateway().GetIntent(e.ctx, s.Payment.IntentID); in.Status != payments.Canceled || in.AmountCaptured != 0 {
					t.Errorf("payment %s, captured %d", in.Status, in.AmountCaptured)
				}
			})
		})
	}
}

// TestAllOrNothingUnknownThenNotBooked: the unknown LiteAPI part turns
// out not booked (its prebook is gone): the CitizenPlane part, never
// tried, is reported NOT_TRIED and nothing is charged.
func TestAllOrNothingUnknownThenNotBooked(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		_, s := e.unknownFirstPart(t, sim.FailBefore)
		la := e.a.Simulators["liteapi"].(interface{ DropPrebook(string) bool })
		if !la.DropPrebook(s.Holds[0].Hold.Ref) {
			t.Fatal("no live LiteAPI prebook")
		}
		s = e.reconcileAfter(t, s, 20*time.Second)
		want(t, s, checkout.Failed)
		if len(s.Bookings) != 0 || s.Parts[0].Status != checkout.PartFailed || s.Parts[1].Code != "NOT_TRIED" || e.captured(t, s) != 0 {
			t.Fatalf("parts %+v, bookings %+v", s.Parts, s.Bookings)
		}
		if !strings.Contains(s.Failure.Message, "part 2 (citizenplane) not tried") || s.Failure.Code == "NOT_TRIED" {
			t.Errorf("failure %+v", s.Failure)
		}
	})
}
