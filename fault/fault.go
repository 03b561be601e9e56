// Package fault is faregraph's one error model above the provider layer:
// the codes clients see (Code), the input errors that name the fields they
// are about (FieldError), and the one mapping from provider failures to
// client codes (FromProvider). It is modelled on upspin's errors.E(op,
// kind, err): code that fails says what kind of failure it is with a value,
// and the error presenter classifies errors with errors.As and errors.Is
// only, never by their text.
//
// A field is named by its GraphQL input path: the argument name, then the
// input fields and list indexes under it, as strings, like
// ["input", "passengers", "0", "givenName"]. Mutation payloads give the
// list in userErrors.field; top-level errors give the same list joined with
// dots in extensions.field ("input.passengers.0.givenName").
package fault

import (
	"fmt"
	"strings"
)

// Code is what a client can branch on: UserError.code in mutation payloads,
// extensions.code in top-level errors, and Failure.code of a checkout
// session. The GraphQL enum ErrorCode lists the same values.
type Code string

// Codes of top-level errors (extensions.code).
const (
	// BadUserInput: an argument is malformed or breaks a rule; the error
	// names it in extensions.field. Every problem is reported at once.
	BadUserInput Code = "BAD_USER_INPUT"
	// NotFound: the id names nothing the caller can see.
	NotFound Code = "NOT_FOUND"
	// Unauthenticated: the request needs an API key.
	Unauthenticated Code = "UNAUTHENTICATED"
	// Forbidden: the API key does not grant the scope the field needs.
	Forbidden Code = "FORBIDDEN"
	// Canceled: the client went away or canceled the request.
	Canceled Code = "CANCELED"
	// CanceledBritish is CANCELED's former British spelling, kept in the
	// GraphQL enum (deprecated) so that clients naming it still validate;
	// nothing answers it any more.
	CanceledBritish Code = "CANCELLED"
	// IntrospectionDisabled: the server does not answer introspection.
	IntrospectionDisabled Code = "INTROSPECTION_DISABLED"
	// Internal: a bug on our side; the log has the detail.
	Internal Code = "INTERNAL"
)

// Codes of provider failures, top-level or in user errors.
const (
	// ProviderTimeout: a provider did not answer in time.
	ProviderTimeout Code = "PROVIDER_TIMEOUT"
	// ProviderUnavailable: a provider failed or could not be reached; retry.
	ProviderUnavailable Code = "PROVIDER_UNAVAILABLE"
	// ProviderRejected: a provider refused a request that passed our own
	// checks; the message says what it objected to. Retrying does not help.
	ProviderRejected Code = "PROVIDER_REJECTED"
	// OfferExpired: the offer is past its expiry or gone at the provider;
	// search again.
	OfferExpired Code = "OFFER_EXPIRED"
	// SearchExpired: the stored search is past its expiry; search again.
	SearchExpired Code = "SEARCH_EXPIRED"
	// SoldOut: the provider no longer sells the fare.
	SoldOut Code = "SOLD_OUT"
	// PriceChanged: the provider's price differs from the offer's.
	PriceChanged Code = "PRICE_CHANGED"
	// HoldExpired: the provider's hold on the seats lapsed.
	HoldExpired Code = "HOLD_EXPIRED"
)

// Codes of user errors (userErrors.code in mutation payloads).
const (
	// Invalid: the value is malformed (a date, an email, a country code...).
	Invalid Code = "INVALID"
	// Required: the value is missing or blank.
	Required Code = "REQUIRED"
	// TooLong: the value is longer than its documented maximum.
	TooLong Code = "TOO_LONG"
	// OutOfRange: the number is outside its documented range.
	OutOfRange Code = "OUT_OF_RANGE"
	// PassengerMix: the travellers do not match the offer or the age rules.
	PassengerMix Code = "PASSENGER_MIX"
	// OfferNotFound: the offer id is not one of ours.
	OfferNotFound Code = "OFFER_NOT_FOUND"
	// AncillaryNotFound: the ancillary id is not one of the offer's.
	AncillaryNotFound Code = "ANCILLARY_NOT_FOUND"
	// InvalidState: the checkout session's status does not allow the step.
	InvalidState Code = "INVALID_STATE"
	// SessionExpired: the checkout session is past its expiry.
	SessionExpired Code = "SESSION_EXPIRED"
	// CardDeclined: the card was declined (by our gateway, or by the
	// provider charging a card forwarded to it); nothing was charged, and
	// another card may succeed.
	CardDeclined Code = "CARD_DECLINED"
	// PaymentActionRequired: a payment action (CheckoutSession
	// paymentActions) is not done: the app must confirm a provider's
	// payment intent or forward a card before booking.
	PaymentActionRequired Code = "PAYMENT_ACTION_REQUIRED"
	// CreditLineUnavailable: the API client has no enabled credit line in
	// the session's currency.
	CreditLineUnavailable Code = "CREDIT_LINE_UNAVAILABLE"
	// InsufficientCredit: the credit line's available balance is below the
	// session total.
	InsufficientCredit Code = "INSUFFICIENT_CREDIT"
	// IdempotencyKeyReused: the idempotency key was used for another request.
	IdempotencyKeyReused Code = "IDEMPOTENCY_KEY_REUSED"
	// InProgress: another request is working on the same thing; retry shortly.
	InProgress Code = "IN_PROGRESS"
	// PaymentUnavailable: the payment gateway could not set up the payment;
	// retry.
	PaymentUnavailable Code = "PAYMENT_UNAVAILABLE"
	// BookingClosed: the offer's first flight departs within its
	// provider's booking cut-off, or has left (package rules); search again.
	BookingClosed Code = "BOOKING_CLOSED"
	// ConnectionTooShort: a flight of the offer departs before the one
	// before it has landed plus the minimum ground time (package rules).
	ConnectionTooShort Code = "CONNECTION_TOO_SHORT"
	// Duplicate: the same traveller, or the same metadata key, is given
	// twice.
	Duplicate Code = "DUPLICATE"
	// QuoteExpired: the cancellation quote is past its expiry; ask for a
	// new one (cancellationQuote).
	QuoteExpired Code = "QUOTE_EXPIRED"
	// QuoteSuperseded: a newer cancellation quote of the booking exists;
	// only the latest may be confirmed.
	QuoteSuperseded Code = "QUOTE_SUPERSEDED"
	// NotCancellable: the booking cannot be canceled through us (its
	// provider has no cancellation, or it is canceled already).
	NotCancellable Code = "NOT_CANCELLABLE"
)

// Codes of request errors: the request as a whole is refused before any
// field runs, so the answer has no data (GraphQL over HTTP: a 4xx status
// in application/graphql-response+json). The server answers them; the
// first three are the spellings of gqlgen, which reports them itself.
const (
	// GraphQLParseFailed: the document is not GraphQL.
	GraphQLParseFailed Code = "GRAPHQL_PARSE_FAILED"
	// GraphQLValidationFailed: the document does not validate against the
	// schema, or breaks a document limit (fields, depth, operation name).
	GraphQLValidationFailed Code = "GRAPHQL_VALIDATION_FAILED"
	// ComplexityLimitExceeded: the operation costs more than the server's
	// complexity limit.
	ComplexityLimitExceeded Code = "COMPLEXITY_LIMIT_EXCEEDED"
	// TooManyErrors: the last error of a response that had more errors
	// than the server answers; its message says how many were left out.
	TooManyErrors Code = "TOO_MANY_ERRORS"
	// RequestTooLarge: the request body is larger than the server reads
	// (HTTP 413).
	RequestTooLarge Code = "REQUEST_TOO_LARGE"
	// BadRequest: the request is not a GraphQL request: an unreadable body
	// or query string, or one that is not JSON (HTTP 400).
	BadRequest Code = "BAD_REQUEST"
	// TooManyRequests: the client sent too many refused requests; fix them,
	// then retry after Retry-After (HTTP 429).
	TooManyRequests Code = "TOO_MANY_REQUESTS"
	// MethodNotAllowed: the HTTP method is not one the endpoint takes, or a
	// GET carries a mutation; Allow names the methods (HTTP 405).
	MethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	// UnsupportedMediaType: a POST body that is not JSON (HTTP 415).
	UnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	// CORSOriginNotAllowed: a browser preflight from an origin that may not
	// call the API (HTTP 403).
	CORSOriginNotAllowed Code = "CORS_ORIGIN_NOT_ALLOWED"
	// NotAcceptable: a subscription asked for in a media type it is not
	// answered in; subscriptions are server-sent events, POST with
	// Accept: text/event-stream (HTTP 406).
	NotAcceptable Code = "NOT_ACCEPTABLE"
	// PersistedQueryNotFound: an automatic persisted query named by its
	// SHA-256 hash only, which this server has not seen; send the query
	// text with the hash once (Apollo's APQ protocol).
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
	// Overloaded: the server is running as many searches as it admits and
	// could not queue this one; nothing was asked of any provider. Retry
	// in a few seconds. Also: a subscription that would pass the open
	// subscriptions an API client may have on one replica.
	Overloaded Code = "OVERLOADED"
)

// Codes of a checkout session's failure (Failure.code), besides the
// provider codes above that a failed part reports.
const (
	// BookingOutcomeUnknown: a provider did not say whether it booked; the
	// reconciler asks it.
	BookingOutcomeUnknown Code = "BOOKING_OUTCOME_UNKNOWN"
	// PaymentSettlementFailed: the bookings are made but the capture failed;
	// it is retried.
	PaymentSettlementFailed Code = "PAYMENT_SETTLEMENT_FAILED"
	// BookingFailed: a part could not be booked, for no more specific reason.
	BookingFailed Code = "BOOKING_FAILED"
	// PaymentCanceled: the card authorization was canceled or lapsed
	// before booking.
	PaymentCanceled Code = "PAYMENT_CANCELED"
	// NotHeld: the session expired before its seats were held.
	NotHeld Code = "NOT_HELD"
	// NotBooked: the session expired before its parts were booked.
	NotBooked Code = "NOT_BOOKED"
	// NotTried: a part of an all-or-nothing trip was never sent to its
	// provider, because an earlier part failed (or could not be followed
	// by it); nothing of it was booked or charged.
	NotTried Code = "NOT_TRIED"
)

// Codes lists every Code, in the order of the GraphQL enum ErrorCode.
var Codes = []Code{
	BadUserInput, NotFound, Unauthenticated, Forbidden, Canceled, CanceledBritish, IntrospectionDisabled, Internal,
	ProviderTimeout, ProviderUnavailable, ProviderRejected, OfferExpired, SearchExpired, SoldOut, PriceChanged, HoldExpired,
	Invalid, Required, TooLong, OutOfRange, PassengerMix, OfferNotFound, AncillaryNotFound, InvalidState,
	SessionExpired, CardDeclined, PaymentActionRequired, CreditLineUnavailable, InsufficientCredit, IdempotencyKeyReused, InProgress,
	PaymentUnavailable, BookingClosed, ConnectionTooShort, Duplicate, QuoteExpired, QuoteSuperseded, NotCancellable,
	BookingOutcomeUnknown, PaymentSettlementFailed, BookingFailed, PaymentCanceled, NotHeld, NotBooked, NotTried,
	GraphQLParseFailed, GraphQLValidationFailed, ComplexityLimitExceeded, TooManyErrors, RequestTooLarge, BadRequest,
	TooManyRequests, MethodNotAllowed, UnsupportedMediaType, CORSOriginNotAllowed, NotAcceptable, PersistedQueryNotFound,
	Overloaded,
}

// Violation is one thing wrong with one input field. Its JSON encoding
// (Field, Code, Message, without tags) is stored in idempotency records:
// keep it.
type Violation struct {
	// Field is the GraphQL input path, like ["input", "origin"]; nil when
	// the problem is with the request as a whole.
	Field []string
	Code  Code
	// Message says what is wrong and how to fix it; it is safe to show.
	Message string
}

// Error is the dotted path and the message: "input.origin: must be ...".
func (v Violation) Error() string {
	if len(v.Field) == 0 {
		return v.Message
	}
	return Dotted(v.Field) + ": " + v.Message
}

// FieldError lists everything wrong with a request's input, in the order
// found. Nothing reaches a provider or the database when a request has one.
// The zero value is empty and ready to use.
type FieldError struct {
	Violations []Violation
}

// Field returns a FieldError with one violation of code on field, its
// message formatted from format and args.
func Field(field []string, code Code, format string, args ...any) *FieldError {
	e := &FieldError{}
	e.Add(field, code, format, args...)
	return e
}

// Add records a violation of code on field, its message formatted from
// format and args.
func (e *FieldError) Add(field []string, code Code, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	e.Violations = append(e.Violations, Violation{Field: field, Code: code, Message: msg})
}

// Err returns e when it has violations and nil otherwise, so that a
// checker can end with `return e.Err()`.
func (e *FieldError) Err() error {
	if e == nil || len(e.Violations) == 0 {
		return nil
	}
	return e
}

// Error joins the violations with "; ".
func (e *FieldError) Error() string {
	var b strings.Builder
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.Error())
	}
	return b.String()
}

// Path returns the input path of a field: its parts, with list indexes
// (ints) written in decimal. Path("input", "passengers", 0, "givenName")
// is ["input", "passengers", "0", "givenName"].
func Path(parts ...any) []string {
	p := make([]string, len(parts))
	for i, x := range parts {
		p[i] = fmt.Sprint(x)
	}
	return p
}

// Dotted joins an input path with dots, as extensions.field shows it:
// ["input", "passengers", "0"] is "input.passengers.0".
func Dotted(field []string) string { return strings.Join(field, ".") }

// Count writes n with the noun that agrees with it: Count(1, "child",
// "children") is "1 child", Count(2, ...) "2 children".
func Count(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, Verb(n, one, many))
}

// Verb is one when n is 1 and many otherwise, for the words that agree
// with a count ("was"/"were", "is"/"are").
func Verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
