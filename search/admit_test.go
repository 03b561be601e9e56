package search

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
)

// TestAdmission: with one search in flight and room for one in the
// queue, a third distinct search is refused with ErrOverloaded before any
// provider is asked; the queued one runs once the first is done; a
// queued search whose wait runs out is refused too.
func TestAdmission(t *testing.T) {
	now := time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)
	signer, err := ids.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	asked := make(chan string, 8)
	dep := now.Add(72 * time.Hour)
	p := fakeProvider{name: "p", oneWay: func(q providers.Query) []providers.Offer {
		asked <- string(q.Date)
		<-gate
		return []providers.Offer{offer("p", q.Origin, q.Destination, dep, 1000, "EUR")}
	}}
	set, err := providers.NewSet(nil, p)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Providers: set, Store: bodyStore(nil), Signer: signer, Now: func() time.Time { return now },
		MaxInFlight: 1, MaxQueued: 1, QueueWait: time.Minute})
	req := func(date providers.Date) Request {
		return Request{Origin: "CDG", Destination: "PMI", DepartureDate: date, Passengers: providers.Passengers{Adults: 1}}
	}
	errs := make(chan error, 2)
	go func() { _, err := s.Search(context.Background(), req("2027-03-04")); errs <- err }()
	if d := <-asked; d != "2027-03-04" {
		t.Fatalf("first search asked for %s", d)
	}
	go func() { _, err := s.Search(context.Background(), req("2027-03-05")); errs <- err }()
	for s.queued.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	if _, err := s.Search(context.Background(), req("2027-03-06")); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("third search with the queue full: %v, want ErrOverloaded", err)
	}
	close(gate)
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("admitted search: %v", err)
		}
	}
	if d := <-asked; d != "2027-03-05" {
		t.Errorf("queued search asked for %s", d)
	}
	select {
	case d := <-asked:
		t.Errorf("the refused search asked the provider (%s)", d)
	default:
	}

	// A wait that runs out is refused.
	s = New(Config{Providers: set, Store: bodyStore(nil), Signer: signer, Now: func() time.Time { return now },
		MaxInFlight: 1, MaxQueued: 4, QueueWait: 10 * time.Millisecond})
	gate = make(chan struct{})
	go func() { _, err := s.Search(context.Background(), req("2027-03-07")); errs <- err }()
	<-asked
	if _, err := s.Search(context.Background(), req("2027-03-08")); !errors.Is(err, ErrOverloaded) {
		t.Errorf("search whose wait ran out: %v, want ErrOverloaded", err)
	}
	close(gate)
	if err := <-errs; err != nil {
		t.Errorf("first search: %v", err)
	}
}
