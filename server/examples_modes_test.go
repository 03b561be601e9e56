package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/faregraph/faregraph/app"
	"github.com/vektah/gqlparser/v2"
)

// TestSettlementExamplesRun runs each settlement mode's example file
// (examples/checkout_<mode>.graphql) as written, its operations in order,
// on a server with no setup (simulators, sandbox or Gr4vy simulator): every
// operation answers without errors or user errors, the session ends
// BOOKED, and we capture the total when we are the merchant, nothing when
// the provider takes the money.
func TestSettlementExamplesRun(t *testing.T) {
	for _, tc := range []struct {
		file, provider, gateway, captured string
	}{
		{"checkout_merchant.graphql", "citizenplane", "", "total"},
		{"checkout_provider_intent.graphql", "liteapi", "", "0.00"},
		{"checkout_card_forward.graphql", "citizenplane", "", "0.00"},
		{"checkout_gr4vy.graphql", "liteapi", "gr4vy", "total"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			a := newTestApp(t, func(c *app.Config) { c.Gateway = tc.gateway })
			h := a.Handler
			src, err := os.ReadFile("../examples/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			doc, perr := gqlparser.LoadQuery(loadSchema(t), string(src))
			if perr != nil {
				t.Fatal(perr)
			}
			offer := dig(post(t, h, flowSearch, map[string]any{"p": []string{tc.provider}}).Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
			vars := map[string]any{"offerId": offer["id"], "provider": tc.provider}
			var last map[string]any
			for i, op := range doc.Operations {
				in := map[string]any{}
				for _, v := range op.VariableDefinitions {
					in[v.Variable] = vars[v.Variable]
				}
				if _, ok := in["key"]; ok {
					in["key"] = fmt.Sprintf("%s-%d", tc.file, i)
				}
				body, _ := json.Marshal(map[string]any{"query": string(src), "operationName": op.Name, "variables": in})
				r := postRaw(t, h, body)
				if len(r.Errors) > 0 {
					t.Fatalf("%s: %+v", op.Name, r.Errors)
				}
				for _, p := range r.Data {
					pm, ok := p.(map[string]any)
					if !ok || pm["userErrors"] == nil {
						continue
					}
					if ue := pm["userErrors"].([]any); len(ue) > 0 {
						t.Fatalf("%s: user errors %v", op.Name, ue)
					}
					last = pm["checkoutSession"].(map[string]any)
					if vars["id"] == nil {
						vars["id"] = last["id"]
					}
				}
			}
			want := tc.captured
			if want == "total" {
				want = dig(offer, "totalPrice", "amount").(string)
			}
			if last["status"] != "BOOKED" || dig(last, "payment", "capturedAmount", "amount") != want || len(last["bookingReferences"].([]any)) != 1 {
				t.Errorf("the last answer: %v, want BOOKED with %s captured", last, want)
			}
		})
	}
}
