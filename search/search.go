// Package search runs offer searches across providers: it validates the
// request, fans out to every provider in parallel under its own deadline,
// builds round-trip combinations of one-way fares, signs offer ids, and
// stores each result so that it can be paged and fetched again until it
// expires. Identical searches in flight share one set of provider calls and
// a finished result is reused for a short time.
package search

import (
	"time"

	"github.com/faregraph/faregraph/providers"
)

// Request is a search as a client asks it.
type Request struct {
	Origin        string               `json:"origin"`
	Destination   string               `json:"destination"`
	DepartureDate providers.Date       `json:"departureDate"`
	ReturnDate    providers.Date       `json:"returnDate,omitempty"`
	Passengers    providers.Passengers `json:"passengers"`
	Currency      string               `json:"currency"`
	// Providers names the providers to search; empty means all, sorted.
	Providers []string `json:"providers"`
}

// RoundTrip reports whether the request has a return date.
func (r Request) RoundTrip() bool { return r.ReturnDate != "" }

// Status is how a provider answered.
type Status string

const (
	StatusOK      Status = "OK"
	StatusTimeout Status = "TIMEOUT"
	StatusError   Status = "ERROR"
)

// ProviderResult is one provider's part in a search.
type ProviderResult struct {
	Provider   string              `json:"provider"`
	Status     Status              `json:"status"`
	OfferCount int                 `json:"offerCount"`
	LatencyMs  int                 `json:"latencyMs"`
	Code       providers.ErrorCode `json:"code,omitempty"`
	Message    string              `json:"message,omitempty"`
}

// Offer is a searched offer with its signed id.
type Offer struct {
	providers.Offer
	// ID is the opaque, signed, self-contained offer id.
	ID string `json:"-"`
}

// Result is a stored search.
type Result struct {
	ID        string           `json:"id"`
	Request   Request          `json:"request"`
	CreatedAt time.Time        `json:"createdAt"`
	ExpiresAt time.Time        `json:"expiresAt"`
	Providers []ProviderResult `json:"providers"`
	Offers    []*Offer         `json:"offers"`

	sorted sortedViews
}
