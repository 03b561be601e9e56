package search

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
)

// sharedStore is a store that several replicas (Services) share: it saves
// only once gate is closed (when gate is set), and fails the first
// failures saves.
type sharedStore struct {
	gate     chan struct{}
	failures int64

	mu           sync.Mutex
	bodies       map[string][]byte
	saves, loads atomic.Int64
}

func newSharedStore() *sharedStore { return &sharedStore{bodies: map[string][]byte{}} }

func (g *sharedStore) SaveSearch(ctx context.Context, id string, _, _ time.Time, body []byte) error {
	if g.gate != nil {
		select {
		case <-g.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if g.saves.Add(1) <= g.failures {
		return errors.New("disk full")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.bodies[id] = body
	return nil
}

func (g *sharedStore) LoadSearch(_ context.Context, id string, _ time.Time) ([]byte, error) {
	g.loads.Add(1)
	g.mu.Lock()
	defer g.mu.Unlock()
	if b, ok := g.bodies[id]; ok {
		return b, nil
	}
	return nil, ErrNotFound
}

// syncBuffer is a log sink safe for the store's goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// replica is a Service on store, as one replica of several would be: the
// same signing key, its own memory. log, when not nil, receives its logs.
func replica(t *testing.T, store Store, now time.Time, log *syncBuffer) *Service {
	t.Helper()
	signer, err := ids.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	dep := now.Add(72 * time.Hour)
	p := fakeProvider{name: "p", oneWay: func(q providers.Query) []providers.Offer {
		return []providers.Offer{offer("p", q.Origin, q.Destination, dep, 1000, "EUR"), offer("p", q.Origin, q.Destination, dep.Add(time.Hour), 1200, "EUR")}
	}}
	set, err := providers.NewSet(nil, p)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Providers: set, Store: store, Signer: signer, Now: func() time.Time { return now }, StoreWait: 300 * time.Millisecond}
	if log != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(log, nil))
	}
	s := New(cfg)
	s.storeBackoff = []time.Duration{time.Millisecond, time.Millisecond}
	return s
}

var storeTestNow = time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)

var storeTestRequest = Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2027-03-04", Passengers: providers.Passengers{Adults: 1}}

// lookup is Get in the background: its answer arrives on the channel.
type lookupAnswer struct {
	res *Result
	err error
}

func lookup(s *Service, id string) <-chan lookupAnswer {
	ch := make(chan lookupAnswer, 1)
	go func() {
		res, err := s.Get(context.Background(), id)
		ch <- lookupAnswer{res, err}
	}()
	return ch
}

func notYet(t *testing.T, name string, ch <-chan lookupAnswer) {
	t.Helper()
	select {
	case a := <-ch:
		t.Fatalf("%s answered before the store landed: %v, %v", name, a.res, a.err)
	case <-time.After(30 * time.Millisecond):
	}
}

func answer(t *testing.T, name string, ch <-chan lookupAnswer) *Result {
	t.Helper()
	select {
	case a := <-ch:
		if a.err != nil {
			t.Fatalf("%s: %v", name, a.err)
		}
		return a.res
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no answer", name)
		return nil
	}
}

// TestStartAnswersBeforeTheStore: Start answers as soon as the providers
// are in and pages from memory while the result is being stored; Stored
// and a lookup of the id on the same replica wait for the store; Search
// waits for it too.
func TestStartAnswersBeforeTheStore(t *testing.T) {
	g := newSharedStore()
	g.gate = make(chan struct{})
	s := replica(t, g, storeTestNow, nil)
	res, err := s.Start(context.Background(), storeTestRequest)
	if err != nil {
		t.Fatal(err)
	}
	page, err := res.Page(ByPrice, 1, "", false)
	if err != nil || len(page.Offers) != 1 || page.Offers[0].ID == "" {
		t.Fatalf("page while storing: %+v, %v", page, err)
	}
	if res.Offers[1].ID != "" {
		t.Errorf("an offer no page showed was sealed")
	}
	got := lookup(s, res.ID)
	notYet(t, "Get on the same replica", got)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := res.Stored(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stored before the store answered = %v, want it to wait", err)
	}
	close(g.gate)
	if err := res.Stored(context.Background()); err != nil {
		t.Fatal(err)
	}
	if again := answer(t, "Get on the same replica", got); again != res {
		t.Errorf("Get answered another result than the one stored")
	}
	if _, ok := g.bodies[res.ID]; !ok {
		t.Errorf("%q not saved", res.ID)
	}
	// The same ids whoever seals them: deterministic.
	again, err := s.Search(context.Background(), storeTestRequest)
	if err != nil || again != res || again.Offers[1].ID == "" {
		t.Fatalf("Search of the same request: %v", err)
	}
	fresh := &Result{Offers: []*Offer{{Offer: res.Offers[0].Offer}}}
	fresh.prepare(s.cfg.Signer)
	if err := fresh.signAll(); err != nil || fresh.Offers[0].ID != res.Offers[0].ID {
		t.Errorf("sealing the same offer again gave another id (%v)", err)
	}
}

// TestLookupAtOnceOnEveryReplica: the search's id is handed out before its
// store lands; the next page asked at once, of the replica that ran the
// search or of another on the same store, waits for the store and
// answers; the first page's offers are found on the other replica at once
// (their ids carry them).
func TestLookupAtOnceOnEveryReplica(t *testing.T) {
	g := newSharedStore()
	g.gate = make(chan struct{})
	a, b := replica(t, g, storeTestNow, nil), replica(t, g, storeTestNow, nil)
	res, err := a.Start(context.Background(), storeTestRequest)
	if err != nil {
		t.Fatal(err)
	}
	first, err := res.Page(ByPrice, 1, "", false)
	if err != nil || len(first.Offers) != 1 {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	if off, err := b.DecodeOffer(first.Offers[0].ID); err != nil || off.Total != first.Offers[0].Total {
		t.Fatalf("offer of the first page on the other replica: %v", err)
	}
	onA, onB := lookup(a, res.ID), lookup(b, res.ID)
	notYet(t, "the same replica", onA)
	notYet(t, "the other replica", onB)
	if g.loads.Load() < 3 {
		t.Errorf("the other replica looked %d times while the id is young, want it to poll", g.loads.Load())
	}
	close(g.gate)
	for name, ch := range map[string]<-chan lookupAnswer{"the same replica": onA, "the other replica": onB} {
		got := answer(t, name, ch)
		next, err := got.Page(ByPrice, 1, first.Cursors[0], false)
		if err != nil || len(next.Offers) != 1 || next.Offers[0].Total.Amount != 1200 {
			t.Fatalf("%s: second page %+v, %v", name, next, err)
		}
		if next.Offers[0].ID != res.Offers[1].ID && res.Offers[1].ID != "" {
			t.Errorf("%s: the second page's offer has another id", name)
		}
	}
}

// TestStoreIsRetried: a store that fails is tried again, each failure
// logged, and the search is found once it lands.
func TestStoreIsRetried(t *testing.T) {
	g := newSharedStore()
	g.failures = 2
	var log syncBuffer
	a, b := replica(t, g, storeTestNow, &log), replica(t, g, storeTestNow, nil)
	res, err := a.Start(context.Background(), storeTestRequest)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Stored(context.Background()); err != nil {
		t.Fatalf("Stored after two failures = %v, want the third attempt to land", err)
	}
	if n := g.saves.Load(); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	if n := strings.Count(log.String(), "trying again"); n != 2 {
		t.Errorf("%d failures logged, want 2:\n%s", n, log.String())
	}
	if got := answer(t, "the other replica", lookup(b, res.ID)); got.ID != res.ID || len(got.Offers) != 2 {
		t.Errorf("the other replica found %+v", got)
	}
}

// TestStoreFailureIsNotHandedOut: a result that could not be stored after
// every attempt answers Stored with the error, is logged, and is
// forgotten, so that the same search runs again and its id is unknown on
// every replica (once the other has waited for it while it was young).
func TestStoreFailureIsNotHandedOut(t *testing.T) {
	g := newSharedStore()
	g.failures = 1 << 30
	var log syncBuffer
	a, b := replica(t, g, storeTestNow, &log), replica(t, g, storeTestNow, nil)
	res, err := a.Start(context.Background(), storeTestRequest)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Stored(context.Background()); err == nil {
		t.Fatal("Stored = nil for a store that failed")
	}
	if n := g.saves.Load(); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	if !strings.Contains(log.String(), "level=ERROR msg=\"search not stored") {
		t.Errorf("the failure was not logged as an error:\n%s", log.String())
	}
	for name, s := range map[string]*Service{"the same replica": a, "the other replica": b} {
		if _, err := s.Get(context.Background(), res.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Get of a search never stored = %v, want ErrNotFound", name, err)
		}
	}
	if _, err := a.Search(context.Background(), storeTestRequest); err == nil {
		t.Error("Search = nil error for a store that fails")
	}
	next, err := a.Start(context.Background(), storeTestRequest)
	if err != nil || next == res {
		t.Errorf("the failed result was reused (%v)", err)
	}
}

// TestOnlyGenuineYoungIDsAreWaitedFor: an id is looked for again only if
// it says it is young and its tag is genuine; an id made up to look young,
// an id of the old form (random hex) and an old genuine one are looked up
// once.
func TestOnlyGenuineYoungIDsAreWaitedFor(t *testing.T) {
	g := newSharedStore()
	s := replica(t, g, storeTestNow, nil)
	young := s.newSearchID(storeTestNow)
	if began, ok := s.storeBegan(young); !ok || !began.Equal(storeTestNow) {
		t.Fatalf("storeBegan(%q) = %v, %v", young, began, ok)
	}
	i := strings.IndexByte(young, '-') + 1 + 32 // the instant, the random hex
	forged := young[:i] + "-" + s.cfg.Signer.Tag("Offer", young[:i])
	old := s.newSearchID(storeTestNow.Add(-time.Hour))
	for name, id := range map[string]string{"forged tag": forged, "no tag": young[:i], "random hex": newID(), "old": old} {
		before := g.loads.Load()
		if _, err := s.Get(context.Background(), id); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Get = %v, want ErrNotFound", name, err)
		}
		if n := g.loads.Load() - before; n != 1 {
			t.Errorf("%s: looked up %d times, want once", name, n)
		}
	}
	before := g.loads.Load()
	if _, err := s.Get(context.Background(), young); !errors.Is(err, ErrNotFound) {
		t.Errorf("young id never stored: Get = %v, want ErrNotFound", err)
	}
	if n := g.loads.Load() - before; n < 3 {
		t.Errorf("young id never stored: looked up %d times, want it polled", n)
	}
}

// TestStoreAfterAnswer: under AfterAnswer, a search's result is stored
// only once the answer is written (answered) and storeAfterAnswer later,
// or after maxStoreDefer when answered is never called; a lookup of it
// meanwhile waits and then finds it.
func TestStoreAfterAnswer(t *testing.T) {
	g := newSharedStore()
	a, b := replica(t, g, storeTestNow, nil), replica(t, g, storeTestNow, nil)
	ctx, answered := AfterAnswer(context.Background())
	res, err := a.Start(ctx, storeTestRequest)
	if err != nil {
		t.Fatal(err)
	}
	onB := lookup(b, res.ID)
	notYet(t, "the other replica", onB)
	if n := g.saves.Load(); n != 0 {
		t.Fatalf("stored before the answer was written")
	}
	answered()
	answered() // more than once is fine
	if got := answer(t, "the other replica", onB); got.ID != res.ID {
		t.Errorf("found %q, want %q", got.ID, res.ID)
	}

	never, _ := AfterAnswer(context.Background())
	r := storeTestRequest
	r.Passengers.Adults = 2
	began := time.Now()
	res, err = a.Start(never, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Stored(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(began); waited < maxStoreDefer {
		t.Errorf("stored %s after the search, want it to wait for the answer up to %s", waited, maxStoreDefer)
	}
}
