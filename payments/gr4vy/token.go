package gr4vy

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the claims of a Gr4vy bearer token (see CONTRACT.md): the
// registered iss, iat, nbf, exp and jti, the scopes the token grants, and
// for an Embed token the amount, currency and checkout session it pins.
type Claims struct {
	jwt.RegisteredClaims
	Scopes            []string       `json:"scopes"`
	Embed             map[string]any `json:"embed,omitempty"`
	CheckoutSessionID string         `json:"checkout_session_id,omitempty"`
}

// Issuer is the iss of the tokens faregraph signs.
const Issuer = "faregraph"

// ParsePrivateKey reads an EC private key (P-521 for ES512) in PEM, SEC 1
// ("EC PRIVATE KEY") or PKCS #8 ("PRIVATE KEY"), as Gr4vy's dashboard
// downloads it.
func ParsePrivateKey(pemBytes []byte) (*ecdsa.PrivateKey, error) {
	k, err := jwt.ParseECPrivateKeyFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("gr4vy: private key: %w", err)
	}
	if k.Curve.Params().BitSize != 521 {
		return nil, errors.New("gr4vy: private key: ES512 needs a P-521 key")
	}
	return k, nil
}

// Thumbprint is the RFC 7638 JWK thumbprint of an EC public key, the kid
// of the tokens it verifies.
func Thumbprint(pub *ecdsa.PublicKey) string {
	size := (pub.Curve.Params().BitSize + 7) / 8
	pad := func(b []byte) string {
		out := make([]byte, size)
		copy(out[size-len(b):], b)
		return base64.RawURLEncoding.EncodeToString(out)
	}
	// Lexicographic member order, no spaces, as RFC 7638 requires.
	j, _ := json.Marshal(struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
		Y   string `json:"y"`
	}{pub.Curve.Params().Name, "EC", pad(pub.X.Bytes()), pad(pub.Y.Bytes())})
	sum := sha256.Sum256(j)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Sign makes an ES512 token with the given claims (iss, iat, nbf, exp and
// jti filled in: valid from now for ttl).
func Sign(key *ecdsa.PrivateKey, now time.Time, ttl time.Duration, c Claims) (string, error) {
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", err
	}
	c.Issuer = Issuer
	c.IssuedAt = jwt.NewNumericDate(now)
	c.NotBefore = jwt.NewNumericDate(now.Add(-time.Minute)) // a little clock skew
	c.ExpiresAt = jwt.NewNumericDate(now.Add(ttl))
	c.ID = hex.EncodeToString(jti[:])
	t := jwt.NewWithClaims(jwt.SigningMethodES512, c)
	t.Header["kid"] = Thumbprint(&key.PublicKey)
	return t.SignedString(key)
}

// Verify checks a token signed with the key pub is for: ES512 only, the kid
// matching pub, within its validity at now; it returns its claims.
func Verify(pub *ecdsa.PublicKey, token string, now time.Time) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != Thumbprint(pub) {
			return nil, fmt.Errorf("unknown kid %q", kid)
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"ES512"}), jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	if err != nil {
		return nil, err
	}
	if c.NotBefore == nil || c.ID == "" || c.Issuer == "" {
		return nil, errors.New("token lacks nbf, jti or iss")
	}
	return &c, nil
}
