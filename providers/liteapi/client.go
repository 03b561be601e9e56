// Package liteapi is an adapter for the LiteAPI flights API v3.0, mapped to
// the neutral vocabulary of package providers: one-way and round-trip
// search (POST /flights/rates), offer verification (POST /flights/verify),
// holds (POST /flights/prebooks and its services), bookings paid on the
// credit line (POST /flights/bookings) and booking reads (GET
// /flights/bookings/{id}).
//
// Its simulator, package litesim, is an HTTP server speaking the same API
// from a deterministic inventory, so that the adapter runs unchanged in
// tests, benchmarks and the no-setup default mode.
package liteapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// Name is the provider's name on parts, errors and metrics.
const Name = "liteapi"

// maxBodyBytes caps what the adapter reads of an answer.
const maxBodyBytes = 10 << 20

// defaultHTTPTimeout bounds a call made with the default HTTP client when
// the caller's context has no deadline. Buffered searches take 2–20 s.
const defaultHTTPTimeout = 60 * time.Second

// Config configures a Client.
type Config struct {
	// BaseURL is the API root including its version:
	// https://api.liteapi.travel/v3.0 in production, a litesim
	// simulator's URL in tests. The adapter appends the /flights/... paths.
	BaseURL string
	// APIKey is sent in the X-API-Key header.
	APIKey string
	// HTTPClient makes the calls. Nil means a client of its own with a
	// 60-second timeout; deadlines normally come from the context.
	HTTPClient *http.Client
	// Observer is told about every HTTP call; it may be nil.
	Observer providers.Observer
	// Now is the clock, time.Now when nil. It dates the expiry of offers
	// and holds that come without one, and decides which dates are within
	// LiteAPI's search horizon (lastSearchDate).
	Now func() time.Time
	// Logger is told, at WARN, about the items of an answer the adapter
	// could not read and left out. Nil discards.
	Logger *slog.Logger
	// Currencies are the currencies LiteAPI is asked to price in
	// (DefaultCurrencies when nil). A search in another currency asks in
	// EUR, and the search converts the offers, as it does CitizenPlane's.
	Currencies []string
}

// DefaultCurrencies are the currencies the adapter asks LiteAPI to price
// in when Config.Currencies is nil: the simulator's, which are those of
// the documented examples [assumed]. A currency LiteAPI refuses anyway
// (400 41006) is asked again in EUR.
var DefaultCurrencies = []string{"EUR", "USD", "GBP", "CHF"}

// Client calls LiteAPI. It is safe for concurrent use.
type Client struct {
	cfg  Config
	http providers.HTTP
	log  *slog.Logger
}

var (
	_ providers.Searcher          = (*Client)(nil)
	_ providers.RoundTripSearcher = (*Client)(nil)
	_ providers.PriceChecker      = (*Client)(nil)
	_ providers.Holder            = (*Client)(nil)
	_ providers.Booker            = (*Client)(nil)
	_ providers.BookingRetriever  = (*Client)(nil)
)

// New returns a client for the API at cfg.BaseURL.
func New(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultHTTPTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Currencies == nil {
		cfg.Currencies = DefaultCurrencies
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	header := http.Header{}
	header.Set("X-API-Key", cfg.APIKey)
	return &Client{cfg: cfg, log: log, http: providers.HTTP{
		Client:  hc,
		BaseURL: strings.TrimRight(cfg.BaseURL, "/"),
		Header:  header,
		MaxBody: maxBodyBytes,
	}}
}

// Name returns "liteapi".
func (c *Client) Name() string { return Name }

// Search returns LiteAPI's one-way offers for q: one slice and one part
// each. Prices are in q.Currency when LiteAPI prices in it (Config.
// Currencies), else (and when it is empty) in EUR. A date past
// LiteAPI's horizon (lastSearchDate) has no offers and is not sent. An
// offer of the answer that cannot be read is left out and logged; only an
// answer none of whose offers can be read is an error. Errors are
// *providers.Error values with Op "search".
func (c *Client) Search(ctx context.Context, q providers.Query) ([]providers.Offer, error) {
	return c.rates(ctx, "search", providers.OneWay, []providers.OriginDestination{q.OriginDestination}, q.Passengers, q.Currency)
}

// SearchRoundTrips returns LiteAPI's round-trip offers for q: two slices
// (outbound, return) priced together in one part of fare type RoundTrip.
// Dates past the horizon and unreadable offers are handled as by Search.
// Errors are *providers.Error values with Op "round_trips".
func (c *Client) SearchRoundTrips(ctx context.Context, q providers.RoundTripQuery) ([]providers.Offer, error) {
	return c.rates(ctx, "round_trips", providers.RoundTrip, []providers.OriginDestination{q.Outbound, q.Return}, q.Passengers, q.Currency)
}

// rates searches legs (outbound, then return) with one call.
func (c *Client) rates(ctx context.Context, op string, ft providers.FareType, legs []providers.OriginDestination,
	pax providers.Passengers, currency string) (_ []providers.Offer, err error) {
	now := c.cfg.Now()
	if beyondHorizon(legs, now) {
		// LiteAPI would refuse the request (400 41002): it sells nothing
		// that far ahead, which is no offers rather than a failure.
		return []providers.Offer{}, nil
	}
	start := time.Now()
	defer func() { providers.Observe(c.cfg.Observer, Name, op, start, err) }()

	currency = c.pricingCurrency(currency)
	var resp wire.RatesResponse
	status, err := c.post(ctx, op, wire.RatesPath, newRatesRequest(legs, pax, currency), &resp)
	var pe *providers.Error
	if errors.As(err, &pe) && pe.ProviderCode == "41006" && pe.Message == msgCurrency && currency != wire.DefaultCurrency {
		// Not priced in this currency after all: EUR, converted by the search.
		resp = wire.RatesResponse{}
		status, err = c.post(ctx, op, wire.RatesPath, newRatesRequest(legs, pax, wire.DefaultCurrency), &resp)
	}
	if err != nil {
		return nil, err
	}
	offers, skipped := toOffers(resp, search{fareType: ft, legs: legs, pax: pax, now: now})
	l := legs[0]
	for _, sk := range skipped {
		c.log.WarnContext(ctx, "liteapi: unreadable offer left out of a search answer",
			"provider", Name, "op", op, "route", l.Origin+"-"+l.Destination, "date", string(l.Date),
			"item", sk.item, "reason", sk.err.Error())
	}
	if len(offers) == 0 && len(skipped) > 0 {
		return nil, unreadable(op, status, fmt.Errorf("map %s %s-%s %s (%d legs): none of %d items could be read, first: %s: %w",
			wire.RatesPath, l.Origin, l.Destination, l.Date, len(legs), len(skipped), skipped[0].item, skipped[0].err))
	}
	return offers, nil
}

// CheckPrice verifies a LiteAPI part (its Ref is the offerId) and returns
// its live total, seats and baggage options. An offer the provider no
// longer sells (expired, unknown, lapsed session; any 404) is Available
// false with no error. A malformed offerId (400 42013) is an error with Code
// Rejected, since refs come from our own searches. Errors are
// *providers.Error values with Op "verify".
func (c *Client) CheckPrice(ctx context.Context, p providers.Part) (_ *providers.PriceCheck, err error) {
	const op = "verify"
	if p.Provider != Name || p.Ref == "" {
		return nil, &providers.Error{Provider: Name, Op: op, Code: providers.Rejected,
			Message: "not a LiteAPI offer", Err: fmt.Errorf("verify part %q of provider %q", p.Ref, p.Provider)}
	}
	start := time.Now()
	defer func() { providers.Observe(c.cfg.Observer, Name, op, start, err) }()

	var resp wire.VerifyResponse
	status, err := c.post(ctx, op, wire.VerifyPath, wire.VerifyRequest{OfferID: p.Ref}, &resp)
	if isOfferGone(err) {
		return &providers.PriceCheck{Available: false}, nil
	}
	if err != nil {
		return nil, err
	}
	pc, err := toPriceCheck(resp)
	if err != nil {
		return nil, unreadable(op, status, fmt.Errorf("map %s: %w", wire.VerifyPath, err))
	}
	return pc, nil
}

// post sends in as JSON to path and decodes a 2xx answer into out, keeping
// the exact digits of numbers. It returns the HTTP status and a
// *providers.Error on failure.
func (c *Client) post(ctx context.Context, op, path string, in, out any) (int, error) {
	return c.call(ctx, op, http.MethodPost, path, in, out)
}

// get is post for a GET of path.
func (c *Client) get(ctx context.Context, op, path string, out any) (int, error) {
	return c.call(ctx, op, http.MethodGet, path, nil, out)
}

// call makes one request and decodes its answer into out.
func (c *Client) call(ctx context.Context, op, method, path string, in, out any) (int, error) {
	status, raw, err := c.exchange(ctx, op, method, path, in)
	if err != nil {
		return status, err
	}
	return status, decodeAnswer(op, method, path, status, raw, out)
}

// exchange sends one request (in as JSON, none when in is nil) and reads
// the answer's status and body, whatever the status. Redirects are
// followed by the HTTP client, body and key included (B.10: 307 to the
// trailing-slash path). Its errors are failures to get a whole answer.
func (c *Client) exchange(ctx context.Context, op, method, path string, in any) (int, []byte, error) {
	// Not text/event-stream (providers.HTTP asks for application/json): the
	// rates answer then comes as one JSON body.
	status, raw, err := c.http.Do(ctx, method, path, nil, in)
	var he *providers.HTTPError
	if err == nil || !errors.As(err, &he) {
		return status, raw, err
	}
	switch he.Step {
	case providers.HTTPEncode:
		return 0, nil, &providers.Error{Provider: Name, Op: op, Code: providers.Rejected,
			Message: "the request could not be encoded", Err: fmt.Errorf("encode %s %s: %w", method, path, he.Err)}
	case providers.HTTPRequest:
		return 0, nil, &providers.Error{Provider: Name, Op: op, Code: providers.Unavailable,
			Message: msgUnreachable, Err: fmt.Errorf("new request %s %s: %w", method, path, he.Err)}
	case providers.HTTPRead:
		pe := transportFailure(ctx, op, method, path, fmt.Errorf("read body: %w", he.Err))
		pe.Status = status
		return status, nil, pe
	case providers.HTTPTooLarge:
		return status, nil, unreadable(op, status, fmt.Errorf("%s %s: body over %d bytes", method, path, maxBodyBytes))
	default:
		return 0, nil, transportFailure(ctx, op, method, path, he.Err)
	}
}

// decodeAnswer classifies a non-2xx answer, or decodes a 2xx one into out
// keeping the exact digits of numbers. An error envelope decides even
// under a 2xx status.
func decodeAnswer(op, method, path string, status int, raw []byte, out any) error {
	if status < 200 || status > 299 {
		var env wire.ErrorEnvelope
		if json.Unmarshal(raw, &env) != nil {
			env.Error = nil
		}
		return apiFailure(op, method, path, status, env.Error)
	}
	if err := providers.DecodeJSON(raw, out); err != nil {
		return unreadable(op, status, fmt.Errorf("decode %s %s: %w", method, path, err))
	}
	if f, ok := out.(interface{ Failure() *wire.APIError }); ok && f.Failure() != nil {
		return apiFailure(op, method, path, status, f.Failure())
	}
	return nil
}

// pricingCurrency is the currency to ask LiteAPI in for a search in cur:
// cur when LiteAPI prices in it, else EUR (wire.DefaultCurrency).
func (c *Client) pricingCurrency(cur string) string {
	cur = strings.ToUpper(strings.TrimSpace(cur))
	if slices.Contains(c.cfg.Currencies, cur) {
		return cur
	}
	return wire.DefaultCurrency
}
