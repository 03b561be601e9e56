package server

import (
	"context"
	"encoding/json"
	"fmt"

	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Incremental delivery (@defer) and subscriptions over HTTP POST.
//
// A query with @defer is answered in parts when the client asks for them:
// Accept: multipart/mixed gets the multipart answer of the incremental
// delivery RFC (deferSpec=20220824, the format gqlgen and Apollo Client
// speak: a first part {"data":…,"hasNext":true}, then parts
// {"incremental":[{"data":…,"path":[…],"label":…}],"hasNext":…}), and
// Accept: text/event-stream gets each part as a server-sent event
// ("event: next", then "event: complete", GraphQL over SSE's distinct
// connections mode). Subscriptions are answered only as server-sent
// events. Any other client gets one answer with the deferred parts merged
// into the first, so @defer never loses data.

type stream int

const (
	streamNone stream = iota
	streamMultipart
	streamSSE
)

// streamMode is the incremental answer r's Accept header asks for: the
// first of multipart/mixed and text/event-stream it lists.
func streamMode(r *http.Request) stream {
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "multipart/mixed":
			return streamMultipart
		case "text/event-stream":
			return streamSSE
		}
	}
	return streamNone
}

const multipartBoundary = "graphql"

func flush(w http.ResponseWriter) { _ = http.NewResponseController(w).Flush() }

// incrementalPart is a deferred part as the 2022 format nests it.
type incrementalPart struct {
	Incremental []*graphql.Response `json:"incremental"`
	HasNext     bool                `json:"hasNext"`
}

func writeMultipart(ctx context.Context, w http.ResponseWriter, next graphql.ResponseHandler) {
	w.Header().Set("Content-Type", `multipart/mixed; boundary="`+multipartBoundary+`"; deferSpec=20220824`)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	first := true
	for resp := next(ctx); resp != nil; resp = next(ctx) {
		more := resp.HasNext != nil && *resp.HasNext
		var body any = resp
		if !first {
			r := *resp
			r.HasNext = nil
			body = incrementalPart{Incremental: []*graphql.Response{&r}, HasNext: more}
		}
		first = false
		b, err := json.Marshal(body)
		if err != nil {
			b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}],"hasNext":false}`)
		}
		fmt.Fprintf(w, "--%s\r\nContent-Type: application/json; charset=utf-8\r\n\r\n%s\r\n", multipartBoundary, b)
		flush(w)
		if !more {
			break
		}
	}
	fmt.Fprintf(w, "--%s--\r\n", multipartBoundary)
	flush(w)
}

func writeSSE(ctx context.Context, w http.ResponseWriter, next graphql.ResponseHandler) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ":\n\n")
	flush(w)
	for resp := next(ctx); resp != nil; resp = next(ctx) {
		b, err := json.Marshal(resp)
		if err != nil {
			b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
		}
		fmt.Fprintf(w, "event: next\ndata: %s\n\n", b)
		flush(w)
		if ctx.Err() != nil || resp.HasNext != nil && !*resp.HasNext {
			break
		}
	}
	fmt.Fprint(w, "event: complete\ndata:\n\n")
	flush(w)
}

// mergeIncremental reads every part of an answer and merges the deferred
// ones into the first at their paths. An answer without deferred parts is
// the first part as it is.
func mergeIncremental(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	first := next(ctx)
	if first == nil || first.HasNext == nil || !*first.HasNext {
		return first
	}
	var data any
	if err := json.Unmarshal(first.Data, &data); err != nil {
		return first
	}
	out := &graphql.Response{Errors: first.Errors, Extensions: first.Extensions}
	for resp := next(ctx); resp != nil; resp = next(ctx) {
		out.Errors = append(out.Errors, resp.Errors...)
		var part map[string]any
		if len(resp.Data) > 0 && json.Unmarshal(resp.Data, &part) == nil {
			mergeAt(data, resp.Path, part)
		}
		if resp.HasNext == nil || !*resp.HasNext {
			break
		}
	}
	b, err := json.Marshal(data)
	if err != nil {
		out.Errors = append(out.Errors, &gqlerror.Error{Message: "internal error", Extensions: map[string]any{"code": "INTERNAL"}})
		return out
	}
	out.Data = b
	return out
}

// mergeAt sets the fields of part into the object at path of data.
func mergeAt(data any, path ast.Path, part map[string]any) {
	for _, el := range path {
		switch el := el.(type) {
		case ast.PathName:
			m, ok := data.(map[string]any)
			if !ok {
				return
			}
			data = m[string(el)]
		case ast.PathIndex:
			l, ok := data.([]any)
			if !ok || int(el) < 0 || int(el) >= len(l) {
				return
			}
			data = l[el]
		}
	}
	if m, ok := data.(map[string]any); ok {
		for k, v := range part {
			m[k] = v
		}
	}
}
