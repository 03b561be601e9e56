package liteapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/providers/liteapi/litesim"
	"github.com/faregraph/faregraph/providers/liteapi/wire"
	"github.com/faregraph/faregraph/providers/sim"
)

// familyPax is the party of the simulator write tests.
var familyPax = providers.Passengers{Adults: 1, Children: 1, Infants: 1}

// validPrebook is a prebook body for offerID and familyPax; cases change
// one field.
func validPrebook(offerID string) map[string]any {
	pax := func(first, birthday, gender string, typ int) map[string]any {
		return map[string]any{"firstName": first, "lastName": "Dupont", "birthday": birthday, "gender": gender,
			"nationality": "FR", "passengerType": typ, "documentType": "passport", "documentNumber": "X1",
			"documentIssueCountry": "FR", "documentExpiry": "2030-01-01"}
	}
	return map[string]any{
		"offerId": offerID, "usePaymentSdk": false, "includeCreditBalance": false,
		"contact":    map[string]any{"firstName": "Marie", "lastName": "Dupont", "email": "m@example.com", "phoneCountryCode": "33", "phoneNumber": "612345678"},
		"passengers": []any{pax("Jean", "1985-04-12", "M", 0), pax("Léa", "2018-05-20", "F", 1), pax("Hugo", "2025-09-14", "M", 2)},
	}
}

func passengerOf(m map[string]any, i int) map[string]any {
	return m["passengers"].([]any)[i].(map[string]any)
}

func TestSimulatorPrebookRejects(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), familyPax, nil)
	id := o.Parts[0].Ref
	tests := []struct {
		name   string
		edit   func(m map[string]any)
		status int
		want   wire.APIError // Message and Description not compared
	}{
		{"no offerId", func(m map[string]any) { delete(m, "offerId") }, 400, wire.APIError{Code: 43001, Key: "bodyRequest.offerId"}},
		{"bad offerId", func(m map[string]any) { m["offerId"] = "h6NwaWTZ" }, 400, wire.APIError{Code: 43007, Key: "bodyRequest.offerId"}},
		{"no contact", func(m map[string]any) { delete(m, "contact") }, 400, wire.APIError{Code: 43002, Key: "bodyRequest.contact"}},
		{"no email", func(m map[string]any) { delete(m["contact"].(map[string]any), "email") }, 400,
			wire.APIError{Code: 43002, Key: "bodyRequest.contact.email"}},
		{"bad email", func(m map[string]any) { m["contact"].(map[string]any)["email"] = "nope" }, 400,
			wire.APIError{Code: 43006, Key: "bodyRequest.contact.email"}},
		{"phone not digits (B.10)", func(m map[string]any) { m["contact"].(map[string]any)["phoneNumber"] = "+33612345678" }, 500,
			wire.APIError{Code: 53099}},
		{"no passengers", func(m map[string]any) { m["passengers"] = []any{} }, 400, wire.APIError{Code: 43002, Key: "bodyRequest.passengers"}},
		{"a passenger short", func(m map[string]any) { m["passengers"] = m["passengers"].([]any)[:2] }, 400,
			wire.APIError{Code: 43006, Key: "bodyRequest.passengers"}},
		{"types do not match", func(m map[string]any) {
			passengerOf(m, 1)["passengerType"] = 0
			passengerOf(m, 1)["birthday"] = "1990-01-01"
		}, 400, wire.APIError{Code: 43006, Key: "bodyRequest.passengers"}},
		{"type as a string (recipes sketch)", func(m map[string]any) { passengerOf(m, 0)["passengerType"] = "ADT" }, 400,
			wire.APIError{Code: 4000}},
		{"no passengerType", func(m map[string]any) { delete(passengerOf(m, 0), "passengerType") }, 400,
			wire.APIError{Code: 43002, Key: "bodyRequest.passengers[0].passengerType"}},
		{"gender", func(m map[string]any) { passengerOf(m, 0)["gender"] = "MALE" }, 400,
			wire.APIError{Code: 43006, Key: "bodyRequest.passengers[0].gender"}},
		{"child too old", func(m map[string]any) { passengerOf(m, 1)["birthday"] = "2010-01-01" }, 400,
			wire.APIError{Code: 43006, Key: "bodyRequest.passengers[1].birthday"}},
		{"infant too old", func(m map[string]any) { passengerOf(m, 2)["birthday"] = "2024-06-30" }, 400,
			wire.APIError{Code: 43006, Key: "bodyRequest.passengers[2].birthday"}},
		{"born after the flight", func(m map[string]any) { passengerOf(m, 2)["birthday"] = "2026-07-02" }, 400,
			wire.APIError{Code: 43006, Key: "bodyRequest.passengers[2].birthday"}},
		{"birthday format", func(m map[string]any) { passengerOf(m, 0)["birthday"] = "12/04/1985" }, 400,
			wire.APIError{Code: 43006, Key: "bodyRequest.passengers[0].birthday"}},
		{"document expires first", func(m map[string]any) { passengerOf(m, 0)["documentExpiry"] = "2026-06-30" }, 400,
			wire.APIError{Code: 43006, Key: "bodyRequest.passengers[0].documentExpiry"}},
		{"no document", func(m map[string]any) { delete(passengerOf(m, 0), "documentNumber") }, 400,
			wire.APIError{Code: 43002, Key: "bodyRequest.passengers[0].documentNumber"}},
		{"nested document (recipes sketch)", func(m map[string]any) {
			p := passengerOf(m, 0)
			p["document"] = map[string]any{"number": p["documentNumber"]}
			delete(p, "documentNumber")
		}, 400, wire.APIError{Code: 43002, Key: "bodyRequest.passengers[0].documentNumber"}},
		{"country", func(m map[string]any) { passengerOf(m, 0)["documentIssueCountry"] = "FRA" }, 400,
			wire.APIError{Code: 43006, Key: "bodyRequest.passengers[0].documentIssueCountry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := validPrebook(id)
			tt.edit(body)
			status, raw := post(t, env.srv.URL+wire.PrebooksPath, testKey, body)
			e := envelope(t, status, raw)
			if got := (wire.APIError{Code: e.Code, Key: e.Key}); status != tt.status || got != tt.want || e.Message == "" {
				t.Errorf("HTTP %d %+v, want HTTP %d %+v", status, e, tt.status, tt.want)
			}
		})
	}
	if status, raw := post(t, env.srv.URL+wire.PrebooksPath, testKey, validPrebook(id)); status != 200 {
		t.Errorf("valid body: HTTP %d %s", status, raw)
	}
	env.clock.Advance(litesim.DefaultOfferTTL)
	status, raw := post(t, env.srv.URL+wire.PrebooksPath, testKey, validPrebook(id))
	if e := envelope(t, status, raw); status != 404 || e.Code != 43004 {
		t.Errorf("expired offer: HTTP %d %+v", status, e)
	}
}

// TestSimulatorPrebookShape: the prebook answer has B.3's fields; a
// payment intent only with usePaymentSdk true (the default); the credit
// line only when asked.
func TestSimulatorPrebookShape(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), familyPax, nil)
	roomy(t, env, o, 20)
	for _, tt := range []struct {
		name         string
		sdk          any // nil: not sent
		credit, want bool
	}{{"sdk false", false, true, false}, {"sdk true", true, false, true}, {"sdk default", nil, false, true}} {
		t.Run(tt.name, func(t *testing.T) {
			body := validPrebook(o.Parts[0].Ref)
			body["includeCreditBalance"] = tt.credit
			if tt.sdk == nil {
				delete(body, "usePaymentSdk")
			} else {
				body["usePaymentSdk"] = tt.sdk
			}
			status, raw := post(t, env.srv.URL+wire.PrebooksPath, testKey, body)
			if status != 200 {
				t.Fatalf("HTTP %d %s", status, raw)
			}
			var resp struct {
				Data []map[string]json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(raw, &resp); err != nil || len(resp.Data) != 1 {
				t.Fatalf("%s: %v", raw, err)
			}
			d := resp.Data[0]
			for _, k := range []string{"prebookId", "booking", "price", "currency", "publishableKey", "offerId", "servicesAttachable", "paymentTypes"} {
				if _, ok := d[k]; !ok {
					t.Errorf("no %s", k)
				}
			}
			_, tr := d["transactionId"]
			_, sk := d["secretKey"]
			_, cl := d["creditLine"]
			if tr != tt.want || sk != tt.want || cl != tt.credit {
				t.Errorf("transactionId %t secretKey %t creditLine %t", tr, sk, cl)
			}
			var booking map[string]json.RawMessage
			json.Unmarshal(d["booking"], &booking)
			for _, k := range []string{"timestamp", "journey", "passengers", "order", "contact"} {
				if _, ok := booking[k]; !ok {
					t.Errorf("booking has no %s", k)
				}
			}
			if _, ok := booking["bookingId"]; ok {
				t.Error("a prebook snapshot has a bookingId")
			}
			if string(d["price"]) != string(o.Total.JSONNumber()) || string(d["currency"]) != `"EUR"` {
				t.Errorf("price %s %s, searched %s", d["price"], d["currency"], o.Total)
			}
		})
	}
}

// TestSimulatorTransactionID: a prebook with a payment intent is booked
// with its latest transactionId, renewed by every attach.
func TestSimulatorTransactionID(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), familyPax, nil)
	body := validPrebook(o.Parts[0].Ref)
	body["usePaymentSdk"] = true
	status, raw := post(t, env.srv.URL+wire.PrebooksPath, testKey, body)
	var pre wire.PrebookResponse
	if err := json.Unmarshal(raw, &pre); status != 200 || err != nil {
		t.Fatalf("HTTP %d %s", status, raw)
	}
	d := pre.Data[0]
	if !strings.HasPrefix(d.TransactionID, "tr_cts_") || !strings.Contains(d.SecretKey, "_secret_") {
		t.Errorf("intent %q %q", d.TransactionID, d.SecretKey)
	}
	bag := d.ServicesAttachable.Groups[1].Services[0].ServiceID
	status, raw = post(t, env.srv.URL+wire.ServicesPath(d.PrebookID), testKey,
		wire.ServicesRequest{SelectedServices: []wire.SelectedService{{PassengerIndex: 2, ServiceID: bag, Quantity: 1}}})
	var att wire.PrebookResponse
	if err := json.Unmarshal(raw, &att); status != 200 || err != nil {
		t.Fatalf("attach: HTTP %d %s", status, raw)
	}
	if att.Data[0].TransactionID == d.TransactionID || att.Data[0].TransactionID == "" {
		t.Errorf("attach kept transactionId %q", d.TransactionID)
	}
	book := func(tr string) (int, []byte) {
		return post(t, env.srv.URL+wire.BookingsPath, testKey, map[string]any{"prebookId": d.PrebookID,
			"payment": map[string]any{"method": "TRANSACTION_ID", "transactionId": tr}})
	}
	status, raw = book(d.TransactionID)
	if e := envelope(t, status, raw); status != 502 || e.Code != 55004 {
		t.Errorf("old transactionId: HTTP %d %+v", status, e)
	}
	if status, raw = book(att.Data[0].TransactionID); status != 502 || !strings.Contains(string(raw), "not confirmed") {
		t.Errorf("unconfirmed transactionId: HTTP %d %s", status, raw)
	}
	if err := env.sim.ConfirmIntent(d.SecretKey, litesim.CardOK); !errors.Is(err, litesim.ErrStaleIntent) {
		t.Errorf("confirm the replaced intent: %v", err)
	}
	if err := env.sim.ConfirmIntent(att.Data[0].SecretKey, litesim.CardDeclined); !errors.Is(err, litesim.ErrCardDeclined) {
		t.Errorf("confirm with a declined card: %v", err)
	}
	if err := env.sim.ConfirmIntent(att.Data[0].SecretKey, litesim.CardOK); err != nil {
		t.Fatal(err)
	}
	if status, raw = book(att.Data[0].TransactionID); status != 201 {
		t.Errorf("latest transactionId: HTTP %d %s", status, raw)
	}
}

// TestSimulatorServices: attach rules and the B.4 view of a prebook.
func TestSimulatorServices(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), familyPax, nonstop)
	roomy(t, env, o, 20)
	newPrebook := func() wire.PrebookData {
		status, raw := post(t, env.srv.URL+wire.PrebooksPath, testKey, validPrebook(o.Parts[0].Ref))
		var pre wire.PrebookResponse
		if err := json.Unmarshal(raw, &pre); status != 200 || err != nil {
			t.Fatalf("HTTP %d %s", status, raw)
		}
		return pre.Data[0]
	}
	d := newPrebook()
	seats := d.ServicesAttachable.Groups[0].Services
	bag := d.ServicesAttachable.Groups[1].Services[0].ServiceID
	if len(seats) != litesim.SeatsPerSegment || d.ServicesAttachable.ExpiresAt != testNow.Add(litesim.PrebookTTL).Format(wire.InstantLayout) {
		t.Fatalf("attachable %+v", d.ServicesAttachable)
	}
	other := searchOffer(t, env, leg("CDG", "BCN", "2026-07-01"), providers.Passengers{Adults: 1}, nil)
	otherCheck, err := env.client.CheckPrice(context.Background(), other.Parts[0])
	if err != nil {
		t.Fatal(err)
	}
	otherBag := otherCheck.Ancillaries[len(otherCheck.Ancillaries)-1].Ref // the paid bag's serviceId

	attach := func(id string, sel ...wire.SelectedService) (int, []byte) {
		return post(t, env.srv.URL+wire.ServicesPath(id), testKey, wire.ServicesRequest{SelectedServices: sel})
	}
	tests := []struct {
		name   string
		id     string
		sel    []wire.SelectedService
		status int
		want   wire.APIError
	}{
		{"nothing", d.PrebookID, nil, 400, wire.APIError{Code: 44001, Key: "bodyRequest.selectedServices"}},
		{"unknown service", d.PrebookID, []wire.SelectedService{{ServiceID: "nope", Quantity: 1}}, 400,
			wire.APIError{Code: 44001, Key: "bodyRequest.selectedServices[0].serviceId"}},
		{"another journey's bag", d.PrebookID, []wire.SelectedService{{ServiceID: otherBag, Quantity: 1}}, 400,
			wire.APIError{Code: 44001, Key: "bodyRequest.selectedServices[0].serviceId"}},
		{"passenger index", d.PrebookID, []wire.SelectedService{{PassengerIndex: 3, ServiceID: bag, Quantity: 1}}, 400,
			wire.APIError{Code: 44001, Key: "bodyRequest.selectedServices[0].passengerIndex"}},
		{"bag quantity", d.PrebookID, []wire.SelectedService{{ServiceID: bag, Quantity: 4}}, 400,
			wire.APIError{Code: 44001, Key: "bodyRequest.selectedServices[0].quantity"}},
		{"seat quantity", d.PrebookID, []wire.SelectedService{{ServiceID: seats[0].ServiceID, Quantity: 2}}, 400,
			wire.APIError{Code: 44001, Key: "bodyRequest.selectedServices[0].quantity"}},
		{"seat for the infant", d.PrebookID, []wire.SelectedService{{PassengerIndex: 2, ServiceID: seats[0].ServiceID, Quantity: 1}}, 400,
			wire.APIError{Code: 44001, Key: "bodyRequest.selectedServices[0].passengerIndex"}},
		{"one seat for two", d.PrebookID, []wire.SelectedService{{ServiceID: seats[0].ServiceID, Quantity: 1},
			{PassengerIndex: 1, ServiceID: seats[0].ServiceID, Quantity: 1}}, 409, wire.APIError{Code: 44007}},
		{"two seats for one", d.PrebookID, []wire.SelectedService{{ServiceID: seats[0].ServiceID, Quantity: 1},
			{ServiceID: seats[1].ServiceID, Quantity: 1}}, 409, wire.APIError{Code: 44007}},
		{"unknown prebook", "019d0674-834d-7db7-9c8b-93fe8e46e7b8", []wire.SelectedService{{ServiceID: bag, Quantity: 1}}, 404, wire.APIError{Code: 44004}},
		{"bad prebook id", "nope", []wire.SelectedService{{ServiceID: bag, Quantity: 1}}, 400, wire.APIError{Code: 44008, Key: "pathParam.prebookId"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, raw := attach(tt.id, tt.sel...)
			e := envelope(t, status, raw)
			if got := (wire.APIError{Code: e.Code, Key: e.Key}); status != tt.status || got != tt.want {
				t.Errorf("HTTP %d %+v, want HTTP %d %+v", status, e, tt.status, tt.want)
			}
		})
	}
	if p := env.prebookOf(t, d.PrebookID); p.Services != 0 {
		t.Fatalf("refused attaches left %d services", p.Services)
	}

	// A good attach, then the B.4 view.
	status, raw := attach(d.PrebookID, wire.SelectedService{ServiceID: seats[0].ServiceID, Quantity: 1},
		wire.SelectedService{PassengerIndex: 2, ServiceID: bag, Quantity: 2})
	if status != 200 {
		t.Fatalf("attach: HTTP %d %s", status, raw)
	}
	status, raw = get(t, env.srv.URL+wire.PrebookPath(d.PrebookID)+"?includeCreditBalance=true", testKey)
	var view wire.PrebookResponse
	if err := json.Unmarshal(raw, &view); status != 200 || err != nil {
		t.Fatalf("get: HTTP %d %s", status, raw)
	}
	v := view.Data[0]
	wantSel := []wire.SelectedService{{ServiceID: seats[0].ServiceID, Quantity: 1}, {PassengerIndex: 2, ServiceID: bag, Quantity: 2}}
	if diff := cmp.Diff(wantSel, v.Booking.SelectedServices); diff != "" {
		t.Errorf("selectedServices (-want +got)\n%s", diff)
	}
	if len(v.Booking.BookedServices) != 2 || v.Booking.BookedServices[0].Name != seats[0].Name {
		t.Errorf("bookedServices %+v", v.Booking.BookedServices)
	}
	wantPrice := o.Total.Amount + cents(t, seats[0].Pricing.Display.Amount) + 2*cents(t, d.ServicesAttachable.Groups[1].Services[0].Pricing.Display.Amount)
	if cents(t, v.Price) != wantPrice || v.CreditLine == nil || v.CreditLine.Currency != "USD" {
		t.Errorf("price %s credit %+v, want %d cents", v.Price, v.CreditLine, wantPrice)
	}
	for _, s := range v.ServicesAttachable.Groups[0].Services {
		if s.ServiceID == seats[0].ServiceID {
			t.Error("the attached seat is still attachable")
		}
	}
	// Another prebook cannot have the seat; it lists others.
	d2 := newPrebook()
	status, raw = attach(d2.PrebookID, wire.SelectedService{ServiceID: seats[0].ServiceID, Quantity: 1})
	if e := envelope(t, status, raw); status != 400 || e.Code != 44012 {
		t.Errorf("taken seat: HTTP %d %+v", status, e)
	}
	free, takenShown := 0, false
	for _, s := range d2.ServicesAttachable.Groups[0].Services {
		switch {
		case s.ServiceID == seats[0].ServiceID:
			takenShown = s.Metadata.Seat.Available != nil && !*s.Metadata.Seat.Available
		case s.Metadata.Seat.Available != nil && *s.Metadata.Seat.Available:
			free++
		}
	}
	if free != litesim.SeatsPerSegment || !takenShown {
		t.Errorf("second prebook: %d free seats, taken seat shown unavailable %v", free, takenShown)
	}

	// Booked: no more attaching. Lapsed: the seat is free again.
	if status, raw := post(t, env.srv.URL+wire.BookingsPath, testKey, map[string]any{"prebookId": d.PrebookID, "payment": map[string]any{"method": "CREDIT"}}); status != 201 {
		t.Fatalf("book: HTTP %d %s", status, raw)
	}
	status, raw = attach(d.PrebookID, wire.SelectedService{PassengerIndex: 1, ServiceID: seats[1].ServiceID, Quantity: 1})
	if e := envelope(t, status, raw); status != 409 || e.Code != 44006 {
		t.Errorf("booked: HTTP %d %+v", status, e)
	}
	status, raw = attach(d2.PrebookID, wire.SelectedService{ServiceID: seats[1].ServiceID, Quantity: 1})
	if status != 200 {
		t.Fatalf("attach to the second: HTTP %d %s", status, raw)
	}
	env.clock.Advance(litesim.PrebookTTL)
	d3 := newPrebook()
	listed := false
	for _, s := range d3.ServicesAttachable.Groups[0].Services {
		listed = listed || s.ServiceID == seats[1].ServiceID
		if s.ServiceID == seats[0].ServiceID && (s.Metadata.Seat.Available == nil || *s.Metadata.Seat.Available) {
			t.Error("a booked seat is listed as available")
		}
	}
	if !listed {
		t.Error("the lapsed prebook's seat is not listed again")
	}

	for _, tt := range []struct {
		id     string
		status int
		want   wire.APIError
	}{{"nope", 400, wire.APIError{Code: 43020, Key: "pathParam.prebookId"}}, {"019d0674-834d-7db7-9c8b-93fe8e46e7b8", 404, wire.APIError{Code: 43021}}} {
		status, raw := get(t, env.srv.URL+wire.PrebookPath(tt.id), testKey)
		if e := envelope(t, status, raw); status != tt.status || (wire.APIError{Code: e.Code, Key: e.Key}) != tt.want {
			t.Errorf("get %s: HTTP %d %+v", tt.id, status, e)
		}
	}
}

func TestSimulatorBookRejects(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), providers.Passengers{Adults: 1}, nil)
	roomy(t, env, o, 9)
	h := mustHold(t, env, o)
	valid := func() map[string]any {
		return map[string]any{"prebookId": h.Ref, "payment": map[string]any{"method": "CREDIT"}, "customTags": map[string]any{"SOURCE": "WEB"}}
	}
	tests := []struct {
		name   string
		edit   func(m map[string]any)
		status int
		want   wire.APIError
	}{
		{"no prebookId", func(m map[string]any) { delete(m, "prebookId") }, 400, wire.APIError{Code: 45002, Key: "bodyRequest.prebookId"}},
		{"no payment", func(m map[string]any) { delete(m, "payment") }, 400, wire.APIError{Code: 45002, Key: "bodyRequest.payment.method"}},
		{"third party", func(m map[string]any) { m["payment"] = map[string]any{"method": "THIRD_PARTY", "token": "jwt"} }, 400,
			wire.APIError{Code: 45002, Key: "bodyRequest.payment.method"}},
		{"card", func(m map[string]any) { m["payment"] = map[string]any{"method": "CREDIT_CARD"} }, 400,
			wire.APIError{Code: 45002, Key: "bodyRequest.payment.method"}},
		{"unknown method", func(m map[string]any) { m["payment"] = map[string]any{"method": "NONE_SUCH"} }, 400,
			wire.APIError{Code: 45002, Key: "bodyRequest.payment.method"}},
		{"transaction without id", func(m map[string]any) { m["payment"] = map[string]any{"method": "TRANSACTION_ID"} }, 400,
			wire.APIError{Code: 45002, Key: "bodyRequest.payment.transactionId"}},
		{"lower-case tag", func(m map[string]any) { m["customTags"] = map[string]any{"source": "WEB"} }, 400,
			wire.APIError{Code: 45002, Key: "bodyRequest.customTags"}},
		{"long tag", func(m map[string]any) { m["customTags"] = map[string]any{"REF": strings.Repeat("x", 256)} }, 400,
			wire.APIError{Code: 45002, Key: "bodyRequest.customTags"}},
		{"six tags", func(m map[string]any) {
			m["customTags"] = map[string]any{"A": "1", "B": "2", "C": "3", "D": "4", "E": "5", "F": "6"}
		}, 400, wire.APIError{Code: 45002, Key: "bodyRequest.customTags"}},
		{"passengers (public client, B.10)", func(m map[string]any) { m["passengers"] = []any{} }, 400,
			wire.APIError{Code: 45002, Key: "bodyRequest.passengers"}},
		{"unknown prebook", func(m map[string]any) { m["prebookId"] = "019d0674-834d-7db7-9c8b-93fe8e46e7b8" }, 404, wire.APIError{Code: 45033}},
		{"not a prebook id", func(m map[string]any) { m["prebookId"] = "nope" }, 404, wire.APIError{Code: 45033}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := valid()
			tt.edit(body)
			status, raw := post(t, env.srv.URL+wire.BookingsPath, testKey, body)
			e := envelope(t, status, raw)
			if got := (wire.APIError{Code: e.Code, Key: e.Key}); status != tt.status || got != tt.want {
				t.Errorf("HTTP %d %+v, want HTTP %d %+v", status, e, tt.status, tt.want)
			}
		})
	}
	if env.sim.BookingCount() != 0 {
		t.Fatal("a refused request booked")
	}
	for _, method := range []string{"CREDIT", "ACC_CREDIT_CARD"} {
		h := mustHold(t, env, o)
		if status, raw := post(t, env.srv.URL+wire.BookingsPath, testKey, map[string]any{"prebookId": h.Ref,
			"payment": map[string]any{"method": method}, "metadata": map[string]any{"ip": "203.0.113.9"}}); status != 201 {
			t.Errorf("%s: HTTP %d %s", method, status, raw)
		}
	}
}

func TestSimulatorGetBooking(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	for _, tt := range []struct {
		id     string
		status int
		want   wire.APIError
	}{{"nope", 400, wire.APIError{Code: 47005, Key: "pathParam.bookingId"}}, {"019d0674-834d-7db7-9c8b-93fe8e46e7b8", 404, wire.APIError{Code: 47002}}} {
		status, raw := get(t, env.srv.URL+wire.BookingPath(tt.id), testKey)
		if e := envelope(t, status, raw); status != tt.status || (wire.APIError{Code: e.Code, Key: e.Key}) != tt.want {
			t.Errorf("get %s: HTTP %d %+v", tt.id, status, e)
		}
	}
	status, raw := get(t, env.srv.URL+wire.BookingPath("019d0674-834d-7db7-9c8b-93fe8e46e7b8"), "wrong")
	if e := envelope(t, status, raw); status != 401 || e.Code != 47001 {
		t.Errorf("wrong key: HTTP %d %+v", status, e)
	}
	status, raw = post(t, env.srv.URL+wire.BookingPath("019d0674-834d-7db7-9c8b-93fe8e46e7b8"), testKey, map[string]any{})
	if e := envelope(t, status, raw); status != 405 || e.Code != 4000 {
		t.Errorf("POST to a booking: HTTP %d %+v", status, e)
	}
}

// TestSimulatorFailModes: each operation can fail before doing anything,
// after doing it, or by never answering after doing it.
func TestSimulatorFailModes(t *testing.T) {
	env := newSimEnv(t, litesim.Config{Seed: 5})
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), providers.Passengers{Adults: 1}, nonstop)
	roomy(t, env, o, 9)
	ctx := context.Background()

	env.sim.SetFailure("prebook", sim.FailBefore)
	_, err := env.client.Hold(ctx, holdRequest(o))
	wantError(t, err, "hold", providers.Unavailable, "53014")
	if left := env.seatsLeft(t, o); left != 9 {
		t.Errorf("fail before: %d seats left", left)
	}
	env.sim.SetFailure("prebook", sim.FailAfter)
	_, err = env.client.Hold(ctx, holdRequest(o))
	if pe := wantError(t, err, "hold", providers.Unavailable, "53014"); pe.Status != 503 {
		t.Errorf("status %d", pe.Status)
	}
	if left := env.seatsLeft(t, o); left != 8 {
		t.Errorf("fail after: %d seats left", left)
	}
	env.sim.SetFailure("prebook", sim.FailTimeout)
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = env.client.Hold(tctx, holdRequest(o))
	cancel()
	wantError(t, err, "hold", providers.Timeout, "")
	if left := env.seatsLeft(t, o); left != 7 {
		t.Errorf("timeout: %d seats left", left)
	}
	env.sim.SetFailure("prebook", sim.FailNone)

	h := mustHold(t, env, o)
	env.sim.SetFailure("services", sim.FailAfter)
	var seat string
	for _, a := range h.Ancillaries {
		if a.Kind == providers.Seat {
			seat = a.Ref
			break
		}
	}
	_, err = env.client.Hold(ctx, holdRequest(o, providers.Selection{Ref: seat, Quantity: 1}))
	if pe := wantError(t, err, "attach_services", providers.Unavailable, "54001"); pe.Status != 502 {
		t.Errorf("status %d", pe.Status)
	}
	env.sim.SetFailure("services", sim.FailNone)
	_, err = env.client.Hold(ctx, holdRequest(o, providers.Selection{Ref: seat, Quantity: 1}))
	wantError(t, err, "attach_services", providers.SoldOut, "44012") // attached by the failed call

	b, err := env.client.Book(ctx, bookRequestFor(o, h, "FG-6"))
	if err != nil {
		t.Fatal(err)
	}
	env.sim.SetFailure("retrieve", sim.FailBefore)
	_, err = env.client.Retrieve(ctx, b.Reference)
	if pe := wantError(t, err, "retrieve", providers.Unavailable, "57099"); pe.Status != 500 {
		t.Errorf("status %d", pe.Status)
	}
	// A replay whose read fails: a booking exists, the outcome is still unknown.
	_, err = env.client.Book(ctx, bookRequestFor(o, h, "FG-6"))
	wantError(t, err, "book", providers.Unavailable, "")
	env.sim.SetFailure("retrieve", sim.FailNone)

	env.sim.SetFailure("get_prebook", sim.FailBefore)
	status, raw := get(t, env.srv.URL+wire.PrebookPath(h.Ref), testKey)
	if e := envelope(t, status, raw); status != 500 || e.Code != 53020 {
		t.Errorf("get prebook: HTTP %d %+v", status, e)
	}
	env.sim.SetFailure("rates", sim.FailBefore)
	env.sim.SetFailure("verify", sim.FailBefore)
	_, err = env.client.Search(ctx, oneAdultCDGPMI)
	wantError(t, err, "search", providers.Unavailable, "51004")
	_, err = env.client.CheckPrice(ctx, o.Parts[0])
	wantError(t, err, "verify", providers.Unavailable, "52014")
}

// TestSimulatorWriteDeterministic: the same seed, clock and requests give
// the same ids, references and locators.
func TestSimulatorWriteDeterministic(t *testing.T) {
	run := func(seed int64) []string {
		env := newSimEnv(t, litesim.Config{Seed: seed})
		o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), providers.Passengers{Adults: 1}, nil)
		h := mustHold(t, env, o)
		b, err := env.client.Book(context.Background(), bookRequestFor(o, h, "FG-7"))
		if err != nil {
			t.Fatal(err)
		}
		bk, ok := env.sim.Booking(b.Reference)
		if !ok || bk.PrebookID != h.Ref {
			t.Fatalf("simulator booking %+v of %s", bk, b.Reference)
		}
		ref := bk.Ref
		return append([]string{h.Ref, b.Reference, ref}, b.Locators...)
	}
	a, b, other := run(42), run(42), run(43)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed (-first +second)\n%s", diff)
	}
	for i := range a {
		if a[i] == other[i] {
			t.Errorf("another seed, same %q", a[i])
		}
	}
	if !isUUIDv7(a[0]) || !strings.HasPrefix(a[0], "019cd") {
		t.Errorf("prebookId %s is not a UUIDv7 of the clock", a[0])
	}
}

// TestSimulatorMounted: under a prefix, as the app serves it, every path
// still works.
func TestSimulatorMounted(t *testing.T) {
	c := newClock()
	s := litesim.New(litesim.Config{APIKey: testKey, Seed: 5, Now: c.Now})
	mux := http.NewServeMux()
	mux.Handle("/liteapi/", http.StripPrefix("/liteapi", s))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := New(Config{BaseURL: srv.URL + "/liteapi", APIKey: testKey, HTTPClient: srv.Client(), Now: c.Now})
	env := &simEnv{sim: s, srv: srv, client: client, clock: c, obs: &recorder{}}
	o := searchOffer(t, env, leg("CDG", "PMI", "2026-07-01"), providers.Passengers{Adults: 1}, nil)
	h := mustHold(t, env, o)
	b, err := client.Book(context.Background(), bookRequestFor(o, h, "FG-8"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Retrieve(context.Background(), b.Reference); err != nil {
		t.Fatal(err)
	}
}
