package checkout_test

import (
	"regexp"
	"testing"

	"github.com/faregraph/faregraph/checkout"
)

var referenceRe = regexp.MustCompile(`^[A-HJ-NP-Z2-9]{6}$`)

// TestReferenceGivenAtCreationKeptAtBooking: each part gets its reference
// when the session is created, and its booking takes that reference; a
// session stored before parts had references (its parts' references
// empty) gets one at booking, kept in the session afterwards.
func TestReferenceGivenAtCreationKeptAtBooking(t *testing.T) {
	dialects(t, referenceKept)
}

func referenceKept(t *testing.T, e *env) {
	for _, stored := range []bool{false, true} {
		o := e.offer(t, oneWay("citizenplane"), from("citizenplane"))
		s := e.payByCard(t, o, input(o))
		ref := s.Parts[0].Reference
		if !referenceRe.MatchString(ref) || checkout.PartReference(s, 0) != ref {
			t.Fatalf("reference at creation %q", ref)
		}
		if stored {
			s.Parts[0].Reference = ""
			if err := checkout.StoreForTest(e.ctx, e.a.Checkout, s); err != nil {
				t.Fatal(err)
			}
			if got, _ := e.a.Checkout.Get(e.ctx, tenant, s.ID); len(checkout.BookingReferences(got)) != 0 {
				t.Fatalf("an old session lists references before booking: %v", checkout.BookingReferences(got))
			}
		}
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.Booked)
		b := s.Bookings[0].Reference
		got, err := e.a.Checkout.Get(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case !stored && b != ref:
			t.Errorf("booking reference %q, the part's %q", b, ref)
		case stored && (!referenceRe.MatchString(b) || got.Parts[0].Reference != b):
			t.Errorf("old session: booking reference %q, the part's now %q", b, got.Parts[0].Reference)
		}
		if refs := checkout.BookingReferences(got); len(refs) != 1 || refs[0] != b {
			t.Errorf("BookingReferences = %v, booking %q", refs, b)
		}
	}
}
