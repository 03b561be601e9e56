package checkout

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// SeatMap is the seats a held part offers on one of its flights (LiteAPI
// lists them with the prebook, servicesAttachable; CitizenPlane documents
// no seat selection, so its parts have none).
type SeatMap struct {
	PartIndex    int
	Provider     string
	SliceIndex   int
	SegmentIndex int
	Segment      providers.Segment
	Rows         []SeatRow
}

// SeatRow is one row of a seat map, seats in column order.
type SeatRow struct {
	Number int
	Seats  []SeatOption
}

// SeatOption is one seat of a seat map: free to choose (Info.Available)
// or chosen for a passenger of the session (PassengerIndex).
type SeatOption struct {
	// ID is the seat's id in selectSeats: "part/flight/seat", like "0/VY1234/7A".
	ID             string
	Info           providers.SeatInfo
	Price          providers.Money
	PassengerIndex *int
	ref            string
	ancillary      providers.Ancillary
}

// SeatChoice is one passenger's chosen seat.
type SeatChoice struct {
	PassengerIndex int
	SeatID         string
}

// seatID is the id of a seat of part on flight.
func seatID(part int, flight, designator string) string {
	return fmt.Sprintf("%d/%s/%s", part, flight, designator)
}

// SeatMaps lists the seat maps of a held session, one per flight of
// every held part whose provider lists seats, in the order of the offer's
// slices and segments: the seats the hold offers (free) and those chosen
// for the session's passengers (taken, with the passenger). Empty before
// the hold.
func SeatMaps(sess *Session) []SeatMap {
	var out []SeatMap
	first := 0
	for pi, p := range sess.Offer.Parts {
		slices0 := first
		first += len(p.OriginDestinations)
		var hold *providers.Hold
		for i := range sess.Holds {
			if sess.Holds[i].PartIndex == pi {
				hold = &sess.Holds[i].Hold
			}
		}
		if hold == nil {
			continue
		}
		for si := slices0; si < first && si < len(sess.Offer.Slices); si++ {
			for gi, seg := range sess.Offer.Slices[si].Segments {
				flight := seg.CarrierCode + seg.FlightNumber
				m := SeatMap{PartIndex: pi, Provider: p.Provider, SliceIndex: si, SegmentIndex: gi, Segment: seg}
				seats := map[string]SeatOption{}
				for _, a := range hold.Ancillaries {
					if a.Kind == providers.Seat && a.Seat != nil && a.Segment == flight {
						seats[a.Seat.Designator] = SeatOption{ID: seatID(pi, flight, a.Seat.Designator), Info: *a.Seat, Price: a.Price, ref: a.Ref, ancillary: a}
					}
				}
				for _, sel := range sess.Selections {
					a := sel.Ancillary
					if sel.PartIndex == pi && a.Kind == providers.Seat && a.Seat != nil && a.Segment == flight {
						info := *a.Seat
						info.Available = false
						pax := sel.PassengerIndex
						seats[info.Designator] = SeatOption{ID: seatID(pi, flight, info.Designator), Info: info, Price: a.Price, PassengerIndex: &pax, ref: a.Ref, ancillary: a}
					}
				}
				if len(seats) == 0 {
					continue
				}
				m.Rows = rows(seats)
				out = append(out, m)
			}
		}
	}
	return out
}

// rows sorts seats into rows by row number, each in column order.
func rows(seats map[string]SeatOption) []SeatRow {
	var list []SeatOption
	for _, s := range seats {
		list = append(list, s)
	}
	slices.SortFunc(list, func(a, b SeatOption) int {
		return cmp.Or(cmp.Compare(a.Info.Row, b.Info.Row), cmp.Compare(a.Info.Column, b.Info.Column))
	})
	var out []SeatRow
	for _, s := range list {
		if n := len(out); n == 0 || out[n-1].Number != s.Info.Row {
			out = append(out, SeatRow{Number: s.Info.Row})
		}
		out[len(out)-1].Seats = append(out[len(out)-1].Seats, s)
	}
	return out
}

// SelectSeats chooses seats for passengers of a HELD session and attaches
// them to the provider's hold before booking (LiteAPI: POST
// /flights/prebooks/{prebookId}/services). Each seat must be on the
// session's seat maps and free, one passenger per seat and one seat per
// passenger and flight, never for an infant. The seats become SEAT cart
// lines priced as the seat map shows them, paid with the rest and captured
// only with their part's booking. A provider that then holds the part at
// another total than the seats add up to moves the session to
// PRICE_CHANGED, as a hold renewal does. A seat once attached stays with
// the hold: LiteAPI documents no call to take it off.
func (s *Service) SelectSeats(ctx context.Context, tenantID, id string, seats []SeatChoice, key string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	in := struct {
		ID    string
		Seats []SeatChoice
	}{id, seats}
	return s.idempotent(ctx, tenantID, key, "selectSeats", in, func(ctx context.Context) (*Result, error) {
		return s.selectSeats(ctx, tenantID, id, seats)
	})
}

func (s *Service) selectSeats(ctx context.Context, tenantID, id string, choices []SeatChoice) (_ *Result, err error) {
	ctx, end := s.step(ctx, "seats", id)
	defer func() { end(err) }()
	sess, ue, err := s.open(ctx, tenantID, id)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	if sess.Status == Open {
		return &Result{Session: sess, UserErrors: userErr(fault.NotHeld, "hold the checkout session first: seats are offered with the hold", "checkoutSessionId")}, nil
	}
	if run, ue, w := gate(sess, "seats"); !run {
		return &Result{Session: sess, UserErrors: ue, Warnings: w}, nil
	}
	picked, ue := checkSeats(sess, choices)
	if ue != nil {
		return &Result{Session: sess, UserErrors: ue}, nil
	}
	if ok, err := s.claim(ctx, sess, "seats"); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	from := sess.Status
	var expected, held providers.Money
	expected.Currency, held.Currency = sess.Total.Currency, sess.Total.Currency
	var done []string
	for pi := range sess.Offer.Parts {
		var mine []pickedSeat
		for _, p := range picked {
			if p.seat.ancillary.Ref != "" && partOf(p.seat.ID) == pi {
				mine = append(mine, p)
			}
		}
		if len(mine) == 0 {
			continue
		}
		h, err := s.attachSeats(ctx, sess, pi, mine)
		if err != nil {
			s.cfg.Logger.WarnContext(ctx, "attaching seats failed", "session", id, "provider", sess.Offer.Parts[pi].Provider, "err", err)
			ue = append(ue, providerUserError(sess.Offer.Parts[pi].Provider, err))
			break // the parts attached before keep their seats: recorded below
		}
		want := sess.Parts[pi].Amount
		for _, p := range mine {
			sel := Selection{PartIndex: pi, PassengerIndex: p.passenger, Quantity: 1, Ancillary: p.seat.ancillary}
			sess.Selections = append(sess.Selections, sel)
			price := p.seat.Price.Amount
			sess.Items = append(sess.Items, Item{Name: fmt.Sprintf("Seat %s on %s (passenger %d)", p.seat.Info.Designator, p.seat.ancillary.Segment, p.passenger+1),
				Quantity: 1, UnitAmount: price, Total: price, Currency: sess.Total.Currency, ProductType: string(providers.Seat), PartIndex: pi})
			sess.Parts[pi].Amount += price
			sess.Total.Amount += price
			want += price
			done = append(done, p.seat.Info.Designator)
		}
		for i := range sess.Holds {
			if sess.Holds[i].PartIndex == pi {
				sess.Holds[i].Hold = *h
			}
		}
		expected.Amount += want
		held.Amount += h.Total.Amount
	}
	release(sess)
	sess.HoldExpiresAt = earliest(sess.Holds)
	if held != expected {
		prev := sess.Total
		next := sess.Total
		next.Amount += held.Amount - expected.Amount
		sess.Status = PriceChanged
		sess.Failure = &Failure{Code: fault.PriceChanged, PreviousTotal: &prev, NewTotal: &next,
			Message: fmt.Sprintf("with the seats chosen the providers hold this trip at %s %s instead of %s %s; accept the new price (acceptPriceChange) or cancel", next.Decimal(), next.Currency, prev.Decimal(), prev.Currency)}
		if ok, err := s.move(ctx, sess, from, "price_changed", next.Decimal()); err != nil || !ok {
			return s.busy(ctx, sess, err)
		}
		return &Result{Session: sess, UserErrors: append(ue, violation(fault.PriceChanged, sess.Failure.Message, "seats"))}, nil
	}
	event := "seats_selected"
	if len(done) == 0 {
		event = "" // nothing attached: only the lease is cleared
	}
	if ok, err := s.move(ctx, sess, from, event, strings.Join(done, ",")); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess, UserErrors: ue}, nil
}

type pickedSeat struct {
	passenger int
	seat      SeatOption
}

// partOf is the part index a seat id starts with.
func partOf(id string) int {
	var pi int
	fmt.Sscanf(id, "%d/", &pi)
	return pi
}

// checkSeats validates the choices against the session's seat maps, all
// problems at once.
func checkSeats(sess *Session, choices []SeatChoice) ([]pickedSeat, []fault.Violation) {
	if len(choices) == 0 {
		return nil, userErr(fault.Required, "choose at least one seat", "seats")
	}
	byID := map[string]SeatOption{}
	flightOf := map[string]string{} // seat id → part/flight
	for _, m := range SeatMaps(sess) {
		for _, r := range m.Rows {
			for _, st := range r.Seats {
				byID[st.ID] = st
				flightOf[st.ID] = fmt.Sprintf("%d/%s%s", m.PartIndex, m.Segment.CarrierCode, m.Segment.FlightNumber)
			}
		}
	}
	seated := map[string]bool{} // passenger|part/flight
	for _, sel := range sess.Selections {
		if sel.Ancillary.Kind == providers.Seat {
			seated[fmt.Sprintf("%d|%d/%s", sel.PassengerIndex, sel.PartIndex, sel.Ancillary.Segment)] = true
		}
	}
	var out []pickedSeat
	var ue []fault.Violation
	taken := map[string]bool{}
	for i, c := range choices {
		f := func(name string) []string { return []string{"seats", fmt.Sprint(i), name} }
		if c.PassengerIndex < 0 || c.PassengerIndex >= len(sess.Passengers) {
			ue = append(ue, violation(fault.OutOfRange, fmt.Sprintf("must be between 0 and %d", len(sess.Passengers)-1), f("passengerIndex")...))
			continue
		}
		if sess.Passengers[c.PassengerIndex].Type == providers.Infant {
			ue = append(ue, violation(fault.Invalid, "infants travel on a lap: no seat of their own", f("passengerIndex")...))
			continue
		}
		st, ok := byID[c.SeatID]
		switch {
		case !ok:
			ue = append(ue, violation(fault.AncillaryNotFound, "is not a seat of this session's seat maps", f("seatId")...))
			continue
		case st.PassengerIndex != nil || !st.Info.Available:
			ue = append(ue, violation(fault.SoldOut, fmt.Sprintf("seat %s is taken", st.Info.Designator), f("seatId")...))
			continue
		case taken[c.SeatID]:
			ue = append(ue, violation(fault.Duplicate, fmt.Sprintf("seat %s is chosen twice: one passenger per seat", st.Info.Designator), f("seatId")...))
			continue
		case st.Price.Currency != sess.Total.Currency:
			ue = append(ue, violation(fault.Invalid, "the seat is priced in another currency than the session", f("seatId")...))
			continue
		}
		pax := fmt.Sprintf("%d|%s", c.PassengerIndex, flightOf[c.SeatID])
		if seated[pax] {
			ue = append(ue, violation(fault.Duplicate, fmt.Sprintf("passenger %d already has a seat on this flight", c.PassengerIndex+1), f("passengerIndex")...))
			continue
		}
		taken[c.SeatID], seated[pax] = true, true
		out = append(out, pickedSeat{passenger: c.PassengerIndex, seat: st})
	}
	return out, ue
}

// attachSeats attaches the seats to part pi's hold.
func (s *Service) attachSeats(ctx context.Context, sess *Session, pi int, seats []pickedSeat) (*providers.Hold, error) {
	part := sess.Offer.Parts[pi]
	at, err := s.cfg.Providers.Attacher(part.Provider)
	if err != nil {
		return nil, err
	}
	var hold providers.Hold
	for _, h := range sess.Holds {
		if h.PartIndex == pi {
			hold = h.Hold
		}
	}
	req := providers.AttachRequest{Part: part, Hold: hold}
	for _, p := range seats {
		req.Selections = append(req.Selections, providers.Selection{Ref: p.seat.ref, PassengerIndex: p.passenger, Quantity: 1})
	}
	pctx, cancel := s.provider(ctx)
	defer cancel()
	return at.Attach(pctx, req)
}
