// Package scalars marshals faregraph's GraphQL scalars with rules of their
// own (Date, DateTime, and a strict 32-bit Int) to and from Go values.
// Checking what the values mean (a date in the past, say) is the
// resolvers' job, so that the error names the field.
package scalars

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/faregraph/faregraph/providers"
)

// Error is a value that is not of its scalar's type; the error presenter
// shows it as BAD_USER_INPUT on the field it was given for.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// MarshalDate writes a Date as a JSON string.
func MarshalDate(d providers.Date) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) })
}

// UnmarshalDate reads a Date from a string; its format is checked by the
// resolver that uses it, which knows the field's name.
func UnmarshalDate(v any) (providers.Date, error) {
	s, ok := v.(string)
	if !ok {
		return "", &Error{fmt.Sprintf("must be a Date string like \"2026-07-01\", got %s", Kind(v))}
	}
	return providers.Date(s), nil
}

// MarshalDateTime writes an RFC 3339 time with its UTC offset and no
// fraction of a second when there is none. An instant in UTC ends in "Z";
// a local time in a zone whose offset is zero, such as Lisbon in winter or
// Accra, ends in "+00:00": it is still the airport's local time.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		var buf [40]byte
		b := append(buf[:0], '"')
		layout := time.RFC3339Nano
		if t.Location() != time.UTC {
			layout = localLayout
		}
		b = t.AppendFormat(b, layout)
		b = append(b, '"')
		w.Write(b)
	})
}

// localLayout is RFC 3339 with a numeric offset even when it is zero.
const localLayout = "2006-01-02T15:04:05.999999999-07:00"

// UnmarshalDateTime reads an RFC 3339 time.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, &Error{fmt.Sprintf("must be an RFC 3339 DateTime string, got %s", Kind(v))}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, &Error{"must be an RFC 3339 DateTime string like \"2026-07-01T10:00:00Z\""}
	}
	return t, nil
}

// Kind names the JSON kind of a value for messages: "null", "a boolean",
// "a string", "an object", "a list", or "the number 2.5".
func Kind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	default:
		return fmt.Sprintf("the number %v", x)
	}
}
