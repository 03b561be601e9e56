package scalars

import (
	"bytes"
	"testing"
	"time"
)

func TestMarshalDateTime(t *testing.T) {
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Skip(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2027, 1, 15, 9, 30, 0, 0, lisbon), `"2027-01-15T09:30:00+00:00"`},
		{time.Date(2027, 7, 15, 9, 30, 0, 0, lisbon), `"2027-07-15T09:30:00+01:00"`},
		{time.Date(2027, 7, 15, 9, 30, 0, 0, paris), `"2027-07-15T09:30:00+02:00"`},
		{time.Date(2027, 7, 15, 9, 30, 0, 500_000_000, time.UTC), `"2027-07-15T09:30:00.5Z"`},
		{time.Date(2027, 7, 15, 9, 30, 0, 0, time.FixedZone("", 0)), `"2027-07-15T09:30:00+00:00"`},
	} {
		var b bytes.Buffer
		MarshalDateTime(c.t).MarshalGQL(&b)
		if b.String() != c.want {
			t.Errorf("MarshalDateTime(%s) = %s, want %s", c.t, b.String(), c.want)
		}
	}
}
