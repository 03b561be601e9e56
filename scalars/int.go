package scalars

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalInt writes an Int.
func MarshalInt(i int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { io.WriteString(w, strconv.Itoa(i)) })
}

// UnmarshalInt reads an Int as the GraphQL specification (October 2021,
// §3.5.1 Int, Input Coercion) coerces one: "only integer input values are
// accepted", from -2^31 to 2^31-1. An integer input value is a Go integer
// (a literal, as the parser reads it) or a JSON number written as an
// integer ("2", "-5"). Everything else is an *Error, never truncated or
// converted, so that no client number reaches arithmetic unchecked: a
// string, even "2"; a JSON number written with a fraction or an exponent,
// even 2.0 or 1e2 (the specification's "1.0 may be coerced to 1" is about
// result coercion, not input); a Go float (a JSON decoder without
// UseNumber cannot tell 2 from 2.0); and a number out of the 32-bit range.
func UnmarshalInt(v any) (int, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return 0, &Error{fmt.Sprintf("must be an Int, an integer without a fraction or exponent, got %s", x)}
		}
		i, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return 0, outOfRange(string(x))
		}
		n = i
	case float32, float64:
		return 0, &Error{fmt.Sprintf("must be an Int, an integer without a fraction or exponent, got %v", x)}
	default:
		return 0, &Error{fmt.Sprintf("must be an Int, got %s", Kind(v))}
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, outOfRange(strconv.FormatInt(n, 10))
	}
	return int(n), nil
}

func outOfRange(got string) *Error {
	return &Error{fmt.Sprintf("must be an Int from %d to %d, got %s", math.MinInt32, math.MaxInt32, got)}
}
