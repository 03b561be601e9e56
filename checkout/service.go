package checkout

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records"
	"github.com/faregraph/faregraph/search"
)

// ErrNotFound is returned for a session or booking the tenant cannot see
// (unknown, or another tenant's: both answer the same).
var ErrNotFound = errors.New("checkout: not found")

// Offers opens the signed offer and ancillary ids a checkout starts from.
type Offers interface {
	DecodeOffer(id string) (*search.Offer, error)
	DecodeAncillary(id string) (*search.Ancillary, error)
}

// CardConfirmer plays the card form of a sandbox gateway.
type CardConfirmer interface {
	Confirm(ctx context.Context, intentID, cardNumber string) (*payments.Intent, error)
}

// Config configures a Service.
type Config struct {
	DB        *db.DB
	Providers *providers.Set
	Offers    Offers
	Gateway   payments.Gateway
	// Sandbox is set when Gateway is the sandbox, to confirm test cards.
	Sandbox CardConfirmer
	// ProviderSandbox confirms providers' own payment intents with test
	// cards (the provider simulators); nil when none can.
	ProviderSandbox ProviderSandbox
	Logger          *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// OperationTimeout bounds one saga step (all its provider and payment
	// calls and its writes); 60 s when zero.
	OperationTimeout time.Duration
	// ProviderTimeout bounds each provider call within a step, so that a
	// provider that never answers leaves the step time to record it; 10 s
	// when zero, and at most a third of OperationTimeout.
	ProviderTimeout time.Duration
	// Lease is how long a step holds a session against concurrent steps
	// before another may take over; 10 s when zero. A live step renews it
	// every Lease/3 while its outside calls run (heartbeat), however long
	// they take (up to ProviderTimeout each), so only a step whose process
	// stopped loses it: the sweeper takes such a session over about Lease
	// after the process's last heartbeat.
	Lease time.Duration
	// TracerProvider traces each saga step; nil traces nothing.
	TracerProvider trace.TracerProvider
	// ReconcileAttempts is how many times the reconciler asks the
	// providers about a booking whose outcome is unknown before it settles
	// the session by rule (the part failed, its money released, an alert
	// raised); 8 when zero.
	ReconcileAttempts int
	// ReconcileBackoff is the wait after the first unknown answer; it
	// doubles after each further one, up to an hour. 15 s when zero, so
	// that 8 attempts span about an hour.
	ReconcileBackoff time.Duration
	// RenewMargin is how long before a hold lapses it is renewed (while
	// the traveller pays, and at book time); 30 s when zero.
	RenewMargin time.Duration
	// StepRetention is how long the finished saga steps (DONE, FAILED) of
	// ended sessions are kept before the sweeper deletes them
	// (PruneSteps); 30 days when zero.
	StepRetention time.Duration
	// Alerts is told of what an operator should look at; nil tells no one.
	Alerts Alerts
	// CrashAt is for crash tests only: it is called with the name of every
	// step boundary the saga crosses (CrashPoints), before and after each
	// provider and gateway call, and may stop the process there. nil in
	// production (cmd/faregraph refuses to set it there).
	CrashAt func(point string)
}

// Alerts receives the events an operator is alerted to (a metric).
type Alerts interface {
	// SettledByRule says the reconciler gave up asking a provider about a
	// booking and settled the session by rule (the part counted as not
	// booked, its money released): the provider may yet have booked it.
	SettledByRule(provider string)
	// BookedLate says a provider confirmed a booking after its session
	// was decided without it (settled by rule, resolved as failed, or
	// taken over from a step whose lease lapsed): the booking is recorded
	// but not charged, and an operator should cancel or charge it.
	BookedLate(provider string)
}

// Service runs checkout sessions. It is safe for concurrent use, and any
// number of replicas may run it on the same database.
type Service struct {
	cfg      Config
	tracer   trace.Tracer
	sessions db.Sessions
	tenants  db.Tenants
	idem     db.Idempotency
	cancels  db.Cancellations
	// strayAt is when ReleaseStrayAuthorizations next looks up ended
	// sessions (Unix nanoseconds; 0: at once).
	strayAt atomic.Int64
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.OperationTimeout <= 0 {
		cfg.OperationTimeout = time.Minute
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 10 * time.Second
	}
	if cfg.ProviderTimeout <= 0 {
		cfg.ProviderTimeout = 10 * time.Second
	}
	cfg.ProviderTimeout = min(cfg.ProviderTimeout, cfg.OperationTimeout/3)
	if cfg.TracerProvider == nil {
		cfg.TracerProvider = noop.NewTracerProvider()
	}
	if cfg.ReconcileAttempts <= 0 {
		cfg.ReconcileAttempts = 8
	}
	if cfg.RenewMargin <= 0 {
		cfg.RenewMargin = renewMargin
	}
	if cfg.StepRetention <= 0 {
		cfg.StepRetention = 30 * 24 * time.Hour
	}
	if cfg.ReconcileBackoff <= 0 {
		cfg.ReconcileBackoff = 15 * time.Second
	}
	return &Service{cfg: cfg, tracer: cfg.TracerProvider.Tracer(tracerName)}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// renewMargin is Config.RenewMargin.
func (s *Service) renewMargin() time.Duration { return s.cfg.RenewMargin }

// detach gives a saga step a context that a client who disconnects cannot
// cancel halfway through a payment or a booking, bounded by its own timeout.
// The request's own deadline, if it has one, is kept as a value
// (requestDeadline): what only waits on the request's behalf (awaitKey)
// answers before it.
func (s *Service) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	dctx := context.WithoutCancel(ctx)
	if _, ok := requestDeadline(ctx); !ok {
		if d, ok := ctx.Deadline(); ok {
			dctx = context.WithValue(dctx, requestDeadlineKey{}, d)
		}
	}
	return context.WithTimeout(dctx, s.cfg.OperationTimeout)
}

type requestDeadlineKey struct{}

// requestDeadline is the deadline of the request a detached ctx runs for.
func requestDeadline(ctx context.Context) (time.Time, bool) {
	d, ok := ctx.Value(requestDeadlineKey{}).(time.Time)
	return d, ok
}

// provider bounds one provider call.
func (s *Service) provider(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.ProviderTimeout)
}

func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// load reads a session with its bookings.
func (s *Service) load(ctx context.Context, tenantID, id string) (*Session, error) {
	row, err := s.sessions.GetSession(ctx, s.cfg.DB, tenantID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	sess, err := fromRow(row)
	if err != nil {
		return nil, err
	}
	if !sess.Status.mayHaveBookings() {
		return sess, nil // no booking to read
	}
	brs, err := s.sessions.BookingsOf(ctx, s.cfg.DB, id)
	if err != nil {
		return nil, err
	}
	for _, b := range brs {
		sess.Bookings = append(sess.Bookings, bookingFromRow(b))
	}
	return sess, nil
}

func fromRow(row *db.SessionRow) (*Session, error) {
	var rec records.Session
	if err := records.Decode([]byte(row.Data), &rec); err != nil {
		return nil, fmt.Errorf("checkout: session %s: %w", row.ID, err)
	}
	sess := sessionFromRecord(rec)
	sess.ID, sess.TenantID, sess.Status, sess.Version = row.ID, row.TenantID, Status(row.Status), row.Version
	sess.GroupIdentifier, sess.ExpiresAt, sess.HoldExpiresAt = row.GroupIdentifier, row.ExpiresAt.UTC(), row.HoldExpiresAt
	sess.CreatedAt, sess.UpdatedAt = row.CreatedAt.UTC(), row.UpdatedAt.UTC()
	sess.busyOp, sess.busyUntil, sess.releaseDue = row.BusyOp, row.BusyUntil, row.ReleaseDueAt
	sess.ReconcileAttempts, sess.ReconcileAt = row.ReconcileAttempts, row.ReconcileAt
	sess.payGateway = row.PaymentGateway
	if sess.PartialBooking == "" {
		sess.PartialBooking = ForbidPartial // stored before the choice existed: the default
	}
	if sess.HoldExpiresAt != nil {
		t := sess.HoldExpiresAt.UTC()
		sess.HoldExpiresAt = &t
	}
	return sess, nil
}

func toRow(sess *Session) (*db.SessionRow, error) {
	data, err := json.Marshal(sessionRecord(sess))
	if err != nil {
		return nil, fmt.Errorf("checkout: encode session %s: %w", sess.ID, err)
	}
	return rowWith(sess, string(data)), nil
}

// rowWith is sess's row with data, the session document toRow encodes of
// sess as it stands, as its data column.
func rowWith(sess *Session, data string) *db.SessionRow {
	return &db.SessionRow{
		ID: sess.ID, TenantID: sess.TenantID, Status: string(sess.Status), Version: sess.Version,
		BusyOp: sess.busyOp, BusyUntil: sess.busyUntil, ReleaseDueAt: sess.releaseDue,
		ReconcileAttempts: sess.ReconcileAttempts, ReconcileAt: sess.ReconcileAt,
		OfferID: sess.OfferID, PaymentRef: paymentRef(sess), PaymentGateway: paymentGateway(sess), Data: data, TotalAmount: sess.Total.Amount, Currency: sess.Total.Currency,
		GroupIdentifier: sess.GroupIdentifier, ExpiresAt: sess.ExpiresAt, HoldExpiresAt: sess.HoldExpiresAt,
		CreatedAt: sess.CreatedAt, UpdatedAt: sess.UpdatedAt,
	}
}

// bookingCanceledBritish is how rows stored before the spelling was made
// one (CANCELED) spell a canceled booking's status.
const bookingCanceledBritish = "CANCELLED"

func bookingFromRow(b db.BookingRow) BookingRecord {
	status := providers.BookingStatus(b.Status)
	if b.Status == bookingCanceledBritish {
		status = providers.BookingCanceled
	}
	r := BookingRecord{
		ID: b.ID, TenantID: b.TenantID, SessionID: b.SessionID, PartIndex: b.PartIndex, Reference: b.Reference,
		Provider: b.Provider, ProviderReference: b.ProviderReference, Status: status,
		Amount: providers.Money{Amount: b.Amount, Currency: b.Currency}, GroupIdentifier: b.GroupIdentifier, CreatedAt: b.CreatedAt.UTC(),
		DepartsAt: b.DepartsAt, Schedule: b.Schedule,
	}
	var d records.BookingData
	if records.Decode([]byte(b.Data), &d) == nil {
		r.Locators = d.Locators
	}
	return r
}

// move writes sess, which the caller changed from status from, as one
// conditional UPDATE. It reports false when another call changed the
// session first; the caller then reloads and answers from what is stored.
// A move the state machine does not list (sessionMoves) is an error.
func (s *Service) move(ctx context.Context, sess *Session, from Status, event, detail string) (bool, error) {
	if !CanMove(from, sess.Status) {
		return false, errMove(sess.ID, from, sess.Status)
	}
	sess.UpdatedAt = s.now()
	s.followUps(sess, from)
	row, err := toRow(sess)
	if err != nil {
		return false, err
	}
	if sess.leased && sess.busyOp != "" {
		// A write of the step that holds the lease renews it, so that it
		// does not put back a deadline older than the heartbeat's.
		until := s.now().Add(s.cfg.Lease)
		sess.busyUntil = &until
	}
	first, last, committed, err := s.answerWith(ctx, sess, row.Data)
	if err != nil {
		return false, err
	}
	steps := sess.steps
	sess.steps = nil
	ok, err := s.sessions.UpdateSessionAlso(ctx, s.cfg.DB, row, string(from), event, detail, first, last, steps...)
	if err == nil {
		committed(ok)
	}
	if ok {
		sess.Version = row.Version
	}
	return ok, err
}

// claim takes the session's lease for op (hold, pay, book...), so that a
// concurrent call of the same step does not run it twice. It reports false
// when another call holds the lease or moved the session.
func (s *Service) claim(ctx context.Context, sess *Session, op string) (bool, error) {
	now := s.now()
	if sess.busyOp != "" && sess.busyUntil != nil && now.Before(*sess.busyUntil) {
		return false, nil
	}
	until := now.Add(s.cfg.Lease)
	sess.busyOp, sess.busyUntil = op, &until
	ok, err := s.move(ctx, sess, sess.Status, "", "")
	if ok {
		s.heartbeat(ctx, sess, op)
	}
	return ok, err
}

// stepScope is what a step (Service.step) started and stops when it ends.
type stepScope struct {
	mu    sync.Mutex
	stops []func()
}

type stepScopeKey struct{}

func (sc *stepScope) end() {
	sc.mu.Lock()
	stops := sc.stops
	sc.stops = nil
	sc.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
}

// heartbeat keeps sess's lease for op alive while the step runs: every
// Lease/3 it moves busy_until on to now + Lease (db ExtendLease), until
// the step ends (the stepScope in ctx), the lease is released or taken
// over, or the process stops, after which the lease lapses within Lease.
// The step's own writes renew it too (move).
func (s *Service) heartbeat(ctx context.Context, sess *Session, op string) {
	sess.leased = true
	sc, _ := ctx.Value(stepScopeKey{}).(*stepScope)
	if sc == nil {
		return
	}
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	id := sess.ID
	go func() {
		defer close(done)
		t := time.NewTicker(max(s.cfg.Lease/3, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-hctx.Done():
				return
			case <-t.C:
			}
			now := s.now()
			ok, err := s.sessions.ExtendLease(hctx, s.cfg.DB, id, op, now, now.Add(s.cfg.Lease))
			switch {
			case err != nil && hctx.Err() == nil:
				s.cfg.Logger.WarnContext(hctx, "renewing a step's lease", "session", id, "step", op, "err", err)
			case err == nil && !ok:
				return
			}
		}
	}()
	sc.mu.Lock()
	sc.stops = append(sc.stops, func() { cancel(); <-done })
	sc.mu.Unlock()
}

// release clears the lease as part of the step's final write.
func release(sess *Session) { sess.busyOp, sess.busyUntil = "", nil }

// Result is the outcome of a mutation: the session as it stands, and the
// problems the caller can fix.
type Result struct {
	Session    *Session
	UserErrors []fault.Violation
	// Warnings say what the caller should know about a step that was done.
	Warnings []fault.Warning
}

// violation is a problem with field, a path under the mutation's input
// argument ("passengers", "0", "givenName").
func violation(code fault.Code, msg string, field ...string) fault.Violation {
	return fault.Violation{Field: append([]string{"input"}, field...), Code: code, Message: msg}
}

// userErr is the one violation of a result.
func userErr(code fault.Code, msg string, field ...string) []fault.Violation {
	return []fault.Violation{violation(code, msg, field...)}
}

// idemScope is the idempotency key a mutation runs under (idempotent),
// which the mutation's final write stores its answer with (answering).
type idemScope struct {
	tenantID, key, op, hash string
	// lazy: the key is claimed in the transaction of the mutation's first
	// write (move), not in one of its own; claimed says whether it is.
	lazy    bool
	claimed atomic.Bool
	// body is the answer stored with the final write, "" while none is.
	body string
}

type idemScopeKey struct{}

// lazyClaim lists the mutations whose idempotency key is claimed with
// their first write: every write they make before their step's lease is a
// move (an expiry, a payment update, the lease itself), so a concurrent
// request with the same key finds the key claimed at that write, rolls
// it back and waits for the first one's answer.
var lazyClaim = map[string]bool{"holdCheckoutSession": true, "payCheckoutSession": true, "bookCheckoutSession": true}

// errKeyTaken: a lazily claimed key was claimed first by another request.
var errKeyTaken = errors.New("checkout: the idempotency key is another request's")

// answeredBy names, for each idempotent mutation, the step whose final
// write is its answer when it succeeds: a one-step checkout answers with
// its payment's.
var answeredBy = map[string]string{
	"createCheckoutSession": "create", "holdCheckoutSession": "hold", "payCheckoutSession": "pay",
	"bookCheckoutSession": "book", "checkout": "pay",
}

type answeringKey struct{}

// answering marks ctx for the write (move, or create's insert) that ends
// step with success: when step answers the idempotent mutation ctx runs
// under, that write also stores the session as written, with no user
// errors and no warnings, as the mutation's answer, in its transaction
// (the state change and the idempotency record commit together). If the
// mutation then answers anything else, idempotent stores that instead.
func answering(ctx context.Context, step string) context.Context {
	return context.WithValue(ctx, answeringKey{}, step)
}

// answerWith returns what a write of sess in ctx also writes in its
// transaction, before it (the lazily claimed key) and after it (the
// answer; see answering), and the function to call with whether the
// write applied once its transaction committed. data is the session
// document the write stores (toRow's Data of sess as it stands), which
// the answer holds as it is rather than encoding it again.
func (s *Service) answerWith(ctx context.Context, sess *Session, data string) (first, last db.Also, committed func(applied bool), err error) {
	sc, _ := ctx.Value(idemScopeKey{}).(*idemScope)
	if sc == nil {
		return nil, nil, func(bool) {}, nil
	}
	now := s.now()
	claiming := sc.lazy && !sc.claimed.Load()
	if claiming {
		first = func(ctx context.Context, tx bun.Tx) error {
			ok, err := s.idem.ClaimIn(ctx, tx, sc.tenantID, sc.key, sc.op, sc.hash, now)
			if err == nil && !ok {
				err = errKeyTaken
			}
			return err
		}
	}
	body := ""
	if step, _ := ctx.Value(answeringKey{}).(string); step != "" && answeredBy[sc.op] == step {
		// The answer is the session as the write leaves it: at the next
		// version.
		sess.Version++
		body, err = replayBody(&Result{Session: sess}, data)
		sess.Version--
		if err != nil {
			return nil, nil, nil, err
		}
		last = func(ctx context.Context, tx bun.Tx) error {
			return s.idem.Finish(ctx, tx, sc.tenantID, sc.key, body, now)
		}
	}
	return first, last, func(applied bool) {
		if claiming {
			sc.claimed.Store(true)
		}
		if applied && body != "" {
			sc.body = body
		}
	}, nil
}

// replayBody is the stored form of res (a records.Replay in JSON); data
// is as for replayRecord.
func replayBody(res *Result, data string) (string, error) {
	rep, err := replayRecord(res, data)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(rep)
	return string(b), err
}

// idempotent runs op once per (tenant, key). A repeat with the same input
// gets the stored answer; with other input, IDEMPOTENCY_KEY_REUSED; while
// the first call is still running, the repeat waits for it a while. run
// gets ctx with the key's scope: the key is claimed before run, or, for
// the mutations of lazyClaim, with run's first write; the write marked
// answering stores the answer in its own transaction.
func (s *Service) idempotent(ctx context.Context, tenantID, key, op string, input any, run func(ctx context.Context) (*Result, error)) (*Result, error) {
	if key == "" {
		return run(ctx)
	}
	if len(key) > 255 {
		return &Result{UserErrors: userErr(fault.TooLong, "must be at most 255 characters", "idempotencyKey")}, nil
	}
	sc := &idemScope{tenantID: tenantID, key: key, op: op, hash: requestHash(op, input), lazy: lazyClaim[op]}
	defer s.keepKey(ctx, sc)()
	if !sc.lazy {
		if res, err := s.awaitKey(ctx, sc); res != nil || err != nil {
			return res, err
		}
	}
	sctx := context.WithValue(ctx, idemScopeKey{}, sc)
	for {
		res, err := run(sctx)
		if !sc.claimed.Load() && (errors.Is(err, errKeyTaken) || err == nil && retryable(res)) {
			// Another request has the key, or may have (it holds the
			// session): answer as it does, or, if the key is free, claim
			// it and run again.
			if res, err := s.awaitKey(ctx, sc); res != nil || err != nil {
				return res, err
			}
			continue
		}
		if err != nil || retryable(res) {
			// An answer that means "try again" is not the operation's
			// result: the key is freed so that the retry runs it (Release
			// frees only a key whose answer is not stored; a key not
			// claimed yet is not this request's to free).
			if sc.claimed.Load() {
				_ = s.idem.Release(context.WithoutCancel(ctx), s.cfg.DB, tenantID, key)
			}
			return res, err
		}
		body, err := replayBody(res, "")
		if err != nil {
			return nil, err
		}
		switch {
		case body == sc.body:
			return res, nil // stored with the final write
		case !sc.claimed.Load():
			// Nothing was written: the answer alone, unless another
			// request took the key meanwhile (its answer is given then).
			ok, err := s.idem.Store(context.WithoutCancel(ctx), s.cfg.DB, tenantID, key, op, sc.hash, body, s.now())
			if err != nil || ok {
				return res, err
			}
			if res, err := s.awaitKey(ctx, sc); res != nil || err != nil {
				return res, err
			}
		}
		if err := s.idem.Finish(context.WithoutCancel(ctx), s.cfg.DB, tenantID, key, body, s.now()); err != nil {
			return nil, err
		}
		return res, nil
	}
}

// awaitKey claims sc's key. When the key is another request's, it answers
// as that one did (its stored answer, IDEMPOTENCY_KEY_REUSED for another
// input, or IN_PROGRESS after waiting a while for it); nil, nil when the
// key is now claimed (sc.claimed) and the operation is to run. A key
// whose request stopped (its server killed: no claimant renews it, see
// keepKey) is taken over once unrenewed for the lease (Config.Lease).
// The wait ends before the request's own deadline (requestDeadline: a
// server's request timeout), less a margin to answer in, and in any case
// after OperationTimeout.
func (s *Service) awaitKey(ctx context.Context, sc *idemScope) (*Result, error) {
	deadline := time.Now().Add(s.cfg.OperationTimeout)
	if d, ok := requestDeadline(ctx); ok {
		d = d.Add(-min(time.Second, time.Until(d)/4))
		if d.Before(deadline) {
			deadline = d
		}
	}
	for {
		row, err := s.idem.Claim(ctx, s.cfg.DB, sc.tenantID, sc.key, sc.op, sc.hash, s.now(), s.cfg.Lease)
		if err != nil {
			return nil, err
		}
		if row == nil {
			sc.claimed.Store(true)
			return nil, nil
		}
		if row.Operation != sc.op || row.RequestHash != sc.hash {
			return &Result{UserErrors: userErr(fault.IdempotencyKeyReused, fmt.Sprintf("this idempotency key was used for another %s request; use a new key", row.Operation), "idempotencyKey")}, nil
		}
		if row.State == "DONE" {
			res, err := s.replay(row.Response)
			if err != nil {
				return nil, err
			}
			res.Warnings = append(res.Warnings, fault.Warning{Field: []string{"input", "idempotencyKey"}, Code: fault.IdempotentReplay,
				Message: "this is the answer of an earlier request with this idempotency key; nothing ran again"})
			return res, nil
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return &Result{UserErrors: userErr(fault.InProgress, fmt.Sprintf("a request with this idempotency key is still running; retry shortly (the key of a request whose server stopped is free again %s after its last sign of life)", s.cfg.Lease), "idempotencyKey")}, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(50*time.Millisecond, wait)):
		}
	}
}

// keepKey renews sc's claim of its key (db Idempotency.Touch) every
// Lease/3 while its mutation runs, so that a request still running keeps
// its key however long it takes, and a key whose server stopped is
// unrenewed for the lease and taken over by a retry (awaitKey). The
// returned function stops it.
func (s *Service) keepKey(ctx context.Context, sc *idemScope) (stop func()) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(max(s.cfg.Lease/3, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-hctx.Done():
				return
			case <-t.C:
			}
			if !sc.claimed.Load() {
				continue
			}
			if err := s.idem.Touch(hctx, s.cfg.DB, sc.tenantID, sc.key, s.now()); err != nil && hctx.Err() == nil {
				s.cfg.Logger.WarnContext(hctx, "renewing an idempotency key's claim", "op", sc.op, "err", err)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// retryable reports whether a result only says to try again later.
func retryable(res *Result) bool {
	for _, ue := range res.UserErrors {
		if fault.Retryable(ue.Code) {
			return true
		}
	}
	return false
}

// requestHash identifies a request to an idempotency key: the SHA-256, in
// hex, of op, a NUL and input's JSON. It is stored with the key, so input's
// encoding is a stored format too: a golden test guards it.
func requestHash(op string, input any) string {
	b, _ := json.Marshal(input)
	h := sha256.Sum256(append([]byte(op+"\x00"), b...))
	return hex.EncodeToString(h[:])
}

// replay decodes the answer an idempotency key stored (a records.Replay of
// records.Version or the version before it).
func (s *Service) replay(body string) (*Result, error) {
	var rep records.Replay
	if err := records.Decode([]byte(body), &rep); err != nil {
		return nil, fmt.Errorf("checkout: idempotent answer: %w", err)
	}
	return resultFromReplay(rep)
}

func bookingToRow(b BookingRecord) db.BookingRow {
	data, _ := json.Marshal(records.BookingData{Header: records.Current(), Locators: b.Locators})
	return db.BookingRow{
		ID: b.ID, TenantID: b.TenantID, SessionID: b.SessionID, PartIndex: b.PartIndex, Reference: b.Reference,
		Provider: b.Provider, ProviderReference: b.ProviderReference, Status: string(b.Status),
		Amount: b.Amount.Amount, Currency: b.Amount.Currency, GroupIdentifier: b.GroupIdentifier, Data: string(data),
		CreatedAt: b.CreatedAt, UpdatedAt: b.CreatedAt, DepartsAt: b.DepartsAt, Schedule: b.Schedule,
	}
}

func paymentRef(sess *Session) string {
	if sess.Payment == nil {
		return ""
	}
	return sess.Payment.IntentID
}

// paymentGateway names the gateway sess's card payment is made through:
// the payment's own, or, while its intent is being created, the one the
// pay step chose; "" for none.
func paymentGateway(sess *Session) string {
	if p := sess.Payment; p != nil {
		return p.Gateway // "" for a credit line, or every part paid to its provider
	}
	return sess.payGateway
}

// PaymentGateway names the gateway sess's card payment is made through
// (payments.Gateway.Name), "" when it has none (no payment yet, a credit
// line, or every part paid to its provider).
func (sess *Session) PaymentGateway() string { return paymentGateway(sess) }

// OtherGatewayError is a call on a session's payment that this service
// cannot make: the payment was made through Gateway, and the service is
// configured with Ours. The step is left to a replica configured with
// Gateway (the sweeper's look-ups skip such sessions, db.OfGateway).
type OtherGatewayError struct {
	Session, Gateway, Ours string
}

func (e *OtherGatewayError) Error() string {
	return fmt.Sprintf("checkout: the payment of %s was made through the gateway %s; this server has %s", e.Session, e.Gateway, e.Ours)
}

// gateway is the gateway that took sess's payment, which every capture,
// void, refund and read of it goes through: the service's own, or an
// *OtherGatewayError when the payment was made through another. A
// payment stored before gateways were recorded is taken to be the
// service's.
func (s *Service) gateway(sess *Session) (payments.Gateway, error) {
	if g := paymentGateway(sess); g != "" && g != s.cfg.Gateway.Name() {
		return nil, &OtherGatewayError{Session: sess.ID, Gateway: g, Ours: s.cfg.Gateway.Name()}
	}
	return s.cfg.Gateway, nil
}

// otherGateway answers a mutation that needs a session's payment on a
// replica configured with another gateway: PAYMENT_UNAVAILABLE, to
// retry (a replica with the payment's gateway answers it).
func otherGateway(sess *Session, err error) (*Result, error) {
	var og *OtherGatewayError
	if !errors.As(err, &og) {
		return nil, err
	}
	return &Result{Session: sess, UserErrors: userErr(fault.PaymentUnavailable,
		fmt.Sprintf("this session's payment was made through %s, which this server does not reach; retry shortly", og.Gateway), "checkoutSessionId")}, nil
}

// Gateway is the payment gateway the service uses.
func (s *Service) Gateway() payments.Gateway { return s.cfg.Gateway }
