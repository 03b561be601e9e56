package cpsim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers/citizenplane/wire"
)

// The simulator's write side: booking requests (POST /v3/requests) that
// hold seats for requestTTL, bookings (POST /v3/bookings) that sell them,
// and the bookings read back (GET /v3/bookings). Every change happens
// under Simulator.mu, so that two requests never get the same seat.

const (
	// requestTTL is how long a booking request holds its seats and prices [doc].
	requestTTL = 3 * time.Minute
	// FirstRequestID is the id of the simulator's first request.
	FirstRequestID = 244401
	// maxPassengers is the most passengers one request takes.
	maxPassengers = 9
	// maxRequestBody caps the bytes of a request body the simulator reads.
	maxRequestBody = 1 << 20
	// declinedPaymentMethod is the Stripe test payment method whose charge
	// is declined.
	declinedPaymentMethod = "pm_card_chargeDeclined"
)

// bookingRequest is a booking request: seats and bags of one flight.
type bookingRequest struct {
	id       int64
	flightID int64
	seats    int // adults and children
	infants  int
	// pair is the other request of a round-trip fare, 0 for a one-way one:
	// the two are booked together.
	pair    int64
	price   int64 // per seat, in cents (the flight's share of a pair's price)
	infant  int64 // per infant
	bags    int64 // all bags
	total   int64
	expires time.Time
	status  string // requestPending, requestBooked or requestAborted; expiry is read from expires
	booking string // cp_reference once booked
}

// pendingAt reports whether r still holds its seats at now.
func (r *bookingRequest) pendingAt(now time.Time) bool {
	return r.status == wire.RequestPending && now.Before(r.expires)
}

// statusAt is r's status as the API shows it at now.
func (r *bookingRequest) statusAt(now time.Time) string {
	if r.status == wire.RequestPending && !now.Before(r.expires) {
		return wire.RequestExpired
	}
	return r.status
}

// simBooking is a booking of one or two requests.
type simBooking struct {
	ref        string
	externalID string
	requestIDs []int64
	total      int64
	// canceled: the airline canceled it (CancelBooking).
	canceled bool
}

// leftLocked is the number of seats of f on sale at now: its seats (as
// generated, or as SetSeats set them) less those sold and those held by
// pending requests. It forgets requests that no longer hold seats.
func (s *Simulator) leftLocked(f simFlight, now time.Time) int {
	seats, ok := s.capacity[f.id]
	if !ok {
		seats = f.seats
	}
	return max(0, seats-s.sold[f.id]-s.heldLocked(f, now))
}

// heldLocked is the seats of f held by requests pending at now; it
// forgets the requests that no longer hold any.
func (s *Simulator) heldLocked(f simFlight, now time.Time) int {
	held := 0
	rs := s.held[f.id][:0]
	for _, r := range s.held[f.id] {
		if r.pendingAt(now) {
			held += r.seats
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		delete(s.held, f.id)
	} else {
		s.held[f.id] = rs
	}
	return held
}

// createRequests answers POST /v3/requests.
func (s *Simulator) createRequests(w http.ResponseWriter, r *http.Request) {
	req, ok := readBody(w, r, "flight_ids, passengers, bags, fare_type and customer_code", checkRequestShape)
	if !ok {
		return
	}
	now := s.now()
	flights := make([]simFlight, len(req.FlightIDs))
	for i, id := range req.FlightIDs {
		f, ok := s.find(id)
		if !ok {
			writeError(w, http.StatusNotFound, wire.TypeFlightNotFound, fmt.Sprintf("Flight %d not found", id))
			return
		}
		flights[i] = f
	}
	type party struct{ seats, infants int }
	parties := make([]party, len(flights))
	bagsPrice := make([]int64, len(flights))
	for i, f := range flights {
		a, c, in, msg := classify(req.Passengers, f.dep)
		if msg != "" {
			writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest, msg)
			return
		}
		parties[i] = party{a + c, in}
		if bagsPrice[i], msg = priceBags(f, req.Bags); msg != "" {
			writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest, msg)
			return
		}
	}
	if msg := checkBagKeys(req); msg != "" {
		writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest, msg)
		return
	}
	// Prices per seat and per infant, request by request.
	prices, infants := make([]int64, len(flights)), make([]int64, len(flights))
	for i, f := range flights {
		prices[i], infants[i] = f.price+s.reprice(f.id), f.infant
	}
	if req.FareType == wire.FareRoundTrip {
		out, _ := lookup(s.seed, flights[0].id) // pairs are fares of the schedule as first made
		back, _ := lookup(s.seed, flights[1].id)
		if !isPair(s.seed, out, back) {
			writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest,
				fmt.Sprintf("fare_type round_trip: flights %d and %d have no round-trip fare", out.id, back.id))
			return
		}
		// The pair's price is split so that the two requests add up to it.
		price, infant := pairFare(out, back)
		prices[0], prices[1] = price/2, price-price/2
		infants[0], infants[1] = infant/2, infant-infant/2
	}

	s.mu.Lock()
	for i, f := range flights {
		if _, ok := s.onSaleLocked(f, parties[i].seats, now); !ok {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, wire.TypeFlightUnavailable, fmt.Sprintf("Flight %d is no longer available", f.id))
			return
		}
	}
	out := wire.RequestsResponse{Requests: make([]wire.Request, len(flights))}
	made := make([]*bookingRequest, len(flights))
	for i, f := range flights {
		p := parties[i]
		rq := &bookingRequest{
			id:       s.nextID,
			flightID: f.id,
			seats:    p.seats,
			infants:  p.infants,
			price:    prices[i],
			infant:   infants[i],
			bags:     bagsPrice[i],
			total:    prices[i]*int64(p.seats) + infants[i]*int64(p.infants) + bagsPrice[i],
			expires:  now.Add(requestTTL),
			status:   wire.RequestPending,
		}
		s.nextID++
		s.requests[rq.id] = rq
		s.held[f.id] = append(s.held[f.id], rq)
		made[i] = rq
		out.Requests[i] = requestWire(rq, now)
	}
	if req.FareType == wire.FareRoundTrip {
		made[0].pair, made[1].pair = made[1].id, made[0].id
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

// requestWire is the API's request object for r.
func requestWire(r *bookingRequest, now time.Time) wire.Request {
	out := wire.Request{
		ID:         r.id,
		FlightID:   r.flightID,
		Status:     r.statusAt(now),
		ExpiresAt:  r.expires.UTC().Format(time.RFC3339),
		Price:      cents(r.price),
		BagsPrice:  cents(r.bags),
		TotalPrice: cents(r.total),
		Currency:   wire.CurrencyEUR,
	}
	if r.infants > 0 {
		n := cents(r.infant)
		out.InfantPrice = &n
	}
	return out
}

// readBody reads the request's JSON body as a T (strictly, see
// decodeStrict) and checks it with check, which returns the message of a
// 400 or "". On a failure it answers 400 INVALID_REQUEST and returns false.
func readBody[T any](w http.ResponseWriter, r *http.Request, fields string, check func(T) string) (T, bool) {
	var req T
	msg := decodeStrict(w, r, &req, fields)
	if msg == "" {
		msg = check(req)
	}
	if msg != "" {
		writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest, msg)
		return req, false
	}
	return req, true
}

// decodeStrict reads a JSON body into v, refusing unknown fields. It
// returns the message of a 400, naming the field at fault, or "".
func decodeStrict(w http.ResponseWriter, r *http.Request, v any, fields string) string {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.Decode(&struct{}{}) != io.EOF {
			return "Body must hold one JSON object"
		}
		return ""
	}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return fmt.Sprintf("%s must be a %s, not a %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "Unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "Body must be a JSON object with " + fields
}

// jsonKind names a Go kind as JSON does.
func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "slice", k == "array":
		return "array"
	case k == "map", k == "struct":
		return "object"
	case k == "bool":
		return "boolean"
	}
	return k
}

var (
	passportNumberRE = regexp.MustCompile(`^[A-Za-z0-9]{5,20}$`)
	countryRE        = regexp.MustCompile(`^[a-z]{2}$`)
	phoneRE          = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	emailRE          = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// checkRequestShape validates what a request body says on its own,
// returning the message of a 400 or "".
func checkRequestShape(req wire.RequestBody) string {
	switch {
	case len(req.FlightIDs) < 1 || len(req.FlightIDs) > 2:
		return "flight_ids must list one or two flight ids"
	case slices.ContainsFunc(req.FlightIDs, func(id int64) bool { return id <= 0 }):
		return "flight_ids must be positive integers"
	case len(req.FlightIDs) == 2 && req.FlightIDs[0] == req.FlightIDs[1]:
		return "flight_ids must not list a flight twice"
	case len(req.Passengers) < 1 || len(req.Passengers) > maxPassengers:
		return fmt.Sprintf("passengers must list 1 to %d passengers", maxPassengers)
	}
	for i, p := range req.Passengers {
		if msg := checkPassenger(p); msg != "" {
			return fmt.Sprintf("passengers[%d].%s", i, msg)
		}
	}
	switch {
	case req.Bags == nil:
		return "bags is required, listing every bag option of every flight"
	case req.FareType != wire.FareOneWay && req.FareType != wire.FareRoundTrip:
		return "fare_type must be one_way or round_trip"
	case req.FareType == wire.FareRoundTrip && len(req.FlightIDs) != 2:
		return "fare_type round_trip needs two flight_ids, outbound then inbound"
	case strings.TrimSpace(req.CustomerCode) == "":
		return "customer_code is required"
	}
	return ""
}

// checkPassenger validates one passenger's fields and their formats,
// returning the field's name and what is wrong, or "".
func checkPassenger(p wire.RequestPassenger) string {
	switch {
	case strings.TrimSpace(p.FirstName) == "" || len(p.FirstName) > 60:
		return "first_name is required (at most 60 characters)"
	case strings.TrimSpace(p.LastName) == "" || len(p.LastName) > 60:
		return "last_name is required (at most 60 characters)"
	case p.Gender != "male" && p.Gender != "female":
		return "gender must be male or female"
	case !validDate(wire.BirthDateLayout, p.DateOfBirth):
		return "date_of_birth must be a date formatted YYYY-MM-DD"
	case !passportNumberRE.MatchString(p.PassportNumber):
		return "passport_number must be 5 to 20 letters and digits"
	case !validDate(wire.ExpiryDateLayout, p.PassportExpiryDate):
		return "passport_expiry_date must be a date formatted DD/MM/YYYY"
	case !countryRE.MatchString(p.Nationality):
		return "nationality must be a lower-case ISO 3166-1 alpha-2 code"
	case !countryRE.MatchString(p.PassportCountryOfIssue):
		return "passport_country_of_issue must be a lower-case ISO 3166-1 alpha-2 code"
	}
	return ""
}

// validDate reports whether s is a date written exactly as layout.
func validDate(layout, s string) bool {
	t, err := time.Parse(layout, s)
	return err == nil && t.Format(layout) == s
}

// classify counts the passengers of a flight that departs at dep by their
// age that day (infants under 2, children under 12), and checks that they
// may fly: born, passports valid on the day, an adult, no more infants
// than adults. It returns the message of a 400 or "".
func classify(ps []wire.RequestPassenger, dep time.Time) (adults, children, infants int, msg string) {
	y, m, d := dep.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for i, p := range ps {
		birth, _ := time.Parse(wire.BirthDateLayout, p.DateOfBirth)
		expiry, _ := time.Parse(wire.ExpiryDateLayout, p.PassportExpiryDate)
		if birth.After(day) {
			return 0, 0, 0, fmt.Sprintf("passengers[%d].date_of_birth must be before the flight", i)
		}
		if expiry.Before(day) {
			return 0, 0, 0, fmt.Sprintf("passengers[%d].passport_expiry_date must not be before the flight", i)
		}
		switch age := yearsBetween(birth, day); {
		case age < 2:
			infants++
		case age < 12:
			children++
		default:
			adults++
		}
	}
	switch {
	case adults < 1:
		return 0, 0, 0, "passengers must include an adult (12 or more on the day of the flight)"
	case infants > adults:
		return 0, 0, 0, "passengers must not have more infants (under 2) than adults"
	case adults+children > maxSeats:
		return 0, 0, 0, fmt.Sprintf("passengers must take at most %d seats", maxSeats)
	}
	return adults, children, infants, ""
}

// yearsBetween is the age on day of someone born on birth.
func yearsBetween(birth, day time.Time) int {
	years := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		years--
	}
	return years
}

// priceBags checks that bags lists every bag option of f exactly once,
// and only those, and prices the quantities. It returns the message of a
// 400 or "".
func priceBags(f simFlight, all map[string]wire.BagChoice) (int64, string) {
	key := strconv.FormatInt(f.id, 10)
	bc, ok := all[key]
	if !ok {
		return 0, fmt.Sprintf("bags.%s is required: every bag option of every flight must be listed, with quantity 0 where none is chosen", key)
	}
	checked, cabin := bagOptions(f)
	var total int64
	seen := map[int]bool{}
	for _, c := range bc.Checked {
		i := slices.IndexFunc(checked, func(o simBag) bool { return o.weight == c.Weight })
		switch {
		case i < 0:
			return 0, fmt.Sprintf("bags.%s.checked: flight %d sells no %d kg bag", key, f.id, c.Weight)
		case seen[c.Weight]:
			return 0, fmt.Sprintf("bags.%s.checked lists the %d kg bag twice", key, c.Weight)
		case c.Quantity < 0:
			return 0, fmt.Sprintf("bags.%s.checked quantity must not be negative", key)
		}
		seen[c.Weight] = true
		total += checked[i].cents * int64(c.Quantity)
	}
	for _, o := range checked {
		if !seen[o.weight] {
			return 0, fmt.Sprintf("bags.%s.checked must list the %d kg bag, with quantity 0 if none is chosen", key, o.weight)
		}
	}
	seenDims := map[wire.Dimensions]bool{}
	for _, c := range bc.Cabin {
		i := slices.IndexFunc(cabin, func(o simBag) bool { return o.dims == c.Dimensions })
		d := c.Dimensions
		switch {
		case i < 0:
			return 0, fmt.Sprintf("bags.%s.cabin: flight %d sells no %dx%dx%d cabin bag", key, f.id, d.Width, d.Height, d.Length)
		case seenDims[d]:
			return 0, fmt.Sprintf("bags.%s.cabin lists the %dx%dx%d bag twice", key, d.Width, d.Height, d.Length)
		case c.Quantity < 0:
			return 0, fmt.Sprintf("bags.%s.cabin quantity must not be negative", key)
		}
		seenDims[d] = true
		total += cabin[i].cents * int64(c.Quantity)
	}
	for _, o := range cabin {
		if !seenDims[o.dims] {
			d := o.dims
			return 0, fmt.Sprintf("bags.%s.cabin must list the %dx%dx%d bag, with quantity 0 if none is chosen", key, d.Width, d.Height, d.Length)
		}
	}
	return total, ""
}

// checkBagKeys refuses bags of flights the request is not for.
func checkBagKeys(req wire.RequestBody) string {
	for _, k := range slices.Sorted(maps.Keys(req.Bags)) {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || !slices.Contains(req.FlightIDs, id) {
			return fmt.Sprintf("bags.%s: %q is not one of flight_ids", k, k)
		}
	}
	return ""
}

// createBooking answers POST /v3/bookings: it books all the requests at
// once, or none.
func (s *Simulator) createBooking(w http.ResponseWriter, r *http.Request) {
	req, ok := readBody(w, r, "request_ids, customer_code, the customer's details and self_psp or payment_method", checkBooking)
	if !ok {
		return
	}
	declined := req.PaymentMethod == declinedPaymentMethod ||
		req.ThreeDSecure != nil && (req.ThreeDSecure.ElectronicCommerceIndicator == "06" || req.ThreeDSecure.ElectronicCommerceIndicator == "01")

	now := s.now()
	s.mu.Lock()
	rs := make([]*bookingRequest, len(req.RequestIDs))
	for i, id := range req.RequestIDs {
		rq, ok := s.requests[id]
		if !ok {
			s.mu.Unlock()
			writeError(w, http.StatusNotFound, wire.TypeRequestNotFound, fmt.Sprintf("Request %d not found", id))
			return
		}
		rs[i] = rq
	}
	for _, rq := range rs {
		if rq.status == wire.RequestBooked {
			ref := rq.booking
			s.mu.Unlock()
			writeJSON(w, http.StatusConflict, wire.ErrorBody{
				Message:     fmt.Sprintf("Request %d is already booked in booking %s", rq.id, ref),
				Type:        wire.TypeAlreadyBooked,
				CPReference: ref,
			})
			return
		}
	}
	for _, rq := range rs {
		switch rq.statusAt(now) {
		case wire.RequestAborted:
			s.mu.Unlock()
			writeError(w, http.StatusForbidden, wire.TypeRequestAborted, fmt.Sprintf("Request %d was aborted", rq.id))
			return
		case wire.RequestExpired:
			s.mu.Unlock()
			writeError(w, http.StatusForbidden, wire.TypeRequestExpired, fmt.Sprintf("Request %d has expired", rq.id))
			return
		}
	}
	for _, rq := range rs {
		if rq.pair != 0 && !slices.Contains(req.RequestIDs, rq.pair) {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest,
				fmt.Sprintf("request_ids must list request %d with request %d: they are one round-trip fare", rq.pair, rq.id))
			return
		}
	}
	if declined {
		// A failed payment aborts the requests and frees their seats [doc, v1].
		for _, rq := range rs {
			rq.status = wire.RequestAborted
		}
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, wire.TypePaymentFailed, "Payment failed: the card was declined")
		return
	}
	b := &simBooking{ref: s.newReferenceLocked(), externalID: req.ExternalID, requestIDs: slices.Clone(req.RequestIDs)}
	for _, rq := range rs {
		rq.status, rq.booking = wire.RequestBooked, b.ref
		s.sold[rq.flightID] += rq.seats
		b.total += rq.total
	}
	s.bookings[b.ref] = b
	out := s.bookingWireLocked(b, now)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

// checkBooking validates a booking body on its own, returning the message
// of a 400 or "".
func checkBooking(req wire.BookingBody) string {
	switch {
	case len(req.RequestIDs) < 1 || len(req.RequestIDs) > 2:
		return "request_ids must list one or two request ids"
	case slices.ContainsFunc(req.RequestIDs, func(id int64) bool { return id <= 0 }):
		return "request_ids must be positive integers"
	case len(req.RequestIDs) == 2 && req.RequestIDs[0] == req.RequestIDs[1]:
		return "request_ids must not list a request twice"
	case strings.TrimSpace(req.CustomerCode) == "":
		return "customer_code is required"
	case strings.TrimSpace(req.FirstName) == "":
		return "first_name is required"
	case strings.TrimSpace(req.LastName) == "":
		return "last_name is required"
	case req.Gender != "" && req.Gender != "male" && req.Gender != "female":
		return "gender must be male or female"
	case !emailRE.MatchString(req.Email):
		return "email must be an email address"
	case !phoneRE.MatchString(req.PhoneNumber):
		return "phonenumber must be an E.164 phone number such as +33600000000"
	case req.PaymentMethod != "" && req.SelfPSP:
		return "send either payment_method or self_psp, not both"
	case req.PaymentMethod == "" && !req.SelfPSP:
		return "payment_method or self_psp is required"
	case req.PaymentMethod != "" && !strings.HasPrefix(req.PaymentMethod, "pm_"):
		return "payment_method must be a Stripe PaymentMethod id (pm_...)"
	case req.ThreeDSecure != nil && req.SelfPSP:
		return "three_d_secure goes with payment_method, not self_psp"
	}
	if t := req.ThreeDSecure; t != nil {
		switch {
		case t.Version != "1.0.2" && t.Version != "2.1.0" && t.Version != "2.2.0":
			return "three_d_secure.version must be 1.0.2, 2.1.0 or 2.2.0"
		case t.ElectronicCommerceIndicator == "07" || t.ElectronicCommerceIndicator == "00":
			return "three_d_secure.electronic_commerce_indicator 07 or 00 means authentication failed: leave three_d_secure unset"
		case !slices.Contains([]string{"05", "06", "01", "02"}, t.ElectronicCommerceIndicator):
			return "three_d_secure.electronic_commerce_indicator must be 05, 06, 01 or 02"
		case len(t.Cryptogram) != 28 || !is20Bytes(t.Cryptogram):
			return "three_d_secure.cryptogram must be 28 characters (20 bytes in base64)"
		case strings.TrimSpace(t.TransactionID) == "":
			return "three_d_secure.transaction_id is required"
		}
	}
	return ""
}

// getBooking answers GET /v3/bookings?cp_reference=...
func (s *Simulator) getBooking(w http.ResponseWriter, r *http.Request) {
	ref := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get(wire.ReferenceParam)))
	if ref == "" {
		writeError(w, http.StatusBadRequest, wire.TypeInvalidRequest, wire.ReferenceParam+" is required")
		return
	}
	now := s.now()
	s.mu.Lock()
	b, ok := s.bookings[ref]
	var out wire.Booking
	if ok {
		out = s.bookingWireLocked(b, now)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, wire.TypeBookingNotFound, fmt.Sprintf("Booking %s not found", ref))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// bookingWireLocked is the API's booking object for b, with its flights
// as they are now.
func (s *Simulator) bookingWireLocked(b *simBooking, now time.Time) wire.Booking {
	out := wire.Booking{
		CPReference: b.ref,
		Status:      wire.BookingConfirmed,
		ExternalID:  b.externalID,
		RequestIDs:  b.requestIDs,
		TotalPrice:  cents(b.total),
		Currency:    wire.CurrencyEUR,
		Flights:     make([]wire.Flight, 0, len(b.requestIDs)),
	}
	if b.canceled {
		out.Status = wire.BookingCanceled
	}
	for _, id := range b.requestIDs {
		f, _ := lookup(s.seed, s.requests[id].flightID)
		f = s.liveLocked(f)
		left, _ := s.onSaleLocked(f, 0, now)
		out.Flights = append(out.Flights, toWire(f, left))
	}
	return out
}

// newReferenceLocked draws a booking reference no booking has: six
// upper-case letters, from the seed and the number of draws, so that a
// run's references are the same every time.
func (s *Simulator) newReferenceLocked() string {
	for {
		s.refSeq++
		h := mix(s.seed, int64(s.refSeq), saltReference)
		var b [6]byte
		for i := range b {
			b[i] = 'A' + byte(h%26)
			h /= 26
		}
		if ref := string(b[:]); s.bookings[ref] == nil {
			return ref
		}
	}
}

// CancelBooking cancels a booking as the airline does on its side (a
// cancelled flight): reading it back (GET /v3/bookings) answers status
// "cancelled". It reports whether the booking existed and was not
// cancelled yet.
func (s *Simulator) CancelBooking(ref string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.bookings[ref]
	if !ok || b.canceled {
		return false
	}
	b.canceled = true
	return true
}

// is20Bytes reports whether s is 20 bytes in standard base64, as a 3-D
// Secure cryptogram is [doc].
func is20Bytes(s string) bool {
	b, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(b) == 20
}
