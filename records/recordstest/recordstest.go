// Package recordstest holds what the golden tests of stored formats share:
// fixed, fully populated domain values (every field set, optional ones
// included, times in several offsets) and Compare, which checks an encoding
// against a golden file in the calling package's testdata directory and
// rewrites it under the -update flag.
package recordstest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current encodings")

// Compare checks the JSON document got against testdata/name. The file
// holds got indented by two spaces (so that a review reads it) with a
// final newline; indentation keeps the order and spelling of every field,
// so any change to the encoding fails the test. With -update it rewrites
// the file instead. It fails the test when got is not JSON.
func Compare(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("%s: encoding is not JSON: %v", name, err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("the encoding differs from %s: a stored or signed format changed; if that is meant, add a version (see package records) and run with -update (-want +got):\n%s", path, diff)
	}
}

// Read returns the contents of testdata/name, failing the test when it
// cannot be read.
func Read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Time is a fixed instant in UTC with nanoseconds, as stored instants are.
var Time = time.Date(2026, 5, 4, 3, 2, 1, 123456789, time.UTC)

// Money returns amount minor units of EUR.
func Money(amount int64) providers.Money { return providers.Money{Amount: amount, Currency: "EUR"} }

// Ancillary returns an extra with every field set.
func Ancillary() providers.Ancillary {
	return providers.Ancillary{
		Ref: "fl-1|bag-20", Kind: providers.CheckedBag, Description: "Checked bag 20 kg",
		Price: Money(2550), WeightKg: 20, Dimensions: "80x50x30", Segment: "VY1234",
	}
}

// Offer returns a round trip of two parts with every field set: a
// connection on the outbound slice, local times with their UTC offsets,
// child and infant prices, taxes on one part and none on the other.
func Offer() providers.Offer {
	cest, lisbon := time.FixedZone("CEST", 2*3600), time.FixedZone("WEST", 3600)
	paris, madrid := cest, cest
	out := providers.OriginDestination{Origin: "CDG", Destination: "LIS", Date: "2026-07-01"}
	back := providers.OriginDestination{Origin: "LIS", Destination: "CDG", Date: "2026-07-08"}
	px := providers.Passengers{Adults: 2, Children: 1, Infants: 1}
	child, infant := Money(9000), Money(1500)
	childTax, infantTax, changeFee := Money(1100), Money(0), Money(5000)
	return providers.Offer{
		FareType: providers.CombinedOneWays,
		Slices: []providers.Slice{
			{Segments: []providers.Segment{
				{CarrierCode: "VY", FlightNumber: "1234", Origin: "CDG", Destination: "MAD",
					DepartureAt: time.Date(2026, 7, 1, 7, 5, 0, 0, paris), ArrivalAt: time.Date(2026, 7, 1, 9, 10, 0, 0, madrid)},
				{CarrierCode: "TP", FlightNumber: "1015", Origin: "MAD", Destination: "LIS",
					DepartureAt: time.Date(2026, 7, 1, 11, 0, 0, 0, madrid), ArrivalAt: time.Date(2026, 7, 1, 11, 25, 0, 0, lisbon),
					OperatingCarrierCode: "NI"},
			}},
			{Segments: []providers.Segment{
				{CarrierCode: "TP", FlightNumber: "438", Origin: "LIS", Destination: "CDG",
					DepartureAt: time.Date(2026, 7, 8, 18, 0, 0, 0, lisbon), ArrivalAt: time.Date(2026, 7, 8, 21, 35, 0, 0, paris)},
			}},
		},
		Parts: []providers.Part{
			{Provider: "liteapi", Ref: "rate-out-1", FareType: providers.OneWay, OriginDestinations: []providers.OriginDestination{out}, Passengers: px, Total: Money(30000), Taxes: Money(4100),
				PassengerTaxes: providers.PassengerPrice{Adult: Money(1500), Child: &childTax, Infant: &infantTax},
				Fare: providers.Fare{Cabin: providers.Economy, Brand: "Flex",
					Baggage: []providers.BaggageAllowance{
						{Kind: providers.CabinBagKind, PassengerTypes: []providers.PassengerType{providers.Adult, providers.Child}, Pieces: 1, WeightKg: 8, Dimensions: "55x40x20", Description: "1 carry-on bag up to 8 kg"},
						{Kind: providers.CheckedBagKind, Pieces: 1, WeightKg: 23},
					},
					Conditions: providers.Conditions{Refundable: true, Changeable: true,
						ChangeFee: &providers.Penalty{Amount: &changeFee, Label: "Change fee (before departure)"},
						RefundFee: &providers.Penalty{Percent: "20", Label: "Refund fee (before departure)"},
						Notes:     []string{"Refundable for a fee"}}}},
			{Provider: "citizenplane", Ref: "cp-back-9", FareType: providers.OneWay, OriginDestinations: []providers.OriginDestination{back}, Passengers: px, Total: Money(21900)},
		},
		Total:          Money(51900),
		PerPassenger:   providers.PassengerPrice{Adult: Money(17700), Child: &child, Infant: &infant},
		SeatsAvailable: 4,
		Conditions:     providers.Conditions{Refundable: true, Changeable: true},
		ExpiresAt:      time.Date(2026, 5, 4, 3, 17, 1, 0, time.UTC),
	}
}

// WithoutLaterFields returns o without the fields added to the offer
// record after version 1 (additively: absent, they decode as zero), for
// comparing with what the version-1 files decode to: the operating
// carrier, the parts' taxes per passenger and fare detail, and the
// penalties and notes of the conditions.
func WithoutLaterFields(o providers.Offer) providers.Offer {
	o.Slices = slices.Clone(o.Slices)
	for i, s := range o.Slices {
		segs := slices.Clone(s.Segments)
		for j := range segs {
			segs[j].OperatingCarrierCode = ""
		}
		o.Slices[i].Segments = segs
	}
	o.Parts = slices.Clone(o.Parts)
	for i := range o.Parts {
		o.Parts[i].PassengerTaxes = providers.PassengerPrice{}
		o.Parts[i].Fare = providers.Fare{}
	}
	o.Conditions = providers.Conditions{Refundable: o.Conditions.Refundable, Changeable: o.Conditions.Changeable}
	return o
}

// Travellers returns an adult with every field set and an infant without
// the optional ones.
func Travellers() []providers.Traveller {
	return []providers.Traveller{
		{Type: providers.Adult, GivenName: "Zoë", FamilyName: "Müller", Gender: "FEMALE", DateOfBirth: "1990-02-03",
			DocumentNumber: "X1234567", DocumentExpiresOn: "2031-01-01", DocumentIssuingCountry: "DE", Nationality: "DE",
			Email: "zoe@example.com", PhoneNumber: "+4915112345678"},
		{Type: providers.Infant, GivenName: "Max", FamilyName: "Müller", Gender: "MALE", DateOfBirth: "2025-09-30",
			DocumentNumber: "Y7654321", DocumentExpiresOn: "2030-09-30", DocumentIssuingCountry: "DE", Nationality: "DE"},
	}
}

// SessionTravellers returns Travellers as a checkout session keeps them,
// with their ticketed names (package rules).
func SessionTravellers() []providers.Traveller {
	ts := Travellers()
	ts[0].TicketedGivenName, ts[0].TicketedFamilyName = "ZOE", "MUELLER"
	ts[1].TicketedGivenName, ts[1].TicketedFamilyName = "MAX", "MUELLER"
	return ts
}

// SessionContact returns Contact as a checkout session keeps it, with
// its ticketed names.
func SessionContact() providers.Contact {
	c := Contact()
	c.TicketedGivenName, c.TicketedFamilyName = "ZOE", "MUELLER"
	return c
}

// Contact returns a contact with every field set.
func Contact() providers.Contact {
	return providers.Contact{GivenName: "Zoë", FamilyName: "Müller", Email: "zoe@example.com", PhoneNumber: "+4915112345678"}
}

// Hold returns a provider hold with every field set.
func Hold() providers.Hold {
	return providers.Hold{Ref: "prebook-77", ExpiresAt: Time.Add(3 * time.Minute), Total: Money(32550), Ancillaries: []providers.Ancillary{Ancillary()}}
}
