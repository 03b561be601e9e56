package fault_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/providers"
)

func TestFieldError(t *testing.T) {
	var e fault.FieldError
	if e.Err() != nil {
		t.Fatal("an empty FieldError is an error")
	}
	e.Add(fault.Path("input", "passengers", 0, "givenName"), fault.Required, "is required")
	e.Add(fault.Path("input", "origin"), fault.Invalid, "got %q", "PARIS")
	err := fmt.Errorf("search: %w", e.Err())
	var fe *fault.FieldError
	if !errors.As(err, &fe) || len(fe.Violations) != 2 {
		t.Fatalf("errors.As = %v", err)
	}
	if got, want := err.Error(), `search: input.passengers.0.givenName: is required; input.origin: got "PARIS"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestFromProvider(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want fault.Code
	}{
		{&providers.Error{Code: providers.Timeout}, fault.ProviderTimeout},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), fault.ProviderTimeout},
		{&providers.Error{Code: providers.NotFound}, fault.OfferExpired},
		{&providers.Error{Code: providers.OfferExpired}, fault.OfferExpired},
		{&providers.Error{Code: providers.SoldOut}, fault.SoldOut},
		{&providers.Error{Code: providers.PriceChanged}, fault.PriceChanged},
		{&providers.Error{Code: providers.HoldExpired}, fault.HoldExpired},
		{&providers.Error{Code: providers.Rejected}, fault.ProviderRejected},
		{&providers.Error{Code: providers.Unavailable}, fault.ProviderUnavailable},
		{errors.New("connection reset"), fault.ProviderUnavailable},
	} {
		if got := fault.ProviderCode(tt.err); got != tt.want {
			t.Errorf("ProviderCode(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}

// enumValues reads the values of the GraphQL enum name from schema.graphql.
func enumValues(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile("../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\nenum ` + name + ` \{\n(.*?)\n\}`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("schema.graphql has no enum %s", name)
	}
	var got []string
	for _, line := range strings.Split(string(m[1]), "\n") {
		// A value is its line's first word; a deprecated one carries its
		// directive after it.
		if w := strings.Fields(line); len(w) > 0 && !strings.HasPrefix(w[0], `"`) {
			got = append(got, w[0])
		}
	}
	return got
}

// sameEnum fails t unless the GraphQL enum name lists codes, in order.
func sameEnum[C ~string](t *testing.T, name string, codes []C) {
	t.Helper()
	want := make([]string, len(codes))
	for i, c := range codes {
		want[i] = string(c)
	}
	if got := enumValues(t, name); !slices.Equal(got, want) {
		t.Errorf("enum %s = %v\nfault's list = %v", name, got, want)
	}
}

// TestSchemaEnum keeps the GraphQL enum ErrorCode and Codes the same list.
func TestSchemaEnum(t *testing.T) { sameEnum(t, "ErrorCode", fault.Codes) }

// TestWarningEnum keeps the GraphQL enum WarningCode and WarningCodes the
// same list.
func TestWarningEnum(t *testing.T) { sameEnum(t, "WarningCode", fault.WarningCodes) }

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 children"}, {1, "1 child"}, {2, "2 children"}} {
		if got := fault.Count(tt.n, "child", "children"); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
