package metrics

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// RequireToken serves next only to requests that carry
// "Authorization: Bearer <token>", and answers 401 to the rest. The
// comparison takes the same time whatever the guess.
func RequireToken(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="faregraph metrics"`)
			http.Error(w, "a metrics token is required\n", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
