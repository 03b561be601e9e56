package liteapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"time"
)

// SimConfig configures a Simulator.
type SimConfig struct {
	// APIKey is the X-API-Key the simulator accepts. Empty accepts any
	// non-empty key; a missing key is always refused.
	APIKey string
	// Latency is how long the simulator waits before answering.
	Latency time.Duration
	// FailureRate is the share of requests (0 to 1) answered 503.
	FailureRate float64
	// Seed fixes the inventory, the offer ids and the failure sequence.
	Seed int64
	// Now is the simulator's clock, time.Now when nil.
	Now func() time.Time
	// OfferTTL is how long an offerId stays valid after the search; 30
	// minutes when zero.
	OfferTTL time.Duration
}

// Simulator is an http.Handler speaking the LiteAPI flights v3.0 API
// (POST /flights/rates and POST /flights/verify, same JSON fields, envelopes
// and error codes) from a deterministic inventory: CDG↔PMI, CDG↔BCN,
// CDG↔MAD and ORY↔LIS, every day, 3 to 6 journeys a day, with one-stop
// journeys among them. It prices in EUR only and answers any other currency
// 400 41006. Two-leg searches combine every outbound with every return, 8%
// below the two one-ways. Search answers carry the included bags; verify
// adds a paid 23 kg checked bag with a serviceId.
//
// The paths are served at the handler's root, so the base URL of a client
// is the server's URL itself, where in production it is
// https://api.liteapi.travel/v3.0.
//
// Offer ids are self-contained and signed with a key derived from the
// seed: a simulator restarted with the same seed still accepts them, and
// any other string is answered 400 42013. Verify re-derives the price from
// the inventory; an offer whose seats ran out is answered 404 42018 (not
// found), the verify code for an offer no longer sold. A Simulator is safe
// for concurrent use.
type Simulator struct {
	cfg   SimConfig
	inv   inventory
	seats *seatStore
	key   []byte

	mu          sync.Mutex
	latency     time.Duration
	failureRate float64
	rng         *rand.Rand
}

var _ http.Handler = (*Simulator)(nil)

// defaultOfferTTL is the life of the simulator's offers.
const defaultOfferTTL = 30 * time.Minute

// NewSimulator returns a simulator for cfg.
func NewSimulator(cfg SimConfig) *Simulator {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OfferTTL <= 0 {
		cfg.OfferTTL = defaultOfferTTL
	}
	inv := inventory{seed: cfg.Seed}
	key := sha256.Sum256(fmt.Appendf(nil, "faregraph liteapi simulator %d", cfg.Seed))
	return &Simulator{
		cfg:         cfg,
		inv:         inv,
		seats:       newSeatStore(inv),
		key:         key[:],
		latency:     cfg.Latency,
		failureRate: cfg.FailureRate,
		rng:         rand.New(rand.NewSource(cfg.Seed)),
	}
}

// SetLatency changes the delay before every answer.
func (s *Simulator) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetFailureRate changes the share of requests answered 503 (0 to 1).
func (s *Simulator) SetFailureRate(r float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failureRate = r
}

// endpoint is one simulated path with its operation's error codes.
type endpoint struct {
	handle      func(s *Simulator, w http.ResponseWriter, body []byte)
	keyRefused  int // 401
	unavailable int // 503
}

var endpoints = map[string]endpoint{
	ratesPath:  {handle: (*Simulator).rates, keyRefused: 41004, unavailable: 51004},
	verifyPath: {handle: (*Simulator).verify, keyRefused: 42003, unavailable: 52014},
}

// maxRequestBytes caps the request bodies the simulator reads.
const maxRequestBytes = 1 << 20

// Generic codes for what the documentation leaves unnumbered [assumed].
const (
	codeBadRequest = 4000
	codeNotFound   = 4004
)

// ServeHTTP answers one request: after the configured latency, it checks
// the API key, then may fail at the configured rate, then serves the path.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep, ok := endpoints[r.URL.Path]
	if !ok {
		writeError(w, http.StatusNotFound, apiError{Code: codeNotFound, Message: "Not found"})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, apiError{Code: codeBadRequest, Message: "Method not allowed"})
		return
	}
	// Reading the body first lets the server notice a client that gives
	// up during the latency, and so cancel the request's context.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, apiError{Code: codeBadRequest, Message: "Request body too large"})
		return
	}
	if !s.wait(r.Context()) {
		return
	}
	if key := r.Header.Get("X-API-Key"); key == "" || (s.cfg.APIKey != "" && key != s.cfg.APIKey) {
		writeError(w, http.StatusUnauthorized, apiError{Code: ep.keyRefused, Message: "Invalid API key"})
		return
	}
	if s.fails() {
		writeError(w, http.StatusServiceUnavailable, apiError{Code: ep.unavailable, Message: "Provider unavailable"})
		return
	}
	ep.handle(s, w, body)
}

// wait sleeps for the latency; it reports false if the request was
// abandoned first.
func (s *Simulator) wait(ctx context.Context) bool {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// fails draws whether this request fails.
func (s *Simulator) fails() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failureRate > 0 && s.rng.Float64() < s.failureRate
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	writeJSON(w, status, errorEnvelope{Error: &e})
}

// sign makes an opaque id of v: base64url JSON and a truncated HMAC.
func (s *Simulator) sign(v any) string {
	payload, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("liteapi simulator: sign %T: %v", v, err)) // only our own structs are signed
	}
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

// open checks an id made by sign and decodes it into v.
func (s *Simulator) open(id string, v any) bool {
	p, m, ok := strings.Cut(id, ".")
	if !ok {
		return false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(m)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(payload)) {
		return false
	}
	return json.Unmarshal(payload, v) == nil
}

func (s *Simulator) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write(payload)
	return h.Sum(nil)[:16]
}
