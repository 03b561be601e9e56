package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/rules"
)

// The simulators fly the edge cases of selling flights every day (flights
// that have left or leave within the booking cut-off of a search made
// that morning, flights landing on the next local day, same-day returns
// leaving soon after an outbound lands). These tests run a server in its
// default mode, on the simulators at apptest's fixed clock, call the
// server's own adapters to see what each provider answers, and check that
// searchOffers shows all of it but what package rules refuses, for the
// reasons it gives.

// edgeEnv is a server and the adapters it built, by provider name.
type edgeEnv struct {
	a        *app.App
	adapters map[string]providers.Searcher
}

func newEdgeEnv(t *testing.T) *edgeEnv {
	e := &edgeEnv{adapters: map[string]providers.Searcher{}}
	regs := app.Registry()
	for i, r := range regs {
		build := r.New
		regs[i].New = func(s map[string]string, d providers.Deps) (providers.Searcher, error) {
			p, err := build(s, d)
			e.adapters[r.Name] = p
			return p, err
		}
	}
	e.a = apptest.New(t, func(c *app.Config) { c.Registry = regs })
	return e
}

// breach is the rule o breaks at apptest.Now with its providers' limits,
// or nil.
func (e *edgeEnv) breach(o providers.Offer) *rules.Breach {
	lim := rules.Of(o, func(name string) providers.Limits {
		if l, ok := e.adapters[name].(providers.Limited); ok {
			return l.Limits()
		}
		return providers.Limits{}
	})
	return rules.Itinerary(o, lim, apptest.Now)
}

func (e *edgeEnv) searchProvider(t *testing.T, provider, from, to, date string) []providers.Offer {
	t.Helper()
	got, err := e.adapters[provider].Search(context.Background(), providers.Query{
		OriginDestination: providers.OriginDestination{Origin: from, Destination: to, Date: providers.Date(date)},
		Passengers:        providers.Passengers{Adults: 1}, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// shownOffer is an offer as searchOffers shows it.
type shownOffer struct {
	FareType     string
	SelfTransfer bool
	Parts        []struct{ Provider string }
	Slices       []struct {
		Segments []struct {
			CarrierCode, FlightNumber string
			DepartureAt, ArrivalAt    time.Time
		}
	}
}

// turnaround is the time between the outbound's landing and the return's
// departure.
func (o shownOffer) turnaround() time.Duration {
	out, back := o.Slices[0].Segments, o.Slices[1].Segments
	return back[0].DepartureAt.Sub(out[len(out)-1].ArrivalAt)
}

type shownResult struct {
	ID              string
	ProviderResults []struct {
		Provider   string
		OfferCount int
		Message    *string
	}
	Offers []shownOffer
}

const shownFields = `offers(first: 100, after: $after) {
	pageInfo { hasNextPage endCursor }
	edges { node { fareType selfTransfer parts { provider }
		slices { segments { carrierCode flightNumber departureAt arrivalAt } } } } }`

// shown runs searchOffers for provider alone and returns every offer it
// shows, page after page.
func (e *edgeEnv) shown(t *testing.T, provider, from, to, date, returnDate string) shownResult {
	t.Helper()
	in := map[string]any{"origin": from, "destination": to, "departureDate": date, "passengers": map[string]any{"adults": 1}, "providers": []string{provider}}
	if returnDate != "" {
		in["returnDate"] = returnDate
	}
	var res shownResult
	after := any(nil)
	for page := 0; ; page++ {
		var data struct {
			SearchOffers, OfferSearch *struct {
				ID              string
				ProviderResults json.RawMessage
				Offers          struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct{ Node shownOffer }
				}
			}
		}
		q := `query($in: SearchOffersInput!, $after: String) { searchOffers(input: $in) {
			id providerResults { provider offerCount message } ` + shownFields + ` } }`
		vars := map[string]any{"in": in, "after": after}
		if page > 0 {
			q = `query($id: ID!, $after: String) { offerSearch(id: $id) { id ` + shownFields + ` } }`
			vars = map[string]any{"id": res.ID, "after": after}
		}
		post(t, e.a, q, vars, &data)
		s := data.SearchOffers
		if page > 0 {
			s = data.OfferSearch
		} else {
			res.ID = s.ID
			if err := json.Unmarshal(s.ProviderResults, &res.ProviderResults); err != nil {
				t.Fatal(err)
			}
		}
		for _, ed := range s.Offers.Edges {
			res.Offers = append(res.Offers, ed.Node)
		}
		if !s.Offers.PageInfo.HasNextPage {
			return res
		}
		after = s.Offers.PageInfo.EndCursor
	}
}

// post sends a GraphQL query to a and decodes its data into out, failing
// on any error.
func post(t *testing.T, a *app.App, query string, vars map[string]any, out any) {
	t.Helper()
	rec := apptest.Post(a.Handler, query, vars, "")
	var body struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) > 0 {
		t.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(body.Data, out); err != nil {
		t.Fatal(err)
	}
}

// leftOut checks the provider result's note of the offers of the
// provider's answer that the rules left out (none when n is 0: pairs of
// one-ways refused are not the provider's answer).
func leftOut(t *testing.T, res shownResult, provider string, n int) {
	t.Helper()
	want := fmt.Sprintf("%d offers departing within the booking cut-off or with too short a connection were left out", n)
	for _, pr := range res.ProviderResults {
		if pr.Provider == provider {
			if n == 0 && pr.Message != nil {
				t.Errorf("%s: message %q, want none", provider, *pr.Message)
			}
			if n > 0 && (pr.Message == nil || *pr.Message != want) {
				t.Errorf("%s: message %v, want %q", provider, pr.Message, want)
			}
			// offerCount is the provider's own fares: pairs of one-ways
			// count for no provider.
			own := 0
			for _, o := range res.Offers {
				if o.FareType != "COMBINED_ONE_WAYS" {
					own++
				}
			}
			if pr.OfferCount != own {
				t.Errorf("%s: offerCount %d, %d of its own fares shown", provider, pr.OfferCount, own)
			}
			return
		}
	}
	t.Errorf("no provider result for %s", provider)
}

// flightKey names an offer's flights: carrier, number and departure of
// each, slice after slice.
func flightKey(segs ...[2]any) string {
	var b strings.Builder
	for _, s := range segs {
		fmt.Fprintf(&b, "%s@%s ", s[0], s[1].(time.Time).UTC().Format(time.RFC3339))
	}
	return b.String()
}

func providerKey(o providers.Offer) string {
	var segs [][2]any
	for _, sl := range o.Slices {
		for _, s := range sl.Segments {
			segs = append(segs, [2]any{s.CarrierCode + s.FlightNumber, s.DepartureAt})
		}
	}
	return flightKey(segs...)
}

func shownKey(o shownOffer) string {
	var segs [][2]any
	for _, sl := range o.Slices {
		for _, s := range sl.Segments {
			segs = append(segs, [2]any{s.CarrierCode + s.FlightNumber, s.DepartureAt})
		}
	}
	return flightKey(segs...)
}

// checkToday searches CDG-PMI for today at 10:00 in Paris: the provider
// answers flights within the 2-hour booking cut-off (and, if departed,
// flights that have left), which the rules refuse as BOOKING_CLOSED, and
// a flight landing after midnight, which they keep; searchOffers shows
// every other offer.
func (e *edgeEnv) checkToday(t *testing.T, provider string, departed bool) {
	now := apptest.Now
	today := now.In(providers.AirportLocation("CDG")).Format(time.DateOnly)
	got := e.searchProvider(t, provider, "CDG", "PMI", today)
	var left, closing, refused int
	overnight := map[string]bool{}
	for _, o := range got {
		dep, arr := o.Slices[0].DepartureAt(), o.Slices[0].Segments[len(o.Slices[0].Segments)-1].ArrivalAt
		b := e.breach(o)
		switch {
		case dep.Before(now):
			left++
		case dep.Before(now.Add(rules.DefaultBookingCutoff)):
			closing++
		}
		if dep.Before(now.Add(rules.DefaultBookingCutoff)) && (b == nil || b.Code != fault.BookingClosed) {
			t.Errorf("%s departs at %s: breach %v, want BOOKING_CLOSED", providerKey(o), dep, b)
		}
		if arr.Format(time.DateOnly) != dep.Format(time.DateOnly) {
			if b != nil {
				t.Errorf("%s lands on the next day: breach %v, want none", providerKey(o), b)
			}
			overnight[providerKey(o)] = true
		}
		if b != nil {
			refused++
		}
	}
	t.Logf("%s: %d offers, %d left, %d within the cut-off, %d landing the next day, %d refused", provider, len(got), left, closing, len(overnight), refused)
	if closing == 0 || len(overnight) == 0 || (left > 0) != departed {
		t.Fatalf("%s answers %d offers that left, %d within the cut-off, %d landing the next day", provider, left, closing, len(overnight))
	}

	res := e.shown(t, provider, "CDG", "PMI", today, "")
	if len(res.Offers) != len(got)-refused {
		t.Errorf("%d offers shown, want the provider's %d less the %d refused", len(res.Offers), len(got), refused)
	}
	for _, o := range res.Offers {
		if dep := o.Slices[0].Segments[0].DepartureAt; dep.Before(now.Add(rules.DefaultBookingCutoff)) {
			t.Errorf("shown: %s departs at %s", shownKey(o), dep)
		}
		delete(overnight, shownKey(o))
	}
	if len(overnight) > 0 {
		t.Errorf("flights landing the next day not shown: %v", overnight)
	}
	leftOut(t, res, provider, refused)
}

// checkSameDayReturn searches CDG-PMI and back on one day a month ahead:
// the provider answers returns leaving less than 60 minutes, and less
// than 2 hours, after an outbound lands. Combined one-ways of those are
// refused as CONNECTION_TOO_SHORT (a self-transfer needs 2 hours), and so
// are the provider's round-trip fares with less than 60 minutes; its
// round-trip fares with 60 minutes or more are shown.
func (e *edgeEnv) checkSameDayReturn(t *testing.T, provider string, tightFares bool) {
	const day = "2026-07-01"
	outs := e.searchProvider(t, provider, "CDG", "PMI", day)
	backs := e.searchProvider(t, provider, "PMI", "CDG", day)
	var tight, snug int
	for _, o := range outs {
		for _, b := range backs {
			ground := b.Slices[0].DepartureAt().Sub(o.Slices[0].Segments[len(o.Slices[0].Segments)-1].ArrivalAt)
			if ground < 0 || ground >= rules.DefaultMinSelfTransfer {
				continue
			}
			if ground < rules.DefaultMinConnection {
				tight++
			} else {
				snug++
			}
			combined := providers.Offer{FareType: providers.CombinedOneWays, Slices: []providers.Slice{o.Slices[0], b.Slices[0]},
				Parts: append(append([]providers.Part{}, o.Parts...), b.Parts...)}
			if br := e.breach(combined); br == nil || br.Code != fault.ConnectionTooShort || !strings.Contains(br.Message, "self-transfer") {
				t.Errorf("%s then %s, %s apart: breach %v, want a self-transfer CONNECTION_TOO_SHORT", providerKey(o), providerKey(b), ground, br)
			}
		}
	}
	if tight == 0 || snug == 0 {
		t.Fatalf("%s: %d returns within 60 minutes of an outbound's landing, %d within 2 hours", provider, tight, snug)
	}

	rts, err := e.adapters[provider].(providers.RoundTripSearcher).SearchRoundTrips(context.Background(), providers.RoundTripQuery{
		Outbound:   providers.OriginDestination{Origin: "CDG", Destination: "PMI", Date: day},
		Return:     providers.OriginDestination{Origin: "PMI", Destination: "CDG", Date: day},
		Passengers: providers.Passengers{Adults: 1}, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	var short, oneTicket, refusedFares, refused int
	for _, o := range append(append(outs, backs...), rts...) {
		if e.breach(o) != nil {
			refused++
		}
	}
	for _, o := range rts {
		out := o.Slices[0].Segments
		ground := o.Slices[1].DepartureAt().Sub(out[len(out)-1].ArrivalAt)
		b := e.breach(o)
		switch {
		case ground < rules.DefaultMinConnection:
			short++
			if b == nil || b.Code != fault.ConnectionTooShort {
				t.Errorf("round-trip fare %s, %s apart: breach %v, want CONNECTION_TOO_SHORT", providerKey(o), ground, b)
			}
		case ground < rules.DefaultMinSelfTransfer:
			oneTicket++
			if b != nil {
				t.Errorf("round-trip fare %s, %s apart: breach %v, want none (one ticket)", providerKey(o), ground, b)
			}
		}
		if b != nil {
			refusedFares++
		}
	}
	t.Logf("%s: %d outbounds, %d returns, %d round-trip fares; %d returns within 60 minutes, %d within 2 hours; fares: %d within 60 minutes, %d within 2 hours",
		provider, len(outs), len(backs), len(rts), tight, snug, short, oneTicket)
	if tightFares != (short > 0 && oneTicket > 0) {
		t.Fatalf("%s: %d round-trip fares with less than 60 minutes between the flights, %d with less than 2 hours", provider, short, oneTicket)
	}

	res := e.shown(t, provider, "CDG", "PMI", day, day)
	fares := 0
	for _, o := range res.Offers {
		switch o.FareType {
		case "ROUND_TRIP":
			fares++
			if o.turnaround() < rules.DefaultMinConnection {
				t.Errorf("shown: round-trip fare %s, %s apart", shownKey(o), o.turnaround())
			}
			if o.turnaround() < rules.DefaultMinSelfTransfer {
				oneTicket--
			}
		case "COMBINED_ONE_WAYS":
			if !o.SelfTransfer || o.turnaround() < rules.DefaultMinSelfTransfer {
				t.Errorf("shown: combined one-ways %s, %s apart, selfTransfer %v", shownKey(o), o.turnaround(), o.SelfTransfer)
			}
		}
	}
	if fares != len(rts)-refusedFares {
		t.Errorf("%d round-trip fares shown, want the provider's %d less the %d refused", fares, len(rts), refusedFares)
	}
	if oneTicket != 0 {
		t.Errorf("%d round-trip fares less than 2 hours apart not shown", oneTicket)
	}
	leftOut(t, res, provider, refused)
}

// TestCitizenPlaneEdgeCasesAreFiltered: CitizenPlane's simulator answers
// flights within the booking cut-off, flights landing the next day and
// tight same-day returns in the default mode (it does not sell a flight
// that has left, and its round-trip fares leave at least 2 hours between
// the flights), and searchOffers shows what the rules allow.
func TestCitizenPlaneEdgeCasesAreFiltered(t *testing.T) {
	e := newEdgeEnv(t)
	t.Run("today", func(t *testing.T) { e.checkToday(t, "citizenplane", false) })
	t.Run("same-day return", func(t *testing.T) { e.checkSameDayReturn(t, "citizenplane", false) })
}

// TestLiteAPIEdgeCasesAreFiltered: LiteAPI's simulator answers flights
// that have left today, flights within the booking cut-off, flights
// landing the next day, tight same-day returns and round-trip fares on
// them in the default mode, and searchOffers shows what the rules allow.
func TestLiteAPIEdgeCasesAreFiltered(t *testing.T) {
	e := newEdgeEnv(t)
	t.Run("today", func(t *testing.T) { e.checkToday(t, "liteapi", true) })
	t.Run("same-day return", func(t *testing.T) { e.checkSameDayReturn(t, "liteapi", true) })
}
