package sandbox

import (
	"strings"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/payments"
)

// testCard is what a known test number does.
type testCard struct {
	scheme, cardType, country string
	decline                   *payments.DeclineError // nil: authorized
}

func declined(code, declineCode, message string) *payments.DeclineError {
	return &payments.DeclineError{Code: code, DeclineCode: declineCode, Message: message}
}

// testCards are Stripe's test card numbers, doing what they do in Stripe's
// test mode.
var testCards = map[string]testCard{
	"4242424242424242": {scheme: "visa", cardType: "credit", country: "US"},
	"4000056655665556": {scheme: "visa", cardType: "debit", country: "US"},
	"5555555555554444": {scheme: "mastercard", cardType: "credit", country: "US"},
	"378282246310005":  {scheme: "amex", cardType: "credit", country: "US"},
	"4000000000000002": {scheme: "visa", cardType: "credit", country: "US",
		decline: declined("card_declined", "generic_decline", "Your card was declined.")},
	"4000000000009995": {scheme: "visa", cardType: "credit", country: "US",
		decline: declined("card_declined", "insufficient_funds", "Your card has insufficient funds.")},
	"4000000000000069": {scheme: "visa", cardType: "credit", country: "US",
		decline: declined("expired_card", "expired_card", "Your card has expired.")},
	"4000000000000127": {scheme: "visa", cardType: "credit", country: "US",
		decline: declined("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect.")},
}

// classify says what confirming with number does: a nil card and a decline
// for a number that is no card number at all; a card and maybe a decline
// otherwise.
func classify(number string) (*db.SandboxCard, *payments.DeclineError) {
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, number)
	if !luhn(digits) {
		return nil, declined("invalid_number", "incorrect_number", "Your card number is incorrect.")
	}
	card := &db.SandboxCard{Last4: digits[len(digits)-4:], BIN: digits[:6]}
	tc, ok := testCards[digits]
	if !ok {
		card.Scheme, card.CardType = schemeOf(digits), "unknown"
		return card, nil
	}
	card.Scheme, card.CardType, card.Country = tc.scheme, tc.cardType, tc.country
	if tc.decline != nil {
		d := *tc.decline
		return card, &d
	}
	return card, nil
}

// luhn reports whether s is 12 to 19 digits with a valid Luhn check digit.
func luhn(s string) bool {
	if len(s) < 12 || len(s) > 19 {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// schemeOf guesses the scheme from the leading digits, as Stripe spells it.
func schemeOf(digits string) string {
	prefix := func(n int) int {
		v := 0
		for _, c := range digits[:n] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	switch p2, p4 := prefix(2), prefix(4); {
	case digits[0] == '4':
		return "visa"
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return "mastercard"
	case p2 == 34 || p2 == 37:
		return "amex"
	case p4 == 6011 || p2 == 65 || (prefix(3) >= 644 && prefix(3) <= 649):
		return "discover"
	case p4 >= 3528 && p4 <= 3589:
		return "jcb"
	case p2 == 36 || p2 == 38 || p2 == 39 || (prefix(3) >= 300 && prefix(3) <= 305):
		return "diners"
	case p2 == 62:
		return "unionpay"
	}
	return "unknown"
}
