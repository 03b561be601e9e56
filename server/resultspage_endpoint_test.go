package server_test

import (
	"os"
	"strings"
	"testing"
)

// TestResultsPageHasNoEndpointParameter: /examples/ is served with CSP
// default-src 'self', so an endpoint URL parameter pointing the results
// page at another server could never work; neither the page nor README
// offers one.
func TestResultsPageHasNoEndpointParameter(t *testing.T) {
	js, err := os.ReadFile("../examples/results.js")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), `params.get("endpoint")`) {
		t.Error(`results.js reads an "endpoint" URL parameter`)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(readme), "&endpoint=") {
		t.Error("README.md documents an &endpoint= parameter")
	}
}
