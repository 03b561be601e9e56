package citizenplane

import "github.com/faregraph/faregraph/providers"

var _ providers.Limited = (*Client)(nil)

// Limits are the limits CitizenPlane states: first_name and last_name at
// most 60 characters, passport_number 5 to 20 letters and digits (its 400
// answers to POST /v3/requests, issue 8; cpsim enforces the same). It
// documents no booking cut-off, connection time or bag maximum, so the
// defaults of package rules apply to those.
func (c *Client) Limits() providers.Limits {
	return providers.Limits{NameMaxLength: 60, DocumentMinLength: 5, DocumentMaxLength: 20}
}
