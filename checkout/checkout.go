package checkout

import (
	"context"

	"github.com/faregraph/faregraph/fault"
)

// CheckoutInput is a one-step checkout: a session's input and how to pay.
type CheckoutInput struct {
	CreateInput
	Method PaymentMethod
}

// Checkout creates a session, holds it and sets up its payment in one
// request, as LiteAPI's prebook and Wink's checkout do. It stops at the
// first step with user errors and answers the session as far as it got.
func (s *Service) Checkout(ctx context.Context, tenantID string, in CheckoutInput) (*Result, error) {
	key := in.IdempotencyKey
	in.IdempotencyKey = ""
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "checkout", in, func(ctx context.Context) (*Result, error) {
		if in.Method != Card && in.Method != CreditLine {
			return &Result{UserErrors: userErr(fault.Invalid, "must be CARD or CREDIT_LINE", "method")}, nil
		}
		res, err := s.create(ctx, tenantID, in.CreateInput)
		if err != nil || len(res.UserErrors) > 0 {
			return res, err
		}
		id := res.Session.ID
		if res, err = s.hold(ctx, tenantID, id); err != nil || len(res.UserErrors) > 0 {
			return res, err
		}
		return s.pay(ctx, tenantID, id, in.Method)
	})
}
