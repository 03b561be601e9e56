package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/faregraph/faregraph/app"
)

// TestStandaloneSimulatorsControl: "faregraph simulators" (StartSimulators
// with Control, as it runs outside production) serves the knobs at /sim/
// on the simulators' own address, and nothing there without Control.
func TestStandaloneSimulatorsControl(t *testing.T) {
	for _, control := range []bool{true, false} {
		ss, err := app.StartSimulators(app.SimConfig{Control: control}, "127.0.0.1:0", nil)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPut, ss.URL+"/sim/liteapi/latency", strings.NewReader(`{"latency": "5ms"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[control]; resp.StatusCode != want {
			t.Errorf("control %v: PUT /sim/liteapi/latency answered %d, want %d", control, resp.StatusCode, want)
		}
		ss.Close()
	}
}
