package checkout

// IsNode marks Session as a GraphQL Node (CheckoutSession).
func (*Session) IsNode() {}

// IsNode marks BookingRecord as a GraphQL Node (Booking).
func (*BookingRecord) IsNode() {}
