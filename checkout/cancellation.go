package checkout

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
)

// Booking cancellations, quote then confirm. QuoteCancellation asks the
// provider what a cancellation would refund and stores the quote;
// CancelBooking confirms the booking's latest quote, cancels at the
// provider and refunds, through the gateway that took the money (or the
// credit line), exactly what the provider refunded, at most what the
// booking cost. Every step is one conditional UPDATE of the cancellation's
// row (cancelMoves); what a step leaves to do (a provider that answered
// "pending", a call that failed midway, a refund still pending) is due
// at next_at, and the sweeper (FollowUpCancellations) takes it from there.

// CancellationStatus is where a cancellation stands.
type CancellationStatus string

// The statuses of a cancellation.
const (
	// CancelQuoted: a quote, not confirmed; it may be confirmed until it
	// expires, while it is its booking's latest.
	CancelQuoted CancellationStatus = "QUOTED"
	// CancelCanceling: confirmed; the provider is being asked to cancel.
	CancelCanceling CancellationStatus = "CANCELING"
	// CancelPending: the provider accepted the cancellation and completes
	// it later (LiteAPI's 202); the sweeper asks again.
	CancelPending CancellationStatus = "PENDING"
	// CancelRefunding: canceled at the provider; the refund is being made.
	CancelRefunding CancellationStatus = "REFUNDING"
	// CancelCompleted: canceled and refunded (or nothing to refund). Final.
	CancelCompleted CancellationStatus = "COMPLETED"
	// CancelRefundFailed: canceled, but the gateway could not refund; an
	// operator is alerted. Final.
	CancelRefundFailed CancellationStatus = "REFUND_FAILED"
	// CancelFailed: the provider refused to cancel; the booking stands.
	// Final.
	CancelFailed CancellationStatus = "FAILED"
	// CancelExpired: a quote not confirmed before its expiry. Final. Shown,
	// not stored: the row stays QUOTED (see shownStatus).
	CancelExpired CancellationStatus = "EXPIRED"
	// CancelSuperseded: a quote that can no longer be confirmed: a newer
	// quote of the booking exists, or the booking was canceled otherwise
	// (another quote, the airline). Final. Shown, not stored.
	CancelSuperseded CancellationStatus = "SUPERSEDED"
)

// shownStatus is the status of cancellation row as clients see it: a
// QUOTED row that is not its booking's latest, or whose booking is
// canceled, is SUPERSEDED, and one past its expiry EXPIRED; any other
// row shows its stored status. Computed when read, so a quote never shows
// QUOTED once it cannot be confirmed, with no sweep to wait for.
func shownStatus(r *db.CancellationRow, latest, bookingCanceled bool, now time.Time) CancellationStatus {
	if r.Status != string(CancelQuoted) {
		return CancellationStatus(r.Status)
	}
	switch {
	case !latest || bookingCanceled:
		return CancelSuperseded
	case !now.Before(r.ExpiresAt):
		return CancelExpired
	}
	return CancelQuoted
}

// cancelMoves lists the moves of a cancellation, as sessionMoves does for
// sessions. A status absent as a key is final.
// CANCELING and PENDING move to REFUND_FAILED when the provider canceled
// with a refund we cannot turn into the booking's currency.
var cancelMoves = map[CancellationStatus][]CancellationStatus{
	CancelQuoted:    {CancelCanceling},
	CancelCanceling: {CancelPending, CancelRefunding, CancelFailed, CancelRefundFailed},
	CancelPending:   {CancelRefunding, CancelFailed, CancelRefundFailed},
	CancelRefunding: {CancelCompleted, CancelRefundFailed},
}

// CancellationKind is who canceled a booking.
type CancellationKind string

// The kinds of cancellation.
const (
	// CancelVoluntary: the traveller canceled, confirming a quote; the
	// refund is what the fare's rules and the provider give back.
	CancelVoluntary CancellationKind = "VOLUNTARY"
	// CancelInvoluntary: the airline canceled (seen when the booking was
	// read back: the sweeper, or a query). The traveller is refunded the
	// part's full amount whatever the fare's rules (a non-refundable
	// CitizenPlane fare too): Regulation (EC) No 261/2004, art. 5(1)(a)
	// and 8(1)(a) (reimbursement of the full cost of the ticket), and the
	// US DOT's rule on automatic refunds, 14 CFR part 260 (2024: a
	// canceled flight is refunded in full, without being asked). Created
	// REFUNDING, in the transaction that records the booking CANCELED.
	CancelInvoluntary CancellationKind = "INVOLUNTARY"
)

// RefundChannel is who gives the traveller a cancellation's refund.
type RefundChannel string

// The refund channels.
const (
	// RefundByGateway: a refund on the card at the payment gateway that
	// took the session's payment (MERCHANT parts).
	RefundByGateway RefundChannel = "GATEWAY"
	// RefundByCreditLine: the API client's credit line is given back.
	RefundByCreditLine RefundChannel = "CREDIT_LINE"
	// RefundByProvider: the provider took the part's money itself
	// (PROVIDER_INTENT, CARD_FORWARD) and refunds the card on cancelling;
	// we make no refund of our own.
	RefundByProvider RefundChannel = "PROVIDER"
)

// CanMoveCancellation reports whether a cancellation may move from one
// status to another.
func CanMoveCancellation(from, to CancellationStatus) bool {
	return from == to || slices.Contains(cancelMoves[from], to)
}

// activeCancellation are the statuses in which a booking's cancellation
// is under way or done: no other quote of it may be confirmed.
var activeCancellation = []string{string(CancelCanceling), string(CancelPending), string(CancelRefunding), string(CancelCompleted), string(CancelRefundFailed)}

// QuoteTTL is how long a cancellation quote may be confirmed.
const QuoteTTL = 15 * time.Minute

// Cancellation is a quote of a booking's cancellation and what became of
// it.
type Cancellation struct {
	ID        string
	TenantID  string
	BookingID string
	Kind      CancellationKind
	Status    CancellationStatus
	// Refundable: the provider refunds something; Voidable: it can still
	// void the booking without penalty. Cancellable: it can cancel at all.
	Refundable, Voidable, Cancellable bool
	// QuotedRefund and Penalty are the quote's, in the booking's currency.
	QuotedRefund, Penalty providers.Money
	// Refunded is what the traveller is refunded, in the booking's
	// currency (what they paid), once canceled; nil before.
	Refunded *providers.Money
	// ProviderRefunded is what the provider refunded, in its own currency,
	// once canceled; nil before and when the provider did not say. For a
	// part sold converted from the provider's currency, Refunded is the
	// same share of what the traveller paid as ProviderRefunded is of
	// what the provider was paid (never re-converted at a later rate).
	ProviderRefunded *providers.Money
	// RefundedBy is who refunds the traveller; "" before the refund is
	// decided and when there is nothing to refund.
	RefundedBy RefundChannel
	// RefundStatus is the gateway's refund's status ("" before or when
	// there is nothing to refund), RefundRef its id.
	RefundStatus payments.RefundStatus
	RefundRef    string
	// Failure says why it failed.
	Failure   string
	ExpiresAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	// Latest: no newer quote of the booking exists.
	Latest bool
}

// CancellationResult is the answer of a cancellation mutation.
type CancellationResult struct {
	Cancellation *Cancellation
	UserErrors   []fault.Violation
	Warnings     []fault.Warning
}

func (s *Service) cancellationFromRow(r *db.CancellationRow, latest bool, b *BookingRecord) *Cancellation {
	c := &Cancellation{
		ID: r.ID, TenantID: r.TenantID, BookingID: r.BookingID, Kind: CancellationKind(r.Kind), Status: shownStatus(r, latest, b.Status == providers.BookingCanceled, s.now()),
		Refundable: r.Refundable, Voidable: r.Voidable, Cancellable: s.cancellable(b.Provider),
		QuotedRefund: providers.Money{Amount: r.QuotedRefund, Currency: r.Currency},
		Penalty:      providers.Money{Amount: r.Penalty, Currency: r.Currency},
		RefundStatus: payments.RefundStatus(r.RefundStatus), RefundRef: r.RefundRef, Failure: r.Failure,
		ExpiresAt: r.ExpiresAt.UTC(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Latest: latest,
	}
	switch c.Status {
	case CancelRefunding, CancelCompleted, CancelRefundFailed:
		c.Refunded = &providers.Money{Amount: r.RefundAmount, Currency: r.Currency}
		if r.ProviderRefundCurrency != "" {
			c.ProviderRefunded = &providers.Money{Amount: r.ProviderRefundAmount, Currency: r.ProviderRefundCurrency}
		}
		c.RefundedBy = RefundChannel(r.RefundedBy)
	}
	return c
}

func (s *Service) cancellable(provider string) bool {
	_, err := s.cfg.Providers.Canceller(provider)
	return err == nil
}

// Cancellations returns a booking's cancellations, latest first.
func (s *Service) Cancellations(ctx context.Context, b *BookingRecord) ([]*Cancellation, error) {
	rows, err := s.cancels.OfBooking(ctx, s.cfg.DB, b.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*Cancellation, len(rows))
	for i := range rows {
		out[i] = s.cancellationFromRow(&rows[i], i == 0, b)
	}
	return out, nil
}

// QuoteCancellation asks the booking's provider what cancelling it would
// refund, and stores the quote (the booking's latest, valid for QuoteTTL).
// A provider without cancellation (CitizenPlane: non-refundable,
// non-exchangeable fares) gets a quote that says so (not refundable,
// nothing refunded) rather than an error.
func (s *Service) QuoteCancellation(ctx context.Context, tenantID, bookingID string) (_ *CancellationResult, err error) {
	ctx, end := s.step(ctx, "quote_cancellation", "")
	defer func() { end(err) }()
	b, err := s.Booking(ctx, tenantID, bookingID)
	if errors.Is(err, ErrNotFound) {
		return &CancellationResult{UserErrors: userErr(fault.NotFound, "no such booking", "bookingId")}, nil
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.cancels.OfBooking(ctx, s.cfg.DB, b.ID)
	if err != nil {
		return nil, err
	}
	if b.Status == providers.BookingCanceled {
		msg := "the booking is canceled already"
		for _, r := range rows {
			if r.Kind == string(CancelInvoluntary) {
				msg = fmt.Sprintf("the airline canceled the booking; its cancellation %s refunds it in full (%s)", r.ID, r.Status)
			}
		}
		return &CancellationResult{UserErrors: userErr(fault.NotCancellable, msg, "bookingId")}, nil
	}
	for _, r := range rows {
		if slices.Contains(activeCancellation, r.Status) {
			return &CancellationResult{UserErrors: userErr(fault.InvalidState, fmt.Sprintf("the booking's cancellation %s is %s", r.ID, r.Status), "bookingId")}, nil
		}
	}
	now := s.now()
	row := &db.CancellationRow{ID: newID("bc_"), TenantID: tenantID, BookingID: b.ID, Kind: string(CancelVoluntary), Status: string(CancelQuoted), Version: 1,
		Currency: b.Amount.Currency, Penalty: b.Amount.Amount, ExpiresAt: now.Add(QuoteTTL), CreatedAt: now, UpdatedAt: now}
	q, err := s.cfg.Providers.CancellationQuoter(b.Provider)
	if err == nil {
		pctx, cancel := s.provider(ctx)
		quote, qerr := q.QuoteCancellation(pctx, b.ProviderReference)
		cancel()
		switch {
		case providers.CodeOf(qerr) == providers.Rejected || providers.CodeOf(qerr) == providers.NotFound:
			s.cfg.Logger.WarnContext(ctx, "the provider refused a cancellation quote", "booking", b.ID, "provider", b.Provider, "err", qerr)
			return &CancellationResult{UserErrors: userErr(fault.NotCancellable, "the provider cannot cancel this booking", "bookingId")}, nil
		case qerr != nil:
			return nil, qerr
		}
		row.Refundable, row.Voidable = quote.Refundable, quote.Voidable
		refund, _ := s.inBooking(ctx, b, quote.Refund)
		row.QuotedRefund, row.Penalty = refund, b.Amount.Amount-refund
		if !quote.Refundable {
			row.QuotedRefund, row.Penalty = 0, b.Amount.Amount
		}
	}
	if err := s.cancels.InsertQuote(ctx, s.cfg.DB, row); err != nil {
		return nil, err
	}
	return &CancellationResult{Cancellation: s.cancellationFromRow(row, true, b)}, nil
}

// inBooking is what of m, a refund the provider quoted or made, we refund
// for booking b, in the booking's currency, at most what the booking cost.
// For a part bought in another currency than it was sold in (a converted
// offer), the refund is the same share of what the traveller paid as m is
// of the provider's total for the part (its hold); nothing when m is in
// neither currency: false (an operator then settles it by hand). The share
// is rounded down to the booking currency's minor unit.
func (s *Service) inBooking(ctx context.Context, b *BookingRecord, m providers.Money) (int64, bool) {
	if m.Currency == b.Amount.Currency {
		return max(0, min(m.Amount, b.Amount.Amount)), true
	}
	sess, err := s.load(ctx, b.TenantID, b.SessionID)
	if err != nil {
		return 0, false
	}
	for _, h := range sess.Holds {
		if h.PartIndex == b.PartIndex && h.Hold.Total.Currency == m.Currency && h.Hold.Total.Amount > 0 {
			share := new(big.Int).Mul(big.NewInt(b.Amount.Amount), big.NewInt(max(0, m.Amount)))
			share.Quo(share, big.NewInt(h.Hold.Total.Amount))
			return min(share.Int64(), b.Amount.Amount), true
		}
	}
	return 0, false
}

// CancelBooking confirms the cancellation quote quoteID: only the latest
// quote of its booking, before it expires. It cancels the booking at its
// provider and refunds what the provider refunded. Confirming a quote
// again answers its cancellation as it stands (with IDEMPOTENT_REPLAY for
// the same idempotency key); of two concurrent confirmations one runs and
// the other waits for it and answers the same.
func (s *Service) CancelBooking(ctx context.Context, tenantID, quoteID, key string) (_ *CancellationResult, err error) {
	ctx, end := s.step(ctx, "cancel_booking", "")
	defer func() { end(err) }()
	ctx, cancel := s.detach(ctx)
	defer cancel()
	if len(key) > 255 {
		return &CancellationResult{UserErrors: userErr(fault.TooLong, "must be at most 255 characters", "idempotencyKey")}, nil
	}
	row, err := s.cancels.Get(ctx, s.cfg.DB, tenantID, quoteID)
	if errors.Is(err, db.ErrNotFound) {
		return &CancellationResult{UserErrors: userErr(fault.NotFound, "no such cancellation quote", "quoteId")}, nil
	}
	if err != nil {
		return nil, err
	}
	if key != "" {
		used, err := s.cancels.ByKey(ctx, s.cfg.DB, tenantID, key)
		if err != nil {
			return nil, err
		}
		if used != nil && used.ID != row.ID {
			return &CancellationResult{UserErrors: userErr(fault.IdempotencyKeyReused, "this idempotency key was used to confirm another quote; use a new key", "idempotencyKey")}, nil
		}
	}
	b, err := s.Booking(ctx, tenantID, row.BookingID)
	if err != nil {
		return nil, err
	}
	if row.Status == string(CancelQuoted) {
		if ue := s.confirmable(ctx, row, b); ue != nil {
			// The quote was read before the booking: a concurrent call may
			// have confirmed it, and canceled the booking, in between.
			if row, err = s.cancels.Get(ctx, s.cfg.DB, tenantID, quoteID); err != nil {
				return nil, err
			}
			if row.Status == string(CancelQuoted) {
				return &CancellationResult{UserErrors: ue}, nil
			}
		}
	}
	if row.Status == string(CancelQuoted) {
		now := s.now()
		next := now.Add(s.cfg.Lease)
		row.IdempotencyKey, row.NextAt = key, &next
		ok, err := s.cancels.Confirm(ctx, s.cfg.DB, row, string(CancelCanceling), activeCancellation, now)
		if err != nil {
			return nil, err
		}
		if ok {
			if err := s.advanceCancellation(ctx, row, b); err != nil {
				return nil, err
			}
			return s.cancellationAnswer(ctx, row, b, nil)
		}
		// Another call confirmed it first, or a newer quote came.
		if row, err = s.cancels.Get(ctx, s.cfg.DB, tenantID, quoteID); err != nil {
			return nil, err
		}
		if row.Status == string(CancelQuoted) {
			if ue := s.confirmable(ctx, row, b); ue != nil {
				return &CancellationResult{UserErrors: ue}, nil
			}
			return &CancellationResult{UserErrors: userErr(fault.InvalidState, "another cancellation of the booking is under way", "quoteId")}, nil
		}
	}
	if key == "" || row.IdempotencyKey != key {
		return &CancellationResult{UserErrors: userErr(fault.InvalidState, fmt.Sprintf("this quote was confirmed already; its cancellation is %s", row.Status), "quoteId")}, nil
	}
	// The same request again: wait for the call that runs it.
	deadline := time.Now().Add(s.cfg.OperationTimeout)
	running := func() bool {
		st := CancellationStatus(row.Status)
		return (st == CancelCanceling || st == CancelRefunding) && row.NextAt != nil && s.now().Before(*row.NextAt) && row.Attempts == 0
	}
	for running() && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if row, err = s.cancels.Get(ctx, s.cfg.DB, tenantID, quoteID); err != nil {
			return nil, err
		}
	}
	return s.cancellationAnswer(ctx, row, b, []fault.Warning{{Field: []string{"input", "idempotencyKey"}, Code: fault.IdempotentReplay,
		Message: "this is the cancellation an earlier request with this idempotency key confirmed; nothing ran again"}})
}

// confirmable says why quote row cannot be confirmed, or nil.
func (s *Service) confirmable(ctx context.Context, row *db.CancellationRow, b *BookingRecord) []fault.Violation {
	if b.Status == providers.BookingCanceled {
		return userErr(fault.QuoteSuperseded, "the booking is canceled already; this quote can no longer be confirmed", "quoteId")
	}
	if !s.now().Before(row.ExpiresAt) {
		return userErr(fault.QuoteExpired, "the quote expired at "+row.ExpiresAt.UTC().Format(time.RFC3339)+"; ask for a new one", "quoteId")
	}
	rows, err := s.cancels.OfBooking(ctx, s.cfg.DB, b.ID)
	if err == nil && len(rows) > 0 && rows[0].ID != row.ID {
		return userErr(fault.QuoteSuperseded, "a newer quote of this booking exists ("+rows[0].ID+"); confirm that one", "quoteId")
	}
	if !s.cancellable(b.Provider) {
		return userErr(fault.NotCancellable, fmt.Sprintf("%s fares are non-refundable and cannot be canceled through this API", b.Provider), "quoteId")
	}
	return nil
}

func (s *Service) cancellationAnswer(ctx context.Context, row *db.CancellationRow, b *BookingRecord, w []fault.Warning) (*CancellationResult, error) {
	rows, err := s.cancels.OfBooking(ctx, s.cfg.DB, b.ID)
	if err != nil {
		return nil, err
	}
	latest := len(rows) > 0 && rows[0].ID == row.ID
	return &CancellationResult{Cancellation: s.cancellationFromRow(row, latest, b), Warnings: w}, nil
}

// What BookingCancellation.failure says: for the client, with no provider
// or gateway detail (URLs, HTTP statuses, provider codes), which the logs
// keep.
const (
	failProviderRefused = "the provider refused to cancel the booking; it stands as booked"
	failRefundByHand    = "the booking is canceled, but the refund cannot be made automatically; an operator will make it"
	failNoPayment       = "the booking is canceled, but its checkout session has no payment to refund; an operator will look into it"
	failGatewayRefused  = "the booking is canceled, but the payment gateway refused the refund; an operator will make it"
)

// moveCancellation writes row in status to (if the table allows it) with
// its follow-up due at next (nil: none), in one conditional UPDATE. It
// reports false when another writer changed the row first.
func (s *Service) moveCancellation(ctx context.Context, row *db.CancellationRow, to CancellationStatus, next *time.Time) (bool, error) {
	if !CanMoveCancellation(CancellationStatus(row.Status), to) {
		return false, fmt.Errorf("checkout: cancellation %s cannot move from %s to %s", row.ID, row.Status, to)
	}
	row.Status, row.NextAt = string(to), next
	return s.cancels.Update(ctx, s.cfg.DB, row, s.now())
}

// retryLater leaves row in its status, due again after a backoff.
func (s *Service) retryLater(ctx context.Context, row *db.CancellationRow, why error) error {
	row.Attempts++
	next := s.now().Add(s.backoff(row.Attempts))
	// Not a failure: the step is retried. The detail is for the logs.
	s.cfg.Logger.WarnContext(ctx, "cancellation step to retry", "cancellation", row.ID, "status", row.Status, "err", why)
	_, err := s.moveCancellation(ctx, row, CancellationStatus(row.Status), &next)
	return err
}

// advanceCancellation runs a confirmed cancellation as far as it goes now:
// the provider's cancellation, then the refund.
func (s *Service) advanceCancellation(ctx context.Context, row *db.CancellationRow, b *BookingRecord) error {
	if st := CancellationStatus(row.Status); st == CancelCanceling || st == CancelPending {
		c, err := s.cfg.Providers.Canceller(b.Provider)
		if err != nil {
			return err
		}
		pctx, cancel := s.provider(ctx)
		bk, err := c.Cancel(pctx, b.ProviderReference)
		cancel()
		switch code := providers.CodeOf(err); {
		case err != nil && (code == providers.Rejected || code == providers.NotFound):
			row.Failure = failProviderRefused
			s.cfg.Logger.WarnContext(ctx, "the provider refused to cancel", "cancellation", row.ID, "provider", b.Provider, "err", err)
			_, err := s.moveCancellation(ctx, row, CancelFailed, nil)
			return err
		case err != nil:
			return s.retryLater(ctx, row, err)
		case bk.Status != providers.BookingCanceled:
			next := s.now().Add(s.backoff(max(1, row.Attempts)))
			row.Attempts++
			ok, err := s.moveCancellation(ctx, row, CancelPending, &next)
			if err != nil || !ok {
				return err
			}
			return nil
		}
		// Canceled: refund what the provider says it refunded, or, when
		// its answer does not say (a booking it had canceled already), what
		// it quoted.
		row.RefundAmount = row.QuotedRefund
		convertible := true
		if bk.Refund != nil {
			row.RefundAmount, convertible = s.inBooking(ctx, b, *bk.Refund)
			row.ProviderRefundAmount, row.ProviderRefundCurrency = bk.Refund.Amount, bk.Refund.Currency
		}
		if err := s.sessions.SetBookingStatus(ctx, s.cfg.DB, b.SessionID, b.PartIndex, string(providers.BookingCanceled), s.now()); err != nil {
			return err
		}
		if !convertible {
			// Canceled, but the provider refunded in a currency that is
			// neither the booking's nor the one the part was bought in:
			// nothing is refunded automatically; an operator settles it.
			row.Failure = failRefundByHand
			s.cfg.Logger.ErrorContext(ctx, "refund impossible; an operator must refund by hand", "cancellation", row.ID,
				"why", fmt.Sprintf("the provider refunded %d (minor units) in %s, neither the booking's currency %s nor the part's", bk.Refund.Amount, bk.Refund.Currency, row.Currency))
			_, err := s.moveCancellation(ctx, row, CancelRefundFailed, nil)
			return err
		}
		// The refund follows at once; should this process stop first, the
		// sweeper makes it once the lease is past.
		lease := s.now().Add(s.cfg.Lease)
		row.Attempts, row.Failure = 0, ""
		ok, err := s.moveCancellation(ctx, row, CancelRefunding, &lease)
		if err != nil || !ok {
			return err
		}
	}
	if CancellationStatus(row.Status) == CancelRefunding {
		return s.refund(ctx, row, b)
	}
	return nil
}

// refund gives the traveller back row.RefundAmount through what paid the
// booking's part: the card's gateway (a refund keyed by the
// cancellation's id), the credit line (restored with the row's write), or,
// for a part the provider was paid for directly (PROVIDER_INTENT,
// CARD_FORWARD), the provider, whose cancellation refunds the card.
func (s *Service) refund(ctx context.Context, row *db.CancellationRow, b *BookingRecord) error {
	if row.RefundAmount == 0 {
		_, err := s.moveCancellation(ctx, row, CancelCompleted, nil)
		return err
	}
	sess, err := s.load(ctx, b.TenantID, b.SessionID)
	if err != nil {
		return err
	}
	if settlementOf(sess, b.PartIndex) != providers.Merchant {
		// The provider took this part's money (PROVIDER_INTENT,
		// CARD_FORWARD): its cancellation refunds the card itself.
		row.RefundStatus, row.RefundRef, row.Failure = string(payments.RefundSucceeded), "provider:"+b.Provider, ""
		row.RefundedBy = string(RefundByProvider)
		_, err := s.moveCancellation(ctx, row, CancelCompleted, nil)
		return err
	}
	p := sess.Payment
	switch {
	case p == nil:
		row.Failure = failNoPayment
		s.cfg.Logger.ErrorContext(ctx, "refund impossible: the session has no payment", "cancellation", row.ID)
		_, err := s.moveCancellation(ctx, row, CancelRefundFailed, nil)
		return err
	case p.Method == CreditLine:
		row.Status, row.NextAt, row.RefundStatus = string(CancelCompleted), nil, string(payments.RefundSucceeded)
		row.RefundedBy = string(RefundByCreditLine)
		_, err := s.cancels.RestoreCredit(ctx, s.cfg.DB, row, paymentKey(sess), row.RefundAmount, s.now())
		return err
	}
	if _, err := s.gateway(sess); err != nil {
		// Paid through a gateway this replica does not have: the refund
		// stays due (next_at a lease ahead) for a replica that has it.
		s.cfg.Logger.DebugContext(ctx, "refund left to a replica with the payment's gateway", "cancellation", row.ID, "err", err)
		return nil
	}
	r, ok := s.refunder()
	if !ok || p.Currency != "" && p.Currency != row.Currency {
		row.Failure = failRefundByHand
		s.cfg.Logger.ErrorContext(ctx, "refund impossible; an operator must refund by hand", "cancellation", row.ID,
			"why", fmt.Sprintf("the payment (%s, %s) cannot be refunded through the gateway %s in %s", p.Gateway, p.Currency, s.cfg.Gateway.Name(), row.Currency))
		_, err := s.moveCancellation(ctx, row, CancelRefundFailed, nil)
		return err
	}
	row.RefundedBy = string(RefundByGateway)
	var re *payments.Refund
	if row.RefundRef != "" {
		// A refund made and still pending: read it back (repeating the
		// refund with its key would only replay its first answer).
		re, err = r.GetRefund(ctx, row.RefundRef)
	} else {
		re, err = r.Refund(ctx, p.IntentID, row.ID, row.RefundAmount)
	}
	if errors.Is(err, payments.ErrInvalidState) || errors.Is(err, payments.ErrNotFound) {
		row.Failure = failGatewayRefused
		s.cfg.Logger.ErrorContext(ctx, "refund refused; an operator must refund by hand", "cancellation", row.ID, "err", err)
		_, err := s.moveCancellation(ctx, row, CancelRefundFailed, nil)
		return err
	}
	if err != nil {
		return s.retryLater(ctx, row, err)
	}
	row.RefundStatus, row.RefundRef = string(re.Status), re.ID
	switch re.Status {
	case payments.RefundSucceeded:
		row.Failure = ""
		_, err = s.moveCancellation(ctx, row, CancelCompleted, nil)
	case payments.RefundFailed:
		row.Failure = failGatewayRefused
		s.cfg.Logger.ErrorContext(ctx, "refund failed at the gateway; an operator must refund by hand", "cancellation", row.ID, "refund", re.ID)
		_, err = s.moveCancellation(ctx, row, CancelRefundFailed, nil)
	default:
		row.Attempts++
		next := s.now().Add(s.backoff(row.Attempts))
		_, err = s.moveCancellation(ctx, row, CancelRefunding, &next)
	}
	return err
}

// refunder is the gateway's refunds: the gateway itself, or what its
// Refunds method gives (Gr4vy).
func (s *Service) refunder() (payments.Refunder, bool) {
	if r, ok := s.cfg.Gateway.(payments.Refunder); ok {
		return r, true
	}
	if g, ok := s.cfg.Gateway.(interface{ Refunds() payments.Refunder }); ok {
		return g.Refunds(), true
	}
	return nil, false
}

// FollowUpCancellations takes up the cancellations whose next step is due:
// a provider that answered pending or failed, a refund pending or not
// made, a confirmation whose process stopped. Each is claimed first (its
// next_at moved a lease ahead, conditionally), so one replica runs it.
func (s *Service) FollowUpCancellations(ctx context.Context) (int, error) {
	rows, err := s.cancels.Due(ctx, s.cfg.DB, []string{string(CancelCanceling), string(CancelPending), string(CancelRefunding)}, s.now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range rows {
		row := &rows[i]
		next := s.now().Add(s.cfg.Lease)
		row.NextAt = &next
		ok, err := s.cancels.Update(ctx, s.cfg.DB, row, s.now())
		if err != nil || !ok {
			continue
		}
		b, err := s.Booking(ctx, row.TenantID, row.BookingID)
		if err != nil {
			return n, err
		}
		if err := s.advanceCancellation(ctx, row, b); err != nil {
			s.cfg.Logger.WarnContext(ctx, "following up a cancellation", "cancellation", row.ID, "err", err)
			continue
		}
		n++
	}
	return n, nil
}
