package citizenplane

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// CheckPrice re-checks a CitizenPlane part. A one-way part is verified
// with POST /v3/flights/verify; its answer has no seat count, so
// SeatsAvailable is 0 (unknown). A round-trip part has no verify call of
// its own: the round-trip fares of its legs are searched again and the
// pair looked up, which also gives the seats left. A flight the provider
// no longer sells or no longer knows (409, 404, pair gone) is a check with
// Available false and no error.
func (c *Client) CheckPrice(ctx context.Context, p providers.Part) (*providers.PriceCheck, error) {
	fl, err := flightsOf(p)
	if err != nil {
		return nil, c.fail(opVerify, providers.Rejected, 0, "", "not a CitizenPlane part", err)
	}
	if err := checkPassengers(p.Passengers); err != nil {
		return nil, c.fail(opVerify, providers.Rejected, 0, "", "invalid passengers", err)
	}
	if len(fl) == 1 {
		return c.verify(ctx, fl[0].id, p.Passengers)
	}
	return c.checkRoundTrip(ctx, fl[0], fl[1], p.Passengers)
}

// verify asks CitizenPlane for the live price of one flight for pax.
func (c *Client) verify(ctx context.Context, id int64, pax providers.Passengers) (*providers.PriceCheck, error) {
	req := wire.VerifyRequest{
		FlightID:     id,
		Passengers:   wire.VerifyPassenger{Adults: pax.Adults, Children: pax.Children, Infants: pax.Infants},
		CustomerCode: c.cfg.CustomerCode,
	}
	var resp wire.VerifyResponse
	err := c.call(ctx, opVerify, http.MethodPost, wire.PathVerify, nil, req, &resp, http.StatusNotFound, http.StatusConflict)
	if code := providers.CodeOf(err); err != nil && (code == providers.NotFound || code == providers.OfferExpired) {
		return &providers.PriceCheck{Available: false}, nil
	}
	if err != nil {
		return nil, err
	}
	if resp.TotalPrice == "" {
		return nil, c.fail(opVerify, providers.Unavailable, http.StatusOK, "", "unreadable provider answer", fmt.Errorf("POST %s: flight %d: no total_price", wire.PathVerify, id))
	}
	total, err := providers.MoneyFromJSON(resp.TotalPrice, currencyOr(resp.Currency))
	if err != nil {
		return nil, c.fail(opVerify, providers.Unavailable, http.StatusOK, "", "unreadable provider answer", fmt.Errorf("POST %s: flight %d: total_price: %w", wire.PathVerify, id, err))
	}
	return &providers.PriceCheck{Available: true, Total: total}, nil
}

// checkRoundTrip searches the round-trip fares of out and back again and
// prices the pair of flights for pax.
func (c *Client) checkRoundTrip(ctx context.Context, out, back partFlight, pax providers.Passengers) (*providers.PriceCheck, error) {
	rts, err := c.roundTrips(ctx, opVerify, out.leg, back.leg, pax.Seats())
	if err != nil {
		return nil, err
	}
	for _, rt := range rts {
		if rt.Outbound.ID != out.id || rt.Inbound.ID != back.id {
			continue
		}
		total, _, seats, ok, err := roundTripFare(rt, out.leg, back.leg, pax)
		if err != nil {
			return nil, c.fail(opVerify, providers.Unavailable, http.StatusOK, "", "unreadable provider answer", fmt.Errorf("GET %s: %w", wire.PathRoundTrips, err))
		}
		if !ok {
			break
		}
		return &providers.PriceCheck{Available: true, Total: total, SeatsAvailable: seats}, nil
	}
	return &providers.PriceCheck{Available: false}, nil
}

// partFlight is one flight of a part and the searched leg it flies.
type partFlight struct {
	id  int64
	leg providers.OriginDestination
}

// flightsOf reads the flights of a CitizenPlane part: one for a one-way
// part, outbound and inbound for a round trip.
func flightsOf(p providers.Part) ([]partFlight, error) {
	if p.Provider != Name {
		return nil, fmt.Errorf("part of provider %q", p.Provider)
	}
	ids, err := parseRef(p.Ref)
	if err != nil {
		return nil, err
	}
	want := providers.OneWay
	if len(ids) == 2 {
		want = providers.RoundTrip
	}
	if len(ids) != len(p.OriginDestinations) || p.FareType != want {
		return nil, errors.New("ref " + p.Ref + " does not match the part's legs and fare type")
	}
	fl := make([]partFlight, len(ids))
	for i, id := range ids {
		fl[i] = partFlight{id: id, leg: p.OriginDestinations[i]}
	}
	return fl, nil
}
