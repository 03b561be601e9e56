package litesim

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// sandboxRates are the simulator's fixed exchange rates: how much of a
// currency one euro buys, as exact decimal strings. The inventory is
// priced in EUR; rates answers in any of these currencies, and in no
// other (400 41006), as LiteAPI prices in the currency asked for.
var sandboxRates = map[string]string{
	"EUR": "1",
	"USD": "1.0850",
	"GBP": "0.8450",
	"CHF": "0.9400",
}

// rates are sandboxRates as exact fractions, checked when the package loads.
var rates = func() map[string]*big.Rat {
	out := make(map[string]*big.Rat, len(sandboxRates))
	for cur, s := range sandboxRates {
		r, ok := new(big.Rat).SetString(s)
		// FromEUR rounds to two decimals, so a currency must have two.
		_, err := providers.ParseMoney("0.01", cur)
		if !ok || r.Sign() <= 0 || !providers.ValidCurrency(cur) || err != nil {
			panic(fmt.Sprintf("liteapi simulator: bad sandbox rate %s %q", cur, s))
		}
		out[cur] = r
	}
	return out
}()

// pricedIn reports whether the simulator prices in cur.
func pricedIn(cur string) bool {
	_, ok := rates[cur]
	return ok
}

// FromEUR converts EUR cents into minor units of cur, exactly: the euro
// amount times the rate, rounded half up to two decimals, then read by
// providers.ParseMoney. cur must be one of Currencies (it panics on any
// other); amounts are never negative, so it cannot fail otherwise.
func FromEUR(cents int64, cur string) int64 {
	if cur == "" || cur == wire.DefaultCurrency {
		return cents
	}
	r, ok := rates[cur]
	if !ok {
		panic(fmt.Sprintf("liteapi simulator: no sandbox rate for %q", cur))
	}
	v := new(big.Rat).Mul(big.NewRat(cents, 100), r)
	// FloatString rounds the last digit half away from zero: half up for
	// the amounts here, which are never negative.
	m, err := providers.ParseMoney(v.FloatString(2), cur)
	if err != nil {
		panic(fmt.Sprintf("liteapi simulator: convert %d EUR cents to %s: %v", cents, cur, err))
	}
	return m.Amount
}

// amountIn is a JSON amount of minor units of cur ("89.99").
func amountIn(minor int64, cur string) json.Number {
	return providers.Money{Amount: minor, Currency: cur}.JSONNumber()
}
