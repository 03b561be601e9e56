// Package scalars marshals faregraph's custom GraphQL scalars (Date,
// DateTime) to and from Go values. Checking what the values mean (a date in
// the past, say) is the resolvers' job, so that the error names the field.
package scalars

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/faregraph/faregraph/providers"
)

// MarshalDate writes a Date as a JSON string.
func MarshalDate(d providers.Date) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) })
}

// UnmarshalDate reads a Date from a string; its format is checked by the
// resolver that uses it, which knows the field's name.
func UnmarshalDate(v any) (providers.Date, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("a Date must be a string like \"2026-07-01\", got %T", v)
	}
	return providers.Date(s), nil
}

// MarshalDateTime writes an RFC 3339 time with its UTC offset and no
// fraction of a second when there is none.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		var buf [40]byte
		b := append(buf[:0], '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
		w.Write(b)
	})
}

// UnmarshalDateTime reads an RFC 3339 time.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("a DateTime must be an RFC 3339 string, got %T", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("a DateTime must be an RFC 3339 string like \"2026-07-01T10:00:00Z\"")
	}
	return t, nil
}
