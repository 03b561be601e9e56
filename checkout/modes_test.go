package checkout_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/gr4vy"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/sim"
	"github.com/faregraph/faregraph/search"
)

// payMode is one way a session is paid: the gateway that takes our share
// and the settlement of one provider's parts (issue 10). The race tests
// run once per mode, on SQLite and Postgres.
type payMode struct {
	name string
	// gateway is "" for the sandbox, or "gr4vy" (its simulator in process).
	gateway string
	// provider's parts settle by settle; the other parts are MERCHANT.
	provider string
	settle   providers.Settlement
}

var payModes = []payMode{
	{name: "merchant_sandbox"},
	{name: "merchant_gr4vy", gateway: "gr4vy"},
	{name: "provider_intent", provider: "liteapi", settle: providers.ProviderIntent},
	{name: "card_forward", provider: "citizenplane", settle: providers.CardForward},
}

// modeDialects runs fn for each of modes (all of payModes when nil) on
// SQLite and Postgres, the modes in parallel: each has its own server,
// simulators, clock and database.
func modeDialects(t *testing.T, modes []payMode, fn func(t *testing.T, e *env, m payMode)) {
	if modes == nil {
		modes = payModes
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			t.Run("sqlite", func(t *testing.T) { fn(t, m.env(t, ""), m) })
			t.Run("postgres", func(t *testing.T) { fn(t, m.env(t, dbtest.PostgresURL(t)), m) })
		})
	}
}

func (m payMode) env(t *testing.T, url string) *env {
	c := &clock{now: apptest.Now}
	a := apptest.New(t, func(cfg *app.Config) {
		cfg.DatabaseURL, cfg.Now, cfg.Sim.Now, cfg.Development = url, c.Now, c.Now, true
		if m.gateway != "" {
			cfg.Gateway = m.gateway
		}
	})
	return &env{a: a, clock: c, ctx: context.Background()}
}

// input is the session input of o in mode m.
func (m payMode) input(o *search.Offer) checkout.CreateInput {
	in := input(o)
	if m.provider != "" {
		in.Settlements = []checkout.ProviderSettlement{{Provider: m.provider, Mode: m.settle}}
	}
	return in
}

// oneWay is a one-way offer the mode applies to: of its provider, or of
// LiteAPI for a MERCHANT mode.
func (m payMode) oneWay(t *testing.T, e *env, day int) *search.Offer {
	p := m.provider
	if p == "" {
		p = "liteapi"
	}
	req := oneWay(p)
	req.DepartureDate = providers.Date(fmt.Sprintf("2026-07-%02d", day))
	return e.offer(t, req, from(p))
}

// crossTrip is a round trip of two one-ways from different providers
// (LiteAPI and CitizenPlane): every mode applies to one of its parts.
func crossTrip(t *testing.T, e *env) *search.Offer {
	return e.offer(t, search.Request{Origin: "CDG", Destination: "PMI", DepartureDate: "2026-07-01", ReturnDate: "2026-07-08"},
		func(o *search.Offer) bool {
			return o.FareType == providers.CombinedOneWays && o.Parts[0].Provider != o.Parts[1].Provider
		})
}

// authorized creates, holds, pays by card and confirms (the gateway's
// card form, the provider's intent, the card forwarded: the sandbox plays
// them all) a session of o in mode m.
func (e *env) authorized(t *testing.T, m payMode, o *search.Offer, in checkout.CreateInput) *checkout.Session {
	t.Helper()
	c := e.a.Checkout
	s := ok(t)(c.Create(e.ctx, tenant, in))
	s = ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
	s = ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
	if g := s.PaymentGateway(); merchantShare(s) > 0 && g != gatewayName(m) {
		t.Fatalf("paid through %q, want %q", g, gatewayName(m))
	}
	s = ok(t)(c.ConfirmSandboxPayment(e.ctx, tenant, s.ID, "4242424242424242"))
	want(t, s, checkout.Authorized)
	return s
}

func gatewayName(m payMode) string {
	if m.gateway == "" {
		return "sandbox"
	}
	return m.gateway
}

// merchantShare is what our gateway (or credit line) takes for s: the
// MERCHANT parts' amounts.
func merchantShare(s *checkout.Session) int64 {
	var n int64
	for _, p := range s.Parts {
		if p.Settlement == "" || p.Settlement == providers.Merchant {
			n += p.Amount
		}
	}
	return n
}

// providerBookings counts the bookings the provider simulators made.
func (e *env) providerBookings() int {
	n := 0
	for _, p := range []string{"liteapi", "citizenplane"} {
		n += e.a.Simulators[p].(interface{ BookingCount() int }).BookingCount()
	}
	return n
}

// checkMoney checks a settled card session: at most one booking per part,
// one for each part booked and none for another; our gateway captured,
// once, exactly the booked MERCHANT parts' amounts (nothing for the parts
// the providers are paid for), and released the authorization when it
// captured nothing.
func (e *env) checkMoney(t *testing.T, s *checkout.Session) {
	t.Helper()
	var wantCaptured int64
	perPart := map[int]int{}
	for _, b := range s.Bookings {
		perPart[b.PartIndex]++
	}
	for i, p := range s.Parts {
		if perPart[i] > 1 || (p.Status == checkout.PartBooked) != (perPart[i] == 1) {
			t.Errorf("part %d is %s with %d bookings", i, p.Status, perPart[i])
		}
		if p.Status == checkout.PartBooked && (p.Settlement == "" || p.Settlement == providers.Merchant) {
			wantCaptured += p.Amount
		}
	}
	if s.Payment == nil || s.Payment.Method != checkout.Card || s.Payment.Amount == 0 {
		if wantCaptured != 0 {
			t.Errorf("%d to capture, but no card payment: %+v", wantCaptured, s.Payment)
		}
		return
	}
	in, err := e.a.Checkout.Gateway().GetIntent(e.ctx, s.Payment.IntentID)
	if err != nil {
		t.Fatal(err)
	}
	if in.AmountCaptured != wantCaptured {
		t.Errorf("%s: captured %d, the booked MERCHANT parts are %d (of %d)", s.Status, in.AmountCaptured, wantCaptured, s.Total.Amount)
	}
	if wantCaptured == 0 && in.Status != payments.Canceled {
		t.Errorf("%s with nothing captured: the authorization is %s, want CANCELED", s.Status, in.Status)
	}
	var captures int
	if err := e.a.DB.NewSelect().Table("saga_steps").ColumnExpr("COUNT(*)").Where("session_id = ? AND step = 'capture'", s.ID).Scan(e.ctx, &captures); err != nil {
		t.Fatal(err)
	}
	if wantCaptured > 0 && captures != 1 || wantCaptured == 0 && captures != 0 {
		t.Errorf("%d capture steps for %d to capture", captures, wantCaptured)
	}
	if e.a.Gr4vySim == nil {
		return
	}
	tx, _ := e.a.Gr4vySim.TransactionOf(s.Payment.IntentID)
	caps := e.a.Gr4vySim.CapturesOf(s.Payment.IntentID)
	switch {
	case wantCaptured > 0 && (len(caps) != 1 || tx.Status != gr4vy.TxCaptured || tx.CapturedAmount != wantCaptured):
		t.Errorf("Gr4vy: %d captures, transaction %s captured %d, want one capture of %d", len(caps), tx.Status, tx.CapturedAmount, wantCaptured)
	case wantCaptured == 0 && (len(caps) != 0 || tx.ID != "" && tx.Status != gr4vy.TxVoided):
		t.Errorf("Gr4vy: %d captures, transaction %s, want it voided", len(caps), tx.Status)
	}
}

// TestConcurrentBookingsInEveryMode: concurrent books of one authorized
// cross-provider round trip, in each mode, book each part once and
// capture our share once; half the calls share an idempotency key, and a
// replay of it afterwards changes nothing.
func TestConcurrentBookingsInEveryMode(t *testing.T) {
	modeDialects(t, nil, func(t *testing.T, e *env, m payMode) {
		o := crossTrip(t, e)
		s := e.authorized(t, m, o, m.input(o))
		before := e.providerBookings()
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				key := ""
				if i%2 == 0 {
					key = "book-" + s.ID
				}
				res, err := e.a.Checkout.Book(e.ctx, tenant, s.ID, key)
				switch {
				case err != nil:
					t.Error(err)
					return
				case key != "" && len(res.UserErrors) == 0 && res.Session.Status != checkout.Booked:
					t.Errorf("book with the key answered %s", res.Session.Status)
				}
				for _, ue := range res.UserErrors {
					if ue.Code != fault.InProgress && ue.Code != fault.InvalidState {
						t.Errorf("book answered %s: %s", ue.Code, ue.Message)
					}
				}
			})
		}
		wg.Wait()
		got, err := e.a.Checkout.Get(e.ctx, tenant, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want(t, got, checkout.Booked)
		if len(got.Bookings) != 2 || e.providerBookings()-before != 2 {
			t.Fatalf("%d bookings, %d at the providers, for 2 parts", len(got.Bookings), e.providerBookings()-before)
		}
		e.checkMoney(t, got)
		// The key's answer replayed, or, when every call with it answered
		// IN_PROGRESS (so none was kept), the booked session is final.
		res, err := e.a.Checkout.Book(e.ctx, tenant, s.ID, "book-"+s.ID)
		replayed := len(res.Warnings) == 1 && res.Warnings[0].Code == fault.IdempotentReplay
		final := len(res.UserErrors) == 1 && res.UserErrors[0].Code == fault.InvalidState
		if err != nil || res.Session.Status != checkout.Booked || !replayed && !final || len(res.UserErrors) > 0 && !final {
			t.Errorf("replay: %+v %v", res, err)
		}
		if e.providerBookings()-before != 2 {
			t.Errorf("the replay booked again")
		}
		again, _ := e.a.Checkout.Get(e.ctx, tenant, s.ID)
		e.checkMoney(t, again)
	})
}

// TestCancelRacesBookInEveryMode is TestCancelRacesBook in each mode, on
// a one-way offer of the mode's provider: whichever wins, a booked session
// has one provider booking and our share captured, and a canceled one no
// booking and its authorization released.
func TestCancelRacesBookInEveryMode(t *testing.T) {
	modeDialects(t, nil, func(t *testing.T, e *env, m payMode) {
		c := e.a.Checkout
		e.a.Simulators["liteapi"].SetLatency(20 * time.Millisecond)
		e.a.Simulators["citizenplane"].SetLatency(20 * time.Millisecond)
		outcomes := map[checkout.Status]int{}
		defer func() { t.Logf("outcomes of 4 races: %v", outcomes) }()
		for run := range 4 {
			o := m.oneWay(t, e, run+1)
			s := e.authorized(t, m, o, m.input(o))
			before := e.providerBookings()
			var wg sync.WaitGroup
			var booked, canceled *checkout.Result
			var bookErr, cancelErr error
			wg.Go(func() { booked, bookErr = c.Book(e.ctx, tenant, s.ID, "") })
			wg.Go(func() { canceled, cancelErr = c.Cancel(e.ctx, tenant, s.ID, "") })
			wg.Wait()
			if bookErr != nil || cancelErr != nil {
				t.Fatalf("run %d: book: %v; cancel: %v", run, bookErr, cancelErr)
			}
			for op, res := range map[string]*checkout.Result{"book": booked, "cancel": canceled} {
				for _, ue := range res.UserErrors {
					if ue.Code != fault.InvalidState && ue.Code != fault.InProgress {
						t.Fatalf("run %d: %s answered %s: %s", run, op, ue.Code, ue.Message)
					}
				}
			}
			got, err := c.Get(e.ctx, tenant, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			outcomes[got.Status]++
			n := e.providerBookings() - before
			switch got.Status {
			case checkout.Booked:
				if len(got.Bookings) != 1 || n != 1 {
					t.Fatalf("run %d: booked with %d bookings, %d at the provider", run, len(got.Bookings), n)
				}
			case checkout.Canceled:
				if len(got.Bookings) != 0 || n != 0 {
					t.Fatalf("run %d: canceled with %d bookings, %d at the provider", run, len(got.Bookings), n)
				}
			default:
				t.Fatalf("run %d: %s after a book and a cancel", run, got.Status)
			}
			e.checkMoney(t, got)
		}
	})
}

// TestLateAuthorizationInEveryMode is TestLateAuthorizationIsReleased
// where our gateway takes a share: through Gr4vy (the card typed into
// Embed after the session expired), and for the MERCHANT part of a cross
// trip whose other part the provider is paid for. The late authorization
// is voided, nothing books, nothing is captured.
func TestLateAuthorizationInEveryMode(t *testing.T) {
	modeDialects(t, payModes[1:], func(t *testing.T, e *env, m payMode) {
		c := e.a.Checkout
		o := m.oneWay(t, e, 1)
		if m.provider != "" {
			o = crossTrip(t, e)
		}
		s := ok(t)(c.Create(e.ctx, tenant, m.input(o)))
		ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		s = ok(t)(c.Pay(e.ctx, tenant, s.ID, checkout.Card, ""))
		if merchantShare(s) == 0 || s.Payment.IntentID == "" {
			t.Fatalf("no share of ours to authorize: %+v", s.Payment)
		}
		e.clock.Add(time.Hour) // the unpaid session expires
		if n, _, err := c.Sweep(e.ctx); err != nil || n != 1 {
			t.Fatalf("Sweep = %d, %v", n, err)
		}
		// The card is authorized at the gateway all the same; its notice
		// arrives now.
		if e.a.Gr4vySim != nil {
			if tx, err := e.a.Gr4vySim.EmbedPay(s.Payment.IntentID, "4242424242424242"); err != nil || tx.Status != gr4vy.TxAuthorized {
				t.Fatalf("Embed's authorization: %+v %v", tx, err)
			}
		} else if _, err := e.a.DB.NewUpdate().Table("sandbox_payment_intents").Set("status = 'AUTHORIZED'").Set("amount_capturable = amount").
			Where("id = ?", s.Payment.IntentID).Exec(e.ctx); err != nil {
			t.Fatal(err)
		}
		for range 2 { // delivered twice
			if err := c.PaymentEvent(e.ctx, &payments.Intent{ID: s.Payment.IntentID, Status: payments.Authorized, Amount: s.Payment.Amount, Currency: s.Total.Currency}); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := c.Get(e.ctx, tenant, s.ID)
		want(t, got, checkout.Expired)
		in, err := c.Gateway().GetIntent(e.ctx, s.Payment.IntentID)
		if err != nil || in.Status != payments.Canceled || in.AmountCaptured != 0 {
			t.Errorf("the late authorization is %+v (%v), want CANCELED", in, err)
		}
		if e.a.Gr4vySim != nil {
			if tx, _ := e.a.Gr4vySim.TransactionOf(s.Payment.IntentID); tx.Status != gr4vy.TxVoided {
				t.Errorf("Gr4vy transaction %s, want voided", tx.Status)
			}
		}
		before := e.providerBookings()
		res, _ := c.Book(e.ctx, tenant, s.ID, "")
		if len(res.UserErrors) != 1 || res.Session.Status != checkout.Expired || len(res.Session.Bookings) != 0 || e.providerBookings() != before {
			t.Errorf("booking an expired session: %+v", res)
		}
	})
}

// TestPartialBookingInEveryMode is TestPartialBookingCapturesWhatWasBooked
// in each mode: CitizenPlane's part fails before booking (outcome
// unknown), LiteAPI's books; once the reconciler learns CitizenPlane never
// booked, our gateway captures LiteAPI's share if it is ours (MERCHANT,
// CARD_FORWARD for CitizenPlane) and releases the authorization if
// nothing of ours was booked (LiteAPI paid by its own intent).
func TestPartialBookingInEveryMode(t *testing.T) {
	modeDialects(t, nil, func(t *testing.T, e *env, m payMode) {
		o := crossTrip(t, e)
		in := m.input(o)
		in.PartialBooking = checkout.AllowPartial
		s := e.authorized(t, m, o, in)
		before := e.providerBookings()
		e.a.Simulators["citizenplane"].SetFailure("book", sim.FailBefore)
		s = ok(t)(e.a.Checkout.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.NeedsAttention)
		e.a.Simulators["citizenplane"].SetFailure("book", sim.FailNone)
		e.clock.Add(4 * time.Minute) // the CitizenPlane hold lapses unbooked
		for range 2 {                // the second pass finds nothing to do
			if _, err := e.a.Checkout.Reconcile(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := e.a.Checkout.Get(e.ctx, tenant, s.ID)
		want(t, got, checkout.PartiallyBooked)
		if len(got.Bookings) != 1 || got.Bookings[0].Provider != "liteapi" || e.providerBookings()-before != 1 {
			t.Fatalf("bookings = %+v, %d at the providers", got.Bookings, e.providerBookings()-before)
		}
		e.checkMoney(t, got)
		if got.Failure == nil || got.Failure.Code != "NOT_BOOKED" {
			t.Errorf("failure = %+v", got.Failure)
		}
	})
}

// TestConcurrentCancelBookingInEveryMode is TestConcurrentCancelBooking
// for a LiteAPI booking paid by card (the sandbox, Gr4vy) or by LiteAPI's
// own intent (CitizenPlane's fares cannot be canceled, so CARD_FORWARD
// does not apply): two concurrent confirmations with one key cancel once
// and refund once, through the gateway that took the money, or leave
// the refund to the provider that did.
func TestConcurrentCancelBookingInEveryMode(t *testing.T) {
	modeDialects(t, payModes[:3], func(t *testing.T, e *env, m payMode) {
		c := e.a.Checkout
		o := m.oneWay(t, e, 1)
		s := e.authorized(t, m, o, m.input(o))
		s = ok(t)(c.Book(e.ctx, tenant, s.ID, ""))
		want(t, s, checkout.Booked)
		e.checkMoney(t, s)
		b := s.Bookings[0]
		q := quoted(t)(c.QuoteCancellation(e.ctx, tenant, b.ID))
		var wg sync.WaitGroup
		answers := make([]*checkout.Cancellation, 3)
		for i := range answers {
			wg.Go(func() {
				res, err := c.CancelBooking(e.ctx, tenant, q.ID, "same-key")
				if err != nil || len(res.UserErrors) > 0 {
					t.Errorf("concurrent cancel: %+v %v", res, err)
					return
				}
				answers[i] = res.Cancellation
			})
		}
		wg.Wait()
		channel := checkout.RefundByGateway
		if m.provider != "" {
			channel = checkout.RefundByProvider
		}
		for _, a := range answers {
			if a == nil || a.ID != q.ID || a.Status != checkout.CancelCompleted || a.RefundedBy != channel {
				t.Fatalf("answer %+v, want COMPLETED refunded by %s", a, channel)
			}
		}
		var refunds int
		switch {
		case m.provider != "":
			// Nothing of ours to refund: no refund at our gateway.
			if err := e.a.DB.NewSelect().Table("sandbox_refunds").ColumnExpr("COUNT(*)").Scan(e.ctx, &refunds); err != nil || refunds != 0 {
				t.Errorf("%d sandbox refunds (%v) of a booking LiteAPI was paid for", refunds, err)
			}
		case e.a.Gr4vySim != nil:
			tx, _ := e.a.Gr4vySim.TransactionOf(s.Payment.IntentID)
			if r := e.a.Gr4vySim.RefundsOf(tx.ID); len(r) != 1 {
				t.Errorf("%d Gr4vy refunds, want 1", len(r))
			}
		default:
			if err := e.a.DB.NewSelect().Table("sandbox_refunds").ColumnExpr("COUNT(*)").Where("intent_id = ?", s.Payment.IntentID).Scan(e.ctx, &refunds); err != nil || refunds != 1 {
				t.Errorf("%d sandbox refunds (%v), want 1", refunds, err)
			}
		}
		if m.provider == "" {
			for _, a := range answers {
				if a.Refunded == nil || *a.Refunded != b.Amount {
					t.Errorf("refunded %v, booked %v", a.Refunded, b.Amount)
				}
			}
		}
	})
}

// TestCreditNeverOverdrawnInEveryMode is TestCreditLine's race where the
// provider is paid for one part of a cross trip (PROVIDER_INTENT,
// CARD_FORWARD): the credit line reserves only our share, concurrent
// payments never overdraw it, and booking one and canceling another
// leaves exactly one share used.
func TestCreditNeverOverdrawnInEveryMode(t *testing.T) {
	modeDialects(t, payModes[2:], func(t *testing.T, e *env, m payMode) {
		c := e.a.Checkout
		o := crossTrip(t, e)
		held := func() *checkout.Session {
			s := ok(t)(c.Create(e.ctx, tenant, m.input(o)))
			return ok(t)(c.Hold(e.ctx, tenant, s.ID, ""))
		}
		sessions := []*checkout.Session{held(), held(), held(), held()}
		share := merchantShare(sessions[0])
		if share == 0 || share == sessions[0].Total.Amount {
			t.Fatalf("our share %d of %d", share, sessions[0].Total.Amount)
		}
		// Room for exactly two shares.
		if err := (db.Tenants{}).SetCreditLine(e.ctx, e.a.DB, tenant, true, 2*share, o.Total.Currency); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var paid []*checkout.Session
		refused := 0
		for _, s := range sessions {
			wg.Go(func() {
				res, err := c.Pay(e.ctx, tenant, s.ID, checkout.CreditLine, "")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Error(err)
				case len(res.UserErrors) == 0:
					paid = append(paid, res.Session)
				case res.UserErrors[0].Code == fault.InsufficientCredit:
					refused++
				default:
					t.Errorf("pay: %+v", res.UserErrors)
				}
			})
		}
		wg.Wait()
		if len(paid) != 2 || refused != 2 {
			t.Fatalf("%d paid, %d refused; want 2 and 2", len(paid), refused)
		}
		if got := e.available(t); got != 0 {
			t.Errorf("available %d, want 0", got)
		}
		// The provider's part still needs the traveller's card.
		want(t, paid[0], checkout.PaymentPending)
		want(t, ok(t)(c.ConfirmSandboxPayment(e.ctx, tenant, paid[0].ID, "4242424242424242")), checkout.Authorized)
		s := ok(t)(c.Book(e.ctx, tenant, paid[0].ID, ""))
		want(t, s, checkout.Booked)
		if s.Payment.Captured != share {
			t.Errorf("settled %d on credit, our share is %d", s.Payment.Captured, share)
		}
		want(t, ok(t)(c.Cancel(e.ctx, tenant, paid[1].ID, "")), checkout.Canceled)
		if got := e.available(t); got != share {
			t.Errorf("available %d after a booking and a cancel, want %d", got, share)
		}
	})
}
