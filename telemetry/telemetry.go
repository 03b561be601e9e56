// Package telemetry holds faregraph's OpenTelemetry tracing: the gqlgen
// extension that opens a span per operation and per resolver, the HTTP
// transport that opens a span per provider call, and the span of a saga
// step. Every span goes through one rule: no request data in attributes.
// Queries, variables, field arguments and error messages may carry
// passengers' names, emails, phones, documents and dates of birth, so
// they are never recorded; what is recorded is names of operations,
// fields and steps, ids we create, HTTP methods, hosts and statuses.
//
// A nil TracerProvider anywhere here means tracing is off (a no-op
// provider); nothing is registered globally.
package telemetry

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/ravilushqa/otelgqlgen"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Provider returns tp, or a no-op provider when tp is nil.
func Provider(tp trace.TracerProvider) trace.TracerProvider {
	if tp == nil {
		return noop.NewTracerProvider()
	}
	return tp
}

// GraphQL returns the gqlgen extension that traces each operation (a
// server span named after the operation) and each field that runs a
// resolver (fields read off a struct get no span). Variables are left
// out; the query text and field arguments, which may hold literal
// passenger data, are dropped by a redacting tracer; errors set the span
// status to Error with their count, never their messages.
func GraphQL(tp trace.TracerProvider) graphql.HandlerExtension {
	return otelgqlgen.Middleware(
		otelgqlgen.WithTracerProvider(redacting(Provider(tp))),
		otelgqlgen.WithoutVariables(),
		otelgqlgen.WithCreateSpanFromFields(func(fc *graphql.FieldContext) bool { return fc.IsResolver }),
		otelgqlgen.WithInterceptResponseResultHandlerFunc(func(resp *graphql.Response, span trace.Span) *graphql.Response {
			if resp != nil {
				status(span, resp.Errors)
			}
			return resp
		}),
		otelgqlgen.WithInterceptFieldsResultHandlerFunc(func(resp any, err error, errs gqlerror.List, span trace.Span) (any, error) {
			status(span, errs)
			return resp, err
		}),
	)
}

// status marks span failed when errs is not empty, without the messages.
func status(span trace.Span, errs gqlerror.List) {
	if len(errs) > 0 {
		span.SetStatus(codes.Error, "graphql errors")
		span.SetAttributes(errorCount.Int(len(errs)))
	}
}

// Transport wraps base (http.DefaultTransport when nil) so that each
// request opens a client span: method, host, URL without credentials,
// status. Bodies and headers (API keys) are not recorded, and no trace
// headers are sent to the providers.
func Transport(tp trace.TracerProvider, base http.RoundTripper) http.RoundTripper {
	return otelhttp.NewTransport(base,
		otelhttp.WithTracerProvider(Provider(tp)),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			return "provider " + r.Method + " " + r.URL.Host
		}),
	)
}
