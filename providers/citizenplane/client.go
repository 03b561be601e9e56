// Package citizenplane is the adapter for the CitizenPlane booking API v3:
// one-way search, round-trip fares, price verification, the bags sold with
// a flight, booking requests (holds), bookings and their retrieval, mapped
// to the neutral vocabulary of package providers.
//
// The JSON shapes it shares with its simulator are in package wire; the
// simulator itself, an http.Handler that speaks the same API from a
// deterministic inventory, is package cpsim.
package citizenplane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// Name is the provider name the adapter reports and puts on its parts.
const Name = "citizenplane"

// Operations, as errors and the observer name them.
const (
	opSearch      = "search"
	opRoundTrips  = "round_trips"
	opVerify      = "verify"
	opAncillaries = "ancillaries"
	opHold        = "hold"
	opBook        = "book"
	opFindBooking = "find_booking"
	opRetrieve    = "retrieve"
)

const (
	defaultOfferTTL = 20 * time.Minute
	// defaultHTTPTimeout is a safety net; callers bound calls with contexts.
	defaultHTTPTimeout = 30 * time.Second
	// maxBody caps the bytes read from one answer.
	maxBody = 10 << 20
	// maxPages caps the pages followed for one search.
	maxPages = 20
)

// Config configures a Client.
type Config struct {
	// BaseURL is the API origin without the version, such as
	// https://booking-api.citizenplane.com; the adapter appends /v3/... paths.
	BaseURL string
	// Token is the API token, sent as "Authorization: Bearer <token>".
	Token string
	// CustomerCode is the customer code CitizenPlane assigned us, sent with
	// price verifications, booking requests and bookings.
	CustomerCode string
	// HTTPClient makes the calls; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Observer is told about every HTTP call; it may be nil.
	Observer providers.Observer
	// OfferTTL is how long offers are valid after a search; 0 means 20 minutes.
	OfferTTL time.Duration
	// Now is the clock for offer expiry; nil means time.Now.
	Now func() time.Time
	// Logger is told, at WARN, about the items of an answer the adapter
	// could not read and left out. Nil discards.
	Logger *slog.Logger
}

// Client is a CitizenPlane adapter. It is safe for concurrent use.
type Client struct {
	cfg  Config
	http providers.HTTP
	now  func() time.Time
	ttl  time.Duration
	log  *slog.Logger
	// cache reuses search answers for a few seconds (see searchCacheTTL).
	cache searchCache
}

var (
	_ providers.Searcher          = (*Client)(nil)
	_ providers.RoundTripSearcher = (*Client)(nil)
	_ providers.PriceChecker      = (*Client)(nil)
	_ providers.AncillaryLister   = (*Client)(nil)
	_ providers.Holder            = (*Client)(nil)
	_ providers.Booker            = (*Client)(nil)
	_ providers.BookingRetriever  = (*Client)(nil)
)

// New returns a Client for cfg, filling in the defaults described on Config.
func New(cfg Config) *Client {
	c := &Client{
		cfg: cfg,
		http: providers.HTTP{
			Client:  cfg.HTTPClient,
			BaseURL: strings.TrimRight(cfg.BaseURL, "/"),
			Header:  http.Header{"Authorization": {"Bearer " + cfg.Token}},
			MaxBody: maxBody,
		},
		now: cfg.Now,
		ttl: cfg.OfferTTL,
		log: cfg.Logger,
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.http.Client == nil {
		c.http.Client = &http.Client{Timeout: defaultHTTPTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.ttl <= 0 {
		c.ttl = defaultOfferTTL
	}
	return c
}

// Name returns "citizenplane".
func (c *Client) Name() string { return Name }

// call sends one request and decodes a 2xx answer into out. Every failure
// is a *providers.Error. The call is reported to the observer; statuses
// listed in answers (a sold-out flight at verify) are answers the caller
// expects, so the observer counts them as successful calls.
func (c *Client) call(ctx context.Context, op, method, path string, query url.Values, in, out any, answers ...int) error {
	_, err := c.do(ctx, op, method, path, query, in, out, answers...)
	return err
}

// do is call that also returns the HTTP status of the answer, 0 when there
// was none.
func (c *Client) do(ctx context.Context, op, method, path string, query url.Values, in, out any, answers ...int) (status int, err error) {
	start := time.Now()
	defer func() {
		observed := err
		if slices.Contains(answers, status) {
			observed = nil
		}
		providers.Observe(c.cfg.Observer, Name, op, start, observed)
	}()

	name := method + " " + path
	status, data, err := c.http.Do(ctx, method, path, query, in)
	if err != nil {
		return status, c.exchangeError(ctx, op, name, err)
	}
	if status < 200 || status > 299 {
		return status, c.statusError(op, name, status, data)
	}
	if err := providers.DecodeJSON(data, out); err != nil {
		return status, c.fail(op, providers.Unavailable, status, "", "unreadable provider answer", fmt.Errorf("%s: decode: %w", name, err))
	}
	return status, nil
}

// exchangeError classifies a call that got no whole answer.
func (c *Client) exchangeError(ctx context.Context, op, name string, err error) *providers.Error {
	var he *providers.HTTPError
	if !errors.As(err, &he) {
		return c.transportError(ctx, op, 0, fmt.Errorf("%s: %w", name, err))
	}
	switch he.Step {
	case providers.HTTPEncode:
		return c.fail(op, providers.Rejected, 0, "", "request could not be encoded", fmt.Errorf("%s: %w", name, he.Err))
	case providers.HTTPRequest:
		return c.fail(op, providers.Unavailable, 0, "", "provider URL is invalid", fmt.Errorf("%s: %w", name, he.Err))
	case providers.HTTPRead:
		return c.transportError(ctx, op, he.Status, fmt.Errorf("%s: read answer: %w", name, he.Err))
	case providers.HTTPTooLarge:
		return c.fail(op, providers.Unavailable, he.Status, "", "provider answer too large", fmt.Errorf("%s: answer over %d bytes", name, maxBody))
	default:
		return c.transportError(ctx, op, 0, fmt.Errorf("%s: %w", name, he.Err))
	}
}

// fail builds the *providers.Error of a failed operation.
func (c *Client) fail(op string, code providers.ErrorCode, status int, providerCode, msg string, err error) *providers.Error {
	return &providers.Error{Provider: Name, Op: op, Code: code, Status: status, ProviderCode: providerCode, Message: msg, Err: err}
}

// transportError classifies a call that got no complete answer.
func (c *Client) transportError(ctx context.Context, op string, status int, err error) *providers.Error {
	if providers.IsTimeout(ctx, err) {
		return c.fail(op, providers.Timeout, status, "", "provider did not answer in time", err)
	}
	return c.fail(op, providers.Unavailable, status, "", "provider could not be reached", err)
}

// statusError maps a non-2xx answer. The provider's own message goes to Err
// (for logs, shortened); Message is ours.
func (c *Client) statusError(op, name string, status int, data []byte) *providers.Error {
	detail := &apiError{call: name, status: status}
	_ = json.Unmarshal(data, &detail.body) // a body that is not the error shape leaves it empty
	eb := detail.body
	code, msg := providers.Unavailable, "provider answered with an error"
	switch {
	case status == http.StatusNotFound:
		code, msg = providers.NotFound, "flight not found"
	case status == http.StatusConflict:
		code, msg = providers.OfferExpired, "flight no longer available"
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		code, msg = providers.Rejected, "provider rejected the request"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		msg = "provider refused our authentication"
	case status >= 500:
		msg = "provider failed"
	}
	return c.fail(op, code, status, eb.Type, msg, detail)
}

// apiError is the detail of a non-2xx answer: the call, the status and
// the error body as far as it could be read. Callers that need more than
// the type (the cp_reference of REQUEST_ALREADY_BOOKED) find it with
// errors.As.
type apiError struct {
	call   string // "POST /v3/bookings"
	status int
	body   wire.ErrorBody
}

func (e *apiError) Error() string {
	if e.body.Type == "" && e.body.Message == "" {
		return fmt.Sprintf("%s: HTTP %d", e.call, e.status)
	}
	return fmt.Sprintf("%s: HTTP %d %s: %s", e.call, e.status, e.body.Type, shorten(e.body.Message, 200))
}

// shorten cuts s to at most n bytes on a rune boundary.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
