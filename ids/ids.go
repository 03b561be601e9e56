// Package ids makes the opaque global ids clients see: Relay-style
// "<Type>:<key>" strings in base64url, and signed self-contained tokens for
// objects that must survive without server-side state (offers, ancillary
// selections), tamper-evident with an HMAC-SHA256 under a configured key.
package ids

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrMalformed is returned for an id that is not one of ours: bad encoding,
// wrong type, bad signature. Callers answer it exactly like an unknown id.
var ErrMalformed = errors.New("ids: malformed or forged id")

// Global encodes a Relay global id for an object of typ with key.
func Global(typ, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + key))
}

// Parse splits a global id into its type and key.
func Parse(id string) (typ, key string, err error) {
	if len(id) > 8192 {
		return "", "", ErrMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return "", "", ErrMalformed
	}
	typ, key, ok := strings.Cut(string(raw), ":")
	if !ok || typ == "" || key == "" {
		return "", "", ErrMalformed
	}
	return typ, key, nil
}

// Signer seals values into tokens and opens them again. Tokens made with one
// key open only with the same key, on any replica and after restarts.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for key, which must be at least 32 bytes.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("ids: signing key has %d bytes, need at least 32", len(key))
	}
	k := sha256.Sum256(append([]byte("faregraph/ids/v1\x00"), key...))
	return &Signer{key: k[:]}, nil
}

const macLen = 16

// Seal returns a global id of type typ carrying v (JSON) and a MAC over
// both, so that neither can be changed.
func (s *Signer) Seal(typ string, v any) (string, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("ids: seal %s: %w", typ, err)
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	mac := s.mac(typ, payload)
	return Global(typ, payload+"."+base64.RawURLEncoding.EncodeToString(mac)), nil
}

// Open checks a token made by Seal for type typ and decodes it into v.
func (s *Signer) Open(typ, id string, v any) error {
	gotTyp, key, err := Parse(id)
	if err != nil || gotTyp != typ {
		return ErrMalformed
	}
	return s.OpenKey(typ, key, v)
}

// OpenKey is Open for a key already split from its global id.
func (s *Signer) OpenKey(typ, key string, v any) error {
	payload, sig, ok := strings.Cut(key, ".")
	if !ok {
		return ErrMalformed
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, s.mac(typ, payload)) {
		return ErrMalformed
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ErrMalformed
	}
	if err := json.Unmarshal(body, v); err != nil {
		return ErrMalformed
	}
	return nil
}

func (s *Signer) mac(typ, payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(typ))
	h.Write([]byte{0})
	h.Write([]byte(payload))
	return h.Sum(nil)[:macLen]
}
