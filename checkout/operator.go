package checkout

import (
	"context"
	"errors"
	"fmt"

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

// Resolve is an operator's decision on a session whose booking outcome is
// unknown (NEEDS_ATTENTION, or BOOKING left by a stopped process). Each
// undecided part (only part, when part is not negative) is recorded as
// booked under the provider's reference (read back from the provider when
// it can be; reference is then required) or as failed; then the session
// is settled as a booking run is: what was booked is captured, the rest
// released. It returns the settled session.
func (s *Service) Resolve(ctx context.Context, id string, part int, booked bool, reference string) (*Session, error) {
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
	if err := s.partsFromBookings(ctx, sess); err != nil {
		return nil, err
	}
	var undecided []int
	for i, p := range sess.Parts {
		// A Deferred part was never sent to its provider: the reconciler
		// books it, or reports it NOT_TRIED, once the others are decided.
		if (p.Status == PartUnknown || p.Status == PartPending && !p.Deferred) && (part < 0 || part == i) {
			undecided = append(undecided, i)
		}
	}
	switch {
	case len(undecided) == 0:
		return sess, ErrNotResolvable
	case booked && len(undecided) > 1:
		return sess, fmt.Errorf("checkout: %d parts are undecided (%v); name one with its provider reference", len(undecided), undecided)
	case booked && reference == "":
		return sess, errors.New("checkout: a booked part needs the provider's booking reference")
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
	return res.Session, nil
}
