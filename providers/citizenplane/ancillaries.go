package citizenplane

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// maxParallel bounds the searches one ListAncillaries batch runs at once.
const maxParallel = 4

// ListAncillaries lists the bags on sale with each part. CitizenPlane has
// no ancillary endpoint: bags come on the flight object of a search. The
// parts' flights are grouped by searched leg and seat count, each group is
// searched once (the groups in parallel), and every flight is looked up by
// id in its group's answer. A round-trip part lists the bags of both its
// flights. A flight missing from the answer (sold out, gone) makes its
// part's entry an OfferExpired error; a failed search fails the entries of
// its group.
func (c *Client) ListAncillaries(ctx context.Context, parts []providers.Part) []providers.AncillaryResult {
	type groupKey struct {
		leg   providers.OriginDestination
		seats int
	}
	results := make([]providers.AncillaryResult, len(parts))
	flights := make([][]partFlight, len(parts))
	index := map[groupKey]int{}
	var keys []groupKey
	for i, p := range parts {
		fl, err := flightsOf(p)
		if err == nil {
			err = checkPassengers(p.Passengers)
		}
		if err != nil {
			results[i].Err = c.fail(opAncillaries, providers.Rejected, 0, "", "not a CitizenPlane part", err)
			continue
		}
		flights[i] = fl
		for _, f := range fl {
			k := groupKey{f.leg, p.Passengers.Seats()}
			if _, ok := index[k]; !ok {
				index[k] = len(keys)
				keys = append(keys, k)
			}
		}
	}

	type answer struct {
		byID map[int64]wire.Flight
		err  error
	}
	answers := make([]answer, len(keys))
	sem := make(chan struct{}, maxParallel)
	var wg sync.WaitGroup
	var panicked sync.Once
	var panicValue any
	for gi, k := range keys {
		wg.Go(func() {
			// A panic is carried to the calling goroutine, where the
			// caller's guard (providers.Set) can recover it.
			defer func() {
				if p := recover(); p != nil {
					panicked.Do(func() { panicValue = p })
				}
			}()
			sem <- struct{}{}
			defer func() { <-sem }()
			fs, err := c.flights(ctx, opAncillaries, k.leg, k.seats)
			byID := make(map[int64]wire.Flight, len(fs))
			for _, f := range fs {
				byID[f.ID] = f
			}
			answers[gi] = answer{byID, err}
		})
	}
	wg.Wait()
	if panicValue != nil {
		panic(panicValue)
	}

	for i, p := range parts {
		if flights[i] == nil {
			continue
		}
		var list []providers.Ancillary
		for _, pf := range flights[i] {
			a := answers[index[groupKey{pf.leg, p.Passengers.Seats()}]]
			if a.err != nil {
				list, results[i].Err = nil, a.err
				break
			}
			f, ok := a.byID[pf.id]
			if !ok {
				list, results[i].Err = nil, c.fail(opAncillaries, providers.OfferExpired, 0, "", "flight no longer on sale", fmt.Errorf("GET %s: flight %d not in the results", wire.PathFlights, pf.id))
				break
			}
			anc, err := ancillariesOf(f)
			if err != nil {
				list, results[i].Err = nil, c.fail(opAncillaries, providers.Unavailable, http.StatusOK, "", "unreadable provider answer", fmt.Errorf("GET %s: %w", wire.PathFlights, err))
				break
			}
			list = append(list, anc...)
		}
		results[i].Ancillaries = list
	}
	return results
}
