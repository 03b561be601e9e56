package search

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/fx"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records"
	"github.com/faregraph/faregraph/rules"
)

// Errors of Get and DecodeOffer.
var (
	// ErrNotFound: no such search or offer (or a forged id).
	ErrNotFound = errors.New("search: not found")
	// ErrOfferExpired: the offer id is genuine but past its expiry.
	ErrOfferExpired = errors.New("search: offer expired")
	// ErrSearchExpired: the search is genuine but past its expiry.
	ErrSearchExpired = errors.New("search: search expired")
	// ErrOverloaded: the search was not run because MaxInFlight searches
	// were running and it could not wait (MaxQueued were waiting already,
	// or none finished within QueueWait); asking again shortly may work.
	ErrOverloaded = errors.New("search: too many searches in flight")
)

// Store keeps search results so that any replica can page them until they
// expire. LoadSearch returns ErrNotFound for an unknown id and
// ErrSearchExpired for one past its expiry (for as long as the store
// remembers it; then ErrNotFound).
type Store interface {
	SaveSearch(ctx context.Context, id string, createdAt, expiresAt time.Time, body []byte) error
	LoadSearch(ctx context.Context, id string, now time.Time) ([]byte, error)
}

// Config configures a Service.
type Config struct {
	Providers *providers.Set
	Store     Store
	Signer    *ids.Signer
	Logger    *slog.Logger
	// ProviderTimeout is each provider's deadline for one search.
	ProviderTimeout time.Duration
	// ResultTTL is how long a stored search can be paged (default 15m).
	ResultTTL time.Duration
	// ReuseTTL is how long an identical search is answered from the last
	// result instead of asking the providers again (default 60s).
	ReuseTTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// NewID makes search ids; when nil, each id carries the instant its
	// store began, signed (see newSearchID), so that a replica asked for it
	// before the store landed knows to wait (StoreWait). Tests set it to
	// get the same ids (and cursors) on every run; such ids carry no
	// instant, and only the replica that made them waits for their store.
	NewID func() string
	// StoreWait bounds storing a result, retries included, from the
	// instant its id is handed out; and it is how long after that instant
	// a lookup that finds the id in no store keeps looking (polling the
	// store) before it answers ErrNotFound. DefaultStoreWait when zero.
	StoreWait time.Duration
	// Rates are the exchange rates in force (fx.Source.Rates); the
	// shipped ECB snapshot when nil.
	Rates func() *fx.Rates
	// MaxInFlight bounds the searches whose providers are asked at once
	// (each holds its providers' answers in memory until it is stored);
	// DefaultMaxInFlight when zero. Identical searches sharing one run
	// count once; a search answered from a recent identical one, not at all.
	MaxInFlight int
	// MaxQueued bounds the searches waiting for one of MaxInFlight to
	// finish (DefaultMaxQueued when zero), and QueueWait how long each may
	// wait (DefaultQueueWait when zero); a search that cannot wait fails
	// with ErrOverloaded before asking any provider.
	MaxQueued int
	QueueWait time.Duration
	// Flies tells whether provider flies from origin to destination, when
	// it is known (the simulators list their routes); known false means
	// ask the provider. Nil knows nothing.
	Flies func(provider, origin, destination string) (flies, known bool)
}

// Admission defaults (Config.MaxInFlight, MaxQueued, QueueWait). At
// 150 ms a provider, 64 searches in flight are some 400 searches a
// second, more than two cores decode, combine and convert; at 128 in
// flight and 512 queued, cmd/bench's memory scenario (1,000 searches at
// once) peaked at 286 MiB RSS, whole process.
const (
	DefaultStoreWait   = 3 * time.Second
	DefaultMaxInFlight = 64
	DefaultMaxQueued   = 256
	DefaultQueueWait   = 5 * time.Second
)

// Service runs and stores searches. It is safe for concurrent use.
type Service struct {
	cfg    Config
	flight singleflight.Group
	// slots holds a token per search asking its providers; queued counts
	// the searches waiting for one.
	slots  chan struct{}
	queued atomic.Int64

	// storeBackoff are the pauses between attempts to store a result.
	storeBackoff []time.Duration

	mu        sync.Mutex
	byID      map[string]*Result
	byKey     map[string]*Result
	lastSweep time.Time
}

// maxCached bounds the results kept in memory; the store holds them all.
const maxCached = 4096

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.ProviderTimeout <= 0 {
		cfg.ProviderTimeout = 5 * time.Second
	}
	if cfg.ResultTTL <= 0 {
		cfg.ResultTTL = 15 * time.Minute
	}
	if cfg.ReuseTTL <= 0 {
		cfg.ReuseTTL = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.StoreWait <= 0 {
		cfg.StoreWait = DefaultStoreWait
	}
	if cfg.Rates == nil {
		snap := fx.Snapshot()
		cfg.Rates = func() *fx.Rates { return snap }
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = DefaultMaxQueued
	}
	if cfg.QueueWait <= 0 {
		cfg.QueueWait = DefaultQueueWait
	}
	return &Service{cfg: cfg, slots: make(chan struct{}, cfg.MaxInFlight), byID: map[string]*Result{}, byKey: map[string]*Result{}, storeBackoff: defaultStoreBackoff}
}

// Providers returns the names of the providers searched by default.
func (s *Service) Providers() []string { return s.cfg.Providers.Names() }

// Search validates r, then answers it from a recent identical search or
// runs it. Identical searches in flight at once share one run; the run goes
// on for the others when one caller gives up. An invalid request is an
// *fault.FieldError and reaches no provider. Provider failures are not errors:
// they are in Result.Providers. The result is stored and every offer has
// its id when Search returns.
func (s *Service) Search(ctx context.Context, r Request) (*Result, error) {
	res, err := s.Start(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := res.Stored(ctx); err != nil {
		return nil, err
	}
	if err := res.signAll(); err != nil {
		return nil, err
	}
	return res, nil
}

// Start is Search answered as soon as the slowest provider is in: the
// result is being stored meanwhile (Result.Stored waits for it), and each
// offer's id is sealed when a page first shows it (Page), once. Sealing is
// deterministic, so an offer has the same id whoever seals it. The search's
// id may be handed out at once: Get, on this replica or another, waits for
// a store under way (see Get). Under a context from AfterAnswer, the store
// begins only once the answer is written.
func (s *Service) Start(ctx context.Context, r Request) (*Result, error) {
	r, err := Normalize(r, s.cfg.Providers.Names(), s.cfg.Now())
	if err != nil {
		return nil, err
	}
	key := requestKey(r)
	if res := s.reusable(key); res != nil {
		return res, nil
	}
	ch := s.flight.DoChan(key, func() (any, error) {
		if res := s.reusable(key); res != nil {
			return res, nil
		}
		// Detached from the first caller: its cancellation must not fail
		// the others sharing this run. Provider deadlines bound it.
		res, err := s.run(context.WithoutCancel(ctx), r, nil, answered(ctx))
		if err != nil {
			return nil, err
		}
		s.remember(key, res)
		return res, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case out := <-ch:
		if out.Err != nil {
			return nil, out.Err
		}
		return out.Val.(*Result), nil
	}
}

// SearchStream is Search that tells progress each provider's result and
// offers as soon as that provider answers, so that the slowest provider
// holds back only its own offers, then answers the stored result (with
// combined one-ways across providers). It shares no run with identical
// searches in flight; a recent identical result is told provider by
// provider at once.
func (s *Service) SearchStream(ctx context.Context, r Request, progress Progress) (*Result, error) {
	r, err := Normalize(r, s.cfg.Providers.Names(), s.cfg.Now())
	if err != nil {
		return nil, err
	}
	key := requestKey(r)
	if res := s.reusable(key); res != nil {
		for _, pr := range res.Providers {
			own, at := ownFares(res.Offers, pr.Provider)
			if res.sealed(at) != nil {
				own = nil
			}
			pr.OfferCount = len(own)
			progress(pr, own)
		}
		if err := res.Stored(ctx); err != nil {
			return nil, err
		}
		return res, nil
	}
	res, err := s.run(ctx, r, progress, nil)
	if err != nil {
		return nil, err
	}
	s.remember(key, res)
	// The last event says the search is stored (schema.graphql): the
	// providers' offers went out already, so waiting costs them nothing.
	if err := res.Stored(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

func requestKey(r Request) string {
	b, _ := json.Marshal(r)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func (s *Service) reusable(key string) *Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.byKey[key]
	if res != nil && s.cfg.Now().Before(res.CreatedAt.Add(s.cfg.ReuseTTL)) {
		return res
	}
	return nil
}

func (s *Service) remember(key string, res *Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if res.storeFailed() {
		return // forgotten already
	}
	now := s.cfg.Now()
	if now.Sub(s.lastSweep) > time.Minute || len(s.byID) >= maxCached {
		s.lastSweep = now
		for id, r := range s.byID {
			if !now.Before(r.ExpiresAt) || len(s.byID) >= maxCached {
				delete(s.byID, id)
			}
		}
		for k, r := range s.byKey {
			if !now.Before(r.CreatedAt.Add(s.cfg.ReuseTTL)) || s.byID[r.ID] == nil {
				delete(s.byKey, k)
			}
		}
	}
	s.byID[res.ID] = res
	if key != "" && res.allAnswered() {
		// A result with a failed provider is not reused: the next identical
		// search asks again instead of repeating the failure for a minute.
		s.byKey[key] = res
	}
}

// Get returns a stored search by its id, from memory or from the store.
// It returns ErrNotFound for an unknown id and ErrSearchExpired for one
// past its expiry.
//
// A search's id is handed out while its result is still being stored
// (Start), so Get answers only what every replica would: a result of this
// replica still being stored is answered once the store lands; an id
// found in no store while it is young (its store began less than
// StoreWait ago, as the instant the id carries says) is looked for again,
// every few milliseconds, until it lands or StoreWait has passed. A result
// whose store failed every attempt is never answered: its id is then
// ErrNotFound everywhere, like an unknown one (the search's offers, whose
// ids are self-contained, can still be looked up and booked).
func (s *Service) Get(ctx context.Context, id string) (*Result, error) {
	s.mu.Lock()
	res := s.byID[id]
	s.mu.Unlock()
	if res != nil {
		err := res.Stored(ctx)
		if err == nil {
			if !s.cfg.Now().Before(res.ExpiresAt) {
				return nil, ErrSearchExpired
			}
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Not stored: the store decides, as on any other replica.
	}
	now := s.cfg.Now()
	body, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	var rec records.Search
	if err := decodeStored(body, &rec); err != nil {
		return nil, fmt.Errorf("search: stored search %s: %w", id, err)
	}
	res = fromRecord(rec)
	if !now.Before(res.ExpiresAt) {
		return nil, ErrSearchExpired
	}
	res.prepare(s.cfg.Signer)
	res.storeDone(nil)
	s.remember("", res)
	return res, nil
}

// Lookups of a young id found in no store poll it, pausing from
// firstPoll up to maxPoll between looks. storeWaitSkew is added to
// StoreWait for the clocks of the replica that made the id and the one
// asked for it, which may differ by that much.
const (
	firstPoll     = 2 * time.Millisecond
	maxPoll       = 100 * time.Millisecond
	storeWaitSkew = 500 * time.Millisecond
)

// load reads id's body from the store; an id found in no store while it
// is young is looked for again until it lands or it is no longer young.
func (s *Service) load(ctx context.Context, id string) ([]byte, error) {
	body, err := s.cfg.Store.LoadSearch(ctx, id, s.cfg.Now())
	if !errors.Is(err, ErrNotFound) {
		return body, err
	}
	began, ok := s.storeBegan(id)
	if !ok {
		return nil, err
	}
	limit := s.cfg.StoreWait + storeWaitSkew
	wait := min(began.Add(limit).Sub(s.cfg.Now()), limit)
	if wait <= 0 {
		return nil, err
	}
	// A real timer: the configured clock may stand still (tests).
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	pause := firstPoll
	for {
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-deadline.C:
			t.Stop()
			return s.cfg.Store.LoadSearch(ctx, id, s.cfg.Now())
		case <-t.C:
		}
		body, err = s.cfg.Store.LoadSearch(ctx, id, s.cfg.Now())
		if !errors.Is(err, ErrNotFound) {
			return body, err
		}
		pause = min(2*pause, maxPoll)
	}
}

// idType is the type a search id's tag is made for (ids.Signer.Tag).
const idType = "SearchID"

// newSearchID is a search id that says when its store began:
// "<began, milliseconds since the Unix epoch, base 36>-<128 random bits,
// hex>-<tag>", the tag a MAC over the rest (ids.Signer.Tag), so that an id
// cannot be made up to look young and keep a lookup polling. Without a
// signer, 128 random bits in hex, which carry no instant.
func (s *Service) newSearchID(began time.Time) string {
	if s.cfg.NewID != nil {
		return s.cfg.NewID()
	}
	if s.cfg.Signer == nil {
		return newID()
	}
	key := strconv.FormatInt(began.UnixMilli(), 36) + "-" + newID()
	return key + "-" + s.cfg.Signer.Tag(idType, key)
}

// storeBegan is the instant id's store began, if id says so (newSearchID)
// and its tag is genuine.
func (s *Service) storeBegan(id string) (time.Time, bool) {
	if s.cfg.Signer == nil {
		return time.Time{}, false
	}
	// The tag, base64url, may hold dashes; the instant and the hex do not.
	at, rest, ok := strings.Cut(id, "-")
	random, tag, ok2 := strings.Cut(rest, "-")
	if !ok || !ok2 || !s.cfg.Signer.CheckTag(idType, at+"-"+random, tag) {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(at, 36, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

// DecodeOffer opens a signed offer id, whose payload is a
// records.OfferID at records.Version or the version before it. A forged or
// malformed id, or one of a version this build cannot read, is
// ErrNotFound; a genuine one past its expiry is ErrOfferExpired (with the
// offer, for callers that want to say what expired).
func (s *Service) DecodeOffer(id string) (*Offer, error) {
	var rec records.OfferID
	if err := s.cfg.Signer.Open(offerType, id, &rec); err != nil || rec.Check() != nil || len(rec.Slices) == 0 || len(rec.Parts) == 0 {
		return nil, ErrNotFound
	}
	o := rec.Offer.Domain()
	off := &Offer{Offer: o, ID: id}
	if !s.cfg.Now().Before(o.ExpiresAt) {
		return off, ErrOfferExpired
	}
	return off, nil
}

const offerType = "Offer"

// sign seals the ids of offers that belong to no result yet (a provider's
// offers told as it answers).
func (s *Service) sign(offers []*Offer) error {
	for _, o := range offers {
		id, err := s.cfg.Signer.Seal(offerType, records.NewOfferID(o.Offer))
		if err != nil {
			return err
		}
		o.ID = id
	}
	return nil
}

// prepare readies a result whose offers have no id yet: each is sealed
// by signer when first shown (sealed), and storing is under way until
// storeDone.
func (r *Result) prepare(signer *ids.Signer) {
	r.signer = signer
	r.seals = make([]sync.Once, len(r.Offers))
	r.sealErrs = make([]error, len(r.Offers))
	r.stored = make(chan struct{})
}

// sealed seals the ids of the offers at indexes (of r.Offers) that have
// none yet: once per offer, whoever asks first. A page's worth is sealed
// on every core: sealing (JSON, deflate, HMAC; some 30–70 µs an offer) is
// most of what a search's first page costs after the slowest provider.
func (r *Result) sealed(indexes []int) error {
	if r.seals == nil {
		return nil // a result made whole, its ids set (tests)
	}
	seal := func(i int) {
		r.seals[i].Do(func() {
			o := r.Offers[i]
			o.ID, r.sealErrs[i] = r.signer.Seal(offerType, records.NewOfferID(o.Offer))
		})
	}
	if helpers := min(runtime.GOMAXPROCS(0), len(indexes)/minSealsEach) - 1; helpers > 0 {
		var next atomic.Int64
		work := func() {
			for k := int(next.Add(1) - 1); k < len(indexes); k = int(next.Add(1) - 1) {
				seal(indexes[k])
			}
		}
		var wg sync.WaitGroup
		for range helpers {
			wg.Go(work)
		}
		work()
		wg.Wait()
	}
	for _, i := range indexes {
		seal(i) // done already when sealed on every core; waits for a seal under way
		if err := r.sealErrs[i]; err != nil {
			return err
		}
	}
	return nil
}

// minSealsEach is the fewest offers worth another goroutine in sealed.
const minSealsEach = 4

// signAll seals every offer's id.
func (r *Result) signAll() error {
	all := make([]int, len(r.Offers))
	for i := range all {
		all[i] = i
	}
	return r.sealed(all)
}

// storeDone records how storing the result ended.
func (r *Result) storeDone(err error) {
	r.storeErr = err
	close(r.stored)
}

// storeFailed reports whether storing the result has ended in an error.
func (r *Result) storeFailed() bool {
	select {
	case <-r.stored:
		return r.storeErr != nil
	default:
		return false
	}
}

// Stored waits until the result is in the store, so that any replica can
// page it: its id is valid from then on. It returns the store's error, or
// ctx's when ctx ends first.
func (r *Result) Stored(ctx context.Context) error {
	if r.stored == nil {
		return nil // a result made whole (tests)
	}
	select {
	case <-r.stored:
		return r.storeErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// providerAnswer is what one provider answered for a search.
type providerAnswer struct {
	out, ret, rt []providers.Offer
}

// Progress is told each provider's result and offers as the provider
// answers: its one-way offers (its own round-trip fares for a round trip;
// combined one-ways need every provider and come with the stored result),
// sellable, cheapest first, with signed ids.
type Progress func(ProviderResult, []*Offer)

// run asks the providers and makes the result, then stores it in the
// background: once after is closed (the answer is written) or
// maxStoreDefer has passed, or at once when after is nil. It holds one of
// the MaxInFlight slots from before the providers are asked until the
// result is stored.
func (s *Service) run(ctx context.Context, r Request, each Progress, after <-chan struct{}) (*Result, error) {
	release, err := s.admit(ctx)
	if err != nil {
		return nil, err
	}
	// The slot is held until the result is stored (store releases it), so
	// that MaxInFlight bounds the results in memory, stored or not, and
	// not only the searches asking providers.
	stored := false
	defer func() {
		if !stored {
			release()
		}
	}()
	start := s.cfg.Now()
	q := providers.Query{OriginDestination: providers.OriginDestination{Origin: r.Origin, Destination: r.Destination, Date: r.DepartureDate}, Passengers: r.Passengers, Currency: r.Currency}
	// Providers known not to fly the route are not asked: they answer NO_ROUTE.
	var asked []string
	notFlown := map[string]string{}
	for _, name := range r.Providers {
		if msg, ok := s.notFlown(name, r); ok {
			notFlown[name] = msg
			continue
		}
		asked = append(asked, name)
	}
	res := &Result{Request: r, CreatedAt: start.UTC(), ExpiresAt: start.Add(s.cfg.ResultTTL).UTC()}
	// Only offers that may be sold are shown (package rules): none whose
	// first flight departs within the cut-off, none with a connection or
	// turnaround shorter than its ground time.
	sellable := func(o providers.Offer) bool {
		return rules.Itinerary(o, rules.Of(o, s.cfg.Providers.Limits), start) == nil
	}
	rates := s.cfg.Rates()
	converter := converter{rates: rates, to: r.Currency, now: start}
	var first func(providers.Call[providerAnswer])
	if each != nil {
		for _, name := range r.Providers {
			if msg, ok := notFlown[name]; ok {
				each(ProviderResult{Provider: name, Status: StatusNoRoute, Message: msg}, nil)
			}
		}
		first = func(c providers.Call[providerAnswer]) {
			pr, out, _, rt := s.answerOf(ctx, c, r, sellable, converter)
			shown := slices.DeleteFunc(slices.Clone(out), not(sellable))
			if r.RoundTrip() {
				shown = slices.DeleteFunc(slices.Clone(rt), not(sellable))
			}
			sortOffers(shown)
			offers := make([]*Offer, len(shown))
			for i := range shown {
				offers[i] = &Offer{Offer: shown[i]}
			}
			if s.sign(offers) != nil {
				offers = nil
			}
			offers, _ = ownFares(offers, pr.Provider)
			pr.OfferCount = len(offers)
			each(pr, offers)
		}
	}
	answered := providers.FanOutEach(ctx, s.cfg.Providers, asked, s.cfg.ProviderTimeout, func(ctx context.Context, p providers.Searcher) (providerAnswer, error) {
		return searchProvider(ctx, s.cfg.Providers, p, r, q)
	}, first)
	calls := make([]providers.Call[providerAnswer], 0, len(r.Providers))
	for _, name := range r.Providers {
		if _, ok := notFlown[name]; ok {
			calls = append(calls, providers.Call[providerAnswer]{Provider: name})
			continue
		}
		calls, answered = append(calls, answered[0]), answered[1:]
	}
	var out, ret, offers []providers.Offer
	for _, c := range calls {
		if msg, ok := notFlown[c.Provider]; ok {
			res.Providers = append(res.Providers, ProviderResult{Provider: c.Provider, Status: StatusNoRoute, Message: msg})
			continue
		}
		pr, o, rt1, rt2 := s.answerOf(ctx, c, r, sellable, converter)
		out, ret, offers = append(out, o...), append(ret, rt1...), append(offers, rt2...)
		res.Providers = append(res.Providers, pr)
	}
	out, ret, offers = slices.DeleteFunc(out, not(sellable)), slices.DeleteFunc(ret, not(sellable)), slices.DeleteFunc(offers, not(sellable))
	if r.RoundTrip() {
		offers = append(offers, combine(out, ret, r.Currency, sellable)...)
	} else {
		offers = append(offers, out...)
	}
	sortOffers(offers)
	for i := range offers {
		res.Offers = append(res.Offers, &Offer{Offer: offers[i]})
	}
	for i := range res.Providers {
		own, _ := ownFares(res.Offers, res.Providers[i].Provider)
		res.Providers[i].OfferCount = len(own)
	}
	res.ID = s.newSearchID(s.cfg.Now())
	res.prepare(s.cfg.Signer)
	// Stored while (or once) the answer is made from memory; a lookup of
	// the id meanwhile waits for the store (Get).
	deadline := time.Now().Add(s.cfg.StoreWait)
	stored = true
	go func() {
		defer release()
		s.store(context.WithoutCancel(ctx), res, deadline, after)
	}()
	return res, nil
}

// maxStoreDefer bounds how long a store waits for the answer of the
// request that ran the search (AfterAnswer): well within StoreWait.
const maxStoreDefer = 250 * time.Millisecond

// storeAfterAnswer is how long after its answer is written a result is
// stored: the answer is written by then (net/http sends it after the
// handler returns) and, on cmd/bench's fan-out, read by the client that
// shares the cores.
const storeAfterAnswer = 10 * time.Millisecond

type answeredKey struct{}

// AfterAnswer returns a context under which Start stores the result of a
// search it runs only once answered is called (the answer is written) or
// maxStoreDefer has passed: encoding the result (some milliseconds of CPU
// for a round trip) then does not compete for the cores with writing the
// answer. The caller must call answered, once or more; a lookup of the
// search meanwhile waits for the store (Get). The GraphQL handler calls
// it for every request (server.GraphQL).
func AfterAnswer(ctx context.Context) (_ context.Context, answered func()) {
	ch := make(chan struct{})
	var once sync.Once
	return context.WithValue(ctx, answeredKey{}, (<-chan struct{})(ch)), func() { once.Do(func() { close(ch) }) }
}

// answered is the channel AfterAnswer put in ctx, nil if none.
func answered(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(answeredKey{}).(<-chan struct{})
	return ch
}

// defaultStoreBackoff are the pauses between the attempts to save a
// result: three attempts in all, well within DefaultStoreWait.
var defaultStoreBackoff = []time.Duration{50 * time.Millisecond, 250 * time.Millisecond}

// store saves res, once after is closed or maxStoreDefer has passed
// (at once when after is nil), trying again after each of s.storeBackoff
// until deadline (StoreWait after res's id was made); each failed attempt
// is logged. A result that could not be saved is forgotten, so that the
// next identical search runs again and a lookup of its id answers
// ErrNotFound (Get).
func (s *Service) store(ctx context.Context, res *Result, deadline time.Time, after <-chan struct{}) {
	if after != nil {
		t := time.NewTimer(maxStoreDefer)
		select {
		case <-after:
			t.Reset(storeAfterAnswer)
			<-t.C
		case <-t.C:
		}
		t.Stop()
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	body, err := encodeStored(toRecord(res))
	if err != nil {
		err = fmt.Errorf("search: encode result: %w", err)
	} else {
		err = s.save(ctx, res, body)
	}
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "search not stored: its id will be unknown", "search", res.ID, "err", err)
		s.forget(res)
	}
	res.storeDone(err)
}

// save saves res's body, trying again after each of s.storeBackoff while
// ctx lasts; each failed attempt but the last is logged as a warning.
func (s *Service) save(ctx context.Context, res *Result, body []byte) error {
	for attempt := 1; ; attempt++ {
		err := s.cfg.Store.SaveSearch(ctx, res.ID, res.CreatedAt, res.ExpiresAt, body)
		if err == nil {
			return nil
		}
		err = fmt.Errorf("search: save result (attempt %d): %w", attempt, err)
		if attempt > len(s.storeBackoff) || ctx.Err() != nil {
			return err
		}
		s.cfg.Logger.WarnContext(ctx, "search not stored, trying again", "search", res.ID, "attempt", attempt, "err", err)
		t := time.NewTimer(s.storeBackoff[attempt-1])
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}

// forget drops res from memory.
func (s *Service) forget(res *Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID[res.ID] == res {
		delete(s.byID, res.ID)
	}
	for k, r := range s.byKey {
		if r == res {
			delete(s.byKey, k)
		}
	}
}

// sortOffers sorts offers cheapest first, then earliest, then by provider.
func sortOffers(offers []providers.Offer) {
	slices.SortStableFunc(offers, func(a, b providers.Offer) int {
		return cmp.Or(cmp.Compare(a.Total.Amount, b.Total.Amount),
			a.Slices[0].DepartureAt().Compare(b.Slices[0].DepartureAt()),
			cmp.Compare(a.Parts[0].Provider, b.Parts[0].Provider))
	})
}

// answerOf is one provider's result and its offers in the request's
// currency (outbound, return and round-trip fares), sellable or not:
// offers priced in another currency are converted by conv (their parts
// keep the provider's prices); only those no rate converts are left out.
func (s *Service) answerOf(ctx context.Context, c providers.Call[providerAnswer], r Request, sellable func(providers.Offer) bool, conv converter) (ProviderResult, []providers.Offer, []providers.Offer, []providers.Offer) {
	pr := ProviderResult{Provider: c.Provider, Status: StatusOK, LatencyMs: int(c.Latency.Milliseconds())}
	pr.Message = s.oneWayNotFlown(c.Provider, r)
	if c.Err != nil {
		pr.Code = providers.CodeOf(c.Err)
		pr.Status = StatusError
		if pr.Code == providers.Timeout {
			pr.Status = StatusTimeout
		}
		pr.Message = safeMessage(c.Err)
		s.cfg.Logger.WarnContext(ctx, "provider search failed", "provider", c.Provider, "code", pr.Code, "err", c.Err)
	}
	out, dropped, how := conv.all(c.Value.out)
	ret, d, h := conv.all(c.Value.ret)
	dropped, how = dropped+d, cmp.Or(how, h)
	rt, d, h := conv.all(c.Value.rt)
	dropped, how = dropped+d, cmp.Or(how, h)
	pr.Conversion = how
	if dropped > 0 && pr.Message == "" {
		pr.Message = fmt.Sprintf("%s priced in a currency the %s rates of %s do not convert to %s %s left out", fault.Count(dropped, "offer", "offers"), conv.rates.Source, conv.rates.Date, r.Currency, fault.Verb(dropped, "was", "were"))
	}
	if how != nil && pr.Message == "" {
		pr.Message = conversionMessage(*how, conv.rates.Age(conv.now))
	}
	if n := unsellable(c.Value, sellable); n > 0 && pr.Message == "" {
		pr.Message = fmt.Sprintf("%d offers departing within the booking cut-off or with too short a connection were left out", n)
	}
	return pr, out, ret, rt
}

// searchProvider asks one provider everything a request needs, in parallel:
// the outbound one-way fares, and for a round trip the return one-way fares
// and its own round-trip fares. What arrives is kept even if a call fails.
func searchProvider(ctx context.Context, set *providers.Set, p providers.Searcher, r Request, q providers.Query) (providerAnswer, error) {
	var res providerAnswer
	if !r.RoundTrip() {
		offers, err := p.Search(ctx, q)
		res.out = offers
		return res, err
	}
	back := q
	back.OriginDestination = providers.OriginDestination{Origin: r.Destination, Destination: r.Origin, Date: r.ReturnDate}
	var wg sync.WaitGroup
	var errOut, errRet, errRT error
	wg.Add(2)
	go func() { defer wg.Done(); res.out, errOut = p.Search(ctx, q) }()
	go func() { defer wg.Done(); res.ret, errRet = p.Search(ctx, back) }()
	if rts, err := set.RoundTripSearcher(p.Name()); err == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res.rt, errRT = rts.SearchRoundTrips(ctx, providers.RoundTripQuery{Outbound: q.OriginDestination, Return: back.OriginDestination, Passengers: r.Passengers, Currency: r.Currency})
		}()
	}
	wg.Wait()
	return res, cmp.Or(errOut, errRet, errRT)
}

// unsellable counts the offers of a provider's answer that sellable refuses.
func unsellable(v providerAnswer, sellable func(providers.Offer) bool) int {
	n := 0
	for _, os := range [][]providers.Offer{v.out, v.ret, v.rt} {
		for _, o := range os {
			if !sellable(o) {
				n++
			}
		}
	}
	return n
}

func not(f func(providers.Offer) bool) func(providers.Offer) bool {
	return func(o providers.Offer) bool { return !f(o) }
}

// all converts offers into c.to: the converted offers, how many could not
// be converted, and how the last converted one was.
func (c converter) all(offers []providers.Offer) (kept []providers.Offer, dropped int, conv *providers.Conversion) {
	for _, o := range offers {
		co, cv, err := c.convert(o)
		if err != nil {
			dropped++
			continue
		}
		kept = append(kept, co)
		if cv != nil {
			conv = cv
		}
	}
	return kept, dropped, conv
}

// ownFares are the offers of offers that are one fare of provider (one
// part, theirs), and their indexes in offers: what ProviderResult.
// OfferCount counts, in the progress events and in the stored search alike.
func ownFares(offers []*Offer, provider string) (own []*Offer, at []int) {
	for i, o := range offers {
		if len(o.Parts) == 1 && o.Parts[0].Provider == provider {
			own, at = append(own, o), append(at, i)
		}
	}
	return own, at
}

// safeMessage is the client-safe text of a provider failure.
func safeMessage(err error) string {
	var pe *providers.Error
	if errors.As(err, &pe) && pe.Message != "" {
		return pe.Message
	}
	switch providers.CodeOf(err) {
	case providers.Timeout:
		return "the provider did not answer in time"
	default:
		return "the provider could not be reached"
	}
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// allAnswered reports whether every provider answered.
func (r *Result) allAnswered() bool {
	for _, p := range r.Providers {
		if p.Status != StatusOK && p.Status != StatusNoRoute {
			return false
		}
	}
	return true
}

// notFlown reports whether provider is known to fly none of r's
// directions, with the message that says so.
func (s *Service) notFlown(provider string, r Request) (string, bool) {
	if s.cfg.Flies == nil {
		return "", false
	}
	out, known := s.cfg.Flies(provider, r.Origin, r.Destination)
	if !known || out {
		return "", false
	}
	if !r.RoundTrip() {
		return fmt.Sprintf("%s does not fly %s→%s", provider, r.Origin, r.Destination), true
	}
	if back, _ := s.cfg.Flies(provider, r.Destination, r.Origin); back {
		return "", false
	}
	return fmt.Sprintf("%s does not fly %s→%s nor %s→%s", provider, r.Origin, r.Destination, r.Destination, r.Origin), true
}

// oneWayNotFlown is the message of a round trip one of whose directions
// provider is known not to fly, "" otherwise.
func (s *Service) oneWayNotFlown(provider string, r Request) string {
	if s.cfg.Flies == nil || !r.RoundTrip() {
		return ""
	}
	for _, d := range [][2]string{{r.Origin, r.Destination}, {r.Destination, r.Origin}} {
		if flies, known := s.cfg.Flies(provider, d[0], d[1]); known && !flies {
			return fmt.Sprintf("%s does not fly %s→%s: only its one-way fares the other way are offered, to combine", provider, d[0], d[1])
		}
	}
	return ""
}

// admit takes one of the MaxInFlight slots of searches asking their
// providers, waiting for one in a queue of at most MaxQueued for at most
// QueueWait; release gives it back. It fails with ErrOverloaded when the
// queue is full or the wait ran out, and with ctx's error when ctx ends.
func (s *Service) admit(ctx context.Context) (release func(), err error) {
	release = func() { <-s.slots }
	select {
	case s.slots <- struct{}{}:
		return release, nil
	default:
	}
	if s.queued.Add(1) > int64(s.cfg.MaxQueued) {
		s.queued.Add(-1)
		return nil, ErrOverloaded
	}
	defer s.queued.Add(-1)
	t := time.NewTimer(s.cfg.QueueWait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, ErrOverloaded
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
