package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

var paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
	if err != nil {
		panic(err)
	}
	return t
}

func seg(num, from, to, dep, arr string) providers.Segment {
	return providers.Segment{CarrierCode: "5O", FlightNumber: num, Origin: from, Destination: to, DepartureAt: at(dep), ArrivalAt: at(arr)}
}

// offer is one slice per segment list; parts are given as leg counts.
func offer(parts []int, slices ...[]providers.Segment) providers.Offer {
	var o providers.Offer
	for _, s := range slices {
		o.Slices = append(o.Slices, providers.Slice{Segments: s})
	}
	for i, n := range parts {
		o.Parts = append(o.Parts, providers.Part{Provider: "p", Ref: string(rune('a' + i)), OriginDestinations: make([]providers.OriginDestination, n)})
	}
	return o
}

func TestNames(t *testing.T) {
	for _, c := range []struct {
		raw, normal, ticketed string
		code                  fault.Code
	}{
		{"Аня", "Аня", "ANIA", ""},
		{"Мартин", "Мартин", "MARTIN", ""},
		{"Щербаков-Ъ", "Щербаков-Ъ", "SHCHERBAKOV IE", ""},
		{"D’Angelo", "D'Angelo", "DANGELO", ""},
		{"Dʼ Angelo", "D' Angelo", "D ANGELO", ""},
		{"Ana" + strings.Repeat(" ", 10000), "Ana", "ANA", ""},
		{"  Jean   \t Pierre ", "Jean Pierre", "JEAN PIERRE", ""},
		{"Müller", "Müller", "MUELLER", ""},
		{"Ångström", "Ångström", "AANGSTROEM", ""},
		{"Łukasz Żółć", "Łukasz Żółć", "LUKASZ ZOLC", ""},
		{"Nguyễn", "Nguyễn", "NGUYEN", ""},
		{"Stra\u0301", "Strá", "STRA", ""},
		{"Straße", "Straße", "STRASSE", ""},
		{"STRAẞE", "STRAẞE", "STRASSE", ""},
		{"ẞ", "ẞ", "SS", ""},
		{"Nguye\u0302\u0303n", "Nguyễn", "NGUYEN", ""},
		{"A\u0301\u0302\u0303\u0304", "\u00c1\u0302\u0303\u0304", "A", ""},
		{"A" + strings.Repeat("\u0301", 5), "", "", fault.Invalid},
		{"A" + strings.Repeat("\u0301", 3000), "", "", fault.Invalid},
		{"Zoe" + strings.Repeat("\u0301", 31), "", "", fault.Invalid},
		{"Ana\u034fMaria", "", "", fault.Invalid},
		{"Ana\u200dMaria", "", "", fault.Invalid},
		{"Ana\u200bMaria", "", "", fault.Invalid},
		{"Ana\u00adMaria", "", "", fault.Invalid},
		{"Ana\ufe0f", "", "", fault.Invalid},
		{"St. John", "St. John", "ST JOHN", ""},
		{".", "", "", fault.Invalid},
		{"-", "", "", fault.Invalid},
		{"'", "", "", fault.Invalid},
		{"   ", "", "", fault.Required},
		{"R2D2", "", "", fault.Invalid},
		{"Σοφία", "", "", fault.Invalid},
		{"王", "", "", fault.Invalid},
		{strings.Repeat("a", 105), "", "", fault.TooLong},
		{strings.Repeat("a", 60), strings.Repeat("a", 60), strings.Repeat("A", 60), ""},
		{strings.Repeat("ä", 31), "", "", fault.TooLong}, // 62 ticketed
		{strings.Repeat("a", 256), "", "", fault.TooLong},
	} {
		normal, ticketed, v := Name(c.raw, DefaultNameMaxLength, []string{"input", "x"})
		var code fault.Code
		if v != nil {
			code = v.Code
			if !slices.Equal(v.Field, []string{"input", "x"}) || v.Message == "" {
				t.Errorf("Name(%.20q) violation %+v: want the field and a message", c.raw, v)
			}
		}
		if normal != c.normal || ticketed != c.ticketed || code != c.code {
			t.Errorf("Name(%.20q) = %q, %q, %q; want %q, %q, %q", c.raw, normal, ticketed, code, c.normal, c.ticketed, c.code)
		}
	}
}

func TestItinerary(t *testing.T) {
	lim := Defaults()
	now := at("2027-03-12 19:01")
	out := []providers.Segment{seg("1", "CDG", "PMI", "2027-03-12 09:45", "2027-03-12 11:50")}
	back := []providers.Segment{seg("2", "PMI", "CDG", "2027-03-12 09:35", "2027-03-12 11:40")}
	lateBack := []providers.Segment{seg("3", "PMI", "CDG", "2027-03-12 13:00", "2027-03-12 15:00")}
	for _, c := range []struct {
		name string
		o    providers.Offer
		now  time.Time
		want fault.Code
	}{
		{"departed earlier today", offer([]int{1}, out), now, fault.BookingClosed},
		{"within the cut-off", offer([]int{1}, out), at("2027-03-12 07:46"), fault.BookingClosed},
		{"just at the cut-off", offer([]int{1}, out), at("2027-03-12 07:45"), ""},
		{"round-trip fare returning before the outbound lands", offer([]int{2}, out, back), at("2027-03-01 00:00"), fault.ConnectionTooShort},
		{"round-trip fare turning around in 70 minutes", offer([]int{2}, out, lateBack), at("2027-03-01 00:00"), ""},
		{"self-transfer turning around in 70 minutes", offer([]int{1, 1}, out, lateBack), at("2027-03-01 00:00"), fault.ConnectionTooShort},
		{"connection of 30 minutes", offer([]int{1}, []providers.Segment{
			seg("4", "CDG", "BCN", "2027-03-12 09:00", "2027-03-12 10:45"), seg("5", "BCN", "PMI", "2027-03-12 11:15", "2027-03-12 12:10")}),
			at("2027-03-01 00:00"), fault.ConnectionTooShort},
		{"landing before departing", offer([]int{1}, []providers.Segment{seg("6", "CDG", "PMI", "2027-03-12 09:00", "2027-03-12 09:00")}),
			at("2027-03-01 00:00"), fault.ConnectionTooShort},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got fault.Code
			if b := Itinerary(c.o, lim, c.now); b != nil {
				got = b.Code
				if b.Message == "" {
					t.Error("no message")
				}
			}
			if got != c.want {
				t.Errorf("Itinerary = %q, want %q", got, c.want)
			}
		})
	}
	if !SelfTransfer(offer([]int{1, 1}, out, lateBack)) || SelfTransfer(offer([]int{2}, out, lateBack)) {
		t.Error("SelfTransfer: two parts are a self-transfer, one round-trip part is not")
	}
}

func traveller(typ providers.PassengerType, given, dob, doc string) providers.Traveller {
	return providers.Traveller{Type: typ, GivenName: given, FamilyName: "Martin", Gender: "FEMALE", DateOfBirth: providers.Date(dob),
		DocumentNumber: doc, DocumentExpiresOn: "2035-01-01", DocumentIssuingCountry: "FR", Nationality: "FR"}
}

func TestTravellers(t *testing.T) {
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	oneWay := offer([]int{1}, []providers.Segment{seg("1", "CDG", "PMI", "2027-03-12 09:45", "2027-03-12 11:50")})
	trip := offer([]int{2}, []providers.Segment{seg("1", "CDG", "PMI", "2027-03-12 09:45", "2027-03-12 11:50")},
		[]providers.Segment{seg("2", "PMI", "CDG", "2027-03-20 13:00", "2027-03-20 15:00")})
	cp := For(providers.Limits{NameMaxLength: 60, DocumentMinLength: 5, DocumentMaxLength: 20})
	for _, c := range []struct {
		name  string
		ps    []providers.Traveller
		o     providers.Offer
		lim   providers.Limits
		field string
		code  fault.Code
	}{
		{"a lap infant with a 12-year-old as its only adult", []providers.Traveller{
			traveller(providers.Adult, "Ana", "2014-06-01", "AB12345"), traveller(providers.Infant, "Bo", "2026-06-01", "CD12345")},
			oneWay, Defaults(), "input.passengers.1", fault.PassengerMix},
		{"two infants, one adult", []providers.Traveller{
			traveller(providers.Adult, "Ana", "1980-06-01", "AB12345"), traveller(providers.Infant, "Bo", "2026-06-01", "CD12345"),
			traveller(providers.Infant, "Cy", "2026-06-01", "EF12345")},
			oneWay, Defaults(), "input.passengers.2", fault.PassengerMix},
		{"an infant turning 2 before the return", []providers.Traveller{
			traveller(providers.Adult, "Ana", "1980-06-01", "AB12345"), traveller(providers.Infant, "Bo", "2025-03-15", "CD12345")},
			trip, Defaults(), "input.passengers.1.dateOfBirth", fault.PassengerMix},
		{"a child turning 12 before the return", []providers.Traveller{
			traveller(providers.Adult, "Ana", "1980-06-01", "AB12345"), traveller(providers.Child, "Bo", "2015-03-15", "CD12345")},
			trip, Defaults(), "input.passengers.1.dateOfBirth", fault.PassengerMix},
		{"the same traveller twice by name and birth", []providers.Traveller{
			traveller(providers.Adult, "Ana", "1980-06-01", "AB12345"), traveller(providers.Adult, "ana", "1980-06-01", "XY98765")},
			oneWay, Defaults(), "input.passengers.1", fault.Duplicate},
		{"the same passport twice", []providers.Traveller{
			traveller(providers.Adult, "Ana", "1980-06-01", "AB12345"), traveller(providers.Adult, "Eva", "1982-06-01", "ab12345")},
			oneWay, Defaults(), "input.passengers.1.document.number", fault.Duplicate},
		{"a 50-character passport on CitizenPlane", []providers.Traveller{
			traveller(providers.Adult, "Ana", "1980-06-01", strings.Repeat("A", 50))},
			oneWay, cp, "input.passengers.0.document.number", fault.TooLong},
		{"a 4-character passport on CitizenPlane", []providers.Traveller{
			traveller(providers.Adult, "Ana", "1980-06-01", "AB12")},
			oneWay, cp, "input.passengers.0.document.number", fault.Invalid},
		{"a 200-letter given name on CitizenPlane", []providers.Traveller{
			traveller(providers.Adult, strings.Repeat("a", 200), "1980-06-01", "AB12345")},
			oneWay, cp, "input.passengers.0.givenName", fault.TooLong},
		{"a passport expiring the day the trip ends", []providers.Traveller{
			func() providers.Traveller {
				p := traveller(providers.Adult, "Ana", "1980-06-01", "AB12345")
				p.DocumentExpiresOn = "2027-03-20"
				return p
			}()},
			trip, Defaults(), "input.passengers.0.document.expiresOn", fault.Invalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, vs := Travellers(c.ps, c.o, c.lim, today)
			if len(vs) != 1 || fault.Dotted(vs[0].Field) != c.field || vs[0].Code != c.code {
				t.Fatalf("violations = %+v, want one %s on %s", vs, c.code, c.field)
			}
		})
	}

	ok := []providers.Traveller{traveller(providers.Adult, "Аня", "1980-06-01", "AB12345"), traveller(providers.Infant, "Bo", "2025-03-21", "CD12345")}
	got, vs := Travellers(ok, trip, Defaults(), today)
	if len(vs) != 0 {
		t.Fatalf("violations = %+v, want none", vs)
	}
	if got[0].GivenName != "Аня" || got[0].TicketedGivenName != "ANIA" || got[0].TicketedFamilyName != "MARTIN" {
		t.Errorf("names = %+v", got[0])
	}
	if tk := got[0].Ticketed(); tk.GivenName != "ANIA" || tk.FamilyName != "MARTIN" {
		t.Errorf("Ticketed() = %+v", tk)
	}
}

// TestMessagesNamePassengersAsTheFields: a message that refers to another
// traveller names it by the index the client sent, as userErrors.field
// does (passengers[0] is input.passengers.0), never counting from 1.
func TestMessagesNamePassengersAsTheFields(t *testing.T) {
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	oneWay := offer([]int{1}, []providers.Segment{seg("1", "CDG", "PMI", "2027-03-12 09:45", "2027-03-12 11:50")})
	for _, c := range []struct {
		ps   []providers.Traveller
		want string
	}{
		{[]providers.Traveller{traveller(providers.Adult, "Ana", "1980-06-01", "AB12345"), traveller(providers.Adult, "Ana", "1980-06-01", "XY98765")}, "same traveller as passengers[0] "},
		{[]providers.Traveller{traveller(providers.Adult, "Ana", "1980-06-01", "AB12345"), traveller(providers.Adult, "Eva", "1982-06-01", "AB12345")}, "same document number as passengers[0]:"},
		{[]providers.Traveller{traveller(providers.Adult, "Ana", "2014-06-01", "AB12345"), traveller(providers.Infant, "Bo", "2026-06-01", "CD12345")}, "(passengers[0] is under 16"},
	} {
		_, vs := Travellers(c.ps, oneWay, Defaults(), today)
		if len(vs) == 0 || !strings.Contains(vs[len(vs)-1].Message, c.want) {
			t.Errorf("violations %+v, want a message with %q", vs, c.want)
		}
	}
	bag := Extra{Provider: "citizenplane", Kind: providers.CheckedBag, Passenger: 0, Quantity: 2}
	if vs := Extras([]Extra{bag}, func(string) providers.Limits { return providers.Limits{} }); len(vs) != 1 || !strings.HasPrefix(vs[0].Message, "passengers[0] would take 2") {
		t.Errorf("extras: %+v", vs)
	}
}

func TestExtras(t *testing.T) {
	bag := Extra{Provider: "citizenplane", Part: 0, Ref: "4014831:checked:0", Kind: providers.CheckedBag, Passenger: 0, Quantity: 9}
	var es []Extra
	for range 20 {
		es = append(es, bag)
	}
	none := func(string) providers.Limits { return providers.Limits{} }
	if vs := Extras(es, none); len(vs) != 20 || fault.Dotted(vs[19].Field) != "input.ancillaries.19.quantity" || vs[0].Code != fault.OutOfRange {
		t.Errorf("20 × 9 bags: %d violations, want 20 on quantity: %+v", len(vs), vs)
	}
	one := bag
	one.Quantity = 1
	if vs := Extras([]Extra{one}, none); len(vs) != 0 {
		t.Errorf("one bag: %+v", vs)
	}
	if vs := Extras([]Extra{one, one}, none); len(vs) != 1 {
		t.Errorf("the same bag twice: %+v, want one violation", vs)
	}
	three := bag
	three.Quantity = 3
	if vs := Extras([]Extra{three}, func(string) providers.Limits { return providers.Limits{MaxBagQuantity: 3} }); len(vs) != 0 {
		t.Errorf("3 bags where 3 are allowed: %+v", vs)
	}
	seat := Extra{Provider: "liteapi", Ref: "s", Kind: providers.Seat, Quantity: 2}
	if vs := Extras([]Extra{seat}, func(string) providers.Limits { return providers.Limits{MaxBagQuantity: 3} }); len(vs) != 1 {
		t.Errorf("two seats: %+v", vs)
	}
}

func TestFor(t *testing.T) {
	l := For(providers.Limits{BookingCutoff: time.Hour, NameMaxLength: 30, DocumentMinLength: 5, DocumentMaxLength: 20, InfantAdultMinAge: 18},
		providers.Limits{BookingCutoff: 3 * time.Hour, NameMaxLength: 80})
	want := Defaults()
	want.BookingCutoff, want.NameMaxLength, want.DocumentMinLength, want.DocumentMaxLength, want.InfantAdultMinAge = 3*time.Hour, 30, 5, 20, 18
	if l != want {
		t.Errorf("For = %+v, want %+v", l, want)
	}
}
