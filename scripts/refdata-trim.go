//go:build ignore

// refdata-trim writes the reference data files that package refdata
// embeds from the upstream data sets (see refdata/data/SOURCES.md):
//
//	go run scripts/refdata-trim.go <airportsdata airports.csv> <openflights airlines.dat>
//
// airports.csv keeps the airports with an IATA code and the columns
// refdata serves (iata, icao, name, city, country, tz); airlines.csv keeps
// the active airlines whose two-character IATA code names one active
// airline only (an ambiguous code would put a wrong name on a flight),
// with its ICAO code and name. refdata/data/airlines_overrides.csv, ours,
// is applied by the package at load time, not here.
package main

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"os"
	"regexp"
	"slices"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/refdata-trim.go airports.csv airlines.dat")
		os.Exit(2)
	}
	if err := airports(os.Args[1], "refdata/data/airports.csv"); err != nil {
		fail(err)
	}
	if err := airlines(os.Args[2], "refdata/data/airlines.csv"); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func read(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	return r.ReadAll()
}

func write(path string, header []string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write(header)
	_ = w.WriteAll(rows)
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

var iata3 = regexp.MustCompile(`^[A-Z]{3}$`)

// airports: the source header is icao,iata,name,city,subd,country,elevation,lat,lon,tz,lid.
func airports(in, out string) error {
	rows, err := read(in)
	if err != nil {
		return err
	}
	var keep [][]string
	for _, r := range rows[1:] {
		if len(r) < 10 || !iata3.MatchString(r[1]) || r[9] == "" {
			continue
		}
		keep = append(keep, []string{r[1], r[0], r[2], r[3], r[5], r[9]})
	}
	slices.SortFunc(keep, func(a, b []string) int { return cmp.Compare(a[0], b[0]) })
	keep = slices.CompactFunc(keep, func(a, b []string) bool { return a[0] == b[0] })
	return write(out, []string{"iata", "icao", "name", "city", "country", "tz"}, keep)
}

var (
	iata2 = regexp.MustCompile(`^[A-Z0-9]{2}$`)
	icao3 = regexp.MustCompile(`^[A-Z]{3}$`)
)

// airlines: the source columns are id,name,alias,iata,icao,callsign,country,active.
func airlines(in, out string) error {
	rows, err := read(in)
	if err != nil {
		return err
	}
	byCode := map[string][][]string{}
	for _, r := range rows {
		if len(r) < 8 || r[7] != "Y" || !iata2.MatchString(r[3]) {
			continue
		}
		icao := r[4]
		if !icao3.MatchString(icao) {
			icao = ""
		}
		byCode[r[3]] = append(byCode[r[3]], []string{r[3], icao, r[1]})
	}
	var keep [][]string
	for _, rs := range byCode {
		if len(rs) == 1 {
			keep = append(keep, rs[0])
		}
	}
	slices.SortFunc(keep, func(a, b []string) int { return cmp.Compare(a[0], b[0]) })
	return write(out, []string{"iata", "icao", "name"}, keep)
}
