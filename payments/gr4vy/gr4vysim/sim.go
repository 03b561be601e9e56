// Package gr4vysim simulates the part of Gr4vy's HTTP API the gr4vy
// gateway uses (see ../CONTRACT.md), in memory: it verifies each bearer
// token (ES512, kid, validity, scopes) with the merchant's public key,
// validates checkout sessions against the documented limits, replays
// idempotent POSTs, and keeps checkout sessions and transactions
// (authorized, captured in part or in full, voided, refunded).
// Test cards for PUT /checkout/sessions/{id}/fields: 4000000000000002 is
// declined, 4000000000009995 has insufficient funds, any other authorizes.
package gr4vysim

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
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

	mu       sync.Mutex
	sessions map[string]*session
	txs      map[string]*gr4vy.Transaction
	replays  map[string][]byte
	calls    []string
}

type session struct {
	gr4vy.Session
	Request gr4vy.SessionRequest
}

// New returns a simulator trusting tokens signed by pub's private key.
func New(pub *ecdsa.PublicKey, now func() time.Time) *Sim {
	if now == nil {
		now = time.Now
	}
	return &Sim{pub: pub, now: now, sessions: map[string]*session{}, txs: map[string]*gr4vy.Transaction{}, replays: map[string][]byte{}}
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
	cs.PaymentMethod = cardMethod(card)
	amount, _ := strconv.ParseInt(cs.Metadata["faregraph_amount"], 10, 64)
	tx := s.authorizeLocked(cs, amount, cs.Metadata["faregraph_currency"], "")
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
	sort.Strings(out)
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
		cs.PaymentMethod = cardMethod(body.PaymentMethod.Number)
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
		sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
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
		return 201, s.authorizeLocked(cs, req.Amount, req.Currency, req.ExternalIdentifier)
	case len(parts) >= 2 && parts[0] == "transactions":
		tx, ok := s.txs[parts[1]]
		if !ok {
			return apiErr(404, "not_found", "no transaction "+parts[1])
		}
		var body struct{ Amount *int64 }
		if r.Method == http.MethodPost {
			_ = dec.Decode(&body)
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
			return 200, tx
		case len(parts) == 3 && parts[2] == "void" && r.Method == http.MethodPost:
			if tx.Status != gr4vy.TxAuthorized {
				return apiErr(409, "invalid_state", "transaction is "+tx.Status)
			}
			tx.Status = gr4vy.TxVoided
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
			tx.RefundedAmount += amount
			return 201, gr4vy.Refund{Type: "refund", ID: newID(), TransactionID: tx.ID, Status: "succeeded", Amount: amount, Currency: tx.Currency}
		}
	}
	return apiErr(404, "not_found", r.Method+" "+r.URL.Path)
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

// authorizeLocked makes a transaction of amount on cs's card: authorized,
// or declined for the declining test cards. The caller holds s.mu.
func (s *Sim) authorizeLocked(cs *session, amount int64, currency, external string) *gr4vy.Transaction {
	tx := &gr4vy.Transaction{Type: "transaction", ID: newID(), Status: gr4vy.TxAuthorized, Amount: amount, AuthorizedAmount: amount,
		Currency: currency, ExternalIdentifier: external, CheckoutSessionID: cs.ID, PaymentMethod: cs.PaymentMethod}
	switch {
	case strings.HasSuffix(cs.PaymentMethod.Label, "0002") && strings.HasPrefix(cs.PaymentMethod.Details.BIN, "400000"):
		tx.Status, tx.AuthorizedAmount, tx.ErrorCode, tx.RawResponseDescription = gr4vy.TxDeclined, 0, "generic_decline", "Your card was declined."
	case strings.HasSuffix(cs.PaymentMethod.Label, "9995"):
		tx.Status, tx.AuthorizedAmount, tx.ErrorCode, tx.RawResponseDescription = gr4vy.TxDeclined, 0, "insufficient_funds", "Your card has insufficient funds."
	}
	s.txs[tx.ID] = tx
	return tx
}
