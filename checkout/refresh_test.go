package checkout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/cpsim"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/sim"
)

// TestScheduleChangeAndAirlineCancellation: the sweeper re-reads upcoming
// bookings, no sooner than their interval allows, and records a schedule
// change made in the simulator (old and new times) and a cancellation by
// the airline, for both providers.
func TestScheduleChangeAndAirlineCancellation(t *testing.T) {
	dialects(t, func(t *testing.T, e *env) {
		for _, p := range []string{"citizenplane", "liteapi"} {
			t.Run(p, func(t *testing.T) {
				c := e.a.Checkout
				o := e.offer(t, oneWay(p), from(p))
				b := e.bookedByCard(t, o)[0]
				if n, err := c.RefreshBookings(e.ctx); err != nil || n < 1 {
					t.Fatalf("first refresh read %d: %v", n, err)
				}
				if n, err := c.RefreshBookings(e.ctx); err != nil || n != 0 {
					t.Errorf("a refresh right after read %d: %v", n, err)
				}
				seg := o.Slices[0].Segments[0]
				if err := e.a.Simulators[p].ShiftSchedule(sim.FlightOf(seg.CarrierCode, seg.FlightNumber, seg.DepartureAt), 45*time.Minute); err != nil {
					t.Fatal(err)
				}
				e.clock.Add(25 * time.Hour)
				if _, _, err := c.Sweep(e.ctx); err != nil {
					t.Fatal(err)
				}
				changes, err := c.BookingChanges(e.ctx, &b)
				if err != nil || len(changes) != 1 || changes[0].Kind != checkout.ChangeSchedule || changes[0].Before == changes[0].After {
					t.Fatalf("changes after a schedule change: %+v %v", changes, err)
				}
				dep := seg.DepartureAt.UTC()
				if want := dep.Add(45 * time.Minute).Format(time.RFC3339); !contains(changes[0].After, want) || !contains(changes[0].Before, dep.Format(time.RFC3339)) {
					t.Errorf("schedule change %+v, want %s then %s", changes[0], dep.Format(time.RFC3339), want)
				}
				switch s := e.a.Simulators[p].(type) {
				case *litesim.Simulator:
					s.CancelBooking(b.ProviderReference)
				case *cpsim.Simulator:
					s.CancelBooking(b.ProviderReference)
				}
				e.clock.Add(25 * time.Hour)
				if _, _, err := c.Sweep(e.ctx); err != nil {
					t.Fatal(err)
				}
				changes, _ = c.BookingChanges(e.ctx, &b)
				if len(changes) != 2 || changes[1].Kind != checkout.ChangeStatus || changes[1].Before != "CONFIRMED" || changes[1].After != "CANCELED" {
					t.Errorf("changes after the airline canceled: %+v", changes)
				}
				if got, _ := c.Booking(e.ctx, tenant, b.ID); got.Status != providers.BookingCanceled {
					t.Errorf("booking %+v", got)
				}
			})
		}
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
