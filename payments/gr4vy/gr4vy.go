// Package gr4vy is a payments.Gateway on Gr4vy's HTTP API (see CONTRACT.md
// for every call it makes and where it is documented), written on net/http
// since Gr4vy's Go SDK is not on our module proxy; tokens are ES512 JWTs
// signed with github.com/golang-jwt/jwt/v5.
//
// A payment intent is a Gr4vy checkout session: CreateIntent creates it
// (POST /checkout/sessions) with the order's cart items, airline addendum
// and buyer, validated against Gr4vy's documented limits first; its id is
// the intent id, and the intent's ClientSecret is an Embed token for it.
// Once Embed has put a card on the session, the server authorizes a
// transaction for it (POST /transactions, intent "authorize"), which
// GetIntent does on first sight; Capture (partial), Cancel (void) and
// Refund act on that transaction. Idempotency keys derive from our ids.
// A transaction awaiting the buyer's 3-D Secure approval is an intent
// RequiresAction whose ActionURL is Gr4vy's approval_url. Webhooks are
// verified with VerifyWebhook; they only say which transaction to read.
package gr4vy

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/payments"
)

// Config configures a Gateway.
type Config struct {
	// ID is the Gr4vy instance id; the API is https://api.<ID>.gr4vy.app
	// unless URL is set.
	ID string
	// URL is another API base (the simulator).
	URL string
	// PrivateKey signs the bearer tokens (ES512, P-521).
	PrivateKey *ecdsa.PrivateKey
	// ExpiresIn is the checkout sessions' lifetime in seconds (3600..86400);
	// 3600 when zero.
	ExpiresIn int
	// RedirectURL is where Gr4vy sends the buyer back after a 3-D Secure
	// challenge (the transaction's payment_method.redirect_url, with
	// gr4vy_transaction_id and gr4vy_transaction_status appended). Gr4vy
	// runs 3-D Secure on an API transaction only when one is given
	// (docs.gr4vy.com/guides/features/3ds/hosted); empty sends none.
	RedirectURL string
	// WebhookSecret is the webhook subscription's secret, which signs
	// Gr4vy's webhooks (see VerifyWebhook); empty verifies none.
	WebhookSecret string
	// HTTPClient is the client; a 30 s one when nil.
	HTTPClient *http.Client
	// Now is the clock of the tokens; time.Now when nil.
	Now func() time.Time
}

// Gateway is the Gr4vy payments.Gateway.
type Gateway struct {
	cfg  Config
	base string
}

var _ payments.Gateway = (*Gateway)(nil)

// New returns a Gateway, or an error when cfg lacks the id or key.
func New(cfg Config) (*Gateway, error) {
	if cfg.PrivateKey == nil {
		return nil, errors.New("gr4vy: no private key")
	}
	base := strings.TrimRight(cfg.URL, "/")
	if base == "" {
		if cfg.ID == "" {
			return nil, errors.New("gr4vy: no instance id")
		}
		base = "https://api." + cfg.ID + ".gr4vy.app"
	}
	if cfg.ExpiresIn == 0 {
		cfg.ExpiresIn = MinExpiresIn
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Gateway{cfg: cfg, base: base}, nil
}

// Name returns "gr4vy".
func (g *Gateway) Name() string { return "gr4vy" }

// MaxAmount is Gr4vy's limit on every amount, in any currency: 99999999
// minor units (seed 003, cart_items[].unit_amount; see validate.go). It
// makes the gateway a payments.AmountLimiter.
func (g *Gateway) MaxAmount(string) int64 { return MaxAmount }

// Wire shapes (see CONTRACT.md).

// Session is a checkout session as Gr4vy answers it.
type Session struct {
	Type          string              `json:"type"`
	ID            string              `json:"id"`
	ExpiresAt     string              `json:"expires_at"`
	CartItems     []payments.CartItem `json:"cart_items"`
	Metadata      map[string]string   `json:"metadata"`
	Airline       *payments.Airline   `json:"airline"`
	PaymentMethod *PaymentMethod      `json:"payment_method"`
}

// PaymentMethod is the card on a checkout session or a transaction.
// ApprovalURL is set while a transaction is buyer_approval_pending: the
// page where the buyer authenticates (3-D Secure).
type PaymentMethod struct {
	Type        string `json:"type,omitempty"`
	ID          string `json:"id,omitempty"`
	Method      string `json:"method"`
	Scheme      string `json:"scheme,omitempty"`
	Label       string `json:"label,omitempty"` // last four digits
	ApprovalURL string `json:"approval_url,omitempty"`
	Details     *struct {
		BIN         string `json:"bin,omitempty"`
		CardType    string `json:"card_type,omitempty"`
		CardCountry string `json:"card_country,omitempty"`
	} `json:"details,omitempty"`
}

// TransactionRequest is the body of POST /transactions.
type TransactionRequest struct {
	Amount             int64               `json:"amount"`
	Currency           string              `json:"currency"`
	Intent             string              `json:"intent"` // authorize
	PaymentMethod      TxPaymentMethod     `json:"payment_method"`
	ExternalIdentifier string              `json:"external_identifier,omitempty"`
	CartItems          []payments.CartItem `json:"cart_items,omitempty"`
	Airline            *payments.Airline   `json:"airline,omitempty"`
	Metadata           map[string]string   `json:"metadata,omitempty"`
}

// TxPaymentMethod names the checkout session whose card pays, and where
// the buyer comes back after 3-D Secure.
type TxPaymentMethod struct {
	Method      string `json:"method"` // checkout-session
	ID          string `json:"id"`
	RedirectURL string `json:"redirect_url,omitempty"`
}

// Transaction is a transaction as Gr4vy answers it.
type Transaction struct {
	Type                   string         `json:"type"`
	ID                     string         `json:"id"`
	Status                 string         `json:"status"`
	Intent                 string         `json:"intent,omitempty"`
	Amount                 int64          `json:"amount"`
	AuthorizedAmount       int64          `json:"authorized_amount"`
	CapturedAmount         int64          `json:"captured_amount"`
	RefundedAmount         int64          `json:"refunded_amount"`
	Currency               string         `json:"currency"`
	ExternalIdentifier     string         `json:"external_identifier"`
	CheckoutSessionID      string         `json:"checkout_session_id"`
	PaymentMethod          *PaymentMethod `json:"payment_method"`
	ErrorCode              string         `json:"error_code"`
	RawResponseDescription string         `json:"raw_response_description"`
}

// Transaction statuses (see CONTRACT.md).
const (
	TxProcessing           = "processing"
	TxAuthorized           = "authorization_succeeded"
	TxDeclined             = "authorization_declined"
	TxAuthFailed           = "authorization_failed"
	TxVoided               = "authorization_voided"
	TxVoidPending          = "authorization_void_pending"
	TxCaptured             = "capture_succeeded"
	TxCapturePending       = "capture_pending"
	TxBuyerApprovalPending = "buyer_approval_pending"
)

// Refund is a refund as Gr4vy answers it. Status is processing,
// succeeded, failed, declined or voided.
type Refund struct {
	Type               string `json:"type"`
	ID                 string `json:"id"`
	TransactionID      string `json:"transaction_id"`
	Status             string `json:"status"`
	Amount             int64  `json:"amount"`
	Currency           string `json:"currency"`
	ExternalIdentifier string `json:"external_identifier,omitempty"`
}

// RefundRequest is the body of POST /transactions/{id}/refunds.
type RefundRequest struct {
	Amount             int64  `json:"amount"`
	ExternalIdentifier string `json:"external_identifier,omitempty"`
}

// txAnswer decodes what capture and void answer: the transaction, or (with
// "Prefer: resource=transaction-capture" / "transaction-void") a
// transaction-capture or transaction-void wrapping it in "transaction".
type txAnswer struct {
	Transaction
	Inner *Transaction `json:"transaction"`
}

func (a *txAnswer) tx() *Transaction {
	if a.Inner != nil && a.Type != "transaction" {
		return a.Inner
	}
	return &a.Transaction
}

// APIError is an error answer of Gr4vy's API.
type APIError struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("gr4vy: %d %s: %s", e.Status, e.Code, e.Message)
}

// Metadata keys the gateway keeps on a checkout session.
const (
	metaKey      = "faregraph_key"
	metaAmount   = "faregraph_amount"
	metaCurrency = "faregraph_currency"
)

// Scopes of the tokens the gateway signs per call.
var apiScopes = []string{"*.read", "*.write"}

func (g *Gateway) call(ctx context.Context, method, path, idemKey string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.base+path, body)
	if err != nil {
		return err
	}
	tok, err := Sign(g.cfg.PrivateKey, g.cfg.Now(), time.Hour, Claims{Scopes: apiScopes})
	if err != nil {
		return fmt.Errorf("gr4vy: sign token: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := g.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("gr4vy: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("gr4vy: %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		e := &APIError{Status: resp.StatusCode}
		_ = json.Unmarshal(b, e)
		e.Status = resp.StatusCode
		switch resp.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("%w: %w", payments.ErrNotFound, e)
		case http.StatusConflict:
			return fmt.Errorf("%w: %w", payments.ErrInvalidState, e)
		case http.StatusBadRequest:
			return fmt.Errorf("%w: %w", payments.ErrInvalidRequest, e)
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("gr4vy: %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// SessionRequestFor is the checkout session body for r, validated against
// Gr4vy's documented limits: the error wraps payments.ErrInvalidRequest
// and names every field out of them.
func (g *Gateway) SessionRequestFor(r payments.CreateRequest) (*SessionRequest, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	sr := &SessionRequest{ExpiresIn: g.cfg.ExpiresIn, Metadata: map[string]string{}}
	for k, v := range r.Metadata {
		sr.Metadata[k] = v
	}
	sr.Metadata[metaKey] = r.Key
	sr.Metadata[metaAmount] = strconv.FormatInt(r.Amount, 10)
	sr.Metadata[metaCurrency] = strings.ToUpper(r.Currency)
	if o := r.Order; o != nil {
		sr.CartItems, sr.Airline, sr.Buyer = o.CartItems, o.Airline, o.Buyer
	}
	err := sr.Validate()
	if len(sr.CartItems) > 0 {
		var sum int64
		for _, it := range sr.CartItems {
			sum += it.Total()
		}
		if sum != r.Amount {
			err = errors.Join(err, fmt.Errorf("cart_items: the lines total %d, the payment %d", sum, r.Amount))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: gr4vy checkout session for %s: %w", payments.ErrInvalidRequest, r.Key, err)
	}
	return sr, nil
}

// CreateIntent creates the checkout session for r (idempotency key
// payments.IntentKey(r.Key)) and returns it as an intent awaiting a card,
// whose ClientSecret is an Embed token for the session. An r outside
// Gr4vy's limits fails with payments.ErrInvalidRequest before any call.
func (g *Gateway) CreateIntent(ctx context.Context, r payments.CreateRequest) (*payments.Intent, error) {
	sr, err := g.SessionRequestFor(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	var s Session
	if err := g.call(ctx, http.MethodPost, "/checkout/sessions", payments.IntentKey(r.Key), sr, &s); err != nil {
		return nil, err
	}
	if s.Metadata[metaAmount] != sr.Metadata[metaAmount] || s.Metadata[metaCurrency] != sr.Metadata[metaCurrency] {
		return nil, fmt.Errorf("%w: checkout session %s of %s was created for %s %s", payments.ErrInvalidState, s.ID, r.Key, s.Metadata[metaAmount], s.Metadata[metaCurrency])
	}
	return g.intent(ctx, &s, nil)
}

// EmbedToken is a token for Gr4vy Embed pinned to a checkout session, its
// amount and currency.
func (g *Gateway) EmbedToken(s *Session) (string, error) {
	amount, _ := strconv.ParseInt(s.Metadata[metaAmount], 10, 64)
	return Sign(g.cfg.PrivateKey, g.cfg.Now(), time.Hour, Claims{Scopes: []string{"embed"}, CheckoutSessionID: s.ID,
		Embed: map[string]any{"amount": amount, "currency": s.Metadata[metaCurrency]}})
}

// intent maps a session and its transaction (nil when none) to an intent.
func (g *Gateway) intent(_ context.Context, s *Session, tx *Transaction) (*payments.Intent, error) {
	amount, _ := strconv.ParseInt(s.Metadata[metaAmount], 10, 64)
	in := &payments.Intent{ID: s.ID, Status: payments.RequiresPaymentMethod, Amount: amount, Currency: s.Metadata[metaCurrency]}
	if tok, err := g.EmbedToken(s); err == nil {
		in.ClientSecret = tok
	} else {
		return nil, err
	}
	if b := s.Metadata[metaKey]; b != "" {
		in.CustomerID = "buyer:" + b
	}
	if tx == nil {
		return in, nil
	}
	switch tx.Status {
	case TxAuthorized:
		in.Status, in.AmountCapturable = payments.Authorized, tx.Amount
	case TxCaptured:
		in.Status = payments.Captured
	case TxVoided:
		in.Status = payments.Canceled
	case TxDeclined, TxAuthFailed:
		in.Status, in.FailureCode, in.FailureMessage = payments.Failed, tx.ErrorCode, tx.RawResponseDescription
	case TxBuyerApprovalPending:
		in.Status = payments.RequiresAction
		if tx.PaymentMethod != nil {
			in.ActionURL = tx.PaymentMethod.ApprovalURL
		}
	default:
		in.Status = payments.Processing
	}
	in.AmountCaptured = tx.CapturedAmount
	if pm := tx.PaymentMethod; pm != nil {
		c := &payments.Card{Scheme: pm.Scheme, Last4: pm.Label, CardType: "unknown"}
		if c.Scheme == "" {
			c.Scheme = "unknown"
		}
		if d := pm.Details; d != nil {
			c.BIN, c.Country = d.BIN, d.CardCountry
			if d.CardType != "" {
				c.CardType = d.CardType
			}
		}
		in.Card = c
	}
	return in, nil
}

// lookup reads the session and, once Embed has put a card on it,
// authorizes its transaction (idempotently: one transaction per card put
// on the session) and reads it.
func (g *Gateway) lookup(ctx context.Context, id string) (*Session, *Transaction, error) {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return nil, nil, fmt.Errorf("%w: %q", payments.ErrNotFound, id)
	}
	var s Session
	if err := g.call(ctx, http.MethodGet, "/checkout/sessions/"+id, "", nil, &s); err != nil {
		return nil, nil, err
	}
	if s.PaymentMethod == nil || s.PaymentMethod.ID == "" {
		return &s, nil, nil
	}
	amount, _ := strconv.ParseInt(s.Metadata[metaAmount], 10, 64)
	req := TransactionRequest{Amount: amount, Currency: s.Metadata[metaCurrency], Intent: "authorize",
		PaymentMethod: TxPaymentMethod{Method: "checkout-session", ID: s.ID, RedirectURL: g.cfg.RedirectURL}, ExternalIdentifier: s.Metadata[metaKey],
		CartItems: s.CartItems, Airline: s.Airline}
	var tx Transaction
	if err := g.call(ctx, http.MethodPost, "/transactions", "tx:"+s.Metadata[metaKey]+":"+s.PaymentMethod.ID, req, &tx); err != nil {
		return nil, nil, err
	}
	// The idempotent POST answers the transaction as first created: read
	// where it stands now.
	if err := g.call(ctx, http.MethodGet, "/transactions/"+tx.ID, "", nil, &tx); err != nil {
		return nil, nil, err
	}
	return &s, &tx, nil
}

// GetIntent reads the checkout session and its transaction, authorizing
// the transaction when Embed has just put a card on the session.
func (g *Gateway) GetIntent(ctx context.Context, id string) (*payments.Intent, error) {
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	s, tx, err := g.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	return g.intent(ctx, s, tx)
}

// Capture captures amount of the session's authorized transaction
// (POST /transactions/{id}/capture, partial when less than authorized).
func (g *Gateway) Capture(ctx context.Context, id string, amount int64) (*payments.Intent, error) {
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	s, tx, err := g.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	in, err := g.intent(ctx, s, tx)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Status == payments.Captured:
		return in, nil
	case in.Status != payments.Authorized:
		return nil, fmt.Errorf("%w: capture %s: it is %s", payments.ErrInvalidState, id, in.Status)
	case amount <= 0 || amount > in.AmountCapturable:
		return nil, fmt.Errorf("%w: capture %d of %s: %d capturable", payments.ErrInvalidState, amount, id, in.AmountCapturable)
	}
	var ans txAnswer
	if err := g.call(ctx, http.MethodPost, "/transactions/"+tx.ID+"/capture", payments.CaptureKey(id, amount), map[string]int64{"amount": amount}, &ans); err != nil {
		return nil, err
	}
	return g.intent(ctx, s, ans.tx())
}

// Cancel voids the session's authorized transaction
// (POST /transactions/{id}/void). A session without an authorized
// transaction (no card yet, or declined) has nothing to release: it is
// answered Canceled, and left to expire at Gr4vy.
func (g *Gateway) Cancel(ctx context.Context, id string) (*payments.Intent, error) {
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	s, tx, err := g.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	in, err := g.intent(ctx, s, tx)
	if err != nil {
		return nil, err
	}
	switch in.Status {
	case payments.Canceled:
		return in, nil
	case payments.Captured:
		return nil, fmt.Errorf("%w: cancel %s: it is captured", payments.ErrInvalidState, id)
	case payments.RequiresPaymentMethod, payments.Failed, payments.RequiresAction:
		// Nothing authorized to void (a transaction awaiting the buyer's
		// approval lapses at Gr4vy when it is not given).
		in.Status, in.AmountCapturable = payments.Canceled, 0
		return in, nil
	}
	var ans txAnswer
	if err := g.call(ctx, http.MethodPost, "/transactions/"+tx.ID+"/void", payments.CancelKey(id), nil, &ans); err != nil {
		return nil, err
	}
	return g.intent(ctx, s, ans.tx())
}

// Refund refunds amount of what the session's transaction captured
// (POST /transactions/{id}/refunds); key is our id of the refund (a
// cancellation's), from which its idempotency key derives.
func (g *Gateway) Refund(ctx context.Context, id string, amount int64, key string) (*Refund, error) {
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	_, tx, err := g.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if tx == nil || tx.Status != TxCaptured || amount <= 0 || amount > tx.CapturedAmount-tx.RefundedAmount {
		return nil, fmt.Errorf("%w: refund %d of %s", payments.ErrInvalidState, amount, id)
	}
	var rf Refund
	if err := g.call(ctx, http.MethodPost, "/transactions/"+tx.ID+"/refunds", payments.RefundKey(key), RefundRequest{Amount: amount, ExternalIdentifier: key}, &rf); err != nil {
		return nil, err
	}
	return &rf, nil
}

// GetRefund reads a refund (GET /refunds/{refund_id}).
func (g *Gateway) GetRefund(ctx context.Context, refundID string) (*Refund, error) {
	return read[Refund](ctx, g, "refund", "/refunds/", refundID)
}

// Transaction reads a transaction (GET /transactions/{id}): the webhook
// handler's source of truth for the checkout session it belongs to.
func (g *Gateway) Transaction(ctx context.Context, id string) (*Transaction, error) {
	return read[Transaction](ctx, g, "transaction", "/transactions/", id)
}

// read GETs the resource path+id; an id that is empty or not one path
// segment is payments.ErrNotFound without a call.
func read[T any](ctx context.Context, g *Gateway, kind, path, id string) (*T, error) {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return nil, fmt.Errorf("%w: %s %q", payments.ErrNotFound, kind, id)
	}
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	var v T
	if err := g.call(ctx, http.MethodGet, path+id, "", nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// Confirm plays Gr4vy Embed with a test card against a simulator: it puts
// the card on the checkout session (PUT /checkout/sessions/{id}/fields),
// then authorizes. A declined card is a *payments.DeclineError; a session
// that already has an authorized or final transaction is
// payments.ErrInvalidState.
func (g *Gateway) Confirm(ctx context.Context, id, cardNumber string) (*payments.Intent, error) {
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	if cur, err := g.GetIntent(ctx, id); err != nil {
		return nil, err
	} else if cur.Status != payments.RequiresPaymentMethod && cur.Status != payments.Failed {
		return nil, fmt.Errorf("%w: confirm %s: it is %s", payments.ErrInvalidState, id, cur.Status)
	}
	if cardNumber == "" {
		cardNumber = "4242424242424242"
	}
	fields := map[string]any{"payment_method": map[string]string{"method": "card", "number": cardNumber, "expiration_date": "12/30", "security_code": "123"}}
	if err := g.call(ctx, http.MethodPut, "/checkout/sessions/"+id+"/fields", "", fields, nil); err != nil {
		return nil, err
	}
	in, err := g.GetIntent(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Status == payments.Failed {
		return nil, &payments.DeclineError{Code: "card_declined", DeclineCode: in.FailureCode, Message: in.FailureMessage}
	}
	// RequiresAction (a card asking for 3-D Secure) is answered as is:
	// the buyer completes it at ActionURL.
	return in, nil
}

// Refunds is the gateway as a payments.Refunder, for the saga's
// cancellations (checkout asks a gateway without Refund of that signature
// for its Refunds).
func (g *Gateway) Refunds() payments.Refunder { return refunder{g} }

type refunder struct{ g *Gateway }

// Refund refunds amount of session id's captured transaction, keyed by
// our refund id.
func (r refunder) Refund(ctx context.Context, id, key string, amount int64) (*payments.Refund, error) {
	rf, err := r.g.Refund(ctx, id, amount, key)
	if err != nil {
		return nil, err
	}
	return toRefund(rf), nil
}

// GetRefund reads a refund back (GET /refunds/{refund_id}), to follow
// one Refund answered PENDING (processing) until it settles.
func (r refunder) GetRefund(ctx context.Context, refundID string) (*payments.Refund, error) {
	rf, err := r.g.GetRefund(ctx, refundID)
	if err != nil {
		return nil, err
	}
	return toRefund(rf), nil
}

// toRefund maps a Gr4vy refund: succeeded is SUCCEEDED; failed, declined
// and voided FAILED; anything else (processing) PENDING.
func toRefund(rf *Refund) *payments.Refund {
	st := payments.RefundPending
	switch rf.Status {
	case "succeeded":
		st = payments.RefundSucceeded
	case "failed", "declined", "voided":
		st = payments.RefundFailed
	}
	return &payments.Refund{ID: rf.ID, Status: st, Amount: rf.Amount, Currency: strings.ToUpper(rf.Currency)}
}
