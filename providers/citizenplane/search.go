package citizenplane

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// Search returns one one-way offer per CitizenPlane flight that departs on
// q's date (local to the origin airport) with enough seats for q's
// passengers. Offers are always in EUR, whatever q.Currency asks for. A
// flight of the answer that cannot be read is left out and logged; only an
// answer none of whose flights can be read is an error.
func (c *Client) Search(ctx context.Context, q providers.Query) ([]providers.Offer, error) {
	if err := checkPassengers(q.Passengers); err != nil {
		return nil, c.fail(opSearch, providers.Rejected, 0, "", "invalid passengers", err)
	}
	flights, err := c.flights(ctx, opSearch, q.OriginDestination, q.Passengers.Seats())
	if err != nil {
		return nil, err
	}
	expires := c.now().Add(c.ttl)
	offers := make([]providers.Offer, 0, len(flights))
	var skipped []error
	for _, f := range flights {
		o, ok, err := oneWayOffer(f, q, expires)
		if err != nil {
			skipped = append(skipped, c.skip(ctx, opSearch, wire.PathFlights, err))
			continue
		}
		if ok {
			offers = append(offers, o)
		}
	}
	if err := c.allUnreadable(opSearch, wire.PathFlights, len(flights), skipped); err != nil {
		return nil, err
	}
	return offers, nil
}

// skip logs an item of op's answer that could not be read and was left
// out, and returns err. The reason names the item (a flight id) and the
// field; answers of search carry no passenger data.
func (c *Client) skip(ctx context.Context, op, path string, err error) error {
	c.log.WarnContext(ctx, "citizenplane: unreadable item left out of a search answer",
		"provider", Name, "op", op, "path", path, "reason", err.Error())
	return err
}

// allUnreadable is the error of an answer of n items none of which could
// be read (skipped holds their errors), nil when any could or when there
// were none.
func (c *Client) allUnreadable(op, path string, n int, skipped []error) error {
	if n == 0 || len(skipped) < n {
		return nil
	}
	return c.fail(op, providers.Unavailable, http.StatusOK, "", "unreadable provider answer",
		fmt.Errorf("GET %s: none of %d items could be read, first: %w", path, n, skipped[0]))
}

// SearchRoundTrips returns CitizenPlane's round-trip fares for q: offers
// with two slices and one RoundTrip part whose ref holds both flight ids.
// CitizenPlane prices only returns on the reverse route, so an open-jaw
// query has no offers. Unreadable fares are handled as by Search.
func (c *Client) SearchRoundTrips(ctx context.Context, q providers.RoundTripQuery) ([]providers.Offer, error) {
	if err := checkPassengers(q.Passengers); err != nil {
		return nil, c.fail(opRoundTrips, providers.Rejected, 0, "", "invalid passengers", err)
	}
	if q.Return.Origin != q.Outbound.Destination || q.Return.Destination != q.Outbound.Origin {
		return nil, nil
	}
	rts, err := c.roundTrips(ctx, opRoundTrips, q.Outbound, q.Return, q.Passengers.Seats())
	if err != nil {
		return nil, err
	}
	expires := c.now().Add(c.ttl)
	offers := make([]providers.Offer, 0, len(rts))
	var skipped []error
	for _, rt := range rts {
		o, ok, err := roundTripOffer(rt, q, expires)
		if err != nil {
			skipped = append(skipped, c.skip(ctx, opRoundTrips, wire.PathRoundTrips, err))
			continue
		}
		if ok {
			offers = append(offers, o)
		}
	}
	if err := c.allUnreadable(opRoundTrips, wire.PathRoundTrips, len(rts), skipped); err != nil {
		return nil, err
	}
	return offers, nil
}

// flights fetches the flights of leg's day with at least seats seats.
func (c *Client) flights(ctx context.Context, op string, leg providers.OriginDestination, seats int) ([]wire.Flight, error) {
	start, end, err := dayWindow(leg.Date)
	if err != nil {
		return nil, c.fail(op, providers.Rejected, 0, "", "invalid date", err)
	}
	v := url.Values{
		"origin":      {leg.Origin},
		"destination": {leg.Destination},
		"start":       {start},
		"end":         {end},
		"seats":       {strconv.Itoa(seats)},
	}
	fs, err := get(ctx, &c.cache, wire.PathFlights, v, func(ctx context.Context) ([]wire.Flight, error) {
		return getAll[wire.Flight](ctx, c, op, wire.PathFlights, v)
	})
	return fs, c.gaveUp(ctx, op, err)
}

// roundTrips fetches the round-trip fares for out and back with at least
// seats seats.
func (c *Client) roundTrips(ctx context.Context, op string, out, back providers.OriginDestination, seats int) ([]wire.RoundTrip, error) {
	start, end, err := dayWindow(out.Date)
	if err != nil {
		return nil, c.fail(op, providers.Rejected, 0, "", "invalid date", err)
	}
	returnStart, returnEnd, err := dayWindow(back.Date)
	if err != nil {
		return nil, c.fail(op, providers.Rejected, 0, "", "invalid date", err)
	}
	v := url.Values{
		"origin":      {out.Origin},
		"destination": {out.Destination},
		"start":       {start},
		"end":         {end},
		"returnStart": {returnStart},
		"returnEnd":   {returnEnd},
		"seats":       {strconv.Itoa(seats)},
	}
	rts, err := get(ctx, &c.cache, wire.PathRoundTrips, v, func(ctx context.Context) ([]wire.RoundTrip, error) {
		return getAll[wire.RoundTrip](ctx, c, op, wire.PathRoundTrips, v)
	})
	return rts, c.gaveUp(ctx, op, err)
}

// gaveUp maps a caller that stopped waiting for a shared call to the
// provider error a call of its own would have given; other errors pass.
func (c *Client) gaveUp(ctx context.Context, op string, err error) error {
	var g errGaveUp
	if errors.As(err, &g) {
		return c.transportError(ctx, op, 0, g.err)
	}
	return err
}

// getAll gets path and the further pages the answer announces. It stops
// when an answer is not the page asked for, so an API that ignores the
// page parameter costs one extra call, not duplicated results.
func getAll[T any](ctx context.Context, c *Client, op, path string, v url.Values) ([]T, error) {
	var all []T
	for n := 0; n < maxPages; n++ {
		if n > 0 {
			v.Set(wire.PageParam, strconv.Itoa(n))
		}
		var p wire.Page[T]
		if err := c.call(ctx, op, http.MethodGet, path, v, nil, &p); err != nil {
			return nil, err
		}
		if n > 0 && p.Page != n {
			break
		}
		all = append(all, p.Results...)
		if n+1 >= p.TotalPages {
			break
		}
	}
	return all, nil
}

// dayWindow returns the start and end parameters that bound departures to
// the day d.
func dayWindow(d providers.Date) (start, end string, err error) {
	t, err := d.Time()
	if err != nil {
		return "", "", fmt.Errorf("date %q: %w", d, err)
	}
	return t.Format(time.DateOnly), t.AddDate(0, 0, 1).Format(time.DateOnly), nil
}

// checkPassengers rejects parties CitizenPlane cannot seat: at least one
// adult, and no more infants (on a lap) than adults.
func checkPassengers(p providers.Passengers) error {
	if p.Adults < 1 || p.Children < 0 || p.Infants < 0 || p.Infants > p.Adults {
		return fmt.Errorf("passengers %d adults, %d children, %d infants: need an adult and no more infants than adults", p.Adults, p.Children, p.Infants)
	}
	return nil
}
