package liteapi

import "github.com/faregraph/faregraph/providers"

var _ providers.Limited = (*Client)(nil)

// Limits are the limits LiteAPI documents beyond the rules every provider
// shares: none. Its OpenAPI document (provider-apis.md B) gives no name or
// document length, booking cut-off, connection time or bag maximum, so
// the defaults of package rules apply; its passenger ages (adults 12+,
// children 2-11, infants under 2) and its infants-at-most-adults rule
// (error 41012) are rules of package rules for every provider.
func (c *Client) Limits() providers.Limits { return providers.Limits{} }
