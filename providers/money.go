package providers

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bojanz/currency"
)

// Money is an exact amount in minor units of an ISO 4217 currency: 12990 EUR
// is €129.90. It never passes through a float.
type Money struct {
	Amount   int64
	Currency string
}

// ParseMoney converts a decimal string such as "129.9" into Money. It fails
// on an unknown currency or when the number has more decimals than the
// currency allows (rounding a provider's price silently would change it).
func ParseMoney(number, currencyCode string) (Money, error) {
	code := strings.ToUpper(currencyCode)
	a, err := currency.NewAmount(number, code)
	if err != nil {
		return Money{}, fmt.Errorf("parse money %q %q: %w", number, currencyCode, err)
	}
	if !a.Round().Equal(a) {
		return Money{}, fmt.Errorf("parse money %q %s: more decimals than the currency has", number, code)
	}
	n, err := a.Int64()
	if err != nil {
		return Money{}, fmt.Errorf("parse money %q %s: %w", number, code, err)
	}
	return Money{Amount: n, Currency: code}, nil
}

// MoneyFromJSON converts a JSON number as providers send it (json.Number
// keeps its exact digits) into Money.
func MoneyFromJSON(n json.Number, currencyCode string) (Money, error) {
	if n == "" {
		return Money{Currency: strings.ToUpper(currencyCode)}, nil
	}
	return ParseMoney(n.String(), currencyCode)
}

// Decimal formats m's amount with the currency's digits: "129.90", "1500" for JPY.
func (m Money) Decimal() string {
	a, err := currency.NewAmountFromInt64(m.Amount, m.Currency)
	if err != nil {
		// Money is only built by ParseMoney or from another Money, so the
		// currency is known; fall back to two digits rather than panic.
		a, _ = currency.NewAmountFromInt64(m.Amount, "EUR")
	}
	return a.Number()
}

// JSONNumber is m as a JSON number literal for provider requests ("129.90").
func (m Money) JSONNumber() json.Number { return json.Number(m.Decimal()) }

// String is "129.90 EUR".
func (m Money) String() string { return m.Decimal() + " " + m.Currency }

// Add returns m + o. Both must be in the same currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency && m.Amount != 0 && o.Amount != 0 {
		return Money{}, fmt.Errorf("add %s and %s: currency mismatch", m, o)
	}
	c := m.Currency
	if c == "" {
		c = o.Currency
	}
	return Money{Amount: m.Amount + o.Amount, Currency: c}, nil
}

// Times returns m multiplied by n.
func (m Money) Times(n int) Money { return Money{Amount: m.Amount * int64(n), Currency: m.Currency} }

// ValidCurrency reports whether code is an ISO 4217 currency code.
func ValidCurrency(code string) bool { return len(code) == 3 && currency.IsValid(code) }
