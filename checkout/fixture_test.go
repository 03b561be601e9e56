package checkout

import (
	"time"

	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/payments"
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records/recordstest"
)

// fixedSession is a session with every stored field set, as the golden
// tests of the session document and the idempotency record encode it.
func fixedSession() *Session {
	now := recordstest.Time
	offer := recordstest.Offer()
	busy, hold := now.Add(2*time.Minute), now.Add(3*time.Minute)
	lisbon := time.FixedZone("WEST", 3600)
	return &Session{
		ID: "cs_0123456789abcdef01234567", TenantID: "tn_acme", Status: PartiallyBooked, Version: 7,
		OfferID:    "Offer.payload.mac",
		Offer:      offer,
		Passengers: recordstest.SessionTravellers(),
		Contact:    recordstest.SessionContact(),
		Selections: []Selection{{PartIndex: 1, PassengerIndex: 0, Quantity: 2, Ancillary: recordstest.Ancillary()}},
		Items: []Item{
			{Name: "CDG-LIS", Quantity: 1, UnitAmount: 25900, Discount: 100, Tax: 4100, Total: 29900, Currency: "EUR", ProductType: "FLIGHT", PartIndex: 0},
			{Name: "Checked bag 20 kg", Quantity: 2, UnitAmount: 2550, Total: 5100, Currency: "EUR", ProductType: "CHECKED_BAG", PartIndex: 1},
		},
		Airline: Airline{
			Legs: []AirlineLeg{{CarrierCode: "TP", FlightNumber: "438", DepartureAirport: "LIS", ArrivalAirport: "CDG",
				DepartureAt: time.Date(2026, 7, 8, 18, 0, 0, 0, lisbon), ArrivalAt: time.Date(2026, 7, 8, 21, 35, 0, 0, time.FixedZone("CEST", 2*3600)),
				RouteType: "one_way", FareAmount: 18000, FeeAmount: 900, TaxAmount: 3000, Provider: "citizenplane", PartIndex: 1,
				BookingReference: "FG-ABC123", ProviderBookingRef: "CP-998877"}},
			Locators: []string{"ABC123", "DEF456"},
		},
		Total:           recordstest.Money(57000),
		Metadata:        map[string]string{"order": "o-42", "channel": "ios"},
		GroupIdentifier: "grp_0011",
		ExpiresAt:       now.Add(time.Hour),
		HoldExpiresAt:   &hold,
		Holds:           []PartHold{{PartIndex: 1, Provider: "citizenplane", Hold: recordstest.Hold(), HeldAt: now}},
		Parts: []PartState{
			{Status: PartBooked, Amount: 29900},
			{Status: PartFailed, Code: "SOLD_OUT", Amount: 27100},
		},
		Payment: &Payment{
			Method: Card, Gateway: "stripe", IntentID: "pi_123", Status: payments.Captured, Amount: 57000, Currency: "EUR", Captured: 29900,
			ClientSecret: "pi_123_secret_456", EphemeralKey: "ek_789", CustomerID: "cus_abc",
			Card:        &payments.Card{Scheme: "visa", Last4: "4242", BIN: "424242", CardType: "credit", Country: "US"},
			FailureCode: "card_declined", FailureMsg: "Your card was declined.",
		},
		Failure:        &Failure{Code: "SOLD_OUT", Message: "a part sold out"},
		PartialBooking: ForbidPartial,
		Bookings: []BookingRecord{{
			ID: "bk_1", TenantID: "tn_acme", SessionID: "cs_0123456789abcdef01234567", PartIndex: 0, Reference: "FG-ABC123",
			Provider: "liteapi", ProviderReference: "LA-1", Status: providers.BookingConfirmed, Amount: recordstest.Money(29900),
			GroupIdentifier: "grp_0011", Locators: []string{"ABC123"}, CreatedAt: now.Add(time.Minute),
		}},
		CreatedAt: now,
		UpdatedAt: now.Add(90 * time.Second),
		busyOp:    "book",
		busyUntil: &busy,
	}
}

// fixedResult is a mutation's answer with a session and user errors, as
// an idempotency key stores it.
func fixedResult() *Result {
	return &Result{
		Session:    fixedSession(),
		UserErrors: []fault.Violation{{Field: []string{"input", "passengers", "1", "documentNumber"}, Code: fault.SoldOut, Message: "a part sold out"}},
	}
}
