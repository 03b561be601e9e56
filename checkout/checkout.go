package checkout

import (
	"context"
	"errors"

	"github.com/faregraph/faregraph/fault"
)

// CheckoutInput is a one-step checkout: a session's input and how to pay.
type CheckoutInput struct {
	CreateInput
	Method PaymentMethod
}

// Checkout creates a session, holds it and sets up its payment in one
// request, as LiteAPI's prebook and Wink's checkout do, all or nothing:
// a hold or payment setup that answers user errors cancels the session it
// created (holds lapse at their providers, a payment set up is released),
// and the answer is that CANCELED session with the step's user errors,
// each saying so. Nothing is left HELD for a caller who asked for one
// step.
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
			return s.undoCheckout(ctx, tenantID, id, res, err)
		}
		res, err = s.pay(ctx, tenantID, id, in.Method)
		if err != nil || len(res.UserErrors) > 0 {
			return s.undoCheckout(ctx, tenantID, id, res, err)
		}
		return res, nil
	})
}

// undoCheckout cancels the session of a one-step checkout whose step
// answered res (with user errors) or err, and answers the step's user
// errors on the canceled session. An error of the step is answered as is,
// after the cancel.
func (s *Service) undoCheckout(ctx context.Context, tenantID, id string, res *Result, err error) (*Result, error) {
	c, cerr := s.cancel(ctx, tenantID, id)
	if err != nil || cerr != nil {
		return nil, errors.Join(err, cerr)
	}
	if len(c.UserErrors) > 0 {
		// Not canceled (a step of another request holds it): say both.
		res.UserErrors = append(res.UserErrors, c.UserErrors...)
		return res, nil
	}
	out := &Result{Session: c.Session}
	for _, v := range res.UserErrors {
		v.Message += "; the one-step checkout was undone: the checkout session is canceled"
		out.UserErrors = append(out.UserErrors, v)
	}
	return out, nil
}
