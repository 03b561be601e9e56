package resolvers

import (
	"context"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/graph"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/search"
)

type subscriptionResolver struct{ *Resolver }

func (r *Resolver) Subscription() graph.SubscriptionResolver { return &subscriptionResolver{r} }

// SearchOffersProgress runs the search and sends one event per provider
// as it answers, then the stored search. An invalid input is refused
// before the stream starts, like searchOffers'.
func (r *subscriptionResolver) SearchOffersProgress(ctx context.Context, in model.SearchOffersInput) (<-chan *model.OfferSearchProgress, error) {
	if _, err := auth.Require(ctx, auth.ScopeOffersRead); err != nil {
		return nil, err
	}
	req, err := searchRequest(in)
	if err != nil {
		return nil, err
	}
	if req, err = search.Normalize(req, r.Search.Providers(), r.now()); err != nil {
		return nil, inputErrors(ctx, err)
	}
	ch := make(chan *model.OfferSearchProgress, len(req.Providers)+1)
	go func() {
		defer close(ch)
		send := func(ev *model.OfferSearchProgress) {
			select {
			case ch <- ev:
			case <-ctx.Done():
			}
		}
		res, err := r.Search.SearchStream(ctx, req, func(pr search.ProviderResult, offers []*search.Offer) {
			ev := &model.OfferSearchProgress{ProviderResult: &pr, Offers: make([]search.Offer, len(offers))}
			for i, o := range offers {
				ev.Offers[i] = *o
			}
			send(ev)
		})
		if err != nil {
			r.Logger.WarnContext(ctx, "streamed search failed", "err", err)
			return
		}
		send(&model.OfferSearchProgress{Offers: []search.Offer{}, Done: true, Search: res})
	}()
	return ch, nil
}
