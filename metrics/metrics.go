// Package metrics holds faregraph's Prometheus metrics: provider call
// latency by provider, operation and outcome, and GraphQL operation latency.
// Each Metrics has its own registry; nothing is registered globally.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/faregraph/faregraph/providers"
)

// Metrics records what faregraph does. It is safe for concurrent use.
type Metrics struct {
	mu    sync.Mutex
	names map[string]bool

	reg           *prometheus.Registry
	providerCalls *prometheus.HistogramVec
	operations    *prometheus.HistogramVec
	settledByRule *prometheus.CounterVec
	bookedLate    *prometheus.CounterVec
}

var _ providers.Observer = (*Metrics)(nil)

// New returns Metrics with a fresh registry, including Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		names: map[string]bool{},
		reg:   prometheus.NewRegistry(),
		providerCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "faregraph_provider_call_duration_seconds",
			Help:    "Latency of HTTP calls to flight providers, by provider, operation and outcome (ok, error, timeout).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"provider", "operation", "outcome"}),
		operations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "faregraph_graphql_operation_duration_seconds",
			Help:    "Latency of GraphQL operations, by operation type, name and outcome (ok, error).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"type", "name", "outcome"}),
		settledByRule: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faregraph_checkout_settled_by_rule_total",
			Help: "Parts the reconciler settled as not booked after a provider left their outcome unknown through every attempt, by provider. Alert on any increase: the provider may have booked them.",
		}, []string{"provider"}),
		bookedLate: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "faregraph_checkout_booked_late_total",
			Help: "Bookings a provider confirmed after their checkout session was decided without them (settled by rule, resolved as failed by an operator), by provider: recorded but not charged. Alert on any increase: cancel the booking at the provider or charge it (faregraph sessions list --booked-late).",
		}, []string{"provider"}),
	}
	m.reg.MustRegister(m.providerCalls, m.operations, m.settledByRule, m.bookedLate,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveCall records one provider HTTP call.
func (m *Metrics) ObserveCall(provider, op, outcome string, d time.Duration) {
	m.providerCalls.WithLabelValues(provider, op, outcome).Observe(d.Seconds())
}

// SettledByRule counts a part the reconciler settled by rule (see
// checkout.Alerts).
func (m *Metrics) SettledByRule(provider string) {
	m.settledByRule.WithLabelValues(provider).Inc()
}

// BookedLate counts a booking a provider confirmed after its session was
// decided without it (see checkout.Alerts).
func (m *Metrics) BookedLate(provider string) {
	m.bookedLate.WithLabelValues(provider).Inc()
}

// Bounds on the operation names kept as labels, so that clients cannot
// grow the series without end: names beyond the first maxOperationNames,
// and names longer than MaxOperationNameBytes, are counted as "other".
const (
	maxOperationNames = 200
	// MaxOperationNameBytes is the longest operation name kept as a label.
	MaxOperationNameBytes = 100
)

// ObserveOperation records one GraphQL operation. name is the operation's
// name in the document, "anonymous" when it has none.
func (m *Metrics) ObserveOperation(typ, name, outcome string, d time.Duration) {
	if name == "" {
		name = "anonymous"
	}
	m.mu.Lock()
	if len(name) > MaxOperationNameBytes {
		name = "other"
	} else if !m.names[name] {
		if len(m.names) >= maxOperationNames {
			name = "other"
		} else {
			m.names[name] = true
		}
	}
	m.mu.Unlock()
	m.operations.WithLabelValues(typ, name, outcome).Observe(d.Seconds())
}

// Handler serves the metrics in the Prometheus text format to GET and
// HEAD; any other method is answered 405 with Allow.
func (m *Metrics) Handler() http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "/metrics takes GET and HEAD\n", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
}
