package liteapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
)

// fallbackHoldTTL is the life of a prebook whose answer carries no
// servicesAttachable.expiresAt. [assumed] The documentation gives prebooks
// no lifetime; 15 minutes is what the simulator uses and what checkout
// sessions of this kind commonly last.
const fallbackHoldTTL = 15 * time.Minute

// Hold creates a LiteAPI prebook (POST /flights/prebooks, B.3) of the
// part's offer for the travellers, then, when extras were chosen, attaches
// them (POST /flights/prebooks/{prebookId}/services, B.5).
//
// For a Merchant part the prebook asks for no payment intent
// (usePaymentSdk false): we take the payment ourselves and LiteAPI is paid
// on account (payment bypass and a credit line; the booking is paid with
// method CREDIT). For a ProviderIntent part it asks for one (usePaymentSdk
// true) and the Hold's Intent is LiteAPI's transactionId and secretKey of
// the last answer: attaching extras makes a new intent, and only the
// latest one books (B.5). Travellers are sent
// in the order given, which is the passengerIndex of Selections; the
// contact's E.164 phone is split into calling code and national number
// (see splitPhone). A Selection whose Ref is not a serviceId (an included
// bag such as "checked:23") is already in the fare and is not attached.
//
// The Hold's Ref is the prebookId; ExpiresAt is servicesAttachable.expiresAt
// ([assumed] the prebook holds as long as its services can be attached),
// now + 15 minutes when absent; Total is the price of the last answer,
// extras included; Ancillaries are the seats and bags still attachable.
//
// Errors are *providers.Error values with Op "hold" (or "attach_services"
// for the second call): SoldOut (53010, or 44012 for a seat taken),
// PriceChanged (53001, 52001), OfferExpired (expired offer or session),
// Rejected (validation, bad input), Unavailable or Timeout. A prebook whose
// extras could not be attached is left to lapse: LiteAPI has no call to
// cancel a prebook.
func (c *Client) Hold(ctx context.Context, r providers.HoldRequest) (*providers.Hold, error) {
	const op = "hold"
	if r.Part.Provider != Name || r.Part.Ref == "" {
		return nil, rejected(op, "not a LiteAPI offer", fmt.Errorf("hold part %q of provider %q", r.Part.Ref, r.Part.Provider))
	}
	req, err := newPrebookRequest(r)
	if err != nil {
		return nil, rejected(op, "the travellers or contact cannot be sent to LiteAPI", err)
	}
	selected, err := toSelectedServices(r.Selections, len(r.Travellers))
	if err != nil {
		return nil, rejected(op, "the extras chosen cannot be sent to LiteAPI", err)
	}

	var pre wire.PrebookResponse
	if err := c.observe(op, func() error {
		_, err := c.post(ctx, op, wire.PrebooksPath, req, &pre)
		return reclassify(err, holdCodes)
	}); err != nil {
		return nil, err
	}
	hold, segs, err := c.toHold(pre, nil)
	if err != nil {
		return nil, unreadable(op, 200, fmt.Errorf("map %s: %w", wire.PrebooksPath, err))
	}
	wantIntent := r.Settlement == providers.ProviderIntent
	if len(selected) == 0 {
		return hold, c.intentOf(op, wantIntent, hold, pre)
	}

	return c.attach(ctx, hold, selected, segs, wantIntent)
}

// Attach adds seats (or bags) to a part's prebook (POST
// /flights/prebooks/{prebookId}/services, B.5) and answers the prebook as
// it now stands: the same Ref, the new price, the services still
// attachable. The segments of the journey come from the answer; its
// servicesAttachable.expiresAt, when absent, keeps r.Hold's expiry.
func (c *Client) Attach(ctx context.Context, r providers.AttachRequest) (*providers.Hold, error) {
	const op = "attach_services"
	if r.Part.Provider != Name || r.Hold.Ref == "" {
		return nil, rejected(op, "not a LiteAPI prebook", fmt.Errorf("attach to hold %q of provider %q", r.Hold.Ref, r.Part.Provider))
	}
	selected, err := toSelectedServices(r.Selections, r.Part.Passengers.Total())
	if err != nil {
		return nil, rejected(op, "the extras chosen cannot be sent to LiteAPI", err)
	}
	if len(selected) == 0 {
		return nil, rejected(op, "no extras to attach", errors.New("no selections"))
	}
	// A prebook paid by LiteAPI's own intent gets a new intent with the
	// extras (B.5): the answer's replaces the hold's.
	return c.attach(ctx, &r.Hold, selected, nil, r.Hold.Intent != nil)
}

// attach posts selected to hold's prebook; segs are the journey's
// segments when an earlier answer gave them. wantIntent says the prebook is
// paid by LiteAPI's own intent, whose new id the answer must carry.
func (c *Client) attach(ctx context.Context, hold *providers.Hold, selected []wire.SelectedService, segs []wire.Segment, wantIntent bool) (*providers.Hold, error) {
	const attachOp = "attach_services"
	path := wire.ServicesPath(hold.Ref)
	var att wire.PrebookResponse
	if err := c.observe(attachOp, func() error {
		_, err := c.post(ctx, attachOp, path, wire.ServicesRequest{SelectedServices: selected}, &att)
		return reclassify(err, holdCodes)
	}); err != nil {
		return nil, err
	}
	attached, _, err := c.toHold(att, segs)
	if err != nil {
		return nil, unreadable(attachOp, 200, fmt.Errorf("map %s: %w", path, err))
	}
	attached.Ref = hold.Ref // the same prebook, whatever the answer repeats
	if att.Data[0].ServicesAttachable == nil || att.Data[0].ServicesAttachable.ExpiresAt == "" {
		attached.ExpiresAt = hold.ExpiresAt
	}
	return attached, c.intentOf(attachOp, wantIntent, attached, att)
}

// intentOf sets h.Intent from a prebook answer when the prebook is paid by
// LiteAPI's own payment intent (want); an answer without one is
// unreadable.
func (c *Client) intentOf(op string, want bool, h *providers.Hold, resp wire.PrebookResponse) error {
	if !want {
		return nil
	}
	d := resp.Data[0]
	if d.TransactionID == "" || d.SecretKey == "" {
		return unreadable(op, 200, errors.New("usePaymentSdk was true but the answer has no transactionId and secretKey"))
	}
	h.Intent = &providers.Intent{TransactionID: d.TransactionID, ClientSecret: d.SecretKey, Amount: h.Total}
	return nil
}

// Settlements: LiteAPI is paid on credit (Merchant) or by its own Stripe
// intent (ProviderIntent).
func (c *Client) Settlements() []providers.Settlement {
	return settlements()
}

// observe runs one HTTP exchange of op and reports it to the observer.
func (c *Client) observe(op string, f func() error) error {
	start := time.Now()
	err := f()
	providers.Observe(c.cfg.Observer, Name, op, start, err)
	return err
}

// newPrebookRequest is the prebook body for r.
func newPrebookRequest(r providers.HoldRequest) (wire.PrebookRequest, error) {
	if len(r.Travellers) == 0 {
		return wire.PrebookRequest{}, errors.New("no travellers")
	}
	contact, err := toWireContact(r.Contact, r.Travellers)
	if err != nil {
		return wire.PrebookRequest{}, err
	}
	pax := make([]wire.Passenger, len(r.Travellers))
	for i, t := range r.Travellers {
		if pax[i], err = toWirePassenger(t); err != nil {
			return wire.PrebookRequest{}, fmt.Errorf("traveller %d: %w", i, err)
		}
	}
	switch r.Settlement {
	case "", providers.Merchant, providers.ProviderIntent:
	default:
		return wire.PrebookRequest{}, fmt.Errorf("LiteAPI does not settle by %s", r.Settlement)
	}
	return wire.PrebookRequest{OfferID: r.Part.Ref, UsePaymentSdk: r.Settlement == providers.ProviderIntent, IncludeCreditBalance: false,
		Contact: contact, Passengers: pax}, nil
}

// toWireContact maps the contact. An empty email or phone is taken from
// the first traveller that has one: LiteAPI requires both.
func toWireContact(c providers.Contact, ts []providers.Traveller) (wire.Contact, error) {
	email, phone := c.Email, c.PhoneNumber
	for _, t := range ts {
		if email == "" {
			email = t.Email
		}
		if phone == "" {
			phone = t.PhoneNumber
		}
	}
	if phone == "" {
		return wire.Contact{}, errors.New("contact: no phone number")
	}
	cc, national, err := splitPhone(phone)
	if err != nil {
		return wire.Contact{}, fmt.Errorf("contact: %w", err)
	}
	return wire.Contact{FirstName: c.GivenName, LastName: c.FamilyName, Email: email, PhoneCountryCode: cc, PhoneNumber: national}, nil
}

// toWirePassenger maps a traveller to the flat prebook passenger. The
// document fields are sent only with a document number.
func toWirePassenger(t providers.Traveller) (wire.Passenger, error) {
	p := wire.Passenger{FirstName: t.GivenName, LastName: t.FamilyName, Birthday: string(t.DateOfBirth),
		Nationality: strings.ToUpper(t.Nationality)}
	switch t.Type {
	case providers.Adult:
		p.PassengerType = wire.PaxTypeAdult
	case providers.Child:
		p.PassengerType = wire.PaxTypeChild
	case providers.Infant:
		p.PassengerType = wire.PaxTypeInfant
	default:
		return wire.Passenger{}, fmt.Errorf("passenger type %q", t.Type)
	}
	switch strings.ToUpper(t.Gender) {
	case "MALE", wire.GenderMale:
		p.Gender = wire.GenderMale
	case "FEMALE", wire.GenderFemale:
		p.Gender = wire.GenderFemale
	default:
		return wire.Passenger{}, fmt.Errorf("gender %q is not MALE or FEMALE", t.Gender)
	}
	if t.DocumentNumber != "" {
		p.DocumentType = wire.DocumentPassport
		p.DocumentNumber = t.DocumentNumber
		p.DocumentIssueCountry = strings.ToUpper(t.DocumentIssuingCountry)
		p.DocumentExpiry = string(t.DocumentExpiresOn)
	}
	return p, nil
}

// toSelectedServices maps the extras to attach, in the order given. Refs
// of included bags ("checked:23", made by toAncillary for items without a
// serviceId) are in the fare already and are left out.
func toSelectedServices(sel []providers.Selection, travellers int) ([]wire.SelectedService, error) {
	var out []wire.SelectedService
	for i, s := range sel {
		switch {
		case s.Ref == "":
			return nil, fmt.Errorf("selection %d: no ref", i)
		case s.PassengerIndex < 0 || s.PassengerIndex >= travellers:
			return nil, fmt.Errorf("selection %d: passenger index %d of %d travellers", i, s.PassengerIndex, travellers)
		case s.Quantity < 1:
			return nil, fmt.Errorf("selection %d: quantity %d", i, s.Quantity)
		case isIncludedRef(s.Ref):
			continue
		}
		out = append(out, wire.SelectedService{PassengerIndex: s.PassengerIndex, ServiceID: s.Ref, Quantity: s.Quantity})
	}
	return out, nil
}

// isIncludedRef reports whether ref names an included bag ("cabin:8")
// rather than a serviceId.
func isIncludedRef(ref string) bool {
	kind, weight, ok := strings.Cut(ref, ":")
	if _, bag := bagKinds[kind]; !ok || !bag {
		return false
	}
	_, err := strconv.ParseUint(weight, 10, 16)
	return err == nil
}

// toHold maps a prebook answer (creation or attach). segs are the journey
// segments known from an earlier answer, used when this one has none; the
// segments used are returned for the next answer.
func (c *Client) toHold(resp wire.PrebookResponse, segs []wire.Segment) (*providers.Hold, []wire.Segment, error) {
	if len(resp.Data) == 0 {
		return nil, nil, errors.New("no data")
	}
	d := resp.Data[0]
	if d.PrebookID == "" {
		return nil, nil, errors.New("no prebookId")
	}
	if d.Booking != nil && d.Booking.Journey != nil && len(d.Booking.Journey.Segments) > 0 {
		segs = d.Booking.Journey.Segments
	}
	total, err := requiredMoney(d.Price, d.Currency)
	if err != nil {
		return nil, nil, fmt.Errorf("price: %w", err)
	}
	h := &providers.Hold{Ref: d.PrebookID, Total: total, ExpiresAt: c.cfg.Now().Add(fallbackHoldTTL).UTC()}
	if sa := d.ServicesAttachable; sa != nil {
		if sa.ExpiresAt != "" {
			t, err := time.Parse(time.RFC3339Nano, sa.ExpiresAt)
			if err != nil {
				return nil, nil, fmt.Errorf("servicesAttachable.expiresAt %q: %w", sa.ExpiresAt, err)
			}
			h.ExpiresAt = t.UTC()
		}
		if h.Ancillaries, err = serviceAncillaries(*sa, segs, d.Currency); err != nil {
			return nil, nil, err
		}
	}
	return h, segs, nil
}

// serviceAncillaries maps the attachable seats and bags; other categories
// (meals, ...) and services without a serviceId are left out, and a
// serviceId listed twice is kept once. The result is never nil.
func serviceAncillaries(sa wire.ServicesAttachable, segs []wire.Segment, currency string) ([]providers.Ancillary, error) {
	out := []providers.Ancillary{}
	seen := map[string]bool{}
	for gi, g := range sa.Groups {
		for si, s := range g.Services {
			if s.Category == "" {
				s.Category = g.Category
			}
			a, ok, err := serviceAncillary(s, segs, currency)
			if err != nil {
				return nil, fmt.Errorf("servicesAttachable group %d service %d: %w", gi, si, err)
			}
			if ok && !seen[a.Ref] {
				seen[a.Ref] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}

func serviceAncillary(s wire.Service, segs []wire.Segment, currency string) (providers.Ancillary, bool, error) {
	if s.ServiceID == "" {
		return providers.Ancillary{}, false, nil
	}
	a := providers.Ancillary{Ref: s.ServiceID, Description: s.Name, Segment: flightOf(s.SegmentKey, segs)}
	switch s.Category {
	case wire.CategorySeat:
		a.Kind = providers.Seat
		if s.Metadata != nil && s.Metadata.Seat != nil {
			a.Seat = seatInfo(*s.Metadata.Seat)
			if a.Description == "" {
				a.Description = "Seat " + s.Metadata.Seat.SeatNumber
			}
		}
	case wire.CategoryBaggage:
		if s.Metadata == nil || s.Metadata.Baggage == nil {
			return providers.Ancillary{}, false, nil
		}
		b := s.Metadata.Baggage
		kind, ok := bagKinds[b.BagType]
		if !ok {
			return providers.Ancillary{}, false, nil
		}
		w, err := weightKg(b.WeightKg)
		if err != nil {
			return providers.Ancillary{}, false, err
		}
		a.Kind, a.WeightKg = kind, w
	default:
		return providers.Ancillary{}, false, nil
	}
	if s.Pricing.Display.Currency != "" {
		currency = s.Pricing.Display.Currency
	}
	// Seats may cost nothing (B.10: the sandbox priced them 0).
	price, err := atLeast(s.Pricing.Display.Amount, currency, 0)
	if err != nil {
		return providers.Ancillary{}, false, fmt.Errorf("price: %w", err)
	}
	a.Price = price
	return a, true, nil
}

// seatInfo maps a seat's metadata (B.8). Its column is seatColumn, or
// the letters ending seatNumber; position window|aisle|middle and
// seatType extra_legroom are characteristics, other values are left
// out. "available": false is a seat taken (by another booking); a seat
// without the flag is available [assumed]: the servicesAttachable list
// is of seats that can be attached.
func seatInfo(m wire.SeatMetadata) *providers.SeatInfo {
	col := m.SeatColumn
	if col == "" {
		col = strings.TrimLeft(m.SeatNumber, "0123456789")
	}
	row := m.SeatRow
	if row == 0 {
		row, _ = strconv.Atoi(strings.TrimRight(m.SeatNumber, "ABCDEFGHJKLMNPQRSTUVWXYZ"))
	}
	si := &providers.SeatInfo{Designator: m.SeatNumber, Row: row, Column: col, Available: m.Available == nil || *m.Available}
	switch m.Position {
	case "window":
		si.Characteristics = append(si.Characteristics, providers.Window)
	case "aisle":
		si.Characteristics = append(si.Characteristics, providers.Aisle)
	case "middle":
		si.Characteristics = append(si.Characteristics, providers.Middle)
	}
	if m.SeatType == "extra_legroom" {
		si.Characteristics = append(si.Characteristics, providers.ExtraLegroom)
	}
	return si
}

// callingCodes are the country calling codes (ITU-T E.164) of the
// countries we sell to and from, and of our travellers' usual homes:
// Europe, the Maghreb and North and West Africa, French overseas
// departments, North America (the whole +1 plan) and the main long-haul
// markets. Codes are prefix-free, so the longest match is the only one;
// they are still tried longest first. A number under another code is
// refused (Rejected) rather than split wrongly: add its code here.
var callingCodes = sortedLongestFirst(
	"1", // US, Canada and the rest of the North American plan
	"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
	"351", "352", "353", "354", "355", "356", "357", "358", "359", "370", "371", "372", "376", "377", "378",
	"380", "381", "382", "385", "386", "387", "389", "420", "421", "423",
	"212", "213", "216", "218", "221", "223", "224", "225", "226", "227", "228", "229", "230", "237", "241", "242", "243",
	"261", "262", "269", // Madagascar, Réunion and Mayotte, Comoros
	"508", "509", "590", "594", "596", // Saint-Pierre, Haiti, Guadeloupe, French Guiana, Martinique
	"52", "54", "55", "56", "57", "61", "64", "65", "66", "81", "82", "84", "86", "90", "91",
	"687", "689", "852", "961", "962", "965", "966", "971", "972", "973", "974",
)

func sortedLongestFirst(codes ...string) []string {
	slices.SortStableFunc(codes, func(a, b string) int { return len(b) - len(a) })
	return codes
}

// splitPhone splits an E.164 number ("+33612345678") into the calling code
// ("33") and the national number ("612345678"), which is what LiteAPI's
// contact takes (B.3: phoneCountryCode, phoneNumber). Spaces, dots,
// dashes and parentheses are ignored and a leading "00" is read as "+".
// The national number keeps its digits as they are (Italian numbers start
// with 0). The sandbox answered a bad phone with HTTP 500 (B.10), so a
// number that cannot be split is refused here.
func splitPhone(s string) (code, national string, err error) {
	n := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '(', ')', '\u00a0':
			return -1
		}
		return r
	}, s)
	if strings.HasPrefix(n, "00") {
		n = "+" + n[2:]
	}
	digits, ok := strings.CutPrefix(n, "+")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" || len(digits) > 15 {
		return "", "", fmt.Errorf("phone %q is not an E.164 number", s)
	}
	for _, cc := range callingCodes {
		if rest, ok := strings.CutPrefix(digits, cc); ok {
			if len(rest) < 4 {
				return "", "", fmt.Errorf("phone %q: national number too short", s)
			}
			return cc, rest, nil
		}
	}
	return "", "", fmt.Errorf("phone %q: calling code not in the adapter's table", s)
}

// settlements is LiteAPI's list: credit (Merchant) or its own intent (ProviderIntent).
func settlements() []providers.Settlement {
	return []providers.Settlement{providers.Merchant, providers.ProviderIntent}
}
