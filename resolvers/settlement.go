package resolvers

import (
	"context"
	"strings"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/graph"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/providers"
)

func (r *Resolver) PaymentAction() graph.PaymentActionResolver { return &paymentActionResolver{r} }

type paymentActionResolver struct{ *Resolver }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (r *paymentActionResolver) Provider(_ context.Context, obj *checkout.PaymentAction) (*string, error) {
	return optional(obj.Provider), nil
}

func (r *paymentActionResolver) ClientSecret(_ context.Context, obj *checkout.PaymentAction) (*string, error) {
	return optional(obj.ClientSecret), nil
}

func (r *paymentActionResolver) ActionURL(_ context.Context, obj *checkout.PaymentAction) (*string, error) {
	return optional(obj.ActionURL), nil
}

func (r *paymentActionResolver) TransactionID(_ context.Context, obj *checkout.PaymentAction) (*string, error) {
	return optional(obj.TransactionID), nil
}

func (r *checkoutSessionResolver) Parts(_ context.Context, obj *checkout.Session) ([]model.CheckoutPart, error) {
	out := make([]model.CheckoutPart, 0, len(obj.Offer.Parts))
	for i, p := range obj.Offer.Parts {
		st := providers.Merchant
		var amount int64
		if i < len(obj.Parts) {
			amount = obj.Parts[i].Amount
			if obj.Parts[i].Settlement != "" {
				st = obj.Parts[i].Settlement
			}
		}
		out = append(out, model.CheckoutPart{Index: i, Provider: p.Provider, Settlement: st, Reference: optional(checkout.PartReference(obj, i)),
			Amount: &providers.Money{Amount: amount, Currency: obj.Total.Currency}})
	}
	return out, nil
}

func (r *checkoutSessionResolver) PaymentActions(_ context.Context, obj *checkout.Session) ([]checkout.PaymentAction, error) {
	acts := checkout.PaymentActions(obj)
	if acts == nil {
		acts = []checkout.PaymentAction{}
	}
	return acts, nil
}

func (r *mutationResolver) ForwardCard(ctx context.Context, in model.ForwardCardInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	fw := checkout.ForwardCardInput{CheckoutSessionID: sessionID(in.CheckoutSessionID), Provider: in.Provider, PaymentMethod: in.PaymentMethodID}
	if t := in.ThreeDSecure; t != nil {
		// The enums spell the provider's values: V2_2_0 is "2.2.0", ECI_05 "05".
		fw.ThreeDSecure = &providers.ThreeDSecure{Version: strings.ReplaceAll(strings.TrimPrefix(string(t.Version), "V"), "_", "."),
			ElectronicCommerceIndicator: strings.TrimPrefix(string(t.ElectronicCommerceIndicator), "ECI_"),
			Cryptogram:                  t.Cryptogram, TransactionID: t.TransactionID}
	}
	return payload(r.Resolver.Checkout.ForwardCard(ctx, tenant, fw, deref(in.IdempotencyKey)))
}

func settlementsInput(in []model.ProviderSettlementInput) []checkout.ProviderSettlement {
	var out []checkout.ProviderSettlement
	for _, s := range in {
		out = append(out, checkout.ProviderSettlement{Provider: s.Provider, Mode: s.Mode})
	}
	return out
}

func (r *queryResolver) SettlementDefaults(ctx context.Context) ([]model.ProviderSettlementDefault, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	list, err := r.Checkout.TenantSettlements(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := make([]model.ProviderSettlementDefault, len(list))
	for i, ts := range list {
		out[i] = model.ProviderSettlementDefault{Provider: ts.Provider, Mode: ts.Mode, Configured: ts.Configured, SupportedModes: ts.Supported}
	}
	return out, nil
}

func (r *mutationResolver) ConfirmProviderIntent(ctx context.Context, in model.ConfirmProviderIntentInput) (*model.CheckoutSessionPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	ci := checkout.ProviderIntentInput{CheckoutSessionID: sessionID(in.CheckoutSessionID), TransactionID: in.TransactionID}
	return payload(r.Resolver.Checkout.ConfirmProviderIntent(ctx, tenant, ci, deref(in.IdempotencyKey)))
}
