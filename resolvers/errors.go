package resolvers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/scalars"
	"github.com/faregraph/faregraph/search"
)

// Error codes clients see in extensions.code.
const (
	CodeBadUserInput        = "BAD_USER_INPUT"
	CodeNotFound            = "NOT_FOUND"
	CodeOfferExpired        = "OFFER_EXPIRED"
	CodeProviderTimeout     = "PROVIDER_TIMEOUT"
	CodeProviderUnavailable = "PROVIDER_UNAVAILABLE"
	CodeInternal            = "INTERNAL"
)

// inputError is a problem with one input field that the caller can fix.
type inputError struct {
	field, message string
}

func (e *inputError) Error() string { return e.field + ": " + e.message }

func badInput(field, format string, args ...any) error {
	return &inputError{field: field, message: fmt.Sprintf(format, args...)}
}

// addInputErrors reports every violation of an *search.InputError but the
// last as its own error entry and returns the last, so that clients see
// everything wrong with their input at once, in order.
func addInputErrors(ctx context.Context, e *search.InputError) error {
	n := len(e.Violations) - 1
	for _, v := range e.Violations[:n] {
		graphql.AddError(ctx, &inputError{field: v.Field, message: v.Message})
	}
	v := e.Violations[n]
	return &inputError{field: v.Field, message: v.Message}
}

// ErrorPresenter maps every resolver error to what clients see: a message
// and extensions.code; provider failures also name the provider. Anything
// unexpected is logged with its detail and shown as "internal error".
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Err == nil {
			// Already a client-facing GraphQL error (parsing, validation).
			return gqlErr
		}
		e := &gqlerror.Error{Path: graphql.GetPath(ctx), Extensions: map[string]any{}}
		if gqlErr != nil {
			e.Path = gqlErr.Path
			e.Locations = gqlErr.Locations
			err = gqlErr.Err
		}
		var (
			in *inputError
			pe *providers.Error
			se *scalars.Error
		)
		switch {
		case errors.As(err, &se):
			field := inputField(e.Path)
			e.Message = field + ": " + se.Message
			e.Extensions["code"] = CodeBadUserInput
			e.Extensions["field"] = field
		case errors.As(err, &in):
			e.Message = in.Error()
			e.Extensions["code"] = CodeBadUserInput
			e.Extensions["field"] = in.field
		case errors.Is(err, auth.ErrUnauthenticated):
			e.Message = "an API key is required: send Authorization: Bearer <key>"
			e.Extensions["code"] = "UNAUTHENTICATED"
		case errors.Is(err, auth.ErrForbidden):
			e.Message = "the API key does not grant " + strings.TrimPrefix(err.Error(), auth.ErrForbidden.Error()+": ")
			e.Extensions["code"] = "FORBIDDEN"
		case errors.Is(err, search.ErrOfferExpired):
			e.Message = "the offer has expired; search again"
			e.Extensions["code"] = CodeOfferExpired
		case errors.Is(err, search.ErrNotFound):
			e.Message = "not found"
			e.Extensions["code"] = CodeNotFound
		case errors.As(err, &pe):
			e.Message = providerMessage(pe)
			e.Extensions["code"] = providerCode(err)
			e.Extensions["provider"] = pe.Provider
		case errors.Is(err, context.DeadlineExceeded):
			e.Message = "the request timed out"
			e.Extensions["code"] = CodeProviderTimeout
		case errors.Is(err, context.Canceled):
			e.Message = "the request was cancelled"
			e.Extensions["code"] = "CANCELLED"
		case err.Error() == "introspection disabled":
			// gqlgen's own error when introspection is switched off.
			e.Message = "introspection is disabled on this server"
			e.Extensions["code"] = "INTROSPECTION_DISABLED"
		default:
			log.ErrorContext(ctx, "unexpected resolver error", "path", e.Path.String(), "err", err)
			e.Message = "internal error"
			e.Extensions["code"] = CodeInternal
		}
		return e
	}
}

func providerCode(err error) string {
	switch providers.CodeOf(err) {
	case providers.Timeout:
		return CodeProviderTimeout
	case providers.OfferExpired, providers.NotFound:
		return CodeOfferExpired
	case providers.Internal:
		return CodeInternal
	default:
		return CodeProviderUnavailable
	}
}

// inputField names an argument from an error's path, which starts with the
// field the argument was given to: [searchOffers input departureDate] is
// "input.departureDate".
func inputField(p ast.Path) string {
	var parts []string
	for i, el := range p {
		if i == 0 {
			continue
		}
		switch v := el.(type) {
		case ast.PathName:
			parts = append(parts, string(v))
		case ast.PathIndex:
			parts = append(parts, fmt.Sprint(int(v)))
		}
	}
	if len(parts) == 0 {
		return p.String()
	}
	return strings.Join(parts, ".")
}

func providerMessage(pe *providers.Error) string {
	msg := pe.Message
	if msg == "" {
		msg = "the provider could not answer"
	}
	if !strings.HasPrefix(msg, pe.Provider) {
		msg = pe.Provider + ": " + msg
	}
	return msg
}

// Recover turns a panic in a resolver into an internal error and logs it.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "resolver panic", "panic", fmt.Sprint(p), "path", graphql.GetPath(ctx).String())
		return errors.New("internal error")
	}
}
