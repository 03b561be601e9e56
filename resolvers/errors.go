package resolvers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faregraph/faregraph/auth"
	"github.com/faregraph/faregraph/events"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/scalars"
	"github.com/faregraph/faregraph/search"
)

// inputErrors reports every violation of a *fault.FieldError in err but the
// last as its own error entry and returns the last, so that clients see
// everything wrong with their input at once, in order. Any other err is
// returned as it is.
func inputErrors(ctx context.Context, err error) error {
	var fe *fault.FieldError
	if !errors.As(err, &fe) || len(fe.Violations) == 0 {
		return err
	}
	n := len(fe.Violations) - 1
	for _, v := range fe.Violations[:n] {
		graphql.AddError(ctx, v)
	}
	return fe.Violations[n]
}

// ErrorPresenter maps every resolver error to what clients see: a message
// and extensions.code (a fault.Code); bad input also names its field in
// extensions.field (the input path joined with dots, "input.origin"), and
// provider failures name the provider in extensions.provider. Errors are
// classified by errors.As and errors.Is only. Anything unexpected is logged
// with its detail and shown as "internal error" / INTERNAL.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Err == nil {
			// Already a client-facing GraphQL error (parsing, validation,
			// persisted queries). gqlgen leaves some without a code (a
			// malformed persisted-query extension): every request error
			// has one.
			if _, ok := gqlErr.Extensions["code"]; !ok {
				if gqlErr.Extensions == nil {
					gqlErr.Extensions = map[string]any{}
				}
				gqlErr.Extensions["code"] = fault.BadRequest
			}
			return gqlErr
		}
		e := &gqlerror.Error{Path: graphql.GetPath(ctx), Extensions: map[string]any{}}
		if gqlErr != nil {
			e.Path = gqlErr.Path
			e.Locations = gqlErr.Locations
			err = gqlErr.Err
		}
		code := classify(ctx, err, e)
		e.Extensions["code"] = code
		if code == fault.Internal {
			log.ErrorContext(ctx, "unexpected resolver error", "path", e.Path.String(), "err", err)
			e.Message = "internal error"
		}
		return e
	}
}

// classify sets e's message (and field or provider) for err and returns
// its code; fault.Internal leaves the message to the caller.
func classify(ctx context.Context, err error, e *gqlerror.Error) fault.Code {
	var (
		v     fault.Violation
		fe    *fault.FieldError
		pe    *providers.Error
		se    *scalars.Error
		scope *auth.ScopeError
	)
	switch {
	case errors.As(err, &se):
		v = fault.Violation{Field: inputField(ctx, e.Path), Message: se.Message}
		return badInput(e, v)
	case errors.As(err, &v):
		return badInput(e, v)
	case errors.As(err, &fe) && len(fe.Violations) > 0:
		return badInput(e, fe.Violations[0])
	case errors.Is(err, auth.ErrUnauthenticated):
		e.Message = "an API key is required: send Authorization: Bearer <key>"
		return fault.Unauthenticated
	case errors.As(err, &scope):
		e.Message = "the API key does not grant " + scope.Scopes()
		return fault.Forbidden
	case errors.Is(err, search.ErrOfferExpired):
		e.Message = "the offer has expired; search again"
		return fault.OfferExpired
	case errors.Is(err, search.ErrSearchExpired):
		e.Message = "the search has expired; search again"
		return fault.SearchExpired
	case errors.Is(err, search.ErrNotFound):
		e.Message = "not found"
		return fault.NotFound
	case errors.Is(err, search.ErrOverloaded):
		e.Message = "the server is running as many searches as it can; retry in a few seconds"
		return fault.Overloaded
	case errors.Is(err, events.ErrTooManySubscriptions):
		e.Message = "this API client has as many subscriptions open on this server as it may (" + strings.TrimPrefix(err.Error(), events.ErrTooManySubscriptions.Error()+": ") + "); close one and retry"
		return fault.Overloaded
	case errors.As(err, &pe):
		e.Message = providerMessage(pe)
		e.Extensions["provider"] = pe.Provider
		return fault.ProviderCode(err)
	case errors.Is(err, context.DeadlineExceeded):
		e.Message = "the request timed out"
		return fault.ProviderTimeout
	case errors.Is(err, context.Canceled):
		e.Message = "the request was canceled"
		return fault.Canceled
	case introspectionField(ctx):
		e.Message = "introspection is disabled on this server"
		return fault.IntrospectionDisabled
	}
	return fault.Internal
}

func badInput(e *gqlerror.Error, v fault.Violation) fault.Code {
	e.Message = v.Error()
	e.Extensions["field"] = fault.Dotted(v.Field)
	if v.Code == fault.NotFound {
		// An id the caller cannot see (unknown, malformed or another
		// tenant's), as the subscriptions answer it: NOT_FOUND naming the
		// argument, like a mutation's user error of the same id.
		return fault.NotFound
	}
	return fault.BadUserInput
}

// introspectionField reports whether the error being presented comes from
// Query.__schema or Query.__type. gqlgen's resolvers of these fields fail
// only when introspection is off (an untyped error of gqlgen's own), so the
// field, not the error's text, says what happened.
func introspectionField(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return false
	}
	return fc.Object == "Query" && (fc.Field.Name == "__schema" || fc.Field.Name == "__type")
}

// inputField is the input path of an argument from an error's path, which
// starts with the response path of the field the argument was given to:
// [searchOffers input departureDate] is ["input", "departureDate"], and
// [searchOffers offers first] on the field searchOffers.offers is
// ["first"], as fault.Violation names arguments.
func inputField(ctx context.Context, p ast.Path) []string {
	skip := 1
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		if fp := fc.Path(); len(fp) < len(p) && slices.Equal(fp, p[:len(fp)]) {
			skip = len(fp)
		}
	}
	var parts []string
	for i, el := range p {
		if i < skip {
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
		return []string{p.String()}
	}
	return parts
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
