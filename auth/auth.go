// Package auth identifies API clients: tenants and their API keys
// ("Authorization: Bearer <key>", stored hashed), the scopes a key grants,
// and the built-in sandbox tenant that anonymous requests act as in
// development.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/faregraph/faregraph/db"
	"github.com/faregraph/faregraph/fault"
)

// Scopes a key can grant.
const (
	ScopeOffersRead    = "offers:read"
	ScopeCheckoutWrite = "checkout:write"
	ScopeBookingsRead  = "bookings:read"
)

// AllScopes lists every scope.
var AllScopes = []string{ScopeOffersRead, ScopeCheckoutWrite, ScopeBookingsRead}

// SandboxTenant is the tenant anonymous requests act as in development.
const SandboxTenant = "sandbox"

// Principal is who a request acts for.
type Principal struct {
	TenantID   string
	TenantName string
	Scopes     []string
	// Anonymous is true for the development sandbox principal.
	Anonymous bool
}

// Has reports whether p was granted scope.
func (p *Principal) Has(scope string) bool { return slices.Contains(p.Scopes, scope) }

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the request's principal, if any.
func From(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(*Principal)
	return p, ok
}

// Errors of authorization, mapped to UNAUTHENTICATED and FORBIDDEN.
var (
	ErrUnauthenticated = errors.New("auth: an API key is required")
	ErrForbidden       = errors.New("auth: the API key lacks a scope")
)

// ScopeError is the error of an API key that lacks Scope, or each of
// AnyOf when any one of them would do; errors.Is matches it with
// ErrForbidden.
type ScopeError struct {
	Scope string
	// AnyOf, when set, lists every scope that would grant the request
	// (Scope is the first).
	AnyOf []string
}

// Scopes names what would grant the request: "checkout:write or
// bookings:read".
func (e *ScopeError) Scopes() string {
	if len(e.AnyOf) == 0 {
		return e.Scope
	}
	return strings.Join(e.AnyOf, " or ")
}

func (e *ScopeError) Error() string { return ErrForbidden.Error() + ": " + e.Scopes() }

// Is reports whether target is ErrForbidden.
func (e *ScopeError) Is(target error) bool { return target == ErrForbidden }

// Require returns the request's principal if it has scope; without a
// principal it fails with ErrUnauthenticated, without the scope with a
// *ScopeError.
func Require(ctx context.Context, scope string) (*Principal, error) {
	p, ok := From(ctx)
	if !ok {
		return nil, ErrUnauthenticated
	}
	if !p.Has(scope) {
		return nil, &ScopeError{Scope: scope}
	}
	return p, nil
}

// RequireAny returns the request's principal if it has any of scopes;
// without a principal it fails with ErrUnauthenticated, without any of
// them with a *ScopeError that names them all.
func RequireAny(ctx context.Context, scopes ...string) (*Principal, error) {
	p, ok := From(ctx)
	if !ok {
		return nil, ErrUnauthenticated
	}
	for _, s := range scopes {
		if p.Has(s) {
			return p, nil
		}
	}
	return nil, &ScopeError{Scope: scopes[0], AnyOf: scopes}
}

// Authenticator checks API keys against the database.
type Authenticator struct {
	DB *db.DB
	// AllowAnonymous lets requests without a key act as the sandbox tenant
	// (development).
	AllowAnonymous bool
	tenants        db.Tenants
}

// EnsureSandbox creates the sandbox tenant if it does not exist.
func (a *Authenticator) EnsureSandbox(ctx context.Context, now time.Time) error {
	_, err := a.tenants.EnsureTenant(ctx, a.DB, SandboxTenant, SandboxTenant, now)
	return err
}

// Middleware authenticates every request: a valid key's principal goes in
// the context; no key is the sandbox principal when anonymous requests are
// allowed. A bad key, and no key when anonymous requests are not allowed,
// are both 401 with the code UNAUTHENTICATED.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			if !a.AllowAnonymous {
				unauthorized(w, "an API key is required: send Authorization: Bearer <key>")
				return
			}
			next.ServeHTTP(w, r.WithContext(With(r.Context(), &Principal{TenantID: SandboxTenant, TenantName: SandboxTenant, Scopes: AllScopes, Anonymous: true})))
			return
		}
		key, ok := BearerToken(h)
		if !ok {
			unauthorized(w, "the Authorization header must be \"Bearer <API key>\"")
			return
		}
		p, err := a.Authenticate(r.Context(), key)
		if err != nil {
			unauthorized(w, "the API key is not valid")
			return
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), p)))
	})
}

// BearerToken returns the credentials of an Authorization header value of
// the Bearer scheme (RFC 6750), without the spaces around them. The scheme
// name is matched case-insensitively, as RFC 9110 §11.1 says of every
// authentication scheme: "Bearer", "bearer" and "BEARER" are the same.
func BearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimLeft(h, " "), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// RequireToken serves next only to requests that carry
// "Authorization: Bearer <token>" (any case of "Bearer"), and answers 401
// to the rest; it guards /metrics. The comparison takes the same time
// whatever the guess.
func RequireToken(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := BearerToken(r.Header.Get("Authorization"))
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="faregraph metrics"`)
			http.Error(w, "a metrics token is required\n", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer realm="faregraph"`)
	w.WriteHeader(http.StatusUnauthorized)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]string{"code": string(fault.Unauthenticated)}}}})
}

const keyPrefix = "fg_"

// keyIDBytes is the length of a key id in random bytes (hex-encoded in the key).
const keyIDBytes = 8

// Authenticate checks a key and returns its principal.
func (a *Authenticator) Authenticate(ctx context.Context, key string) (*Principal, error) {
	rest, ok := strings.CutPrefix(key, keyPrefix)
	id, _, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(key) > 200 {
		return nil, ErrUnauthenticated
	}
	k, t, err := a.tenants.Key(ctx, a.DB, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(hash(key)), []byte(k.Hash)) != 1 {
		return nil, ErrUnauthenticated
	}
	return &Principal{TenantID: t.ID, TenantName: t.Name, Scopes: strings.Fields(k.Scopes)}, nil
}

func hash(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// ParseScopes reads "offers:read,checkout:write" and checks each scope.
func ParseScopes(s string) ([]string, error) {
	var out []string
	for _, sc := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(AllScopes, sc) {
			return nil, fmt.Errorf("unknown scope %q (scopes: %s)", sc, strings.Join(AllScopes, ", "))
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("at least one scope is required (scopes: %s)", strings.Join(AllScopes, ", "))
	}
	return out, nil
}

// CreateKey creates an API key for the tenant called tenant (creating the
// tenant if needed) and returns the key. Only its hash is stored: the key
// cannot be shown again.
func (a *Authenticator) CreateKey(ctx context.Context, tenant string, scopes []string, now time.Time) (string, error) {
	if strings.TrimSpace(tenant) == "" || len(tenant) > 100 {
		return "", errors.New("the tenant name must be 1 to 100 characters")
	}
	t, err := a.tenants.EnsureTenant(ctx, a.DB, "tn_"+random(8), tenant, now)
	if err != nil {
		return "", err
	}
	id := random(keyIDBytes)
	key := keyPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	row := &db.APIKeyRow{ID: id, TenantID: t.ID, Hash: hash(key), Scopes: strings.Join(scopes, " "), CreatedAt: now.UTC()}
	if err := a.tenants.InsertKey(ctx, a.DB, row); err != nil {
		return "", err
	}
	return key, nil
}

// KeyID returns the id of the key that ref names: the id itself, the
// printed prefix "fg_<id>", or the whole key (as when a leaked key is
// revoked by what leaked).
func KeyID(ref string) (string, error) {
	id, _, err := keyRef(ref)
	return id, err
}

// keyRef reads ref as KeyID does, and says whether it is a whole key
// (fg_<id>_<secret>), which must then match its stored hash.
func keyRef(ref string) (id string, whole bool, _ error) {
	ref = strings.TrimSpace(ref)
	id = ref
	if rest, ok := strings.CutPrefix(ref, keyPrefix); ok {
		id, _, whole = strings.Cut(rest, "_")
	}
	if len(id) != 2*keyIDBytes || strings.Trim(id, "0123456789abcdef") != "" {
		return "", false, fmt.Errorf("%q is not an API key id, fg_<id> prefix or key", ref)
	}
	return id, whole, nil
}

// ErrNotThisKey is the error of revoking by a whole key whose id is one of
// this database's keys but whose secret is not that key's: a key of
// another database, or a mistyped one. Nothing is revoked.
var ErrNotThisKey = errors.New("not a key of this database: its id is, its secret is not (revoke by id, fg_<id>, to revoke the key with that id)")

// ListKeys returns every API key with its tenant, revoked ones included.
func (a *Authenticator) ListKeys(ctx context.Context) ([]db.KeyListing, error) {
	return a.tenants.ListKeys(ctx, a.DB)
}

// RevokeKey revokes the key that ref names (see KeyID). A whole key
// revokes only when it is the stored key (its hash matches), and is
// ErrNotThisKey otherwise; an id or fg_<id> prefix names the key with that
// id. Authenticate reads the key on every request, so the key is refused
// from the next request on. Revoking a revoked key again changes nothing
// and reports revokedNow false; an unknown key is db.ErrNotFound.
func (a *Authenticator) RevokeKey(ctx context.Context, ref string, now time.Time) (_ *db.APIKeyRow, revokedNow bool, _ error) {
	id, whole, err := keyRef(ref)
	if err != nil {
		return nil, false, err
	}
	if whole {
		k, err := a.tenants.KeyRow(ctx, a.DB, id)
		if err != nil {
			return nil, false, err
		}
		if subtle.ConstantTimeCompare([]byte(hash(strings.TrimSpace(ref))), []byte(k.Hash)) != 1 {
			return nil, false, ErrNotThisKey
		}
	}
	return a.tenants.RevokeKey(ctx, a.DB, id, now)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func random(n int) string { return hex.EncodeToString(randomBytes(n)) }
