package litesim

import (
	"fmt"
	"strconv"

	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// SeatsPerSegment is how many seats a prebook lists per flight.
const SeatsPerSegment = 4

// seatCandidates is the length of a flight's seat list.
const seatCandidates = 4 * SeatsPerSegment

// seatOptions is, per flight of the prebook, its deterministic list of
// seats for sale, taken or not.
func (s *Simulator) seatOptions(p *prebook) [][]wire.Service {
	var out [][]wire.Service
	for _, it := range p.q.its {
		for _, f := range it.flights {
			var list []wire.Service
			seen := map[string]bool{}
			for i := range seatCandidates {
				sv := s.seatService(p.journeyKey, p.q.cur, f, i)
				if n := sv.Metadata.Seat.SeatNumber; !seen[n] {
					seen[n] = true
					list = append(list, sv)
				}
			}
			out = append(out, list)
		}
	}
	return out
}

// seatService is the i-th seat of a flight's deterministic list: window
// and aisle seats cost more than middle ones, rows 1, 12 and 13 have
// extra legroom. Prices are set in EUR and shown in cur, the prebook's
// currency.
func (s *Simulator) seatService(journey, cur string, f flight, i int) wire.Service {
	h := s.inv.hash("seat", f.key, strconv.Itoa(i))
	row := 1 + int(h%30)
	col := "ABCDEF"[(h>>8)%6]
	number := fmt.Sprintf("%d%c", row, col)
	pos, cents := "middle", int64(799)
	switch col {
	case 'A', 'F':
		pos, cents = "window", 1299
	case 'C', 'D':
		pos, cents = "aisle", 1099
	}
	kind := "standard"
	if row == 1 || row == 12 || row == 13 {
		kind, cents = "extra_legroom", cents+1000
	}
	price := FromEUR(cents, cur)
	id := s.sign(serviceToken{Journey: journey, Kind: wire.CategorySeat, Segment: f.key, Seat: number, Price: price, Cur: tokenCurrency(cur)})
	return wire.Service{ServiceID: id, Name: "Seat " + number, Category: wire.CategorySeat, PassengerType: "ALL", SegmentKey: f.key,
		Pricing: wire.BagPricing{Display: wire.Amount{Amount: amountIn(price, cur), Currency: cur}},
		Metadata: &wire.ServiceMetadata{Seat: &wire.SeatMetadata{Available: new(true), Position: pos, SeatColumn: string(col),
			SeatNumber: number, SeatRow: row, SeatType: kind}}}
}
