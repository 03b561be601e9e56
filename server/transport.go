package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// postJSON is GraphQL over HTTP POST with a JSON body. It replaces
// gqlgen's POST transport, which reads bodies without a limit, echoes a
// body it cannot decode back to the client, and marshals every answer a
// second time. Here the body is capped at MaxBodyBytes, decode errors say
// nothing of the body, and an answer without errors is written as it was
// built.
type postJSON struct{}

var _ graphql.Transport = postJSON{}

func (postJSON) Supports(r *http.Request) bool {
	if r.Method != http.MethodPost || r.Header.Get("Upgrade") != "" {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mediaType == "application/json"
}

func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	w.Header().Set("Content-Type", "application/json")
	start := graphql.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "the request body is larger than 1 MiB")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", "the request body could not be read")
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil || dec.More() {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", "the request body is not a JSON GraphQL request")
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	rc, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		w.WriteHeader(statusFor(errs))
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	writeResponse(w, responses(ctx))
}

// statusFor is 422 for requests that are not GraphQL at all, 200 otherwise,
// as gqlgen's own transports answer.
func statusFor(errs gqlerror.List) int {
	if errcode.GetErrorKind(errs) == errcode.KindProtocol {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

var (
	dataOpen  = []byte(`{"data":`)
	dataClose = []byte("}\n")
)

func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp != nil && len(resp.Errors) == 0 && len(resp.Extensions) == 0 && resp.Label == "" && len(resp.Path) == 0 && resp.HasNext == nil && len(resp.Data) > 0 {
		// Data is JSON that gqlgen wrote itself; write it as it is.
		w.Write(dataOpen)
		w.Write(resp.Data)
		w.Write(dataClose)
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Write(b)
}
