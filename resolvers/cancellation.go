package resolvers

import (
	"context"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/graph"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
)

// cancellationType is the Relay type name of a booking cancellation's id.
const cancellationType = "BookingCancellation"

type bookingCancellationResolver struct{ *Resolver }

func (r *Resolver) BookingCancellation() graph.BookingCancellationResolver {
	return &bookingCancellationResolver{r}
}

func (r *bookingCancellationResolver) ID(_ context.Context, obj *checkout.Cancellation) (string, error) {
	return ids.Global(cancellationType, obj.ID), nil
}

func (r *bookingCancellationResolver) Booking(ctx context.Context, obj *checkout.Cancellation) (*checkout.BookingRecord, error) {
	return r.Checkout.Booking(ctx, obj.TenantID, obj.BookingID)
}

func (r *bookingCancellationResolver) RefundStatus(_ context.Context, obj *checkout.Cancellation) (*payments.RefundStatus, error) {
	if obj.RefundStatus == "" {
		return nil, nil
	}
	st := obj.RefundStatus
	return &st, nil
}

func (r *bookingCancellationResolver) RefundedBy(_ context.Context, obj *checkout.Cancellation) (*checkout.RefundChannel, error) {
	if obj.RefundedBy == "" {
		return nil, nil
	}
	ch := obj.RefundedBy
	return &ch, nil
}

// Failure is null unless the cancellation failed (FAILED, REFUND_FAILED):
// one being retried has none, whatever an older version stored.
func (r *bookingCancellationResolver) Failure(_ context.Context, obj *checkout.Cancellation) (*string, error) {
	if obj.Failure == "" || obj.Status != checkout.CancelFailed && obj.Status != checkout.CancelRefundFailed {
		return nil, nil
	}
	f := obj.Failure
	return &f, nil
}

// Cancellations reads the booking back from its provider first, as
// Changes does: an airline's cancellation is recorded, with its full
// refund (INVOLUNTARY), and listed on this read.
func (r *bookingResolver) Cancellations(ctx context.Context, obj *checkout.BookingRecord) ([]checkout.Cancellation, error) {
	if obj.Status != providers.BookingCanceled {
		if _, err := r.readBack(ctx, obj); err == nil {
			if b, err := r.Checkout.Booking(ctx, obj.TenantID, obj.ID); err == nil {
				obj = b
			}
		}
	}
	cs, err := r.Checkout.Cancellations(ctx, obj)
	if err != nil {
		return nil, err
	}
	out := make([]checkout.Cancellation, len(cs))
	for i, c := range cs {
		out[i] = *c
	}
	return out, nil
}

func cancellationPayload(res *checkout.CancellationResult, err error) (*model.BookingCancellationPayload, error) {
	if err != nil {
		return nil, err
	}
	p := &model.BookingCancellationPayload{Cancellation: res.Cancellation, UserErrors: res.UserErrors, Warnings: res.Warnings}
	if p.UserErrors == nil {
		p.UserErrors = []fault.Violation{}
	}
	if p.Warnings == nil {
		p.Warnings = []fault.Warning{}
	}
	return p, nil
}

// localID is the key of a global id of type typ, or "" for another.
func localID(id, typ string) string {
	t, key, err := ids.Parse(id)
	if err != nil || t != typ {
		return ""
	}
	return key
}

func (r *mutationResolver) CancellationQuote(ctx context.Context, in model.CancellationQuoteInput) (*model.BookingCancellationPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	return cancellationPayload(r.Resolver.Checkout.QuoteCancellation(ctx, tenant, localID(in.BookingID, bookingType)))
}

func (r *mutationResolver) CancelBooking(ctx context.Context, in model.CancelBookingInput) (*model.BookingCancellationPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	return cancellationPayload(r.Resolver.Checkout.CancelBooking(ctx, tenant, localID(in.QuoteID, cancellationType), deref(in.IdempotencyKey)))
}

// session is the checkout session that made booking obj.
func (r *bookingResolver) session(ctx context.Context, obj *checkout.BookingRecord) (*checkout.Session, error) {
	return r.Checkout.Get(ctx, obj.TenantID, obj.SessionID)
}

func (r *bookingResolver) CheckoutSession(ctx context.Context, obj *checkout.BookingRecord) (*checkout.Session, error) {
	return r.session(ctx, obj)
}

func (r *bookingResolver) Passengers(ctx context.Context, obj *checkout.BookingRecord) ([]model.Passenger, error) {
	s, err := r.session(ctx, obj)
	if err != nil {
		return nil, err
	}
	return passengers(s), nil
}

func (r *bookingResolver) Ancillaries(ctx context.Context, obj *checkout.BookingRecord) ([]model.BookedAncillary, error) {
	s, err := r.session(ctx, obj)
	if err != nil {
		return nil, err
	}
	out := []model.BookedAncillary{}
	for _, sel := range s.Selections {
		if sel.PartIndex != obj.PartIndex {
			continue
		}
		a := sel.Ancillary
		price := a.Price
		var seg *string
		if a.Segment != "" {
			seg = &a.Segment
		}
		out = append(out, model.BookedAncillary{Kind: model.AncillaryKind(a.Kind), Description: a.Description,
			PassengerIndex: sel.PassengerIndex, Quantity: sel.Quantity, UnitPrice: &price, Segment: seg})
	}
	return out, nil
}

// Changes reads the booking back from its provider first (the same read
// as Booking.flights in one operation; a provider that cannot answer is
// skipped), so that a change made at the provider is recorded and listed
// on this read, not at the sweeper's next one.
func (r *bookingResolver) Changes(ctx context.Context, obj *checkout.BookingRecord) ([]checkout.BookingChange, error) {
	if obj.Status != providers.BookingCanceled {
		_, _ = r.readBack(ctx, obj)
	}
	return r.Checkout.BookingChanges(ctx, obj)
}
