package rules

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/faregraph/faregraph/fault"
)

// MaxNameLength is the most characters of a name as given, once
// normalised: the checkout-session document's limit (seed 003). The
// ticketed form has its own, shorter limit (providers.Limits.NameMaxLength).
const MaxNameLength = 255

// apostrophes are the characters read as an apostrophe: the typewriter
// one and those phone keyboards and word processors put in its place
// (right and left single quotation marks, modifier letter apostrophe).
var apostrophes = strings.NewReplacer("\u2019", "'", "\u02BC", "'", "\u2018", "'")

// MaxCombiningMarks is the most combining marks a name may put on one
// letter. Real names carry one or two (Vietnamese "ệ" in NFD is e and
// two); more is decoration, not a name. It also keeps NFC from inserting
// U+034F COMBINING GRAPHEME JOINER, which norm does after 30 marks in a
// row (the stream-safe text format of UAX #15).
const MaxCombiningMarks = 4

// NormalizeName returns a name as it is stored and shown: in Unicode
// normalization form C, every apostrophe look-alike (’ ʼ ‘) as ', runs of
// white space as one space, and no space at either end. s must have no
// run of more than MaxCombiningMarks marks (Name refuses such names
// first): NFC would break longer runs with U+034F.
func NormalizeName(s string) string {
	s = apostrophes.Replace(norm.NFC.String(s))
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// Ticket returns the ticketed form of a normalised name: upper-case A to
// Z and single spaces, as the name is written in a passport's
// machine-readable zone, by the ICAO Doc 9303 Part 3 section 6 tables
// (see icao.go). Letters outside the tables are decomposed (NFD) and
// their base letter transliterated, so that Vietnamese "Ệ" is "E".
// Apostrophes and dots are dropped and hyphens become spaces, as ICAO
// 9303 writes them in the MRZ (omitted, and the filler that separates
// name parts). The second result lists the characters that have no
// transliteration (Greek, Arabic, Han...), empty when there is none.
func Ticket(name string) (string, string) {
	var b strings.Builder
	var missing []rune
	for _, r := range strings.ToUpper(name) {
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			b.WriteByte(' ')
		case r == '\'' || r == '.' || unicode.IsMark(r):
		default:
			t, ok := transliterate(r)
			if !ok {
				missing = append(missing, r)
			}
			b.WriteString(t)
		}
	}
	return strings.Join(strings.Fields(b.String()), " "), string(missing)
}

// transliterate is one letter's ICAO 9303 form: from Table A or B, or
// from its decomposition's base letters.
func transliterate(r rune) (string, bool) {
	if t, ok := icaoLatin[r]; ok {
		return t, true
	}
	if t, ok := icaoCyrillic[r]; ok {
		return t, true
	}
	d := norm.NFD.String(string(r))
	if utf8.RuneCountInString(d) < 2 {
		return "", false
	}
	var b strings.Builder
	for _, x := range d {
		switch {
		case unicode.IsMark(x):
		case x >= 'A' && x <= 'Z':
			b.WriteRune(x)
		default:
			t, ok := icaoLatin[x]
			if !ok {
				t, ok = icaoCyrillic[x]
			}
			if !ok {
				return "", false
			}
			b.WriteString(t)
		}
	}
	return b.String(), true
}

// Name checks one name given for field (an input path) and returns it
// normalised and ticketed, or the violation that refuses it: REQUIRED
// when blank; INVALID with more than MaxCombiningMarks combining marks on
// one letter, with characters other than letters, spaces, hyphens,
// apostrophes and dots (invisible ones included: U+200B, U+200D, U+00AD,
// U+034F and every other default-ignorable code point), with no letter
// at all, or with letters that have no ICAO 9303 transliteration;
// TOO_LONG over MaxNameLength characters once normalised (which only
// trims, collapses spaces and composes: never more characters than were
// sent), or over maxTicketed (a provider's NameMaxLength) ticketed.
func Name(raw string, maxTicketed int, field []string) (normal, ticketed string, v *fault.Violation) {
	bad := func(code fault.Code, format string, args ...any) (string, string, *fault.Violation) {
		return "", "", &fault.Violation{Field: field, Code: code, Message: fmt.Sprintf(format, args...)}
	}
	marks := 0
	for _, r := range raw {
		if !unicode.IsMark(r) {
			marks = 0
		} else if marks++; marks > MaxCombiningMarks {
			return bad(fault.Invalid, "may have at most %d combining marks (accents) on one letter", MaxCombiningMarks)
		}
	}
	normal = NormalizeName(raw)
	if normal == "" {
		return bad(fault.Required, "is required")
	}
	if n := utf8.RuneCountInString(normal); n > MaxNameLength {
		return bad(fault.TooLong, "must be at most %d characters, got %d", MaxNameLength, n)
	}
	letters := false
	for _, r := range normal {
		switch {
		case unicode.IsLetter(r):
			letters = true
		case invisible(r):
			return bad(fault.Invalid, "may contain only letters, spaces, hyphens, apostrophes (' or ’) and dots, got the invisible character %U", r)
		case unicode.IsMark(r) || r == ' ' || r == '-' || r == '\'' || r == '.':
		default:
			return bad(fault.Invalid, "may contain only letters, spaces, hyphens, apostrophes (' or ’) and dots, got %q", r)
		}
	}
	if !letters {
		return bad(fault.Invalid, "must contain at least one letter")
	}
	ticketed, missing := Ticket(normal)
	switch {
	case missing != "":
		return bad(fault.Invalid, "has letters with no ICAO 9303 transliteration (%s): give the name in Latin letters as printed in the passport's machine-readable zone", missing)
	case ticketed == "":
		return bad(fault.Invalid, "must contain at least one letter that can be ticketed")
	case maxTicketed > 0 && utf8.RuneCountInString(ticketed) > maxTicketed:
		return bad(fault.TooLong, "is %d characters as ticketed (%s...); the airline tickets at most %d", utf8.RuneCountInString(ticketed), ticketed[:min(len(ticketed), 20)], maxTicketed)
	}
	return normal, ticketed, nil
}

// invisible reports whether r is a character that shows nothing: a format
// character (U+200B, U+200D, U+00AD...), U+034F COMBINING GRAPHEME JOINER
// or any other default-ignorable code point (variation selectors
// included). Letters are never invisible.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}
