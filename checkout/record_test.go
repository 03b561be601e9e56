package checkout

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records"
	"github.com/faregraph/faregraph/records/recordstest"
)

// TestStoredFormats encodes a fixed value of every format checkout stores
// and compares it with testdata/*.golden (go test -update rewrites them).
func TestStoredFormats(t *testing.T) {
	replay, err := replayRecord(fixedResult(), "")
	if err != nil {
		t.Fatal(err)
	}
	for name, rec := range map[string]any{
		"session.golden":      sessionRecord(fixedSession()),
		"replay.golden":       replay,
		"booking_data.golden": records.BookingData{Header: records.Current(), Locators: []string{"ABC123", "DEF456"}},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			recordstest.Compare(t, name, b)
		})
	}
}

// TestStoredSessionDecodes reads a session document of the current
// version (the golden file) and of version 1 (as written before documents
// carried a version) back into the same session.
func TestStoredSessionDecodes(t *testing.T) {
	want := fixedSession()
	want.Bookings = nil        // read from their own table
	want.payGateway = "stripe" // the payment_gateway column, from the payment
	for _, file := range []string{"session.golden", "session_v1.json"} {
		t.Run(file, func(t *testing.T) {
			row, err := toRow(fixedSession())
			if err != nil {
				t.Fatal(err)
			}
			row.Data = string(recordstest.Read(t, file))
			got, err := fromRow(row)
			if err != nil {
				t.Fatal(err)
			}
			want := *want
			if strings.HasSuffix(file, "_v1.json") {
				want.Offer = recordstest.WithoutLaterFields(want.Offer)
			}
			if diff := cmp.Diff(&want, got, cmp.AllowUnexported(Session{})); diff != "" {
				t.Errorf("decoded session differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReplayDecodes replays an idempotent answer stored at the current
// version (the golden file) and at version 1 as the answer first given.
func TestReplayDecodes(t *testing.T) {
	for _, file := range []string{"replay.golden", "replay_v1.json"} {
		t.Run(file, func(t *testing.T) {
			got, err := (&Service{}).replay(string(recordstest.Read(t, file)))
			if err != nil {
				t.Fatal(err)
			}
			want := fixedResult()
			if strings.HasSuffix(file, "_v1.json") {
				want.Session.Offer = recordstest.WithoutLaterFields(want.Session.Offer)
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(Session{})); diff != "" {
				t.Errorf("replayed answer differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnknownVersionIsAnError: a build never guesses at a format it does
// not know.
func TestUnknownVersionIsAnError(t *testing.T) {
	row, err := toRow(fixedSession())
	if err != nil {
		t.Fatal(err)
	}
	row.Data = `{"v":99,"offerId":"x"}`
	if _, err := fromRow(row); err == nil {
		t.Error("a session document of version 99 decoded")
	}
}

// TestRequestHashIsStable guards the hash an idempotency key stores of
// its request: a repeat after a deploy must hash the same, or it would be
// refused as IDEMPOTENCY_KEY_REUSED. The hash covers the input's JSON (Go
// field names, and providers.Traveller's and Contact's json tags).
func TestRequestHashIsStable(t *testing.T) {
	n := 7200
	in := CreateInput{OfferID: "Offer.payload.mac", Passengers: recordstest.Travellers(), Contact: recordstest.Contact(),
		Ancillaries: []AncillaryChoice{{ID: "Ancillary.p.m", PassengerIndex: 1, Quantity: 2}}, ExpiresIn: &n, Metadata: map[string]string{"order": "o-42"}}
	const want = "1b17b36b0e628e005a9de443938cee402714c4fee663d22367cc4890d6cbe0fb"
	if got := requestHash("createCheckoutSession", in); got != want {
		t.Errorf("request hash = %s, want %s: the JSON of CreateInput changed, so stored idempotency keys no longer match their repeats", got, want)
	}
}

// TestBookingStatusStoredBritish: a booking row stored when a canceled
// booking's status was spelled CANCELLED reads as BookingCanceled.
func TestBookingStatusStoredBritish(t *testing.T) {
	for stored, want := range map[string]providers.BookingStatus{
		"CANCELLED": providers.BookingCanceled,
		"CANCELED":  providers.BookingCanceled,
		"CONFIRMED": providers.BookingConfirmed,
	} {
		if got := bookingFromRow(db.BookingRow{Status: stored, Data: "{}"}).Status; got != want {
			t.Errorf("stored %s reads as %s, want %s", stored, got, want)
		}
	}
}
