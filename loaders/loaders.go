// Package loaders holds the per-operation dataloaders that batch the
// provider calls of lazily resolved fields (price checks, ancillaries,
// bookings read back from their provider). The server makes a new set for
// an operation with Factory.New and puts it in the context with With;
// resolvers reach it through the typed helpers PriceChecks, Ancillaries
// and ProviderBooking. A helper called without loaders in the context
// answers ErrNoLoaders (ProviderBooking reads the booking directly).
//
// Providers are reached through the typed look-ups of providers.Set
// (PriceChecker, AncillaryLister, BookingRetriever): a provider without
// the capability answers a *providers.Error with code Unavailable for its
// keys, and a provider call that panics fails its own keys with code
// Internal, never the batch.
//
// Batch functions group keys by provider, deduplicate them (the loader's
// cache answers a repeated key within the operation without a call), run
// each provider's calls in parallel under a concurrency bound, and run on a
// context detached from the caller that triggered the batch, with its own
// deadline: one canceled caller must not fail the batch for the others.
package loaders

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/faregraph/faregraph/providers"
)

// Config configures the loaders of every operation.
type Config struct {
	Providers *providers.Set
	// Timeout bounds one batch's provider calls.
	Timeout time.Duration
	// Concurrency bounds the calls in flight to one provider per batch.
	Concurrency int
	// Wait is how long a loader collects keys before it runs a batch.
	Wait time.Duration
	// BookingTTL is how long a booking status read back from its provider
	// is kept for later operations (BookingStatus: statuses change rarely,
	// and a page of bookings would otherwise call the provider on every
	// request); 30 s when zero. Only answers are kept, never errors.
	BookingTTL time.Duration
	// Now is the clock of BookingTTL; time.Now when nil.
	Now func() time.Time
}

// Factory makes a fresh set of loaders for each operation. It also keeps
// the booking statuses read back in the last BookingTTL, for
// BookingStatus.
type Factory struct {
	cfg      Config
	bookings *bookingCache
}

// NewFactory returns a Factory.
func NewFactory(cfg Config) *Factory {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Wait <= 0 {
		cfg.Wait = time.Millisecond
	}
	if cfg.BookingTTL <= 0 {
		cfg.BookingTTL = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Factory{cfg: cfg, bookings: &bookingCache{ttl: cfg.BookingTTL, now: cfg.Now, m: map[BookingKey]cachedBooking{}}}
}

// bookingCache keeps bookings read back from their providers for a while.
type bookingCache struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[BookingKey]cachedBooking
}

type cachedBooking struct {
	b       *providers.Booking
	expires time.Time
}

func (c *bookingCache) get(k BookingKey) (*providers.Booking, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !c.now().Before(e.expires) {
		delete(c.m, k)
		return nil, false
	}
	return e.b, true
}

func (c *bookingCache) put(k BookingKey, b *providers.Booking) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for key, e := range c.m { // drop what lapsed, so the map stays small
		if !now.Before(e.expires) {
			delete(c.m, key)
		}
	}
	c.m[k] = cachedBooking{b, now.Add(c.ttl)}
}

// Loaders is the set of loaders of one operation.
type Loaders struct {
	cfg         Config
	parts       sync.Map // key → providers.Part
	priceChecks *dataloader.Loader[string, *providers.PriceCheck]
	ancillaries *dataloader.Loader[string, []providers.Ancillary]
	bookings    *dataloader.Loader[BookingKey, *providers.Booking]
	cache       *bookingCache
}

// BookingKey names a provider booking.
type BookingKey struct {
	Provider, Reference string
}

// New returns the loaders for one operation.
func (f *Factory) New() *Loaders {
	l := &Loaders{cfg: f.cfg, cache: f.bookings}
	l.priceChecks = dataloader.NewBatchedLoader(l.batchPriceChecks, dataloader.WithWait[string, *providers.PriceCheck](f.cfg.Wait))
	l.ancillaries = dataloader.NewBatchedLoader(l.batchAncillaries, dataloader.WithWait[string, []providers.Ancillary](f.cfg.Wait))
	l.bookings = dataloader.NewBatchedLoader(l.batchBookings, dataloader.WithWait[BookingKey, *providers.Booking](f.cfg.Wait))
	return l
}

type ctxKey struct{}

// With returns ctx carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// ErrNoLoaders is returned when a helper is called outside an operation.
var ErrNoLoaders = errors.New("loaders: no loaders in context")

func from(ctx context.Context) (*Loaders, error) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	if !ok {
		return nil, ErrNoLoaders
	}
	return l, nil
}

// PriceChecks loads the live price checks of parts, one result per part
// in order (nil where the part failed). Calls for the same part within an
// operation happen once. The error joins every part's failure
// (errors.Join), nil when none failed; errors.As finds each part's
// *providers.Error.
func PriceChecks(ctx context.Context, parts []providers.Part) ([]*providers.PriceCheck, error) {
	l, err := from(ctx)
	if err != nil {
		return nil, err
	}
	vals, errs := loadAll(ctx, l, l.priceChecks, parts)
	return vals, errors.Join(errs...)
}

// Ancillaries loads the extras on sale with parts, one result per part in
// order (nil where the part failed). The error joins every part's failure
// (errors.Join), nil when none failed.
func Ancillaries(ctx context.Context, parts []providers.Part) ([][]providers.Ancillary, error) {
	l, err := from(ctx)
	if err != nil {
		return nil, err
	}
	vals, errs := loadAll(ctx, l, l.ancillaries, parts)
	return vals, errors.Join(errs...)
}

// loadAll loads every part through ld, all keys first so that they share
// a batch, and returns one value and one error per part.
func loadAll[V any](ctx context.Context, l *Loaders, ld *dataloader.Loader[string, V], parts []providers.Part) ([]V, []error) {
	thunks := make([]dataloader.Thunk[V], len(parts))
	for i, p := range parts {
		k := p.Key()
		l.parts.LoadOrStore(k, p)
		thunks[i] = ld.Load(ctx, k)
	}
	vals := make([]V, len(parts))
	errs := make([]error, len(parts))
	for i, th := range thunks {
		vals[i], errs[i] = th()
	}
	return vals, errs
}

// detach returns a context that outlives the caller who triggered a batch,
// bounded by the loaders' own deadline.
func (l *Loaders) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), l.cfg.Timeout)
}

// byProvider groups the batch's keys by provider, keeping each key's index.
func (l *Loaders) byProvider(keys []string) map[string][]int {
	groups := map[string][]int{}
	for i, k := range keys {
		p, _ := l.parts.Load(k)
		part := p.(providers.Part)
		groups[part.Provider] = append(groups[part.Provider], i)
	}
	return groups
}

func (l *Loaders) part(key string) providers.Part {
	p, _ := l.parts.Load(key)
	return p.(providers.Part)
}

func (l *Loaders) batchPriceChecks(ctx context.Context, keys []string) []*dataloader.Result[*providers.PriceCheck] {
	ctx, cancel := l.detach(ctx)
	defer cancel()
	out := make([]*dataloader.Result[*providers.PriceCheck], len(keys))
	var wg sync.WaitGroup
	for name, idx := range l.byProvider(keys) {
		pc, err := l.cfg.Providers.PriceChecker(name)
		if err != nil {
			for _, i := range idx {
				out[i] = &dataloader.Result[*providers.PriceCheck]{Error: err}
			}
			continue
		}
		sem := make(chan struct{}, l.cfg.Concurrency)
		for _, i := range idx {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				check, err := pc.CheckPrice(ctx, l.part(keys[i]))
				out[i] = &dataloader.Result[*providers.PriceCheck]{Data: check, Error: err}
			}()
		}
	}
	wg.Wait()
	return out
}

func (l *Loaders) batchAncillaries(ctx context.Context, keys []string) []*dataloader.Result[[]providers.Ancillary] {
	dctx, cancel := l.detach(ctx)
	defer cancel()
	out := make([]*dataloader.Result[[]providers.Ancillary], len(keys))
	var wg sync.WaitGroup
	for name, idx := range l.byProvider(keys) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts := make([]providers.Part, len(idx))
			for j, i := range idx {
				parts[j] = l.part(keys[i])
			}
			if al, err := l.cfg.Providers.AncillaryLister(name); err == nil {
				for j, r := range al.ListAncillaries(dctx, parts) {
					out[idx[j]] = &dataloader.Result[[]providers.Ancillary]{Data: r.Ancillaries, Error: r.Err}
				}
				return
			}
			// The provider's price check carries its extras: share the
			// operation's price-check loader so the call happens once.
			checks, errs := loadAll(dctx, l, l.priceChecks, parts)
			for j, c := range checks {
				r := &dataloader.Result[[]providers.Ancillary]{Error: errs[j]}
				if c != nil {
					r.Data = c.Ancillaries
				}
				out[idx[j]] = r
			}
		}()
	}
	wg.Wait()
	return out
}

// ProviderBooking reads a booking back from its provider, with the latest
// status and flight information. With loaders in ctx each booking is read
// once per operation; without them it is read directly. A provider that cannot read
// bookings back answers a *providers.Error with code Unavailable.
func ProviderBooking(ctx context.Context, set *providers.Set, k BookingKey) (*providers.Booking, error) {
	l, err := from(ctx)
	if err != nil {
		return retrieve(ctx, set, k)
	}
	return l.bookings.Load(ctx, k)()
}

// BookingStatus is a booking's status as its provider says now, read
// through ProviderBooking, except that a status read less than
// Config.BookingTTL ago, in any operation, is answered without a call.
// fresh is the booking as read now, nil when the status came from what
// was kept (a kept read must not be recorded as news: it may predate a
// change recorded since).
func BookingStatus(ctx context.Context, set *providers.Set, k BookingKey) (_ providers.BookingStatus, fresh *providers.Booking, _ error) {
	l, err := from(ctx)
	if err == nil {
		if b, ok := l.cache.get(k); ok {
			return b.Status, nil, nil
		}
	}
	b, err := ProviderBooking(ctx, set, k)
	if err != nil {
		return "", nil, err
	}
	if l != nil {
		l.cache.put(k, b)
	}
	return b.Status, b, nil
}

func retrieve(ctx context.Context, set *providers.Set, k BookingKey) (*providers.Booking, error) {
	r, err := set.BookingRetriever(k.Provider)
	if err != nil {
		return nil, err
	}
	return r.Retrieve(ctx, k.Reference)
}

func (l *Loaders) batchBookings(ctx context.Context, keys []BookingKey) []*dataloader.Result[*providers.Booking] {
	ctx, cancel := l.detach(ctx)
	defer cancel()
	out := make([]*dataloader.Result[*providers.Booking], len(keys))
	sems := map[string]chan struct{}{}
	for _, k := range keys {
		if sems[k.Provider] == nil {
			sems[k.Provider] = make(chan struct{}, l.cfg.Concurrency)
		}
	}
	var wg sync.WaitGroup
	for i, k := range keys {
		sem := sems[k.Provider]
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			b, err := retrieve(ctx, l.cfg.Providers, k)
			out[i] = &dataloader.Result[*providers.Booking]{Data: b, Error: err}
		})
	}
	wg.Wait()
	return out
}
