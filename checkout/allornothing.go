package checkout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

// All-or-nothing trips (PartialBooking FORBID): the parts are booked one
// after the other, those that can be undone first and those that cannot
// last, and once one fails no further part is tried; the parts booked
// before it are then canceled where their provider allows it, and only
// what stays booked is captured. So a failure of any part before the
// first that cannot be undone leaves nothing booked. With two parts that
// cannot be undone, a failure of the second leaves the first booked: the
// session ends PARTIALLY_BOOKED, its failure saying which part failed and
// which stayed booked, and only that part is captured.

// bookingOrder is the order in which an all-or-nothing trip's parts are
// booked: first the parts whose provider can cancel a booking (LiteAPI),
// so that a later failure can undo them; last the parts whose provider
// cannot (CitizenPlane: non-refundable, non-exchangeable fares), since
// once booked they stay booked. Among the parts that can be undone, the
// one least likely to succeed goes first: a part whose provider takes the
// payment itself (PROVIDER_INTENT, CARD_FORWARD: the provider may find the
// intent unconfirmed or decline the card) before one paid on account
// (MERCHANT). Otherwise, the offer's order.
func (s *Service) bookingOrder(sess *Session) []int {
	order := make([]int, len(sess.Parts))
	for i := range order {
		order[i] = i
	}
	rank := func(i int) int {
		if _, err := s.cfg.Providers.Canceller(sess.Offer.Parts[i].Provider); err != nil {
			return 2 // cannot be undone: last
		}
		if settlementOf(sess, i) != providers.Merchant {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(order, func(a, b int) int { return rank(a) - rank(b) })
	return order
}

// bookInTurn books the pending parts in bookingOrder and stops at the
// first that does not book (refused or unknown): the parts after it are
// not tried and count as not booked. A part refused for its payment
// (refusedForPayment) stops the run too, leaving the parts after it
// pending for paymentRefused to decide.
func (s *Service) bookInTurn(ctx context.Context, sess *Session) error {
	stopped := false
	for _, i := range s.bookingOrder(sess) {
		if sess.Parts[i].Status != PartPending {
			stopped = stopped || sess.Parts[i].Status != PartBooked
			continue
		}
		if stopped {
			setPart(sess, i, PartFailed, fault.NotBooked)
			continue
		}
		st, err := s.bookPart(ctx, sess, i)
		if err != nil {
			return err
		}
		sess.Parts[i] = st
		if refusedForPayment(st) {
			return nil
		}
		stopped = st.Status != PartBooked
	}
	return nil
}

// compensate cancels, where the provider allows it, the booked parts of an
// all-or-nothing trip of which some part failed, and records each
// cancellation on the part and its booking row. A part whose provider
// cannot cancel, or whose cancellation fails or is still pending, stays
// booked (and is captured).
func (s *Service) compensate(ctx context.Context, sess *Session) error {
	if !anyPart(sess, PartFailed) {
		return nil
	}
	brs, err := s.sessions.BookingsOf(ctx, s.cfg.DB, sess.ID)
	if err != nil {
		return err
	}
	cancelable := func(b db.BookingRow) bool {
		_, err := s.cfg.Providers.Canceller(b.Provider)
		return b.PartIndex < len(sess.Parts) && sess.Parts[b.PartIndex].Status == PartBooked && err == nil
	}
	// The cancellations are recorded before they are asked for, with the
	// lease still held; the outcomes go with finalize's move.
	intents := 0
	for _, b := range brs {
		if cancelable(b) {
			s.intend(sess, stepCancel, b.PartIndex, b.ProviderReference)
			intents++
		}
	}
	if intents > 0 {
		if ok, err := s.move(ctx, sess, sess.Status, "", ""); err != nil || !ok {
			return fmt.Errorf("checkout: record the cancellations of %s: %w", sess.ID, errors.Join(err, errBusy))
		}
	}
	for _, b := range brs {
		i := b.PartIndex
		if !cancelable(b) {
			continue // not booked, or the provider cannot cancel: the part stays booked
		}
		c, _ := s.cfg.Providers.Canceller(b.Provider)
		pctx, cancel := s.provider(ctx)
		s.crash("cancel:before_provider")
		bk, err := c.Cancel(pctx, b.ProviderReference)
		s.crash("cancel:after_provider")
		cancel()
		if err != nil || bk.Status != providers.BookingCanceled {
			s.cfg.Logger.WarnContext(ctx, "canceling a booked part of a failed all-or-nothing trip", "session", sess.ID, "part", i, "err", err)
			s.outcome(sess, stepCancel, i, b.ProviderReference, false, map[string]any{"error": fmt.Sprint(err)})
			continue
		}
		s.outcome(sess, stepCancel, i, b.ProviderReference, true, map[string]any{"status": bk.Status})
		if err := s.sessions.SetBookingStatus(ctx, s.cfg.DB, sess.ID, i, string(providers.BookingCanceled), s.now()); err != nil {
			return err
		}
		setPart(sess, i, PartCanceled, "")
	}
	return nil
}

// anyPart reports whether some part of sess has one of statuses.
func anyPart(sess *Session, statuses ...PartStatus) bool {
	for _, p := range sess.Parts {
		if slices.Contains(statuses, p.Status) {
			return true
		}
	}
	return false
}

// describeParts says what happened to each part, for a failure message:
// "part 1 (citizenplane) booked; part 2 (liteapi) failed: SOLD_OUT".
func describeParts(sess *Session) string {
	var out []string
	for i, p := range sess.Parts {
		what := map[PartStatus]string{PartBooked: "booked and charged", PartCanceled: "booked, then canceled (not charged)",
			PartFailed: "not booked", PartUnknown: "unknown", PartPending: "not booked"}[p.Status]
		if p.Code != "" {
			what += " (" + string(p.Code) + ")"
		}
		out = append(out, fmt.Sprintf("part %d (%s) %s", i+1, sess.Offer.Parts[i].Provider, what))
	}
	return strings.Join(out, "; ")
}
