package gr4vy_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/gr4vy"
	"github.com/faregraph/faregraph/payments/gr4vy/gr4vysim"
)

func setup(t *testing.T) (*gr4vy.Gateway, *gr4vysim.Sim) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sim := gr4vysim.New(&key.PublicKey, nil)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	g, err := gr4vy.New(gr4vy.Config{URL: srv.URL, PrivateKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return g, sim
}

func order() *payments.Order {
	return &payments.Order{
		CartItems: []payments.CartItem{
			{Name: "Flight CDG-PMI", Quantity: 1, UnitAmount: 10000, TaxAmount: 2000, ProductType: "digital", Categories: []string{"flight"}},
			{Name: "Checked bag", Quantity: 2, UnitAmount: 3000, DiscountAmount: 1000, ProductType: "digital"},
		},
		Airline: &payments.Airline{Passengers: []payments.AirlinePassenger{{FirstName: "ANA", LastName: "MARTIN", AgeGroup: "adult"}},
			Legs: []payments.AirlineLeg{{CarrierCode: "V7", FlightNumber: "V71234", DepartureAirport: "CDG", ArrivalAirport: "PMI", RouteType: "one_way", FareAmount: 10000, TaxAmount: 2000}}},
		Buyer: &payments.Buyer{ExternalIdentifier: "cs_1", BillingDetails: &payments.BillingDetails{FirstName: "ANA", LastName: "MARTIN",
			EmailAddress: "ana@example.com", TaxID: &payments.TaxID{Value: "12345678931", Kind: "gb.vat"}}},
	}
}

func TestAuthorizePartialCaptureRefund(t *testing.T) {
	ctx := context.Background()
	g, sim := setup(t)
	req := payments.CreateRequest{Key: "cs_1", Amount: 17000, Currency: "eur", Order: order()}
	in, err := g.CreateIntent(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != payments.RequiresPaymentMethod || in.ClientSecret == "" || in.Currency != "EUR" {
		t.Fatalf("created: %+v", in)
	}
	again, err := g.CreateIntent(ctx, req)
	if err != nil || again.ID != in.ID {
		t.Fatalf("replay: %v %v", again, err)
	}
	req.Amount = 18000
	if _, err := g.CreateIntent(ctx, req); err == nil {
		t.Fatal("same key, another amount: created")
	}
	body, _ := sim.SessionRequest(in.ID)
	if len(body.CartItems) != 2 || body.Airline == nil || body.Buyer.BillingDetails.TaxID.Kind != "gb.vat" {
		t.Fatalf("session body: %+v", body)
	}
	if _, err := g.Confirm(ctx, in.ID, "4000000000000002"); !errors.Is(err, payments.ErrDeclined) {
		t.Fatalf("declined card: %v", err)
	}
	in, err = g.Confirm(ctx, in.ID, "4242424242424242")
	if err != nil || in.Status != payments.Authorized || in.AmountCapturable != 17000 || in.Card.Last4 != "4242" {
		t.Fatalf("authorized: %+v %v", in, err)
	}
	if _, err := g.Capture(ctx, in.ID, 17001); !errors.Is(err, payments.ErrInvalidState) {
		t.Fatalf("over-capture: %v", err)
	}
	in, err = g.Capture(ctx, in.ID, 12000)
	if err != nil || in.Status != payments.Captured || in.AmountCaptured != 12000 {
		t.Fatalf("partial capture: %+v %v", in, err)
	}
	if in, err = g.Capture(ctx, in.ID, 12000); err != nil || in.AmountCaptured != 12000 {
		t.Fatalf("capture again: %+v %v", in, err)
	}
	if _, err := g.Cancel(ctx, in.ID); !errors.Is(err, payments.ErrInvalidState) {
		t.Fatalf("cancel captured: %v", err)
	}
	rf, err := g.Refund(ctx, in.ID, 5000, "cancel-1")
	if err != nil || rf.Amount != 5000 {
		t.Fatalf("refund: %+v %v", rf, err)
	}
	if rf2, err := g.Refund(ctx, in.ID, 5000, "cancel-1"); err != nil || rf2.ID != rf.ID {
		t.Fatalf("refund replay: %+v %v", rf2, err)
	}
	tx, _ := sim.TransactionOf(in.ID)
	if tx.CapturedAmount != 12000 || tx.RefundedAmount != 5000 {
		t.Fatalf("at the simulator: %+v", tx)
	}
}

func TestVoid(t *testing.T) {
	ctx := context.Background()
	g, sim := setup(t)
	in, err := g.CreateIntent(ctx, payments.CreateRequest{Key: "cs_2", Amount: 17000, Currency: "EUR", Order: order()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Confirm(ctx, in.ID, ""); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if in, err = g.Cancel(ctx, in.ID); err != nil || in.Status != payments.Canceled {
			t.Fatalf("void: %+v %v", in, err)
		}
	}
	if tx, _ := sim.TransactionOf(in.ID); tx.Status != gr4vy.TxVoided || tx.CapturedAmount != 0 {
		t.Fatalf("at the simulator: %+v", tx)
	}
	if _, err := g.Capture(ctx, in.ID, 1); !errors.Is(err, payments.ErrInvalidState) {
		t.Fatalf("capture voided: %v", err)
	}
}

// Every limit of seed 003 is checked before any call.
func TestOverLimitRefusedBeforeAnyCall(t *testing.T) {
	g, sim := setup(t)
	for name, mod := range map[string]func(o *payments.Order){
		"name 256":      func(o *payments.Order) { o.CartItems[0].Name = strings.Repeat("x", 256) },
		"quantity 0":    func(o *payments.Order) { o.CartItems[0].Quantity = 0 },
		"unit amount":   func(o *payments.Order) { o.CartItems[0].UnitAmount = 100000000 },
		"category 51":   func(o *payments.Order) { o.CartItems[0].Categories = []string{strings.Repeat("c", 51)} },
		"product type":  func(o *payments.Order) { o.CartItems[0].ProductType = "flight" },
		"flight number": func(o *payments.Order) { o.Airline.Legs[0].FlightNumber = "12" },
		"airport":       func(o *payments.Order) { o.Airline.Legs[0].DepartureAirport = "LFPG" },
		"age group":     func(o *payments.Order) { o.Airline.Passengers[0].AgeGroup = "child" },
		"tax id kind":   func(o *payments.Order) { o.Buyer.BillingDetails.TaxID.Kind = "fr.vat" },
	} {
		o := order()
		mod(o)
		var sum int64
		for _, it := range o.CartItems {
			sum += it.Total()
		}
		_, err := g.CreateIntent(context.Background(), payments.CreateRequest{Key: "cs_x", Amount: max(sum, 1), Currency: "EUR", Order: o})
		if !errors.Is(err, payments.ErrInvalidRequest) {
			t.Errorf("%s: %v", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	_, err := g.CreateIntent(context.Background(), payments.CreateRequest{Key: "cs_y", Amount: 1, Currency: "EUR", Order: order()})
	if !errors.Is(err, payments.ErrInvalidRequest) || !strings.Contains(err.Error(), "the lines total 17000") {
		t.Errorf("cart not matching the amount: %v", err)
	}
	if c := sim.Calls(); len(c) != 0 {
		t.Errorf("calls made: %v", c)
	}
}

func TestSimulatorRefusesForeignTokens(t *testing.T) {
	_, sim := setup(t)
	other, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	g, _ := gr4vy.New(gr4vy.Config{URL: srv.URL, PrivateKey: other})
	if _, err := g.CreateIntent(context.Background(), payments.CreateRequest{Key: "k", Amount: 17000, Currency: "EUR", Order: order()}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("foreign key: %v", err)
	}
}
