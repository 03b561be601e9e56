package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/resolvers"
)

// The response media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// postJSON is GraphQL over HTTP POST with a JSON body. It replaces
// gqlgen's POST transport, which reads bodies without a limit, echoes a
// body it cannot decode back to the client, and marshals every answer a
// second time. Here the body is capped at MaxBodyBytes, decode errors say
// nothing of the body, and an answer without errors is written as it was
// built.
type postJSON struct {
	// inputs answers variables that gqlparser could not coerce.
	inputs *resolvers.Inputs
	// cache answers pages of stored searches before anything is parsed.
	cache *responseCache
	// schema is the schema served, which incremental answers follow.
	schema *ast.Schema
}

var _ graphql.Transport = postJSON{}

func (postJSON) Supports(r *http.Request) bool {
	if r.Method != http.MethodPost || isWebSocket(r) {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mediaType == mediaJSON
}

func (t postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", responseMediaType(r.Header.Get("Accept")))
	if streamMode(r) != streamNone {
		w.Header().Set("Content-Type", mediaJSON) // until the stream starts: refusals are JSON
	}
	start := graphql.Now()
	body, err := readBody(w, r)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fault.RequestTooLarge, "the request body is larger than "+strconv.Itoa(MaxBodyBytes>>10)+" KiB")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, fault.BadRequest, "the request body could not be read")
		return
	}
	if n, ok := longestJSONArray(body); !ok || n > MaxListItems {
		// Refused before decoding: a list of 200,000 strings would cost
		// tens of megabytes as Go values (see lists.go).
		if ok {
			writeError(w, requestErrorStatus(w), fault.BadUserInput, "a list in the request has more than "+strconv.Itoa(MaxListItems)+" items")
			return
		}
		writeError(w, http.StatusBadRequest, fault.BadRequest, "the request body is not a JSON GraphQL request")
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil || dec.More() {
		writeError(w, http.StatusBadRequest, fault.BadRequest, "the request body is not a JSON GraphQL request")
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, t.schema, t.inputs, t.cache, &params, true)
}

// readBody reads the request body up to MaxBodyBytes: a body announced
// as larger is refused unread, and one of announced length is read into a
// buffer of that length.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBodyBytes {
		return nil, &http.MaxBytesError{Limit: MaxBodyBytes}
	}
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	if r.ContentLength <= 0 {
		return io.ReadAll(body)
	}
	buf := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, err
	}
	// Nothing may follow the announced length.
	if n, _ := body.Read(make([]byte, 1)); n > 0 {
		return nil, errors.New("the body is longer than its Content-Length")
	}
	return buf, nil
}

// getQuery is GraphQL over HTTP GET: the request in the URL's query
// string, queries only. It replaces gqlgen's GET transport to answer with
// the same media types, status codes and limits as postJSON.
type getQuery struct {
	// inputs answers variables that gqlparser could not coerce.
	inputs *resolvers.Inputs
	// cache answers pages of stored searches before anything is parsed.
	cache *responseCache
	// schema is the schema served, which incremental answers follow.
	schema *ast.Schema
}

var _ graphql.Transport = getQuery{}

func (getQuery) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && !isWebSocket(r)
}

// isWebSocket reports whether r asks to be upgraded to a WebSocket, which
// no transport answers. Other upgrades (curl's h2c) are ignored, as HTTP
// lets a server do: the request is answered in HTTP/1.1.
func isWebSocket(r *http.Request) bool {
	for v := range strings.SplitSeq(r.Header.Get("Upgrade"), ",") {
		if name, _, _ := strings.Cut(strings.TrimSpace(v), "/"); strings.EqualFold(name, "websocket") {
			return true
		}
	}
	return false
}

// webSocketRefused is the answer to a WebSocket upgrade.
const webSocketRefused = "WebSocket is not supported: use POST, GET, or server-sent events (Accept: text/event-stream) for subscriptions"

// unsupported is the last transport: it takes every request the others do
// not, so that none gets gqlgen's answer without a code ("transport not
// supported", with "data": null). graphqlMethods refuses them before they
// get here; this is the backstop.
type unsupported struct{}

var _ graphql.Transport = unsupported{}

func (unsupported) Supports(*http.Request) bool { return true }

func (unsupported) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	refuseUnsupported(w, r)
}

// refuseUnsupported answers a request that no transport answers with
// BAD_REQUEST, in the negotiated media type, without data.
func refuseUnsupported(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", responseMediaType(r.Header.Get("Accept")))
	msg := "the request is not one /graphql answers: POST a JSON body (Content-Type: application/json), or GET with the query in the URL"
	if isWebSocket(r) {
		msg = webSocketRefused
	}
	writeError(w, http.StatusBadRequest, fault.BadRequest, msg)
}

func (t getQuery) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", responseMediaType(r.Header.Get("Accept")))
	start := graphql.Now()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, fault.BadRequest, "the query string could not be decoded")
		return
	}
	params := graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for name, into := range map[string]*map[string]any{"variables": &params.Variables, "extensions": &params.Extensions} {
		s := q.Get(name)
		if s == "" {
			continue
		}
		if n, ok := longestJSONArray([]byte(s)); ok && n > MaxListItems {
			writeError(w, requestErrorStatus(w), fault.BadUserInput, "a list in the request has more than "+strconv.Itoa(MaxListItems)+" items")
			return
		}
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(into); err != nil || dec.More() {
			writeError(w, http.StatusBadRequest, fault.BadRequest, name+" is not a JSON object")
			return
		}
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, t.schema, t.inputs, t.cache, &params, false)
}

// execute runs one GraphQL request and writes its answer as GraphQL over
// HTTP says: a request error (the document does not parse or validate,
// the variables do not coerce, a limit is exceeded) has no data, and is a
// 400 in application/graphql-response+json but a 200 in application/json,
// the legacy media type. A GET may only run queries.
//
// gqlparser coerces variables after validation and before any extension
// sees the operation; when it refuses them (the operation is known, the
// variables are not set), inputs answers the refusal as every other
// coercion error, BAD_USER_INPUT naming the variable.
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, schema *ast.Schema, inputs *resolvers.Inputs, cache *responseCache, params *graphql.RawParams, mutations bool) {
	ctx := r.Context()
	mode := streamMode(r)
	if cache != nil && mode == streamNone && cache.lookup(w, r, params) {
		return
	}
	rc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		if rc != nil && rc.Operation != nil && rc.Variables == nil && len(errs) == 1 && inputs != nil {
			errs = gqlerror.List{inputs.Coercion(rc.Operation, params.Variables, errs[0])}
		}
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		markRefused(ctx)
		w.WriteHeader(requestErrorStatus(w))
		writeRequestError(w, resp)
		return
	}
	if !mutations && rc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, fault.MethodNotAllowed, "only queries can be sent with GET; send "+string(rc.Operation.Operation)+"s with POST")
		return
	}
	if rc.Operation.Operation == ast.Subscription && mode != streamSSE {
		writeError(w, http.StatusNotAcceptable, fault.NotAcceptable, "subscriptions are answered as server-sent events: POST with Accept: text/event-stream")
		return
	}
	keepAlive := time.Duration(0)
	if rc.Operation.Operation == ast.Subscription {
		// A stream has no deadline: it ends when the client disconnects,
		// the subscription ends, or the server shuts down.
		var stop context.CancelFunc
		ctx, keepAlive, stop = streamContext(ctx)
		defer stop()
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	switch mode {
	case streamMultipart:
		writeMultipart(ctx, w, schema, responses)
	case streamSSE:
		writeSSE(ctx, w, schema, responses, keepAlive)
	default:
		// A client that did not ask for incremental delivery gets one
		// answer: the deferred parts merged into the first.
		resp := mergeIncremental(ctx, responses)
		writeResponse(w, resp)
		if cache != nil {
			cache.store(ctx, resp)
		}
	}
}

// requestErrorStatus is the status of a request error in the media type
// negotiated for w: 400 in application/graphql-response+json, 200 in
// application/json.
func requestErrorStatus(w http.ResponseWriter) int {
	if w.Header().Get("Content-Type") == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// responseMediaType negotiates the response's media type from an Accept
// header: the acceptable type of highest quality, the more specific on a
// tie, then the client's order. Without an Accept header, or with one that
// accepts neither, the answer is application/json, as GraphQL over HTTP
// says for legacy clients. (goautoneg, which Prometheus uses, does not
// keep the client's order on ties.)
func responseMediaType(accept string) string {
	best, bestQ, bestExact := mediaJSON, -1.0, false
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil {
				continue
			}
		}
		var candidate string
		exact := true
		switch mt {
		case mediaJSON, mediaGraphQLResponse:
			candidate = mt
		case "application/*", "*/*":
			candidate, exact = mediaJSON, false
		default:
			continue
		}
		if q > 0 && (q > bestQ || q == bestQ && exact && !bestExact) {
			best, bestQ, bestExact = candidate, q, exact
		}
	}
	return best
}

// requestErrorBody is the answer to a request error: no data key at all.
type requestErrorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func writeRequestError(w io.Writer, resp *graphql.Response) {
	b, err := json.Marshal(requestErrorBody{Errors: resp.Errors, Extensions: resp.Extensions})
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"` + string(fault.Internal) + `"}}]}`)
	}
	w.Write(b)
}

var (
	dataOpen  = []byte(`{"data":`)
	dataClose = []byte("}\n")
)

func writeResponse(w http.ResponseWriter, resp *graphql.Response) {
	if resp != nil && plainData(resp) {
		// Data is JSON that gqlgen wrote itself; write it as it is, with
		// its length (net/http then sends it without chunking).
		w.Header().Set("Content-Length", strconv.Itoa(len(dataOpen)+len(resp.Data)+len(dataClose)))
		w.Write(dataOpen)
		w.Write(resp.Data)
		w.Write(dataClose)
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"` + string(fault.Internal) + `"}}]}`)
	}
	w.Write(b)
}

// writeError answers a request that is not a GraphQL request at all (an
// unreadable body, a wrong method), in the media type already negotiated.
func writeError(w http.ResponseWriter, status int, code fault.Code, msg string) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", mediaJSON)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]fault.Code{"code": code}}},
	})
}
