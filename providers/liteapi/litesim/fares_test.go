package litesim

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
)

// TestSplit: base, taxes and fees are never negative and never more than
// the price, for any price.
func TestSplit(t *testing.T) {
	for _, cents := range []int64{0, 1, 2, 3, 4, 10, 99, 103, 104, 999, 8999, 123456789} {
		base, taxes, fees := Split(cents)
		if base < 0 || taxes < 0 || fees < 0 || base+taxes+fees > cents {
			t.Errorf("Split(%d) = %d, %d, %d", cents, base, taxes, fees)
		}
	}
}

// TestSimulatorQuote: prices add up as the simulator documents them.
func TestSimulatorQuote(t *testing.T) {
	it := itinerary{adult: 10099, flex: true, bagFee: 3500}
	back := itinerary{adult: 8999, flex: true, bagFee: 3299}
	pax := providers.Passengers{Adults: 2, Children: 1, Infants: 1}
	flex, _ := familyNamed("Flex")
	tests := []struct {
		name string
		q    quote
		want [4]int64 // adult, child, infant, total
	}{
		{"basic one way", newQuote([]itinerary{it}, families[0], pax), [4]int64{10099, 7574, 1010, 10099*2 + 7574 + 1010}},
		{"flex one way", newQuote([]itinerary{it}, flex, pax), [4]int64{13634, 10226, 1363, 13634*2 + 10226 + 1363}},
		{"basic round trip", newQuote([]itinerary{it, back}, families[0], pax), [4]int64{17570, 13178, 1757, 17570*2 + 13178 + 1757}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := [4]int64{tt.q.adult, tt.q.child, tt.q.infant, tt.q.total()}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
