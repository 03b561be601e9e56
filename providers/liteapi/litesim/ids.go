package litesim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Alphabets of generated references.
const (
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	// pnrLetters leaves out the letters and digits airlines avoid (I, O, 0, 1).
	pnrLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	digitChars = "0123456789"
)

// newIntentLocked gives a prebook a new fake payment intent, unconfirmed;
// the one it replaces goes stale.
func (s *Simulator) newIntentLocked(p *prebook) {
	if p.secretKey != "" {
		s.stale[p.secretKey] = true
	}
	p.confirmed = false
	s.ids++
	n := strconv.FormatUint(s.ids, 10)
	p.transactionID = "tr_cts_" + s.token("transaction", n, 24, alnum)
	pi := s.token("intent", n, 24, alnum)
	p.secretKey = "pi_" + pi + "_secret_" + s.token("secret", n, 24, alnum)
}

// token is n characters of alphabet derived from the seed and parts.
func (s *Simulator) token(kind, salt string, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.inv.hash(kind, salt, strconv.Itoa(i))%uint64(len(alphabet))]
	}
	return string(b)
}

// newIDLocked is a UUIDv7 string: the clock's milliseconds, then bits
// derived from the seed and a counter.
func (s *Simulator) newIDLocked(kind string) string {
	s.ids++
	n := strconv.FormatUint(s.ids, 10)
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(s.cfg.Now().UnixMilli())<<16|s.inv.hash(kind, n, "a")&0xffff)
	binary.BigEndian.PutUint64(b[8:16], s.inv.hash(kind, n, "b"))
	b[6] = 0x70 | b[6]&0x0f // version 7
	b[8] = 0x80 | b[8]&0x3f // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// isUUID reports whether id has the 8-4-4-4-12 hex form of a UUID.
func isUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, c := range id {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// sign makes an opaque id of v: base64url JSON and a truncated HMAC.
func (s *Simulator) sign(v any) string {
	payload, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("liteapi simulator: sign %T: %v", v, err)) // only our own structs are signed
	}
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

// open checks an id made by sign and decodes it into v.
func (s *Simulator) open(id string, v any) bool {
	p, m, ok := strings.Cut(id, ".")
	if !ok {
		return false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(m)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(payload)) {
		return false
	}
	return json.Unmarshal(payload, v) == nil
}

func (s *Simulator) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write(payload)
	return h.Sum(nil)[:16]
}
