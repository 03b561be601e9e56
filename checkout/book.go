package checkout

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/rules"
)

// Book books every part of an authorized session, renewing a lapsed hold
// when its price is unchanged, then captures exactly what was booked (a
// partial capture when some parts failed) or cancels the authorization
// when nothing was. Of concurrent calls, one books; the others answer the
// session as it stands. A provider answer that leaves a booking's outcome
// unknown moves the session to NEEDS_ATTENTION, for the reconciler.
func (s *Service) Book(ctx context.Context, tenantID, id, key string) (*Result, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	return s.idempotent(ctx, tenantID, key, "bookCheckoutSession", id, func(ctx context.Context) (*Result, error) {
		return s.book(ctx, tenantID, id)
	})
}

func (s *Service) book(ctx context.Context, tenantID, id string) (_ *Result, err error) {
	ctx, end := s.step(ctx, "book", id)
	defer func() { end(err) }()
	sess, ue, err := s.open(ctx, tenantID, id)
	if sess == nil || err != nil {
		return &Result{UserErrors: ue}, err
	}
	if (sess.Status == PaymentPending || sess.Status == Authorized) && sess.Payment != nil && sess.Payment.IntentID != "" {
		// Ask the gateway before booking: the card may be authorized
		// before its webhook arrives, or its authorization may be gone.
		gw, err := s.gateway(sess)
		if err != nil {
			return otherGateway(sess, err)
		}
		in, err := gw.GetIntent(ctx, sess.Payment.IntentID)
		if err != nil {
			return nil, fmt.Errorf("checkout: read payment of %s: %w", sess.ID, err)
		}
		res, err := s.intentChanged(ctx, sess, in)
		if err != nil {
			return nil, err
		}
		sess = res.Session
	}
	run, ue, w := gate(sess, "book")
	if run && !intentsConfirmed(sess) {
		// An AUTHORIZED session stored before intents were tracked.
		run = false
	}
	if !run {
		switch pending := actionsPending(sess); {
		case (sess.Status == PaymentPending || sess.Status == Authorized) && pending != "":
			ue, w = userErr(fault.PaymentActionRequired, "a payment action is not done: "+pending, "checkoutSessionId"), nil
		case sess.Status == PaymentPending:
			ue = userErr(fault.InvalidState, "the payment is not authorized yet", "checkoutSessionId")
		}
		return &Result{Session: sess, UserErrors: ue, Warnings: w}, nil
	}
	// Checked again before booking, since time has passed since the hold:
	// a flight now within the booking cut-off is not booked, the session
	// fails and its payment is released.
	if b := rules.Itinerary(sess.Offer, s.limits(sess.Offer), s.now()); b != nil {
		sess.Failure = &Failure{Code: b.Code, Message: b.Message + "; nothing was booked and the payment was released"}
		if ok, err := s.end(ctx, sess, Failed, "booking_closed"); err != nil || !ok {
			return s.busy(ctx, sess, err)
		}
		return &Result{Session: sess, UserErrors: userErr(b.Code, b.Message, "checkoutSessionId")}, nil
	}
	if sess.busyOp != "" && sess.busyUntil != nil && s.now().Before(*sess.busyUntil) {
		// Another step holds the session (a hold renewal under way, or
		// one whose process stopped, until its lease lapses): booking now
		// would book holds that step is replacing.
		return s.busy(ctx, sess, nil)
	}
	// The move to BOOKING is the step's intent, recorded before any
	// provider is called, with a lease: if this process dies, the
	// reconciler takes the session over once the lease lapses.
	sess.Status = Booking
	until := s.now().Add(s.cfg.Lease)
	sess.busyOp, sess.busyUntil = "book", &until
	for i, p := range sess.Parts {
		if p.Status == PartPending {
			s.intend(sess, stepBook, i, partKey(sess, i))
		}
	}
	if ok, err := s.move(ctx, sess, Authorized, "booking_started", ""); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	s.heartbeat(ctx, sess, "book")
	renewed, err := s.bookParts(ctx, sess)
	if errors.Is(err, errBusy) {
		// Another replica took the session over (the lease lapsed while
		// the holds were renewed): it books, with the holds it has.
		return s.busy(ctx, sess, nil)
	}
	if err != nil {
		return nil, err
	}
	if retry, ue := paymentRefused(sess); retry {
		return s.backToPayment(ctx, sess, ue)
	}
	res, err := s.finalize(ctx, sess, Booking)
	if err == nil && renewed > 0 {
		res.Warnings = append(res.Warnings, fault.Warning{Code: fault.HoldRenewed,
			Message: fmt.Sprintf("%s lapsed before booking and %s held again at the same price", fault.Count(renewed, "seat hold", "seat holds"), fault.Verb(renewed, "was", "were"))})
	}
	return res, err
}

// bookParts books every pending part and records each outcome: in
// parallel when partial booking is allowed, one after the other (see
// bookInTurn) when it is not. It returns how many lapsed holds it renewed
// first.
func (s *Service) bookParts(ctx context.Context, sess *Session) (int, error) {
	renewed, err := s.renewHolds(ctx, sess)
	if err != nil {
		return 0, err
	}
	if sess.PartialBooking == ForbidPartial && len(sess.Parts) > 1 {
		return renewed, s.bookInTurn(ctx, sess)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range sess.Offer.Parts {
		if sess.Parts[i].Status != PartPending {
			continue
		}
		wg.Go(func() {
			st, err := s.bookPart(ctx, sess, i)
			mu.Lock()
			defer mu.Unlock()
			sess.Parts[i] = st
			if err != nil && firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	return renewed, firstErr
}

// renewMargin is the default of Config.RenewMargin: how long before its expiry a hold is renewed at book
// time, so that no booking reaches a provider with a hold about to lapse.
const renewMargin = 30 * time.Second

// renewHolds holds again every pending part whose hold has lapsed or is
// about to. The offer is booked whole or not at all: if any part cannot be
// held again at its price (PRICE_CHANGED, SOLD_OUT), no part is booked and
// the payment is released. Renewed holds are stored before booking, so the
// reconciler looks up the right ones. It returns how many holds it renewed.
func (s *Service) renewHolds(ctx context.Context, sess *Session) (int, error) {
	now := s.now()
	renewed := 0
	var failed fault.Code
	for i := range sess.Offer.Parts {
		if sess.Parts[i].Status != PartPending || i >= len(sess.Holds) || now.Add(s.renewMargin()).Before(sess.Holds[i].Hold.ExpiresAt) {
			continue
		}
		if settlementOf(sess, i) == providers.ProviderIntent {
			// A new hold would come with a new intent the app never
			// confirmed: the part cannot be booked.
			sess.Parts[i].Status, sess.Parts[i].Code = PartFailed, fault.ProviderCode(&providers.Error{Code: providers.HoldExpired})
			failed = sess.Parts[i].Code
			continue
		}
		h, err := s.holdPart(ctx, sess, i)
		if err != nil {
			ue := providerUserError(sess.Offer.Parts[i].Provider, err)
			sess.Parts[i].Status, sess.Parts[i].Code = PartFailed, ue.Code
			failed = ue.Code
			s.cfg.Logger.WarnContext(ctx, "hold renewal failed", "session", sess.ID, "part", i, "err", err)
			continue
		}
		sess.Holds[i] = PartHold{PartIndex: i, Provider: sess.Offer.Parts[i].Provider, Hold: *h, HeldAt: now}
		renewed++
	}
	if failed != "" {
		for i := range sess.Parts {
			if sess.Parts[i].Status == PartPending {
				sess.Parts[i].Status, sess.Parts[i].Code = PartFailed, failed
			}
		}
	}
	if renewed == 0 && failed == "" {
		return 0, nil
	}
	if renewed > 0 {
		sess.HoldExpiresAt = earliest(sess.Holds)
	}
	// The renewed holds must be stored before any is booked: if another
	// replica took the session over meanwhile (this step's lease lapsed),
	// it books the holds it has, and booking ours as well would book the
	// part twice at the provider (a new hold is a new booking) with one
	// booking row. Then this step stops; its new holds lapse unbooked.
	ok, err := s.move(ctx, sess, Booking, "holds_renewed", string(failed))
	if err == nil && !ok {
		err = fmt.Errorf("checkout: store the renewed holds of %s: %w", sess.ID, errBusy)
	}
	return renewed, err
}

func (s *Service) request(sess *Session, i int) providers.BookRequest {
	return providers.BookRequest{
		Part: sess.Offer.Parts[i], Hold: sess.Holds[i].Hold, Travellers: ticketedTravellers(sess), Contact: sess.Contact.Ticketed(),
		ExternalID: partKey(sess, i), Payment: providerPayment(sess, i),
	}
}

// bookPart books one part. A definite refusal fails the part; a timeout
// or server error leaves it unknown.
func (s *Service) bookPart(ctx context.Context, sess *Session, i int) (PartState, error) {
	st := sess.Parts[i]
	b, err := s.cfg.Providers.Booker(sess.Offer.Parts[i].Provider)
	if err != nil {
		return st, err
	}
	pctx, cancel := s.provider(ctx)
	defer cancel()
	s.crash("book:before_provider")
	bk, err := b.Book(pctx, s.request(sess, i))
	s.crash("book:after_provider")
	switch {
	case err == nil:
		return s.recordBooking(ctx, sess, i, bk)
	case outcomeUnknown(err):
		s.cfg.Logger.WarnContext(ctx, "booking outcome unknown", "session", sess.ID, "part", i, "err", err)
		st.Status, st.Code = PartUnknown, fault.ProviderCode(err)
	case providers.CodeOf(err) == providers.PaymentDeclined || providers.CodeOf(err) == providers.PaymentNotConfirmed:
		// Nothing booked, and a payment action done again may book it:
		// the part stays pending with the refusal's code (see
		// paymentRefused).
		s.cfg.Logger.WarnContext(ctx, "booking refused for its payment", "session", sess.ID, "part", i, "err", err)
		st.Code = providerUserError(sess.Offer.Parts[i].Provider, err).Code
	default:
		s.cfg.Logger.WarnContext(ctx, "booking refused", "session", sess.ID, "part", i, "err", err)
		st.Status, st.Code = PartFailed, providerUserError(sess.Offer.Parts[i].Provider, err).Code
	}
	return st, nil
}

// refusedForPayment reports whether part p was refused for its payment at
// booking (a forwarded card declined, a provider intent not confirmed):
// not booked, and bookable once the payment action is done again.
func refusedForPayment(p PartState) bool {
	return p.Status == PartPending && (p.Code == fault.CardDeclined || p.Code == fault.PaymentActionRequired)
}

// paymentRefused decides, after a booking run, what a refusal for payment
// means. When no part was booked, none is unknown and none failed for good,
// the session goes back to paying (retry true) and ue says what to do.
// Otherwise (another part booked, or failed for another reason) the
// refused parts fail like any refusal, with their code, and the run ends
// as usual: with partial booking forbidden, what was booked is canceled
// where the provider allows it.
func paymentRefused(sess *Session) (retry bool, ue []fault.Violation) {
	refused, settled := false, false
	for _, p := range sess.Parts {
		switch {
		case refusedForPayment(p):
			refused = true
		case p.Status != PartPending:
			settled = true
		}
	}
	if !refused {
		return false, nil
	}
	if !settled {
		for i, p := range sess.Parts {
			provider := sess.Offer.Parts[i].Provider
			switch {
			case !refusedForPayment(p):
			case p.Code == fault.CardDeclined:
				ue = append(ue, violation(p.Code, fmt.Sprintf("part %d: %s declined the card forwarded to it; nothing was booked or charged: forward another card (forwardCard), then book again", i+1, provider), "checkoutSessionId"))
			default:
				ue = append(ue, violation(p.Code, fmt.Sprintf("part %d: %s finds its payment intent not confirmed; nothing was booked: confirm it with Stripe's SDK, call confirmProviderIntent, then book again", i+1, provider), "checkoutSessionId"))
			}
		}
		return true, ue
	}
	for i, p := range sess.Parts {
		if refusedForPayment(p) {
			setPart(sess, i, PartFailed, p.Code)
		}
	}
	for i, p := range sess.Parts {
		if p.Status == PartPending && sess.PartialBooking == ForbidPartial && len(sess.Parts) > 1 {
			setPart(sess, i, PartFailed, fault.NotBooked) // not tried: the trip stopped
		}
	}
	return false, nil
}

// backToPayment ends a booking run in which nothing was booked because a
// provider refused a part's payment: the session goes back to
// PAYMENT_PENDING (BOOKING → PAYMENT_PENDING), its parts pending, with the
// refused action not done again: a declined card is forgotten (forward
// another; the provider may have released the hold with the failed
// payment, as CitizenPlane does, so it is held again at the same price
// before the next booking), an intent not confirmed is to be confirmed
// again. Our own authorization, if any, stays as it is for the next
// booking. The answer is the refusal as a user error (CARD_DECLINED,
// PAYMENT_ACTION_REQUIRED).
func (s *Service) backToPayment(ctx context.Context, sess *Session, ue []fault.Violation) (*Result, error) {
	// A session before booking has no booking (load reads none for it):
	// only a booking that booked nothing may go back.
	for _, p := range sess.Parts {
		if p.Status != PartPending && p.Status != "" {
			return nil, fmt.Errorf("checkout: %s cannot go back to payment: a part is %s", sess.ID, p.Status)
		}
	}
	if len(sess.Bookings) > 0 {
		return nil, fmt.Errorf("checkout: %s cannot go back to payment: it has bookings", sess.ID)
	}
	now := s.now()
	for i, p := range sess.Parts {
		if p.Status != PartPending {
			continue
		}
		detail := map[string]any{"notTried": true}
		switch p.Code {
		case fault.CardDeclined:
			detail = map[string]any{"code": p.Code, "retryable": true}
			for _, j := range partsSettling(sess, providers.CardForward, sess.Offer.Parts[i].Provider) {
				sess.Parts[j].Forward = nil
			}
			if i < len(sess.Holds) && sess.Holds[i].Hold.ExpiresAt.After(now) {
				sess.Holds[i].Hold.ExpiresAt = now
			}
		case fault.PaymentActionRequired:
			detail = map[string]any{"code": p.Code, "retryable": true}
			sess.Parts[i].IntentConfirmed = ""
		}
		s.outcome(sess, stepBook, i, partKey(sess, i), false, detail)
		sess.Parts[i].Code = ""
	}
	sess.HoldExpiresAt = earliest(sess.Holds)
	release(sess)
	sess.Status = PaymentPending
	if ok, err := s.move(ctx, sess, Booking, "booking_payment_refused", string(ue[0].Code)); err != nil || !ok {
		return s.busy(ctx, sess, err)
	}
	return &Result{Session: sess, UserErrors: ue}, nil
}

// outcomeUnknown reports whether a booking call's error leaves open
// whether the provider booked (Timeout, Unavailable, Internal); any other
// error is a refusal: nothing was booked.
func outcomeUnknown(err error) bool {
	switch providers.CodeOf(err) {
	case providers.Timeout, providers.Unavailable, providers.Internal:
		return true
	}
	return false
}

// firstDeparture is when part i's first flight leaves, in UTC; nil when
// the addendum has no flight of the part.
func firstDeparture(sess *Session, i int) *time.Time {
	var t *time.Time
	for _, l := range sess.Airline.Legs {
		if d := l.DepartureAt.UTC(); l.PartIndex == i && (t == nil || d.Before(*t)) {
			t = &d
		}
	}
	return t
}

const referenceAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newReference makes a six-character booking reference candidate from
// crypto/rand: 32 letters and digits (no I, O, 0 or 1), 30 bits.
func newReference() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = referenceAlphabet[int(b[i])%len(referenceAlphabet)]
	}
	return string(b[:])
}

// reserveReference gives part i of session sessionID our booking
// reference: a fresh one not handed out before (booking_references), or
// the part's own if it has one already.
func (s *Service) reserveReference(ctx context.Context, sessionID string, i int) (string, error) {
	for range 10 {
		ref, ok, err := s.sessions.ReserveReference(ctx, s.cfg.DB, sessionID, i, newReference(), s.now())
		if err != nil || ok {
			return ref, err
		}
	}
	return "", fmt.Errorf("checkout: no free booking reference for %s part %d", sessionID, i)
}

// recordBooking stores the booking of part i, once: a part booked before
// (by a concurrent reconciler) keeps its booking. The booking takes the
// reference the part was given at creation; a part of a session created
// before references were given then gets one now.
func (s *Service) recordBooking(ctx context.Context, sess *Session, i int, bk *providers.Booking) (PartState, error) {
	st := sess.Parts[i]
	st.Status, st.Code = PartBooked, ""
	if st.Reference == "" {
		ref, err := s.reserveReference(ctx, sess.ID, i)
		if err != nil {
			return st, err
		}
		st.Reference = ref
	}
	now := s.now()
	rec := BookingRecord{
		ID: newID("bk_"), TenantID: sess.TenantID, SessionID: sess.ID, PartIndex: i, Reference: st.Reference,
		Provider: sess.Offer.Parts[i].Provider, ProviderReference: bk.Reference, Status: bk.Status,
		Amount: providers.Money{Amount: st.Amount, Currency: sess.Total.Currency}, GroupIdentifier: sess.GroupIdentifier,
		Locators: bk.Locators, CreatedAt: now, DepartsAt: firstDeparture(sess, i), Schedule: scheduleOf(bk.Slices),
	}
	row := bookingToRow(rec)
	err := s.sessions.InsertBooking(ctx, s.cfg.DB, &row)
	if err == nil || !errors.Is(err, db.ErrConflict) {
		return st, err
	}
	// The part is booked already (the reference is reserved for it alone).
	brs, lerr := s.sessions.BookingsOf(ctx, s.cfg.DB, sess.ID)
	if lerr != nil {
		return st, lerr
	}
	for _, b := range brs {
		if b.PartIndex == i {
			return st, nil
		}
	}
	return st, fmt.Errorf("checkout: booking reference %s of %s part %d is taken", st.Reference, sess.ID, i)
}

// finalize ends a booking run: NEEDS_ATTENTION while any part's outcome is
// unknown; otherwise capture what was booked and settle.
func (s *Service) finalize(ctx context.Context, sess *Session, from Status) (*Result, error) {
	if sess.PartialBooking == ForbidPartial && !anyPart(sess, PartUnknown, PartPending) {
		if err := s.compensate(ctx, sess); err != nil {
			return nil, err
		}
	}
	brs, err := s.sessions.BookingsOf(ctx, s.cfg.DB, sess.ID)
	if err != nil {
		return nil, err
	}
	sess.Bookings = nil
	for _, b := range brs {
		sess.Bookings = append(sess.Bookings, bookingFromRow(b))
	}
	var booked int64
	unknown, all := false, true
	for _, p := range sess.Parts {
		switch p.Status {
		case PartBooked:
			booked += p.Amount
		case PartUnknown, PartPending:
			unknown = true
			all = false
		default:
			all = false
		}
	}
	for i, p := range sess.Parts {
		switch p.Status {
		case PartBooked, PartCanceled: // a canceled part was booked first
			ref := ""
			for _, b := range sess.Bookings {
				if b.PartIndex == i {
					ref = b.ProviderReference
				}
			}
			s.outcome(sess, stepBook, i, partKey(sess, i), true, map[string]any{"providerReference": ref})
		case PartFailed:
			s.outcome(sess, stepBook, i, partKey(sess, i), false, map[string]any{"code": p.Code})
		}
	}
	// Only the MERCHANT parts' money is ours to capture: the providers
	// charge their own intents and forwarded cards on booking.
	charged := merchantAmount(sess, func(i int) int64 {
		if sess.Parts[i].Status == PartBooked {
			return sess.Parts[i].Amount
		}
		return 0
	})
	settleStep, settleKey := "", ""
	if !unknown && paymentCall(sess) && sess.Payment.Status == payments.Authorized {
		// The capture (or release) is recorded before the gateway is
		// called, with the lease still held, so that a stopped process
		// leaves it for ResumeSteps; the outcome goes with the final move.
		settleStep, settleKey = stepCapture, payments.CaptureKey(sess.Payment.IntentID, charged)
		if charged == 0 {
			settleStep, settleKey = stepRelease, payments.CancelKey(sess.Payment.IntentID)
		}
		s.intend(sess, settleStep, paymentPart, settleKey)
		if ok, err := s.move(ctx, sess, from, "", ""); err != nil || !ok {
			return s.busyAfterBooking(ctx, sess, err)
		}
	}
	release(sess)
	sess.Airline.Locators = nil
	for _, b := range sess.Bookings {
		sess.Airline.Locators = append(sess.Airline.Locators, b.Locators...)
		for li := range sess.Airline.Legs {
			if sess.Airline.Legs[li].PartIndex == b.PartIndex {
				sess.Airline.Legs[li].BookingReference, sess.Airline.Legs[li].ProviderBookingRef = b.Reference, b.ProviderReference
			}
		}
	}
	if unknown {
		sess.Status = NeedsAttention
		sess.Failure = &Failure{Code: fault.BookingOutcomeUnknown, Message: "a provider did not say whether it booked; the reconciler is asking it, and nothing is charged until it answers"}
		event, detail := "needs_attention", "a provider left a booking's outcome unknown"
		if from == NeedsAttention {
			event, detail = "reconcile_retry", fmt.Sprintf("attempt %d of %d", sess.ReconcileAttempts, s.cfg.ReconcileAttempts)
		}
		if ok, err := s.move(ctx, sess, from, event, detail); err != nil || !ok {
			return s.busyAfterBooking(ctx, sess, err)
		}
		return &Result{Session: sess}, nil
	}
	if err := s.settle(ctx, sess, charged); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "settling payment", "session", sess.ID, "err", err)
		if settleStep != "" {
			s.outcome(sess, settleStep, paymentPart, settleKey, false, map[string]any{"error": err.Error()})
		}
		sess.Status, sess.Failure = NeedsAttention, &Failure{Code: fault.PaymentSettlementFailed, Message: "the bookings are made; the payment is being settled"}
		if ok, err := s.move(ctx, sess, from, "settlement_failed", ""); err != nil || !ok {
			return s.busyAfterBooking(ctx, sess, err)
		}
		return &Result{Session: sess}, nil
	}
	if settleStep != "" {
		s.outcome(sess, settleStep, paymentPart, settleKey, true, map[string]any{"status": sess.Payment.Status, "captured": sess.Payment.Captured})
	}
	sess.ReconcileAt = nil
	event := "booked"
	switch {
	case all:
		sess.Status, sess.Failure = Booked, nil
	case booked > 0:
		sess.Status, event = PartiallyBooked, "partially_booked"
		sess.Failure = &Failure{Code: firstCode(sess.Parts), Message: "some parts could not be booked; only what was booked was charged: " + describeParts(sess)}
	default:
		sess.Status, event = Failed, "failed"
		sess.Failure = &Failure{Code: firstCode(sess.Parts), Message: "nothing could be booked; the payment was released: " + describeParts(sess)}
	}
	if ok, err := s.move(answering(ctx, "book"), sess, from, event, ""); err != nil || !ok {
		return s.busyAfterBooking(ctx, sess, err)
	}
	// A booking row written after this run read the part as not booked
	// (a step that lost its lease confirmed meanwhile) is raised too.
	s.lateBookings(ctx, sess)
	return &Result{Session: sess}, nil
}

// firstCode is the code of the first part that failed, preferring a
// part's own failure over NOT_BOOKED (a part not tried, or that the
// provider never booked).
func firstCode(parts []PartState) fault.Code {
	code := fault.Code("")
	for _, p := range parts {
		if p.Status == PartFailed && p.Code != "" && (code == "" || code == fault.NotBooked) {
			code = p.Code
		}
	}
	if code == "" {
		return fault.BookingFailed
	}
	return code
}

// settle captures amount (what was booked) of the payment, or releases it
// all when amount is zero. Captures and cancels are idempotent.
func (s *Service) settle(ctx context.Context, sess *Session, amount int64) error {
	p := sess.Payment
	if p == nil {
		return nil
	}
	if p.Amount == 0 {
		// Every part was paid to its provider: nothing of ours to take.
		p.Status = payments.Canceled
		if anyPart(sess, PartBooked) {
			p.Status = payments.Captured
		}
		return nil
	}
	switch p.Method {
	case CreditLine:
		if err := s.tenants.SettleCredit(ctx, s.cfg.DB, paymentKey(sess), amount, s.now()); err != nil {
			return err
		}
		p.Captured = amount
		p.Status = payments.Captured
		if amount == 0 {
			p.Status = payments.Canceled
		}
		return nil
	default:
		if p.IntentID == "" {
			return nil
		}
		gw, err := s.gateway(sess)
		if err != nil {
			return err
		}
		var in *payments.Intent
		if amount > 0 {
			s.crash("capture:before_gateway")
			in, err = gw.Capture(ctx, p.IntentID, amount)
			s.crash("capture:after_gateway")
		} else {
			s.crash("release:before_gateway")
			in, err = gw.Cancel(ctx, p.IntentID)
			s.crash("release:after_gateway")
			if errors.Is(err, payments.ErrNotFound) {
				p.Status = payments.Canceled
				return nil
			}
		}
		if err != nil {
			return err
		}
		applyIntent(p, in)
		switch {
		case amount > 0 && (in.Status != payments.Captured || in.AmountCaptured != amount):
			return fmt.Errorf("checkout: capture of %d on %s left it %s with %d captured", amount, p.IntentID, in.Status, in.AmountCaptured)
		case amount == 0 && in.Status != payments.Canceled:
			return fmt.Errorf("checkout: cancel of %s left it %s", p.IntentID, in.Status)
		}
		return nil
	}
}
