package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
)

// rotateOp is the idempotency operation of RotateSecret.
const rotateOp = "rotateWebhookEndpointSecret"

// rotated is the answer of RotateSecret kept under its idempotency key.
type rotated struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

// Rotation is the answer of RotateSecret.
type Rotation struct {
	Endpoint *Endpoint
	// Secret is the new signing secret; empty on a replay once the secret
	// was rotated again since.
	Secret     string
	UserErrors []fault.Violation
	Warnings   []fault.Warning
}

// RotateSecret gives the tenant's endpoint id a new signing secret and
// returns it: every delivery attempted from now on is signed with it. With
// an idempotency key, a repeated request answers the first one's secret
// (while it is still the endpoint's) with an IDEMPOTENT_REPLAY warning and
// rotates nothing; the key used for another request is a user error.
func (s *Service) RotateSecret(ctx context.Context, tenantID, id, key string) (*Rotation, error) {
	keyField := []string{"input", "idempotencyKey"}
	if len(key) > 255 {
		return &Rotation{UserErrors: []fault.Violation{{Field: keyField, Code: fault.TooLong, Message: "must be at most 255 characters"}}}, nil
	}
	var idem db.Idempotency
	if key != "" {
		sum := sha256.Sum256([]byte(rotateOp + "\x00" + id))
		row, err := idem.Claim(ctx, s.cfg.DB, tenantID, key, rotateOp, hex.EncodeToString(sum[:]), s.cfg.Now(), GiveUpAfter)
		if err != nil {
			return nil, err
		}
		if row != nil {
			return s.rotateReplay(ctx, tenantID, id, row)
		}
	}
	secret := "whsec_" + random(24)
	ok, err := s.out.RotateSecret(ctx, s.cfg.DB, tenantID, id, secret)
	if err != nil || !ok {
		if key != "" {
			_ = idem.Release(ctx, s.cfg.DB, tenantID, key)
		}
		if err != nil {
			return nil, err
		}
		return &Rotation{UserErrors: []fault.Violation{{Field: []string{"input", "id"}, Code: fault.NotFound, Message: "no such webhook endpoint"}}}, nil
	}
	if key != "" {
		resp, _ := json.Marshal(rotated{ID: id, Secret: secret})
		if err := idem.Finish(ctx, s.cfg.DB, tenantID, key, string(resp), s.cfg.Now()); err != nil {
			return nil, err
		}
	}
	ep, err := s.out.Endpoint(ctx, s.cfg.DB, id)
	if err != nil {
		return nil, err
	}
	e := endpointFromRow(*ep)
	return &Rotation{Endpoint: &e, Secret: secret}, nil
}

func (s *Service) rotateReplay(ctx context.Context, tenantID, id string, row *db.IdempotencyRow) (*Rotation, error) {
	keyField := []string{"input", "idempotencyKey"}
	var prev rotated
	if row.Operation != rotateOp || row.State != "DONE" || json.Unmarshal([]byte(row.Response), &prev) != nil || prev.ID != id {
		if row.State == "RUNNING" && row.Operation == rotateOp {
			return &Rotation{UserErrors: []fault.Violation{{Field: keyField, Code: fault.InProgress, Message: "a request with this idempotency key is still running; retry later"}}}, nil
		}
		return &Rotation{UserErrors: []fault.Violation{{Field: keyField, Code: fault.IdempotencyKeyReused, Message: "this idempotency key was used for another " + row.Operation + " request; use a new key"}}}, nil
	}
	ep, err := s.out.Endpoint(ctx, s.cfg.DB, id)
	if errors.Is(err, db.ErrNotFound) || err == nil && (ep.TenantID != tenantID || ep.DeletedAt != nil) {
		return &Rotation{UserErrors: []fault.Violation{{Field: []string{"input", "id"}, Code: fault.NotFound, Message: "no such webhook endpoint"}}}, nil
	}
	if err != nil {
		return nil, err
	}
	e := endpointFromRow(*ep)
	out := &Rotation{Endpoint: &e, Warnings: []fault.Warning{{Field: keyField, Code: fault.IdempotentReplay,
		Message: "this is the answer of an earlier request with this idempotency key; nothing ran again"}}}
	if ep.Secret == prev.Secret {
		out.Secret = prev.Secret
	}
	return out, nil
}
