package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// BookingCanceler is a simulator that cancels a booking on the airline's
// side (a cancelled flight), by the provider's booking reference; false
// when it has no such booking or it is cancelled already.
type BookingCanceler interface {
	CancelBooking(reference string) bool
}

// CancellationsPender is a simulator whose cancellations can answer
// "pending" (LiteAPI's 202) while on.
type CancellationsPender interface {
	SetCancellationsPending(on bool)
}

// OperationLister is a simulator that names the operations SetFailure
// takes.
type OperationLister interface {
	Operations() []string
}

// ControlHandler serves the knobs of the simulators ctrls (by provider
// name) over HTTP, for a developer or a test to turn on a running server.
// Paths are relative to where it is mounted; bodies and answers are JSON;
// durations are Go durations ("150ms", "-1h30m"):
//
//	GET    /                                        the providers, their operations and knobs
//	PUT    /{provider}/latency                      {"latency": "150ms"}
//	PUT    /{provider}/failure-rate                 {"rate": 0.25} (0 to 1)
//	PUT    /{provider}/failures/{operation}         {"mode": "before" | "after" | "timeout"}
//	DELETE /{provider}/failures/{operation}         the operation works again
//	PUT    /{provider}/flights/{carrier}/{number}/{date}/seats   {"seats": 0}
//	POST   /{provider}/flights/{carrier}/{number}/{date}/shift   {"by": "90m"}: a schedule change
//	POST   /{provider}/bookings/{reference}/cancel  the airline cancels the booking
//	PUT    /{provider}/cancellations-pending        {"on": true}: cancellations answer "pending"
//
// A flight is its marketing carrier, its number without the carrier and
// its departure date, local to the origin (Segment.carrierCode,
// flightNumber and the date of departureAt); a booking is named by the
// provider's reference (Booking.providerReference). Errors answer
// {"error": {"code", "message"}}: 400 BAD_REQUEST for a body or value that
// does not parse, 404 UNKNOWN_PROVIDER, UNKNOWN_OPERATION, UNKNOWN_FLIGHT,
// UNKNOWN_BOOKING (or already cancelled), and 404 UNSUPPORTED for a knob
// the provider's simulator does not have.
func ControlHandler(ctrls map[string]Controller) http.Handler {
	c := control(ctrls)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.list)
	mux.HandleFunc("PUT /{provider}/latency", c.latency)
	mux.HandleFunc("PUT /{provider}/failure-rate", c.failureRate)
	mux.HandleFunc("PUT /{provider}/failures/{op}", c.failure)
	mux.HandleFunc("DELETE /{provider}/failures/{op}", c.failure)
	mux.HandleFunc("PUT /{provider}/flights/{carrier}/{number}/{date}/seats", c.seats)
	mux.HandleFunc("POST /{provider}/flights/{carrier}/{number}/{date}/shift", c.shift)
	mux.HandleFunc("POST /{provider}/bookings/{reference}/cancel", c.cancelBooking)
	mux.HandleFunc("PUT /{provider}/cancellations-pending", c.pending)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		controlError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("no control %s %s; GET / lists them", r.Method, r.URL.Path))
	})
	return mux
}

type control map[string]Controller

func controlError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func controlOK(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// provider finds the simulator the path names, or answers 404.
func (c control) provider(w http.ResponseWriter, r *http.Request) (string, Controller, bool) {
	name := r.PathValue("provider")
	s, ok := c[name]
	if !ok {
		names := make([]string, 0, len(c))
		for n := range c {
			names = append(names, n)
		}
		sort.Strings(names)
		controlError(w, http.StatusNotFound, "UNKNOWN_PROVIDER", fmt.Sprintf("no simulator %q; one of %s", name, strings.Join(names, ", ")))
	}
	return name, s, ok
}

// body decodes the request's JSON object into v (unknown fields refused),
// or answers 400.
func body(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		controlError(w, http.StatusBadRequest, "BAD_REQUEST", "body: "+err.Error())
		return false
	}
	return true
}

func duration(w http.ResponseWriter, field, s string) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	if err != nil {
		controlError(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("%s: %q is not a duration such as \"150ms\" or \"-1h30m\"", field, s))
		return 0, false
	}
	return d, true
}

func knobs(s Controller) []string {
	k := []string{"latency", "failure-rate", "seats", "shift"}
	if _, ok := s.(OperationLister); ok {
		k = append(k, "failures")
	}
	if _, ok := s.(BookingCanceler); ok {
		k = append(k, "cancel-booking")
	}
	if _, ok := s.(CancellationsPender); ok {
		k = append(k, "cancellations-pending")
	}
	return k
}

func (c control) list(w http.ResponseWriter, _ *http.Request) {
	out := map[string]any{}
	for name, s := range c {
		p := map[string]any{"knobs": knobs(s)}
		if ol, ok := s.(OperationLister); ok {
			p["operations"] = ol.Operations()
		}
		out[name] = p
	}
	controlOK(w, map[string]any{"providers": out})
}

func (c control) latency(w http.ResponseWriter, r *http.Request) {
	name, s, ok := c.provider(w, r)
	var in struct {
		Latency string `json:"latency"`
	}
	if !ok || !body(w, r, &in) {
		return
	}
	d, ok := duration(w, "latency", in.Latency)
	if !ok {
		return
	}
	if d < 0 || d > 5*time.Minute {
		controlError(w, http.StatusBadRequest, "BAD_REQUEST", "latency: from 0 to 5m")
		return
	}
	s.SetLatency(d)
	controlOK(w, map[string]any{"provider": name, "latency": d.String()})
}

func (c control) failureRate(w http.ResponseWriter, r *http.Request) {
	name, s, ok := c.provider(w, r)
	var in struct {
		Rate *float64 `json:"rate"`
	}
	if !ok || !body(w, r, &in) {
		return
	}
	if in.Rate == nil || *in.Rate < 0 || *in.Rate > 1 {
		controlError(w, http.StatusBadRequest, "BAD_REQUEST", "rate: a number from 0 to 1")
		return
	}
	s.SetFailureRate(*in.Rate)
	controlOK(w, map[string]any{"provider": name, "rate": *in.Rate})
}

func (c control) failure(w http.ResponseWriter, r *http.Request) {
	name, s, ok := c.provider(w, r)
	if !ok {
		return
	}
	ol, ok := s.(OperationLister)
	if !ok {
		controlError(w, http.StatusNotFound, "UNSUPPORTED", name+"'s simulator does not name its operations")
		return
	}
	op := r.PathValue("op")
	if !slices.Contains(ol.Operations(), op) {
		controlError(w, http.StatusNotFound, "UNKNOWN_OPERATION", fmt.Sprintf("%s has no operation %q; one of %s", name, op, strings.Join(ol.Operations(), ", ")))
		return
	}
	mode := FailNone
	if r.Method == http.MethodPut {
		var in struct {
			Mode string `json:"mode"`
		}
		if !body(w, r, &in) {
			return
		}
		m, err := ParseFailMode(in.Mode)
		if err != nil || m == FailNone {
			controlError(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("mode: %q is not before, after or timeout (DELETE the failure to end it)", in.Mode))
			return
		}
		mode = m
	}
	s.SetFailure(op, mode)
	controlOK(w, map[string]any{"provider": name, "operation": op, "mode": string(mode)})
}

// flight reads the flight the path names, or answers 400.
func flight(w http.ResponseWriter, r *http.Request) (FlightKey, bool) {
	k := FlightKey{Carrier: strings.ToUpper(r.PathValue("carrier")), Number: r.PathValue("number"), Date: r.PathValue("date")}
	if _, err := time.Parse(time.DateOnly, k.Date); err != nil {
		controlError(w, http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("date: %q is not a date (YYYY-MM-DD)", k.Date))
		return k, false
	}
	return k, true
}

func flightError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrUnknownFlight) {
		controlError(w, http.StatusNotFound, "UNKNOWN_FLIGHT", err.Error())
		return
	}
	controlError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
}

func (c control) seats(w http.ResponseWriter, r *http.Request) {
	name, s, ok := c.provider(w, r)
	if !ok {
		return
	}
	k, ok := flight(w, r)
	var in struct {
		Seats *int `json:"seats"`
	}
	if !ok || !body(w, r, &in) {
		return
	}
	if in.Seats == nil || *in.Seats < 0 || *in.Seats > 999 {
		controlError(w, http.StatusBadRequest, "BAD_REQUEST", "seats: a number from 0 to 999")
		return
	}
	if err := s.SetSeats(k, *in.Seats); err != nil {
		flightError(w, err)
		return
	}
	controlOK(w, map[string]any{"provider": name, "flight": k.String(), "seats": *in.Seats})
}

func (c control) shift(w http.ResponseWriter, r *http.Request) {
	name, s, ok := c.provider(w, r)
	if !ok {
		return
	}
	k, ok := flight(w, r)
	var in struct {
		By string `json:"by"`
	}
	if !ok || !body(w, r, &in) {
		return
	}
	d, ok := duration(w, "by", in.By)
	if !ok {
		return
	}
	if d == 0 || d > 72*time.Hour || d < -72*time.Hour {
		controlError(w, http.StatusBadRequest, "BAD_REQUEST", "by: not zero, at most 72h either way")
		return
	}
	if err := s.ShiftSchedule(k, d); err != nil {
		flightError(w, err)
		return
	}
	controlOK(w, map[string]any{"provider": name, "flight": k.String(), "shiftedBy": d.String()})
}

func (c control) cancelBooking(w http.ResponseWriter, r *http.Request) {
	name, s, ok := c.provider(w, r)
	if !ok {
		return
	}
	bc, ok := s.(BookingCanceler)
	if !ok {
		controlError(w, http.StatusNotFound, "UNSUPPORTED", name+"'s simulator cannot cancel bookings")
		return
	}
	ref := r.PathValue("reference")
	if !bc.CancelBooking(ref) {
		controlError(w, http.StatusNotFound, "UNKNOWN_BOOKING", fmt.Sprintf("%s has no booking %q that is not cancelled yet (use Booking.providerReference)", name, ref))
		return
	}
	controlOK(w, map[string]any{"provider": name, "reference": ref, "status": "CANCELED"})
}

func (c control) pending(w http.ResponseWriter, r *http.Request) {
	name, s, ok := c.provider(w, r)
	if !ok {
		return
	}
	cp, ok := s.(CancellationsPender)
	if !ok {
		controlError(w, http.StatusNotFound, "UNSUPPORTED", name+"'s simulator has no pending cancellations")
		return
	}
	var in struct {
		On *bool `json:"on"`
	}
	if !body(w, r, &in) {
		return
	}
	if in.On == nil {
		controlError(w, http.StatusBadRequest, "BAD_REQUEST", "on: true or false")
		return
	}
	cp.SetCancellationsPending(*in.On)
	controlOK(w, map[string]any{"provider": name, "cancellationsPending": *in.On})
}
