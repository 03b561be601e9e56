// Package rules is the one place where what faregraph may sell is
// decided: an offer's times (booking cut-off, connections, turnarounds
// and self-transfers), its travellers (ages on each flight date, lap
// infants and their adults, documents, each traveller once, names an
// airline can ticket), and the extras chosen (quantities). Search applies
// Itinerary so that an unsellable offer is never shown; checkout applies
// Itinerary, Travellers, Contact and Extras when a session is created (a
// user error naming the field) and Itinerary again before hold and book,
// since time passes between them.
//
// Every rule's value is a providers.Limits field: Defaults gives the
// value used when a provider documents none, and For tightens the
// defaults with what the offer's providers document (their adapters
// implement providers.Limited). Each default's source is in its comment.
package rules

import (
	"fmt"
	"time"

	"github.com/faregraph/faregraph/providers"
)

// The defaults, each with its source.
const (
	// DefaultBookingCutoff: no flight departing within 2 hours is sold
	// (issue 8: a ticket issued later than this cannot reach the check-in
	// desk in time; providers may document a longer cut-off).
	DefaultBookingCutoff = 2 * time.Hour
	// DefaultMinConnection: 60 minutes between two flights of one ticket.
	// No provider we sell documents minimum connection times; 60 minutes
	// is at or above the published minimum connection time of most
	// European airports, where our providers fly.
	DefaultMinConnection = 60 * time.Minute
	// DefaultMinSelfTransfer: 2 hours between separately ticketed flights
	// (combined one-ways): a missed self-transfer is not re-protected, and
	// the traveller collects bags and checks in again (the turnaround the
	// combinations always had, search/combine.go before issue 8).
	DefaultMinSelfTransfer = 2 * time.Hour
	// DefaultNameMaxLength: 60 characters per ticketed name, the limit
	// CitizenPlane documents (provider-apis.md, seed 004), the only
	// provider that documents one.
	DefaultNameMaxLength = 60
	// DefaultDocumentMinLength and DefaultDocumentMaxLength: 1 to 50
	// letters and digits, the checkout-session document's limit (seed 003).
	DefaultDocumentMinLength = 1
	DefaultDocumentMaxLength = 50
	// DefaultMaxBagQuantity: one unit of a bag option per traveller per
	// part unless the provider documents more (issue 8).
	DefaultMaxBagQuantity = 1
	// DefaultInfantAdultMinAge: the adult a lap infant travels with is 16
	// or older (issue 8: carriers want 16 or 18; a provider may document
	// 18).
	DefaultInfantAdultMinAge = 16
)

// Ages by passenger type, in whole years on each flight date: the IATA
// passenger types every provider we sell uses (provider-apis.md B.1:
// adults 12+, children 2-11, infants under 2).
const (
	AdultMinAge = 12
	ChildMinAge = 2
)

// Defaults returns the limits used where a provider documents none.
func Defaults() providers.Limits {
	return providers.Limits{
		BookingCutoff:     DefaultBookingCutoff,
		MinConnection:     DefaultMinConnection,
		MinSelfTransfer:   DefaultMinSelfTransfer,
		NameMaxLength:     DefaultNameMaxLength,
		DocumentMinLength: DefaultDocumentMinLength,
		DocumentMaxLength: DefaultDocumentMaxLength,
		MaxBagQuantity:    DefaultMaxBagQuantity,
		InfantAdultMinAge: DefaultInfantAdultMinAge,
	}
}

// For returns the limits in force for an offer whose parts are sold by
// providers documenting ls: the defaults, tightened by every provider's
// stricter value (a longer cut-off or ground time, a shorter name or
// document, an older infant's adult). MaxBagQuantity is the exception: a
// provider's documented maximum replaces the default (the least of them
// when several providers document one), since the default only stands in
// for a maximum nobody documents.
func For(ls ...providers.Limits) providers.Limits {
	d := Defaults()
	bags := 0
	for _, l := range ls {
		d.BookingCutoff = max(d.BookingCutoff, l.BookingCutoff)
		d.MinConnection = max(d.MinConnection, l.MinConnection)
		d.MinSelfTransfer = max(d.MinSelfTransfer, l.MinSelfTransfer)
		d.NameMaxLength = minSet(d.NameMaxLength, l.NameMaxLength)
		d.DocumentMinLength = max(d.DocumentMinLength, l.DocumentMinLength)
		d.DocumentMaxLength = minSet(d.DocumentMaxLength, l.DocumentMaxLength)
		d.InfantAdultMinAge = max(d.InfantAdultMinAge, l.InfantAdultMinAge)
		if l.MaxBagQuantity > 0 {
			bags = minSet(l.MaxBagQuantity, bags)
		}
	}
	if bags > 0 {
		d.MaxBagQuantity = bags
	}
	return d
}

// Of returns the limits in force for offer o, whose providers' limits
// limitsOf gives (providers.Set.Limits).
func Of(o providers.Offer, limitsOf func(provider string) providers.Limits) providers.Limits {
	// Called for every offer and every candidate pairing of a search: an
	// offer has one or two parts, whose limits stay on the stack.
	var buf [2]providers.Limits
	ls := buf[:0]
	for _, p := range o.Parts {
		ls = append(ls, limitsOf(p.Provider))
	}
	return For(ls...)
}

// minSet is the lesser of a and b, ignoring a zero (unset) b.
func minSet(a, b int) int {
	if b <= 0 {
		return a
	}
	if a <= 0 {
		return b
	}
	return min(a, b)
}

// Passenger names the traveller at index i of the request's passengers in
// messages and cart lines, as the client sent it: "passengers[0]" is the
// first, the one whose fields are input.passengers.0. Every message that
// refers to another traveller uses it, so that messages and
// userErrors.field count from the same 0.
func Passenger(i int) string { return fmt.Sprintf("passengers[%d]", i) }
