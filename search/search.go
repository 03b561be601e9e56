// Package search runs offer searches across providers: it validates the
// request, fans out to every provider in parallel under its own deadline,
// builds round-trip combinations of one-way fares, signs offer ids, and
// stores each result so that it can be paged and fetched again until it
// expires. Identical searches in flight share one set of provider calls and
// a finished result is reused for a short time.
package search

import (
	"sync"
	"time"

	"github.com/faregraph/faregraph/ids"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/rules"
)

// Request is a search as a client asks it.
type Request struct {
	Origin        string
	Destination   string
	DepartureDate providers.Date
	ReturnDate    providers.Date
	Passengers    providers.Passengers
	Currency      string
	// Providers names the providers to search; empty means all, sorted.
	Providers []string
}

// RoundTrip reports whether the request has a return date.
func (r Request) RoundTrip() bool { return r.ReturnDate != "" }

// Status is how a provider answered.
type Status string

const (
	StatusOK      Status = "OK"
	StatusTimeout Status = "TIMEOUT"
	StatusError   Status = "ERROR"
	// StatusNoRoute: the provider is known not to fly the route (the
	// simulators list theirs) and was not asked.
	StatusNoRoute Status = "NO_ROUTE"
)

// ProviderResult is one provider's part in a search.
type ProviderResult struct {
	Provider string
	Status   Status
	// OfferCount is the number of offers of the search that are this
	// provider's own fares (ownFares): its one-way fares in a one-way
	// search, its round-trip fares in a round trip, sellable and in the
	// searched currency. Offers combining one-way fares (COMBINED_ONE_WAYS)
	// count for no provider. The progress events and the stored search
	// count the same way, so they agree.
	OfferCount int
	LatencyMs  int
	Code       providers.ErrorCode
	Message    string
	// Conversion says how this provider's offers were converted into the
	// searched currency; nil when none was.
	Conversion *providers.Conversion
}

// Offer is a searched offer with its signed id.
type Offer struct {
	providers.Offer
	// ID is the opaque, signed, self-contained offer id.
	ID string
}

// SelfTransfer reports whether the offer's flights are ticketed
// separately (combined one-ways), so that a traveller who misses the
// next flight is not re-protected by its airline: see rules.SelfTransfer.
func (o *Offer) SelfTransfer() bool { return rules.SelfTransfer(o.Offer) }

// Result is a stored search.
type Result struct {
	ID        string
	Request   Request
	CreatedAt time.Time
	ExpiresAt time.Time
	Providers []ProviderResult
	// Offers have their ID once a page has shown them (Page), or once
	// Service.Search has returned.
	Offers []*Offer

	sorted sortedViews
	// signer seals offer ids; seals and sealErrs are by index of Offers.
	signer   *ids.Signer
	seals    []sync.Once
	sealErrs []error
	// stored is closed once the store answered, with storeErr.
	stored   chan struct{}
	storeErr error
}
