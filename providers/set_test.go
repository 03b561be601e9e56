package providers_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/providers"
)

// fake is a provider with every capability; panics makes each call panic.
type fake struct {
	name   string
	panics bool
}

func (f fake) Name() string { return f.name }

func (f fake) do() {
	if f.panics {
		var m map[string]int
		m["boom"]++ // a nil-map write: a real runtime panic
	}
}

func (f fake) Search(ctx context.Context, q providers.Query) ([]providers.Offer, error) {
	f.do()
	return []providers.Offer{{FareType: providers.OneWay, Parts: []providers.Part{{Provider: f.name}}}}, nil
}

func (f fake) SearchRoundTrips(ctx context.Context, q providers.RoundTripQuery) ([]providers.Offer, error) {
	f.do()
	return nil, nil
}

func (f fake) CheckPrice(ctx context.Context, p providers.Part) (*providers.PriceCheck, error) {
	f.do()
	return &providers.PriceCheck{Available: true}, nil
}

func (f fake) ListAncillaries(ctx context.Context, parts []providers.Part) []providers.AncillaryResult {
	f.do()
	return make([]providers.AncillaryResult, len(parts))
}

func (f fake) Hold(ctx context.Context, r providers.HoldRequest) (*providers.Hold, error) {
	f.do()
	return &providers.Hold{Ref: "h"}, nil
}

func (f fake) Book(ctx context.Context, r providers.BookRequest) (*providers.Booking, error) {
	f.do()
	return &providers.Booking{Reference: "b"}, nil
}

func (f fake) FindBooking(ctx context.Context, r providers.BookRequest) (*providers.Booking, error) {
	f.do()
	return nil, nil
}

func (f fake) Retrieve(ctx context.Context, ref string) (*providers.Booking, error) {
	f.do()
	return &providers.Booking{Reference: ref}, nil
}

// searchOnly has no capability beyond search.
type searchOnly struct{ f fake }

func (s searchOnly) Name() string { return s.f.name }

func (s searchOnly) Search(ctx context.Context, q providers.Query) ([]providers.Offer, error) {
	return s.f.Search(ctx, q)
}

type ctxKey struct{}

// idHandler logs the request id carried in the context, as the server's
// log handler does.
type idHandler struct{ slog.Handler }

func (h idHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(ctxKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func newSet(t *testing.T, ps ...providers.Searcher) (*providers.Set, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	set, err := providers.NewSet(slog.New(idHandler{slog.NewJSONHandler(&logs, nil)}), ps...)
	if err != nil {
		t.Fatal(err)
	}
	return set, &logs
}

func TestFanOutRecoversAPanickingProvider(t *testing.T) {
	set, logs := newSet(t, fake{name: "good"}, fake{name: "bad", panics: true}, fake{name: "other"})
	ctx := context.WithValue(context.Background(), ctxKey{}, "req-42")
	calls := providers.FanOut(ctx, set, []string{"good", "bad", "other"}, time.Second, func(ctx context.Context, p providers.Searcher) ([]providers.Offer, error) {
		return p.Search(ctx, providers.Query{})
	})
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for _, i := range []int{0, 2} {
		if calls[i].Err != nil || len(calls[i].Value) != 1 {
			t.Errorf("%s: %d offers, %v; want its offer", calls[i].Provider, len(calls[i].Value), calls[i].Err)
		}
	}
	var pe *providers.Error
	if !errors.As(calls[1].Err, &pe) || pe.Code != providers.Internal || pe.Provider != "bad" || pe.Message != "internal error" {
		t.Fatalf("bad: %v, want an INTERNAL *providers.Error of bad", calls[1].Err)
	}
	if s := logs.String(); !strings.Contains(s, `"request_id":"req-42"`) || !strings.Contains(s, "provider call panicked") || !strings.Contains(s, `"provider":"bad"`) {
		t.Errorf("log %q: want the panic logged with the request id", s)
	}
}

func TestFanOutRecoversAPanicOfTheCallback(t *testing.T) {
	set, _ := newSet(t, fake{name: "good"}, fake{name: "other"})
	calls := providers.FanOut(context.Background(), set, []string{"good", "other"}, time.Second, func(ctx context.Context, p providers.Searcher) (int, error) {
		if p.Name() == "other" {
			panic("callback bug")
		}
		return 1, nil
	})
	if calls[0].Err != nil || calls[0].Value != 1 {
		t.Errorf("good: %v, %v", calls[0].Value, calls[0].Err)
	}
	if providers.CodeOf(calls[1].Err) != providers.Internal {
		t.Errorf("other: %v, want INTERNAL", calls[1].Err)
	}
}

func TestCapabilitiesAreGuarded(t *testing.T) {
	set, _ := newSet(t, fake{name: "bad", panics: true})
	ctx := context.Background()
	internal := func(what string, err error) {
		t.Helper()
		if providers.CodeOf(err) != providers.Internal {
			t.Errorf("%s: %v, want INTERNAL", what, err)
		}
	}
	s, _ := set.Searcher("bad")
	_, err := s.Search(ctx, providers.Query{})
	internal("search", err)
	rt, _ := set.RoundTripSearcher("bad")
	_, err = rt.SearchRoundTrips(ctx, providers.RoundTripQuery{})
	internal("round trips", err)
	pc, _ := set.PriceChecker("bad")
	_, err = pc.CheckPrice(ctx, providers.Part{})
	internal("price check", err)
	al, _ := set.AncillaryLister("bad")
	rs := al.ListAncillaries(ctx, make([]providers.Part, 3))
	if len(rs) != 3 {
		t.Fatalf("ancillaries: %d results, want one per part", len(rs))
	}
	for _, r := range rs {
		internal("ancillaries", r.Err)
	}
	h, _ := set.Holder("bad")
	_, err = h.Hold(ctx, providers.HoldRequest{})
	internal("hold", err)
	b, _ := set.Booker("bad")
	_, err = b.Book(ctx, providers.BookRequest{})
	internal("book", err)
	_, err = b.FindBooking(ctx, providers.BookRequest{})
	internal("find booking", err)
	r, _ := set.BookingRetriever("bad")
	_, err = r.Retrieve(ctx, "x")
	internal("retrieve", err)
}

func TestLookUps(t *testing.T) {
	set, _ := newSet(t, fake{name: "full"}, searchOnly{f: fake{name: "plain"}})
	ctx := context.Background()
	if b, err := set.Booker("full"); err != nil {
		t.Errorf("full: %v", err)
	} else if bk, err := b.Book(ctx, providers.BookRequest{}); err != nil || bk.Reference != "b" {
		t.Errorf("full book: %v, %v", bk, err)
	}
	unavailable := func(what string, err error, msg string) {
		t.Helper()
		var pe *providers.Error
		if !errors.As(err, &pe) || pe.Code != providers.Unavailable || pe.Message != msg {
			t.Errorf("%s: %v, want PROVIDER_UNAVAILABLE %q", what, err, msg)
		}
	}
	_, err := set.Booker("plain")
	unavailable("plain booker", err, "the provider cannot book")
	_, err = set.Holder("plain")
	unavailable("plain holder", err, "the provider cannot hold seats")
	_, err = set.PriceChecker("plain")
	unavailable("plain price checker", err, "the provider cannot check prices")
	_, err = set.BookingRetriever("plain")
	unavailable("plain retriever", err, "the provider cannot read bookings back")
	_, err = set.Searcher("nobody")
	unavailable("unknown", err, "unknown provider")
	if _, err := set.Searcher("plain"); err != nil {
		t.Errorf("plain searcher: %v", err)
	}
	if _, err := providers.NewSet(nil, fake{name: "x"}, fake{name: "x"}); err == nil {
		t.Error("a name listed twice: want an error")
	}
	if got := set.Names(); len(got) != 2 || got[0] != "full" || got[1] != "plain" {
		t.Errorf("names %v", got)
	}
}
