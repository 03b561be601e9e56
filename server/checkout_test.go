package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/app/apptest"
	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/providers/sim"
)

const flowSearch = `query($p: [String!]) { searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}, providers: $p}) {
  offers(first: 1) { edges { node { id totalPrice { amount currencyCode } parts { provider } ancillaries { id kind price { amount } } } } } } }`

const sessionFields = `checkoutSession { id status total { amount currencyCode } holdExpiresAt expiresAt groupIdentifier bookingReferences bookingCodes
  items { name quantity unitAmount { amount } discountAmount { amount } taxAmount { amount } total { amount } productType }
  payment { method status amount { amount } capturedAmount { amount } clientSecret ephemeralKey customerId card { scheme last4 bin cardType country } }
  bookings { id reference provider providerReference status total { amount } groupIdentifier locators flights { departureAt segments { carrierCode flightNumber departureAt } } }
  airline { legs { carrierCode flightNumber fareAmount { amount } taxAmount { amount } routeType bookingReference bookingCode } passengers { type givenName familyName } locators pnrs }
  buyer { email } events { from to event } }
  userErrors { field code message }`

var passengerVars = []any{map[string]any{
	"type": "ADULT", "givenName": "Ana", "familyName": "Martin", "gender": "FEMALE", "dateOfBirth": "1985-03-02",
	"document": map[string]any{"number": "P1234567", "expiresOn": "2031-01-01", "issuingCountry": "FR", "nationality": "FR"},
}}

var contactVars = map[string]any{"givenName": "Ana", "familyName": "Martin", "email": "ana@example.com", "phoneNumber": "+33612345678"}

// postAs posts with an API key.
func postAs(t testing.TB, h http.Handler, key, query string, vars map[string]any) gqlResponse {
	t.Helper()
	return decodeResponse(t, apptest.Post(h, query, vars, key))
}

func mutate(t *testing.T, h http.Handler, key, name, input string, vars map[string]any) map[string]any {
	t.Helper()
	r := postAs(t, h, key, `mutation($in: `+input+`!) { `+name+`(input: $in) { `+sessionFields+` } }`, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", name, r.Errors)
	}
	p := r.Data[name].(map[string]any)
	if ue := p["userErrors"].([]any); len(ue) > 0 {
		t.Fatalf("%s: user errors %v", name, ue)
	}
	return p["checkoutSession"].(map[string]any)
}

func TestCheckoutThroughGraphQL(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	r := post(t, h, flowSearch, map[string]any{"p": []string{"citizenplane"}})
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
	bag := dig(offer, "ancillaries", 0).(map[string]any)
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars, "idempotencyKey": "c-1",
		"ancillaries": []any{map[string]any{"ancillaryId": bag["id"], "passengerIndex": 0, "quantity": 1}},
		"metadata":    []any{map[string]any{"key": "cart", "value": "42"}},
	}})
	if s["status"] != "OPEN" || len(s["items"].([]any)) != 2 {
		t.Fatalf("created: %v", s)
	}
	// Cart lines add up to the total, in minor units shown as decimals.
	var sum int64
	for _, it := range s["items"].([]any) {
		amt := dig(it, "total", "amount").(string)
		sum += cents(t, amt)
	}
	if sum != cents(t, dig(s, "total", "amount").(string)) || sum != cents(t, dig(offer, "totalPrice", "amount").(string))+cents(t, dig(bag, "price", "amount").(string)) {
		t.Errorf("items sum %d, total %v", sum, dig(s, "total", "amount"))
	}
	if tax := dig(s, "items", 0, "taxAmount", "amount").(string); cents(t, tax) <= 0 || dig(s, "airline", "legs", 0, "fareAmount", "amount") == dig(s, "items", 0, "total", "amount") {
		t.Errorf("the flight line shows no tax (%s) or the leg's fare includes it: %v", tax, s["airline"])
	}
	id := s["id"].(string)
	in := map[string]any{"in": map[string]any{"checkoutSessionId": id}}
	s = mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", in)
	if s["status"] != "HELD" || s["holdExpiresAt"] == nil {
		t.Fatalf("held: %v", s)
	}
	s = mutate(t, h, "", "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id, "method": "CARD"}})
	if s["status"] != "PAYMENT_PENDING" || dig(s, "payment", "clientSecret") == nil || dig(s, "payment", "customerId") == nil || dig(s, "payment", "ephemeralKey") == nil {
		t.Fatalf("paying: %v", s["payment"])
	}
	s = mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"}})
	if s["status"] != "AUTHORIZED" || dig(s, "payment", "card", "last4") != "4242" {
		t.Fatalf("authorized: %v", s["payment"])
	}
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", in)
	if s["status"] != "BOOKED" || len(s["bookingReferences"].([]any)) != 1 || dig(s, "payment", "capturedAmount", "amount") != dig(s, "total", "amount") {
		t.Fatalf("booked: %v", s)
	}
	if dig(s, "airline", "legs", 0, "bookingReference") != dig(s, "bookingReferences", 0) || dig(s, "bookings", 0, "flights") == nil {
		t.Errorf("airline addendum and bookings: %v %v", s["airline"], s["bookings"])
	}
	// The deprecated names answer what their replacements do.
	for _, names := range [][2][]any{
		{{"bookingCodes"}, {"bookingReferences"}},
		{{"airline", "legs", 0, "bookingCode"}, {"airline", "legs", 0, "bookingReference"}},
		{{"airline", "pnrs"}, {"airline", "locators"}},
	} {
		if old, now := dig(s, names[0]...), dig(s, names[1]...); fmt.Sprint(old) != fmt.Sprint(now) {
			t.Errorf("deprecated %v = %v, %v = %v", names[0], old, names[1], now)
		}
	}

	// The booking reads back with the provider's latest flight times.
	bk := dig(s, "bookings", 0).(map[string]any)
	before := dig(bk, "flights", 0, "departureAt").(string)
	seg := dig(bk, "flights", 0, "segments", 0).(map[string]any)
	segDep, err := time.Parse(time.RFC3339, seg["departureAt"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Simulators["citizenplane"].ShiftSchedule(sim.FlightOf(seg["carrierCode"].(string), seg["flightNumber"].(string), segDep), 45*time.Minute); err != nil {
		t.Fatal(err)
	}
	r = post(t, h, `query($id: ID!) { booking(id: $id) { reference flights { departureAt } } bookings(first: 5) { totalCount edges { node { id reference } } } }`, map[string]any{"id": bk["id"]})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	after := dig(r.Data, "booking", "flights", 0, "departureAt").(string)
	b, _ := time.Parse(time.RFC3339, before)
	af, _ := time.Parse(time.RFC3339, after)
	if af.Sub(b) != 45*time.Minute {
		t.Errorf("flight read back at %s, booked at %s: want 45 minutes later", after, before)
	}
	if dig(r.Data, "bookings", "totalCount") != float64(1) || dig(r.Data, "bookings", "edges", 0, "node", "reference") != bk["reference"] {
		t.Errorf("bookings = %v", r.Data["bookings"])
	}

	// Replaying the create with its key answers the same session.
	again := postAs(t, h, "", `mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { checkoutSession { id status } userErrors { code } } }`,
		map[string]any{"in": map[string]any{"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars, "idempotencyKey": "c-1",
			"ancillaries": []any{map[string]any{"ancillaryId": bag["id"], "passengerIndex": 0, "quantity": 1}},
			"metadata":    []any{map[string]any{"key": "cart", "value": "42"}}}})
	if dig(again.Data, "createCheckoutSession", "checkoutSession", "id") != id {
		t.Errorf("replay: %v", again.Data)
	}
}

// offerParts reads the first part of an offer id as the server sees it.
func offerParts(t *testing.T, a *app.App, id string) map[string]any {
	o, err := a.Search.DecodeOffer(id)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{"ref": o.Parts[0].Ref}
}

func cents(t *testing.T, s string) int64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return int64(f*100 + 0.5)
}

func TestProductionNeedsKeysAndScopes(t *testing.T) {
	a := newTestApp(t, func(c *app.Config) {
		c.Development, c.AllowSimulators, c.AllowSandboxPayments, c.Introspection = false, true, true, false
	})
	h := a.Handler
	ctx := context.Background()
	r := postAs(t, h, "", flowSearch, nil)
	if len(r.Errors) == 0 || r.codes()[0] != "UNAUTHENTICATED" {
		t.Fatalf("anonymous search in production: %+v", r.Errors)
	}
	if r := postAs(t, h, "fg_nope_nope", flowSearch, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("bad key: %d", r.Status)
	}
	reader, err := a.Auth.CreateKey(ctx, "acme", []string{auth.ScopeOffersRead}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	writer, _ := a.Auth.CreateKey(ctx, "acme", auth.AllScopes, time.Now())
	other, _ := a.Auth.CreateKey(ctx, "globex", auth.AllScopes, time.Now())

	r = postAs(t, h, reader, flowSearch, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("search with offers:read: %+v", r.Errors)
	}
	offerID := dig(r.Data, "searchOffers", "offers", "edges", 0, "node", "id")
	create := `mutation($in: CreateCheckoutSessionInput!) { createCheckoutSession(input: $in) { checkoutSession { id } userErrors { code } } }`
	vars := map[string]any{"in": map[string]any{"offerId": offerID, "passengers": passengerVars, "contact": contactVars}}
	if r := postAs(t, h, reader, create, vars); len(r.Errors) == 0 || r.codes()[0] != "FORBIDDEN" {
		t.Errorf("create without checkout:write: %+v", r.Errors)
	}
	// Sessions are listed with bookings:read too (README): the refusal
	// names both scopes, not only checkout:write.
	if r := postAs(t, h, reader, `{ checkoutSessions(first: 5) { totalCount } }`, nil); len(r.Errors) != 1 || r.codes()[0] != "FORBIDDEN" ||
		r.Errors[0].Message != "the API key does not grant checkout:write or bookings:read" {
		t.Errorf("checkoutSessions with offers:read: %+v", r.Errors)
	}
	r = postAs(t, h, writer, create, vars)
	id := dig(r.Data, "createCheckoutSession", "checkoutSession", "id")
	if id == nil {
		t.Fatalf("create: %+v %v", r.Errors, r.Data)
	}
	// Another tenant sees it exactly as an unknown id.
	read := `query($id: ID!) { checkoutSession(id: $id) { id } node(id: $id) { id } }`
	mine := postAs(t, h, writer, read, map[string]any{"id": id})
	theirs := postAs(t, h, other, read, map[string]any{"id": id})
	unknown := postAs(t, h, other, read, map[string]any{"id": "Q2hlY2tvdXRTZXNzaW9uOmNzX25vcGU"})
	if dig(mine.Data, "checkoutSession", "id") != id || dig(mine.Data, "node", "id") != id {
		t.Errorf("owner reads: %v", mine.Data)
	}
	tj, _ := json.Marshal(theirs)
	uj, _ := json.Marshal(unknown)
	if string(tj) != string(uj) {
		t.Errorf("another tenant's id answers %s, an unknown id %s", tj, uj)
	}
	hold := `mutation($id: ID!) { holdCheckoutSession(input: {checkoutSessionId: $id}) { checkoutSession { id } userErrors { code field } } }`
	r = postAs(t, h, other, hold, map[string]any{"id": id})
	if dig(r.Data, "holdCheckoutSession", "checkoutSession") != nil || dig(r.Data, "holdCheckoutSession", "userErrors", 0, "code") != "NOT_FOUND" {
		t.Errorf("another tenant holds: %v", r.Data)
	}
	if r := postAs(t, h, writer, `{ __schema { types { name } } }`, nil); len(r.Errors) == 0 || r.codes()[0] != "INTROSPECTION_DISABLED" {
		t.Errorf("introspection in production: %+v", r.Errors)
	}
	// Credit line: none, then set, readable by the tenant.
	if r := postAs(t, h, writer, `{ creditLine { available { amount } } }`, nil); dig(r.Data, "creditLine") != nil {
		t.Errorf("creditLine = %v", r.Data)
	}
}

// TestConvertedOfferBooks: a CitizenPlane offer (EUR only) searched in USD
// is shown converted, held and booked at the provider's own EUR price, and
// the traveller is charged the converted USD total.
func TestConvertedOfferBooks(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	r := post(t, h, `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}, currencyCode: "USD", providers: ["citizenplane"]}) {
  offers(first: 1) { edges { node { id totalPrice { amount currencyCode } providerTotalPrice { amount currencyCode } } } } } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
	if dig(offer, "totalPrice", "currencyCode") != "USD" || dig(offer, "providerTotalPrice", "currencyCode") != "EUR" {
		t.Fatalf("offer not converted: %v", offer)
	}
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars, "idempotencyKey": "usd-1"}})
	id := s["id"].(string)
	in := map[string]any{"in": map[string]any{"checkoutSessionId": id}}
	if s = mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", in); s["status"] != "HELD" {
		t.Fatalf("held: %v", s)
	}
	mutate(t, h, "", "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id, "method": "CARD"}})
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"}})
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", in)
	if s["status"] != "BOOKED" || dig(s, "total", "currencyCode") != "USD" || dig(s, "total", "amount") != dig(offer, "totalPrice", "amount") ||
		dig(s, "payment", "capturedAmount", "amount") != dig(s, "total", "amount") {
		t.Fatalf("booked: %v %v %v", s["status"], s["total"], s["payment"])
	}
}
