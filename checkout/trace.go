package checkout

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the tracer of saga step spans.
const tracerName = "github.com/faregraph/faregraph/checkout"

// step starts the span of one saga step ("checkout.hold" for name "hold")
// of session id (empty before the session exists); the returned function
// ends it, marking it failed when err is not nil, and stops the heartbeats
// of the leases the step took (heartbeat). Only the session id is
// recorded: an error's message may quote passenger data, so it is left out.
func (s *Service) step(ctx context.Context, name, id string) (context.Context, func(err error)) {
	ctx, span := s.tracer.Start(ctx, "checkout."+name, trace.WithAttributes(attribute.String("checkout.step", name)))
	if id != "" {
		span.SetAttributes(attribute.String("checkout.session_id", id))
	}
	sc := &stepScope{}
	ctx = context.WithValue(ctx, stepScopeKey{}, sc)
	return ctx, func(err error) {
		sc.end()
		if err != nil {
			span.SetStatus(codes.Error, "step failed")
		}
		span.End()
	}
}
