package sim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/faregraph/faregraph/providers/sim"
)

// confirmer confirms "cs_ok" with 4242424242424242 and declines other
// cards; any other secret is unknown.
type confirmer struct{ got []string }

func (c *confirmer) ConfirmIntent(secret, card string) error {
	c.got = append(c.got, secret+" "+card)
	switch {
	case secret != "cs_ok":
		return errors.New("no payment intent has this client secret")
	case card != "4242424242424242":
		return fmt.Errorf("card …%s: %w", card[len(card)-4:], sim.ErrCardDeclined)
	}
	return nil
}

// TestConfirmIntentOverHTTP: a simulator's intents confirmed through its
// HTTP path answer as the in-process call does: confirmed, declined
// (wrapping ErrCardDeclined), or refused with the simulator's reason.
func TestConfirmIntentOverHTTP(t *testing.T) {
	c := &confirmer{}
	mux := http.NewServeMux()
	mux.Handle("POST /liteapi"+sim.ConfirmIntentPath, sim.ConfirmIntentHandler(c))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx, base := context.Background(), srv.URL+"/liteapi"
	if err := sim.ConfirmIntentAt(ctx, srv.Client(), base, "cs_ok", "4242424242424242"); err != nil {
		t.Errorf("confirm: %v", err)
	}
	if err := sim.ConfirmIntentAt(ctx, srv.Client(), base, "cs_ok", "4000000000000002"); !errors.Is(err, sim.ErrCardDeclined) {
		t.Errorf("declined card: %v", err)
	}
	if err := sim.ConfirmIntentAt(ctx, srv.Client(), base, "cs_other", "4242424242424242"); err == nil || errors.Is(err, sim.ErrCardDeclined) {
		t.Errorf("unknown intent: %v", err)
	}
	if len(c.got) != 3 || c.got[0] != "cs_ok 4242424242424242" {
		t.Errorf("simulator asked %v", c.got)
	}
	// A server without the path (a real provider) is an error, not a
	// confirmation.
	if err := sim.ConfirmIntentAt(ctx, srv.Client(), srv.URL+"/other", "cs_ok", "4242424242424242"); err == nil {
		t.Error("a URL without the path confirmed")
	}
}
