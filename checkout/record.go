package checkout

import (
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records"
	"github.com/faregraph/faregraph/rules"
)

// sessionRecord returns the document sess stores in its row's data column,
// at records.Version.
func sessionRecord(sess *Session) records.Session {
	return records.Session{
		Header:     records.Current(),
		OfferID:    sess.OfferID,
		Offer:      records.FromOffer(sess.Offer),
		Passengers: records.FromTravellers(sess.Passengers),
		Contact:    records.FromContact(sess.Contact),
		Selections: records.Map(sess.Selections, func(s Selection) records.Selection {
			return records.Selection{PartIndex: s.PartIndex, PassengerIndex: s.PassengerIndex, Quantity: s.Quantity, Ancillary: records.FromAncillary(s.Ancillary)}
		}),
		Items: records.Map(sess.Items, func(i Item) records.Item { return records.Item(i) }),
		Airline: records.Airline{
			Legs:     records.Map(sess.Airline.Legs, func(l AirlineLeg) records.AirlineLeg { return records.AirlineLeg(l) }),
			Locators: sess.Airline.Locators,
		},
		Total:    records.FromMoney(sess.Total),
		Metadata: sess.Metadata,
		Holds: records.Map(sess.Holds, func(h PartHold) records.PartHold {
			return records.PartHold{PartIndex: h.PartIndex, Provider: h.Provider, Hold: records.FromHold(h.Hold), HeldAt: h.HeldAt}
		}),
		Parts: records.Map(sess.Parts, func(p PartState) records.PartState {
			r := records.PartState{Status: string(p.Status), Code: string(p.Code), Amount: p.Amount, Reference: p.Reference, IntentConfirmed: p.IntentConfirmed, Deferred: p.Deferred}
			if p.Settlement != providers.Merchant {
				r.Settlement = string(p.Settlement)
			}
			if f := p.Forward; f != nil {
				r.Forward = &records.CardForward{PaymentMethod: f.PaymentMethod}
				if t := f.ThreeDSecure; t != nil {
					r.Forward.ThreeDSecure = (*records.ThreeDSecure)(t)
				}
			}
			return r
		}),
		Payment:        paymentRecord(sess.Payment),
		Failure:        failureRecord(sess.Failure),
		PriceRevision:  sess.PriceRevision,
		PartialBooking: string(sess.PartialBooking),
	}
}

// sessionFromRecord returns the session rec stores, without what its
// row's columns hold (id, tenant, status, times).
func sessionFromRecord(rec records.Session) *Session {
	return &Session{
		OfferID:    rec.OfferID,
		Offer:      rec.Offer.Domain(),
		Passengers: records.Map(records.DomainTravellers(rec.Passengers), ticketNames),
		Contact:    ticketContact(rec.Contact.Domain()),
		Selections: records.Map(rec.Selections, func(s records.Selection) Selection {
			return Selection{PartIndex: s.PartIndex, PassengerIndex: s.PassengerIndex, Quantity: s.Quantity, Ancillary: s.Ancillary.Domain()}
		}),
		Items: records.Map(rec.Items, func(i records.Item) Item { return Item(i) }),
		Airline: Airline{
			Legs:     records.Map(rec.Airline.Legs, func(l records.AirlineLeg) AirlineLeg { return AirlineLeg(l) }),
			Locators: rec.Airline.Locators,
		},
		Total:    rec.Total.Domain(),
		Metadata: rec.Metadata,
		Holds: records.Map(rec.Holds, func(h records.PartHold) PartHold {
			return PartHold{PartIndex: h.PartIndex, Provider: h.Provider, Hold: h.Hold.Domain(), HeldAt: h.HeldAt}
		}),
		Parts: records.Map(rec.Parts, func(p records.PartState) PartState {
			st := PartState{Status: PartStatus(p.Status), Code: fault.Code(p.Code), Amount: p.Amount, Settlement: providers.Settlement(p.Settlement), Reference: p.Reference,
				IntentConfirmed: p.IntentConfirmed, Deferred: p.Deferred}
			if f := p.Forward; f != nil {
				st.Forward = &CardForward{PaymentMethod: f.PaymentMethod}
				if t := f.ThreeDSecure; t != nil {
					st.Forward.ThreeDSecure = (*providers.ThreeDSecure)(t)
				}
			}
			return st
		}),
		Payment:        paymentFromRecord(rec.Payment),
		Failure:        failureFromRecord(rec.Failure),
		PriceRevision:  rec.PriceRevision,
		PartialBooking: PartialBooking(rec.PartialBooking),
	}
}

func failureRecord(f *Failure) *records.Failure {
	if f == nil {
		return nil
	}
	r := &records.Failure{Code: string(f.Code), Message: f.Message}
	if f.PreviousTotal != nil && f.NewTotal != nil {
		prev, next := records.FromMoney(*f.PreviousTotal), records.FromMoney(*f.NewTotal)
		r.PreviousTotal, r.NewTotal = &prev, &next
	}
	return r
}

func failureFromRecord(r *records.Failure) *Failure {
	if r == nil {
		return nil
	}
	f := &Failure{Code: fault.Code(r.Code), Message: r.Message}
	if r.PreviousTotal != nil && r.NewTotal != nil {
		prev, next := r.PreviousTotal.Domain(), r.NewTotal.Domain()
		f.PreviousTotal, f.NewTotal = &prev, &next
	}
	return f
}

func paymentRecord(p *Payment) *records.Payment {
	if p == nil {
		return nil
	}
	r := &records.Payment{
		Method: string(p.Method), Gateway: p.Gateway, IntentID: p.IntentID, Status: string(p.Status), Amount: p.Amount, Currency: p.Currency,
		Captured: p.Captured, ClientSecret: p.ClientSecret, EphemeralKey: p.EphemeralKey, CustomerID: p.CustomerID,
		ActionURL: p.ActionURL, FailureCode: p.FailureCode, FailureMsg: p.FailureMsg,
	}
	if c := p.Card; c != nil {
		r.Card = &records.Card{Scheme: c.Scheme, Last4: c.Last4, BIN: c.BIN, CardType: c.CardType, Country: c.Country}
	}
	return r
}

func paymentFromRecord(r *records.Payment) *Payment {
	if r == nil {
		return nil
	}
	p := &Payment{
		Method: PaymentMethod(r.Method), Gateway: r.Gateway, IntentID: r.IntentID, Status: payments.Status(r.Status), Amount: r.Amount, Currency: r.Currency,
		Captured: r.Captured, ClientSecret: r.ClientSecret, EphemeralKey: r.EphemeralKey, CustomerID: r.CustomerID,
		ActionURL: r.ActionURL, FailureCode: r.FailureCode, FailureMsg: r.FailureMsg,
	}
	if c := r.Card; c != nil {
		p.Card = &payments.Card{Scheme: c.Scheme, Last4: c.Last4, BIN: c.BIN, CardType: c.CardType, Country: c.Country}
	}
	return p
}

// replayRecord returns what an idempotency key stores of res, at
// records.Version: the session's row and its bookings' rows as they are
// written to the database, and the user errors.
// data is the session's document when the caller has it (toRow's Data of
// res.Session as it stands); "" encodes it again.
func replayRecord(res *Result, data string) (records.Replay, error) {
	rep := records.Replay{
		Header: records.Current(),
		UserErrors: records.Map(res.UserErrors, func(u fault.Violation) records.UserError {
			return records.UserError{Field: u.Field, Code: string(u.Code), Message: u.Message}
		}),
		Warnings: records.Map(res.Warnings, func(w fault.Warning) records.UserError {
			return records.UserError{Field: w.Field, Code: string(w.Code), Message: w.Message}
		}),
	}
	if res.Session == nil {
		return rep, nil
	}
	var row *db.SessionRow
	if data != "" {
		row = rowWith(res.Session, data)
	} else {
		var err error
		if row, err = toRow(res.Session); err != nil {
			return rep, err
		}
	}
	rep.Session = &records.SessionRow{
		ID: row.ID, TenantID: row.TenantID, Status: row.Status, Version: res.Session.Version, BusyOp: row.BusyOp, BusyUntil: row.BusyUntil,
		OfferID: row.OfferID, PaymentRef: row.PaymentRef, Data: row.Data, TotalAmount: row.TotalAmount, Currency: row.Currency,
		GroupIdentifier: row.GroupIdentifier, ExpiresAt: row.ExpiresAt, HoldExpiresAt: row.HoldExpiresAt, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}
	rep.Bookings = records.Map(res.Session.Bookings, func(b BookingRecord) records.BookingRow {
		r := bookingToRow(b)
		return records.BookingRow{
			ID: r.ID, TenantID: r.TenantID, SessionID: r.SessionID, PartIndex: r.PartIndex, Reference: r.Reference, Provider: r.Provider,
			ProviderReference: r.ProviderReference, Status: r.Status, Amount: r.Amount, Currency: r.Currency, GroupIdentifier: r.GroupIdentifier,
			Data: r.Data, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		}
	})
	return rep, nil
}

// resultFromReplay returns the answer rep stores, as it was given. Version
// 1 named fields relative to the mutation's input argument; they are
// answered with the full input path, as version 2 stores them.
func resultFromReplay(rep records.Replay) (*Result, error) {
	res := &Result{UserErrors: records.Map(rep.UserErrors, func(u records.UserError) fault.Violation {
		field := u.Field
		if rep.V < 2 && len(field) > 0 && field[0] != "input" {
			field = append([]string{"input"}, field...)
		}
		return fault.Violation{Field: field, Code: fault.Code(u.Code), Message: u.Message}
	})}
	res.Warnings = records.Map(rep.Warnings, func(w records.UserError) fault.Warning {
		return fault.Warning{Field: w.Field, Code: fault.WarningCode(w.Code), Message: w.Message}
	})
	if r := rep.Session; r != nil {
		sess, err := fromRow(&db.SessionRow{
			ID: r.ID, TenantID: r.TenantID, Status: r.Status, Version: r.Version, BusyOp: r.BusyOp, BusyUntil: r.BusyUntil,
			OfferID: r.OfferID, PaymentRef: r.PaymentRef, Data: r.Data, TotalAmount: r.TotalAmount, Currency: r.Currency,
			GroupIdentifier: r.GroupIdentifier, ExpiresAt: r.ExpiresAt, HoldExpiresAt: r.HoldExpiresAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		})
		if err != nil {
			return nil, err
		}
		for _, b := range rep.Bookings {
			sess.Bookings = append(sess.Bookings, bookingFromRow(db.BookingRow{
				ID: b.ID, TenantID: b.TenantID, SessionID: b.SessionID, PartIndex: b.PartIndex, Reference: b.Reference, Provider: b.Provider,
				ProviderReference: b.ProviderReference, Status: b.Status, Amount: b.Amount, Currency: b.Currency, GroupIdentifier: b.GroupIdentifier,
				Data: b.Data, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt,
			}))
		}
		res.Session = sess
	}
	return res, nil
}

// ticketNames fills in the ticketed names of a traveller stored before
// sessions kept them (records before issue 8), from its names as stored.
// A name with no transliteration keeps its stored form.
func ticketNames(t providers.Traveller) providers.Traveller {
	t.TicketedGivenName = ticketed(t.TicketedGivenName, t.GivenName)
	t.TicketedFamilyName = ticketed(t.TicketedFamilyName, t.FamilyName)
	return t
}

// ticketContact is ticketNames for the contact.
func ticketContact(c providers.Contact) providers.Contact {
	c.TicketedGivenName = ticketed(c.TicketedGivenName, c.GivenName)
	c.TicketedFamilyName = ticketed(c.TicketedFamilyName, c.FamilyName)
	return c
}

func ticketed(stored, name string) string {
	if stored != "" {
		return stored
	}
	if t, missing := rules.Ticket(rules.NormalizeName(name)); missing == "" && t != "" {
		return t
	}
	return name
}
