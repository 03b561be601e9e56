// Package gr4vysim simulates the part of Gr4vy's HTTP API the gr4vy
// gateway uses (see ../CONTRACT.md), in memory: it verifies each bearer
// token (ES512, kid, validity, scopes) with the merchant's public key,
// validates checkout sessions against the documented limits, replays
// idempotent POSTs, and keeps checkout sessions and transactions
// (authorized, captured in part or in full, voided, refunded).
// Test cards for PUT /checkout/sessions/{id}/fields: 4000000000000002 is
// declined, 4000000000009995 has insufficient funds, 4000000000003220
// demands 3-D Secure (the transaction is buyer_approval_pending, with an
// approval_url on this simulator, under the prefix it is mounted at (see
// Base): GET it to approve, with ?outcome=decline to fail the challenge),
// any other authorizes.
//
// Refunds succeed at once unless PendingRefunds is set: they then answer
// processing and settle after being read (GET /refunds/{id}) that many
// times, or when SettleRefund says so.
//
// With SetWebhook, every change of a transaction's or a refund's status is
// POSTed, as Gr4vy does, to the URL: an event naming the resource, signed
// with the secret (X-Gr4vy-Webhook-ID, -Timestamp, -Signatures).
package gr4vysim

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faregraph/faregraph/payments/gr4vy"
)

// Sim is the simulator; an http.Handler.
type Sim struct {
	pub *ecdsa.PublicKey
	now func() time.Time

	mu        sync.Mutex
	sessions  map[string]*session
	txs       map[string]*gr4vy.Transaction
	refunds   map[string]*refund
	redirects map[string]string // transaction id → redirect_url
	replays   map[string][]byte
	calls     []string
	captures  []Capture

	pendingReads int // PendingRefunds
	hookURL      string
	hookSecret   string
	hookClient   *http.Client
	hookWG       sync.WaitGroup
	deliveries   []Delivery
}

type refund struct {
	gr4vy.Refund
	readsLeft int
}

// Capture is a capture the simulator made: the transaction and the
// amount asked for.
type Capture struct {
	TransactionID string
	Amount        int64
}

// Delivery is a webhook the simulator sent: the payload, its headers and
// the answer's status (0 when the request failed).
type Delivery struct {
	Payload []byte
	Header  http.Header
	Status  int
}

// SetWebhook makes the simulator POST an event to url, signed with
// secret, for every change of a transaction's or a refund's status;
// an empty url sends none.
func (s *Sim) SetWebhook(url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hookURL, s.hookSecret = url, secret
}

// Deliveries lists the webhooks sent so far, in order, once their
// answers are in (it waits for those in flight).
func (s *Sim) Deliveries() []Delivery {
	s.hookWG.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// PendingRefunds makes new refunds answer processing and settle
// (succeeded) after reads reads of GET /refunds/{id}; 0 settles them at
// once (the default).
func (s *Sim) PendingRefunds(reads int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pendingReads = reads
}

// SettleRefund settles a processing refund now: succeeded, or failed.
func (s *Sim) SettleRefund(id string, succeeded bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rf, ok := s.refunds[id]
	if !ok || rf.Status != "processing" {
		return false
	}
	s.settle(rf, succeeded)
	return true
}

// settle settles rf under s.mu: a failed refund gives its amount back to
// the transaction's refundable amount.
func (s *Sim) settle(rf *refund, succeeded bool) {
	rf.Status = "succeeded"
	if !succeeded {
		rf.Status = "failed"
		if tx, ok := s.txs[rf.TransactionID]; ok {
			tx.RefundedAmount -= rf.Amount
		}
	}
	s.notify("refund."+rf.Status, rf.Refund)
}

// CapturesOf lists the captures made of a checkout session's
// transactions, in order.
func (s *Sim) CapturesOf(sessionID string) []Capture {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Capture
	for _, c := range s.captures {
		if tx, ok := s.txs[c.TransactionID]; ok && tx.CheckoutSessionID == sessionID {
			out = append(out, c)
		}
	}
	return out
}

// notify sends, under s.mu, a webhook about target (a transaction or a
// refund as the API answers it), when a webhook is set; delivered in the
// background, once, like one attempt of Gr4vy's.
func (s *Sim) notify(name string, target any) {
	if s.hookURL == "" {
		return
	}
	ev := map[string]any{"type": "event", "id": newID(), "name": name, "created_at": s.now().UTC().Format(time.RFC3339Nano),
		"merchant_account_id": "default", "gr4vy_id": "faregraph-sim", "environment": "sandbox", "target": target}
	body, _ := json.Marshal(ev)
	ts := s.now().Unix()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(gr4vy.HeaderWebhookID, ev["id"].(string))
	h.Set(gr4vy.HeaderWebhookTimestamp, strconv.FormatInt(ts, 10))
	h.Set(gr4vy.HeaderWebhookSignatures, gr4vy.SignWebhook(s.hookSecret, ts, body))
	url, client := s.hookURL, s.hookClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	s.hookWG.Add(1)
	go func() {
		defer s.hookWG.Done()
		d := Delivery{Payload: body, Header: h}
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err == nil {
			req.Header = h.Clone()
			if resp, err := client.Do(req); err == nil {
				d.Status = resp.StatusCode
				resp.Body.Close()
			}
		}
		s.mu.Lock()
		s.deliveries = append(s.deliveries, d)
		s.mu.Unlock()
	}()
}

// Card numbers the simulator treats specially.
const (
	CardDeclined          = "4000000000000002"
	CardInsufficientFunds = "4000000000009995"
	CardThreeDSecure      = "4000000000003220"
)

type session struct {
	gr4vy.Session
	Request gr4vy.SessionRequest
	card    string // the number Secure Fields were given
}

// New returns a simulator trusting tokens signed by pub's private key.
func New(pub *ecdsa.PublicKey, now func() time.Time) *Sim {
	if now == nil {
		now = time.Now
	}
	return &Sim{pub: pub, now: now, sessions: map[string]*session{}, txs: map[string]*gr4vy.Transaction{}, refunds: map[string]*refund{}, redirects: map[string]string{}, replays: map[string][]byte{}}
}

// Calls lists the requests served ("POST /checkout/sessions"), in order.
func (s *Sim) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// EmbedPay plays Gr4vy Embed making its own transaction: it puts card on
// checkout session id and authorizes it there, as Embed does when the
// traveller submits the form, whether or not our session still waits for
// it. It returns the transaction (declined for the declining test cards).
func (s *Sim) EmbedPay(id, card string) (gr4vy.Transaction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.sessions[id]
	if !ok {
		return gr4vy.Transaction{}, fmt.Errorf("gr4vysim: no checkout session %s", id)
	}
	if len(card) < 12 {
		return gr4vy.Transaction{}, fmt.Errorf("gr4vysim: card number %q too short", card)
	}
	cs.PaymentMethod, cs.card = cardMethod(card), card
	amount, _ := strconv.ParseInt(cs.Metadata["faregraph_amount"], 10, 64)
	pm := *cs.PaymentMethod
	tx := &gr4vy.Transaction{Type: "transaction", ID: newID(), Status: gr4vy.TxAuthorized, Intent: "authorize", Amount: amount, AuthorizedAmount: amount,
		Currency: cs.Metadata["faregraph_currency"], CheckoutSessionID: cs.ID, PaymentMethod: &pm}
	testCardOutcome(tx, cs)
	s.txs[tx.ID] = tx
	s.notify("transaction."+tx.Status, tx)
	return *tx, nil
}

// TransactionsIn lists the ids of the transactions in status, oldest
// first.
func (s *Sim) TransactionsIn(status string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{}
	for id, tx := range s.txs {
		if tx.Status == status {
			out = append(out, id)
		}
	}
	slices.Sort(out) // ids are ordered by creation
	return out
}

// SessionRequest returns the body a checkout session was created with.
func (s *Sim) SessionRequest(id string) (gr4vy.SessionRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.sessions[id]
	if !ok {
		return gr4vy.SessionRequest{}, false
	}
	return cs.Request, true
}

// TransactionOf returns the latest transaction of a checkout session.
func (s *Sim) TransactionOf(sessionID string) (gr4vy.Transaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var last *gr4vy.Transaction
	for _, tx := range s.txs {
		if tx.CheckoutSessionID == sessionID && (last == nil || tx.ID > last.ID) {
			last = tx
		}
	}
	if last == nil {
		return gr4vy.Transaction{}, false
	}
	return *last, true
}

var seq struct {
	sync.Mutex
	n int
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	seq.Lock()
	seq.n++
	n := seq.n
	seq.Unlock()
	// Ordered by creation, so TransactionOf finds the latest.
	return fmt.Sprintf("%08d-%s", n, hex.EncodeToString(b[:]))
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, gr4vy.APIError{Status: status, Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id, ok := strings.CutPrefix(r.URL.Path, "/sim/approve/"); ok {
		s.approve(w, r, id)
		return
	}
	if r.URL.Path == ReturnPath {
		// The page a buyer comes back to when no redirect_url of the
		// app's was configured: it only says where the transaction stands.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "transaction %s: %s\n", r.URL.Query().Get("gr4vy_transaction_id"), r.URL.Query().Get("gr4vy_transaction_status"))
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		writeErr(w, http.StatusUnauthorized, "unauthorized", "no bearer token")
		return
	}
	c, err := gr4vy.Verify(s.pub, tok, s.now())
	if err != nil {
		writeErr(w, http.StatusUnauthorized, "unauthorized", "invalid token: "+err.Error())
		return
	}
	need := "*.read"
	if r.Method != http.MethodGet {
		need = "*.write"
	}
	if !contains(c.Scopes, need) {
		writeErr(w, http.StatusForbidden, "forbidden", "the token lacks scope "+need)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, r.Method+" "+r.URL.Path)
	key := r.Header.Get("Idempotency-Key")
	if r.Method == http.MethodPost && key != "" {
		if b, ok := s.replays[r.URL.Path+"\x00"+key]; ok {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(b)
			return
		}
	}
	status, out := s.route(r)
	b, _ := json.Marshal(out)
	if r.Method == http.MethodPost && key != "" && status < 300 {
		s.replays[r.URL.Path+"\x00"+key] = b
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func apiErr(status int, code, msg string) (int, any) {
	return status, gr4vy.APIError{Status: status, Code: code, Message: msg}
}

// route answers a request under s.mu.
func (s *Sim) route(r *http.Request) (int, any) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	dec := json.NewDecoder(r.Body)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/checkout/sessions":
		var req gr4vy.SessionRequest
		if err := dec.Decode(&req); err != nil {
			return apiErr(400, "bad_request", err.Error())
		}
		if err := req.Validate(); err != nil {
			return apiErr(400, "bad_request", err.Error())
		}
		exp := req.ExpiresIn
		if exp == 0 {
			exp = gr4vy.MinExpiresIn
		}
		cs := &session{Request: req, Session: gr4vy.Session{Type: "checkout-session", ID: newID(), CartItems: req.CartItems,
			Metadata: req.Metadata, Airline: req.Airline, ExpiresAt: s.now().Add(time.Duration(exp) * time.Second).Format(time.RFC3339)}}
		s.sessions[cs.ID] = cs
		return 201, cs.Session
	case len(parts) == 3 && parts[0] == "checkout" && parts[1] == "sessions" && r.Method == http.MethodGet:
		cs, ok := s.sessions[parts[2]]
		if !ok {
			return apiErr(404, "not_found", "no checkout session "+parts[2])
		}
		return 200, cs.Session
	case len(parts) == 4 && parts[0] == "checkout" && parts[1] == "sessions" && parts[3] == "fields" && r.Method == http.MethodPut:
		cs, ok := s.sessions[parts[2]]
		if !ok {
			return apiErr(404, "not_found", "no checkout session "+parts[2])
		}
		var body struct {
			PaymentMethod struct{ Number string } `json:"payment_method"`
		}
		if err := dec.Decode(&body); err != nil || len(body.PaymentMethod.Number) < 12 {
			return apiErr(400, "bad_request", "payment_method.number is required")
		}
		cs.PaymentMethod, cs.card = cardMethod(body.PaymentMethod.Number), body.PaymentMethod.Number
		return 204, nil
	case r.Method == http.MethodGet && r.URL.Path == "/transactions":
		// Filtered by checkout_session_id when given, oldest first, one
		// page (limit up to 100, next_cursor null).
		var items []gr4vy.Transaction
		csID := r.URL.Query().Get("checkout_session_id")
		for _, tx := range s.txs {
			if csID == "" || tx.CheckoutSessionID == csID {
				items = append(items, *tx)
			}
		}
		slices.SortFunc(items, func(a, b gr4vy.Transaction) int { return strings.Compare(a.ID, b.ID) })
		if len(items) > 100 {
			items = items[:100]
		}
		return 200, gr4vy.TransactionList{Items: items}
	case r.Method == http.MethodPost && r.URL.Path == "/transactions":
		var req gr4vy.TransactionRequest
		if err := dec.Decode(&req); err != nil {
			return apiErr(400, "bad_request", err.Error())
		}
		cs, ok := s.sessions[req.PaymentMethod.ID]
		if req.PaymentMethod.Method != "checkout-session" || !ok || cs.PaymentMethod == nil {
			return apiErr(400, "bad_request", "payment_method must be a checkout session with a card")
		}
		if req.Intent != "authorize" || req.Amount <= 0 || req.Amount > gr4vy.MaxAmount || len(req.Currency) != 3 {
			return apiErr(400, "bad_request", "intent, amount or currency invalid")
		}
		pm := *cs.PaymentMethod
		tx := &gr4vy.Transaction{Type: "transaction", ID: newID(), Status: gr4vy.TxAuthorized, Intent: req.Intent, Amount: req.Amount, AuthorizedAmount: req.Amount,
			Currency: req.Currency, ExternalIdentifier: req.ExternalIdentifier, CheckoutSessionID: cs.ID, PaymentMethod: &pm}
		switch {
		case cs.card == CardThreeDSecure:
			// Gr4vy runs 3-D Secure only with a redirect_url to come back to.
			if req.PaymentMethod.RedirectURL == "" {
				tx.Status, tx.AuthorizedAmount, tx.ErrorCode, tx.RawResponseDescription = gr4vy.TxDeclined, 0, "authentication_required", "3-D Secure is required and no redirect_url was given."
				break
			}
			tx.Status, tx.AuthorizedAmount = gr4vy.TxBuyerApprovalPending, 0
			pm.ApprovalURL = Base(r) + "/sim/approve/" + tx.ID
			s.redirects[tx.ID] = req.PaymentMethod.RedirectURL
		default:
			testCardOutcome(tx, cs)
		}
		s.txs[tx.ID] = tx
		s.notify("transaction."+tx.Status, tx)
		return 201, tx
	case len(parts) >= 2 && parts[0] == "transactions":
		tx, ok := s.txs[parts[1]]
		if !ok {
			return apiErr(404, "not_found", "no transaction "+parts[1])
		}
		var body struct{ Amount *int64 }
		var raw json.RawMessage
		if r.Method == http.MethodPost {
			_ = dec.Decode(&raw)
			_ = json.Unmarshal(raw, &body)
		}
		switch {
		case len(parts) == 2 && r.Method == http.MethodGet:
			return 200, tx
		case len(parts) == 3 && parts[2] == "capture" && r.Method == http.MethodPost:
			if tx.Status != gr4vy.TxAuthorized {
				return apiErr(409, "invalid_state", "transaction is "+tx.Status)
			}
			amount := tx.AuthorizedAmount
			if body.Amount != nil {
				amount = *body.Amount
			}
			if amount <= 0 || amount > tx.AuthorizedAmount {
				return apiErr(400, "bad_request", fmt.Sprintf("capture amount %d outside 1..%d", amount, tx.AuthorizedAmount))
			}
			tx.Status, tx.CapturedAmount = gr4vy.TxCaptured, amount
			s.captures = append(s.captures, Capture{TransactionID: tx.ID, Amount: amount})
			s.notify("transaction.captured", tx)
			return 200, tx
		case len(parts) == 3 && parts[2] == "void" && r.Method == http.MethodPost:
			if tx.Status != gr4vy.TxAuthorized {
				return apiErr(409, "invalid_state", "transaction is "+tx.Status)
			}
			tx.Status = gr4vy.TxVoided
			s.notify("transaction.voided", tx)
			return 200, tx
		case len(parts) == 3 && parts[2] == "refunds" && r.Method == http.MethodPost:
			if tx.Status != gr4vy.TxCaptured {
				return apiErr(409, "invalid_state", "transaction is "+tx.Status)
			}
			amount := tx.CapturedAmount - tx.RefundedAmount
			if body.Amount != nil {
				amount = *body.Amount
			}
			if amount <= 0 || amount > tx.CapturedAmount-tx.RefundedAmount {
				return apiErr(400, "bad_request", "refund amount exceeds what is refundable")
			}
			var ext struct {
				ExternalIdentifier string `json:"external_identifier"`
			}
			_ = json.Unmarshal(raw, &ext)
			tx.RefundedAmount += amount
			rf := &refund{Refund: gr4vy.Refund{Type: "refund", ID: newID(), TransactionID: tx.ID, Status: "succeeded", Amount: amount,
				Currency: tx.Currency, ExternalIdentifier: ext.ExternalIdentifier}}
			if s.pendingReads > 0 {
				rf.Status, rf.readsLeft = "processing", s.pendingReads
			}
			s.refunds[rf.ID] = rf
			s.notify("refund."+rf.Status, rf.Refund)
			return 201, rf.Refund
		}
	case len(parts) == 2 && parts[0] == "refunds" && r.Method == http.MethodGet:
		rf, ok := s.refunds[parts[1]]
		if !ok {
			return apiErr(404, "not_found", "no refund "+parts[1])
		}
		if rf.Status == "processing" {
			if rf.readsLeft--; rf.readsLeft <= 0 {
				s.settle(rf, true)
			}
		}
		return 200, rf.Refund
	}
	return apiErr(404, "not_found", r.Method+" "+r.URL.Path)
}

// Base is the simulator's own URL as the request r reached it: scheme,
// host and the prefix it is mounted under (a server that serves it under
// /gr4vy with http.StripPrefix, as faregraph simulators does, strips the
// prefix from r.URL.Path but not from r.RequestURI). Every URL the
// simulator hands out (a transaction's approval_url) starts with it.
func Base(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && r.RequestURI != "" {
		prefix = strings.TrimSuffix(u.Path, r.URL.Path)
		if prefix == u.Path {
			prefix = "" // r.URL.Path is not the tail of the request's path
		}
	}
	return scheme + "://" + r.Host + strings.TrimRight(prefix, "/")
}

// ReturnPath is the simulator's own return page (below its Base): where a
// buyer lands after its 3-D Secure page when the server gives it as the
// transaction's redirect_url (GR4VY_REDIRECT_URL; faregraph simulators
// prints it, and the in-process simulator uses it by default). It only
// says where the transaction stands.
const ReturnPath = "/sim/returned"

// approve is the buyer's 3-D Secure page (a transaction's approval_url):
// GET it to pass the challenge, with ?outcome=decline to fail it. The
// transaction is then authorization_succeeded or authorization_declined
// (a webhook says so), and the buyer is sent back to the transaction's
// redirect_url with gr4vy_transaction_id and gr4vy_transaction_status, as
// Gr4vy does (docs.gr4vy.com/guides/features/3ds/hosted).
func (s *Sim) approve(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	tx, ok := s.txs[id]
	if !ok || tx.Status != gr4vy.TxBuyerApprovalPending {
		s.mu.Unlock()
		http.Error(w, "no transaction awaiting approval", http.StatusNotFound)
		return
	}
	s.calls = append(s.calls, r.Method+" /sim/approve")
	if r.URL.Query().Get("outcome") == "decline" {
		tx.Status, tx.ErrorCode, tx.RawResponseDescription = gr4vy.TxDeclined, "authentication_failed", "3-D Secure authentication failed."
	} else {
		tx.Status, tx.AuthorizedAmount = gr4vy.TxAuthorized, tx.Amount
	}
	pm := *tx.PaymentMethod
	pm.ApprovalURL = ""
	tx.PaymentMethod = &pm
	s.notify("transaction."+tx.Status, tx)
	back := s.redirects[id]
	st := tx.Status
	s.mu.Unlock()
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"gr4vy_transaction_id="+id+"&gr4vy_transaction_status="+st, http.StatusSeeOther)
}

// RefundsOf lists the ids of a transaction's refunds, oldest first.
func (s *Sim) RefundsOf(txID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, rf := range s.refunds {
		if rf.TransactionID == txID {
			out = append(out, id)
		}
	}
	slices.Sort(out) // ids are ordered by creation
	return out
}

// cardMethod is the payment method of card number n (at least 12 digits).
func cardMethod(n string) *gr4vy.PaymentMethod {
	pm := &gr4vy.PaymentMethod{Type: "payment-method", ID: newID(), Method: "card", Scheme: "visa", Label: n[len(n)-4:]}
	pm.Details = &struct {
		BIN         string `json:"bin,omitempty"`
		CardType    string `json:"card_type,omitempty"`
		CardCountry string `json:"card_country,omitempty"`
	}{BIN: n[:6], CardType: "credit", CardCountry: "US"}
	return pm
}

// testCardOutcome declines tx for the declining test cards on cs.
func testCardOutcome(tx *gr4vy.Transaction, cs *session) {
	switch {
	case strings.HasSuffix(cs.PaymentMethod.Label, "0002") && strings.HasPrefix(cs.PaymentMethod.Details.BIN, "400000"):
		tx.Status, tx.AuthorizedAmount, tx.ErrorCode, tx.RawResponseDescription = gr4vy.TxDeclined, 0, "generic_decline", "Your card was declined."
	case strings.HasSuffix(cs.PaymentMethod.Label, "9995"):
		tx.Status, tx.AuthorizedAmount, tx.ErrorCode, tx.RawResponseDescription = gr4vy.TxDeclined, 0, "insufficient_funds", "Your card has insufficient funds."
	}
}
