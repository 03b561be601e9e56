package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/faregraph/faregraph/app"
	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/db/dbtest"
)

// TestTenantSettlementDefaults: a tenant's default settlement per provider
// (set by the operator) decides how a session's parts settle when the
// session does not say; an explicit settlement wins; a default the
// provider no longer supports is a user error naming settlements; and
// Query.settlementDefaults shows the tenant its own. On SQLite, and on
// Postgres when FAREGRAPH_TEST_DATABASE_URL is set.
func TestTenantSettlementDefaults(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { tenantSettlementDefaults(t, newTestApp(t, nil)) })
	t.Run("postgres", func(t *testing.T) {
		url := dbtest.PostgresURL(t)
		tenantSettlementDefaults(t, newTestApp(t, func(c *app.Config) { c.DatabaseURL = url }))
	})
}

const defaultsQuery = `{ settlementDefaults { provider mode configured supportedModes } }`

func tenantSettlementDefaults(t *testing.T, a *app.App) {
	h := a.Handler
	ctx := t.Context()
	r := post(t, h, defaultsQuery, nil)
	want := `[map[configured:false mode:MERCHANT provider:citizenplane supportedModes:[MERCHANT CARD_FORWARD]] map[configured:false mode:MERCHANT provider:liteapi supportedModes:[MERCHANT PROVIDER_INTENT]]]`
	if len(r.Errors) > 0 || fmtJSON(r.Data["settlementDefaults"]) != want {
		t.Fatalf("defaults before any is set: %v %+v", r.Data, r.Errors)
	}
	var ts db.Tenants
	if err := ts.SetSettlement(ctx, a.DB, auth.SandboxTenant, "liteapi", "PROVIDER_INTENT", time.Now()); err != nil {
		t.Fatal(err)
	}
	// Setting it again is the same row, not a second one.
	if err := ts.SetSettlement(ctx, a.DB, auth.SandboxTenant, "liteapi", "PROVIDER_INTENT", time.Now()); err != nil {
		t.Fatal(err)
	}
	r = post(t, h, defaultsQuery, nil)
	if dig(r.Data, "settlementDefaults", 1, "mode") != "PROVIDER_INTENT" || dig(r.Data, "settlementDefaults", 1, "configured") != true ||
		dig(r.Data, "settlementDefaults", 0, "configured") != false {
		t.Fatalf("defaults after set: %v %+v", r.Data, r.Errors)
	}

	offer := dig(post(t, h, flowSearch, map[string]any{"p": []string{"liteapi"}}).Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
	create := func(extra map[string]any) (map[string]any, []any) {
		in := map[string]any{"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars}
		for k, v := range extra {
			in[k] = v
		}
		return settle(t, h, "createCheckoutSession", "CreateCheckoutSessionInput", in)
	}
	// The default applies: the hold asks LiteAPI for its intent.
	s, ue := create(nil)
	if len(ue) > 0 || dig(s, "parts", 0, "settlement") != "PROVIDER_INTENT" {
		t.Fatalf("by default: %v %v", s, ue)
	}
	s = mustSettle(t, h, "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"checkoutSessionId": s["id"]})
	if dig(s, "paymentActions", 0, "kind") != "CONFIRM_PROVIDER_INTENT" || dig(s, "paymentActions", 0, "transactionId") == nil {
		t.Errorf("held by default: %v", s["paymentActions"])
	}
	// An explicit settlement wins over the default.
	s, ue = create(map[string]any{"settlements": []any{map[string]any{"provider": "liteapi", "mode": "MERCHANT"}}})
	if len(ue) > 0 || dig(s, "parts", 0, "settlement") != "MERCHANT" {
		t.Fatalf("explicit MERCHANT: %v %v", s, ue)
	}
	// A default the provider does not support (stored before a change of
	// the provider's modes): refused, naming settlements and the way out.
	if err := ts.SetSettlement(ctx, a.DB, auth.SandboxTenant, "liteapi", "CARD_FORWARD", time.Now()); err != nil {
		t.Fatal(err)
	}
	_, ue = create(nil)
	if len(ue) != 1 || joinField(dig(ue, 0, "field")) != "input.settlements" || !strings.Contains(dig(ue, 0, "message").(string), "liteapi does not support") {
		t.Errorf("unsupported default: %v", ue)
	}
	// ... unless the session says how the provider settles.
	if s, ue = create(map[string]any{"settlements": []any{map[string]any{"provider": "liteapi", "mode": "PROVIDER_INTENT"}}}); len(ue) > 0 {
		t.Errorf("explicit over an unsupported default: %v", ue)
	}
	// An explicit mode the provider does not support names its field.
	if _, ue = create(map[string]any{"settlements": []any{map[string]any{"provider": "liteapi", "mode": "CARD_FORWARD"}}}); len(ue) != 1 ||
		joinField(dig(ue, 0, "field")) != "input.settlements.0.mode" {
		t.Errorf("explicit CARD_FORWARD for liteapi: %v", ue)
	}
}

var referenceRe = regexp.MustCompile(`^[A-HJ-NP-Z2-9]{6}$`)

// TestOneStepCheckoutReferences: the one-step checkout answers a booking
// reference per part at once (Wink's bookingCodes), each part shows its
// own, and booking keeps them: the bookings carry the same references,
// with the provider's references and locators next to them. A replay of
// the same request answers the same references.
func TestOneStepCheckoutReferences(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	offer := mixedOffer(t, post(t, h, mixedSearch, nil))
	in := map[string]any{"offerId": offer["id"], "passengers": passengerVars, "contact": contactVars, "method": "CARD", "idempotencyKey": "one-step-refs"}
	const fields = `checkoutSession { id status groupIdentifier bookingReferences bookingCodes parts { index provider reference }
	  payment { clientSecret ephemeralKey customerId } bookings { reference providerReference locators } } userErrors { field message }`
	one := func() map[string]any {
		r := post(t, h, `mutation($in: CheckoutInput!) { checkout(input: $in) { `+fields+` } }`, map[string]any{"in": in})
		if len(r.Errors) > 0 || len(dig(r.Data, "checkout", "userErrors").([]any)) > 0 {
			t.Fatalf("checkout: %+v %v", r.Errors, r.Data)
		}
		return dig(r.Data, "checkout", "checkoutSession").(map[string]any)
	}
	s := one()
	refs := s["bookingReferences"].([]any)
	if len(refs) != 2 || refs[0] == refs[1] || fmtJSON(s["bookingCodes"]) != fmtJSON(refs) || s["groupIdentifier"] == "" ||
		dig(s, "payment", "clientSecret") == nil || dig(s, "payment", "ephemeralKey") == nil || dig(s, "payment", "customerId") == nil {
		t.Fatalf("one-step answer: %v", s)
	}
	for i, ref := range refs {
		if !referenceRe.MatchString(ref.(string)) || dig(s, "parts", i, "reference") != ref {
			t.Errorf("part %d reference %v, bookingReferences %v", i, dig(s, "parts", i, "reference"), refs)
		}
	}
	if again := one(); fmtJSON(again["bookingReferences"]) != fmtJSON(refs) {
		t.Errorf("replayed: %v, first %v", again["bookingReferences"], refs)
	}
	id := s["id"]
	mustSettle(t, h, "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"checkoutSessionId": id, "cardNumber": "4242424242424242"})
	r := post(t, h, `mutation($in: BookCheckoutSessionInput!) { bookCheckoutSession(input: $in) { `+fields+` } }`, map[string]any{"in": map[string]any{"checkoutSessionId": id}})
	b := dig(r.Data, "bookCheckoutSession", "checkoutSession").(map[string]any)
	if b["status"] != "BOOKED" || fmtJSON(b["bookingReferences"]) != fmtJSON(refs) {
		t.Fatalf("booked: %v %+v", b, r.Errors)
	}
	got := map[any]bool{}
	for _, bk := range b["bookings"].([]any) {
		bm := bk.(map[string]any)
		got[bm["reference"]] = true
		if bm["providerReference"] == "" || bm["providerReference"] == bm["reference"] {
			t.Errorf("booking %v: no provider reference of its own", bm)
		}
	}
	if !got[refs[0]] || !got[refs[1]] {
		t.Errorf("bookings %v do not carry the references %v", b["bookings"], refs)
	}
}

// mixedSearch finds round trips CDG⇄PMI; mixedOffer picks one combining a
// CitizenPlane one-way out with a LiteAPI one-way back.
const mixedSearch = `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", returnDate: "2026-07-08", passengers: {adults: 1}}) {
  offers(first: 100, sortBy: PRICE) { edges { node { id fareType totalPrice { amount currencyCode } parts { provider sliceIndexes totalPrice { amount } } } } } } }`

func mixedOffer(t *testing.T, r gqlResponse) map[string]any {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	for _, e := range dig(r.Data, "searchOffers", "offers", "edges").([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		if n["fareType"] == "COMBINED_ONE_WAYS" && dig(n, "parts", 0, "provider") == "citizenplane" && dig(n, "parts", 1, "provider") == "liteapi" {
			return n
		}
	}
	t.Fatal("no offer combines a CitizenPlane one-way out with a LiteAPI one-way back")
	return nil
}

// fmtJSON prints a decoded JSON value (maps with sorted keys).
func fmtJSON(v any) string { return fmt.Sprint(v) }
