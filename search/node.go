package search

// IsNode marks Offer as a GraphQL Node.
func (*Offer) IsNode() {}

// IsNode marks Result as a GraphQL Node (OfferSearch).
func (*Result) IsNode() {}
