package ids

import (
	"bytes"
	"errors"
	"testing"
)

type thing struct {
	A string `json:"a"`
	N int    `json:"n"`
}

func TestSealOpen(t *testing.T) {
	s, err := NewSigner(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Seal("Offer", thing{"x", 7})
	if err != nil {
		t.Fatal(err)
	}
	var got thing
	if err := s.Open("Offer", id, &got); err != nil || got != (thing{"x", 7}) {
		t.Fatalf("Open = %v, %v", got, err)
	}
	other, _ := NewSigner(bytes.Repeat([]byte("j"), 32))
	tampered := []byte(id)
	tampered[len(tampered)/2] ^= 1
	for name, tc := range map[string]struct {
		s   *Signer
		typ string
		id  string
	}{
		"other key":  {other, "Offer", id},
		"other type": {s, "Booking", id},
		"tampered":   {s, "Offer", string(tampered)},
		"garbage":    {s, "Offer", "!!!"},
		"empty":      {s, "Offer", ""},
		"plain":      {s, "Offer", Global("Offer", "abc")},
	} {
		t.Run(name, func(t *testing.T) {
			if err := tc.s.Open(tc.typ, tc.id, &got); !errors.Is(err, ErrMalformed) {
				t.Errorf("Open = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestShortKey(t *testing.T) {
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Error("NewSigner accepted a 5-byte key")
	}
}

func TestGlobalParse(t *testing.T) {
	typ, key, err := Parse(Global("OfferSearch", "abc:def"))
	if err != nil || typ != "OfferSearch" || key != "abc:def" {
		t.Fatalf("Parse = %q %q %v", typ, key, err)
	}
}

func TestParseRefusesKeysNoDatabaseStores(t *testing.T) {
	for _, key := range []string{"cs_\x00", "cs_\xff"} {
		if _, _, err := Parse(Global("CheckoutSession", key)); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", key, err)
		}
	}
	if typ, key, err := Parse(Global("CheckoutSession", "cs_1")); err != nil || typ != "CheckoutSession" || key != "cs_1" {
		t.Errorf("Parse(cs_1) = %s %s %v", typ, key, err)
	}
}

func TestTag(t *testing.T) {
	s, _ := NewSigner(bytes.Repeat([]byte("k"), 32))
	other, _ := NewSigner(bytes.Repeat([]byte("j"), 32))
	tag := s.Tag("SearchID", "mh3k2-abc")
	if len(tag) != 22 || !s.CheckTag("SearchID", "mh3k2-abc", tag) {
		t.Fatalf("Tag = %q does not check", tag)
	}
	for name, ok := range map[string]bool{
		"other data": s.CheckTag("SearchID", "mh3k3-abc", tag),
		"other type": s.CheckTag("Offer", "mh3k2-abc", tag),
		"other key":  other.CheckTag("SearchID", "mh3k2-abc", tag),
		"garbage":    s.CheckTag("SearchID", "mh3k2-abc", "!!"),
		"empty":      s.CheckTag("SearchID", "mh3k2-abc", ""),
	} {
		if ok {
			t.Errorf("%s: CheckTag = true", name)
		}
	}
}
