package records

import (
	"time"

	"github.com/faregraph/faregraph/providers"
)

// Traveller is providers.Traveller; dates are "2006-01-02", countries ISO
// 3166-1 alpha-2, the phone number E.164.
type Traveller struct {
	Type                   string `json:"type"`
	GivenName              string `json:"givenName"`
	FamilyName             string `json:"familyName"`
	Gender                 string `json:"gender"`
	DateOfBirth            string `json:"dateOfBirth"`
	DocumentNumber         string `json:"documentNumber"`
	DocumentExpiresOn      string `json:"documentExpiresOn"`
	DocumentIssuingCountry string `json:"documentIssuingCountry"`
	Nationality            string `json:"nationality"`
	Email                  string `json:"email,omitempty"`
	PhoneNumber            string `json:"phoneNumber,omitempty"`
	// TicketedGivenName and TicketedFamilyName were added with issue 8;
	// records written before have none, and readers derive them from the
	// names (rules.Ticket).
	TicketedGivenName  string `json:"ticketedGivenName,omitempty"`
	TicketedFamilyName string `json:"ticketedFamilyName,omitempty"`
}

// FromTravellers returns the records of ts (nil for nil).
func FromTravellers(ts []providers.Traveller) []Traveller {
	return Map(ts, func(t providers.Traveller) Traveller {
		return Traveller{
			Type: string(t.Type), GivenName: t.GivenName, FamilyName: t.FamilyName, Gender: t.Gender, DateOfBirth: string(t.DateOfBirth),
			DocumentNumber: t.DocumentNumber, DocumentExpiresOn: string(t.DocumentExpiresOn), DocumentIssuingCountry: t.DocumentIssuingCountry,
			Nationality: t.Nationality, Email: t.Email, PhoneNumber: t.PhoneNumber,
			TicketedGivenName: t.TicketedGivenName, TicketedFamilyName: t.TicketedFamilyName,
		}
	})
}

// DomainTravellers returns the providers.Traveller values ts record (nil for nil).
func DomainTravellers(ts []Traveller) []providers.Traveller {
	return Map(ts, func(t Traveller) providers.Traveller {
		return providers.Traveller{
			Type: providers.PassengerType(t.Type), GivenName: t.GivenName, FamilyName: t.FamilyName, Gender: t.Gender, DateOfBirth: providers.Date(t.DateOfBirth),
			DocumentNumber: t.DocumentNumber, DocumentExpiresOn: providers.Date(t.DocumentExpiresOn), DocumentIssuingCountry: t.DocumentIssuingCountry,
			Nationality: t.Nationality, Email: t.Email, PhoneNumber: t.PhoneNumber,
			TicketedGivenName: t.TicketedGivenName, TicketedFamilyName: t.TicketedFamilyName,
		}
	})
}

// Contact is providers.Contact.
type Contact struct {
	GivenName   string `json:"givenName"`
	FamilyName  string `json:"familyName"`
	Email       string `json:"email"`
	PhoneNumber string `json:"phoneNumber"`
	// TicketedGivenName and TicketedFamilyName as Traveller's (issue 8).
	TicketedGivenName  string `json:"ticketedGivenName,omitempty"`
	TicketedFamilyName string `json:"ticketedFamilyName,omitempty"`
}

// FromContact returns the record of c.
func FromContact(c providers.Contact) Contact { return Contact(c) }

// Domain returns the providers.Contact c records.
func (c Contact) Domain() providers.Contact { return providers.Contact(c) }

// Hold is providers.Hold; ExpiresAt is as the provider gave it.
type Hold struct {
	Ref         string      `json:"ref"`
	ExpiresAt   time.Time   `json:"expiresAt"`
	Total       Money       `json:"total"`
	Ancillaries []Ancillary `json:"ancillaries,omitempty"`
	// Intent is the provider's payment intent of the hold; absent for
	// holds without one (and in documents written before it existed).
	Intent *Intent `json:"intent,omitempty"`
}

// Intent is providers.Intent.
type Intent struct {
	TransactionID string `json:"transactionId"`
	ClientSecret  string `json:"clientSecret"`
	Amount        Money  `json:"amount"`
}

// FromHold returns the record of h.
func FromHold(h providers.Hold) Hold {
	r := Hold{Ref: h.Ref, ExpiresAt: h.ExpiresAt, Total: FromMoney(h.Total), Ancillaries: Map(h.Ancillaries, FromAncillary)}
	if in := h.Intent; in != nil {
		r.Intent = &Intent{TransactionID: in.TransactionID, ClientSecret: in.ClientSecret, Amount: FromMoney(in.Amount)}
	}
	return r
}

// Domain returns the providers.Hold h records.
func (h Hold) Domain() providers.Hold {
	d := providers.Hold{Ref: h.Ref, ExpiresAt: h.ExpiresAt, Total: h.Total.Domain(), Ancillaries: Map(h.Ancillaries, Ancillary.Domain)}
	if in := h.Intent; in != nil {
		d.Intent = &providers.Intent{TransactionID: in.TransactionID, ClientSecret: in.ClientSecret, Amount: in.Amount.Domain()}
	}
	return d
}
