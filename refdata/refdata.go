// Package refdata is the reference data faregraph shows and computes
// with: airports (name, city, country, IANA time zone) and airlines (IATA
// and ICAO codes, name), from open data sets embedded in the binary (see
// data/SOURCES.md for their sources, versions and licences). The data is
// parsed once, on first use, and never changes afterwards; lookups are
// safe for concurrent use.
package refdata

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"time"
)

//go:embed data/airports.csv data/airlines.csv data/airlines_overrides.csv
var files embed.FS

// Airport is an airport by its IATA code.
type Airport struct {
	IATA string
	ICAO string
	Name string
	City string
	// Country is the ISO 3166-1 alpha-2 code of its country.
	Country string
	// TimeZone is the IANA time zone name, like "Europe/Lisbon".
	TimeZone string
}

// Location is the airport's time zone; UTC when the zone is not in the
// system's time zone database.
func (a Airport) Location() *time.Location {
	return location(a.TimeZone)
}

// Airline is an airline by its IATA code.
type Airline struct {
	IATA string
	ICAO string
	Name string
}

type tables struct {
	airports map[string]Airport
	airlines map[string]Airline
	zones    sync.Map // zone name → *time.Location
}

// load parses the embedded files. They are part of the binary and checked
// by the package's tests, so a failure is a build defect: it panics.
var load = sync.OnceValue(func() *tables {
	t := &tables{airports: map[string]Airport{}, airlines: map[string]Airline{}}
	for _, r := range rows("data/airports.csv", 6) {
		t.airports[r[0]] = Airport{IATA: r[0], ICAO: r[1], Name: r[2], City: r[3], Country: r[4], TimeZone: r[5]}
	}
	for _, r := range rows("data/airlines.csv", 3) {
		t.airlines[r[0]] = Airline{IATA: r[0], ICAO: r[1], Name: r[2]}
	}
	for _, r := range rows("data/airlines_overrides.csv", 4) {
		t.airlines[r[0]] = Airline{IATA: r[0], ICAO: r[1], Name: r[2]}
	}
	return t
})

func rows(name string, fields int) [][]string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("refdata: %s: %v", name, err))
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = fields
	all, err := r.ReadAll()
	if err != nil || len(all) == 0 {
		panic(fmt.Sprintf("refdata: %s: %v", name, err))
	}
	return all[1:] // the header
}

// LookupAirport returns the airport with IATA code iata.
func LookupAirport(iata string) (Airport, bool) {
	a, ok := load().airports[strings.ToUpper(iata)]
	return a, ok
}

// LookupAirline returns the airline with IATA code iata.
func LookupAirline(iata string) (Airline, bool) {
	a, ok := load().airlines[strings.ToUpper(iata)]
	return a, ok
}

// Location returns the time zone of the airport with IATA code iata; UTC
// when the airport is unknown.
func Location(iata string) *time.Location {
	a, ok := LookupAirport(iata)
	if !ok {
		return time.UTC
	}
	return a.Location()
}

func location(zone string) *time.Location {
	if zone == "" {
		return time.UTC
	}
	t := load()
	if l, ok := t.zones.Load(zone); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(zone)
	if err != nil {
		l = time.UTC
	}
	t.zones.Store(zone, l)
	return l
}
