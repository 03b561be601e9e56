package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The small requests of issue 7 that burned a core or a gigabyte; the
// limits tests, the benchmarks and the fuzz corpus all send them.

// fragmentBomb is 15 levels of fragments, each spreading the next 4
// times, ending in __typename: 4^15 fields once expanded, in 728 bytes.
func fragmentBomb() string {
	var b strings.Builder
	b.WriteString("{...F0}")
	for i := range 15 {
		fmt.Fprintf(&b, " fragment F%d on Query{...F%d ...F%d ...F%d ...F%d}", i, i+1, i+1, i+1, i+1)
	}
	b.WriteString(" fragment F15 on Query{__typename}")
	return b.String()
}

// typenameFlood is { __typename ×4,900 } with a comment that makes it
// unique, so that no query cache helps.
func typenameFlood(unique int) string {
	return fmt.Sprintf("# %d\n{ %s}", unique, strings.Repeat("__typename ", 4900))
}

// sameAlias is n fields offerSearch(id:"N"){id} under one alias, which
// cannot merge: the validator reports each pair.
func sameAlias(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, ` a: offerSearch(id:"%d"){id}`, i)
	}
	b.WriteString("}")
	return b.String()
}

// providersFlood is a search whose providers variable lists n names.
func providersFlood(n int) []byte {
	names := make([]string, n)
	for i := range names {
		names[i] = "x"
	}
	body, _ := json.Marshal(map[string]any{
		"query":     `query($p: [String!]) { searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}, providers: $p}) { id } }`,
		"variables": map[string]any{"p": names},
	})
	return body
}

// longOperationName is a request whose operation is named with n bytes.
func longOperationName(n int) []byte {
	name := "Q" + strings.Repeat("a", n-1)
	body, _ := json.Marshal(map[string]any{"query": "query " + name + " { __typename }", "operationName": name})
	return body
}
