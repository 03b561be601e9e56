package checkout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// SessionsIn lists up to limit sessions in status across all tenants,
// oldest change first, for operators.
func (s *Service) SessionsIn(ctx context.Context, status Status, limit int) ([]*Session, error) {
	rows, err := s.sessions.StaleSessions(ctx, s.cfg.DB, []string{string(status)}, s.now(), limit)
	if err != nil {
		return nil, err
	}
	out := make([]*Session, 0, len(rows))
	for _, r := range rows {
		sess, err := s.load(ctx, r.TenantID, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, sess)
	}
	return out, nil
}

// ErrNotResolvable is returned by Resolve for a session that has no part
// left to decide.
var ErrNotResolvable = errors.New("checkout: the session has no booking outcome to decide")

// ErrStepRunning is returned by Resolve while a live saga step (a book
// step, or the reconciler's, resumed or not) holds the session's lease:
// its provider may be booking this very moment, so deciding now could
// release the payment of a booking that is made. The error says until
// when the lease runs (it moves on while the step's heartbeat renews it).
var ErrStepRunning = errors.New("checkout: a step is running on the session")

// Resolve is an operator's decision on a session whose booking outcome is
// unknown (NEEDS_ATTENTION, or BOOKING left by a stopped process). It
// takes the session's lease first, as a saga step does (one conditional
// UPDATE), and is refused with ErrStepRunning while a live step holds it.
// Each undecided part (only part, when part is not negative) is recorded as
// booked under the provider's reference (read back from the provider when
// it can be; reference is then required) or as failed; then the session
// is settled as a booking run is: what was booked is captured, the rest
// released. A part named that the session does not have is an error
// saying how many parts it has. It returns the settled session.
func (s *Service) Resolve(ctx context.Context, id string, part int, booked bool, reference string) (_ *Session, err error) {
	ctx, end := s.step(ctx, "resolve", id)
	defer func() { end(err) }()
	row, err := s.sessions.SessionByID(ctx, s.cfg.DB, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	sess, err := s.load(ctx, row.TenantID, row.ID)
	if err != nil {
		return nil, err
	}
	from := sess.Status
	if from != NeedsAttention && from != Booking {
		return sess, fmt.Errorf("%w: it is %s", ErrNotResolvable, from)
	}
	if part >= len(sess.Parts) {
		return sess, fmt.Errorf("checkout: no part %d: the session has %s (0 to %d)", part, fault.Count(len(sess.Parts), "part", "parts"), len(sess.Parts)-1)
	}
	if err := s.stepRunning(sess); err != nil {
		return sess, err
	}
	if booked && reference == "" {
		return sess, errors.New("checkout: a booked part needs the provider's booking reference")
	}
	// The lease, as a step takes it: a book step or the reconciler that
	// starts meanwhile finds the session taken, and one that took it
	// first makes this claim lose.
	if ok, err := s.claim(ctx, sess, "resolve"); err != nil {
		return nil, err
	} else if !ok {
		cur, lerr := s.load(ctx, sess.TenantID, sess.ID)
		if lerr != nil {
			return nil, lerr
		}
		if err := s.stepRunning(cur); err != nil {
			return cur, err
		}
		return cur, fmt.Errorf("%w: the session changed meanwhile (it is %s); list it again", ErrStepRunning, cur.Status)
	}
	res, err := s.resolve(ctx, sess, from, part, booked, reference)
	if err != nil {
		s.letGo(ctx, sess.TenantID, sess.ID, "resolve")
		return res, err
	}
	return res, nil
}

// stepRunning is ErrStepRunning, with the step and until when, while a
// live step holds sess's lease; nil otherwise.
func (s *Service) stepRunning(sess *Session) error {
	if sess.busyOp == "" || sess.busyUntil == nil || !s.now().Before(*sess.busyUntil) {
		return nil
	}
	return fmt.Errorf("%w (%s); retry after %s", ErrStepRunning, sess.busyOp, sess.busyUntil.UTC().Format(time.RFC3339))
}

// letGo gives up the lease op holds on session id without writing
// anything else (the session as stored, its lease cleared), after op
// failed halfway; if another writer moved the session meanwhile, nothing
// is written.
func (s *Service) letGo(ctx context.Context, tenantID, id, op string) {
	ctx = context.WithoutCancel(ctx)
	cur, err := s.load(ctx, tenantID, id)
	if err != nil || cur.busyOp != op {
		return
	}
	release(cur)
	if _, err := s.move(ctx, cur, cur.Status, "", ""); err != nil {
		s.cfg.Logger.WarnContext(ctx, "releasing a lease", "session", id, "step", op, "err", err)
	}
}

// resolve decides sess, whose lease Resolve holds.
func (s *Service) resolve(ctx context.Context, sess *Session, from Status, part int, booked bool, reference string) (*Session, error) {
	if err := s.partsFromBookings(ctx, sess); err != nil {
		return nil, err
	}
	var undecided []int
	for i, p := range sess.Parts {
		if (p.Status == PartUnknown || p.Status == PartPending) && (part < 0 || part == i) {
			undecided = append(undecided, i)
		}
	}
	switch {
	case len(undecided) == 0 && part >= 0:
		return sess, fmt.Errorf("%w: part %d is %s", ErrNotResolvable, part, sess.Parts[part].Status)
	case len(undecided) == 0:
		return sess, ErrNotResolvable
	case booked && len(undecided) > 1:
		return sess, fmt.Errorf("checkout: %d parts are undecided (%v); name one with its provider reference", len(undecided), undecided)
	}
	for _, i := range undecided {
		if !booked {
			setPart(sess, i, PartFailed, fault.NotBooked)
			continue
		}
		bk := &providers.Booking{Reference: reference, Status: providers.BookingConfirmed}
		if r, ok := s.Retriever(sess.Offer.Parts[i].Provider); ok {
			pctx, cancel := s.provider(ctx)
			got, err := r.Retrieve(pctx, reference)
			cancel()
			if err != nil {
				return sess, fmt.Errorf("checkout: read booking %s back from %s: %w", reference, sess.Offer.Parts[i].Provider, err)
			}
			bk = got
		}
		st, err := s.recordBooking(ctx, sess, i, bk)
		if err != nil {
			return nil, err
		}
		sess.Parts[i] = st
	}
	res, err := s.finalize(ctx, sess, from)
	if err != nil {
		return nil, err
	}
	if res.Session.Status != NeedsAttention && !res.Session.Status.Final() {
		return res.Session, fmt.Errorf("%w: the session changed meanwhile (it is %s); list it again", ErrStepRunning, res.Session.Status)
	}
	return res.Session, nil
}
