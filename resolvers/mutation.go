package resolvers

import (
	"context"
	"slices"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/providers"
)

type mutationResolver struct{ *Resolver }

// payload turns a checkout result into the GraphQL payload.
func payload(res *checkout.Result, err error) (*model.CheckoutSessionPayload, error) {
	if err != nil {
		return nil, err
	}
	p := &model.CheckoutSessionPayload{CheckoutSession: res.Session, UserErrors: res.UserErrors, Warnings: res.Warnings}
	if p.UserErrors == nil {
		p.UserErrors = []fault.Violation{}
	}
	if p.Warnings == nil {
		p.Warnings = []fault.Warning{}
	}
	return p, nil
}

// sessionID opens a CheckoutSession global id; a malformed one is "",
// which no session has, so it is answered like an unknown session.
func sessionID(id string) string {
	typ, key, err := ids.Parse(id)
	if err != nil || typ != checkoutSessionType {
		return ""
	}
	return key
}

const (
	checkoutSessionType = "CheckoutSession"
	bookingType         = "Booking"
)

func (r *mutationResolver) writer(ctx context.Context) (string, error) {
	p, err := auth.Require(ctx, auth.ScopeCheckoutWrite)
	if err != nil {
		return "", err
	}
	return p.TenantID, nil
}

func createInput(offerID string, ps []model.PassengerInput, c *model.ContactInput, anc []model.AncillarySelectionInput, expiresIn *int, meta []model.MetadataEntryInput, partial *checkout.PartialBooking, key *string) checkout.CreateInput {
	in := checkout.CreateInput{OfferID: offerID, ExpiresIn: expiresIn, IdempotencyKey: deref(key)}
	if partial != nil {
		in.PartialBooking = *partial
	}
	for _, p := range ps {
		t := providers.Traveller{Type: providers.PassengerType(p.Type), GivenName: p.GivenName, FamilyName: p.FamilyName,
			Gender: string(p.Gender), DateOfBirth: p.DateOfBirth, Email: deref(p.Email), PhoneNumber: deref(p.PhoneNumber)}
		if p.Document != nil {
			t.DocumentNumber, t.DocumentExpiresOn = p.Document.Number, p.Document.ExpiresOn
			t.DocumentIssuingCountry, t.Nationality = p.Document.IssuingCountry, p.Document.Nationality
		}
		in.Passengers = append(in.Passengers, t)
	}
	if c != nil {
		in.Contact = providers.Contact{GivenName: c.GivenName, FamilyName: c.FamilyName, Email: c.Email, PhoneNumber: c.PhoneNumber}
	}
	for _, a := range anc {
		in.Ancillaries = append(in.Ancillaries, checkout.AncillaryChoice{ID: a.AncillaryID, PassengerIndex: a.PassengerIndex, Quantity: a.Quantity})
	}
	if len(meta) > 0 {
		in.Metadata = map[string]string{}
		for _, m := range meta {
			if _, dup := in.Metadata[m.Key]; dup && !slices.Contains(in.RepeatedMetadataKeys, m.Key) {
				in.RepeatedMetadataKeys = append(in.RepeatedMetadataKeys, m.Key)
			}
			in.Metadata[m.Key] = m.Value
		}
	}
	return in
}

func (r *mutationResolver) CreateCheckoutSession(ctx context.Context, in model.CreateCheckoutSessionInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	ci := createInput(in.OfferID, in.Passengers, in.Contact, in.Ancillaries, in.ExpiresIn, in.Metadata, in.PartialBooking, in.IdempotencyKey)
	ci.Settlements = settlementsInput(in.Settlements)
	return payload(r.Resolver.Checkout.Create(ctx, tenant, ci))
}

func (r *mutationResolver) Checkout(ctx context.Context, in model.CheckoutInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	ci := checkout.CheckoutInput{
		CreateInput: createInput(in.OfferID, in.Passengers, in.Contact, in.Ancillaries, in.ExpiresIn, in.Metadata, in.PartialBooking, in.IdempotencyKey),
		Method:      checkout.PaymentMethod(in.Method),
	}
	ci.CreateInput.Settlements = settlementsInput(in.Settlements)
	return payload(r.Resolver.Checkout.Checkout(ctx, tenant, ci))
}

func (r *mutationResolver) HoldCheckoutSession(ctx context.Context, in model.HoldCheckoutSessionInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	return payload(r.Resolver.Checkout.Hold(ctx, tenant, sessionID(in.CheckoutSessionID), deref(in.IdempotencyKey)))
}

func (r *mutationResolver) PayCheckoutSession(ctx context.Context, in model.PayCheckoutSessionInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	return payload(r.Resolver.Checkout.Pay(ctx, tenant, sessionID(in.CheckoutSessionID), checkout.PaymentMethod(in.Method), deref(in.IdempotencyKey)))
}

func (r *mutationResolver) ConfirmSandboxPayment(ctx context.Context, in model.ConfirmSandboxPaymentInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	card := "4242424242424242"
	if in.CardNumber != nil {
		card = *in.CardNumber
	}
	return payload(r.Resolver.Checkout.ConfirmSandboxPayment(ctx, tenant, sessionID(in.CheckoutSessionID), card))
}

func (r *mutationResolver) BookCheckoutSession(ctx context.Context, in model.BookCheckoutSessionInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	return payload(r.Resolver.Checkout.Book(ctx, tenant, sessionID(in.CheckoutSessionID), deref(in.IdempotencyKey)))
}

func (r *mutationResolver) AcceptPriceChange(ctx context.Context, in model.AcceptPriceChangeInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	return payload(r.Resolver.Checkout.AcceptPriceChange(ctx, tenant, sessionID(in.CheckoutSessionID), deref(in.IdempotencyKey)))
}

func (r *mutationResolver) CancelCheckoutSession(ctx context.Context, in model.CancelCheckoutSessionInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	return payload(r.Resolver.Checkout.Cancel(ctx, tenant, sessionID(in.CheckoutSessionID), deref(in.IdempotencyKey)))
}

func (r *mutationResolver) SelectSeats(ctx context.Context, in model.SelectSeatsInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	seats := make([]checkout.SeatChoice, len(in.Seats))
	for i, s := range in.Seats {
		seats[i] = checkout.SeatChoice{PassengerIndex: s.PassengerIndex, SeatID: s.SeatID}
	}
	return payload(r.Resolver.Checkout.SelectSeats(ctx, tenant, sessionID(in.CheckoutSessionID), seats, deref(in.IdempotencyKey)))
}
