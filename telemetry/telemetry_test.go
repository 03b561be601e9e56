package telemetry_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
)

// Passenger data of the checkout below; none of it may reach a span.
var secrets = []string{
	"Zoltan", "Quaresma", "zq.traveller@example.org", "+33698765432", "33698765432",
	"X9Y8Z7W6", "1979-11-23", "4242424242424242",
}

type response struct {
	Data   map[string]any   `json:"data"`
	Errors []map[string]any `json:"errors"`
}

func post(t *testing.T, h http.Handler, query string, vars map[string]any) response {
	t.Helper()
	rec := apptest.Post(h, query, vars, "")
	var out response
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%d: %s", rec.Code, rec.Body)
	}
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %v", out.Errors)
	}
	return out
}

// payload returns the checkout session of a mutation's payload, failing
// on user errors.
func payload(t *testing.T, r response, name string) map[string]any {
	t.Helper()
	p := r.Data[name].(map[string]any)
	if ue, _ := p["userErrors"].([]any); len(ue) > 0 {
		t.Fatalf("%s: user errors %v", name, ue)
	}
	return p["checkoutSession"].(map[string]any)
}

// TestSpansCarryNoPassengerData runs a search and a whole checkout through
// the HTTP handler with an in-memory exporter, and checks that the spans
// exist (operations, resolvers, provider HTTP calls, saga steps) and that
// no attribute, event or status holds the passenger's data. The
// passengers are written inline in the query, not in variables, so the
// query text and field arguments are checked too.
func TestSpansCarryNoPassengerData(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	a := apptest.New(t, func(c *app.Config) { c.TracerProvider = tp })
	h := a.Handler

	r := post(t, h, `query Search { searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}}) {
  offers(first: 50) { edges { node { id parts { provider } } } } } }`, nil)
	var offerID string
	for _, e := range r.Data["searchOffers"].(map[string]any)["offers"].(map[string]any)["edges"].([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		parts := n["parts"].([]any)
		if len(parts) == 1 && parts[0].(map[string]any)["provider"] == "citizenplane" {
			offerID = n["id"].(string)
			break
		}
	}
	if offerID == "" {
		t.Fatal("no CitizenPlane offer")
	}
	s := payload(t, post(t, h, `mutation Create($offer: ID!) { createCheckoutSession(input: {offerId: $offer, idempotencyKey: "trace-1",
  passengers: [{type: ADULT, givenName: "Zoltan", familyName: "Quaresma", gender: MALE, dateOfBirth: "1979-11-23",
    email: "zq.traveller@example.org", phoneNumber: "+33698765432",
    document: {number: "X9Y8Z7W6", expiresOn: "2031-01-01", issuingCountry: "FR", nationality: "FR"}}],
  contact: {givenName: "Zoltan", familyName: "Quaresma", email: "zq.traveller@example.org", phoneNumber: "+33698765432"}}) {
  checkoutSession { id } userErrors { field code message } } }`, map[string]any{"offer": offerID}), "createCheckoutSession")
	id := s["id"].(string)
	vars := map[string]any{"id": id}
	steps := []struct{ name, query string }{
		{"holdCheckoutSession", `mutation Hold($id: ID!) { holdCheckoutSession(input: {checkoutSessionId: $id}) { checkoutSession { status } userErrors { code } } }`},
		{"payCheckoutSession", `mutation Pay($id: ID!) { payCheckoutSession(input: {checkoutSessionId: $id, method: CARD}) { checkoutSession { status } userErrors { code } } }`},
		{"confirmSandboxPayment", `mutation Confirm($id: ID!) { confirmSandboxPayment(input: {checkoutSessionId: $id, cardNumber: "4242424242424242"}) { checkoutSession { status } userErrors { code } } }`},
		{"bookCheckoutSession", `mutation Book($id: ID!) { bookCheckoutSession(input: {checkoutSessionId: $id}) { checkoutSession { status airline { passengers { givenName familyName } } buyer { email } } userErrors { code } } }`},
	}
	for _, st := range steps {
		s = payload(t, post(t, h, st.query, vars), st.name)
	}
	if s["status"] != "BOOKED" {
		t.Fatalf("the checkout ended %v", s["status"])
	}
	// A booked session cannot be canceled: the step runs and answers a
	// user error, which is all this test needs of it.
	post(t, h, `mutation Cancel($id: ID!) { cancelCheckoutSession(input: {checkoutSessionId: $id}) { checkoutSession { status } } }`, vars)
	spans := exp.GetSpans()
	byName := map[string]tracetest.SpanStub{}
	var providerCalls = map[string]int{}
	for _, sp := range spans {
		byName[sp.Name] = sp
		if sp.SpanKind == trace.SpanKindClient {
			for _, kv := range sp.Attributes {
				if kv.Key == "url.full" {
					for _, p := range []string{"citizenplane", "liteapi"} {
						if strings.Contains(kv.Value.AsString(), "/"+p+"/") {
							providerCalls[p]++
						}
					}
				}
			}
		}
	}
	for _, want := range []string{
		"Search", "Create", "Hold", "Pay", "Confirm", "Book", "Cancel", // operations
		"Query/searchOffers", "Mutation/createCheckoutSession", "Mutation/bookCheckoutSession", // resolvers
		"checkout.create", "checkout.hold", "checkout.pay", "checkout.book", "checkout.cancel", // saga steps (the reconciler runs the same helper)
	} {
		if _, ok := byName[want]; !ok {
			t.Errorf("no span %q", want)
		}
	}
	if providerCalls["citizenplane"] == 0 || providerCalls["liteapi"] == 0 {
		t.Errorf("provider call spans by provider: %v", providerCalls)
	}
	// Fields read off structs get no span: only resolvers do.
	for name := range byName {
		if strings.HasPrefix(name, "Money/") || strings.HasPrefix(name, "CheckoutSession/status") {
			t.Errorf("a trivial field has a span: %s", name)
		}
	}
	// The book step and the provider calls it makes are one trace.
	book := byName["checkout.book"]
	nested := false
	for _, sp := range spans {
		if sp.SpanKind == trace.SpanKindClient && sp.SpanContext.TraceID() == book.SpanContext.TraceID() {
			nested = true
		}
	}
	if !nested {
		t.Error("the book step's provider calls are not in its trace")
	}

	for _, sp := range spans {
		texts := []string{sp.Name, sp.Status.Description}
		for _, kv := range sp.Attributes {
			texts = append(texts, string(kv.Key)+"="+kv.Value.Emit())
		}
		for _, ev := range sp.Events {
			texts = append(texts, ev.Name)
			for _, kv := range ev.Attributes {
				texts = append(texts, string(kv.Key)+"="+kv.Value.Emit())
			}
		}
		for _, text := range texts {
			for _, secret := range secrets {
				if strings.Contains(text, secret) {
					t.Errorf("span %q carries passenger data %q in %.200s", sp.Name, secret, text)
				}
			}
		}
	}
}
