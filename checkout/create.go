package checkout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/rules"
	"github.com/faregraph/faregraph/search"
)

// Create validates in and opens a checkout session for the tenant. Every
// rule is checked before any provider call; then the price is re-checked
// live with each part's provider. Problems the caller can fix come back
// as user errors, all at once.
func (s *Service) Create(ctx context.Context, tenantID string, in CreateInput) (*Result, error) {
	key := in.IdempotencyKey
	in.IdempotencyKey = ""
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "createCheckoutSession", in, func(ctx context.Context) (*Result, error) {
		return s.create(ctx, tenantID, in)
	})
}

func (s *Service) create(ctx context.Context, tenantID string, in CreateInput) (_ *Result, err error) {
	ctx, end := s.step(ctx, "create", "")
	defer func() { end(err) }()
	now := s.now()
	var c checker
	off, err := s.cfg.Offers.DecodeOffer(in.OfferID)
	switch {
	case errors.Is(err, search.ErrOfferExpired):
		c.add(fault.OfferExpired, "the offer has expired; search again", "offerId")
	case err != nil:
		c.add(fault.OfferNotFound, "is not an offer id", "offerId")
	}
	// The limits of the offer's providers when it is one, the defaults
	// otherwise, so that the contact is checked either way.
	lim := rules.For()
	if off != nil && err == nil {
		lim = s.limits(off.Offer)
	}
	contact := c.contact(in.Contact, lim)
	c.metadata(in.Metadata, in.RepeatedMetadataKeys)
	c.expiresIn(in.ExpiresIn)
	if off == nil || err != nil {
		return &Result{UserErrors: c.errs}, nil
	}
	offer := off.Offer
	if b := rules.Itinerary(offer, lim, now); b != nil {
		c.add(b.Code, b.Message, "offerId")
	}
	passengers := c.passengers(in.Passengers, offer, lim, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC))
	sels := s.selections(&c, in, offer)
	defaults, err := s.tenants.Settlements(ctx, s.cfg.DB, tenantID)
	if err != nil {
		return nil, err
	}
	settlements := s.settlements(&c, in.Settlements, defaults, offer)
	if len(c.errs) > 0 {
		return &Result{UserErrors: c.errs}, nil
	}
	if ue, err := s.recheck(ctx, offer); err != nil || ue != nil {
		return &Result{UserErrors: ue}, err
	}

	partial := in.PartialBooking
	switch partial {
	case "":
		partial = ForbidPartial
	case AllowPartial, ForbidPartial:
	default:
		return &Result{UserErrors: userErr(fault.Invalid, "must be ALLOW or FORBID", "partialBooking")}, nil
	}
	expiresIn := minExpiresIn
	if in.ExpiresIn != nil {
		expiresIn = *in.ExpiresIn
	}
	sess := &Session{
		ID: newID("cs_"), TenantID: tenantID, Status: Open,
		OfferID: in.OfferID, Offer: offer, Passengers: passengers, Contact: contact,
		Selections: sels, Metadata: in.Metadata, PartialBooking: partial,
		GroupIdentifier: newID("grp_"), ExpiresAt: now.Add(time.Duration(expiresIn) * time.Second),
		CreatedAt: now, UpdatedAt: now,
	}
	sess.Items, sess.Parts, sess.Total = cart(offer, sels)
	for i := range sess.Parts {
		if settlements[i] != providers.Merchant {
			sess.Parts[i].Settlement = settlements[i] // "" is MERCHANT (settlementOf)
		}
	}
	sess.Airline = addendum(offer)
	// Each part's reference now, so that a one-step checkout answers them
	// (Wink's bookingCodes); its booking keeps it. They are reserved in
	// the session's own transaction: a reference drawn before (1 in 2^30)
	// rolls it back and the session is written again with others.
	for range 10 {
		for i := range sess.Parts {
			sess.Parts[i].Reference = drawReference()
		}
		row, err := toRow(sess)
		if err != nil {
			return nil, err
		}
		first, last, committed, err := s.answerWith(answering(ctx, "create"), sess, row.Data)
		if err != nil {
			return nil, err
		}
		reserve := func(ctx context.Context, tx bun.Tx) error {
			for i, p := range sess.Parts {
				if ref, ok, err := s.sessions.ReserveReference(ctx, tx, sess.ID, i, p.Reference, now); err != nil || !ok || ref != p.Reference {
					return cmp.Or(err, errReferenceTaken)
				}
			}
			if first != nil {
				return first(ctx, tx)
			}
			return nil
		}
		err = s.sessions.InsertSessionAlso(ctx, s.cfg.DB, row, "created", reserve, last)
		if errors.Is(err, errReferenceTaken) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sess.Version = row.Version
		committed(true)
		return &Result{Session: sess}, nil
	}
	return nil, fmt.Errorf("checkout: no free booking references for %s", sess.ID)
}

// drawReference draws a new session's references (newReference; tests
// replace it to draw one that is taken).
var drawReference = newReference

// errReferenceTaken: a booking reference drawn for a new session was
// handed out before.
var errReferenceTaken = errors.New("checkout: booking reference taken")

// selections opens the chosen ancillaries and ties each to its part.
func (s *Service) selections(c *checker, in CreateInput, offer providers.Offer) []Selection {
	var out []Selection
	var extras []rules.Extra
	for i, ch := range in.Ancillaries {
		f := func(name string) []string { return []string{"ancillaries", fmt.Sprint(i), name} }
		a, err := s.cfg.Offers.DecodeAncillary(ch.ID)
		if err != nil {
			c.add(fault.AncillaryNotFound, "is not an ancillary id", f("ancillaryId")...)
			continue
		}
		part := -1
		for pi, p := range offer.Parts {
			if p.Provider == a.Provider && p.Ref == a.PartRef {
				part = pi
			}
		}
		if part < 0 {
			c.add(fault.AncillaryNotFound, "is not an ancillary of this offer", f("ancillaryId")...)
			continue
		}
		if a.Price.Currency != offer.Total.Currency {
			c.add(fault.Invalid, "is priced in another currency than the offer", f("ancillaryId")...)
		}
		if ch.PassengerIndex < 0 || ch.PassengerIndex >= len(in.Passengers) {
			c.add(fault.OutOfRange, fmt.Sprintf("must be between 0 and %d", len(in.Passengers)-1), f("passengerIndex")...)
		} else if in.Passengers[ch.PassengerIndex].Type == providers.Infant && a.Kind != providers.CabinBag {
			c.add(fault.Invalid, "infants travel on a lap: no seat or checked bag of their own", f("passengerIndex")...)
		}
		extras = append(extras, rules.Extra{Provider: a.Provider, Part: part, Ref: a.Ref, Kind: a.Kind, Passenger: ch.PassengerIndex, Quantity: ch.Quantity})
		out = append(out, Selection{PartIndex: part, PassengerIndex: ch.PassengerIndex, Quantity: ch.Quantity, Ancillary: a.Ancillary})
	}
	c.errs = append(c.errs, rules.Extras(extras, s.cfg.Providers.Limits)...)
	return out
}

// limits are the rules' limits in force for offer: the defaults
// tightened by its providers' own (rules.Of).
func (s *Service) limits(offer providers.Offer) providers.Limits {
	return rules.Of(offer, s.cfg.Providers.Limits)
}

// recheck asks every part's provider for the live price: a part no longer
// sold, or sold at another price, is a user error; a provider that cannot
// answer is a user error the caller may retry.
func (s *Service) recheck(ctx context.Context, offer providers.Offer) ([]fault.Violation, error) {
	type answer struct {
		check *providers.PriceCheck
		err   error
	}
	answers := make([]answer, len(offer.Parts))
	var wg sync.WaitGroup
	for i, p := range offer.Parts {
		pc, ok := s.priceChecker(p.Provider)
		if !ok {
			continue
		}
		wg.Go(func() {
			pctx, cancel := s.provider(ctx)
			defer cancel()
			c, err := pc.CheckPrice(pctx, p)
			answers[i] = answer{c, err}
		})
	}
	wg.Wait()
	var ue []fault.Violation
	for i, a := range answers {
		p := offer.Parts[i]
		switch {
		case a.err != nil:
			s.cfg.Logger.WarnContext(ctx, "price re-check failed", "provider", p.Provider, "err", a.err)
			ue = append(ue, violation(fault.ProviderUnavailable, p.Provider+" could not confirm the price; retry", "offerId"))
		case a.check == nil:
		case !a.check.Available:
			ue = append(ue, violation(fault.SoldOut, p.Provider+" no longer sells this fare; search again", "offerId"))
		case a.check.Total != p.Total:
			ue = append(ue, violation(fault.PriceChanged,
				fmt.Sprintf("%s now prices this fare at %s instead of %s; search again", p.Provider, a.check.Total, p.Total), "offerId"))
		}
	}
	return ue, nil
}

func (s *Service) priceChecker(name string) (providers.PriceChecker, bool) {
	pc, err := s.cfg.Providers.PriceChecker(name)
	return pc, err == nil
}

// extraRoute names what an extra of a part whose slices are sls applies
// to: the slice that flies its segment ("CDG–PMI"; with the flight,
// "CDG–PMI VY3810", when the slice has connections), or every slice of the
// part when it is for the whole part ("CDG–PMI, PMI–CDG"), so that the
// same bag on the way out and on the way back are two lines that say which.
func extraRoute(sls []providers.Slice, segment string) string {
	var all []string
	for _, sl := range sls {
		route := sl.Origin() + "–" + sl.Destination()
		for _, sg := range sl.Segments {
			if segment != "" && sg.CarrierCode+sg.FlightNumber == segment {
				if len(sl.Segments) > 1 {
					return sg.Origin + "–" + sg.Destination + " " + segment
				}
				return route
			}
		}
		all = append(all, route)
	}
	return strings.Join(all, ", ")
}

// cart builds the cart items, each part's booking amount, and the total,
// all in minor units of the offer's currency (a part a search converted
// is charged at its converted price). A part's flight is one line per
// passenger type (quantity the passengers of that type, unit their fare
// without taxes, tax theirs) when its per-passenger prices add up to its
// price, and one line for the whole part otherwise; every chosen extra is
// a line.
func cart(offer providers.Offer, sels []Selection) ([]Item, []PartState, providers.Money) {
	cur := offer.Total.Currency
	var items []Item
	parts := make([]PartState, len(offer.Parts))
	partSlices := make([][]providers.Slice, len(offer.Parts))
	first := 0
	for i, p := range offer.Parts {
		var route []string
		for j := range p.OriginDestinations {
			sl := offer.Slices[first+j]
			route = append(route, sl.Origin()+"→"+sl.Destination()+" "+sl.DepartureAt().Format(time.DateOnly))
		}
		partSlices[i] = offer.Slices[first : first+len(p.OriginDestinations)]
		first += len(p.OriginDestinations)
		name := "Flight " + strings.Join(route, ", ")
		items = append(items, flightLines(name, i, p, cur)...)
		parts[i] = PartState{Status: PartPending, Amount: p.Charged().Total.Amount}
	}
	for _, sel := range sels {
		line := sel.Ancillary.Price.Amount * int64(sel.Quantity)
		name := fmt.Sprintf("%s, %s (%s)", sel.Ancillary.Description, extraRoute(partSlices[sel.PartIndex], sel.Ancillary.Segment), rules.Passenger(sel.PassengerIndex))
		items = append(items, Item{Name: name,
			Quantity: sel.Quantity, UnitAmount: sel.Ancillary.Price.Amount, Total: line, Currency: cur,
			ProductType: string(sel.Ancillary.Kind), PartIndex: sel.PartIndex})
		parts[sel.PartIndex].Amount += line
	}
	total := providers.Money{Currency: cur}
	for _, it := range items {
		total.Amount += it.Total
	}
	return items, parts, total
}

// passengerLines are the passenger types of a cart, in the order lines list them.
var passengerLines = []struct {
	typ   providers.PassengerType
	label string
	count func(providers.Passengers) int
}{
	{providers.Adult, "adult", func(p providers.Passengers) int { return p.Adults }},
	{providers.Child, "child", func(p providers.Passengers) int { return p.Children }},
	{providers.Infant, "infant", func(p providers.Passengers) int { return p.Infants }},
}

// flightLines are the cart lines of part p (index i): one per passenger
// type when p's per-passenger prices (in cur) add up to its price, each
// with the type's taxes when p states them; else one line for the part.
func flightLines(name string, i int, p providers.Part, cur string) []Item {
	in := p.Charged()
	charge, per, taxes := in.Total, in.PerPassenger, in.PassengerTaxes
	var lines []Item
	var sum int64
	for _, pl := range passengerLines {
		n := pl.count(p.Passengers)
		if n == 0 {
			continue
		}
		unit := per.For(pl.typ)
		if unit == nil || unit.Currency != cur || unit.Amount < 0 {
			lines = nil
			break
		}
		var tax int64
		if t := taxes.For(pl.typ); t != nil && t.Currency == cur && t.Amount >= 0 && t.Amount <= unit.Amount {
			tax = t.Amount
		}
		line := Item{Name: fmt.Sprintf("%s, %s", name, pl.label), Quantity: n, UnitAmount: unit.Amount - tax, Tax: tax * int64(n),
			Currency: cur, ProductType: "FLIGHT", PartIndex: i}
		line.Total = line.UnitAmount*int64(n) + line.Tax
		sum += line.Total
		lines = append(lines, line)
	}
	if len(lines) > 0 && charge.Currency == cur && sum == charge.Amount {
		return lines
	}
	fare, tax := split(charge, in.Taxes)
	return []Item{{Name: name, Quantity: 1, UnitAmount: fare, Tax: tax, Total: fare + tax, Currency: cur, ProductType: "FLIGHT", PartIndex: i}}
}

// split is a price as fare and taxes (taxes as the provider states them,
// never more than the price).
func split(total, taxes providers.Money) (fare, tax int64) {
	tax = taxes.Amount
	if taxes.Currency != total.Currency || tax < 0 || tax > total.Amount {
		tax = 0
	}
	return total.Amount - tax, tax
}

// share splits amount evenly over n, the remainder on the first share, so
// the shares sum exactly.
func share(amount int64, n, k int) int64 {
	s := amount / int64(n)
	if k == 0 {
		s += amount - s*int64(n)
	}
	return s
}

// addendum lists every flight with its share of its part's fare and taxes
// (split evenly, the remainder on the first flight, so the shares sum
// exactly).
func addendum(offer providers.Offer) Airline {
	var a Airline
	first := 0
	for pi, p := range offer.Parts {
		var segs []providers.Segment
		for j := range p.OriginDestinations {
			segs = append(segs, offer.Slices[first+j].Segments...)
		}
		first += len(p.OriginDestinations)
		route := "one_way"
		if p.FareType == providers.RoundTrip {
			route = "round_trip"
		}
		fare, tax := split(p.Total, p.Taxes)
		for k, sg := range segs {
			a.Legs = append(a.Legs, AirlineLeg{CarrierCode: sg.CarrierCode, FlightNumber: sg.FlightNumber, DepartureAirport: sg.Origin,
				ArrivalAirport: sg.Destination, DepartureAt: sg.DepartureAt, ArrivalAt: sg.ArrivalAt, RouteType: route,
				FareAmount: share(fare, len(segs), k), TaxAmount: share(tax, len(segs), k), Provider: p.Provider, PartIndex: pi})
		}
	}
	return a
}

// Get returns the tenant's session, moving it to EXPIRED first if it is
// unpaid and past its expiry or its hold's.
func (s *Service) Get(ctx context.Context, tenantID, id string) (*Session, error) {
	sess, err := s.load(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	if s.expire(ctx, sess) {
		return s.load(ctx, tenantID, id)
	}
	return sess, nil
}

// Events returns the recorded history of the tenant's session.
func (s *Service) Events(ctx context.Context, tenantID, id string) ([]Event, error) {
	if _, err := s.load(ctx, tenantID, id); err != nil {
		return nil, err
	}
	rows, err := s.sessions.Events(ctx, s.cfg.DB, id)
	if err != nil {
		return nil, err
	}
	evs := make([]Event, len(rows))
	for i, r := range rows {
		evs[i] = Event{Version: r.Version, From: Status(r.FromStatus), To: Status(r.ToStatus), Name: r.Event, Detail: r.Detail, At: r.At.UTC()}
	}
	return evs, nil
}
