package stripe

import (
	"testing"

	stripego "github.com/stripe/stripe-go/v76"

	"github.com/faregraph/faregraph/payments"
)

// TestRequiresActionSurfaced: an intent waiting for the buyer's 3-D
// Secure challenge is RequiresAction, with the redirect page when Stripe
// gives one (next_action redirect_to_url) and none when its SDK runs the
// challenge (use_stripe_sdk); a confirmation still to make stays
// RequiresPaymentMethod.
func TestRequiresActionSurfaced(t *testing.T) {
	redirect := &stripego.PaymentIntent{ID: "pi_1", Status: stripego.PaymentIntentStatusRequiresAction,
		NextAction: &stripego.PaymentIntentNextAction{Type: "redirect_to_url",
			RedirectToURL: &stripego.PaymentIntentNextActionRedirectToURL{URL: "https://hooks.stripe.com/3d_secure_2/hosted?x=1"}}}
	if in := toIntent(redirect); in.Status != payments.RequiresAction || in.ActionURL != "https://hooks.stripe.com/3d_secure_2/hosted?x=1" {
		t.Errorf("redirect_to_url: %+v", in)
	}
	sdk := &stripego.PaymentIntent{ID: "pi_2", Status: stripego.PaymentIntentStatusRequiresAction,
		NextAction: &stripego.PaymentIntentNextAction{Type: "use_stripe_sdk"}}
	if in := toIntent(sdk); in.Status != payments.RequiresAction || in.ActionURL != "" {
		t.Errorf("use_stripe_sdk: %+v", in)
	}
	conf := &stripego.PaymentIntent{ID: "pi_3", Status: stripego.PaymentIntentStatusRequiresConfirmation}
	if in := toIntent(conf); in.Status != payments.RequiresPaymentMethod {
		t.Errorf("requires_confirmation: %+v", in)
	}
}
