package server

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"github.com/faregraph/faregraph/fault"
)

// Refusal budget defaults: a client may have DefaultRefusalBurst requests
// refused at once and DefaultRefusalRate more per second; past that, its
// requests wait DefaultRefusalDelay and are answered 429 without being
// read, so that a client sending costly refused requests in a loop cannot
// take the cores from everyone else.
const (
	DefaultRefusalRate  = 5.0
	DefaultRefusalBurst = 20
	DefaultRefusalDelay = time.Second
	// maxRefusalClients bounds the clients remembered at once (least
	// recently refused first out), so that the budget itself cannot grow
	// without bound.
	maxRefusalClients = 10_000
)

// RefusalBudget configures how many refused requests (request errors:
// documents that do not parse or validate, limits exceeded, unreadable
// bodies, wrong methods, missing or bad API keys) a client may send.
type RefusalBudget struct {
	// Rate is the refusals per second a client earns back; Burst is how
	// many it may have at once. Zero means the defaults; a negative Rate
	// turns the budget off.
	Rate  float64
	Burst int
	// Delay is how long an over-budget request waits before its 429
	// (DefaultRefusalDelay when zero).
	Delay time.Duration
	// TrustedProxies are the networks of the load balancers in front of
	// the server: a request from one of them is counted against the last
	// address its X-Forwarded-For names (the one the proxy saw), not the
	// proxy's own.
	TrustedProxies []netip.Prefix
}

// refusals keeps a token bucket (golang.org/x/time/rate) per client
// address, spent by each refused request.
type refusals struct {
	cfg     RefusalBudget
	clients *lru.Cache[netip.Addr, *rate.Limiter]
}

func newRefusals(cfg RefusalBudget) *refusals {
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRefusalRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultRefusalBurst
	}
	if cfg.Delay <= 0 {
		cfg.Delay = DefaultRefusalDelay
	}
	c, _ := lru.New[netip.Addr, *rate.Limiter](maxRefusalClients) // the size is positive
	return &refusals{cfg: cfg, clients: c}
}

type refusedKey struct{}

// markRefused records that the request of ctx was refused as a request
// error, for a transport that answers one with a 200 (application/json
// clients get request errors with status 200).
func markRefused(ctx context.Context) {
	if f, ok := ctx.Value(refusedKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}

// wrap counts next's refusals against the client's budget, and answers
// 429 Too Many Requests, after cfg.Delay and without reading the body,
// to a client whose budget is spent.
func (rf *refusals) wrap(next http.Handler) http.Handler {
	if rf.cfg.Rate < 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := rf.client(r)
		if lim, ok := rf.clients.Get(client); ok && lim.Tokens() < 1 {
			wait := min(rf.cfg.Delay, time.Duration(math.Ceil((1-lim.Tokens())/rf.cfg.Rate*float64(time.Second))))
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			}
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(1/rf.cfg.Rate))))
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusTooManyRequests, fault.TooManyRequests,
				fmt.Sprintf("too many refused requests from this client (more than %d, then %g a second); fix the requests, then retry", rf.cfg.Burst, rf.cfg.Rate))
			return
		}
		refused := new(atomic.Bool)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), refusedKey{}, refused)))
		if refused.Load() || sw.status >= 400 && sw.status < 500 {
			lim, ok := rf.clients.Get(client)
			if !ok {
				lim = rate.NewLimiter(rate.Limit(rf.cfg.Rate), rf.cfg.Burst)
				rf.clients.Add(client, lim)
			}
			lim.Allow()
		}
	})
}

// client is the address a request is counted against: its peer, or, when
// the peer is a trusted proxy, the last address of X-Forwarded-For that is
// not one.
func (rf *refusals) client(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, _ := netip.ParseAddr(host) // the zero Addr for a peer that is not an IP
	addr = addr.Unmap()
	if !rf.trusted(addr) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return addr
		}
		if hop = hop.Unmap(); !rf.trusted(hop) {
			return hop
		}
	}
	return addr
}

func (rf *refusals) trusted(a netip.Addr) bool {
	for _, p := range rf.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
