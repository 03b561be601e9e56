package liteapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/providers"
)

// TestSearchSkipsUnreadableOffers: an offer (or a journey) that cannot be
// read is left out and logged at WARN; the others are kept. Only an answer
// none of whose offers can be read is an error.
func TestSearchSkipsUnreadableOffers(t *testing.T) {
	// documentedRates has one journey with one offer; twoOffers has a
	// second journey, identical but for its key and offer id.
	second := strings.NewReplacer(`"journeyKey":"a3bbe883fe3a4f6b"`, `"journeyKey":"b4ccf994af4b5a7c"`,
		`"offerId":"h6NwaWTZJDAx…"`, `"offerId":"second"`).Replace(journeyOf(t, documentedRates))
	twoOffers := strings.Replace(documentedRates, `"journeys":[`, `"journeys":[`+second+`,`, 1)
	// Each spoils the first journey (the second one's offer is untouched).
	threeDecimals := func(s string) string {
		return strings.Replace(s, `"total":753.87,"currency":"USD","base"`, `"total":753.875,"currency":"USD","base"`, 1)
	}
	badTime := func(s string) string {
		return strings.Replace(s, `"departureTime":"2026-07-01T16:10:00"`, `"departureTime":"soon"`, 1)
	}

	tests := []struct {
		name     string
		body     string
		wantRefs []string
		warnings int
		wantErr  bool
	}{
		{"both readable", twoOffers, []string{"second", "h6NwaWTZJDAx…"}, 0, false},
		{"price with three decimals", threeDecimals(twoOffers), []string{"h6NwaWTZJDAx…"}, 1, false},
		{"journey time unreadable", badTime(twoOffers), []string{"h6NwaWTZJDAx…"}, 1, false},
		{"all unreadable", threeDecimals(threeDecimals(badTime(twoOffers))), nil, 2, true},
		{"no journeys", `{"data":[{"journeys":[]}]}`, []string{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.body) }))
			defer srv.Close()
			var logs bytes.Buffer
			c := New(Config{BaseURL: srv.URL, APIKey: testKey, Now: newClock().Now,
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			q := providers.Query{OriginDestination: leg("JFK", "CDG", "2026-07-01"), Passengers: providers.Passengers{Adults: 1}, Currency: "USD"}
			offers, err := c.Search(context.Background(), q)
			if tt.wantErr {
				pe := providerError(t, err)
				if pe.Code != providers.Unavailable || pe.Message != msgUnreadable || pe.Op != "search" {
					t.Errorf("%+v", pe)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !tt.wantErr {
				refs := []string{}
				for _, o := range offers {
					refs = append(refs, o.Parts[0].Ref)
				}
				if strings.Join(refs, " ") != strings.Join(tt.wantRefs, " ") {
					t.Errorf("offers %q, want %q", refs, tt.wantRefs)
				}
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if logs.Len() == 0 {
				lines = nil
			}
			if len(lines) != tt.warnings {
				t.Fatalf("%d log lines, want %d:\n%s", len(lines), tt.warnings, logs.String())
			}
			for _, l := range lines {
				if !strings.Contains(l, "level=WARN") || !strings.Contains(l, "reason=") || !strings.Contains(l, "op=search") {
					t.Errorf("log line %s", l)
				}
			}
		})
	}
	t.Run("nil logger", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, threeDecimals(twoOffers)) }))
		defer srv.Close()
		c := New(Config{BaseURL: srv.URL, APIKey: testKey, Now: newClock().Now})
		offers, err := c.Search(context.Background(), providers.Query{OriginDestination: leg("JFK", "CDG", "2026-07-01"), Passengers: providers.Passengers{Adults: 1}})
		if err != nil || len(offers) != 1 {
			t.Errorf("%d offers, %v", len(offers), err)
		}
	})
}

// journeyOf is the one journey object of a documented rates answer.
func journeyOf(t *testing.T, rates string) string {
	t.Helper()
	start := strings.Index(rates, `{"journeyKey"`)
	end := strings.Index(rates, `],`+"\n"+` "sortMetadata"`)
	if start < 0 || end < 0 {
		t.Fatalf("no journey in %s", rates)
	}
	return rates[start:end]
}

// LiteAPI's times have no offset: they are read in the airport's zone from
// the reference data, and keep it, UTC+0 airports included (Lisbon in
// winter, Accra all year) and airports whose offset is not the search's.
func TestLocalTimesKeepTheAirportZone(t *testing.T) {
	for _, c := range []struct{ iata, in, want, zone string }{
		{"LIS", "2027-01-15T09:30:00", "2027-01-15T09:30:00+00:00", "Europe/Lisbon"},
		{"LIS", "2027-07-15T09:30:00", "2027-07-15T09:30:00+01:00", "Europe/Lisbon"},
		{"ACC", "2027-07-15T09:30:00", "2027-07-15T09:30:00+00:00", "Africa/Accra"},
		{"ORY", "2027-01-15T09:30:00", "2027-01-15T09:30:00+01:00", "Europe/Paris"},
	} {
		got, err := localTime(c.in, c.iata)
		if err != nil {
			t.Fatal(err)
		}
		if s := got.Format("2006-01-02T15:04:05-07:00"); s != c.want || got.Location().String() != c.zone {
			t.Errorf("%s %s: %s in %s, want %s in %s", c.iata, c.in, s, got.Location(), c.want, c.zone)
		}
	}
}
