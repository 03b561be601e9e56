package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/faregraph/faregraph/fault"
)

// Incremental delivery (@defer) and subscriptions over HTTP POST.
//
// A query with @defer is answered in parts when the client asks for them:
// Accept: multipart/mixed gets the multipart answer of the incremental
// delivery RFC (deferSpec=20220824, the format gqlgen and Apollo Client
// speak: a first part {"data":…,"hasNext":true}, then parts
// {"incremental":[{"data":…,"path":[…],"label":…}],"hasNext":…}), and
// Accept: text/event-stream gets the same parts, each as a server-sent
// event ("event: next", then "event: complete", GraphQL over SSE's
// distinct connections mode). A deferred field is absent from the first
// part. Subscriptions are answered only as server-sent
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

func writeMultipart(ctx context.Context, w http.ResponseWriter, schema *ast.Schema, next graphql.ResponseHandler) {
	w.Header().Set("Content-Type", `multipart/mixed; boundary="`+multipartBoundary+`"; deferSpec=20220824`)
	w.WriteHeader(http.StatusOK)
	incrementalParts(ctx, schema, next, func(b []byte) {
		fmt.Fprintf(w, "--%s\r\nContent-Type: application/json; charset=utf-8\r\n\r\n%s\r\n", multipartBoundary, b)
		flush(w)
	})
	fmt.Fprintf(w, "--%s--\r\n", multipartBoundary)
	flush(w)
}

// streamBaseKey keys the *streamBase of a request in its context.
type streamBaseKey struct{}

// streamBase is what a subscription's stream runs on instead of the
// request's deadline: the request's context as it arrived (it ends when
// the client disconnects), the server's shutdown, and how often to send
// a keep-alive comment.
type streamBase struct {
	ctx       context.Context
	shutdown  <-chan struct{}
	keepAlive time.Duration
}

// errShutdown ends the streams when the server shuts down.
var errShutdown = errors.New("server: shutting down")

// streamContext is ctx (its values) without its deadline: it ends when
// the client disconnects or the server shuts down (cause errShutdown),
// and with stop. Without a streamBase in ctx it is ctx.
func streamContext(ctx context.Context) (context.Context, time.Duration, context.CancelFunc) {
	sb, _ := ctx.Value(streamBaseKey{}).(*streamBase)
	if sb == nil {
		ctx, cancel := context.WithCancel(ctx)
		return ctx, DefaultKeepAlive, cancel
	}
	out, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(sb.ctx, func() { cancel(context.Cause(sb.ctx)) })
	if sb.shutdown != nil {
		go func() {
			select {
			case <-sb.shutdown:
				cancel(errShutdown)
			case <-out.Done():
			}
		}()
	}
	return out, sb.keepAlive, func() { stop(); cancel(context.Canceled) }
}

// sseWriteGrace is how long one write of a stream may take: each write
// sets the connection's write deadline this far ahead (the server's
// WriteTimeout would otherwise end a stream that outlives it), so a
// client that stops reading is given up after it.
const sseWriteGrace = 30 * time.Second

// writeSSE writes an answer as server-sent events: each part "event:
// next", then "event: complete" (not when the server shuts down: the
// connection closes, and graphql-sse clients reconnect). While nothing
// else is sent, a comment line goes out every keepAlive (0: never). The
// server's read and write timeouts do not apply to the stream: every
// write extends its own deadline.
func writeSSE(ctx context.Context, w http.ResponseWriter, schema *ast.Schema, next graphql.ResponseHandler, keepAlive time.Duration) {
	rc := http.NewResponseController(w)
	// The body is read: no read deadline may end the connection (net/http
	// cancels the request when its background read times out).
	_ = rc.SetReadDeadline(time.Time{})
	var mu sync.Mutex
	write := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		_ = rc.SetWriteDeadline(time.Now().Add(sseWriteGrace))
		_, _ = io.WriteString(w, s)
		_ = rc.Flush()
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	_ = rc.SetWriteDeadline(time.Now().Add(sseWriteGrace))
	w.WriteHeader(http.StatusOK)
	write(":\n\n")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if keepAlive > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(keepAlive)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					write(":\n\n")
				case <-stop:
					return
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	incrementalParts(ctx, schema, next, func(b []byte) {
		write("event: next\ndata: " + string(b) + "\n\n")
	})
	close(stop)
	wg.Wait()
	if errors.Is(context.Cause(ctx), errShutdown) {
		return
	}
	write("event: complete\ndata:\n\n")
}

// incrementalParts writes each part of an answer as the 2022 format of
// incremental delivery (deferSpec=20220824) has it, the same for both
// streaming transports: the first part as it is, without the deferred
// fields (gqlgen leaves them null in it), then each deferred part nested
// in {"incremental":[…],"hasNext":…}. The parts of a subscription are
// each a first part: every event is a whole answer.
func incrementalParts(ctx context.Context, schema *ast.Schema, next graphql.ResponseHandler, write func([]byte)) {
	first := true
	for resp := next(ctx); resp != nil; resp = next(ctx) {
		more := resp.HasNext != nil && *resp.HasNext
		var body any = resp
		switch {
		case first && resp.HasNext != nil && graphql.HasOperationContext(ctx):
			r := *resp
			r.Data = withoutDeferred(graphql.GetOperationContext(ctx), schema, r.Data)
			body = &r
		case !first && resp.HasNext != nil:
			r := *resp
			r.HasNext = nil
			body = incrementalPart{Incremental: []*graphql.Response{&r}, HasNext: more}
		}
		first = false
		b, err := json.Marshal(body)
		if err != nil {
			b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"` + string(fault.Internal) + `"}}],"hasNext":false}`)
		}
		write(b)
		if ctx.Err() != nil || resp.HasNext != nil && !more {
			break
		}
	}
}

// withoutDeferred removes from the first part's data the deferred fields
// that gqlgen writes as null: in the 2022 format a deferred field is
// absent from the first part, and comes in a later one. The keys keep
// their order. Anything it cannot follow is left as it is.
func withoutDeferred(oc *graphql.OperationContext, schema *ast.Schema, data json.RawMessage) json.RawMessage {
	if schema == nil || oc == nil || oc.Operation == nil || len(data) == 0 {
		return data
	}
	root := schema.Query
	switch oc.Operation.Operation {
	case ast.Mutation:
		root = schema.Mutation
	case ast.Subscription:
		root = schema.Subscription
	}
	if root == nil {
		return data
	}
	p := pruner{oc: oc, schema: schema}
	return p.value(data, oc.Operation.SelectionSet, root)
}

type pruner struct {
	oc     *graphql.OperationContext
	schema *ast.Schema
}

// value prunes a value of type typ selected with sel: an object, a list of
// them (at any depth), or anything else, which it returns as it is.
func (p pruner) value(raw json.RawMessage, sel ast.SelectionSet, typ *ast.Definition) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || len(sel) == 0 || typ == nil {
		return raw
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return raw
		}
		var b bytes.Buffer
		b.WriteByte('[')
		for i, item := range items {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(p.value(item, sel, typ))
		}
		b.WriteByte(']')
		return b.Bytes()
	case '{':
		return p.object(raw, sel, typ)
	}
	return raw
}

func (p pruner) object(raw json.RawMessage, sel ast.SelectionSet, typ *ast.Definition) json.RawMessage {
	keys, vals, ok := orderedObject(raw)
	if !ok {
		return raw
	}
	// The concrete types the object may be, and the fields each collects;
	// of an abstract type, those whose fields are the object's keys.
	candidates := []*ast.Definition{typ}
	if typ.IsAbstractType() {
		candidates = p.schema.GetPossibleTypes(typ)
	}
	var matching [][]graphql.CollectedField
	for _, c := range candidates {
		satisfies := []string{c.Name}
		for _, i := range p.schema.GetImplements(c) {
			satisfies = append(satisfies, i.Name)
		}
		fields := graphql.CollectFields(p.oc, sel, satisfies)
		if len(fields) != len(keys) {
			continue
		}
		same := true
		for i, f := range fields {
			same = same && f.Alias == keys[i]
		}
		if same {
			matching = append(matching, fields)
		}
	}
	if len(matching) == 0 {
		return raw
	}
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	for i, k := range keys {
		v := vals[i]
		deferred := true
		for _, fields := range matching {
			deferred = deferred && fields[i].IsDeferred()
		}
		if deferred && string(bytes.TrimSpace(v)) == "null" {
			continue
		}
		if len(matching) == 1 {
			f := matching[0][i]
			if f.Definition != nil {
				v = p.value(v, f.Selections, p.schema.Types[f.Definition.Type.Name()])
			}
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// orderedObject reads a JSON object's keys and values in their order.
func orderedObject(raw json.RawMessage) (keys []string, vals []json.RawMessage, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, false
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	return keys, vals, true
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
		out.Errors = append(out.Errors, &gqlerror.Error{Message: "internal error", Extensions: map[string]any{"code": fault.Internal}})
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
