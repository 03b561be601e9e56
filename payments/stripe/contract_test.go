package stripe_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v76"

	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/payments/stripe"
)

// request is one HTTP request the gateway sent, as the recorder saw it.
type request struct {
	Method, Path   string
	Form           url.Values // the form body of a POST, the query of a GET
	IdempotencyKey string
	StripeVersion  string
}

// recorder is an http.RoundTripper that remembers every request.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []request
}

func newRecorder() *recorder { return &recorder{next: http.DefaultTransport} }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	form := req.URL.Query()
	if req.Method == http.MethodPost {
		var err error
		if form, err = url.ParseQuery(string(body)); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, request{
		Method: req.Method, Path: req.URL.Path, Form: form,
		IdempotencyKey: req.Header.Get("Idempotency-Key"),
		StripeVersion:  req.Header.Get("Stripe-Version"),
	})
	r.mu.Unlock()
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	clone.ContentLength = int64(len(body))
	return r.next.RoundTrip(clone)
}

// take returns the requests recorded since the last take.
func (r *recorder) take() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	reqs := r.reqs
	r.reqs = nil
	return reqs
}

func newGateway(t *testing.T, apiURL string) (*stripe.Gateway, *recorder) {
	t.Helper()
	rec := newRecorder()
	g, err := stripe.New(stripe.Config{
		SecretKey:     "sk_test_faregraph",
		APIURL:        apiURL,
		WebhookSecret: "whsec_test",
		HTTPClient:    &http.Client{Transport: rec, Timeout: 20 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return g, rec
}

// want checks one recorded request.
type want struct {
	method, path   string
	idempotencyKey string
	form           map[string]string // entries that must be in the form, exactly
	stripeVersion  string
}

func checkRequests(t *testing.T, got []request, wants ...want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Errorf("%d requests, want %d: %+v", len(got), len(wants), got)
		return
	}
	for i, w := range wants {
		g := got[i]
		if g.Method != w.method || g.Path != w.path {
			t.Errorf("request %d: %s %s, want %s %s", i, g.Method, g.Path, w.method, w.path)
		}
		if g.IdempotencyKey != w.idempotencyKey {
			t.Errorf("request %d %s: Idempotency-Key %q, want %q", i, g.Path, g.IdempotencyKey, w.idempotencyKey)
		}
		if w.stripeVersion != "" && g.StripeVersion != w.stripeVersion {
			t.Errorf("request %d %s: Stripe-Version %q, want %q", i, g.Path, g.StripeVersion, w.stripeVersion)
		}
		for k, v := range w.form {
			if got := g.Form.Get(k); got != v {
				t.Errorf("request %d %s: form %s = %q, want %q (form %v)", i, g.Path, k, got, v, g.Form)
			}
		}
	}
}

// contract runs the request-shape checks shared by stripe-mock and the
// stateful fake. authorize, when not nil, moves an intent to requires_capture
// (stripe-mock is stateless and needs none).
func contract(t *testing.T, g *stripe.Gateway, rec *recorder, authorize func(t *testing.T, id string)) {
	ctx := context.Background()
	if g.Name() != "stripe" {
		t.Errorf("Name = %q", g.Name())
	}

	var in *payments.Intent
	t.Run("create", func(t *testing.T) {
		var err error
		in, err = g.CreateIntent(ctx, payments.CreateRequest{
			Key: "cs_contract1", Amount: 12990, Currency: "EUR",
			Email: "ada@example.com", Name: "Ada Lovelace", Description: "faregraph checkout cs_contract1",
			Metadata: map[string]string{"group": "grp_1"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if in.ID == "" || in.ClientSecret == "" || in.CustomerID == "" || in.Amount != 12990 || in.Currency != "EUR" {
			t.Errorf("intent = %+v", in)
		}
		reqs := rec.take()
		checkRequests(t, reqs,
			want{method: "POST", path: "/v1/customers", idempotencyKey: "cus:cs_contract1", form: map[string]string{
				"email": "ada@example.com", "name": "Ada Lovelace",
				"metadata[faregraph_key]": "cs_contract1", "metadata[group]": "grp_1",
			}},
			want{method: "POST", path: "/v1/ephemeral_keys", idempotencyKey: "ek:cs_contract1", stripeVersion: "2023-10-16",
				form: map[string]string{"customer": in.CustomerID}},
			want{method: "POST", path: "/v1/payment_intents", idempotencyKey: "pi:cs_contract1", form: map[string]string{
				"amount":                             "12990",
				"currency":                           "eur",
				"customer":                           in.CustomerID,
				"capture_method":                     "manual",
				"automatic_payment_methods[enabled]": "true",
				"metadata[faregraph_key]":            "cs_contract1",
				"metadata[group]":                    "grp_1",
				"description":                        "faregraph checkout cs_contract1",
			}},
		)
	})
	if in == nil {
		t.FailNow()
	}

	t.Run("get", func(t *testing.T) {
		got, err := g.GetIntent(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != in.ID {
			t.Errorf("GetIntent(%s).ID = %s", in.ID, got.ID)
		}
		checkRequests(t, rec.take(), want{method: "GET", path: "/v1/payment_intents/" + in.ID,
			form: map[string]string{"expand[0]": "latest_charge"}})
	})

	t.Run("capture", func(t *testing.T) {
		if authorize != nil {
			authorize(t, in.ID)
		}
		got, err := g.Capture(ctx, in.ID, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != in.ID {
			t.Errorf("Capture(%s).ID = %s", in.ID, got.ID)
		}
		checkRequests(t, rec.take(), want{method: "POST", path: "/v1/payment_intents/" + in.ID + "/capture",
			idempotencyKey: "capture:" + in.ID + ":10000",
			form:           map[string]string{"amount_to_capture": "10000", "expand[0]": "latest_charge"}})
	})

	t.Run("cancel", func(t *testing.T) {
		other, err := g.CreateIntent(ctx, payments.CreateRequest{Key: "cs_contract2", Amount: 5000, Currency: "usd"})
		if err != nil {
			t.Fatal(err)
		}
		rec.take()
		got, err := g.Cancel(ctx, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != other.ID {
			t.Errorf("Cancel(%s).ID = %s", other.ID, got.ID)
		}
		checkRequests(t, rec.take(), want{method: "POST", path: "/v1/payment_intents/" + other.ID + "/cancel",
			idempotencyKey: "cancel:" + other.ID})
	})

	t.Run("detached from the caller's cancellation", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := g.GetIntent(cctx, in.ID); err != nil {
			t.Errorf("GetIntent on a canceled context: %v", err)
		}
		rec.take()
	})
}

func TestStripeGoAPIVersion(t *testing.T) {
	// The ephemeral key's version and webhook events must match stripe-go's.
	if stripego.APIVersion != "2023-10-16" {
		t.Fatalf("stripe-go speaks %s; the ephemeral keys and webhooks here assume 2023-10-16", stripego.APIVersion)
	}
}

func TestNewNeedsSecretKey(t *testing.T) {
	if _, err := stripe.New(stripe.Config{}); err == nil {
		t.Fatal("New without a secret key succeeded")
	}
}

func TestCreateIntentValidates(t *testing.T) {
	g, rec := newGateway(t, "http://127.0.0.1:1") // never reached
	for _, r := range []payments.CreateRequest{
		{Amount: 100, Currency: "EUR"},
		{Key: "k", Amount: 0, Currency: "EUR"},
		{Key: "k", Amount: 100, Currency: "EURO"},
		{Key: strings.Repeat("k", payments.MaxKeyLength+1), Amount: 100, Currency: "EUR"},
	} {
		if _, err := g.CreateIntent(context.Background(), r); err == nil {
			t.Errorf("CreateIntent(%+v) succeeded", r)
		}
	}
	if reqs := rec.take(); len(reqs) != 0 {
		t.Errorf("invalid requests reached Stripe: %+v", reqs)
	}
}
