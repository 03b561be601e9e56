package server_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/search"
)

// heldStore holds every search's save until release is closed.
type heldStore struct {
	search.Store
	release chan struct{}
}

func (h heldStore) SaveSearch(ctx context.Context, id string, createdAt, expiresAt time.Time, body []byte) error {
	select {
	case <-h.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return h.Store.SaveSearch(ctx, id, createdAt, expiresAt, body)
}

// TestSearchIDUsableAtOnce: searchOffers answers, id included, before its
// result is stored; the next page asked at once, of the same replica and
// of another on the same database, waits for the store and answers; an
// offer of the first page is read and checked out on the other replica at
// once.
func TestSearchIDUsableAtOnce(t *testing.T) {
	release := make(chan struct{})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	// Ids of the default form, which say when their store began.
	a := newTestApp(t, func(c *app.Config) {
		c.NewSearchID = nil
		c.WrapSearchStore = func(s search.Store) search.Store { return heldStore{s, release} }
	})
	b := newTestApp(t, func(c *app.Config) { c.DBPath = a.DBPath; c.NewSearchID = nil })

	const first = `query { searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) {
		id offers(first: 3) { edges { cursor node { id } } } } }`
	answered := make(chan *httptest.ResponseRecorder, 1)
	go func() { answered <- apptest.Post(a.Handler, first, nil, "") }()
	var r gqlResponse
	select {
	case rec := <-answered:
		r = decodeResponse(t, rec)
	case <-time.After(10 * time.Second):
		t.Fatal("searchOffers waited for its result to be stored")
	}
	id, _ := dig(r.Data, "searchOffers", "id").(string)
	cursor := dig(r.Data, "searchOffers", "offers", "edges", 2, "cursor")
	offerID := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id")
	if id == "" || cursor == nil || offerID == nil {
		t.Fatalf("search: %v %+v", r.Data, r.Errors)
	}

	// Offers carry themselves: the other replica reads and sells one while
	// the search is still being stored.
	if r := post(t, b.Handler, `query($id: ID!) { offer(id: $id) { id } }`, map[string]any{"id": offerID}); dig(r.Data, "offer", "id") != offerID {
		t.Errorf("offer on the other replica: %v %+v", r.Data, r.Errors)
	}
	s := mutate(t, b.Handler, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offerID, "passengers": passengerVars, "contact": contactVars}})
	if s["status"] != "OPEN" {
		t.Errorf("checkout on the other replica: %v", s)
	}

	const next = `query($id: ID!, $after: String) { offerSearch(id: $id) { id offers(first: 1, after: $after) { edges { node { id } } } } }`
	vars := map[string]any{"id": id, "after": cursor}
	onA, onB := make(chan *httptest.ResponseRecorder, 1), make(chan *httptest.ResponseRecorder, 1)
	go func() { onA <- apptest.Post(a.Handler, next, vars, "") }()
	go func() { onB <- apptest.Post(b.Handler, next, vars, "") }()
	time.Sleep(50 * time.Millisecond)
	select {
	case rec := <-onA:
		t.Fatalf("the same replica answered before the store landed: %s", rec.Body)
	case rec := <-onB:
		t.Fatalf("the other replica answered before the store landed: %s", rec.Body)
	default:
	}
	close(release)
	var pages []any
	for name, ch := range map[string]chan *httptest.ResponseRecorder{"the same replica": onA, "the other replica": onB} {
		select {
		case rec := <-ch:
			r := decodeResponse(t, rec)
			node := dig(r.Data, "offerSearch", "offers", "edges", 0, "node", "id")
			if len(r.Errors) > 0 || dig(r.Data, "offerSearch", "id") != id || node == nil {
				t.Errorf("%s: next page %v %+v", name, r.Data, r.Errors)
			}
			pages = append(pages, node)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no next page", name)
		}
	}
	if len(pages) == 2 && pages[0] != pages[1] {
		t.Errorf("the replicas' next pages differ: %v", pages)
	}
}
