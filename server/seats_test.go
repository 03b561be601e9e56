package server_test

import (
	"fmt"
	"testing"
)

const seatSearch = `{ searchOffers(input: {origin: "CDG", destination: "PMI", departureDate: "2026-07-01", passengers: {adults: 2, infants: 1}, providers: ["liteapi"]}) {
  offers(first: 1) { edges { node { id totalPrice { amount currencyCode } } } } } }`

const seatMapFields = `seatMaps { provider sliceIndex segmentIndex segment { carrierCode flightNumber }
  cabins { name rows { number seats { id designator column available characteristics price { amount currencyCode } passengerIndex } } } }`

var seatPassengers = []any{
	passengerVars[0],
	map[string]any{"type": "ADULT", "givenName": "Luis", "familyName": "Martin", "gender": "MALE", "dateOfBirth": "1983-05-12",
		"document": map[string]any{"number": "P7654321", "expiresOn": "2031-01-01", "issuingCountry": "FR", "nationality": "FR"}},
	map[string]any{"type": "INFANT", "givenName": "Eva", "familyName": "Martin", "gender": "FEMALE", "dateOfBirth": "2025-09-01",
		"document": map[string]any{"number": "P1111111", "expiresOn": "2031-01-01", "issuingCountry": "FR", "nationality": "FR"}},
}

// TestSeatsFromHoldToCapture: a LiteAPI session shows no seats before the
// hold, the prebook's seats once held; choosing seats validates them (an
// infant, a seat twice, an unknown seat, a second seat on a flight), then
// attaches them to the prebook; they are SEAT cart lines, paid and
// captured with the booking.
func TestSeatsFromHoldToCapture(t *testing.T) {
	a := newTestApp(t, nil)
	h := a.Handler
	r := post(t, h, seatSearch, nil)
	offer := dig(r.Data, "searchOffers", "offers", "edges", 0, "node").(map[string]any)
	s := mutate(t, h, "", "createCheckoutSession", "CreateCheckoutSessionInput", map[string]any{"in": map[string]any{
		"offerId": offer["id"], "passengers": seatPassengers, "contact": contactVars}})
	id := s["id"].(string)
	read := func() map[string]any {
		r := post(t, h, `query($id: ID!) { checkoutSession(id: $id) { status total { amount } `+seatMapFields+` } }`, map[string]any{"id": id})
		if len(r.Errors) > 0 {
			t.Fatalf("read: %v", r.Errors)
		}
		return r.Data["checkoutSession"].(map[string]any)
	}
	if m := read()["seatMaps"].([]any); len(m) != 0 {
		t.Fatalf("seat maps before the hold: %v", m)
	}
	choose := func(seats ...any) map[string]any {
		r := post(t, h, `mutation($in: SelectSeatsInput!) { selectSeats(input: $in) { `+sessionFields+` } }`,
			map[string]any{"in": map[string]any{"checkoutSessionId": id, "seats": seats}})
		if len(r.Errors) > 0 {
			t.Fatalf("selectSeats: %v", r.Errors)
		}
		return r.Data["selectSeats"].(map[string]any)
	}
	if p := choose(map[string]any{"passengerIndex": 0, "seatId": "0/XX1/1A"}); dig(p, "userErrors", 0, "code") != "NOT_HELD" {
		t.Fatalf("seats before the hold: %v", p["userErrors"])
	}
	mutate(t, h, "", "holdCheckoutSession", "HoldCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
	held := read()
	maps := held["seatMaps"].([]any)
	if len(maps) == 0 {
		t.Fatalf("no seat map once held: %v", held)
	}
	var free []map[string]any
	for _, row := range dig(maps[0], "cabins", 0, "rows").([]any) {
		for _, st := range row.(map[string]any)["seats"].([]any) {
			st := st.(map[string]any)
			if st["available"] == true && st["passengerIndex"] == nil && len(st["characteristics"].([]any)) > 0 {
				free = append(free, st)
			}
		}
	}
	if len(free) < 2 || dig(maps[0], "provider") != "liteapi" || dig(maps[0], "segment", "carrierCode") == nil {
		t.Fatalf("seat map: %v", maps[0])
	}
	a0, a1 := free[0]["id"], free[1]["id"]
	// Refusals, all at once and before any provider call.
	p := choose(
		map[string]any{"passengerIndex": 2, "seatId": a0},
		map[string]any{"passengerIndex": 0, "seatId": a0},
		map[string]any{"passengerIndex": 1, "seatId": a0},
		map[string]any{"passengerIndex": 1, "seatId": "0/ZZ9/99Z"},
		map[string]any{"passengerIndex": 7, "seatId": a1},
	)
	want := map[string]string{"input.seats.0.passengerIndex": "INVALID", "input.seats.2.seatId": "DUPLICATE",
		"input.seats.3.seatId": "ANCILLARY_NOT_FOUND", "input.seats.4.passengerIndex": "OUT_OF_RANGE"}
	got := map[string]string{}
	for _, ue := range p["userErrors"].([]any) {
		f := ""
		for i, part := range dig(ue, "field").([]any) {
			if i > 0 {
				f += "."
			}
			f += fmt.Sprint(part)
		}
		got[f] = dig(ue, "code").(string)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("user errors %v, want %v", got, want)
	}
	if st := read(); st["total"].(map[string]any)["amount"] != held["total"].(map[string]any)["amount"] {
		t.Fatalf("a refused choice changed the total: %v", st["total"])
	}
	// Two seats for the two adults.
	p = choose(map[string]any{"passengerIndex": 0, "seatId": a0}, map[string]any{"passengerIndex": 1, "seatId": a1})
	if ue := p["userErrors"].([]any); len(ue) > 0 {
		t.Fatalf("selectSeats: %v", ue)
	}
	s = p["checkoutSession"].(map[string]any)
	var seatLines int64
	for _, it := range s["items"].([]any) {
		if dig(it, "productType") == "SEAT" {
			seatLines += cents(t, dig(it, "total", "amount").(string))
		}
	}
	want0 := cents(t, free[0]["price"].(map[string]any)["amount"].(string)) + cents(t, free[1]["price"].(map[string]any)["amount"].(string))
	if s["status"] != "HELD" || seatLines != want0 || cents(t, dig(s, "total", "amount").(string)) != cents(t, held["total"].(map[string]any)["amount"].(string))+want0 {
		t.Fatalf("after choosing seats: status %v, seat lines %d (want %d), total %v", s["status"], seatLines, want0, s["total"])
	}
	after := read()
	taken := map[any]any{}
	for _, m := range after["seatMaps"].([]any) {
		for _, row := range dig(m, "cabins", 0, "rows").([]any) {
			for _, st := range row.(map[string]any)["seats"].([]any) {
				if pi := st.(map[string]any)["passengerIndex"]; pi != nil {
					taken[st.(map[string]any)["id"]] = pi
				}
			}
		}
	}
	if taken[a0] != float64(0) || taken[a1] != float64(1) {
		t.Fatalf("seats taken on the map: %v", taken)
	}
	// A second seat for the same passenger on the same flight is refused.
	if p := choose(map[string]any{"passengerIndex": 0, "seatId": free[2]["id"]}); dig(p, "userErrors", 0, "code") != "DUPLICATE" {
		t.Fatalf("second seat: %v", p["userErrors"])
	}
	in := map[string]any{"in": map[string]any{"checkoutSessionId": id}}
	mutate(t, h, "", "payCheckoutSession", "PayCheckoutSessionInput", map[string]any{"in": map[string]any{"checkoutSessionId": id, "method": "CARD"}})
	mutate(t, h, "", "confirmSandboxPayment", "ConfirmSandboxPaymentInput", map[string]any{"in": map[string]any{"checkoutSessionId": id}})
	if p := choose(map[string]any{"passengerIndex": 0, "seatId": free[2]["id"]}); dig(p, "userErrors", 0, "code") != "INVALID_STATE" {
		t.Fatalf("seats once paid: %v", p["userErrors"])
	}
	s = mutate(t, h, "", "bookCheckoutSession", "BookCheckoutSessionInput", in)
	if s["status"] != "BOOKED" || dig(s, "payment", "capturedAmount", "amount") != dig(s, "total", "amount") || dig(s, "payment", "amount", "amount") != dig(s, "total", "amount") {
		t.Fatalf("booked: %v %v", s["status"], s["payment"])
	}
}
