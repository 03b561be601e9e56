package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/events"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/graph"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/ids"
)

type eventResolver struct{ *Resolver }

func (r *Resolver) Event() graph.EventResolver { return &eventResolver{r} }

func (r *eventResolver) Data(_ context.Context, obj *events.Event) (string, error) {
	return string(obj.Data), nil
}

// Payload is the event's data as an object (numbers kept as written).
func (r *eventResolver) Payload(_ context.Context, obj *events.Event) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(obj.Data))
	dec.UseNumber()
	m := map[string]any{}
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("event %s: data is not a JSON object: %w", obj.ID, err)
	}
	return m, nil
}

type scheduledSegmentResolver struct{ *Resolver }

func (r *Resolver) ScheduledSegment() graph.ScheduledSegmentResolver {
	return &scheduledSegmentResolver{r}
}

func (r *scheduledSegmentResolver) Origin(_ context.Context, obj *checkout.ScheduledSegment) (*string, error) {
	return optional(obj.Origin), nil
}

func (r *scheduledSegmentResolver) Destination(_ context.Context, obj *checkout.ScheduledSegment) (*string, error) {
	return optional(obj.Destination), nil
}

// stream turns a subscription's events into what gqlgen sends, until ctx
// ends.
func stream(ctx context.Context, in <-chan events.Event) <-chan *events.Event {
	out := make(chan *events.Event)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- &ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func (r *subscriptionResolver) BookingEvents(ctx context.Context, bookingID string, after *string) (<-chan *events.Event, error) {
	return r.subscribe(ctx, "bookingId", deref(after), func(tenant string) (string, error) {
		b, err := r.Checkout.Booking(ctx, tenant, localID(bookingID, bookingType))
		if err != nil {
			return "", err
		}
		return b.ID, nil
	})
}

func (r *subscriptionResolver) CheckoutSessionEvents(ctx context.Context, id string, after *string) (<-chan *events.Event, error) {
	return r.subscribe(ctx, "checkoutSessionId", deref(after), func(tenant string) (string, error) {
		s, err := r.Checkout.Get(ctx, tenant, sessionID(id))
		if err != nil {
			return "", err
		}
		return s.ID, nil
	})
}

// subscribe streams the events of the subject find names for the
// caller's tenant, after the event after when set; an unknown subject is
// NOT_FOUND on the argument arg, an unknown event NOT_FOUND on after.
func (r *subscriptionResolver) subscribe(ctx context.Context, arg, after string, find func(tenant string) (string, error)) (<-chan *events.Event, error) {
	p, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	subject, err := find(p.TenantID)
	if errors.Is(err, checkout.ErrNotFound) {
		return nil, fault.Field([]string{arg}, fault.NotFound, "no such %s", strings.TrimSuffix(arg, "Id"))
	}
	if err != nil {
		return nil, err
	}
	ch, err := r.Events.Subscribe(ctx, p.TenantID, subject, after)
	if errors.Is(err, events.ErrNotFound) {
		return nil, fault.Field([]string{"after"}, fault.NotFound, "no such event")
	}
	if err != nil {
		return nil, err
	}
	return stream(ctx, ch), nil
}

func (r *queryResolver) WebhookEndpoints(ctx context.Context) ([]events.Endpoint, error) {
	p, err := auth.Require(ctx, auth.ScopeCheckoutWrite)
	if err != nil {
		return nil, err
	}
	return r.Events.Endpoints(ctx, p.TenantID)
}

func (r *mutationResolver) CreateWebhookEndpoint(ctx context.Context, in model.CreateWebhookEndpointInput) (*model.WebhookEndpointPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	ep, secret, ue, err := r.Events.CreateEndpoint(ctx, tenant, in.URL, in.Events)
	if err != nil {
		return nil, err
	}
	out := &model.WebhookEndpointPayload{Endpoint: ep, UserErrors: ue, Warnings: []fault.Warning{}}
	if ue == nil {
		out.UserErrors = []fault.Violation{}
		out.Secret = &secret
	}
	return out, nil
}

func (r *mutationResolver) DeleteWebhookEndpoint(ctx context.Context, in model.DeleteWebhookEndpointInput) (*model.WebhookChangePayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	ok, err := r.Events.DeleteEndpoint(ctx, tenant, in.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return changePayload(nil, fault.Violation{Field: []string{"input", "id"}, Code: fault.NotFound, Message: "no such webhook endpoint"}), nil
	}
	return changePayload(&in.ID), nil
}

func (r *mutationResolver) ReplayWebhookEvent(ctx context.Context, in model.ReplayWebhookEventInput) (*model.WebhookChangePayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	err = r.Events.Replay(ctx, tenant, in.EventID)
	if errors.Is(err, events.ErrNotFound) {
		return changePayload(nil, fault.Violation{Field: []string{"input", "eventId"}, Code: fault.NotFound, Message: "no such event"}), nil
	}
	if err != nil {
		return nil, err
	}
	return changePayload(&in.EventID), nil
}

func changePayload(id *string, ue ...fault.Violation) *model.WebhookChangePayload {
	if ue == nil {
		ue = []fault.Violation{}
	}
	return &model.WebhookChangePayload{ID: id, UserErrors: ue, Warnings: []fault.Warning{}}
}

func (r *mutationResolver) RotateWebhookEndpointSecret(ctx context.Context, in model.RotateWebhookEndpointSecretInput) (*model.WebhookEndpointPayload, error) {
	tenant, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	rot, err := r.Events.RotateSecret(ctx, tenant, in.ID, deref(in.IdempotencyKey))
	if err != nil {
		return nil, err
	}
	out := &model.WebhookEndpointPayload{Endpoint: rot.Endpoint, UserErrors: rot.UserErrors, Warnings: rot.Warnings}
	if out.UserErrors == nil {
		out.UserErrors = []fault.Violation{}
	}
	if out.Warnings == nil {
		out.Warnings = []fault.Warning{}
	}
	if len(rot.UserErrors) == 0 && rot.Secret != "" {
		out.Secret = &rot.Secret
	}
	return out, nil
}

// deliveryCursorType is the type of a WebhookDeliveryEdge.cursor: the
// endpoint's id and the event's sequence number.
const deliveryCursorType = "WebhookDeliveryCursor"

func (r *queryResolver) WebhookDeliveries(ctx context.Context, endpointID string, first *int, after *string) (*model.WebhookDeliveryConnection, error) {
	p, err := auth.Require(ctx, auth.ScopeCheckoutWrite)
	if err != nil {
		return nil, err
	}
	w, err := pageWindow(first, after, nil, nil)
	if err != nil {
		return nil, inputErrors(ctx, err)
	}
	var before int64
	if w.cursor != "" {
		t, key, perr := ids.Parse(w.cursor)
		ep, seq, ok := strings.Cut(key, "/")
		n, aerr := strconv.ParseInt(seq, 10, 64)
		if perr != nil || t != deliveryCursorType || !ok || aerr != nil || n <= 0 || ep != endpointID {
			return nil, inputErrors(ctx, fault.Field(fault.Path("after"), fault.Invalid, "is not a cursor of this endpoint's deliveries"))
		}
		before = n
	}
	list, total, err := r.Events.Deliveries(ctx, p.TenantID, endpointID, before, w.size+1)
	if errors.Is(err, events.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	list, more := keysetPage(w, list)
	conn := &model.WebhookDeliveryConnection{Edges: make([]model.WebhookDeliveryEdge, len(list)), TotalCount: total}
	cursors := make([]string, len(list))
	for i, d := range list {
		cursors[i] = ids.Global(deliveryCursorType, endpointID+"/"+strconv.FormatInt(d.Seq, 10))
		node := &model.WebhookDelivery{EventID: d.EventID, Type: d.Type, Status: model.WebhookDeliveryStatus(d.Status), AttemptCount: d.Attempts,
			NextAttemptAt: d.NextAt, DeliveredAt: d.DeliveredAt, CreatedAt: d.CreatedAt}
		if d.LastError != "" {
			node.LastError = &d.LastError
		}
		if d.StatusCode != 0 {
			node.LastStatusCode = &d.StatusCode
		}
		conn.Edges[i] = model.WebhookDeliveryEdge{Cursor: cursors[i], Node: node}
	}
	conn.PageInfo = pageInfo(w, cursors, more)
	return conn, nil
}
