package gr4vy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faregraph/faregraph/payments"
)

// TransactionList is a page of GET /transactions.
type TransactionList struct {
	Items      []Transaction `json:"items"`
	NextCursor *string       `json:"next_cursor"`
}

// Authorizations lists the authorized, uncaptured transactions of
// checkout session id (GET /transactions?checkout_session_id=, every
// page): those Embed made on the session by itself, which nothing of ours
// captures or voids once our session ended (payments.StrayAuthorizations).
func (g *Gateway) Authorizations(ctx context.Context, id string) ([]string, error) {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return nil, fmt.Errorf("%w: %q", payments.ErrNotFound, id)
	}
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	var out []string
	cursor := ""
	for range 20 {
		q := url.Values{"checkout_session_id": {id}, "limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page TransactionList
		if err := g.call(ctx, http.MethodGet, "/transactions?"+q.Encode(), "", nil, &page); err != nil {
			return nil, err
		}
		for _, tx := range page.Items {
			if tx.Status == TxAuthorized && tx.CheckoutSessionID == id {
				out = append(out, tx.ID)
			}
		}
		if page.NextCursor == nil || *page.NextCursor == "" {
			break
		}
		cursor = *page.NextCursor
	}
	return out, nil
}

// VoidAuthorization voids transaction txID of checkout session id
// (POST /transactions/{txID}/void, Idempotency-Key void:<txID>); a
// transaction already voided is answered as done.
func (g *Gateway) VoidAuthorization(ctx context.Context, id, txID string) error {
	if txID == "" || strings.ContainsAny(txID, "/?#") {
		return fmt.Errorf("%w: %q", payments.ErrNotFound, txID)
	}
	ctx, cancel := payments.Detach(ctx, 0)
	defer cancel()
	var tx Transaction
	err := g.call(ctx, http.MethodPost, "/transactions/"+txID+"/void", "void:"+txID, nil, &tx)
	if errors.Is(err, payments.ErrInvalidState) {
		if gerr := g.call(ctx, http.MethodGet, "/transactions/"+txID, "", nil, &tx); gerr == nil && tx.Status == TxVoided {
			return nil
		}
	}
	if err == nil && tx.CheckoutSessionID != "" && tx.CheckoutSessionID != id {
		return fmt.Errorf("gr4vy: transaction %s is of checkout session %s, not %s", txID, tx.CheckoutSessionID, id)
	}
	return err
}

// IntentLife is the checkout sessions' lifetime (Config.ExpiresIn).
func (g *Gateway) IntentLife() time.Duration { return time.Duration(g.cfg.ExpiresIn) * time.Second }

var _ payments.StrayAuthorizations = (*Gateway)(nil)
