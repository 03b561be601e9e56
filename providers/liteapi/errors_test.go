package liteapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
)

var oneAdultCDGPMI = providers.Query{OriginDestination: leg("CDG", "PMI", "2026-07-01"), Passengers: providers.Passengers{Adults: 1}}

// TestSimulatorFailures: the adapter's errors for what the simulator can
// be made to answer.
func TestSimulatorFailures(t *testing.T) {
	tests := []struct {
		name  string
		cfg   litesim.Config
		key   string
		query providers.Query
		want  providers.Error // Err is not compared
	}{
		{"wrong key", litesim.Config{Seed: 1}, "wrong", oneAdultCDGPMI,
			providers.Error{Provider: Name, Op: "search", Code: providers.Unavailable, Status: 401, ProviderCode: "41004", Message: msgKeyRefused}},
		{"failure rate 1", litesim.Config{Seed: 1, FailureRate: 1}, testKey, oneAdultCDGPMI,
			providers.Error{Provider: Name, Op: "search", Code: providers.Unavailable, Status: 503, ProviderCode: "51004", Message: msgUnavailable}},
		{"infants over adults", litesim.Config{Seed: 1}, testKey,
			providers.Query{OriginDestination: oneAdultCDGPMI.OriginDestination, Passengers: providers.Passengers{Adults: 1, Infants: 2}},
			providers.Error{Provider: Name, Op: "search", Code: providers.Rejected, Status: 400, ProviderCode: "41012",
				Message: msgRefused}},
		// A currency LiteAPI does not price in is searched in EUR
		// (TestSimulatorCurrencies), so 41006 is not answered here.
		{"date in the past", litesim.Config{Seed: 1}, testKey,
			providers.Query{OriginDestination: leg("CDG", "PMI", "2026-03-01"), Passengers: providers.Passengers{Adults: 1}},
			providers.Error{Provider: Name, Op: "search", Code: providers.Rejected, Status: 400, ProviderCode: "41002",
				Message: msgRefused}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newSimEnv(t, tt.cfg)
			cfg := env.client.cfg
			cfg.APIKey = tt.key
			env.client = New(cfg)
			_, err := env.client.Search(context.Background(), tt.query)
			pe := providerError(t, err)
			if diff := cmp.Diff(tt.want, *pe, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Err" }, cmp.Ignore())); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if pe.Err == nil {
				t.Error("no detail in Err")
			}
		})
	}
}

func TestSimulatorVerifyFailureRate(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 1})
	offers, err := env.client.Search(context.Background(), oneAdultCDGPMI)
	if err != nil || len(offers) == 0 {
		t.Fatalf("%d offers, %v", len(offers), err)
	}
	env.sim.SetFailureRate(1)
	_, err = env.client.CheckPrice(context.Background(), offers[0].Parts[0])
	if pe := providerError(t, err); pe.Code != providers.Unavailable || pe.ProviderCode != "52014" || pe.Op != "verify" {
		t.Errorf("%+v", pe)
	}
}

func TestTimeout(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 1})
	env.sim.SetLatency(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := env.client.Search(ctx, oneAdultCDGPMI)
	if pe := providerError(t, err); pe.Code != providers.Timeout || pe.Message != msgTimeout {
		t.Errorf("%+v", pe)
	}
	if got := env.obs.all(); len(got) != 1 || got[0] != (call{"liteapi/search", providers.OutcomeTimeout}) {
		t.Errorf("observed %v", got)
	}
}

func TestObserver(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 1})
	offers, err := env.client.Search(context.Background(), oneAdultCDGPMI)
	if err != nil {
		t.Fatal(err)
	}
	env.client.SearchRoundTrips(context.Background(), providers.RoundTripQuery{Outbound: oneAdultCDGPMI.OriginDestination,
		Return: leg("PMI", "CDG", "2026-07-09"), Passengers: providers.Passengers{Adults: 1}})
	env.client.CheckPrice(context.Background(), offers[0].Parts[0])
	env.clock.Advance(time.Hour)
	env.client.CheckPrice(context.Background(), offers[0].Parts[0]) // expired: an answer, not an error
	env.sim.SetFailureRate(1)
	env.client.CheckPrice(context.Background(), offers[0].Parts[0])
	want := []call{
		{"liteapi/search", "ok"}, {"liteapi/round_trips", "ok"}, {"liteapi/verify", "ok"},
		{"liteapi/verify", "ok"}, {"liteapi/verify", "error"},
	}
	if diff := cmp.Diff(want, env.obs.all(), cmp.AllowUnexported(call{})); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// TestErrorEnvelopes: failures are classified on the envelope's code; the
// status decides only when there is none. Messages never quote the body.
func TestErrorEnvelopes(t *testing.T) {
	envelope := func(code int, key string) string {
		return fmt.Sprintf(`{"error":{"code":%d,"message":"SECRET provider text","description":"SECRET detail","key":%q}}`, code, key)
	}
	tests := []struct {
		name         string
		status       int
		body         string
		code         providers.ErrorCode
		providerCode string
		message      string
	}{
		{"infants over adults", 400, envelope(41012, ""), providers.Rejected, "41012", msgRefused},
		{"missing legs", 400, envelope(41002, "bodyRequest.legs"), providers.Rejected, "41002", msgRefused},
		{"currency not priced", 400, envelope(41006, "bodyRequest.currency"), providers.Rejected, "41006", msgCurrency},
		{"unavailable", 503, envelope(51004, ""), providers.Unavailable, "51004", msgUnavailable},
		{"provider error", 502, envelope(51001, ""), providers.Unavailable, "51001", msgUnavailable},
		{"rate limited (sandbox)", 429, envelope(4290, ""), providers.Unavailable, "4290", msgRateLimited},
		{"rate limited (doc)", 429, envelope(429, ""), providers.Unavailable, "429", msgRateLimited},
		{"key refused", 401, envelope(41004, ""), providers.Unavailable, "41004", msgKeyRefused},
		{"flights not enabled", 403, envelope(40301, ""), providers.Unavailable, "40301", msgKeyRefused},
		{"code decides over status", 500, envelope(41006, "bodyRequest.childrenAges"), providers.Rejected, "41006", msgRefused},
		{"error envelope under 200", 200, envelope(41006, ""), providers.Rejected, "41006", msgRefused},
		{"gateway page", 502, "<html>SECRET Bad Gateway</html>", providers.Unavailable, "", msgUnavailable},
		{"4xx without envelope", 404, "SECRET not found", providers.Rejected, "", msgRefused},
		{"undecodable 200", 200, "SECRET not json", providers.Unavailable, "", msgUnreadable},
		{"too many decimals", 200, strings.Replace(documentedRates, "753.87", "753.875", 1), providers.Unavailable, "", msgUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			c := New(Config{BaseURL: srv.URL, APIKey: testKey, Now: newClock().Now})
			offers, err := c.Search(context.Background(), oneAdultCDGPMI)
			if err == nil {
				t.Fatalf("no error, %d offers", len(offers))
			}
			pe := providerError(t, err)
			got := providers.Error{Provider: pe.Provider, Op: pe.Op, Code: pe.Code, Status: pe.Status, ProviderCode: pe.ProviderCode, Message: pe.Message}
			want := providers.Error{Provider: Name, Op: "search", Code: tt.code, Status: tt.status, ProviderCode: tt.providerCode, Message: tt.message}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if strings.Contains(pe.Message, "SECRET") || pe.Err == nil {
				t.Errorf("message %q, err %v", pe.Message, pe.Err)
			}
			// Codes and request field names stay out of the message (they
			// are in ProviderCode and Err).
			if strings.ContainsAny(pe.Message, "0123456789()") || strings.Contains(pe.Message, "bodyRequest") {
				t.Errorf("message %q quotes a code or a field", pe.Message)
			}
		})
	}
}

// TestVerifyEnvelopes: verify answers that mean the offer is gone (listed
// codes, and any 404 whatever its body) are Available false; the others
// are errors.
func TestVerifyEnvelopes(t *testing.T) {
	tests := []struct {
		status, code int
		gone         bool
		errCode      providers.ErrorCode
		body         string // instead of an envelope with code
	}{
		{404, 42004, true, "", ""},
		{404, 42017, true, "", ""},
		{404, 42018, true, "", ""},
		{404, 42019, true, "", ""},
		{502, 52016, true, "", ""},
		{502, 52019, true, "", ""},
		{400, 42015, true, "", ""},
		{400, 42013, false, providers.Rejected, ""},
		{400, 42001, false, providers.Rejected, ""},
		{401, 42003, false, providers.Unavailable, ""},
		{502, 52001, false, providers.Unavailable, ""},
		{503, 52014, false, providers.Unavailable, ""},
		// A 404 means the offer expired, whatever it says.
		{404, 4004, true, "", ""},
		{404, 42999, true, "", ""},
		{404, 0, true, "", " "},
		{404, 0, true, "", "<html>Not Found</html>"},
		{404, 0, true, "", `{"error":{"message":"Offer not found"}}`},
		// Other 4xx keep the code rules.
		{400, 4000, false, providers.Rejected, ""},
		{410, 0, false, providers.Rejected, " "},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, " ", tt.code, " ", tt.body), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				if tt.body != "" {
					fmt.Fprint(w, strings.TrimSpace(tt.body))
					return
				}
				fmt.Fprintf(w, `{"error":{"code":%d,"message":"m"}}`, tt.code)
			}))
			defer srv.Close()
			c := New(Config{BaseURL: srv.URL, APIKey: testKey})
			pc, err := c.CheckPrice(context.Background(), providers.Part{Provider: Name, Ref: "h6NwaWTZ"})
			if tt.gone {
				if err != nil || pc == nil || pc.Available || pc.Ancillaries != nil {
					t.Fatalf("check %+v, err %v; want unavailable", pc, err)
				}
				return
			}
			wantCode := fmt.Sprint(tt.code)
			if tt.code == 0 {
				wantCode = ""
			}
			if pe := providerError(t, err); pe.Code != tt.errCode || pe.ProviderCode != wantCode || pe.Op != "verify" {
				t.Errorf("%+v", pe)
			}
		})
	}
}
