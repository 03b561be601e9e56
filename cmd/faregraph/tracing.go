package main

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// tracerProvider returns a tracer provider that batches spans to the OTLP
// collector at cfg.OTLPEndpoint (its /v1/traces) over HTTP/protobuf, or
// nil when no endpoint is set (tracing off). The exporter also reads the
// other standard OTEL_EXPORTER_OTLP_* variables (headers, timeout, TLS)
// itself, and the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. Shut the
// provider down to flush what is buffered.
func tracerProvider(ctx context.Context, cfg config) (*sdktrace.TracerProvider, error) {
	if cfg.OTLPEndpoint == "" {
		return nil, nil
	}
	// The base URL from our own configuration, with the signal's path as
	// the OTLP specification has it.
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(strings.TrimRight(cfg.OTLPEndpoint, "/")+"/v1/traces"))
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "faregraph")),
		resource.WithFromEnv(),
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)), nil
}
