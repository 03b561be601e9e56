package citizenplane

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/providers"
)

// TestSearchSkipsUnreadableFlights: a flight (or round-trip fare) of the
// answer that cannot be read is left out and logged at WARN; the others
// are kept. Only an answer none of whose items can be read is an error.
func TestSearchSkipsUnreadableFlights(t *testing.T) {
	second := strings.NewReplacer(`"id": 4014831`, `"id": 4014832`, `"flight_number": "5O7892"`, `"flight_number": "5O7894"`).Replace(docFlight)
	badPrice := strings.Replace(second, `"price": 89.99`, `"price": 89.995`, 1)
	badTime := strings.Replace(second, `"departure_date": "2025-08-06T10:00:00+02:00"`, `"departure_date": "soon"`, 1)
	nextDay := strings.Replace(second, `"2025-08-06T10:00:00+02:00", "arrival_date": "2025-08-06T12:05:00+02:00"`,
		`"2025-08-07T00:30:00+02:00", "arrival_date": "2025-08-07T02:35:00+02:00"`, 1)
	results := func(flights ...string) string { return `{"results": [` + strings.Join(flights, ", ") + `]}` }

	tests := []struct {
		name     string
		body     string
		wantRefs []string
		warnings int
		wantErr  bool
	}{
		{"both readable", results(docFlight, second), []string{"4014831", "4014832"}, 0, false},
		{"price with three decimals", results(badPrice, docFlight), []string{"4014831"}, 1, false},
		{"departure unreadable", results(docFlight, badTime), []string{"4014831"}, 1, false},
		{"one unreadable, the other another day", results(badPrice, nextDay), []string{}, 1, false},
		{"all unreadable", results(badPrice, badTime), nil, 2, true},
		{"none", results(), []string{}, 0, false},
	}
	q := providers.Query{OriginDestination: leg("CDG", "PMI", "2025-08-06"), Passengers: providers.Passengers{Adults: 1}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := docServer(t, "GET", "/v3/flights", 200, tt.body, nil)
			var logs bytes.Buffer
			c := New(Config{BaseURL: srv.URL, Token: testToken, Now: clock,
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			offers, err := c.Search(context.Background(), q)
			checkSkipped(t, "search", offers, err, &logs, tt.wantRefs, tt.warnings, tt.wantErr)
		})
	}
}

// TestSearchRoundTripsSkipsUnreadableFares: as Search, for round trips.
func TestSearchRoundTripsSkipsUnreadableFares(t *testing.T) {
	inbound2 := strings.NewReplacer(`"id": 3795943`, `"id": 3795944`).Replace(docInbound)
	fare := func(out, in, price string) string {
		return `{"outbound": ` + out + `, "inbound": ` + in + `, "price": ` + price + `, "infant_price": 45.00, "currency": "EUR"}`
	}
	results := func(fares ...string) string { return `{"results": [` + strings.Join(fares, ", ") + `]}` }
	tests := []struct {
		name     string
		body     string
		wantRefs []string
		warnings int
		wantErr  bool
	}{
		{"both readable", results(fare(docFlight, docInbound, "160.00"), fare(docFlight, inbound2, "170.00")),
			[]string{"4014831,3795943", "4014831,3795944"}, 0, false},
		{"one price with three decimals", results(fare(docFlight, docInbound, "160.005"), fare(docFlight, inbound2, "170.00")),
			[]string{"4014831,3795944"}, 1, false},
		{"all unreadable", results(fare(docFlight, docInbound, "160.005"), fare(docFlight, inbound2, "170.001")), nil, 2, true},
	}
	q := providers.RoundTripQuery{Outbound: leg("CDG", "PMI", "2025-08-06"), Return: leg("PMI", "CDG", "2025-08-13"),
		Passengers: providers.Passengers{Adults: 1}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := docServer(t, "GET", "/v3/roundTrips", 200, tt.body, nil)
			var logs bytes.Buffer
			c := New(Config{BaseURL: srv.URL, Token: testToken, Now: clock,
				Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			offers, err := c.SearchRoundTrips(context.Background(), q)
			checkSkipped(t, "round_trips", offers, err, &logs, tt.wantRefs, tt.warnings, tt.wantErr)
		})
	}
	t.Run("nil logger", func(t *testing.T) {
		srv := docServer(t, "GET", "/v3/roundTrips", 200, results(fare(docFlight, docInbound, "1.001"), fare(docFlight, inbound2, "2")), nil)
		offers, err := newTestClient(srv.URL, nil).SearchRoundTrips(context.Background(), q)
		if err != nil || len(offers) != 1 {
			t.Errorf("%d offers, %v", len(offers), err)
		}
	})
}

// checkSkipped asserts the offers (by ref) or the error of a search, and
// one WARN line per item left out.
func checkSkipped(t *testing.T, op string, offers []providers.Offer, err error, logs *bytes.Buffer, wantRefs []string, warnings int, wantErr bool) {
	t.Helper()
	if wantErr {
		pe := asProviderError(t, err)
		if pe.Code != providers.Unavailable || pe.Op != op || pe.Status != 200 || pe.Message != "unreadable provider answer" {
			t.Errorf("%+v", pe)
		}
	} else {
		if err != nil {
			t.Fatal(err)
		}
		refs := []string{}
		for _, o := range offers {
			refs = append(refs, o.Parts[0].Ref)
		}
		if strings.Join(refs, " ") != strings.Join(wantRefs, " ") {
			t.Errorf("offers %q, want %q", refs, wantRefs)
		}
	}
	var lines []string
	if s := strings.TrimSpace(logs.String()); s != "" {
		lines = strings.Split(s, "\n")
	}
	if len(lines) != warnings {
		t.Fatalf("%d log lines, want %d:\n%s", len(lines), warnings, logs)
	}
	for _, l := range lines {
		if !strings.Contains(l, "level=WARN") || !strings.Contains(l, "op="+op) || !strings.Contains(l, "reason=") {
			t.Errorf("log line %s", l)
		}
	}
}
