package citizenplane

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// Hold makes CitizenPlane booking requests for a part: POST /v3/requests
// with the part's one or two flight ids, every traveller (infants too),
// the bags chosen and the part's fare type ("round_trip" for a RoundTrip
// part). CitizenPlane makes one request per flight and guarantees their
// seats and prices (seats and bags) for 3 minutes [doc].
//
// Every bag option of every flight must be listed, with quantity 0 where
// none is chosen [doc]: the options are read from the flights search
// (reused from the search cache when the part was just searched or its
// ancillaries listed, see searchCacheTTL). A selection's quantity adds to
// the quantity of its option; several selections of one option (one per
// traveller) add up.
//
// The answer is a Hold whose Ref is the request ids in flight order
// ("244401,244402"), whose ExpiresAt is the earliest expiry and whose
// Total is the sum of the requests' total prices, bags included.
//
// Errors are *providers.Error values. Rejected, without calling the
// provider, for a part that is not CitizenPlane's, travellers that do not
// match the part's passengers or miss a field CitizenPlane needs, or a
// selection that is not a bag option of the part's flights. SoldOut when
// the provider answers 409, or when the flights search no longer lists the
// flight for the party (then without the request call); PriceChanged when
// the 409 says the price moved, or when the fare held (the total without
// bags) is not the part's Total: the hold is then returned with the error,
// at its new price, for the caller to offer (unused, the requests expire
// at the provider after their 3 minutes). OfferExpired for an unknown flight
// (404), Rejected for 400 and 422, and Unavailable or Timeout for server
// errors and calls that get no answer, as on the read side. The answer's
// observer operation is "hold"; the flights search made for the bags, if
// not cached, is observed as "hold" too.
func (c *Client) Hold(ctx context.Context, r providers.HoldRequest) (*providers.Hold, error) {
	p := r.Part
	fl, err := flightsOf(p)
	if err != nil {
		return nil, c.fail(opHold, providers.Rejected, 0, "", "not a CitizenPlane part", err)
	}
	if err := checkPassengers(p.Passengers); err != nil {
		return nil, c.fail(opHold, providers.Rejected, 0, "", "invalid passengers", err)
	}
	passengers, err := requestPassengers(r.Travellers, p.Passengers)
	if err != nil {
		return nil, c.fail(opHold, providers.Rejected, 0, "", err.Error(), err)
	}
	chosen, err := chosenBags(r.Selections, fl, len(r.Travellers))
	if err != nil {
		return nil, c.fail(opHold, providers.Rejected, 0, "", err.Error(), err)
	}
	bags, err := c.bagChoices(ctx, fl, p.Passengers.Seats(), chosen)
	if err != nil {
		return nil, err
	}

	body := wire.RequestBody{
		FlightIDs:    make([]int64, len(fl)),
		Passengers:   passengers,
		Bags:         bags,
		FareType:     wire.FareOneWay,
		CustomerCode: c.cfg.CustomerCode,
	}
	for i, f := range fl {
		body.FlightIDs[i] = f.id
	}
	if p.FareType == providers.RoundTrip {
		body.FareType = wire.FareRoundTrip
	}
	var resp wire.RequestsResponse
	status, err := c.do(ctx, opHold, http.MethodPost, wire.PathRequests, nil, body, &resp, http.StatusNotFound, http.StatusConflict)
	if err != nil {
		return nil, c.holdError(err)
	}
	h, fare, err := readRequests(resp, fl)
	if err != nil {
		return nil, c.fail(opHold, providers.Unavailable, status, "", "unreadable provider answer", fmt.Errorf("POST %s: %w", wire.PathRequests, err))
	}
	if p.Total.Amount != 0 && fare != p.Total {
		return h, c.fail(opHold, providers.PriceChanged, status, "", "the provider's price changed",
			fmt.Errorf("POST %s: requests %s hold the fare at %s, the part was priced %s", wire.PathRequests, h.Ref, fare, p.Total))
	}
	return h, nil
}

// holdError maps a failed POST /v3/requests to the write side's codes.
func (c *Client) holdError(err error) error {
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Status {
	case http.StatusConflict:
		conflict(pe)
	case http.StatusNotFound:
		pe.Code, pe.Message = providers.OfferExpired, "flight no longer sold"
	}
	return pe
}

// conflict classifies a 409 answer to a booking request or a booking: a
// price-type error is PriceChanged, any other is SoldOut.
func conflict(pe *providers.Error) {
	if wire.IsPriceType(pe.ProviderCode) {
		pe.Code, pe.Message = providers.PriceChanged, "the provider's price changed"
	} else {
		pe.Code, pe.Message = providers.SoldOut, "not enough seats left"
	}
}

// requestPassengers checks the travellers against the part's passengers
// and converts them to the request's shape. Its errors are ours and safe to
// show: they name the traveller and the field, never the value.
func requestPassengers(ts []providers.Traveller, pax providers.Passengers) ([]wire.RequestPassenger, error) {
	var n providers.Passengers
	out := make([]wire.RequestPassenger, len(ts))
	for i, t := range ts {
		if !n.Count(t.Type) {
			return nil, fmt.Errorf("traveller %d: type must be ADULT, CHILD or INFANT", i+1)
		}
		p, err := requestPassenger1(t)
		if err != nil {
			return nil, fmt.Errorf("traveller %d: %w", i+1, err)
		}
		out[i] = p
	}
	if n != pax {
		return nil, fmt.Errorf("travellers are %d adults, %d children and %d infants; the part is for %d, %d and %d",
			n.Adults, n.Children, n.Infants, pax.Adults, pax.Children, pax.Infants)
	}
	return out, nil
}

// requestPassenger1 converts one traveller: dates reformatted (birth
// YYYY-MM-DD, passport expiry DD/MM/YYYY), gender and countries lower case.
func requestPassenger1(t providers.Traveller) (wire.RequestPassenger, error) {
	first, last := strings.TrimSpace(t.GivenName), strings.TrimSpace(t.FamilyName)
	if first == "" || last == "" {
		return wire.RequestPassenger{}, errors.New("given and family names are required")
	}
	gender, err := wireGender(t.Gender)
	if err != nil {
		return wire.RequestPassenger{}, err
	}
	birth, err := t.DateOfBirth.Time()
	if err != nil {
		return wire.RequestPassenger{}, errors.New("date of birth is not a date (YYYY-MM-DD)")
	}
	number := strings.TrimSpace(t.DocumentNumber)
	if number == "" {
		return wire.RequestPassenger{}, errors.New("document number is required")
	}
	expiry, err := t.DocumentExpiresOn.Time()
	if err != nil {
		return wire.RequestPassenger{}, errors.New("document expiry is not a date (YYYY-MM-DD)")
	}
	nationality, err := wireCountry(t.Nationality)
	if err != nil {
		return wire.RequestPassenger{}, fmt.Errorf("nationality: %w", err)
	}
	issuer, err := wireCountry(t.DocumentIssuingCountry)
	if err != nil {
		return wire.RequestPassenger{}, fmt.Errorf("document issuing country: %w", err)
	}
	return wire.RequestPassenger{
		FirstName:              first,
		LastName:               last,
		Gender:                 gender,
		DateOfBirth:            birth.Format(wire.BirthDateLayout),
		PassportNumber:         number,
		PassportExpiryDate:     expiry.Format(wire.ExpiryDateLayout),
		Nationality:            nationality,
		PassportCountryOfIssue: issuer,
	}, nil
}

// wireGender is "male" or "female" for a traveller's "MALE" or "FEMALE".
func wireGender(g string) (string, error) {
	switch s := strings.ToLower(strings.TrimSpace(g)); s {
	case "male", "female":
		return s, nil
	default:
		return "", errors.New("gender must be MALE or FEMALE")
	}
}

// wireCountry is an ISO 3166-1 alpha-2 code in lower case, as the API
// writes them ("fr").
func wireCountry(cc string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(cc))
	if len(s) != 2 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z' {
		return "", errors.New("must be a 2-letter ISO 3166 country code")
	}
	return s, nil
}

// chosenBags sums the selections' quantities by bag option ref, after
// checking that each names a traveller and one of the part's flights.
// Whether the option exists is checked against the flight's options.
func chosenBags(sels []providers.Selection, fl []partFlight, travellers int) (map[string]int, error) {
	chosen := map[string]int{}
	for i, s := range sels {
		if s.PassengerIndex < 0 || s.PassengerIndex >= travellers {
			return nil, fmt.Errorf("selection %d: no traveller %d", i+1, s.PassengerIndex)
		}
		if s.Quantity < 0 {
			return nil, fmt.Errorf("selection %d: negative quantity", i+1)
		}
		id, _, _ := strings.Cut(s.Ref, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || !containsFlight(fl, n) {
			return nil, fmt.Errorf("selection %d is not an extra of this part", i+1)
		}
		chosen[s.Ref] += s.Quantity
	}
	return chosen, nil
}

func containsFlight(fl []partFlight, id int64) bool {
	return slices.ContainsFunc(fl, func(f partFlight) bool { return f.id == id })
}

// bagChoices lists every bag option of every flight of the part with the
// quantity chosen, 0 where none is. The options come from the flights
// search for the party's seats. A flight the search no longer lists is
// SoldOut; a chosen ref that is none of the options is Rejected.
func (c *Client) bagChoices(ctx context.Context, fl []partFlight, seats int, chosen map[string]int) (map[string]wire.BagChoice, error) {
	out := make(map[string]wire.BagChoice, len(fl))
	offered := map[string]bool{}
	// quantity is the quantity chosen of option ref, given to the first
	// listing of the option should a flight list one twice.
	quantity := func(ref string) int {
		if offered[ref] {
			return 0
		}
		offered[ref] = true
		return chosen[ref]
	}
	for _, pf := range fl {
		fs, err := c.flights(ctx, opHold, pf.leg, seats)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(fs, func(f wire.Flight) bool { return f.ID == pf.id })
		if i < 0 {
			return nil, c.fail(opHold, providers.SoldOut, 0, "", "not enough seats left",
				fmt.Errorf("GET %s: flight %d not on sale for %d seats", wire.PathFlights, pf.id, seats))
		}
		f := fs[i]
		// ancillariesOf lists the checked options, then the cabin ones, in
		// the order of the flight's bags, with the refs selections use.
		anc, err := ancillariesOf(f)
		if err != nil {
			return nil, c.fail(opHold, providers.Unavailable, http.StatusOK, "", "unreadable provider answer", fmt.Errorf("GET %s: %w", wire.PathFlights, err))
		}
		bc := wire.BagChoice{Checked: make([]wire.CheckedChoice, len(f.Bags.Checked)), Cabin: make([]wire.CabinChoice, len(f.Bags.Cabin))}
		for j, b := range f.Bags.Checked {
			bc.Checked[j] = wire.CheckedChoice{Weight: b.Weight, Quantity: quantity(anc[j].Ref)}
		}
		for j, b := range f.Bags.Cabin {
			bc.Cabin[j] = wire.CabinChoice{Dimensions: b.Dimensions, Quantity: quantity(anc[len(f.Bags.Checked)+j].Ref)}
		}
		out[strconv.FormatInt(pf.id, 10)] = bc
	}
	for _, ref := range slices.Sorted(maps.Keys(chosen)) {
		if !offered[ref] {
			return nil, c.fail(opHold, providers.Rejected, 0, "", "a selection is not an extra of this part",
				fmt.Errorf("no bag option %q on the part's flights", ref))
		}
	}
	return out, nil
}

// readRequests reads the answer of POST /v3/requests: one request per
// flight of the part. It returns the hold and the fare held (the total
// without bags).
func readRequests(resp wire.RequestsResponse, fl []partFlight) (*providers.Hold, providers.Money, error) {
	if len(resp.Requests) != len(fl) {
		return nil, providers.Money{}, fmt.Errorf("%d requests for %d flights", len(resp.Requests), len(fl))
	}
	ids := make([]int64, len(fl))
	h := &providers.Hold{Total: providers.Money{Currency: wire.CurrencyEUR}}
	fare := providers.Money{Currency: wire.CurrencyEUR}
	for _, rq := range resp.Requests {
		i := -1
		for j, f := range fl {
			if f.id == rq.FlightID {
				i = j
			}
		}
		if i < 0 || ids[i] != 0 {
			return nil, providers.Money{}, fmt.Errorf("request %d: flight %d is not one asked for, or answered twice", rq.ID, rq.FlightID)
		}
		if rq.ID <= 0 {
			return nil, providers.Money{}, fmt.Errorf("flight %d: request id %d", rq.FlightID, rq.ID)
		}
		ids[i] = rq.ID
		exp, err := time.Parse(time.RFC3339, rq.ExpiresAt)
		if err != nil {
			return nil, providers.Money{}, fmt.Errorf("request %d: expires_at: %w", rq.ID, err)
		}
		if h.ExpiresAt.IsZero() || exp.Before(h.ExpiresAt) {
			h.ExpiresAt = exp
		}
		if rq.TotalPrice == "" {
			return nil, providers.Money{}, fmt.Errorf("request %d: no total_price", rq.ID)
		}
		cur := currencyOr(rq.Currency)
		total, err := providers.MoneyFromJSON(rq.TotalPrice, cur)
		if err != nil {
			return nil, providers.Money{}, fmt.Errorf("request %d: total_price: %w", rq.ID, err)
		}
		bags, err := providers.MoneyFromJSON(rq.BagsPrice, cur)
		if err != nil {
			return nil, providers.Money{}, fmt.Errorf("request %d: bags_price: %w", rq.ID, err)
		}
		if h.Total, err = h.Total.Add(total); err != nil {
			return nil, providers.Money{}, err
		}
		if fare, err = fare.Add(providers.Money{Amount: total.Amount - bags.Amount, Currency: cur}); err != nil {
			return nil, providers.Money{}, err
		}
	}
	h.Ref = formatRef(ids...)
	return h, fare, nil
}
