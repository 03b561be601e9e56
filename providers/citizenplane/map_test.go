package citizenplane

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSplitFlightNumber(t *testing.T) {
	tests := []struct{ fn, carrier, wantCarrier, wantNumber string }{
		{"5O7892", "5O", "5O", "7892"},
		{"5o 7892", "5O", "5O", "7892"},
		{"7892", "5O", "5O", "7892"},
		{"V72100", "", "V7", "2100"},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			c, n := splitFlightNumber(tt.fn, tt.carrier)
			if c != tt.wantCarrier || n != tt.wantNumber {
				t.Errorf("got %q %q, want %q %q", c, n, tt.wantCarrier, tt.wantNumber)
			}
		})
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		ref     string
		want    []int64
		wantErr bool
	}{
		{"4014831", []int64{4014831}, false},
		{"4014831,3795943", []int64{4014831, 3795943}, false},
		{"", nil, true},
		{"1,2,3", nil, true},
		{"4014831,", nil, true},
		{"-5", nil, true},
		{"abc", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := parseRef(tt.ref)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if err == nil && formatRef(got...) != tt.ref {
				t.Errorf("formatRef = %q, want %q", formatRef(got...), tt.ref)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in, airport string
		wantOffset  int // hours
		wantErr     bool
	}{
		{"2025-08-06T10:00:00+02:00", "CDG", 2, false},
		{"2025-08-06T10:00:00Z", "CDG", 0, false},
		{"2025-08-06T10:00:00", "HER", 3, false}, // no offset: the airport's zone
		{"2025-12-06T10:00:00", "PMI", 1, false},
		{"06/08/2025 10:00", "CDG", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime(tt.in, tt.airport)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if _, off := got.Zone(); err == nil && (off != tt.wantOffset*3600 || got.Format("15:04") != "10:00") {
				t.Errorf("got %s, want 10:00 at UTC%+d", got.Format(time.RFC3339), tt.wantOffset)
			}
		})
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	got := shorten(long, 201)
	if !strings.HasSuffix(got, "…") || len(got) > 201+len("…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("shorten cut %q badly", got)
	}
	if shorten("short", 200) != "short" {
		t.Error("shorten changed a short string")
	}
}
