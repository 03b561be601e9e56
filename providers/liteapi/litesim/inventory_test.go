package litesim

import (
	"testing"
	"time"
)

// TestInventory checks the schedule every day of a year on every route:
// 3 to 6 journeys, sorted, chained flights with real connections, sane
// durations and fares.
func TestInventory(t *testing.T) {
	inv := inventory{seed: 9}
	start := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	oneStop := 0
	for route := range schedules {
		for day := 0; day <= 365; day++ {
			date := start.AddDate(0, 0, day)
			its := inv.itineraries(route[:3], route[4:], date)
			if len(its) < 3 || len(its) > 6 {
				t.Fatalf("%s %s: %d journeys", route, date.Format(time.DateOnly), len(its))
			}
			for i, it := range its {
				if i > 0 && it.dep().Before(its[i-1].dep()) {
					t.Errorf("%s %s: journeys not sorted", route, date)
				}
				if it.index != i || it.adult < 3000 || it.adult > 40000 || it.adult%100 != 99 {
					t.Errorf("%s %s journey %d: index %d fare %d", route, date, i, it.index, it.adult)
				}
				f := it.flights
				if f[0].from != route[:3] || f[len(f)-1].to != route[4:] {
					t.Errorf("%s: journey %s-%s", route, f[0].from, f[len(f)-1].to)
				}
				for k := range f {
					if d := f[k].arr.Sub(f[k].dep); d < 50*time.Minute || d > 3*time.Hour {
						t.Errorf("%s%s flies %s", f[k].carrier, f[k].number, d)
					}
					if k > 0 && (f[k].from != f[k-1].to || f[k].dep.Sub(f[k-1].arr) < 45*time.Minute) {
						t.Errorf("%s%s: connection from %s%s", f[k].carrier, f[k].number, f[k-1].carrier, f[k-1].number)
					}
				}
				if len(f) > 1 {
					oneStop++
				}
			}
		}
	}
	if oneStop == 0 {
		t.Error("no one-stop journeys")
	}
}
