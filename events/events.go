// Package events tells tenants what changed: it reads the outbox (table
// outbox_events, written by package db in the transaction of every change
// worth telling) and delivers each event to the tenant's webhook
// endpoints, signed, at least once, with retries and backoff, and to
// GraphQL subscriptions. Everything it knows comes from the database, so
// any number of replicas may run it: a subscription opened on one replica
// sees the changes made through another. On Postgres readers are woken by
// the notification each event's transaction sends (LISTEN/NOTIFY, one
// listening connection per Service) and poll only as a fallback; on SQLite
// they poll.
package events

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/ids"
)

// Delivery headers.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>" of
	// "<t>.<body>" under the endpoint's secret.
	SignatureHeader = "Faregraph-Signature"
	// EventIDHeader carries the event's id: the same on every delivery
	// and replay of the event, to deduplicate.
	EventIDHeader = "Faregraph-Event-Id"
	// EventTypeHeader carries the event's type.
	EventTypeHeader = "Faregraph-Event-Type"
)

// Retry policy of deliveries: the wait after attempt n is FirstRetry
// doubled n-1 times, at most MaxRetryWait; a delivery not made GiveUpAfter
// the event is FAILED (replayable).
const (
	FirstRetry   = 30 * time.Second
	MaxRetryWait = 6 * time.Hour
	GiveUpAfter  = 72 * time.Hour
)

// Config configures a Service.
type Config struct {
	DB *db.DB
	// Client makes the deliveries; when nil, one that connects within 3 s,
	// follows no redirect and refuses every address that is not global
	// (unless AllowPrivate; see refuseNonGlobal). Each attempt is bounded
	// by AttemptTimeout whatever the client.
	Client *http.Client
	// Workers is how many deliveries this Service sends at once
	// (DefaultWorkers when zero); PerEndpoint how many of them may go to
	// one endpoint (DefaultPerEndpoint when zero), so that a slow endpoint
	// delays only itself.
	Workers, PerEndpoint int
	// AllowPrivate lets endpoints be on loopback and private addresses,
	// over http: for development and tests only.
	AllowPrivate bool
	// PollInterval is how often a subscription reads the outbox when
	// nothing wakes it: on SQLite always, on Postgres while the LISTEN
	// connection is down; 250 ms when zero.
	PollInterval time.Duration
	// FallbackPollInterval is how often a subscription reads the outbox
	// on Postgres while it is woken by notifications (db.OutboxChannel,
	// sent in the transaction of each event): a safety net only; 5 s
	// when zero.
	FallbackPollInterval time.Duration
	// MaxSubscriptionsPerTenant caps the subscriptions one tenant may
	// have open on this Service (one replica) at once, so that streams,
	// which have no deadline, cannot exhaust the server:
	// DefaultMaxSubscriptionsPerTenant when zero. One more is refused with
	// ErrTooManySubscriptions.
	MaxSubscriptionsPerTenant int
	Now                       func() time.Time
	Logger                    *slog.Logger
}

// Service is the events of every tenant.
type Service struct {
	cfg    Config
	out    db.WebhooksOut
	outbox db.Outbox
	hub    hub
	pool   pool
	// open counts the subscriptions streaming now; perTenant the same
	// by tenant, under mu.
	open      atomic.Int64
	mu        sync.Mutex
	perTenant map[string]int
}

// DefaultMaxSubscriptionsPerTenant is Config.MaxSubscriptionsPerTenant
// when zero.
const DefaultMaxSubscriptionsPerTenant = 100

// ErrTooManySubscriptions: the tenant has Config.MaxSubscriptionsPerTenant
// subscriptions open on this replica already.
var ErrTooManySubscriptions = errors.New("events: too many subscriptions open")

// admit counts one more open subscription of tenant, unless it has the
// most it may; done gives it back.
func (s *Service) admit(tenant string) (done func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perTenant[tenant] >= s.cfg.MaxSubscriptionsPerTenant {
		return nil, false
	}
	if s.perTenant == nil {
		s.perTenant = map[string]int{}
	}
	s.perTenant[tenant]++
	s.open.Add(1)
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.perTenant[tenant]--; s.perTenant[tenant] <= 0 {
			delete(s.perTenant, tenant)
		}
		s.open.Add(-1)
	}, true
}

// Subscriptions is how many subscriptions this Service streams now, each
// counted from the moment its starting point in the outbox is fixed (the
// events written after that reach it) until it ends.
func (s *Service) Subscriptions() int { return int(s.open.Load()) }

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.FallbackPollInterval <= 0 {
		cfg.FallbackPollInterval = 5 * time.Second
	}
	if cfg.MaxSubscriptionsPerTenant <= 0 {
		cfg.MaxSubscriptionsPerTenant = DefaultMaxSubscriptionsPerTenant
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.PerEndpoint <= 0 {
		cfg.PerEndpoint = DefaultPerEndpoint
	}
	if cfg.Client == nil {
		d := &net.Dialer{Timeout: 3 * time.Second}
		if !cfg.AllowPrivate {
			d.Control = refuseNonGlobal
		}
		cfg.Client = &http.Client{Timeout: AttemptTimeout, Transport: &http.Transport{DialContext: d.DialContext,
			TLSHandshakeTimeout: 5 * time.Second, MaxIdleConnsPerHost: DefaultPerEndpoint, IdleConnTimeout: 90 * time.Second},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	s := &Service{cfg: cfg}
	s.pool.freed = make(chan struct{}, 1)
	return s
}

// Event is an event as tenants see it: Data holds global ids.
type Event struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"createdAt"`
	Data      json.RawMessage `json:"data"`
	seq       int64
}

// globalIDs are the data keys that hold our ids, with their GraphQL type.
var globalIDs = map[string]string{"checkoutSessionId": "CheckoutSession", "bookingId": "Booking", "cancellationId": "BookingCancellation"}

func fromRow(r db.OutboxRow) Event {
	var m map[string]any
	data := json.RawMessage(r.Data)
	if json.Unmarshal([]byte(r.Data), &m) == nil {
		for k, typ := range globalIDs {
			if v, ok := m[k].(string); ok && v != "" {
				m[k] = ids.Global(typ, v)
			}
		}
		data, _ = json.Marshal(m)
	}
	return Event{ID: r.ID, Type: r.Type, CreatedAt: r.CreatedAt.UTC(), Data: data, seq: r.Seq}
}

// Endpoint is a tenant's webhook endpoint.
type Endpoint struct {
	ID        string
	URL       string
	Events    []string
	CreatedAt time.Time
}

func endpointFromRow(r db.WebhookEndpointRow) Endpoint {
	return Endpoint{ID: r.ID, URL: r.URL, Events: strings.Split(r.Events, ","), CreatedAt: r.CreatedAt.UTC()}
}

// expand is the event types a list of names and wildcards stands for,
// sorted: ["*"] and every type listed are the same set.
func expand(names []string) []string {
	var out []string
	for _, typ := range Types {
		if matches(strings.Join(names, ","), typ) {
			out = append(out, typ)
		}
	}
	return out
}

// matches reports whether an endpoint asking for events (comma-separated)
// receives an event of typ.
func matches(events, typ string) bool {
	for _, e := range strings.Split(events, ",") {
		if e == typ || e == "*" || strings.HasSuffix(e, ".*") && strings.HasPrefix(typ, strings.TrimSuffix(e, "*")) {
			return true
		}
	}
	return false
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateEndpoint registers a webhook endpoint of the tenant for the event
// types types and returns it with its signing secret, which is shown only
// here. Violations, each naming its field: a URL refused by checkURL
// (input.url), no type or an unknown one (input.events, input.events.N),
// and a live endpoint of the tenant with the same URL and the same set of
// types once wildcards are expanded (["*"] is every type listed; DUPLICATE
// on input.url, naming it: delete it or rotate its secret instead). Types
// are stored as given, without repeats.
func (s *Service) CreateEndpoint(ctx context.Context, tenantID, rawURL string, types []string) (*Endpoint, string, []fault.Violation, error) {
	u, ve := checkURL(rawURL, s.cfg.AllowPrivate)
	set, tve := checkTypes(types)
	if ve = append(ve, tve...); len(ve) > 0 {
		return nil, "", ve, nil
	}
	events := strings.Join(set, ",")
	want := expand(set)
	secret := "whsec_" + random(24)
	row := &db.WebhookEndpointRow{ID: "we_" + random(12), TenantID: tenantID, URL: u, Secret: secret, Events: events, CreatedAt: s.cfg.Now().UTC()}
	dup, err := s.out.CreateEndpointUnless(ctx, s.cfg.DB, row, func(live []db.WebhookEndpointRow) string {
		for _, l := range live {
			if slices.Equal(expand(strings.Split(l.Events, ",")), want) {
				return l.ID
			}
		}
		return ""
	})
	if err != nil {
		// A concurrent request may have created the same endpoint first
		// (the unique index refused this one).
		if id, derr := s.out.LiveEndpoint(ctx, s.cfg.DB, tenantID, u, events); derr == nil && id != "" {
			dup, err = id, nil
		} else {
			return nil, "", nil, err
		}
	}
	if dup != "" {
		return nil, "", []fault.Violation{{Field: []string{"input", "url"}, Code: fault.Duplicate,
			Message: "endpoint " + dup + " already receives these events at this URL"}}, nil
	}
	ep := endpointFromRow(*row)
	return &ep, secret, nil, nil
}

// Endpoints lists the tenant's endpoints.
func (s *Service) Endpoints(ctx context.Context, tenantID string) ([]Endpoint, error) {
	rows, err := s.out.Endpoints(ctx, s.cfg.DB, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, len(rows))
	for i, r := range rows {
		out[i] = endpointFromRow(r)
	}
	return out, nil
}

// DeleteEndpoint deletes the tenant's endpoint; false when it has none
// such.
func (s *Service) DeleteEndpoint(ctx context.Context, tenantID, id string) (bool, error) {
	return s.out.DeleteEndpoint(ctx, s.cfg.DB, tenantID, id, s.cfg.Now())
}

// ErrNotFound is an event or endpoint the tenant cannot see.
var ErrNotFound = errors.New("events: not found")

// Replay sends the tenant's event id again to every endpoint it was
// delivered (or due) to, with the same event id.
func (s *Service) Replay(ctx context.Context, tenantID, id string) error {
	ev, err := s.outbox.Get(ctx, s.cfg.DB, tenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return s.out.Replay(ctx, s.cfg.DB, ev.Seq, s.cfg.Now())
}

// Sign is the signature header of body sent at t under secret:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a delivery's signature header against body and secret,
// and that it was signed within tolerance of now.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, p := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("events: malformed signature header")
	}
	t := time.Unix(sec, 0)
	if d := now.Sub(t); d > tolerance || d < -tolerance {
		return errors.New("events: signature timestamp outside the tolerance")
	}
	want := Sign(secret, t, body)
	if !hmac.Equal([]byte(want[strings.Index(want, "v1=")+3:]), []byte(sig)) {
		return errors.New("events: signature mismatch")
	}
	return nil
}

func (s *Service) deliver(ctx context.Context, d *db.DeliveryRow) bool {
	ep, err := s.out.Endpoint(ctx, s.cfg.DB, d.EndpointID)
	if err != nil {
		return false
	}
	var row db.OutboxRow
	if err := s.cfg.DB.NewSelect().Model(&row).Where("seq = ?", d.EventSeq).Scan(ctx); err != nil {
		return false
	}
	now := s.cfg.Now()
	if ep.DeletedAt != nil {
		d.Status, d.NextAt, d.LastError = "FAILED", nil, "the endpoint was deleted"
		_, _ = s.out.UpdateDelivery(ctx, s.cfg.DB, d)
		return false
	}
	ev := fromRow(row)
	body, _ := json.Marshal(ev)
	actx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	d.StatusCode, err = s.post(actx, ep, ev, body)
	cancel()
	if ctx.Err() != nil {
		// Cut short by our own shutdown, not the endpoint's answer: no
		// attempt is recorded, and the delivery is due again once its
		// claim lapses.
		return false
	}
	d.Attempts++
	if err == nil {
		d.Status, d.NextAt, d.LastError, d.DeliveredAt = "DELIVERED", nil, "", &now
	} else {
		d.LastError = err.Error()
		next := now.Add(min(FirstRetry<<min(d.Attempts-1, 20), MaxRetryWait))
		d.NextAt = &next
		if next.Sub(row.CreatedAt) > GiveUpAfter {
			d.Status, d.NextAt = "FAILED", nil
		}
		s.cfg.Logger.WarnContext(ctx, "webhook delivery failed; retrying", "event", ev.ID, "endpoint", ep.ID, "attempt", d.Attempts, "err", err)
	}
	if _, err := s.out.UpdateDelivery(ctx, s.cfg.DB, d); err != nil {
		s.cfg.Logger.WarnContext(ctx, "recording a webhook delivery", "event", ev.ID, "err", err)
	}
	return d.Status == "DELIVERED"
}

// post makes one delivery attempt and returns the HTTP status the
// endpoint answered (0 when it did not answer) and an error unless 2xx.
func (s *Service) post(ctx context.Context, ep *db.WebhookEndpointRow, ev Event, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "faregraph-webhooks/1")
	req.Header.Set(SignatureHeader, Sign(ep.Secret, s.cfg.Now(), body))
	req.Header.Set(EventIDHeader, ev.ID)
	req.Header.Set(EventTypeHeader, ev.Type)
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("endpoint answered HTTP %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// lookback is how many sequence numbers below the last one seen a
// subscription reads again: on Postgres a transaction that took a lower
// seq may commit after a higher one, and would otherwise be skipped.
const lookback = 64

// Subscribe streams the tenant's events about subject (a session or
// booking id), from those written after the call, until ctx ends. With
// after (an event id of the tenant's, from an earlier stream) it first
// sends the events about subject written after that one, in the outbox's
// order, then follows on: a client that lost its stream resumes without
// a gap or a repeat; an unknown after is ErrNotFound. Each event is sent
// once. It reads the outbox when woken by the notification of a new event
// about subject (Postgres, from any replica), and every
// FallbackPollInterval in case one was lost; without notifications
// (SQLite, or while the LISTEN connection is down) every PollInterval.
// A tenant with MaxSubscriptionsPerTenant open is refused
// (ErrTooManySubscriptions).
func (s *Service) Subscribe(ctx context.Context, tenantID, subject, after string) (<-chan Event, error) {
	var from int64 = -1
	if after != "" {
		ev, err := s.outbox.Get(ctx, s.cfg.DB, tenantID, after)
		if errors.Is(err, db.ErrNotFound) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		from = ev.Seq
	}
	done, ok := s.admit(tenantID)
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrTooManySubscriptions, s.cfg.MaxSubscriptionsPerTenant)
	}
	// Registered before the last event is read: an event committed in
	// between wakes it rather than waiting for a poll.
	w := s.register(subject)
	last, err := s.outbox.Last(ctx, s.cfg.DB)
	if err != nil {
		s.unregister(w)
		done()
		return nil, err
	}
	if from >= 0 {
		// Replay from after: read at once, from there on.
		last = from
		w.wake()
	}
	start := last
	ch := make(chan Event, 16)
	go func() {
		defer close(ch)
		defer done()
		defer s.unregister(w)
		t := time.NewTimer(s.pollInterval())
		defer t.Stop()
		sent := map[int64]bool{}
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-w.ch:
			}
			rows, err := s.outbox.After(ctx, s.cfg.DB, tenantID, subject, max(start, last-lookback), 100)
			t.Reset(s.pollInterval())
			if err != nil {
				if ctx.Err() == nil {
					s.cfg.Logger.WarnContext(ctx, "reading events for a subscription", "err", err)
				}
				continue
			}
			for _, r := range rows {
				if sent[r.Seq] {
					continue
				}
				sent[r.Seq], last = true, max(last, r.Seq)
				select {
				case ch <- fromRow(r):
				case <-ctx.Done():
					return
				}
			}
			for seq := range sent {
				if seq <= last-lookback {
					delete(sent, seq)
				}
			}
			if len(rows) == 100 {
				w.wake() // a full page: read on at once
			}
		}
	}()
	return ch, nil
}
