package refdata

import (
	"testing"
	"time"
)

func TestAirports(t *testing.T) {
	for _, want := range []Airport{
		{IATA: "CDG", ICAO: "LFPG", City: "Paris", Country: "FR", TimeZone: "Europe/Paris"},
		{IATA: "LIS", ICAO: "LPPT", City: "Lisbon", Country: "PT", TimeZone: "Europe/Lisbon"},
		{IATA: "ACC", ICAO: "DGAA", City: "Accra", Country: "GH", TimeZone: "Africa/Accra"},
		{IATA: "JFK", ICAO: "KJFK", City: "New York", Country: "US", TimeZone: "America/New_York"},
	} {
		got, ok := LookupAirport(want.IATA)
		if !ok || got.ICAO != want.ICAO || got.City != want.City || got.Country != want.Country || got.TimeZone != want.TimeZone || got.Name == "" {
			t.Errorf("LookupAirport(%s) = %+v, %t; want %+v", want.IATA, got, ok, want)
		}
	}
	if _, ok := LookupAirport("lis"); !ok {
		t.Error("lookups ignore case")
	}
	if _, ok := LookupAirport("QQQ"); ok {
		t.Error("QQQ is no airport")
	}
	if Location("QQQ") != time.UTC {
		t.Error("an unknown airport is in UTC")
	}
}

// Every airport's zone is one the time zone database knows, so that no
// airport's local times silently fall back to UTC.
func TestEveryZoneLoads(t *testing.T) {
	zones := map[string]bool{}
	for _, a := range load().airports {
		zones[a.TimeZone] = true
	}
	for z := range zones {
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("zone %q: %v", z, err)
		}
	}
	if len(load().airports) < 5000 {
		t.Errorf("only %d airports", len(load().airports))
	}
}

// UTC+0 airports keep their zone: a local time there prints +00:00 (not Z)
// and is still in the airport's zone, whose offset changes with the season.
func TestZeroOffsetAirports(t *testing.T) {
	for _, c := range []struct {
		iata   string
		at     time.Time
		offset string
	}{
		{"LIS", time.Date(2027, 1, 15, 9, 30, 0, 0, time.UTC), "+00:00"},
		{"LIS", time.Date(2027, 7, 15, 9, 30, 0, 0, time.UTC), "+01:00"},
		{"ACC", time.Date(2027, 7, 15, 9, 30, 0, 0, time.UTC), "+00:00"},
	} {
		local := c.at.In(Location(c.iata))
		if got := local.Format("-07:00"); got != c.offset {
			t.Errorf("%s at %s: offset %s, want %s", c.iata, c.at, got, c.offset)
		}
		if local.Location().String() == "UTC" {
			t.Errorf("%s: zone is UTC, want the airport's", c.iata)
		}
	}
}

func TestAirlines(t *testing.T) {
	for _, want := range []Airline{
		{"AF", "AFR", "Air France"},
		{"TP", "TAP", "TAP Portugal"},
		{"VY", "VLG", "Vueling Airlines"},    // an override: OpenFlights' VY is ambiguous
		{"5O", "FPO", "ASL Airlines France"}, // an override: missing upstream
		{"V7", "VOE", "VOLOTEA Airways"},
	} {
		if got, ok := LookupAirline(want.IATA); !ok || got != want {
			t.Errorf("LookupAirline(%s) = %+v, %t; want %+v", want.IATA, got, ok, want)
		}
	}
}
