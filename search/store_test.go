package search

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
)

// gatedStore saves only when released, and fails when told to.
type gatedStore struct {
	release chan struct{}
	fail    error
	saved   chan string
}

func (g *gatedStore) SaveSearch(_ context.Context, id string, _, _ time.Time, _ []byte) error {
	<-g.release
	if g.fail != nil {
		return g.fail
	}
	g.saved <- id
	return nil
}

func (g *gatedStore) LoadSearch(context.Context, string, time.Time) ([]byte, error) {
	return nil, ErrNotFound
}

func gatedService(t *testing.T, g *gatedStore, now time.Time) *Service {
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
	return New(Config{Providers: set, Store: g, Signer: signer, Now: func() time.Time { return now }})
}

// TestStartAnswersBeforeTheStore: Start answers as soon as the providers
// are in, pages from memory while the result is being stored, and
// Stored (what hands out the search's id) waits for the store; Search
// waits for it too.
func TestStartAnswersBeforeTheStore(t *testing.T) {
	now := time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)
	g := &gatedStore{release: make(chan struct{}), saved: make(chan string, 4)}
	s := gatedService(t, g, now)
	r := Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2027-03-04", Passengers: providers.Passengers{Adults: 1}}
	res, err := s.Start(context.Background(), r)
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
	if got, err := s.Get(context.Background(), res.ID); err != nil || got != res {
		t.Errorf("Get on the same replica while storing: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := res.Stored(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stored before the store answered = %v, want it to wait", err)
	}
	close(g.release)
	if err := res.Stored(context.Background()); err != nil {
		t.Fatal(err)
	}
	if id := <-g.saved; id != res.ID {
		t.Errorf("saved %q, want %q", id, res.ID)
	}
	// The same ids whoever seals them: deterministic.
	again, err := s.Search(context.Background(), r)
	if err != nil || again != res || again.Offers[1].ID == "" {
		t.Fatalf("Search of the same request: %v", err)
	}
	fresh := &Result{Offers: []*Offer{{Offer: res.Offers[0].Offer}}}
	fresh.prepare(s.cfg.Signer)
	if err := fresh.signAll(); err != nil || fresh.Offers[0].ID != res.Offers[0].ID {
		t.Errorf("sealing the same offer again gave another id (%v)", err)
	}
}

// TestStoreFailureIsNotHandedOut: a result that could not be stored
// answers Stored with the error and is forgotten, so that the same search
// runs again.
func TestStoreFailureIsNotHandedOut(t *testing.T) {
	now := time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)
	g := &gatedStore{release: make(chan struct{}), saved: make(chan string, 4), fail: errors.New("disk full")}
	close(g.release)
	s := gatedService(t, g, now)
	r := Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2027-03-04", Passengers: providers.Passengers{Adults: 1}}
	res, err := s.Start(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Stored(context.Background()); err == nil {
		t.Fatal("Stored = nil for a store that failed")
	}
	if _, err := s.Search(context.Background(), r); err == nil {
		t.Error("Search = nil error for a store that fails")
	}
	next, err := s.Start(context.Background(), r)
	if err != nil || next == res {
		t.Errorf("the failed result was reused (%v)", err)
	}
}
