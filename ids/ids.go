// Package ids makes the opaque global ids clients see: Relay-style
// "<Type>:<key>" strings in base64url, and signed self-contained tokens for
// objects that must survive without server-side state (offers, ancillary
// selections), tamper-evident with an HMAC-SHA256 under a configured key.
package ids

import (
	"bytes"
	"compress/flate"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// ErrMalformed is returned for an id that is not one of ours: bad encoding,
// wrong type, bad signature. Callers answer it exactly like an unknown id.
var ErrMalformed = errors.New("ids: malformed or forged id")

// Global encodes a Relay global id for an object of typ with key.
func Global(typ, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + key))
}

// maxID bounds the ids Parse looks at.
const maxID = 8192

// Parse splits a global id into its type and key. Sealed ids
// ("<Type>.<payload>.<mac>") split at their first dot. An id longer than
// 8,192 bytes, or whose key is not valid UTF-8 or holds a NUL character
// (which no database stores), is ErrMalformed.
func Parse(id string) (typ, key string, err error) {
	if len(id) > maxID {
		return "", "", ErrMalformed
	}
	if typ, key, ok := strings.Cut(id, "."); ok {
		if typ == "" || key == "" {
			return "", "", ErrMalformed
		}
		return typ, key, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return "", "", ErrMalformed
	}
	typ, key, ok := strings.Cut(string(raw), ":")
	if !ok || typ == "" || key == "" || !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
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

// Seal returns an id of type typ carrying v and a MAC over both, so that
// neither can be changed: "<Type>.<payload>.<mac>", where the payload is v's
// JSON, deflated, in base64url. It is URL-safe as it is.
func (s *Signer) Seal(typ string, v any) (string, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("ids: seal %s: %w", typ, err)
	}
	z, err := deflate(body)
	if err != nil {
		return "", fmt.Errorf("ids: seal %s: %w", typ, err)
	}
	payload := base64.RawURLEncoding.EncodeToString(z)
	mac := s.mac(typ, payload)
	return typ + "." + payload + "." + base64.RawURLEncoding.EncodeToString(mac), nil
}

var writers = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

func deflate(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := writers.Get().(*flate.Writer)
	defer writers.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxBody bounds what a sealed payload may inflate to.
const maxBody = 64 << 10

func inflate(z []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(z))
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil || len(b) > maxBody {
		return nil, ErrMalformed
	}
	return b, nil
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
	z, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ErrMalformed
	}
	body, err := inflate(z)
	if err != nil {
		return ErrMalformed
	}
	if err := json.Unmarshal(body, v); err != nil {
		return ErrMalformed
	}
	return nil
}

// Tag is a MAC over typ and data, 22 base64url characters (128 bits of
// HMAC-SHA256 under the Signer's key): for ids that carry their own data
// in the clear, such as a search id's creation instant (search's ids),
// and must not be made up. CheckTag tells whether tag is data's.
func (s *Signer) Tag(typ, data string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac(typ, data))
}

// CheckTag reports whether tag is Tag(typ, data), in constant time.
func (s *Signer) CheckTag(typ, data, tag string) bool {
	mac, err := base64.RawURLEncoding.DecodeString(tag)
	return err == nil && hmac.Equal(mac, s.mac(typ, data))
}

func (s *Signer) mac(typ, payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(typ))
	h.Write([]byte{0})
	h.Write([]byte(payload))
	return h.Sum(nil)[:macLen]
}
