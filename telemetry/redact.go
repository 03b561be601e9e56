package telemetry

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
)

// errorCount is the attribute that counts a span's GraphQL errors.
const errorCount = attribute.Key("gql.errors.count")

// dropped are the attribute keys, or key prefixes ending in ".", that
// otelgqlgen records from the request: the query text, variables and
// field arguments (any may hold literal passenger data), and error
// messages (which may quote the input).
var dropped = []string{
	"gql.request.query",
	"gql.request.variables.",
	"gql.resolver.args.",
	"gql.resolver.error.",
}

func keep(kv attribute.KeyValue) bool {
	k := string(kv.Key)
	for _, d := range dropped {
		if k == d || (strings.HasSuffix(d, ".") && strings.HasPrefix(k, d)) {
			return false
		}
	}
	return true
}

func filter(kvs []attribute.KeyValue) []attribute.KeyValue {
	out := kvs[:0:0]
	for _, kv := range kvs {
		if keep(kv) {
			out = append(out, kv)
		}
	}
	return out
}

// redacting wraps tp so that the spans its tracers start drop the
// attributes in dropped and record no error events (their messages).
func redacting(tp trace.TracerProvider) trace.TracerProvider {
	return redactingProvider{tp: tp}
}

type redactingProvider struct {
	embedded.TracerProvider
	tp trace.TracerProvider
}

func (p redactingProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return redactingTracer{t: p.tp.Tracer(name, opts...)}
}

type redactingTracer struct {
	embedded.Tracer
	t trace.Tracer
}

func (t redactingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	cfg := trace.NewSpanStartConfig(opts...)
	clean := []trace.SpanStartOption{
		trace.WithAttributes(filter(cfg.Attributes())...),
		trace.WithSpanKind(cfg.SpanKind()),
		trace.WithLinks(cfg.Links()...),
	}
	if cfg.NewRoot() {
		clean = append(clean, trace.WithNewRoot())
	}
	if !cfg.Timestamp().IsZero() {
		clean = append(clean, trace.WithTimestamp(cfg.Timestamp()))
	}
	ctx, span := t.t.Start(ctx, name, clean...)
	s := redactingSpan{Span: span}
	return trace.ContextWithSpan(ctx, s), s
}

// redactingSpan is a span whose attributes pass through filter.
type redactingSpan struct {
	trace.Span
}

func (s redactingSpan) SetAttributes(kvs ...attribute.KeyValue) {
	s.Span.SetAttributes(filter(kvs)...)
}

// RecordError records nothing: an error's message may quote the input.
func (s redactingSpan) RecordError(error, ...trace.EventOption) {}

// AddEvent records the event without its attributes.
func (s redactingSpan) AddEvent(name string, _ ...trace.EventOption) {
	s.Span.AddEvent(name)
}
