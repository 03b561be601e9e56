package events

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// How deliveries are sent: at most Workers at once per Service, at most
// PerEndpoint of them to one endpoint, each attempt bounded by
// AttemptTimeout and claimed in the database for ClaimLease (another
// replica sends it again only once the lease has lapsed, so a process
// that dies mid-send loses nothing: at least once).
const (
	DefaultWorkers     = 16
	DefaultPerEndpoint = 2
	// AttemptTimeout bounds one delivery attempt, connection included:
	// answer 2xx first, then do the work.
	AttemptTimeout = 10 * time.Second
	// ClaimLease is how long a claimed delivery is not due for anyone
	// else; longer than any attempt.
	ClaimLease = time.Minute
)

// pool counts the deliveries this Service is sending, in all and per
// endpoint.
type pool struct {
	mu       sync.Mutex
	inFlight int
	busy     map[string]int
	// freed wakes Run when a delivery ends (a slot is free again).
	freed chan struct{}
}

func (s *Service) workers() int     { return max(s.cfg.Workers, 1) }
func (s *Service) perEndpoint() int { return max(s.cfg.PerEndpoint, 1) }

// capacity is how many more deliveries may start now and the endpoints
// that may take no more.
func (s *Service) capacity() (int, []string) {
	p := &s.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	var full []string
	for ep, n := range p.busy {
		if n >= s.perEndpoint() {
			full = append(full, ep)
		}
	}
	return s.workers() - p.inFlight, full
}

// take reserves a slot for a delivery to endpoint; false when none is free.
func (s *Service) take(endpoint string) bool {
	p := &s.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inFlight >= s.workers() || p.busy[endpoint] >= s.perEndpoint() {
		return false
	}
	if p.busy == nil {
		p.busy = map[string]int{}
	}
	p.inFlight++
	p.busy[endpoint]++
	return true
}

func (s *Service) release(endpoint string) {
	p := &s.pool
	p.mu.Lock()
	p.inFlight--
	if p.busy[endpoint]--; p.busy[endpoint] <= 0 {
		delete(p.busy, endpoint)
	}
	p.mu.Unlock()
	select {
	case p.freed <- struct{}{}:
	default:
	}
}

// dispatch gives new outbox events their deliveries, then starts sending
// as many due deliveries as there are free slots, each in its own
// goroutine counted in wg, and returns how many it started. Each is
// claimed first by a conditional UPDATE that moves it ClaimLease ahead, so
// replicas never send one delivery at the same time.
func (s *Service) dispatch(ctx context.Context, wg *sync.WaitGroup, delivered *atomic.Int64) (int, error) {
	if _, err := s.out.FanOut(ctx, s.cfg.DB, matches, s.cfg.Now(), 500); err != nil {
		return 0, err
	}
	free, full := s.capacity()
	if free <= 0 {
		return 0, nil
	}
	due, err := s.out.DueDeliveries(ctx, s.cfg.DB, s.cfg.Now(), free, s.perEndpoint(), full)
	if err != nil {
		return 0, err
	}
	started := 0
	for i := range due {
		d := due[i]
		if !s.take(d.EndpointID) {
			continue
		}
		lease := s.cfg.Now().Add(ClaimLease)
		d.NextAt = &lease
		if ok, err := s.out.UpdateDelivery(ctx, s.cfg.DB, &d); err != nil || !ok {
			s.release(d.EndpointID)
			continue
		}
		started++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.release(d.EndpointID)
			if s.deliver(ctx, &d) {
				delivered.Add(1)
			}
		}()
	}
	return started, nil
}

// Deliver makes the deliveries that are due now and waits for them: new
// outbox events get their deliveries, then due ones are sent concurrently
// (at most Config.Workers at once, Config.PerEndpoint per endpoint), in
// batches until none is due or 100 were started. A 2xx answer delivers;
// anything else is retried with backoff (FirstRetry doubling, at most
// MaxRetryWait) until GiveUpAfter the event, then FAILED. It returns how
// many it delivered. Servers run Run instead; Deliver is one round of it,
// for tests and tools.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	var delivered atomic.Int64
	total := 0
	for total < 100 {
		var wg sync.WaitGroup
		n, err := s.dispatch(ctx, &wg, &delivered)
		wg.Wait()
		if err != nil {
			return int(delivered.Load()), err
		}
		if n == 0 {
			break
		}
		total += n
	}
	return int(delivered.Load()), nil
}

// Run sends webhook deliveries until ctx ends, outside the sweeper: on
// Postgres as soon as an event commits (woken by its notification, on any
// replica), else every PollInterval (every FallbackPollInterval while
// notifications arrive), and again whenever a delivery ends and frees a
// slot. Deliveries are sent concurrently, at most Config.Workers at once
// and Config.PerEndpoint to one endpoint, so an endpoint that answers
// slowly delays only its own deliveries. Any number of replicas may run
// it: each delivery is claimed in the database before it is sent. On
// return every delivery it started has ended (those cut short by ctx are
// sent again once their claim lapses).
func (s *Service) Run(ctx context.Context) {
	w := s.register("")
	defer s.unregister(w)
	var wg sync.WaitGroup
	defer wg.Wait()
	var delivered atomic.Int64
	for {
		if _, err := s.dispatch(ctx, &wg, &delivered); err != nil && ctx.Err() == nil {
			s.cfg.Logger.WarnContext(ctx, "delivering webhooks", "err", err)
		}
		t := time.NewTimer(s.pollInterval())
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-w.ch:
		case <-s.pool.freed:
		case <-t.C:
		}
		t.Stop()
	}
}
