package resolvers

import (
	"context"
	"sort"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/loaders"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/search"
)

type (
	checkoutSessionResolver struct{ *Resolver }
	bookingResolver         struct{ *Resolver }
)

func (r *checkoutSessionResolver) ID(_ context.Context, obj *checkout.Session) (string, error) {
	return ids.Global(checkoutSessionType, obj.ID), nil
}

func (r *checkoutSessionResolver) Offer(_ context.Context, obj *checkout.Session) (*search.Offer, error) {
	return &search.Offer{Offer: obj.Offer, ID: obj.OfferID}, nil
}

func money(amount int64, currency string) *providers.Money {
	return &providers.Money{Amount: amount, Currency: currency}
}

func (r *checkoutSessionResolver) Items(_ context.Context, obj *checkout.Session) ([]model.CartItem, error) {
	out := make([]model.CartItem, len(obj.Items))
	for i, it := range obj.Items {
		out[i] = model.CartItem{Name: it.Name, Quantity: it.Quantity, UnitAmount: money(it.UnitAmount, it.Currency),
			DiscountAmount: money(it.Discount, it.Currency), TaxAmount: money(it.Tax, it.Currency), Total: money(it.Total, it.Currency),
			ProductType: model.ProductType(it.ProductType)}
	}
	return out, nil
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (r *checkoutSessionResolver) Payment(_ context.Context, obj *checkout.Session) (*model.Payment, error) {
	p := obj.Payment
	if p == nil {
		return nil, nil
	}
	out := &model.Payment{Method: model.PaymentMethodType(p.Method), Status: checkout.ShownPaymentStatus(obj),
		Amount: money(p.Amount, p.Currency), CapturedAmount: money(p.Captured, p.Currency),
		ClientSecret: opt(p.ClientSecret), EphemeralKey: opt(p.EphemeralKey), CustomerID: opt(p.CustomerID),
		FailureMessage: opt(p.FailureMsg)}
	if p.FailureCode != "" {
		fc := closed(p.FailureCode, model.PaymentFailureCodeCardDeclined)
		out.FailureCode = &fc
	}
	if p.Card != nil {
		out.Card = &model.CardSummary{Scheme: closed(p.Card.Scheme, model.CardSchemeUnknown), Last4: p.Card.Last4, Bin: opt(p.Card.BIN),
			CardType: closed(p.Card.CardType, model.CardTypeUnknown), Country: opt(p.Card.Country)}
	}
	return out, nil
}

// closed is a gateway's value as a value of a closed GraphQL enum: the
// value itself when the enum has it, otherwise other (a gateway may add
// values that clients generated from the schema cannot know).
func closed[E interface {
	~string
	IsValid() bool
}](v string, other E) E {
	if e := E(v); e.IsValid() {
		return e
	}
	return other
}

func (r *checkoutSessionResolver) Bookings(_ context.Context, obj *checkout.Session) ([]checkout.BookingRecord, error) {
	if obj.Bookings == nil {
		return []checkout.BookingRecord{}, nil
	}
	return obj.Bookings, nil
}

func (r *checkoutSessionResolver) BookingReferences(_ context.Context, obj *checkout.Session) ([]string, error) {
	return checkout.BookingReferences(obj), nil
}

// BookingCodes is the deprecated name of BookingReferences.
func (r *checkoutSessionResolver) BookingCodes(ctx context.Context, obj *checkout.Session) ([]string, error) {
	return r.BookingReferences(ctx, obj)
}

func (r *checkoutSessionResolver) Airline(_ context.Context, obj *checkout.Session) (*model.AirlineAddendum, error) {
	cur := obj.Total.Currency
	a := &model.AirlineAddendum{Legs: []model.AirlineLeg{}, Passengers: []model.AirlinePassenger{}}
	for _, l := range obj.Airline.Legs {
		a.Legs = append(a.Legs, model.AirlineLeg{CarrierCode: l.CarrierCode, FlightNumber: l.FlightNumber,
			DepartureAirport: l.DepartureAirport, ArrivalAirport: l.ArrivalAirport, DepartureAt: l.DepartureAt, ArrivalAt: l.ArrivalAt,
			RouteType: model.RouteType(l.RouteType), FareAmount: money(l.FareAmount, cur), FeeAmount: money(l.FeeAmount, cur), TaxAmount: money(l.TaxAmount, cur),
			Provider: l.Provider, BookingReference: opt(l.BookingReference), BookingCode: opt(l.BookingReference)})
	}
	for _, p := range obj.Passengers {
		t := p.Ticketed()
		a.Passengers = append(a.Passengers, model.AirlinePassenger{Type: model.PassengerType(p.Type), GivenName: t.GivenName,
			FamilyName: t.FamilyName, DateOfBirth: p.DateOfBirth, PassportNumber: p.DocumentNumber})
	}
	// pnrs is the deprecated name of locators: both answer the same list.
	a.Locators = append([]string{}, obj.Airline.Locators...)
	a.Pnrs = a.Locators
	return a, nil
}

func (r *checkoutSessionResolver) Passengers(_ context.Context, obj *checkout.Session) ([]model.Passenger, error) {
	return passengers(obj), nil
}

// passengers are a session's travellers as given and as ticketed.
func passengers(obj *checkout.Session) []model.Passenger {
	out := make([]model.Passenger, len(obj.Passengers))
	for i, p := range obj.Passengers {
		t := p.Ticketed()
		out[i] = model.Passenger{Type: model.PassengerType(p.Type), GivenName: p.GivenName, FamilyName: p.FamilyName,
			TicketedGivenName: t.GivenName, TicketedFamilyName: t.FamilyName, DateOfBirth: p.DateOfBirth}
	}
	return out
}

func (r *checkoutSessionResolver) Buyer(_ context.Context, obj *checkout.Session) (*model.Buyer, error) {
	c := obj.Contact
	return &model.Buyer{GivenName: c.GivenName, FamilyName: c.FamilyName, Email: c.Email, PhoneNumber: c.PhoneNumber}, nil
}

func (r *checkoutSessionResolver) Metadata(_ context.Context, obj *checkout.Session) ([]model.MetadataEntry, error) {
	out := []model.MetadataEntry{}
	for k, v := range obj.Metadata {
		out = append(out, model.MetadataEntry{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (r *checkoutSessionResolver) Events(ctx context.Context, obj *checkout.Session) ([]model.CheckoutEvent, error) {
	evs, err := r.Checkout.Events(ctx, obj.TenantID, obj.ID)
	if err != nil {
		return nil, err
	}
	out := make([]model.CheckoutEvent, len(evs))
	for i, e := range evs {
		out[i] = model.CheckoutEvent{At: e.At, To: e.To, Event: e.Name}
		if e.From != "" {
			from := e.From
			out[i].From = &from
		}
	}
	return out, nil
}

func (r *bookingResolver) ID(_ context.Context, obj *checkout.BookingRecord) (string, error) {
	return ids.Global(bookingType, obj.ID), nil
}

// Status is read from the provider through the operation's loader (an
// answer is kept briefly across operations) and recorded when it changed;
// the stored status when the provider cannot answer. A canceled booking
// is final: its stored status is answered without asking (an answer kept
// from before the cancellation must not bring it back). A fresh read is
// recorded whole (readBack), a kept one for its status only.
func (r *bookingResolver) Status(ctx context.Context, obj *checkout.BookingRecord) (providers.BookingStatus, error) {
	if obj.Status == providers.BookingCanceled {
		return obj.Status, nil
	}
	st, fresh, err := loaders.BookingStatus(ctx, r.Providers, loaders.BookingKey{Provider: obj.Provider, Reference: obj.ProviderReference})
	if err != nil || st == "" {
		return obj.Status, nil
	}
	if fresh != nil {
		err = r.Checkout.BookingSeen(ctx, obj, fresh)
	} else {
		err = r.Checkout.BookingStatusSeen(ctx, obj, st)
	}
	if err != nil {
		return "", err
	}
	return st, nil
}

// readBack reads booking obj from its provider (once per operation,
// through the loaders) and records what changed since it was stored
// (status, schedule, locators: BookingSeen), so that what Booking.flights
// shows is in Booking.changes, webhooks and subscriptions at once. A
// failure to record is logged (the sweeper records it later), not
// answered.
func (r *bookingResolver) readBack(ctx context.Context, obj *checkout.BookingRecord) (*providers.Booking, error) {
	b, err := loaders.ProviderBooking(ctx, r.Providers, loaders.BookingKey{Provider: obj.Provider, Reference: obj.ProviderReference})
	if err != nil {
		return nil, err
	}
	if err := r.Checkout.BookingSeen(ctx, obj, b); err != nil {
		r.Logger.WarnContext(ctx, "recording a booking read back", "booking", obj.ID, "err", err)
	}
	return b, nil
}

// Flights reads the booking back from its provider (batched per
// operation), for schedule changes, and records what changed. A provider
// that fails nulls only this.
func (r *bookingResolver) Flights(ctx context.Context, obj *checkout.BookingRecord) ([]providers.Slice, error) {
	b, err := r.readBack(ctx, obj)
	if err != nil {
		return nil, err
	}
	if b.Slices == nil {
		return []providers.Slice{}, nil
	}
	return b.Slices, nil
}

func (r *checkoutSessionResolver) SeatMaps(_ context.Context, obj *checkout.Session) ([]model.SeatMap, error) {
	out := []model.SeatMap{}
	for _, m := range checkout.SeatMaps(obj) {
		seg := m.Segment
		cabin := model.SeatMapCabin{Rows: []model.SeatRow{}}
		for _, row := range m.Rows {
			r := model.SeatRow{Number: row.Number, Seats: []model.Seat{}}
			for _, s := range row.Seats {
				ch := s.Info.Characteristics
				if ch == nil {
					ch = []providers.SeatCharacteristic{}
				}
				r.Seats = append(r.Seats, model.Seat{ID: s.ID, Designator: s.Info.Designator, Column: s.Info.Column,
					Available: s.Info.Available && s.PassengerIndex == nil, Characteristics: ch, Price: &s.Price, PassengerIndex: s.PassengerIndex})
			}
			cabin.Rows = append(cabin.Rows, r)
		}
		out = append(out, model.SeatMap{Provider: m.Provider, SliceIndex: m.SliceIndex, SegmentIndex: m.SegmentIndex,
			Segment: &seg, Cabins: []model.SeatMapCabin{cabin}})
	}
	return out, nil
}
