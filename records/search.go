package records

import "time"

// Search is a stored search result (package search owns the converters),
// kept so that any replica can page it until ExpiresAt. Offer ids are not
// stored: they are sealed again from the offers when the search is read.
type Search struct {
	Header
	ID        string           `json:"id"`
	Request   SearchRequest    `json:"request"`
	CreatedAt time.Time        `json:"createdAt"`
	ExpiresAt time.Time        `json:"expiresAt"`
	Providers []ProviderResult `json:"providers"`
	Offers    []Offer          `json:"offers"`
}

// SearchRequest is the request a stored search answered; dates are
// "2006-01-02", ReturnDate empty for a one-way search.
type SearchRequest struct {
	Origin        string     `json:"origin"`
	Destination   string     `json:"destination"`
	DepartureDate string     `json:"departureDate"`
	ReturnDate    string     `json:"returnDate,omitempty"`
	Passengers    Passengers `json:"passengers"`
	Currency      string     `json:"currency"`
	Providers     []string   `json:"providers"`
}

// ProviderResult is one provider's part in a stored search.
type ProviderResult struct {
	Provider   string `json:"provider"`
	Status     string `json:"status"`
	OfferCount int    `json:"offerCount"`
	LatencyMs  int    `json:"latencyMs"`
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	// Conversion was added in place (additive): absent, nothing was converted.
	Conversion *Conversion `json:"conversion,omitempty"`
}
