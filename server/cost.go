package server

import (
	"github.com/faregraph/faregraph/graph"
	"github.com/faregraph/faregraph/graph/model"
)

// Costs of the fields that call providers or write, for the complexity
// limit: a field counts 1 unless it is listed here, and a page of offers
// or bookings counts its children once per item asked for. With
// MaxComplexity, one request can run at most four searches, or one search
// with live checks on a page of about 20 offers.
const (
	searchCost    = 1000
	liveCheckCost = 20
	mutationCost  = 100
)

func page(first *int, def int) int {
	if first != nil && *first > 0 {
		return *first
	}
	if first != nil {
		return 1
	}
	return def
}

// complexity fills the costs into the generated schema's configuration.
func complexity(c *graph.ComplexityRoot) {
	c.Query.SearchOffers = func(child int, _ model.SearchOffersInput) int { return searchCost + child }
	c.Query.Bookings = func(child int, first *int, _ *string) int { return 1 + page(first, 20)*child }
	c.OfferSearch.Offers = func(child int, first *int, _ *string, _ *model.OfferSortKey) int { return 1 + page(first, 20)*child }
	c.Offer.PriceCheck = func(child int) int { return liveCheckCost + child }
	c.Offer.Ancillaries = func(child int) int { return liveCheckCost + child }
	c.Booking.Flights = func(child int) int { return liveCheckCost + child }
	c.Mutation.CreateCheckoutSession = func(child int, _ model.CreateCheckoutSessionInput) int { return mutationCost + child }
	c.Mutation.Checkout = func(child int, _ model.CheckoutInput) int { return mutationCost + child }
}
