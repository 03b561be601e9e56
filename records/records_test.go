package records

import (
	"errors"
	"testing"
)

func TestDecodeChecksTheVersion(t *testing.T) {
	for doc, want := range map[string]error{
		`{"locators":["A"]}`:        nil, // version 1: no "v"
		`{"v":1,"locators":["A"]}`:  nil,
		`{"v":2,"locators":["A"]}`:  nil,
		`{"v":3,"locators":["A"]}`:  ErrVersion,
		`{"v":-1,"locators":["A"]}`: ErrVersion,
	} {
		var d BookingData
		err := Decode([]byte(doc), &d)
		if !errors.Is(err, want) || (want == nil && (err != nil || len(d.Locators) != 1)) {
			t.Errorf("Decode(%s) = %v, %v; want error %v", doc, d, err, want)
		}
	}
	if err := Decode([]byte(`{"locators":`), new(BookingData)); err == nil || errors.Is(err, ErrVersion) {
		t.Errorf("Decode of broken JSON = %v, want a JSON error", err)
	}
}
