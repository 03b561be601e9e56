package schema

import (
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func load(t *testing.T, name, src string) *ast.Schema {
	t.Helper()
	s, err := Load(name, src)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNoUnlistedBreakingChange is the guard: schema.graphql against the
// released baseline, with CHANGELOG.md's Unreleased section.
func TestNoUnlistedBreakingChange(t *testing.T) {
	released := load(t, "released.graphql", read(t, "released.graphql"))
	cur := load(t, "schema.graphql", read(t, "../schema.graphql"))
	for _, c := range Check(released, cur, read(t, "../CHANGELOG.md")) {
		t.Errorf("breaking change not in CHANGELOG.md's Unreleased section: %s\n"+
			"add a line \"- Breaking: `%s` ...\" there, or make the change additive (deprecate, then remove in a later release)", c, c.Coordinate)
	}
}

// edit is a change to a test copy of the released schema: every old string is
// replaced by its new one, and must be there.
type edit struct {
	name     string
	pairs    []string // old, new, old, new...
	want     Change   // zero for an additive edit
	withNote bool     // the changelog lists want.Coordinate
}

func apply(t *testing.T, src string, pairs []string) string {
	t.Helper()
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(src, pairs[i]) {
			t.Fatalf("the schema no longer has %q: update the test", pairs[i])
		}
		src = strings.Replace(src, pairs[i], pairs[i+1], 1)
	}
	return src
}

// TestGuard edits a copy of the released schema (which changes only at a
// release) once per kind of break, and additively, and checks what the
// guard says with and without a changelog entry.
func TestGuard(t *testing.T) {
	base := read(t, "released.graphql")
	old := load(t, "released.graphql", base)
	cases := []edit{
		{name: "type removed", pairs: []string{"type CreditLine {", "type CreditLineGone {", "creditLine: CreditLine", "creditLine: CreditLineGone"},
			want: Change{Coordinate: "CreditLine", Kind: TypeRemoved}},
		{name: "field removed", pairs: []string{"  \"Airline record locators, once booked.\"\n  pnrs: [String!]!\n", ""},
			want: Change{Coordinate: "AirlineAddendum.pnrs", Kind: FieldRemoved}},
		{name: "input field removed", pairs: []string{"  \"A test card number; 4242424242424242 when absent.\"\n  cardNumber: String\n", ""},
			want: Change{Coordinate: "ConfirmSandboxPaymentInput.cardNumber", Kind: FieldRemoved}},
		{name: "argument removed", pairs: []string{"offers(first: Int = 20, after: String,", "offers(first: Int = 20,"},
			want: Change{Coordinate: "OfferSearch.offers(after:)", Kind: ArgumentRemoved}},
		{name: "enum value removed", pairs: []string{"  \"Total flying time, shortest first.\"\n  DURATION\n", ""},
			want: Change{Coordinate: "OfferSortKey.DURATION", Kind: EnumValueRemoved}},
		{name: "field type changed", pairs: []string{"  latencyMs: Int!", "  latencyMs: String!"},
			want: Change{Coordinate: "ProviderResult.latencyMs", Kind: TypeChanged}},
		{name: "list became scalar", pairs: []string{"  sliceIndexes: [Int!]!", "  sliceIndexes: Int!"},
			want: Change{Coordinate: "OfferPart.sliceIndexes", Kind: TypeChanged}},
		{name: "argument type changed", pairs: []string{"offerSearch(id: ID!)", "offerSearch(id: String!)"},
			want: Change{Coordinate: "Query.offerSearch(id:)", Kind: TypeChanged}},
		{name: "kind changed", pairs: []string{"type Airport {", "interface Airport {"},
			want: Change{Coordinate: "Airport", Kind: TypeChanged}},
		{name: "output may now be null", pairs: []string{"  seatsAvailable: Int!", "  seatsAvailable: Int"},
			want: Change{Coordinate: "Offer.seatsAvailable", Kind: OutputMayBeNull}},
		{name: "output list element may now be null", pairs: []string{"  \"Airline record locators.\"\n  locators: [String!]!", "  \"Airline record locators.\"\n  locators: [String]!"},
			want: Change{Coordinate: "Booking.locators", Kind: OutputMayBeNull}},
		{name: "input now required", pairs: []string{"  returnDate: Date\n  passengers", "  returnDate: Date!\n  passengers"},
			want: Change{Coordinate: "SearchOffersInput.returnDate", Kind: InputRequired}},
		{name: "argument now required", pairs: []string{"offers(first: Int = 20, after: String,", "offers(first: Int = 20, after: String!,"},
			want: Change{Coordinate: "OfferSearch.offers(after:)", Kind: InputRequired}},
		{name: "required argument added", pairs: []string{"booking(id: ID!): Booking", "booking(id: ID!, provider: String!): Booking"},
			want: Change{Coordinate: "Query.booking(provider:)", Kind: RequiredAdded}},
		{name: "required input field added", pairs: []string{"input MetadataEntryInput {\n", "input MetadataEntryInput {\n  scope: String!\n"},
			want: Change{Coordinate: "MetadataEntryInput.scope", Kind: RequiredAdded}},
		{name: "interface dropped", pairs: []string{"type Booking implements Node {", "type Booking {"},
			want: Change{Coordinate: "Booking", Kind: TypeChanged}},

		{name: "additive: type, field, optional argument and input field, enum value, deprecation", pairs: []string{
			"type CreditLine {", "type Extra {\n  n: Int\n}\n\ntype CreditLine {",
			"booking(id: ID!): Booking", "booking(id: ID!, provider: String, fresh: Boolean! = false): Booking",
			"input MetadataEntryInput {\n", "input MetadataEntryInput {\n  scope: String\n  weight: Int! = 1\n",
			"  DURATION\n", "  DURATION\n  SEATS\n",
			"  seatsAvailable: Int!", "  seatsAvailable: Int! @deprecated(reason: \"Use seats.\")\n  seats: Int",
			"  \"Why the status is not OK, safe to show.\"\n  message: String", "  \"Why the status is not OK, safe to show.\"\n  message: String!",
			"  \"A test card number; 4242424242424242 when absent.\"\n  cardNumber: String", "  \"A test card number; 4242424242424242 when absent.\"\n  cardNumber: String @deprecated(reason: \"Gone soon.\")",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cur := load(t, "edited.graphql", apply(t, base, c.pairs))
			got := Breaking(old, cur)
			if c.want == (Change{}) {
				if len(got) > 0 {
					t.Fatalf("an additive edit is reported as breaking: %v", got)
				}
				return
			}
			found := false
			for _, g := range got {
				if g.Coordinate == c.want.Coordinate && g.Kind == c.want.Kind {
					found = true
				}
			}
			if !found {
				t.Fatalf("got %v, want %s: %s", got, c.want.Coordinate, c.want.Kind)
			}
			if len(Check(old, cur, "# Changelog\n\n## Unreleased\n\n- Added things.\n")) == 0 {
				t.Errorf("the guard passes %s without a changelog entry", c.want.Coordinate)
			}
			note := "# Changelog\n\n## Unreleased\n\n"
			for _, g := range got {
				note += "- Breaking: `" + g.Coordinate + "` changed.\n"
			}
			note += "\n## 1.0.0\n\n- Breaking: `Nothing.else` is named here.\n"
			left := Check(old, cur, note)
			for _, l := range left {
				if l.Kind != RemovedNotDeprecated {
					t.Errorf("listed in the changelog and still refused: %s", l)
				}
			}
		})
	}
}

// TestRemovalNeedsDeprecation: a field removed without a deprecation in
// the baseline is refused even with a changelog entry; deprecated in the
// baseline, it is removed with one.
func TestRemovalNeedsDeprecation(t *testing.T) {
	base := read(t, "released.graphql")
	latency := "  \"Time until the provider's last answer, in milliseconds.\"\n  latencyMs: Int!\n"
	note := "## Unreleased\n\n- Breaking: `ProviderResult.latencyMs` is removed.\n"
	cur := load(t, "edited.graphql", apply(t, base, []string{latency, ""}))
	left := Check(load(t, "released.graphql", base), cur, note)
	if len(left) != 1 || left[0].Kind != RemovedNotDeprecated || left[0].Coordinate != "ProviderResult.latencyMs" {
		t.Fatalf("got %v, want only ProviderResult.latencyMs: %s", left, RemovedNotDeprecated)
	}
	deprecated := load(t, "deprecated.graphql", apply(t, base, []string{"  latencyMs: Int!\n", "  latencyMs: Int! @deprecated(reason: \"Use latency.\")\n"}))
	if left := Check(deprecated, cur, note); len(left) > 0 {
		t.Errorf("a deprecated field removed with a changelog entry is refused: %v", left)
	}
	if left := Check(deprecated, cur, ""); len(left) != 1 || left[0].Kind != FieldRemoved {
		t.Errorf("a deprecated field removed without a changelog entry: got %v, want %s", left, FieldRemoved)
	}
}

// TestAllowedReadsOnlyUnreleasedBreakingLines: entries of released
// versions and lines that are not "- Breaking:" accept nothing.
func TestAllowedReadsOnlyUnreleasedBreakingLines(t *testing.T) {
	got := Allowed("# Changelog\n\n## Unreleased\n\n- Added `Query.x`.\n- Breaking: `A.b` and `C.d(e:)` changed; `E`.\n\n## 0.1.0\n\n- Breaking: `F.g` went.\n")
	want := map[string]bool{"A.b": true, "C.d(e:)": true, "E": true}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("%s not allowed: %v", k, got)
		}
	}
}
