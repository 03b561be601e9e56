package liteapi

import (
	"context"
	"testing"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// TestProviderIntent: a ProviderIntent hold prebooks with usePaymentSdk
// true and carries LiteAPI's intent; attaching an extra replaces it, and
// the booking pays with TRANSACTION_ID and the latest transactionId, which
// the simulator refuses until the intent is confirmed.
func TestProviderIntent(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), familyPax, nil)
	log := env.tap()
	bare := holdRequest(o)
	bare.Settlement = providers.ProviderIntent
	first, err := env.client.Hold(context.Background(), bare)
	if err != nil {
		t.Fatal(err)
	}
	bag := ""
	for _, a := range first.Ancillaries {
		if a.Kind == providers.CheckedBag && !isIncludedRef(a.Ref) {
			bag = a.Ref
			break
		}
	}
	if bag == "" {
		t.Fatal("no bag to attach")
	}
	r := holdRequest(o, providers.Selection{Ref: bag, PassengerIndex: 0, Quantity: 1})
	r.Settlement = providers.ProviderIntent
	h, err := env.client.Hold(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	pre := log.bodies(t, "POST", wire.PrebooksPath)
	if len(pre) < 2 || pre[0]["usePaymentSdk"] != true {
		t.Fatalf("prebook bodies %v: want usePaymentSdk true", pre)
	}
	if first.Intent == nil || h.Intent == nil || h.Intent.TransactionID == "" || h.Intent.ClientSecret == "" {
		t.Fatalf("intents %+v %+v", first.Intent, h.Intent)
	}
	if h.Intent.Amount != h.Total {
		t.Errorf("intent amount %s, hold total %s", h.Intent.Amount, h.Total)
	}
	p := env.prebookOf(t, h.Ref)
	if p.TransactionID != h.Intent.TransactionID {
		t.Errorf("hold intent %s, prebook's latest %s", h.Intent.TransactionID, p.TransactionID)
	}

	b := bookRequestFor(o, h, "cs_1-0")
	b.Payment = providers.Payment{Settlement: providers.ProviderIntent, TransactionID: h.Intent.TransactionID}
	if _, err := env.client.Book(context.Background(), b); providers.CodeOf(err) != providers.PaymentNotConfirmed {
		t.Fatalf("book before confirmation: %v, want PaymentNotConfirmed", err)
	}
	if err := env.sim.ConfirmIntent(h.Intent.ClientSecret, litesim.CardOK); err != nil {
		t.Fatal(err)
	}
	if _, err := env.client.Book(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	books := log.bodies(t, "POST", wire.BookingsPath)
	pay := books[len(books)-1]["payment"].(map[string]any)
	if pay["method"] != "TRANSACTION_ID" || pay["transactionId"] != h.Intent.TransactionID {
		t.Errorf("booking payment %v", pay)
	}
	b.Payment.TransactionID = ""
	if _, err := env.client.Book(context.Background(), b); providers.CodeOf(err) != providers.Rejected {
		t.Errorf("TRANSACTION_ID without id: %v", err)
	}
}

// TestPrebookWithoutCreditLine: usePaymentSdk false on an account without
// payment bypass and credit line is a validation error (B.3); with
// usePaymentSdk true the prebook works.
func TestPrebookWithoutCreditLine(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	env.sim.SetCreditLine(false)
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), familyPax, nil)
	if _, err := env.client.Hold(context.Background(), holdRequest(o)); providers.CodeOf(err) != providers.Rejected {
		t.Errorf("merchant hold without credit line: %v, want Rejected", err)
	}
	r := holdRequest(o)
	r.Settlement = providers.ProviderIntent
	if _, err := env.client.Hold(context.Background(), r); err != nil {
		t.Errorf("provider intent hold: %v", err)
	}
	if got := env.client.Settlements(); len(got) != 2 || got[1] != providers.ProviderIntent {
		t.Errorf("settlements %v", got)
	}
}
