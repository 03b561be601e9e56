// Package paymentstest holds test helpers for code that takes payments: a
// stateful fake of the few Stripe API endpoints payments/stripe uses, for
// saga tests that need an intent to move from created to authorized to
// captured (stripe-mock, the real Stripe OpenAPI server, is stateless and
// cannot do that).
package paymentstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// NewStripeServer starts a fake Stripe API, closed when the test ends. Point
// payments/stripe at it with Config{APIURL: srv.URL, SecretKey: "sk_test_..."}.
//
// It speaks, in Stripe's shapes (API version 2023-10-16):
//
//	POST /v1/customers
//	POST /v1/ephemeral_keys                  (needs the Stripe-Version header)
//	POST /v1/payment_intents
//	GET  /v1/payment_intents/{id}            (expand[]=latest_charge honoured)
//	POST /v1/payment_intents/{id}/confirm    (payment_method=pm_card_...; see Confirm)
//	POST /v1/payment_intents/{id}/capture    (amount_to_capture <= amount_capturable)
//	POST /v1/payment_intents/{id}/cancel
//	POST /v1/refunds                         (payment_intent, amount <= captured - refunded; succeeds at once)
//	GET  /v1/refunds/{id}
//
// It keeps state, answers an unknown intent with 404 resource_missing, a
// transition the intent's status does not allow with 400
// payment_intent_unexpected_state, a capture above the capturable amount
// with 400 amount_too_large, and honours Idempotency-Key as Stripe does: the
// same key with the same request replays the first response (with the
// Idempotent-Replayed header), the same key with another request is a 400
// idempotency_error. Requests need a bearer key.
func NewStripeServer(t testing.TB) *httptest.Server {
	t.Helper()
	f := &fake{
		customers:   map[string]map[string]any{},
		intents:     map[string]*intent{},
		idempotency: map[string]stored{},
		now:         time.Now,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/customers", f.createCustomer)
	mux.HandleFunc("POST /v1/ephemeral_keys", f.createEphemeralKey)
	mux.HandleFunc("POST /v1/payment_intents", f.createIntent)
	mux.HandleFunc("GET /v1/payment_intents/{id}", f.getIntent)
	mux.HandleFunc("POST /v1/payment_intents/{id}/confirm", f.confirm)
	mux.HandleFunc("POST /v1/payment_intents/{id}/capture", f.capture)
	mux.HandleFunc("POST /v1/payment_intents/{id}/cancel", f.cancel)
	mux.HandleFunc("POST /v1/refunds", f.refund)
	mux.HandleFunc("GET /v1/refunds/{id}", f.getRefund)
	mux.HandleFunc("GET /test/3ds/{id}", f.authenticate)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, apiError{Type: "invalid_request_error",
			Message: fmt.Sprintf("Unrecognized request URL (%s: %s).", r.Method, r.URL.Path)})
	})
	srv := httptest.NewServer(f.middleware(mux))
	t.Cleanup(srv.Close)
	return srv
}

// Test payment methods Confirm (and the fake's confirm endpoint) accept,
// named as in Stripe's test mode.
const (
	CardVisa                   = "pm_card_visa"                            // authorizes: visa 4242, credit, US
	CardVisaDebit              = "pm_card_visa_debit"                      // authorizes: visa 5556, debit, US
	CardMastercard             = "pm_card_mastercard"                      // authorizes: mastercard 4444, credit, US
	CardDeclined               = "pm_card_chargeDeclined"                  // card_declined / generic_decline
	CardDeclinedInsufficient   = "pm_card_chargeDeclinedInsufficientFunds" // card_declined / insufficient_funds
	CardDeclinedExpired        = "pm_card_chargeDeclinedExpiredCard"       // expired_card
	CardDeclinedIncorrectCVC   = "pm_card_chargeDeclinedIncorrectCvc"      // incorrect_cvc
	CardDeclinedProcessingFail = "pm_card_chargeDeclinedProcessingError"   // processing_error
	// CardThreeDSecure asks for 3-D Secure: the intent is requires_action
	// with next_action redirect_to_url, the fake's page GET /test/3ds/{id}
	// (?outcome=fail fails the challenge).
	CardThreeDSecure = "pm_card_threeDSecure2Required"
)

type testCard struct {
	brand, last4, funding, country string
	code, declineCode, message     string // set for a decline
	threeDS                        bool   // asks for 3-D Secure
}

var testCards = map[string]testCard{
	CardVisa:                   {brand: "visa", last4: "4242", funding: "credit", country: "US"},
	CardThreeDSecure:           {brand: "visa", last4: "3220", funding: "credit", country: "US", threeDS: true},
	CardVisaDebit:              {brand: "visa", last4: "5556", funding: "debit", country: "US"},
	CardMastercard:             {brand: "mastercard", last4: "4444", funding: "credit", country: "US"},
	CardDeclined:               {brand: "visa", last4: "0002", funding: "credit", country: "US", code: "card_declined", declineCode: "generic_decline", message: "Your card was declined."},
	CardDeclinedInsufficient:   {brand: "visa", last4: "9995", funding: "credit", country: "US", code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds."},
	CardDeclinedExpired:        {brand: "visa", last4: "0069", funding: "credit", country: "US", code: "expired_card", declineCode: "expired_card", message: "Your card has expired."},
	CardDeclinedIncorrectCVC:   {brand: "visa", last4: "0127", funding: "credit", country: "US", code: "incorrect_cvc", declineCode: "incorrect_cvc", message: "Your card's security code is incorrect."},
	CardDeclinedProcessingFail: {brand: "visa", last4: "0119", funding: "credit", country: "US", code: "processing_error", declineCode: "processing_error", message: "An error occurred while processing your card. Try again in a little bit."},
}

// Confirm confirms the intent with one of the test payment methods above,
// as Stripe.js does in the customer's browser, through the server's confirm
// endpoint. It returns the Stripe error code of a decline ("" when the card
// was accepted); any other failure (unknown intent, wrong status, unknown
// payment method) fails the test.
func Confirm(t testing.TB, srv *httptest.Server, intentID, paymentMethod string) (errorCode string) {
	t.Helper()
	form := url.Values{"payment_method": {paymentMethod}}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/payment_intents/"+url.PathEscape(intentID)+"/confirm", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer sk_test_paymentstest")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("paymentstest: confirm %s: %v", intentID, err)
	}
	defer res.Body.Close()
	var body struct {
		Error *apiError `json:"error"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("paymentstest: confirm %s: decode: %v", intentID, err)
	}
	switch {
	case res.StatusCode == http.StatusOK:
		return ""
	case res.StatusCode == http.StatusPaymentRequired && body.Error != nil:
		return body.Error.Code
	}
	t.Fatalf("paymentstest: confirm %s with %s: HTTP %d: %+v", intentID, paymentMethod, res.StatusCode, body.Error)
	return ""
}

type intent struct {
	id, clientSecret, customer, currency, status, captureMethod, description string
	amount, capturable, received, refunded                                   int64
	metadata                                                                 map[string]string
	created, canceledAt                                                      int64
	actionURL                                                                string // next_action.redirect_to_url.url while requires_action
	lastError                                                                *apiError
	charge                                                                   map[string]any
}

type stored struct {
	signature string
	status    int
	body      []byte
}

type fake struct {
	mu          sync.Mutex // serializes every request: state and idempotency stay simple
	seq         int
	customers   map[string]map[string]any
	intents     map[string]*intent
	idempotency map[string]stored
	refunds     map[string]map[string]any
	now         func() time.Time
}

func (f *fake) id(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s_fake%06d", prefix, f.seq)
}

func (f *fake) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The 3-D Secure page is the buyer's browser's: no key.
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer sk_") && !strings.HasPrefix(r.URL.Path, "/test/3ds/") {
			writeError(w, http.StatusUnauthorized, apiError{Type: "invalid_request_error",
				Message: "Invalid API Key provided."})
			return
		}
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Message: err.Error()})
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		key := r.Header.Get("Idempotency-Key")
		if key == "" || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		sig := r.Method + " " + r.URL.Path + "?" + r.PostForm.Encode()
		if prev, ok := f.idempotency[key]; ok {
			if prev.signature != sig {
				writeError(w, http.StatusBadRequest, apiError{Type: "idempotency_error",
					Message: "Keys for idempotent requests can only be used with the same parameters they were first used with."})
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Idempotency-Key", key)
			w.WriteHeader(prev.status)
			_, _ = w.Write(prev.body)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		// Stripe keeps the result of every request that reached the
		// endpoint, errors included.
		f.idempotency[key] = stored{signature: sig, status: rec.Code, body: rec.Body.Bytes()}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Idempotency-Key", key)
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func (f *fake) createCustomer(w http.ResponseWriter, r *http.Request) {
	c := map[string]any{
		"id":       f.id("cus"),
		"object":   "customer",
		"created":  f.now().Unix(),
		"email":    nullable(r.PostForm.Get("email")),
		"name":     nullable(r.PostForm.Get("name")),
		"metadata": metadata(r.PostForm),
		"livemode": false,
	}
	f.customers[c["id"].(string)] = c
	writeJSON(w, http.StatusOK, c)
}

func (f *fake) createEphemeralKey(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Stripe-Version") == "" {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error",
			Message: "Stripe-Version header is required for ephemeral keys."})
		return
	}
	cus := r.PostForm.Get("customer")
	if _, ok := f.customers[cus]; !ok {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "resource_missing",
			Param: "customer", Message: fmt.Sprintf("No such customer: '%s'", cus)})
		return
	}
	now := f.now().Unix()
	id := f.id("ephkey")
	writeJSON(w, http.StatusOK, map[string]any{
		"id":                 id,
		"object":             "ephemeral_key",
		"associated_objects": []map[string]any{{"id": cus, "type": "customer"}},
		"created":            now,
		"expires":            now + 3600,
		"livemode":           false,
		"secret":             "ek_test_" + strings.TrimPrefix(id, "ephkey_"),
	})
}

func (f *fake) createIntent(w http.ResponseWriter, r *http.Request) {
	amount, err := strconv.ParseInt(r.PostForm.Get("amount"), 10, 64)
	if err != nil || amount <= 0 {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "parameter_invalid_integer",
			Param: "amount", Message: "Invalid positive integer"})
		return
	}
	currency := r.PostForm.Get("currency")
	if len(currency) != 3 || strings.ToLower(currency) != currency {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Param: "currency",
			Message: fmt.Sprintf("Invalid currency: %s.", currency)})
		return
	}
	cus := r.PostForm.Get("customer")
	if _, ok := f.customers[cus]; cus != "" && !ok {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "resource_missing",
			Param: "customer", Message: fmt.Sprintf("No such customer: '%s'", cus)})
		return
	}
	captureMethod := r.PostForm.Get("capture_method")
	if captureMethod == "" {
		captureMethod = "automatic"
	}
	in := &intent{
		id:            f.id("pi"),
		customer:      cus,
		currency:      currency,
		status:        "requires_payment_method",
		captureMethod: captureMethod,
		description:   r.PostForm.Get("description"),
		amount:        amount,
		metadata:      metadata(r.PostForm),
		created:       f.now().Unix(),
	}
	in.clientSecret = in.id + "_secret_" + strconv.Itoa(f.seq)
	f.intents[in.id] = in
	writeJSON(w, http.StatusOK, in.object(expanded(r)))
}

func (f *fake) lookup(w http.ResponseWriter, r *http.Request) *intent {
	id := r.PathValue("id")
	in, ok := f.intents[id]
	if !ok {
		writeError(w, http.StatusNotFound, apiError{Type: "invalid_request_error", Code: "resource_missing",
			Param: "intent", Message: fmt.Sprintf("No such payment_intent: '%s'", id)})
		return nil
	}
	return in
}

func (f *fake) getIntent(w http.ResponseWriter, r *http.Request) {
	if in := f.lookup(w, r); in != nil {
		writeJSON(w, http.StatusOK, in.object(expanded(r)))
	}
}

func unexpectedState(w http.ResponseWriter, in *intent, action string) {
	writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "payment_intent_unexpected_state",
		Message: fmt.Sprintf("This PaymentIntent's %s could not be completed because it has a status of %s.", action, in.status),
		intent:  in})
}

func (f *fake) confirm(w http.ResponseWriter, r *http.Request) {
	in := f.lookup(w, r)
	if in == nil {
		return
	}
	if in.status != "requires_payment_method" && in.status != "requires_confirmation" {
		unexpectedState(w, in, "confirmation")
		return
	}
	pm := r.PostForm.Get("payment_method")
	card, ok := testCards[pm]
	if !ok {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "resource_missing",
			Param: "payment_method", Message: fmt.Sprintf("No such PaymentMethod: '%s'", pm)})
		return
	}
	charge := map[string]any{
		"id":              f.id("ch"),
		"object":          "charge",
		"amount":          in.amount,
		"amount_captured": int64(0),
		"currency":        in.currency,
		"payment_intent":  in.id,
		"payment_method":  pm,
		"payment_method_details": map[string]any{
			"type": "card",
			"card": map[string]any{
				"brand": card.brand, "last4": card.last4, "funding": card.funding, "country": card.country,
				"exp_month": 12, "exp_year": f.now().Year() + 3,
			},
		},
	}
	in.charge = charge
	if card.code != "" {
		charge["status"], charge["paid"], charge["captured"] = "failed", false, false
		charge["failure_code"], charge["failure_message"] = card.code, card.message
		in.status = "requires_payment_method"
		in.lastError = &apiError{Type: "card_error", Code: card.code, DeclineCode: card.declineCode,
			Message: card.message, Charge: charge["id"].(string)}
		e := *in.lastError
		e.intent = in
		writeError(w, http.StatusPaymentRequired, e)
		return
	}
	in.lastError = nil
	if card.threeDS {
		in.status, in.actionURL = "requires_action", "http://"+r.Host+"/test/3ds/"+in.id
		delete(charge, "status")
		writeJSON(w, http.StatusOK, in.object(expanded(r)))
		return
	}
	f.authorized(in)
	writeJSON(w, http.StatusOK, in.object(expanded(r)))
}

// authorized completes in's charge as the card authorized it.
func (f *fake) authorized(in *intent) {
	charge := in.charge
	charge["status"], charge["paid"] = "succeeded", true
	if in.captureMethod == "manual" {
		charge["captured"] = false
		in.status, in.capturable = "requires_capture", in.amount
	} else {
		charge["captured"], charge["amount_captured"] = true, in.amount
		in.status, in.received = "succeeded", in.amount
	}
}

// authenticate is the 3-D Secure page of an intent in requires_action
// (its next_action.redirect_to_url): the buyer passes the challenge, or
// fails it with ?outcome=fail, which leaves the intent
// requires_payment_method with last_payment_error
// payment_intent_authentication_failure, as Stripe does. It answers the
// intent; the server learns the change from a webhook.
func (f *fake) authenticate(w http.ResponseWriter, r *http.Request) {
	in, ok := f.intents[r.PathValue("id")]
	if !ok || in.status != "requires_action" {
		writeError(w, http.StatusNotFound, apiError{Type: "invalid_request_error", Message: "no payment intent awaiting authentication"})
		return
	}
	in.actionURL = ""
	if r.URL.Query().Get("outcome") == "fail" {
		in.status = "requires_payment_method"
		in.charge["status"], in.charge["paid"] = "failed", false
		in.lastError = &apiError{Type: "invalid_request_error", Code: "payment_intent_authentication_failure",
			Message: "We are unable to authenticate your payment method. Please choose a different payment method and try again."}
	} else {
		f.authorized(in)
	}
	writeJSON(w, http.StatusOK, in.object(false))
}

func (f *fake) capture(w http.ResponseWriter, r *http.Request) {
	in := f.lookup(w, r)
	if in == nil {
		return
	}
	if in.status != "requires_capture" {
		unexpectedState(w, in, "capture")
		return
	}
	amount := in.capturable
	if s := r.PostForm.Get("amount_to_capture"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "parameter_invalid_integer",
				Param: "amount_to_capture", Message: "Invalid positive integer"})
			return
		}
		if n > in.capturable {
			writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "amount_too_large",
				Param: "amount_to_capture", Message: fmt.Sprintf("The amount to capture (%d) is greater than the amount capturable (%d).", n, in.capturable)})
			return
		}
		amount = n
	}
	in.status, in.received, in.capturable = "succeeded", amount, 0
	in.charge["captured"], in.charge["amount_captured"] = true, amount
	in.charge["amount_refunded"] = in.amount - amount
	writeJSON(w, http.StatusOK, in.object(expanded(r)))
}

func (f *fake) cancel(w http.ResponseWriter, r *http.Request) {
	in := f.lookup(w, r)
	if in == nil {
		return
	}
	switch in.status {
	case "requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing":
	default:
		unexpectedState(w, in, "cancellation")
		return
	}
	in.status, in.capturable, in.canceledAt = "canceled", 0, f.now().Unix()
	writeJSON(w, http.StatusOK, in.object(expanded(r)))
}

func (in *intent) object(expandCharge bool) map[string]any {
	o := map[string]any{
		"id":                        in.id,
		"object":                    "payment_intent",
		"amount":                    in.amount,
		"amount_capturable":         in.capturable,
		"amount_received":           in.received,
		"automatic_payment_methods": map[string]any{"enabled": true},
		"capture_method":            in.captureMethod,
		"client_secret":             in.clientSecret,
		"confirmation_method":       "automatic",
		"created":                   in.created,
		"currency":                  in.currency,
		"customer":                  nullable(in.customer),
		"description":               nullable(in.description),
		"last_payment_error":        nil,
		"latest_charge":             nil,
		"livemode":                  false,
		"metadata":                  in.metadata,
		"payment_method_types":      []string{"card"},
		"status":                    in.status,
	}
	if in.lastError != nil {
		o["last_payment_error"] = in.lastError
	}
	if in.canceledAt != 0 {
		o["canceled_at"] = in.canceledAt
	}
	if in.actionURL != "" {
		o["next_action"] = map[string]any{"type": "redirect_to_url",
			"redirect_to_url": map[string]any{"url": in.actionURL, "return_url": "https://app.example/return"}}
	}
	if in.charge != nil {
		if expandCharge {
			o["latest_charge"] = in.charge
		} else {
			o["latest_charge"] = in.charge["id"]
		}
	}
	return o
}

// expanded reports whether the request asks for latest_charge expanded;
// stripe-go sends expand[0]=latest_charge, others expand[]=latest_charge.
func expanded(r *http.Request) bool {
	for k, vs := range r.Form {
		if k != "expand" && k != "expand[]" && !strings.HasPrefix(k, "expand[") {
			continue
		}
		for _, v := range vs {
			if v == "latest_charge" {
				return true
			}
		}
	}
	return false
}

// metadata collects metadata[k]=v form entries.
func metadata(form url.Values) map[string]string {
	m := map[string]string{}
	for k, vs := range form {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") && len(vs) > 0 {
			m[strings.TrimSuffix(name, "]")] = vs[0]
		}
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type apiError struct {
	Type        string `json:"type"`
	Code        string `json:"code,omitempty"`
	DeclineCode string `json:"decline_code,omitempty"`
	Message     string `json:"message"`
	Param       string `json:"param,omitempty"`
	Charge      string `json:"charge,omitempty"`
	intent      *intent
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	body := map[string]any{}
	b, _ := json.Marshal(e)
	_ = json.Unmarshal(b, &body)
	if e.intent != nil {
		body["payment_intent"] = e.intent.object(false)
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fake) refund(w http.ResponseWriter, r *http.Request) {
	id := r.PostForm.Get("payment_intent")
	in, ok := f.intents[id]
	if !ok {
		writeError(w, http.StatusNotFound, apiError{Type: "invalid_request_error", Code: "resource_missing",
			Param: "payment_intent", Message: fmt.Sprintf("No such payment_intent: '%s'", id)})
		return
	}
	if in.status != "succeeded" {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "charge_not_refundable",
			Message: "This PaymentIntent has no captured charge to refund."})
		return
	}
	amount := in.received - in.refunded
	if s := r.PostForm.Get("amount"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "parameter_invalid_integer",
				Param: "amount", Message: "Invalid positive integer"})
			return
		}
		amount = n
	}
	if amount > in.received-in.refunded {
		writeError(w, http.StatusBadRequest, apiError{Type: "invalid_request_error", Code: "amount_too_large", Param: "amount",
			Message: fmt.Sprintf("Refund amount (%d) is greater than unrefunded amount on charge (%d)", amount, in.received-in.refunded)})
		return
	}
	in.refunded += amount
	re := map[string]any{"id": f.id("re"), "object": "refund", "amount": amount, "currency": in.currency,
		"payment_intent": in.id, "status": "succeeded", "metadata": metadata(r.PostForm), "created": f.now().Unix()}
	if f.refunds == nil {
		f.refunds = map[string]map[string]any{}
	}
	f.refunds[re["id"].(string)] = re
	writeJSON(w, http.StatusOK, re)
}

func (f *fake) getRefund(w http.ResponseWriter, r *http.Request) {
	re, ok := f.refunds[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, apiError{Type: "invalid_request_error", Code: "resource_missing", Param: "id",
			Message: fmt.Sprintf("No such refund: '%s'", r.PathValue("id"))})
		return
	}
	writeJSON(w, http.StatusOK, re)
}
