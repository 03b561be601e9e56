package scalars

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestUnmarshalInt(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want int
		ok   bool
	}{
		{int64(2), 2, true},
		{json.Number("2"), 2, true},
		{json.Number("2.0"), 0, false},
		{json.Number("1e2"), 0, false},
		{json.Number("-5"), -5, true},
		{float64(2), 0, false},
		{json.Number("-2147483648"), -2147483648, true},
		{json.Number("2147483647"), 2147483647, true},
		{json.Number("2147483648"), 0, false},
		{int64(9223372036854775807), 0, false},
		{json.Number("9223372036854775808"), 0, false},
		{json.Number("2.5"), 0, false},
		{"2", 0, false},
		{[]any{2}, 0, false},
		{map[string]any{"a": 1}, 0, false},
		{true, 0, false},
		{nil, 0, false},
	} {
		got, err := UnmarshalInt(tt.in)
		var se *Error
		if tt.ok && (err != nil || got != tt.want) || !tt.ok && !errors.As(err, &se) {
			t.Errorf("UnmarshalInt(%#v) = %d, %v", tt.in, got, err)
		}
	}
}
