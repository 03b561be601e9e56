package providers

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"
)

// Set is the providers faregraph sells, by name. It is built once, by the
// app from its provider registry (app/providers.go), and shared by search,
// checkout and the loaders, which reach a provider's capabilities only
// through its typed look-ups (Searcher, RoundTripSearcher, PriceChecker,
// AncillaryLister, Holder, Booker, BookingRetriever).
//
// Every capability a look-up returns is guarded: a panic inside the
// adapter's call is recovered on the goroutine that made the call, logged
// with the caller's context (so with its request id), and returned as an
// *Error with code Internal for that call only.
type Set struct {
	names  []string
	byName map[string]Searcher
	log    *slog.Logger
}

// NewSet returns a Set of ps. Names must be unique; a repeated name is an
// error. log receives the panics recovered from provider calls; nil
// discards them.
func NewSet(log *slog.Logger, ps ...Searcher) (*Set, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Set{byName: make(map[string]Searcher, len(ps)), log: log}
	for _, p := range ps {
		if _, dup := s.byName[p.Name()]; dup {
			return nil, fmt.Errorf("providers: %q listed twice", p.Name())
		}
		s.byName[p.Name()] = p
		s.names = append(s.names, p.Name())
	}
	sort.Strings(s.names)
	return s, nil
}

// Names returns the provider names, sorted.
func (s *Set) Names() []string { return append([]string(nil), s.names...) }

// lookup finds provider name and its capability C. An unknown provider,
// or one without the capability, is an *Error with code Unavailable for
// operation op whose message says which.
func lookup[C any](s *Set, name, op, lacks string) (C, error) {
	var zero C
	p, ok := s.byName[name]
	if !ok {
		return zero, &Error{Provider: name, Op: op, Code: Unavailable, Message: "unknown provider"}
	}
	c, ok := p.(C)
	if !ok {
		return zero, &Error{Provider: name, Op: op, Code: Unavailable, Message: "the provider " + lacks}
	}
	return c, nil
}

// Searcher returns provider name's one-way search, guarded. An unknown
// name is an *Error with code Unavailable.
func (s *Set) Searcher(name string) (Searcher, error) {
	p, err := lookup[Searcher](s, name, "search", "cannot search")
	if err != nil {
		return nil, err
	}
	return guardedSearcher{p, s.guard(name)}, nil
}

// RoundTripSearcher returns provider name's round-trip search, guarded. An
// unknown name, or a provider without round-trip fares, is an *Error with
// code Unavailable.
func (s *Set) RoundTripSearcher(name string) (RoundTripSearcher, error) {
	p, err := lookup[RoundTripSearcher](s, name, "round_trips", "has no round-trip fares")
	if err != nil {
		return nil, err
	}
	return guardedRoundTrips{p, s.guard(name)}, nil
}

// PriceChecker returns provider name's live price check, guarded. An
// unknown name, or a provider that cannot check prices, is an *Error with
// code Unavailable.
func (s *Set) PriceChecker(name string) (PriceChecker, error) {
	p, err := lookup[PriceChecker](s, name, "verify", "cannot check prices")
	if err != nil {
		return nil, err
	}
	return guardedPriceChecker{p, s.guard(name)}, nil
}

// AncillaryLister returns provider name's list of extras, guarded. An
// unknown name, or a provider whose price check carries its extras
// instead, is an *Error with code Unavailable.
func (s *Set) AncillaryLister(name string) (AncillaryLister, error) {
	p, err := lookup[AncillaryLister](s, name, "ancillaries", "does not list extras apart from its price check")
	if err != nil {
		return nil, err
	}
	return guardedAncillaries{p, s.guard(name)}, nil
}

// Holder returns provider name's seat hold, guarded. An unknown name, or a
// provider that cannot hold seats, is an *Error with code Unavailable.
func (s *Set) Holder(name string) (Holder, error) {
	p, err := lookup[Holder](s, name, "hold", "cannot hold seats")
	if err != nil {
		return nil, err
	}
	return guardedHolder{p, s.guard(name)}, nil
}

// Attacher returns provider name's extras-to-a-hold call, guarded. An
// unknown name, or a provider that cannot add extras to a hold, is an
// *Error with code Unavailable.
func (s *Set) Attacher(name string) (Attacher, error) {
	p, err := lookup[Attacher](s, name, "attach_services", "cannot add seats to a hold")
	if err != nil {
		return nil, err
	}
	return guardedAttacher{p, s.guard(name)}, nil
}

// Booker returns provider name's booking, guarded. An unknown name, or a
// provider that cannot book, is an *Error with code Unavailable.
func (s *Set) Booker(name string) (Booker, error) {
	p, err := lookup[Booker](s, name, "book", "cannot book")
	if err != nil {
		return nil, err
	}
	return guardedBooker{p, s.guard(name)}, nil
}

// BookingRetriever returns provider name's booking read-back, guarded. An
// unknown name, or a provider that cannot read bookings back, is an *Error
// with code Unavailable.
func (s *Set) BookingRetriever(name string) (BookingRetriever, error) {
	p, err := lookup[BookingRetriever](s, name, "retrieve", "cannot read bookings back")
	if err != nil {
		return nil, err
	}
	return guardedRetriever{p, s.guard(name)}, nil
}

// Canceller returns provider name's booking cancellation, guarded. An
// unknown name, or a provider that cannot cancel bookings, is an *Error
// with code Unavailable.
func (s *Set) Canceller(name string) (Canceller, error) {
	p, err := lookup[Canceller](s, name, "cancel", "cannot cancel bookings")
	if err != nil {
		return nil, err
	}
	return guardedCanceller{p, s.guard(name)}, nil
}

// CancellationQuoter returns provider name's cancellation quotes,
// guarded. An unknown name, or a provider that cannot quote a
// cancellation, is an *Error with code Unavailable.
func (s *Set) CancellationQuoter(name string) (CancellationQuoter, error) {
	p, err := lookup[CancellationQuoter](s, name, "quote_cancellation", "cannot quote cancellations")
	if err != nil {
		return nil, err
	}
	return guardedQuoter{p, s.guard(name)}, nil
}

// Settlements lists how provider name settles a part: its Settler's
// list, or only Merchant for an adapter without one. An unknown name is
// an *Error with code Unavailable.
func (s *Set) Settlements(name string) ([]Settlement, error) {
	p, ok := s.byName[name]
	if !ok {
		return nil, &Error{Provider: name, Op: "settle", Code: Unavailable, Message: "unknown provider"}
	}
	if st, ok := p.(Settler); ok {
		return st.Settlements(), nil
	}
	return []Settlement{Merchant}, nil
}

// Call is one provider's share of a fan-out: its answer, or the error that
// took its place, and how long it took.
type Call[T any] struct {
	Provider string
	Value    T
	Err      error
	Latency  time.Duration
}

// FanOut runs fn for every named provider in parallel, each under its own
// deadline, and waits for all of them. fn gets the provider's guarded
// Searcher. A provider's failure or slowness is its own result and never
// cancels the others: an unknown name is an *Error with code Unavailable,
// a deadline passed is one with code Timeout, and a panic in fn (on its
// goroutine) is recovered, logged with ctx, and becomes an *Error with
// code Internal. Results are in the order of names.
func FanOut[T any](ctx context.Context, s *Set, names []string, deadline time.Duration, fn func(ctx context.Context, p Searcher) (T, error)) []Call[T] {
	return FanOutEach(ctx, s, names, deadline, fn, nil)
}

// FanOutEach is FanOut that also hands each call to each as soon as it
// ends (an unknown provider at once), one at a time, so that a caller can
// show a fast provider's answer before a slow one's.
func FanOutEach[T any](ctx context.Context, s *Set, names []string, deadline time.Duration, fn func(ctx context.Context, p Searcher) (T, error), each func(Call[T])) []Call[T] {
	calls := make([]Call[T], len(names))
	var mu sync.Mutex
	done := func(c Call[T]) {
		if each != nil {
			mu.Lock()
			defer mu.Unlock()
			each(c)
		}
	}
	var wg sync.WaitGroup
	for i, name := range names {
		calls[i].Provider = name
		p, err := s.Searcher(name)
		if err != nil {
			calls[i].Err = err
			done(calls[i])
			continue
		}
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, deadline)
			defer cancel()
			start := time.Now()
			v, err := func() (v T, err error) {
				defer s.guard(name)(pctx, "search", &err)
				return fn(pctx, p)
			}()
			if err != nil && pctx.Err() == context.DeadlineExceeded {
				err = &Error{Provider: name, Op: "search", Code: Timeout, Message: fmt.Sprintf("no answer within %s", deadline), Err: err}
			}
			calls[i] = Call[T]{Provider: name, Value: v, Err: err, Latency: time.Since(start)}
			done(calls[i])
		})
	}
	wg.Wait()
	return calls
}

// recoverer is deferred by a guarded call: it turns a panic of the
// calling goroutine into an *Error with code Internal in *err.
type recoverer func(ctx context.Context, op string, err *error)

// guard returns the recoverer of provider name's calls.
func (s *Set) guard(name string) recoverer {
	return func(ctx context.Context, op string, err *error) {
		p := recover()
		if p == nil {
			return
		}
		s.log.ErrorContext(ctx, "provider call panicked", "provider", name, "op", op, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		*err = &Error{Provider: name, Op: op, Code: Internal, Message: "internal error", Err: fmt.Errorf("panic: %v", p)}
	}
}

type guardedSearcher struct {
	p       Searcher
	recover recoverer
}

func (g guardedSearcher) Name() string { return g.p.Name() }

func (g guardedSearcher) Search(ctx context.Context, q Query) (_ []Offer, err error) {
	defer g.recover(ctx, "search", &err)
	return g.p.Search(ctx, q)
}

type guardedRoundTrips struct {
	p       RoundTripSearcher
	recover recoverer
}

func (g guardedRoundTrips) SearchRoundTrips(ctx context.Context, q RoundTripQuery) (_ []Offer, err error) {
	defer g.recover(ctx, "round_trips", &err)
	return g.p.SearchRoundTrips(ctx, q)
}

type guardedPriceChecker struct {
	p       PriceChecker
	recover recoverer
}

func (g guardedPriceChecker) CheckPrice(ctx context.Context, part Part) (_ *PriceCheck, err error) {
	defer g.recover(ctx, "verify", &err)
	return g.p.CheckPrice(ctx, part)
}

type guardedAncillaries struct {
	p       AncillaryLister
	recover recoverer
}

// ListAncillaries answers every part with the recovered error when the
// adapter panics.
func (g guardedAncillaries) ListAncillaries(ctx context.Context, parts []Part) (rs []AncillaryResult) {
	var err error
	defer func() {
		if err != nil {
			rs = make([]AncillaryResult, len(parts))
			for i := range rs {
				rs[i].Err = err
			}
		}
	}()
	defer g.recover(ctx, "ancillaries", &err)
	return g.p.ListAncillaries(ctx, parts)
}

type guardedHolder struct {
	p       Holder
	recover recoverer
}

func (g guardedHolder) Hold(ctx context.Context, r HoldRequest) (_ *Hold, err error) {
	defer g.recover(ctx, "hold", &err)
	return g.p.Hold(ctx, r)
}

type guardedAttacher struct {
	p       Attacher
	recover recoverer
}

func (g guardedAttacher) Attach(ctx context.Context, r AttachRequest) (_ *Hold, err error) {
	defer g.recover(ctx, "attach_services", &err)
	return g.p.Attach(ctx, r)
}

type guardedBooker struct {
	p       Booker
	recover recoverer
}

func (g guardedBooker) Book(ctx context.Context, r BookRequest) (_ *Booking, err error) {
	defer g.recover(ctx, "book", &err)
	return g.p.Book(ctx, r)
}

func (g guardedBooker) FindBooking(ctx context.Context, r BookRequest) (_ *Booking, err error) {
	defer g.recover(ctx, "find_booking", &err)
	return g.p.FindBooking(ctx, r)
}

type guardedRetriever struct {
	p       BookingRetriever
	recover recoverer
}

func (g guardedRetriever) Retrieve(ctx context.Context, reference string) (_ *Booking, err error) {
	defer g.recover(ctx, "retrieve", &err)
	return g.p.Retrieve(ctx, reference)
}

type guardedCanceller struct {
	p       Canceller
	recover recoverer
}

func (g guardedCanceller) Cancel(ctx context.Context, reference string) (_ *Booking, err error) {
	defer g.recover(ctx, "cancel", &err)
	return g.p.Cancel(ctx, reference)
}

type guardedQuoter struct {
	p       CancellationQuoter
	recover recoverer
}

func (g guardedQuoter) QuoteCancellation(ctx context.Context, reference string) (_ *CancellationQuote, err error) {
	defer g.recover(ctx, "quote_cancellation", &err)
	return g.p.QuoteCancellation(ctx, reference)
}
