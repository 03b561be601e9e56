package scalars

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalInt writes an Int.
func MarshalInt(i int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { io.WriteString(w, strconv.Itoa(i)) })
}

// UnmarshalInt reads an Int as the GraphQL specification coerces one: an
// integer from -2^31 to 2^31-1, given as a number (a literal, or a JSON
// number in variables, 2.0 included). A string, even "2", a fraction and a
// number out of the 32-bit range are *Error values, never truncated or
// converted, so that no client number reaches arithmetic unchecked.
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
		i, err := x.Int64()
		if err != nil {
			f, ferr := x.Float64()
			if ferr != nil || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
				return 0, &Error{fmt.Sprintf("must be an Int from %d to %d, got %s", math.MinInt32, math.MaxInt32, x)}
			}
			i = int64(f)
		}
		n = i
	case float64:
		if x != math.Trunc(x) || x < math.MinInt32 || x > math.MaxInt32 {
			return 0, &Error{fmt.Sprintf("must be an Int from %d to %d, got %v", math.MinInt32, math.MaxInt32, x)}
		}
		n = int64(x)
	default:
		return 0, &Error{fmt.Sprintf("must be an Int, got %s", kind(v))}
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, &Error{fmt.Sprintf("must be an Int from %d to %d, got %d", math.MinInt32, math.MaxInt32, n)}
	}
	return int(n), nil
}
