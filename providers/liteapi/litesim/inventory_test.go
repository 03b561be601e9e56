package litesim

import (
	"testing"
	"time"
)

// TestInventory checks the schedule every day of a year on every route:
// 3 to 6 journeys and the edge journeys, sorted, chained flights with real
// connections, sane durations and fares.
func TestInventory(t *testing.T) {
	inv := inventory{seed: 9}
	start := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	oneStop := 0
	for route := range schedules {
		for day := 0; day <= 365; day++ {
			date := start.AddDate(0, 0, day)
			its := inv.itineraries(route[:3], route[4:], date)
			if edges := len(edgeSchedules[route]); edges != 4 || len(its) < 3+edges || len(its) > 6+edges {
				t.Fatalf("%s %s: %d journeys, %d edge journeys", route, date.Format(time.DateOnly), len(its), edges)
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

// TestInventoryEdgeCases: on every route and day, a search made at 08:00
// UTC (the tests' clock) sees a journey that left earlier that day and
// one within the 2-hour booking cut-off; a journey lands on the next
// local day; and a same-day return leaves less than 60 minutes, and
// another less than 2 hours but at least 60 minutes, after an outbound
// lands. No two journeys of a day leave at the same time, and no edge
// flight number is flown by another journey.
func TestInventoryEdgeCases(t *testing.T) {
	inv := inventory{seed: 9}
	start := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	numbers := map[string]string{}
	for route, plans := range schedules {
		for _, jp := range plans {
			for _, fp := range jp {
				numbers[fp.carrier+fp.number] = route
			}
		}
	}
	for route, plans := range edgeSchedules {
		for _, jp := range plans {
			if other, ok := numbers[jp[0].carrier+jp[0].number]; ok {
				t.Errorf("edge flight %s%s is also flown on %s", jp[0].carrier, jp[0].number, other)
			}
			numbers[jp[0].carrier+jp[0].number] = route
		}
	}
	for route := range schedules {
		back := route[4:] + "-" + route[:3]
		for day := 0; day <= 365; day++ {
			date := start.AddDate(0, 0, day)
			now := time.Date(date.Year(), date.Month(), date.Day(), 8, 0, 0, 0, time.UTC)
			its := inv.itineraries(route[:3], route[4:], date)
			returns := inv.itineraries(back[:3], back[4:], date)
			var departed, closing, overnight, tight, snug bool
			for i, it := range its {
				if i > 0 && it.dep().Equal(its[i-1].dep()) {
					t.Errorf("%s %s: two journeys leave at %s", route, date.Format(time.DateOnly), it.dep())
				}
				departed = departed || it.dep().Before(now)
				closing = closing || !it.dep().Before(now) && it.dep().Before(now.Add(2*time.Hour))
				overnight = overnight || it.arr().Day() != it.dep().Day()
				for _, r := range returns {
					switch ground := r.dep().Sub(it.arr()); {
					case ground >= 0 && ground < time.Hour:
						tight = true
					case ground >= time.Hour && ground < 2*time.Hour:
						snug = true
					}
				}
			}
			if !departed || !closing || !overnight || !tight || !snug {
				t.Fatalf("%s %s: departed %v, within the cut-off %v, overnight %v, return within 60 min %v, within 2 h %v",
					route, date.Format(time.DateOnly), departed, closing, overnight, tight, snug)
			}
		}
	}
}
