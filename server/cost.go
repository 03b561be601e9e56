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

// page is the number of items a connection is asked for: first or last,
// 20 when neither is given, at least 1.
func page(first, last *int) int {
	n := 20
	switch {
	case first != nil:
		n = *first
	case last != nil:
		n = *last
	}
	return max(n, 1)
}

// complexity fills the costs into the generated schema's configuration.
func complexity(c *graph.ComplexityRoot) {
	c.Query.SearchOffers = func(child int, _ model.SearchOffersInput) int { return searchCost + child }
	c.Query.Bookings = func(child int, first *int, _ *string, last *int, _ *string, _ *model.BookingFilter) int {
		return 1 + page(first, last)*child
	}
	c.Query.CheckoutSessions = func(child int, first *int, _ *string, last *int, _ *string, _ *model.CheckoutSessionFilter) int {
		return 1 + page(first, last)*child
	}
	c.OfferSearch.Offers = func(child int, first *int, _ *string, last *int, _ *string, _ *model.OfferSortKey) int {
		return 1 + page(first, last)*child
	}
	c.Query.WebhookDeliveries = func(child int, _ string, first *int, _ *string) int { return 1 + page(first, nil)*child }
	c.Offer.PriceCheck = func(child int) int { return liveCheckCost + child }
	c.Offer.Ancillaries = func(child int) int { return liveCheckCost + child }
	c.Booking.Flights = func(child int) int { return liveCheckCost + child }
	c.Mutation.CreateCheckoutSession = func(child int, _ model.CreateCheckoutSessionInput) int { return mutationCost + child }
	c.Mutation.Checkout = func(child int, _ model.CheckoutInput) int { return mutationCost + child }
	c.Mutation.CancellationQuote = func(child int, _ model.CancellationQuoteInput) int { return mutationCost + child }
	c.Mutation.CancelBooking = func(child int, _ model.CancelBookingInput) int { return mutationCost + child }
	c.Mutation.SelectSeats = func(child int, _ model.SelectSeatsInput) int { return mutationCost + child }
}
