package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
)

// HTTP is the plumbing the adapters' calls share: it sends one request to
// a provider's API, with its body encoded as JSON, and reads the whole
// answer whatever its status. What a status, a body or a failure means
// (codes, messages, observation) stays with each adapter.
type HTTP struct {
	// Client makes the calls; it must not be nil.
	Client *http.Client
	// BaseURL is put before every path, without a trailing slash.
	BaseURL string
	// Header is sent with every request, authentication included. Accept
	// is always application/json, and Content-Type is application/json on
	// requests with a body.
	Header http.Header
	// MaxBody is the most bytes of an answer read; a longer answer is a
	// failure at step HTTPTooLarge.
	MaxBody int
}

// HTTPStep names the step at which an exchange failed.
type HTTPStep int

// The steps of an exchange that can fail.
const (
	// HTTPEncode: the request body could not be encoded as JSON.
	HTTPEncode HTTPStep = iota + 1
	// HTTPRequest: the request could not be built (an invalid URL).
	HTTPRequest
	// HTTPSend: the request got no answer (no connection, a deadline).
	HTTPSend
	// HTTPRead: the answer was cut short while its body was read.
	HTTPRead
	// HTTPTooLarge: the answer's body is longer than MaxBody.
	HTTPTooLarge
)

// HTTPError is an exchange that did not get a whole answer. Status is the
// answer's HTTP status at steps HTTPRead and HTTPTooLarge, 0 before. Err
// is the failure of the step, nil for HTTPTooLarge.
type HTTPError struct {
	Step   HTTPStep
	Status int
	Err    error
}

func (e *HTTPError) Error() string {
	if e.Err == nil {
		return "answer too large"
	}
	return e.Err.Error()
}

func (e *HTTPError) Unwrap() error { return e.Err }

// Do sends method path (with query, when not empty) and in as its JSON
// body (no body when in is nil), and returns the answer's status and body.
// Its only errors are *HTTPError values: a non-2xx answer is not an
// error here.
func (h HTTP) Do(ctx context.Context, method, path string, query url.Values, in any) (status int, body []byte, err error) {
	u := h.BaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var r io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, &HTTPError{Step: HTTPEncode, Err: err}
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return 0, nil, &HTTPError{Step: HTTPRequest, Err: err}
	}
	if h.Header != nil {
		req.Header = h.Header.Clone()
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		return 0, nil, &HTTPError{Step: HTTPSend, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, int64(h.MaxBody)+1))
	if err != nil {
		return resp.StatusCode, nil, &HTTPError{Step: HTTPRead, Status: resp.StatusCode, Err: err}
	}
	if len(data) > h.MaxBody {
		return resp.StatusCode, nil, &HTTPError{Step: HTTPTooLarge, Status: resp.StatusCode}
	}
	return resp.StatusCode, data, nil
}

// DecodeJSON decodes the JSON body data into out, keeping the exact digits
// of numbers that out holds as json.Number.
func DecodeJSON(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(out)
}

// IsTimeout reports whether err, the failure of a call made under ctx, is
// a deadline: the context's, or the network's.
func IsTimeout(ctx context.Context, err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}
