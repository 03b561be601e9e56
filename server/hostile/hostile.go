// Package hostile builds the small, costly requests of issue 7, which the
// server must refuse cheaply: its limits tests, benchmarks and fuzz corpus
// send them, and so does the bench command's hostile scenario.
package hostile

import (
	"encoding/json"
	"fmt"
	"strings"
)

// FragmentBomb is 15 levels of fragments, each spreading the next 4 times,
// ending in __typename: 4^15 fields once expanded, in 728 bytes.
func FragmentBomb() string {
	var b strings.Builder
	b.WriteString("{...F0}")
	for i := range 15 {
		fmt.Fprintf(&b, " fragment F%d on Query{...F%d ...F%d ...F%d ...F%d}", i, i+1, i+1, i+1, i+1)
	}
	b.WriteString(" fragment F15 on Query{__typename}")
	return b.String()
}

// TypenameFlood is { __typename ×4,900 } with a comment numbered unique,
// so that no query cache helps.
func TypenameFlood(unique int) string {
	return fmt.Sprintf("# %d\n{ %s}", unique, strings.Repeat("__typename ", 4900))
}

// SameAlias is n fields offerSearch(id:"N"){id} under one alias, which
// cannot merge: a validator reports each pair.
func SameAlias(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, ` a: offerSearch(id:"%d"){id}`, i)
	}
	b.WriteString("}")
	return b.String()
}

// ProvidersFlood is the JSON body of a search whose providers variable
// lists n names.
func ProvidersFlood(n int) []byte {
	names := make([]string, n)
	for i := range names {
		names[i] = "x"
	}
	return Body(`query($p: [String!]) { searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 1}, providers: $p}) { id } }`,
		"", map[string]any{"p": names})
}

// LongOperationName is the JSON body of a request whose operation is
// named with n bytes, in the document and in operationName.
func LongOperationName(n int) []byte {
	name := "Q" + strings.Repeat("a", n-1)
	return Body("query "+name+" { __typename }", name, nil)
}

// Body is the JSON body of a GraphQL request.
func Body(query, operationName string, variables map[string]any) []byte {
	req := map[string]any{"query": query}
	if operationName != "" {
		req["operationName"] = operationName
	}
	if variables != nil {
		req["variables"] = variables
	}
	b, err := json.Marshal(req)
	if err != nil {
		panic(err) // only strings, lists and maps of them
	}
	return b
}

// Bodies are the JSON bodies of every input of issue 7 that the server
// refuses, as sent in a loop by the bench; unique numbers the flood's
// comment.
func Bodies(unique int) [][]byte {
	return [][]byte{
		Body(FragmentBomb(), "", nil),
		Body(TypenameFlood(unique), "", nil),
		Body(SameAlias(450), "", nil),
		ProvidersFlood(200_000),
		LongOperationName(500_000),
	}
}
