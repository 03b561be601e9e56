package search

import (
	"errors"
	"testing"

	"github.com/faregraph/faregraph/fx"
	"github.com/faregraph/faregraph/providers"
)

func TestConvertOffer(t *testing.T) {
	rates, err := fx.ParseECB([]byte(`<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube><Cube time='2026-11-27'><Cube currency='USD' rate='1.1000'/><Cube currency='GBP' rate='0.8500'/></Cube></Cube></gesmes:Envelope>`))
	if err != nil {
		t.Fatal(err)
	}
	m := func(a int64, c string) providers.Money { return providers.Money{Amount: a, Currency: c} }
	mp := func(a int64, c string) *providers.Money { x := m(a, c); return &x }
	px := providers.Passengers{Adults: 2, Infants: 1}
	eurPart := providers.Part{Provider: "citizenplane", Passengers: px, Total: m(25898, "EUR"), Taxes: m(2640, "EUR"),
		PerPassenger:   providers.PassengerPrice{Adult: m(11699, "EUR"), Infant: mp(2500, "EUR")},
		PassengerTaxes: providers.PassengerPrice{Adult: m(1320, "EUR"), Infant: mp(0, "EUR")}}
	usdPart := providers.Part{Provider: "liteapi", Passengers: px, Total: m(30000, "USD"), PerPassenger: providers.PassengerPrice{Adult: m(13000, "USD"), Infant: mp(4000, "USD")}}
	c := converter{rates: rates, to: "USD"}

	// A combined offer of a EUR part and a USD part, sold in USD.
	o := providers.Offer{Parts: []providers.Part{eurPart, usdPart}, Total: m(0, "EUR")}
	got, conv, err := c.convert(o)
	if err != nil {
		t.Fatal(err)
	}
	p := got.Parts[0]
	// Units converted (116.99 × 1.1 = 128.689 → 128.69; 25.00 → 27.50),
	// the total is what they add up to, so cart lines per type add up.
	if p.Total != eurPart.Total || p.Converted == nil || p.Charged().Total != m(2*12869+2750, "USD") || p.Charged().Taxes != m(2904, "USD") {
		t.Errorf("EUR part: total %s charge %s taxes %s", p.Total, p.Charged().Total, p.Charged().Taxes)
	}
	if conv == nil || conv.From != "EUR" || conv.To != "USD" || conv.Rate != "1.100000" || conv.Source != providers.RateECB || conv.Date != "2026-11-27" {
		t.Errorf("conversion %+v", conv)
	}
	if got.Parts[1].Converted != nil || got.Parts[1].Charged().Total != usdPart.Total {
		t.Errorf("a USD part is not converted: %+v", got.Parts[1])
	}
	if got.Total != m(2*12869+2750+30000, "USD") {
		t.Errorf("offer total %s", got.Total)
	}
	if got.PerPassenger.Adult != m(12869+13000, "USD") || *got.PerPassenger.Infant != m(2750+4000, "USD") || got.PerPassenger.Child != nil {
		t.Errorf("per passenger %+v", got.PerPassenger)
	}
	if eurPart.Converted != nil || o.Parts[0].Converted != nil {
		t.Error("the input offer was changed")
	}

	// Per-passenger prices that do not add up to the total: the total is converted on its own.
	odd := eurPart
	odd.Total = m(25899, "EUR")
	got, _, err = c.convert(providers.Offer{Parts: []providers.Part{odd}, Total: odd.Total, PerPassenger: odd.PerPassenger})
	if err != nil || got.Total != m(28489, "USD") { // 258.99 × 1.1 = 284.889
		t.Errorf("odd part: %s, %v", got.Total, err)
	}

	// No rate: an error, and the offer is left out by the search.
	_, _, err = converter{rates: rates, to: "SEK"}.convert(o)
	if !errors.Is(err, fx.ErrNoRate) {
		t.Errorf("SEK: %v", err)
	}
}

// TestConversionMessageSaysStale: providerResults' message says when the
// rates are more than a week older than the search.
func TestConversionMessageSaysStale(t *testing.T) {
	c := providers.Conversion{From: "EUR", To: "USD", Rate: "1.125200", Source: providers.RateECB, Date: "2025-05-09"}
	fresh := "prices converted from EUR to USD at 1.125200 (ECB reference rate of 2025-05-09)"
	if got := conversionMessage(c, 7); got != fresh {
		t.Errorf("7 days: %q", got)
	}
	if got, want := conversionMessage(c, 388), fresh+"; the rate is 388 days old, so the converted prices may differ from today's rates"; got != want {
		t.Errorf("388 days: %q, want %q", got, want)
	}
}
