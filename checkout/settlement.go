package checkout

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
)

// Settlement: who takes each part's money. A session chooses it per
// provider at creation (CreateInput.Settlements; a provider not listed
// settles as MERCHANT, as every session did before):
//
//   - MERCHANT parts are charged through our gateway (or the tenant's
//     credit line): one intent for their sum, captured for what of them was
//     booked. The provider is paid on account.
//   - PROVIDER_INTENT parts are paid through the provider's own payment
//     intent, made with the hold (LiteAPI usePaymentSdk): the app confirms
//     it with Stripe's SDK and the booking names its latest id. We never
//     capture or release it: the provider charges on booking and never
//     charges an intent whose booking it refused.
//   - CARD_FORWARD parts are charged by the provider from a Stripe
//     PaymentMethod the app made with the provider's key, with any 3-D
//     Secure results (forwardCard); the booking carries it.
//
// A session is AUTHORIZED once its MERCHANT payment is authorized (or it
// has none), every CARD_FORWARD part has its card and the app has said it
// confirmed every PROVIDER_INTENT part's latest intent
// (confirmProviderIntent; the sandbox's confirmation says so itself).
// Until then it is PAYMENT_PENDING and booking is refused with
// PAYMENT_ACTION_REQUIRED. A provider that still refuses the payment at
// booking (an intent not confirmed after all, a forwarded card declined)
// books nothing: the session goes back to PAYMENT_PENDING with that action
// not done, to be done again (see retryPayment).

// ProviderSettlement is how one provider's parts of a session settle.
type ProviderSettlement struct {
	Provider string
	Mode     providers.Settlement
}

// CardForward is the card a CARD_FORWARD part is paid with.
type CardForward struct {
	// PaymentMethod is the Stripe PaymentMethod id (pm_...).
	PaymentMethod string
	ThreeDSecure  *providers.ThreeDSecure
}

// ForwardCardInput is a card to forward to a provider.
type ForwardCardInput struct {
	CheckoutSessionID string
	// Provider is whose CARD_FORWARD parts the card pays.
	Provider      string
	PaymentMethod string
	ThreeDSecure  *providers.ThreeDSecure
}

// settlementModes are the modes, in the schema's order.
var settlementModes = []providers.Settlement{providers.Merchant, providers.ProviderIntent, providers.CardForward}

// settlements checks the settlements asked for and answers each part's:
// the explicit one (in) for a provider listed, else the tenant's default
// for the provider (defaults, by provider: "faregraph tenant settlement
// set"), else MERCHANT. A mode the provider does not support is a user
// error on the input's mode, or on "settlements" for a default that the
// provider no longer supports.
func (s *Service) settlements(c *checker, in []ProviderSettlement, defaults map[string]string, offer providers.Offer) []providers.Settlement {
	out := make([]providers.Settlement, len(offer.Parts))
	for i := range out {
		out[i] = providers.Merchant
	}
	seen := map[string]bool{}
	for i, ps := range in {
		f := func(name string) []string { return []string{"settlements", fmt.Sprint(i), name} }
		if !slices.Contains(settlementModes, ps.Mode) {
			c.add(fault.Invalid, "must be MERCHANT, PROVIDER_INTENT or CARD_FORWARD", f("mode")...)
			continue
		}
		if seen[ps.Provider] {
			c.add(fault.Duplicate, "lists a provider a second time", f("provider")...)
			continue
		}
		seen[ps.Provider] = true
		found := false
		for pi, p := range offer.Parts {
			if p.Provider == ps.Provider {
				found = true
				out[pi] = ps.Mode
			}
		}
		if !found {
			c.add(fault.Invalid, "is not a provider of this offer", f("provider")...)
			continue
		}
		modes, err := s.cfg.Providers.Settlements(ps.Provider)
		if err != nil || !slices.Contains(modes, ps.Mode) {
			c.add(fault.Invalid, fmt.Sprintf("%s does not settle by %s", ps.Provider, ps.Mode), f("mode")...)
		}
	}
	for pi, p := range offer.Parts {
		mode := providers.Settlement(defaults[p.Provider])
		if seen[p.Provider] || mode == "" {
			continue
		}
		seen[p.Provider] = true
		modes, err := s.cfg.Providers.Settlements(p.Provider)
		if err != nil || !slices.Contains(modes, mode) {
			c.add(fault.Invalid, fmt.Sprintf("this API client's default settlement for %s is %s, which %s does not support: list %s here with a mode it supports, or have the operator set the default again", p.Provider, mode, p.Provider, p.Provider), "settlements")
			continue
		}
		for pj := pi; pj < len(offer.Parts); pj++ {
			if offer.Parts[pj].Provider == p.Provider {
				out[pj] = mode
			}
		}
	}
	return out
}

// TenantSettlement is how a tenant's parts of one provider settle when a
// session does not say.
type TenantSettlement struct {
	Provider string
	// Mode is the configured default, or MERCHANT when none is.
	Mode providers.Settlement
	// Configured: an operator set Mode for this tenant.
	Configured bool
	// Supported are the modes the provider supports, in the schema's order.
	Supported []providers.Settlement
}

// TenantSettlements lists, for every provider of this server in the
// registry's order, how the tenant's parts of it settle by default.
func (s *Service) TenantSettlements(ctx context.Context, tenantID string) ([]TenantSettlement, error) {
	defaults, err := s.tenants.Settlements(ctx, s.cfg.DB, tenantID)
	if err != nil {
		return nil, err
	}
	var out []TenantSettlement
	for _, name := range s.cfg.Providers.Names() {
		modes, err := s.cfg.Providers.Settlements(name)
		if err != nil {
			return nil, err
		}
		ts := TenantSettlement{Provider: name, Mode: providers.Merchant}
		for _, m := range settlementModes {
			if slices.Contains(modes, m) {
				ts.Supported = append(ts.Supported, m)
			}
		}
		if m, ok := defaults[name]; ok {
			ts.Mode, ts.Configured = providers.Settlement(m), true
		}
		out = append(out, ts)
	}
	return out, nil
}

// CheckSettlement validates a tenant default before it is stored: mode
// must be one of the schema's and one that provider supports (supported,
// from its registration; nil is MERCHANT only). The violations name the
// operator command's flags ("provider", "mode").
func CheckSettlement(provider string, mode providers.Settlement, known bool, supported []providers.Settlement) []fault.Violation {
	bad := func(field, msg string) []fault.Violation {
		return []fault.Violation{{Field: []string{field}, Code: fault.Invalid, Message: msg}}
	}
	if !known {
		return bad("provider", fmt.Sprintf("%q is not a provider of this server", provider))
	}
	if supported == nil {
		supported = []providers.Settlement{providers.Merchant}
	}
	if !slices.Contains(settlementModes, mode) {
		return bad("mode", "must be MERCHANT, PROVIDER_INTENT or CARD_FORWARD")
	}
	if !slices.Contains(supported, mode) {
		names := make([]string, len(supported))
		for i, m := range supported {
			names[i] = string(m)
		}
		return bad("mode", fmt.Sprintf("%s does not settle by %s (it supports %s)", provider, mode, strings.Join(names, ", ")))
	}
	return nil
}

// settlementOf is part i's settlement; sessions stored before settlements
// existed are MERCHANT.
func settlementOf(sess *Session, i int) providers.Settlement {
	if i < len(sess.Parts) && sess.Parts[i].Settlement != "" {
		return sess.Parts[i].Settlement
	}
	return providers.Merchant
}

// merchantAmount is what our gateway (or credit line) takes for amounts
// of the parts: the sum over the MERCHANT parts.
func merchantAmount(sess *Session, amount func(i int) int64) int64 {
	var n int64
	for i := range sess.Parts {
		if settlementOf(sess, i) == providers.Merchant {
			n += amount(i)
		}
	}
	return n
}

// merchantTotal is the MERCHANT parts' share of the session total.
func merchantTotal(sess *Session) int64 {
	return merchantAmount(sess, func(i int) int64 { return sess.Parts[i].Amount })
}

// cardsForwarded reports whether every CARD_FORWARD part has its card.
func cardsForwarded(sess *Session) bool {
	for i, p := range sess.Parts {
		if settlementOf(sess, i) == providers.CardForward && p.Forward == nil {
			return false
		}
	}
	return true
}

// latestIntent is the provider's intent of part i's hold, nil when it has
// none (not held, or not PROVIDER_INTENT).
func latestIntent(sess *Session, i int) *providers.Intent {
	if settlementOf(sess, i) != providers.ProviderIntent || i >= len(sess.Holds) {
		return nil
	}
	return sess.Holds[i].Hold.Intent
}

// intentConfirmed reports whether the app confirmed part i's latest
// provider intent; true for a part that has none to confirm.
func intentConfirmed(sess *Session, i int) bool {
	in := latestIntent(sess, i)
	return in == nil || sess.Parts[i].IntentConfirmed == in.TransactionID
}

// intentsConfirmed reports whether every PROVIDER_INTENT part's latest
// intent is confirmed.
func intentsConfirmed(sess *Session) bool {
	for i := range sess.Parts {
		if !intentConfirmed(sess, i) {
			return false
		}
	}
	return true
}

// paymentReady reports whether a session's payment lets it book: its
// MERCHANT payment authorized (or none to take), every card forwarded,
// every provider intent confirmed.
func paymentReady(sess *Session) bool {
	p := sess.Payment
	if p == nil || !cardsForwarded(sess) || !intentsConfirmed(sess) {
		return false
	}
	return p.Amount == 0 || p.Status == payments.Authorized
}

// actionsPending says which of the providers' payment actions are not
// done, for a PAYMENT_ACTION_REQUIRED message ("confirm liteapi's payment
// intent ... for part 2"); "" when every provider's action is done. Our
// own card payment is not listed: until the gateway authorizes it, booking
// answers INVALID_STATE as before.
func actionsPending(sess *Session) string {
	var out []string
	for _, a := range PaymentActions(sess) {
		if a.Done || a.Kind == ConfirmCardPayment {
			continue // our own card payment: its authorization is the gateway's to say
		}
		parts := make([]string, len(a.PartIndexes))
		for k, i := range a.PartIndexes {
			parts[k] = fmt.Sprint(i + 1)
		}
		what := map[ActionKind]string{
			ConfirmProviderIntent: "confirm " + a.Provider + "'s payment intent " + a.TransactionID + " with Stripe's SDK, then call confirmProviderIntent",
			ForwardCard:           "forward a card to " + a.Provider + " (forwardCard)",
		}[a.Kind]
		out = append(out, fmt.Sprintf("%s for part %s", what, strings.Join(parts, ", ")))
	}
	return strings.Join(out, "; ")
}

// providerPayment is how part i's provider is paid at booking.
func providerPayment(sess *Session, i int) providers.Payment {
	switch settlementOf(sess, i) {
	case providers.ProviderIntent:
		pay := providers.Payment{Settlement: providers.ProviderIntent}
		if i < len(sess.Holds) && sess.Holds[i].Hold.Intent != nil {
			pay.TransactionID = sess.Holds[i].Hold.Intent.TransactionID
		}
		return pay
	case providers.CardForward:
		pay := providers.Payment{Settlement: providers.CardForward}
		if f := sess.Parts[i].Forward; f != nil {
			pay.PaymentMethod, pay.ThreeDSecure = f.PaymentMethod, f.ThreeDSecure
		}
		return pay
	}
	return providers.Payment{}
}

// ActionKind is what the app must do for a part's payment.
type ActionKind string

const (
	// ConfirmProviderIntent: confirm the provider's payment intent with
	// Stripe's SDK (ClientSecret), then book.
	ConfirmProviderIntent ActionKind = "CONFIRM_PROVIDER_INTENT"
	// ForwardCard: make a Stripe PaymentMethod with the provider's key
	// and give it, with any 3-D Secure results, to forwardCard.
	ForwardCard ActionKind = "FORWARD_CARD"
	// ConfirmCardPayment: confirm our own payment intent (Payment's
	// clientSecret) with the gateway's SDK.
	ConfirmCardPayment ActionKind = "CONFIRM_CARD_PAYMENT"
)

// PaymentAction is one thing the app must do before booking.
type PaymentAction struct {
	Kind ActionKind
	// Provider is the provider the action pays, "" for our own gateway.
	Provider string
	// PartIndexes are the offer parts it pays.
	PartIndexes []int
	Amount      providers.Money
	// ClientSecret confirms the intent (ConfirmProviderIntent,
	// ConfirmCardPayment).
	ClientSecret string
	// TransactionID is the provider's id of its intent.
	TransactionID string
	// ActionURL is where the buyer completes 3-D Secure while our payment
	// is REQUIRES_ACTION (ConfirmCardPayment), "" otherwise.
	ActionURL string
	// Done: the card was forwarded, our intent authorized, or the
	// provider's latest intent confirmed (the app said so with
	// confirmProviderIntent, or the sandbox confirmed it). A provider that
	// refuses it at booking as not confirmed makes it not done again.
	Done bool
}

// PaymentActions lists what the app must do to pay sess: one action per
// PROVIDER_INTENT part once held, one per provider with CARD_FORWARD
// parts, and our own intent's confirmation once paid by CARD.
func PaymentActions(sess *Session) []PaymentAction {
	var out []PaymentAction
	cur := sess.Total.Currency
	if p := sess.Payment; p != nil && p.Method == Card && p.Amount > 0 && p.IntentID != "" {
		out = append(out, PaymentAction{Kind: ConfirmCardPayment, Amount: providers.Money{Amount: p.Amount, Currency: cur},
			ClientSecret: p.ClientSecret, ActionURL: p.ActionURL, Done: p.Status == payments.Authorized || p.Status == payments.Captured,
			PartIndexes: partsSettling(sess, providers.Merchant, "")})
	}
	forwarded := map[string]int{}
	for i, part := range sess.Offer.Parts {
		switch settlementOf(sess, i) {
		case providers.ProviderIntent:
			if i >= len(sess.Holds) || sess.Holds[i].Hold.Intent == nil {
				continue
			}
			in := sess.Holds[i].Hold.Intent
			out = append(out, PaymentAction{Kind: ConfirmProviderIntent, Provider: part.Provider, PartIndexes: []int{i},
				Amount: in.Amount, ClientSecret: in.ClientSecret, TransactionID: in.TransactionID, Done: intentConfirmed(sess, i)})
		case providers.CardForward:
			if k, ok := forwarded[part.Provider]; ok {
				out[k].PartIndexes = append(out[k].PartIndexes, i)
				out[k].Amount.Amount += sess.Parts[i].Amount
				out[k].Done = out[k].Done && sess.Parts[i].Forward != nil
				continue
			}
			forwarded[part.Provider] = len(out)
			out = append(out, PaymentAction{Kind: ForwardCard, Provider: part.Provider, PartIndexes: []int{i},
				Amount: providers.Money{Amount: sess.Parts[i].Amount, Currency: cur}, Done: sess.Parts[i].Forward != nil})
		}
	}
	return out
}

// partsSettling are the indexes of the parts settling by mode (of
// provider, when not "").
func partsSettling(sess *Session, mode providers.Settlement, provider string) []int {
	var out []int
	for i, p := range sess.Offer.Parts {
		if settlementOf(sess, i) == mode && (provider == "" || p.Provider == provider) {
			out = append(out, i)
		}
	}
	return out
}

// 3-D Secure results as CitizenPlane takes them (seed 004): version 1.0.2,
// 2.1.0 or 2.2.0; ECI 05 or 02 (fully authenticated); 06 and 01 (attempt
// acknowledged) are refused by CitizenPlane as a payment error, and 07 and
// 00 (authentication failed) must be discarded, so all four are refused
// here; a cryptogram of 20 bytes in base64 (28 characters); the
// transaction id: "for 3D Secure 1, the XID" (version 1.0.2: the XID of
// the 3-D Secure 1 protocol is 20 bytes, sent base64-encoded like the
// cryptogram, 28 characters), "for 3D Secure 2, the Directory Server
// Transaction ID (dsTransID)" (a UUID; at most MaxTransactionIDLength).
var (
	threeDSVersions = []string{"1.0.2", "2.1.0", "2.2.0"}
	ecisAccepted    = []string{"05", "02"}
)

// MaxTransactionIDLength bounds a 3-D Secure 2 transaction id (a UUID is 36).
const MaxTransactionIDLength = 64

// paymentMethodID is a Stripe PaymentMethod id: "pm_" and at least one
// letter, digit or underscore (Stripe's ids are pm_ and 24 alphanumerics;
// its test ids are pm_card_visa and the like), 255 characters at most.
var paymentMethodID = regexp.MustCompile(`^pm_[A-Za-z0-9_]{1,252}$`)

// xidBytes is the length of a 3-D Secure 1 XID, sent base64-encoded.
const xidBytes = 20

// checkForward validates a card to forward, naming each bad field.
func checkForward(in ForwardCardInput) []fault.Violation {
	var c checker
	pm := strings.TrimSpace(in.PaymentMethod)
	switch {
	case pm == "":
		c.add(fault.Required, "is required: the Stripe PaymentMethod id made with the provider's key", "paymentMethodId")
	case !paymentMethodID.MatchString(pm):
		c.add(fault.Invalid, "must be a Stripe PaymentMethod id: pm_ followed by letters, digits or underscores (at most 255 characters)", "paymentMethodId")
	}
	t := in.ThreeDSecure
	if t == nil {
		return c.errs
	}
	f := func(name string) []string { return []string{"threeDSecure", name} }
	if !slices.Contains(threeDSVersions, t.Version) {
		c.add(fault.Invalid, "must be 1.0.2, 2.1.0 or 2.2.0", f("version")...)
	}
	switch eci := t.ElectronicCommerceIndicator; {
	case slices.Contains(ecisAccepted, eci):
	case eci == "06" || eci == "01":
		c.add(fault.Invalid, "06 and 01 (attempt acknowledged) are refused by the provider as a payment error: authenticate again or pay without threeDSecure", f("electronicCommerceIndicator")...)
	case eci == "07" || eci == "00":
		c.add(fault.Invalid, "07 and 00 mean authentication failed: discard the result and leave threeDSecure unset", f("electronicCommerceIndicator")...)
	default:
		c.add(fault.Invalid, "must be 05 or 02 (fully authenticated)", f("electronicCommerceIndicator")...)
	}
	if b, err := base64.StdEncoding.DecodeString(t.Cryptogram); len(t.Cryptogram) != 28 || err != nil || len(b) != 20 {
		c.add(fault.Invalid, "must be the 20-byte authentication value in base64: 28 characters", f("cryptogram")...)
	}
	switch id := strings.TrimSpace(t.TransactionID); {
	case id == "":
		c.add(fault.Required, "is required: the XID (3-D Secure 1) or dsTransID (3-D Secure 2)", f("transactionId")...)
	case t.Version == "1.0.2":
		if b, err := base64.StdEncoding.DecodeString(id); len(id) != 28 || err != nil || len(b) != xidBytes {
			c.add(fault.Invalid, "with version 1.0.2 (3-D Secure 1) must be the XID: 20 bytes in base64, 28 characters", f("transactionId")...)
		}
	case len(id) > MaxTransactionIDLength:
		c.add(fault.TooLong, fmt.Sprintf("must be at most %d characters", MaxTransactionIDLength), f("transactionId")...)
	}
	return c.errs
}

// ForwardCard gives a provider's CARD_FORWARD parts the card they are paid
// with: a Stripe PaymentMethod the app made with the provider's key, with
// the 3-D Secure results when it authenticated. It runs on a HELD,
// PAYMENT_PENDING or AUTHORIZED session; once every card is forwarded, the
// provider intents confirmed and the MERCHANT payment (if any) authorized,
// the session is AUTHORIZED. Forwarding again, until booking starts,
// replaces the card (and 3-D Secure results) of the provider's parts: the
// booking carries the latest. While a booking runs (BOOKING,
// NEEDS_ATTENTION) it is an IN_PROGRESS user error; on a final session
// INVALID_STATE (SESSION_EXPIRED once expired).
func (s *Service) ForwardCard(ctx context.Context, tenantID string, in ForwardCardInput, key string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "forwardCard", in, func(ctx context.Context) (*Result, error) {
		return s.forwardCard(ctx, tenantID, in)
	})
}

func (s *Service) forwardCard(ctx context.Context, tenantID string, in ForwardCardInput) (_ *Result, err error) {
	ctx, end := s.step(ctx, "forward", in.CheckoutSessionID)
	defer func() { end(err) }()
	if ue := checkForward(in); ue != nil {
		return &Result{UserErrors: ue}, nil
	}
	sess, ue, err := s.open(ctx, tenantID, in.CheckoutSessionID)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	if run, ue, w := gate(sess, "forward"); !run {
		return &Result{Session: sess, UserErrors: ue, Warnings: w}, nil
	}
	parts := partsSettling(sess, providers.CardForward, in.Provider)
	if len(parts) == 0 {
		return &Result{Session: sess, UserErrors: userErr(fault.Invalid, "no part of this session is paid by a card forwarded to this provider", "provider")}, nil
	}
	fw := &CardForward{PaymentMethod: strings.TrimSpace(in.PaymentMethod), ThreeDSecure: in.ThreeDSecure}
	for _, i := range parts {
		// Parts not yet booked: in the statuses the gate runs in, every
		// part is; the check keeps a booked part's card as it was booked.
		if sess.Parts[i].Status == PartPending {
			sess.Parts[i].Forward = fw
		}
	}
	from := sess.Status
	if from == PaymentPending && paymentReady(sess) {
		sess.Status = Authorized
	}
	event := "card_forwarded"
	if from == Authorized {
		event = "card_replaced"
	}
	if ok, err := s.move(ctx, sess, from, event, in.Provider); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess}, nil
}

// ProviderIntentInput says that the app confirmed a provider's payment
// intent.
type ProviderIntentInput struct {
	CheckoutSessionID string
	// TransactionID is the provider's id of the intent confirmed
	// (PaymentAction.transactionId).
	TransactionID string
}

// ConfirmProviderIntent records that the app confirmed, with Stripe's SDK,
// the provider's payment intent whose id is TransactionID: the
// CONFIRM_PROVIDER_INTENT action of its part is done, and the session is
// AUTHORIZED once every action is. Only the part's latest intent counts:
// an intent replaced by attaching extras is an INVALID user error naming
// transactionId. faregraph cannot read the intent's status from the
// provider before booking (LiteAPI has no such call); if the provider
// still finds it unconfirmed at booking, nothing is booked and the action
// is not done again. It runs from the hold until booking starts; while a
// booking runs it is IN_PROGRESS, on a final session INVALID_STATE.
func (s *Service) ConfirmProviderIntent(ctx context.Context, tenantID string, in ProviderIntentInput, key string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "confirmProviderIntent", in, func(ctx context.Context) (*Result, error) {
		return s.confirmProviderIntent(ctx, tenantID, in)
	})
}

func (s *Service) confirmProviderIntent(ctx context.Context, tenantID string, in ProviderIntentInput) (_ *Result, err error) {
	ctx, end := s.step(ctx, "intent", in.CheckoutSessionID)
	defer func() { end(err) }()
	id := strings.TrimSpace(in.TransactionID)
	if id == "" {
		return &Result{UserErrors: userErr(fault.Required, "is required: the transactionId of the CONFIRM_PROVIDER_INTENT action confirmed", "transactionId")}, nil
	}
	sess, ue, err := s.open(ctx, tenantID, in.CheckoutSessionID)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	if run, ue, w := gate(sess, "intent"); !run {
		return &Result{Session: sess, UserErrors: ue, Warnings: w}, nil
	}
	part := -1
	for i := range sess.Parts {
		if in := latestIntent(sess, i); in != nil && in.TransactionID == id {
			part = i
		}
	}
	if part < 0 {
		return &Result{Session: sess, UserErrors: userErr(fault.Invalid, "is not the latest payment intent of a PROVIDER_INTENT part of this session: confirm the transactionId paymentActions lists now (attaching extras replaces the intent)", "transactionId")}, nil
	}
	if sess.Parts[part].IntentConfirmed == id {
		return &Result{Session: sess, Warnings: []fault.Warning{{Field: []string{"input", "transactionId"}, Code: fault.AlreadyDone,
			Message: "this payment intent was confirmed already: nothing changed"}}}, nil
	}
	sess.Parts[part].IntentConfirmed = id
	from := sess.Status
	if from == PaymentPending && paymentReady(sess) {
		sess.Status = Authorized
	}
	if ok, err := s.move(ctx, sess, from, "provider_intent_confirmed", sess.Offer.Parts[part].Provider); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess}, nil
}

// ProviderSandbox plays, with no real Stripe account, what the app does
// with a provider's own payment intent: confirming it with a test card.
// The app wires it to the provider simulators.
type ProviderSandbox interface {
	ConfirmProviderIntent(ctx context.Context, provider, clientSecret, cardNumber string) error
}

// sandboxPaymentMethod is the Stripe test PaymentMethod that stands for a
// test card number (Stripe's own test ids: pm_card_visa authorizes,
// pm_card_chargeDeclined is declined).
func sandboxPaymentMethod(cardNumber string) string {
	switch strings.ReplaceAll(cardNumber, " ", "") {
	case "4242424242424242", "":
		return "pm_card_visa"
	}
	return "pm_card_chargeDeclined"
}

// PartReference is part i's booking reference: the one given at creation,
// or, for a session created before references were given then, its
// booking's; "" when it has none yet.
func PartReference(sess *Session, i int) string {
	if i < len(sess.Parts) && sess.Parts[i].Reference != "" {
		return sess.Parts[i].Reference
	}
	for _, b := range sess.Bookings {
		if b.PartIndex == i {
			return b.Reference
		}
	}
	return ""
}

// BookingReferences are a session's booking references in part order:
// every part's from creation on, so that the answer of a one-step
// checkout has them (Wink's bookingCodes). Sessions created before parts
// had references list their bookings' references once booked.
func BookingReferences(sess *Session) []string {
	out := []string{}
	for i := range sess.Offer.Parts {
		if ref := PartReference(sess, i); ref != "" {
			out = append(out, ref)
		}
	}
	return out
}
