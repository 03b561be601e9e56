package events

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/faregraph/faregraph/db"
)

// waiter is one reader of the outbox woken by notifications: a
// subscription (subject set) or the webhook deliverer (subject empty:
// every event).
type waiter struct {
	subject string
	ch      chan struct{} // capacity 1: a wake-up pending is enough
}

func (w *waiter) wake() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// hub holds this process's LISTEN connection (one per Service, shared by
// every subscription) and the waiters it wakes.
type hub struct {
	mu      sync.Mutex
	waiters map[*waiter]struct{}
	live    bool // LISTEN is established: waiters are woken by NOTIFY
	started bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// register adds a waiter for subject ("" for every event) and starts
// listening on Postgres if nobody did yet; unregister removes it.
func (s *Service) register(subject string) *waiter {
	w := &waiter{subject: subject, ch: make(chan struct{}, 1)}
	h := &s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.waiters == nil {
		h.waiters = map[*waiter]struct{}{}
	}
	h.waiters[w] = struct{}{}
	if !h.started && s.cfg.DB.Postgres {
		h.started = true
		ctx, cancel := context.WithCancel(context.Background())
		h.cancel, h.done = cancel, make(chan struct{})
		go s.listen(ctx, h.done)
	}
	return w
}

func (s *Service) unregister(w *waiter) {
	s.hub.mu.Lock()
	delete(s.hub.waiters, w)
	s.hub.mu.Unlock()
}

// wakeAll wakes the waiters of subject and those of every event; every
// waiter when all.
func (s *Service) wakeAll(subject string, all bool) {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	for w := range s.hub.waiters {
		if all || w.subject == "" || w.subject == subject {
			w.wake()
		}
	}
}

func (s *Service) setLive(live bool) {
	s.hub.mu.Lock()
	s.hub.live = live
	s.hub.mu.Unlock()
}

// Listening reports whether this Service is woken by Postgres
// notifications now (false on SQLite, before the first subscription, and
// while the LISTEN connection is being re-established).
func (s *Service) Listening() bool {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.hub.live
}

// pollInterval is how long a reader of the outbox waits between reads
// when nothing wakes it.
func (s *Service) pollInterval() time.Duration {
	if s.Listening() {
		return s.cfg.FallbackPollInterval
	}
	return s.cfg.PollInterval
}

// listen keeps a LISTEN on db.OutboxChannel until ctx ends, re-establishing
// it after a failure (1 s, doubling up to 30 s); each time it is
// established every waiter is woken, to read what was written while it
// was not.
func (s *Service) listen(ctx context.Context, done chan struct{}) {
	defer close(done)
	wait := time.Second
	for {
		err := s.cfg.DB.Listen(ctx, db.OutboxChannel, func() {
			s.setLive(true)
			wait = time.Second
			s.wakeAll("", true)
		}, func(subject string) {
			s.wakeAll(subject, false)
		})
		s.setLive(false)
		if ctx.Err() != nil || errors.Is(err, db.ErrNoNotifications) {
			return
		}
		s.cfg.Logger.WarnContext(ctx, "listening for outbox notifications; subscriptions poll meanwhile", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// Close stops listening for notifications and waits until the LISTEN
// connection is given back to the pool; call it before closing the
// database. Subscriptions still open fall back to polling.
func (s *Service) Close() {
	s.hub.mu.Lock()
	cancel, done := s.hub.cancel, s.hub.done
	s.hub.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
