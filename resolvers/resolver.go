// Package resolvers holds the hand-written GraphQL resolvers: one small
// resolver per GraphQL type over the root Resolver, which carries the
// dependencies, and the one error presenter that decides what clients see.
package resolvers

import (
	"log/slog"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/events"
	"github.com/faregraph/faregraph/graph"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/search"
)

// Resolver is the root resolver and the dependency-injection point.
type Resolver struct {
	Search   *search.Service
	Checkout *checkout.Service
	// Events serves webhook endpoints and subscriptions.
	Events    *events.Service
	Providers *providers.Set
	Logger    *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

var _ graph.ResolverRoot = (*Resolver)(nil)

func (r *Resolver) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Resolver) Query() graph.QueryResolver       { return &queryResolver{r} }
func (r *Resolver) Mutation() graph.MutationResolver { return &mutationResolver{r} }
func (r *Resolver) CheckoutSession() graph.CheckoutSessionResolver {
	return &checkoutSessionResolver{r}
}
func (r *Resolver) Booking() graph.BookingResolver         { return &bookingResolver{r} }
func (r *Resolver) Offer() graph.OfferResolver             { return &offerResolver{r} }
func (r *Resolver) OfferSearch() graph.OfferSearchResolver { return &offerSearchResolver{r} }
func (r *Resolver) ProviderResult() graph.ProviderResultResolver {
	return &providerResultResolver{r}
}

type (
	queryResolver          struct{ *Resolver }
	offerResolver          struct{ *Resolver }
	offerSearchResolver    struct{ *Resolver }
	providerResultResolver struct{ *Resolver }
)
