package search

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/faregraph/faregraph/ids"
)

// SortKey orders a search's offers.
type SortKey string

const (
	ByPrice     SortKey = "PRICE"
	ByDeparture SortKey = "DEPARTURE"
	ByDuration  SortKey = "DURATION"
)

// MaxPageSize is the largest page a client can ask for.
const MaxPageSize = 100

// Page is a window of a stored search's offers in one order.
type Page struct {
	Offers          []*Offer
	Cursors         []string
	HasNextPage     bool
	HasPreviousPage bool
	TotalCount      int
}

// ErrBadCursor is returned for a cursor that is not from this search and sort order.
var ErrBadCursor = fmt.Errorf("search: cursor is not from this search and sort order")

type sortedViews struct {
	mu    sync.Mutex
	order map[SortKey][]int
}

// Page returns up to size offers in the order by: forward, the ones after
// the cursor (from the first when cursor is ""); backward, the ones
// before it (up to the last when cursor is ""). Cursors are stable: the
// stored result never changes.
func (r *Result) Page(by SortKey, size int, cursor string, backward bool) (Page, error) {
	order, err := r.order(by)
	if err != nil {
		return Page{}, err
	}
	at := -1
	if cursor != "" {
		typ, key, err := ids.Parse(cursor)
		k, n, ok := strings.Cut(key, ":")
		i, aerr := strconv.Atoi(n)
		if err != nil || typ != "Cursor" || !ok || k != r.ID+"/"+string(by) || aerr != nil || i < 0 || i >= len(order) {
			return Page{}, ErrBadCursor
		}
		at = i
	}
	start, end := at+1, min(at+1+size, len(order))
	if backward {
		end = len(order)
		if at >= 0 {
			end = at
		}
		start = max(0, end-size)
	}
	p := Page{TotalCount: len(order), HasNextPage: end < len(order), HasPreviousPage: start > 0}
	if err := r.sealed(order[start:end]); err != nil {
		return Page{}, err
	}
	for i := start; i < end; i++ {
		p.Offers = append(p.Offers, r.Offers[order[i]])
		p.Cursors = append(p.Cursors, ids.Global("Cursor", r.ID+"/"+string(by)+":"+strconv.Itoa(i)))
	}
	return p, nil
}

func (r *Result) order(by SortKey) ([]int, error) {
	var less func(a, b *Offer) int
	switch by {
	case ByPrice:
		less = func(a, b *Offer) int { return cmp.Compare(a.Total.Amount, b.Total.Amount) }
	case ByDeparture:
		less = func(a, b *Offer) int { return a.Slices[0].DepartureAt().Compare(b.Slices[0].DepartureAt()) }
	case ByDuration:
		less = func(a, b *Offer) int { return cmp.Compare(a.Duration(), b.Duration()) }
	default:
		return nil, fmt.Errorf("search: unknown sort key %q", by)
	}
	r.sorted.mu.Lock()
	defer r.sorted.mu.Unlock()
	if o, ok := r.sorted.order[by]; ok {
		return o, nil
	}
	o := make([]int, len(r.Offers))
	for i := range o {
		o[i] = i
	}
	// Ties fall back to the stored order (cheapest, then earliest), so
	// every replica sorts the same result the same way.
	slices.SortStableFunc(o, func(a, b int) int { return less(r.Offers[a], r.Offers[b]) })
	if r.sorted.order == nil {
		r.sorted.order = map[SortKey][]int{}
	}
	r.sorted.order[by] = o
	return o, nil
}
