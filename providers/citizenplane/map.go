package citizenplane

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// conditions are those of every CitizenPlane fare: non-refundable and
// non-exchangeable [doc].
func conditions() providers.Conditions {
	return providers.Conditions{Refundable: false, Changeable: false, Notes: []string{"Non-refundable", "Non-exchangeable"}}
}

// fareOf is the fare detail of flights: their cabin_class when they agree
// (the brand and the included baggage are not in the contract: bags are
// sold, none is said to be included) and CitizenPlane's conditions.
func fareOf(flights ...wire.Flight) providers.Fare {
	f := providers.Fare{Conditions: conditions()}
	for i, fl := range flights {
		c := providers.CabinOf(fl.CabinClass)
		if i > 0 && c != f.Cabin {
			return providers.Fare{Conditions: conditions()}
		}
		f.Cabin = c
	}
	return f
}

// passengerTaxes is the airport tax in the price of one passenger of each
// type of pax, from a fare's tax (see airportTaxes): per seat for adults
// and children, none for infants; the zero PassengerPrice when the fare
// has no tax share.
func passengerTaxes(tax providers.Money, pax providers.Passengers) providers.PassengerPrice {
	if tax.Amount == 0 || pax.Seats() == 0 || tax.Amount%int64(pax.Seats()) != 0 {
		return providers.PassengerPrice{}
	}
	per := providers.Money{Amount: tax.Amount / int64(pax.Seats()), Currency: tax.Currency}
	out := providers.PassengerPrice{Adult: per}
	if pax.Children > 0 {
		out.Child = &per
	}
	if pax.Infants > 0 {
		out.Infant = &providers.Money{Currency: tax.Currency}
	}
	return out
}

// oneWayOffer maps a flight to a one-way offer for q. ok is false when the
// flight does not depart on q's date or has no price for q's infants.
func oneWayOffer(f wire.Flight, q providers.Query, expires time.Time) (_ providers.Offer, ok bool, _ error) {
	seg, err := segmentOf(f)
	if err != nil {
		return providers.Offer{}, false, err
	}
	if !departsOn(seg, q.Date) {
		return providers.Offer{}, false, nil
	}
	total, per, ok, err := fare(f.Price, f.InfantPrice, f.Currency, q.Passengers)
	if err != nil || !ok {
		return providers.Offer{}, false, wrapFlight(f.ID, err)
	}
	taxes := airportTaxes(total, q.Passengers, f)
	return providers.Offer{
		FareType: providers.OneWay,
		Slices:   []providers.Slice{{Segments: []providers.Segment{seg}}},
		Parts: []providers.Part{{
			Provider:           Name,
			Ref:                formatRef(f.ID),
			FareType:           providers.OneWay,
			OriginDestinations: []providers.OriginDestination{q.OriginDestination},
			Passengers:         q.Passengers,
			Total:              total,
			Taxes:              taxes,
			PerPassenger:       per,
			PassengerTaxes:     passengerTaxes(taxes, q.Passengers),
			Fare:               fareOf(f),
		}},
		Total:          total,
		PerPassenger:   per,
		SeatsAvailable: f.AvailableSeats,
		Conditions:     conditions(),
		ExpiresAt:      expires,
	}, true, nil
}

// roundTripOffer maps a round-trip fare to an offer for q. ok is false when
// a flight does not depart on its leg's date or the fare has no price for
// q's infants.
func roundTripOffer(rt wire.RoundTrip, q providers.RoundTripQuery, expires time.Time) (_ providers.Offer, ok bool, _ error) {
	total, per, seats, ok, err := roundTripFare(rt, q.Outbound, q.Return, q.Passengers)
	if err != nil || !ok {
		return providers.Offer{}, false, err
	}
	out, _ := segmentOf(rt.Outbound) // both parsed by roundTripFare
	in, _ := segmentOf(rt.Inbound)
	taxes := airportTaxes(total, q.Passengers, rt.Outbound, rt.Inbound)
	return providers.Offer{
		FareType: providers.RoundTrip,
		Slices: []providers.Slice{
			{Segments: []providers.Segment{out}},
			{Segments: []providers.Segment{in}},
		},
		Parts: []providers.Part{{
			Provider:           Name,
			Ref:                formatRef(rt.Outbound.ID, rt.Inbound.ID),
			FareType:           providers.RoundTrip,
			OriginDestinations: []providers.OriginDestination{q.Outbound, q.Return},
			Passengers:         q.Passengers,
			Total:              total,
			Taxes:              taxes,
			PerPassenger:       per,
			PassengerTaxes:     passengerTaxes(taxes, q.Passengers),
			Fare:               fareOf(rt.Outbound, rt.Inbound),
		}},
		Total:          total,
		PerPassenger:   per,
		SeatsAvailable: seats,
		Conditions:     conditions(),
		ExpiresAt:      expires,
	}, true, nil
}

// roundTripFare prices rt for pax and returns the seats left on it (the
// fewer of its two flights). ok is false when a flight does not depart on
// its leg's date or the fare has no price for pax's infants.
func roundTripFare(rt wire.RoundTrip, out, back providers.OriginDestination, pax providers.Passengers) (_ providers.Money, _ providers.PassengerPrice, seats int, ok bool, _ error) {
	outSeg, err := segmentOf(rt.Outbound)
	if err != nil {
		return providers.Money{}, providers.PassengerPrice{}, 0, false, err
	}
	inSeg, err := segmentOf(rt.Inbound)
	if err != nil {
		return providers.Money{}, providers.PassengerPrice{}, 0, false, err
	}
	if !departsOn(outSeg, out.Date) || !departsOn(inSeg, back.Date) {
		return providers.Money{}, providers.PassengerPrice{}, 0, false, nil
	}
	cur := rt.Currency
	if cur == "" {
		cur = rt.Outbound.Currency
	}
	total, per, ok, err := fare(rt.Price, rt.InfantPrice, cur, pax)
	if err != nil {
		err = fmt.Errorf("round trip %s: %w", formatRef(rt.Outbound.ID, rt.Inbound.ID), err)
	}
	return total, per, min(rt.Outbound.AvailableSeats, rt.Inbound.AvailableSeats), ok, err
}

// airportTaxes is the airport tax included in total, a fare for pax on
// flights (one, or both of a round trip): each flight's
// included_airport_tax once per seat, adults and children alike, none for
// infants [assumed, see wire.go]. It is the zero Money, as if CitizenPlane
// had not said, when a flight has no tax, or an unreadable or negative one,
// or one in another currency than the fare, or when the tax would exceed
// total: the offer is still sold, only without its tax share.
func airportTaxes(total providers.Money, pax providers.Passengers, flights ...wire.Flight) providers.Money {
	var sum providers.Money
	for _, f := range flights {
		if f.IncludedAirportTax == "" {
			return providers.Money{}
		}
		t, err := providers.MoneyFromJSON(json.Number(f.IncludedAirportTax), currencyOr(f.Currency))
		if err != nil || t.Amount < 0 || t.Amount > total.Amount || t.Currency != total.Currency {
			return providers.Money{}
		}
		if sum, err = sum.Add(t.Times(pax.Seats())); err != nil {
			return providers.Money{}
		}
	}
	if sum.Amount == 0 || sum.Currency != total.Currency || sum.Amount > total.Amount {
		return providers.Money{}
	}
	return sum
}

// fare prices pax at price per seat and infant per infant. ok is false when
// there are infants and no infant price.
func fare(price, infant json.Number, currency string, pax providers.Passengers) (total providers.Money, per providers.PassengerPrice, ok bool, err error) {
	cur := currencyOr(currency)
	if price == "" {
		return total, per, false, errors.New("no price")
	}
	p, err := providers.MoneyFromJSON(price, cur)
	if err != nil {
		return total, per, false, fmt.Errorf("price: %w", err)
	}
	if p.Amount < 0 {
		return total, per, false, fmt.Errorf("price %s: negative", price)
	}
	per.Adult = p
	if pax.Children > 0 {
		per.Child = &p
	}
	total = p.Times(pax.Seats())
	if pax.Infants > 0 {
		if infant == "" {
			return total, per, false, nil
		}
		ip, err := providers.MoneyFromJSON(infant, cur)
		if err != nil {
			return total, per, false, fmt.Errorf("infant price: %w", err)
		}
		per.Infant = &ip
		if total, err = total.Add(ip.Times(pax.Infants)); err != nil {
			return total, per, false, err
		}
	}
	return total, per, true, nil
}

// ancillariesOf lists the bag options of f, each priced per bag and per
// passenger. Refs carry what a booking request needs to name the option:
// "<flight id>:checked:<kg>" and "<flight id>:cabin:<w>x<h>x<l>".
func ancillariesOf(f wire.Flight) ([]providers.Ancillary, error) {
	carrier, number := splitFlightNumber(f.FlightNumber, f.Airline.IATACode)
	segment := carrier + number
	cur := currencyOr(f.Currency)
	var out []providers.Ancillary
	for _, b := range f.Bags.Checked {
		p, err := bagPrice(b.Price, cur)
		if err != nil {
			return nil, fmt.Errorf("flight %d: checked bag %d kg: %w", f.ID, b.Weight, err)
		}
		out = append(out, providers.Ancillary{
			Ref:         fmt.Sprintf("%d:checked:%d", f.ID, b.Weight),
			Kind:        providers.CheckedBag,
			Description: fmt.Sprintf("Checked bag %d kg", b.Weight),
			Price:       p,
			WeightKg:    b.Weight,
			Segment:     segment,
		})
	}
	for _, b := range f.Bags.Cabin {
		d := b.Dimensions
		dims := fmt.Sprintf("%dx%dx%d", d.Width, d.Height, d.Length)
		p, err := bagPrice(b.Price, cur)
		if err != nil {
			return nil, fmt.Errorf("flight %d: cabin bag %s: %w", f.ID, dims, err)
		}
		out = append(out, providers.Ancillary{
			Ref:         fmt.Sprintf("%d:cabin:%s", f.ID, dims),
			Kind:        providers.CabinBag,
			Description: fmt.Sprintf("Cabin bag %d×%d×%d cm", d.Width, d.Height, d.Length),
			Price:       p,
			Dimensions:  dims,
			Segment:     segment,
		})
	}
	return out, nil
}

// bagPrice converts a bag option's price; an option without one is an error
// rather than a free bag.
func bagPrice(n json.Number, cur string) (providers.Money, error) {
	if n == "" {
		return providers.Money{}, errors.New("no price")
	}
	return providers.MoneyFromJSON(n, cur)
}

// segmentOf maps a flight to the segment it flies.
func segmentOf(f wire.Flight) (providers.Segment, error) {
	dep, err := parseTime(f.DepartureDate, f.Origin)
	if err != nil {
		return providers.Segment{}, wrapFlight(f.ID, fmt.Errorf("departure_date: %w", err))
	}
	arr, err := parseTime(f.ArrivalDate, f.Destination)
	if err != nil {
		return providers.Segment{}, wrapFlight(f.ID, fmt.Errorf("arrival_date: %w", err))
	}
	carrier, number := splitFlightNumber(f.FlightNumber, f.Airline.IATACode)
	return providers.Segment{
		CarrierCode:  carrier,
		FlightNumber: number,
		Origin:       f.Origin,
		Destination:  f.Destination,
		DepartureAt:  dep,
		ArrivalAt:    arr,
	}, nil
}

// parseTime parses an RFC 3339 time and keeps its offset. A time without
// an offset is read as local to airport, should the API ever send one.
func parseTime(s, airport string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02T15:04:05", s, providers.AirportLocation(airport))
}

// departsOn reports whether seg departs on d, local to its origin.
func departsOn(seg providers.Segment, d providers.Date) bool {
	return seg.DepartureAt.Format(time.DateOnly) == string(d)
}

// splitFlightNumber splits "5O7892" into the carrier code and the number,
// taking the carrier from the airline object when there is one.
func splitFlightNumber(fn, carrier string) (string, string) {
	fn = strings.ToUpper(strings.TrimSpace(fn))
	carrier = strings.ToUpper(strings.TrimSpace(carrier))
	switch {
	case carrier != "":
		return carrier, strings.TrimSpace(strings.TrimPrefix(fn, carrier))
	case len(fn) > 2:
		return fn[:2], strings.TrimSpace(fn[2:])
	default:
		return "", fn
	}
}

// currencyOr returns cur, or EUR when the answer names none.
func currencyOr(cur string) string {
	if cur == "" {
		return wire.CurrencyEUR
	}
	return cur
}

// formatRef makes a part ref from its flight ids: "4014831" for a one-way
// part, "4014831,3795943" (outbound, inbound) for a round trip.
func formatRef(ids ...int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// parseRef reads the flight ids of a part ref.
func parseRef(ref string) ([]int64, error) {
	fields := strings.Split(ref, ",")
	if len(fields) > 2 {
		return nil, fmt.Errorf("ref %q: more than two flights", ref)
	}
	ids := make([]int64, len(fields))
	for i, f := range fields {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("ref %q: %q is not a flight id", ref, f)
		}
		ids[i] = id
	}
	return ids, nil
}

// wrapFlight names the flight an error is about; it keeps nil nil.
func wrapFlight(id int64, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("flight %d: %w", id, err)
}
