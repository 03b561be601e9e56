package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/faregraph/faregraph/fault"
)

// cors lets browser apps on the allowed origins call the API: "*" allows
// any origin. Preflight requests are answered here, a preflight from an
// origin that is not allowed with a 403 that says so; credentials travel
// in the Authorization header, never in cookies.
//
// Other requests are not refused for their Origin: browsers send Origin on
// same-origin POSTs too (the playground's), and an origin that is not
// allowed only keeps its page from reading the answer. A WebSocket
// upgrade is the exception: browsers send it without a preflight, and the
// server refuses every one anyway, so one from another origin that is not
// allowed is refused as a preflight is (403 CORS_ORIGIN_NOT_ALLOWED),
// while a same-origin one (Origin naming the request's own host) gets the
// 400 BAD_REQUEST that says WebSockets are not supported.
func cors(origins []string, next http.Handler) http.Handler {
	any := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && (any || slices.Contains(origins, origin)) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Expose-Headers", RequestIDHeader)
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, "+RequestIDHeader)
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		allowed := any || slices.Contains(origins, origin)
		if origin != "" && !allowed && isWebSocket(r) && !sameOrigin(r, origin) {
			w.Header().Set("Content-Type", responseMediaType(r.Header.Get("Accept")))
			writeError(w, http.StatusForbidden, fault.CORSOriginNotAllowed,
				"browsers on "+origin+" may not call this API: the server's CORS origins (FAREGRAPH_CORS_ORIGINS) do not include it; "+webSocketRefused)
			return
		}
		if origin != "" && r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			writeError(w, http.StatusForbidden, fault.CORSOriginNotAllowed,
				"browsers on "+origin+" may not call this API: the server's CORS origins (FAREGRAPH_CORS_ORIGINS) do not include it")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin reports whether origin names the host r was sent to.
func sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

type requestIDKey struct{}

// LogHandler wraps h so that every record logged with a request's context
// carries the request's id.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
