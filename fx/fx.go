// Package fx converts money between currencies with a named rate source:
// the ECB's euro foreign exchange reference rates. A snapshot of the
// ECB's daily file ships in the binary (SOURCE.md says which day); a
// Source refreshes it from a configured URL serving the same XML.
//
// Conversion is exact: minor units times the cross rate (to/EUR over
// from/EUR) as a fraction, then rounded once to the target currency's
// digits (github.com/bojanz/currency's CLDR data), half to even. Half to
// even (bankers' rounding) is chosen because converted amounts are summed
// (parts into an offer, passengers into a part): rounding every half up
// would bias the sums upward, half to even has no bias; the difference is
// at most one minor unit on an exact half, which ECB rates of 4 to 6
// significant digits rarely produce.
package fx

import (
	"bytes"
	_ "embed"
	"encoding/xml"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/bojanz/currency"

	"github.com/faregraph/faregraph/providers"
)

// SourceECB names the ECB euro foreign exchange reference rates.
const SourceECB = providers.RateECB

//go:embed ecb-eurofxref-daily.xml
var snapshot []byte

// Rates are one day's reference rates: how much of each currency one euro
// buys. They are immutable.
type Rates struct {
	// Source names where they come from (SourceECB).
	Source providers.RateSource
	// Date is the day the rates are for.
	Date providers.Date
	// perEUR holds each currency's rate as an exact fraction; EUR is 1.
	perEUR map[string]*big.Rat
	text   map[string]string
}

// Snapshot returns the rates shipped in the binary.
func Snapshot() *Rates {
	r, err := ParseECB(snapshot)
	if err != nil {
		// The file is part of the binary and checked by the tests.
		panic("fx: shipped ECB snapshot: " + err.Error())
	}
	return r
}

// ecbEnvelope is the ECB daily file: gesmes:Envelope > Cube > Cube[time] > Cube[currency, rate].
type ecbEnvelope struct {
	XMLName xml.Name `xml:"Envelope"`
	Cube    struct {
		Days []struct {
			Time  string `xml:"time,attr"`
			Rates []struct {
				Currency string `xml:"currency,attr"`
				Rate     string `xml:"rate,attr"`
			} `xml:"Cube"`
		} `xml:"Cube"`
	} `xml:"Cube"`
}

// ParseECB reads the ECB's daily reference rates XML (eurofxref-daily.xml;
// of a history file, the newest day). Every rate must be a positive
// decimal for an ISO 4217 currency.
func ParseECB(b []byte) (*Rates, error) {
	var env ecbEnvelope
	dec := xml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("fx: ECB rates: %w", err)
	}
	if len(env.Cube.Days) == 0 {
		return nil, errors.New("fx: ECB rates: no day")
	}
	day := env.Cube.Days[0]
	for _, d := range env.Cube.Days[1:] {
		if d.Time > day.Time {
			day = d
		}
	}
	if _, err := time.Parse(time.DateOnly, day.Time); err != nil {
		return nil, fmt.Errorf("fx: ECB rates: day %q: %w", day.Time, err)
	}
	r := &Rates{Source: SourceECB, Date: providers.Date(day.Time), perEUR: map[string]*big.Rat{"EUR": big.NewRat(1, 1)}, text: map[string]string{"EUR": "1"}}
	for _, c := range day.Rates {
		code := strings.ToUpper(strings.TrimSpace(c.Currency))
		v, ok := new(big.Rat).SetString(strings.TrimSpace(c.Rate))
		if !providers.ValidCurrency(code) || !ok || v.Sign() <= 0 || strings.ContainsAny(c.Rate, "eE/") {
			return nil, fmt.Errorf("fx: ECB rates %s: bad rate %q for %q", day.Time, c.Rate, c.Currency)
		}
		r.perEUR[code], r.text[code] = v, strings.TrimSpace(c.Rate)
	}
	if len(r.perEUR) < 2 {
		return nil, fmt.Errorf("fx: ECB rates %s: no rates", day.Time)
	}
	return r, nil
}

// Has reports whether the rates can convert from and to code.
func (r *Rates) Has(code string) bool { _, ok := r.perEUR[code]; return ok }

// ErrNoRate is returned for a currency the rates do not list.
var ErrNoRate = errors.New("fx: no rate for the currency")

// Convert returns m in currency to, and how it was converted. Money in to
// already is returned as is.
func (r *Rates) Convert(m providers.Money, to string) (providers.Money, error) {
	if m.Currency == to {
		return m, nil
	}
	from, okFrom := r.perEUR[m.Currency]
	into, okTo := r.perEUR[to]
	if !okFrom || !okTo {
		return providers.Money{}, fmt.Errorf("%w: %s to %s (%s rates of %s)", ErrNoRate, m.Currency, to, r.Source, r.Date)
	}
	dFrom, err1 := digits(m.Currency)
	dTo, err2 := digits(to)
	if err := errors.Join(err1, err2); err != nil {
		return providers.Money{}, err
	}
	// minor_to = minor_from × (to/EUR) / (from/EUR) × 10^(dTo−dFrom)
	x := new(big.Rat).SetInt64(m.Amount)
	x.Mul(x, into)
	x.Quo(x, from)
	x.Mul(x, pow10(dTo-dFrom))
	n, err := roundHalfEven(x)
	if err != nil {
		return providers.Money{}, fmt.Errorf("fx: convert %s to %s: %w", m, to, err)
	}
	return providers.Money{Amount: n, Currency: to}, nil
}

// Describe says how r converts from one currency to another: the rate
// (how much of to one unit of from buys, rounded to 6 decimals for
// display; Convert uses the exact cross rate), the source and the day.
func (r *Rates) Describe(from, to string) providers.Conversion {
	c := providers.Conversion{From: from, To: to, Source: r.Source, Date: r.Date}
	if f, t := r.perEUR[from], r.perEUR[to]; f != nil && t != nil {
		c.Rate = new(big.Rat).Quo(t, f).FloatString(6)
	}
	return c
}

func digits(code string) (int, error) {
	d, ok := currency.GetDigits(code)
	if !ok {
		return 0, fmt.Errorf("fx: unknown currency %q", code)
	}
	return int(d), nil
}

func pow10(n int) *big.Rat {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(n))), nil)
	if n < 0 {
		return new(big.Rat).SetFrac(big.NewInt(1), p)
	}
	return new(big.Rat).SetInt(p)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// roundHalfEven rounds x to the nearest integer, an exact half to the even one.
func roundHalfEven(x *big.Rat) (int64, error) {
	num, den := x.Num(), x.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int)) // truncated toward zero
	twice := new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2))
	switch c := twice.Cmp(den); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return 0, errors.New("amount out of range")
	}
	return q.Int64(), nil
}

// StaleDays is how many days old rates may be, at the time they are used,
// before they are called stale: the ECB publishes every working day, so a
// week covers weekends and holidays; older rates mean the source is not
// refreshed (FAREGRAPH_FX_URL unset, or failing).
const StaleDays = 7

// Age is how many whole days before now the rates are for: 0 on their
// own day (or an unreadable date).
func (r *Rates) Age(now time.Time) int {
	d, err := time.Parse(time.DateOnly, string(r.Date))
	if err != nil {
		return 0
	}
	return max(0, int(now.UTC().Sub(d)/(24*time.Hour)))
}

// Stale reports whether the rates are more than StaleDays old at now.
func (r *Rates) Stale(now time.Time) bool { return r.Age(now) > StaleDays }
