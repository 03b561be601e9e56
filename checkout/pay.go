package checkout

import (
	"context"
	"errors"
	"fmt"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
)

// Pay sets up the payment of a held session. CARD creates one payment
// intent for the session total with manual capture and answers what the
// payment SDKs need (client secret, ephemeral key, customer id); the card
// is confirmed by the client, then a webhook (or confirmSandboxPayment in
// the sandbox) authorizes the session. CREDIT_LINE reserves the total on
// the tenant's credit line at once, if it has one enabled with room
// enough; otherwise it is a user error.
func (s *Service) Pay(ctx context.Context, tenantID, id string, method PaymentMethod, key string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "payCheckoutSession", []string{id, string(method)}, func(ctx context.Context) (*Result, error) {
		return s.pay(ctx, tenantID, id, method)
	})
}

func (s *Service) pay(ctx context.Context, tenantID, id string, method PaymentMethod) (_ *Result, err error) {
	ctx, end := s.step(ctx, "pay", id)
	defer func() { end(err) }()
	if method != Card && method != CreditLine {
		return &Result{UserErrors: userErr(fault.Invalid, "must be CARD or CREDIT_LINE", "method")}, nil
	}
	sess, ue, err := s.open(ctx, tenantID, id)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	if run, ue, w := gate(sess, "pay"); !run {
		if ue == nil && sess.Payment != nil && sess.Payment.Method != method {
			ue, w = userErr(fault.InvalidState, fmt.Sprintf("this session is already being paid by %s", sess.Payment.Method), "method"), nil
		}
		return &Result{Session: sess, UserErrors: ue, Warnings: w}, nil
	}
	amount := merchantTotal(sess)
	if _, err := s.gateway(sess); err != nil && sess.Payment == nil {
		// A pay step of another gateway's replica stopped mid-call: a
		// replica with that gateway resumes it (by its idempotency key).
		return otherGateway(sess, err)
	}
	if lim, ok := s.cfg.Gateway.(payments.AmountLimiter); ok && method == Card && amount > lim.MaxAmount(sess.Total.Currency) {
		// The gateway's own limit, on what it takes: the MERCHANT parts.
		return &Result{Session: sess, UserErrors: userErr(fault.OutOfRange, fmt.Sprintf("the card payment would be %d minor units of %s, above %d, the largest amount the %s gateway takes (Gr4vy's limit on cart_items[].unit_amount); pay by CREDIT_LINE, or settle the parts with their providers (settlements: PROVIDER_INTENT, CARD_FORWARD)",
			amount, sess.Total.Currency, lim.MaxAmount(sess.Total.Currency), s.cfg.Gateway.Name()), "method")}, nil
	}
	if amount > 0 && method == Card {
		// The intent is bound to this service's gateway from now on: if
		// this process stops, a replica with the same gateway resumes it.
		sess.payGateway = s.cfg.Gateway.Name()
		s.intend(sess, stepPay, paymentPart, payments.IntentKey(paymentKey(sess)))
	}
	if ok, err := s.claim(ctx, sess, "pay"); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	if amount == 0 {
		return s.payByProviders(ctx, sess, method)
	}
	if method == CreditLine {
		return s.payByCredit(ctx, sess, amount)
	}
	// The gateway gets the names as ticketed, never the raw input.
	buyer := sess.Contact.Ticketed()
	s.crash("pay:before_gateway")
	in, err := s.cfg.Gateway.CreateIntent(ctx, payments.CreateRequest{
		Key: paymentKey(sess), Amount: amount, Currency: sess.Total.Currency,
		Email: sess.Contact.Email, Name: buyer.GivenName + " " + buyer.FamilyName,
		Description: "faregraph checkout " + sess.ID,
		Metadata:    map[string]string{"checkout_session_id": sess.ID, "group_identifier": sess.GroupIdentifier},
		Order:       gatewayOrder(sess),
	})
	s.crash("pay:after_gateway")
	if err != nil {
		release(sess)
		sess.payGateway = ""
		s.outcome(sess, stepPay, paymentPart, payments.IntentKey(paymentKey(sess)), false, map[string]any{"error": err.Error()})
		if errors.Is(err, payments.ErrInvalidRequest) {
			// Outside the gateway's limits: retrying cannot help, say why.
			if _, merr := s.move(ctx, sess, Held, "payment_setup_refused", err.Error()); merr != nil {
				return nil, merr
			}
			return &Result{Session: sess, UserErrors: userErr(fault.Invalid, "the payment gateway refuses this session: "+err.Error(), "checkoutSessionId")}, nil
		}
		if _, merr := s.move(ctx, sess, Held, "payment_setup_failed", err.Error()); merr != nil {
			return nil, merr
		}
		s.cfg.Logger.ErrorContext(ctx, "create payment intent", "session", sess.ID, "err", err)
		return &Result{Session: sess, UserErrors: userErr(fault.PaymentUnavailable, "the payment could not be set up; retry", "checkoutSessionId")}, nil
	}
	sess.Payment = &Payment{Method: Card, Gateway: s.cfg.Gateway.Name(), Amount: amount, Currency: sess.Total.Currency}
	applyIntent(sess.Payment, in)
	s.outcome(sess, stepPay, paymentPart, payments.IntentKey(paymentKey(sess)), true, map[string]any{"intent": in.ID, "status": in.Status})
	sess.Status = PaymentPending
	if paymentReady(sess) {
		sess.Status = Authorized
	}
	release(sess)
	if ok, err := s.move(answering(ctx, "pay"), sess, Held, "payment_started", in.ID); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess}, nil
}

// payByProviders sets up the payment of a session none of whose parts we
// charge (every part PROVIDER_INTENT or CARD_FORWARD): nothing to take,
// so the payment is authorized at zero; the session is AUTHORIZED once
// every card is forwarded.
func (s *Service) payByProviders(ctx context.Context, sess *Session, method PaymentMethod) (*Result, error) {
	release(sess)
	sess.Payment = &Payment{Method: method, Status: payments.Authorized, Currency: sess.Total.Currency}
	sess.Status = PaymentPending
	if paymentReady(sess) {
		sess.Status = Authorized
	}
	if ok, err := s.move(answering(ctx, "pay"), sess, Held, "payment_started", "paid to the providers"); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess}, nil
}

func (s *Service) payByCredit(ctx context.Context, sess *Session, amount int64) (*Result, error) {
	err := s.tenants.ReserveCredit(ctx, s.cfg.DB, sess.TenantID, paymentKey(sess), amount, sess.Total.Currency, s.now())
	var ue []fault.Violation
	switch {
	case errors.Is(err, db.ErrNoCreditLine):
		ue = userErr(fault.CreditLineUnavailable, "this API client has no enabled credit line in "+sess.Total.Currency+"; pay by CARD", "method")
	case errors.Is(err, db.ErrInsufficientCredit):
		ue = userErr(fault.InsufficientCredit, "the credit line's available balance is below the session total", "method")
	case err != nil:
		return nil, err
	}
	release(sess)
	if ue != nil {
		if _, err := s.move(ctx, sess, Held, "", ""); err != nil {
			return nil, err
		}
		return &Result{Session: sess, UserErrors: ue}, nil
	}
	sess.Payment = &Payment{Method: CreditLine, Status: payments.Authorized, Amount: amount, Currency: sess.Total.Currency}
	sess.Status = PaymentPending
	if paymentReady(sess) {
		sess.Status = Authorized
	}
	ok, err := s.move(answering(ctx, "pay"), sess, Held, "credit_reserved", "")
	if err != nil || !ok {
		// The session moved under us (expired, canceled): give the credit back.
		_ = s.tenants.SettleCredit(ctx, s.cfg.DB, paymentKey(sess), 0, s.now())
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess}, nil
}

// paymentKey is our id of the session's current payment, from which the
// gateway derives its idempotency keys and under which credit is reserved:
// the session id, and after an accepted price change the session id with
// the revision ("cs_….r1"), so that the new total is a new payment.
func paymentKey(sess *Session) string {
	if sess.PriceRevision == 0 {
		return sess.ID
	}
	return fmt.Sprintf("%s.r%d", sess.ID, sess.PriceRevision)
}

func applyIntent(p *Payment, in *payments.Intent) {
	p.IntentID, p.Status = in.ID, in.Status
	p.Captured = in.AmountCaptured
	if in.ClientSecret != "" {
		p.ClientSecret = in.ClientSecret
	}
	if in.EphemeralKey != "" {
		p.EphemeralKey = in.EphemeralKey
	}
	if in.CustomerID != "" {
		p.CustomerID = in.CustomerID
	}
	if in.Card != nil {
		p.Card = in.Card
	}
	p.ActionURL = ""
	if in.Status == payments.RequiresAction {
		p.ActionURL = in.ActionURL
	}
	p.FailureCode, p.FailureMsg = in.FailureCode, in.FailureMessage
}

// ConfirmSandboxPayment plays the card form of the sandbox gateway:
// 4242424242424242 authorizes, 4000000000000002 is declined,
// 4000000000009995 has insufficient funds. A declined card leaves the
// session waiting for another card.
func (s *Service) ConfirmSandboxPayment(ctx context.Context, tenantID, id, cardNumber string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	sess, ue, err := s.open(ctx, tenantID, id)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	if run, ue, w := gate(sess, "confirm"); !run {
		return &Result{Session: sess, UserErrors: ue, Warnings: w}, nil
	}
	merchant := sess.Payment != nil && sess.Payment.Amount > 0 && sess.Payment.Status != payments.Authorized
	if sess.Payment == nil || merchant && sess.Payment.Method != Card {
		return &Result{Session: sess, UserErrors: userErr(fault.InvalidState, "pay by CARD before confirming a card", "checkoutSessionId")}, nil
	}
	if merchant && s.cfg.Sandbox == nil {
		return &Result{Session: sess, UserErrors: userErr(fault.InvalidState, "sandbox payments are not enabled on this server", "checkoutSessionId")}, nil
	}
	if res, err := s.sandboxProviders(ctx, sess, cardNumber); res != nil || err != nil {
		return res, err
	}
	if !merchant {
		from := sess.Status
		if paymentReady(sess) {
			sess.Status = Authorized
		}
		if ok, err := s.move(ctx, sess, from, "sandbox_confirmed", ""); err != nil || !ok {
			return s.busy(ctx, sess, err)
		}
		return &Result{Session: sess}, nil
	}
	gw, err := s.gateway(sess)
	if err != nil {
		// The card form of another gateway: not ours to play.
		return otherGateway(sess, err)
	}
	// The confirmation is recorded before the card form is played, so
	// that a process stopped after the gateway authorized the card leaves
	// an intent for ResumeSteps to read back from the gateway.
	s.intend(sess, stepConfirm, paymentPart, sess.Payment.IntentID)
	if ok, err := s.move(ctx, sess, PaymentPending, "", ""); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	s.crash("confirm:before_gateway")
	in, err := s.cfg.Sandbox.Confirm(ctx, sess.Payment.IntentID, cardNumber)
	s.crash("confirm:after_gateway")
	if errors.Is(err, payments.ErrInvalidState) {
		// Confirmed already, by a concurrent call: record what it is.
		in, err = gw.GetIntent(ctx, sess.Payment.IntentID)
	}
	var de *payments.DeclineError
	if errors.As(err, &de) {
		sess.Payment.Status, sess.Payment.FailureCode, sess.Payment.FailureMsg = payments.Failed, de.Code, de.Message
		s.outcome(sess, stepConfirm, paymentPart, sess.Payment.IntentID, false, map[string]any{"declined": de.Code})
		if _, err := s.move(ctx, sess, PaymentPending, "payment_declined", de.Code); err != nil {
			return nil, err
		}
		return &Result{Session: sess, UserErrors: userErr(fault.CardDeclined, "the card was declined: "+de.Message, "cardNumber")}, nil
	}
	if err != nil {
		return nil, err
	}
	s.outcome(sess, stepConfirm, paymentPart, sess.Payment.IntentID, true, map[string]any{"status": in.Status})
	res, err := s.intentChanged(ctx, sess, in)
	if err == nil && len(sess.steps) > 0 {
		// The intent changed nothing the session shows: record the step.
		_, err = s.move(ctx, sess, sess.Status, "", "")
	}
	return res, err
}

// sandboxProviders plays the app's part for the session's providers with a
// test card: it confirms every PROVIDER_INTENT part's intent not yet
// confirmed (through the provider's simulator), marking its action done,
// and forwards the card's Stripe test PaymentMethod
// (pm_card_visa, or pm_card_chargeDeclined for a declining card) to every
// CARD_FORWARD part that has none. It answers a result only to stop: a
// declined card, or a provider whose intents cannot be confirmed here.
func (s *Service) sandboxProviders(ctx context.Context, sess *Session, cardNumber string) (*Result, error) {
	for i, part := range sess.Offer.Parts {
		switch settlementOf(sess, i) {
		case providers.ProviderIntent:
			if latestIntent(sess, i) == nil || intentConfirmed(sess, i) {
				continue // nothing to confirm, or confirmed already
			}
			if s.cfg.ProviderSandbox == nil {
				return &Result{Session: sess, UserErrors: userErr(fault.InvalidState, part.Provider+"'s payment intents cannot be confirmed in the sandbox of this server", "checkoutSessionId")}, nil
			}
			err := s.cfg.ProviderSandbox.ConfirmProviderIntent(ctx, part.Provider, sess.Holds[i].Hold.Intent.ClientSecret, cardNumber)
			var de *payments.DeclineError
			if errors.As(err, &de) {
				return &Result{Session: sess, UserErrors: userErr(fault.CardDeclined, part.Provider+"'s payment intent: the card was declined: "+de.Message, "cardNumber")}, nil
			}
			if err != nil {
				return nil, fmt.Errorf("checkout: confirm %s's intent of %s: %w", part.Provider, sess.ID, err)
			}
			sess.Parts[i].IntentConfirmed = sess.Holds[i].Hold.Intent.TransactionID
		case providers.CardForward:
			if sess.Parts[i].Forward == nil {
				sess.Parts[i].Forward = &CardForward{PaymentMethod: sandboxPaymentMethod(cardNumber)}
			}
		}
	}
	return nil, nil
}

// intentChanged records what the gateway says of a session's intent, only
// forward along the state machine: a report of a status the payment has
// moved past (a late or replayed notice) changes nothing. An authorization
// moves PAYMENT_PENDING to AUTHORIZED; an authorization that arrives for a
// session already ended (canceled, expired, failed) is released at once;
// an authorization canceled at the gateway fails an AUTHORIZED session
// before it books.
func (s *Service) intentChanged(ctx context.Context, sess *Session, in *payments.Intent) (*Result, error) {
	if sess.Payment == nil || sess.Payment.IntentID != in.ID {
		return &Result{Session: sess}, nil
	}
	from := sess.Status
	if from.Final() && in.Status == payments.Authorized && sess.Payment.Captured == 0 {
		return s.releaseLate(ctx, sess, in)
	}
	if !CanMovePayment(sess.Payment.Status, in.Status) {
		return &Result{Session: sess}, nil
	}
	applyIntent(sess.Payment, in)
	event := "payment_updated"
	switch {
	case from == PaymentPending && in.Status == payments.Authorized && paymentReady(sess):
		sess.Status, event = Authorized, "payment_authorized"
	case from == PaymentPending:
	case from == Authorized && in.Status == payments.Canceled:
		sess.Status, event = Failed, "payment_lost"
		sess.Failure = &Failure{Code: fault.PaymentCanceled, Message: "the card authorization was canceled or lapsed before booking"}
	default:
		return &Result{Session: sess}, nil
	}
	if ok, err := s.move(ctx, sess, from, event, in.ID); err != nil || !ok {
		cur, lerr := s.load(ctx, sess.TenantID, sess.ID)
		if lerr != nil || err != nil {
			return nil, errors.Join(err, lerr)
		}
		return &Result{Session: cur}, nil
	}
	return &Result{Session: sess}, nil
}

// PaymentEvent handles a gateway's notice (a verified webhook) about an
// intent. The notice only says which intent to look at: Stripe delivers
// events at least once, in no guaranteed order, for days, so what it
// carries may be long out of date. The intent's current state is read from
// the gateway, and the session that owns it moves only forward along the
// state machine. Unknown intents are ignored.
func (s *Service) PaymentEvent(ctx context.Context, notice *payments.Intent) error {
	row, err := s.sessions.SessionByPaymentRef(ctx, s.cfg.DB, notice.ID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	sess, err := s.load(ctx, row.TenantID, row.ID)
	if err != nil {
		return err
	}
	gw, err := s.gateway(sess)
	if err != nil {
		// Another gateway's intent (the same id at two gateways): the
		// notice is not this gateway's to apply.
		return nil
	}
	in, err := gw.GetIntent(ctx, notice.ID)
	if errors.Is(err, payments.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkout: read intent %s of a webhook: %w", notice.ID, err)
	}
	_, err = s.intentChanged(ctx, sess, in)
	return err
}

// releaseLate releases an authorization that arrived after its session
// ended, as a durable step: the release is marked due and recorded as the
// release step's INTENT in one write before the gateway is called, and
// DONE after, so that a process stopped in between leaves it to the
// sweeper (SessionsToRelease, ResumeSteps), which cancels by the same key.
func (s *Service) releaseLate(ctx context.Context, sess *Session, in *payments.Intent) (*Result, error) {
	now := s.now()
	sess.releaseDue = &now
	key := payments.CancelKey(in.ID)
	s.intend(sess, stepRelease, paymentPart, key)
	if ok, err := s.move(ctx, sess, sess.Status, "late_authorization", in.ID); err != nil || !ok {
		cur, lerr := s.load(ctx, sess.TenantID, sess.ID)
		if lerr != nil || err != nil {
			return nil, errors.Join(err, lerr)
		}
		return &Result{Session: cur}, nil
	}
	gw, err := s.gateway(sess)
	if err != nil {
		// Left, marked, to a replica with the payment's gateway.
		return &Result{Session: sess}, nil
	}
	s.crash("late_release:before_gateway")
	out, err := gw.Cancel(ctx, in.ID)
	s.crash("late_release:after_gateway")
	if err != nil {
		s.cfg.Logger.WarnContext(ctx, "releasing a late authorization; the sweeper will retry", "session", sess.ID, "err", err)
		return &Result{Session: sess}, nil
	}
	sess.releaseDue = nil
	s.outcome(sess, stepRelease, paymentPart, key, true, map[string]any{"status": out.Status, "late": true})
	if _, err := s.move(ctx, sess, sess.Status, "payment_released", in.ID); err != nil {
		return nil, err
	}
	return &Result{Session: sess}, nil
}
