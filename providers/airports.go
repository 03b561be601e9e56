package providers

import (
	"time"

	"github.com/faregraph/faregraph/refdata"
)

// AirportLocation returns the time zone of an IATA airport code, from the
// reference data (package refdata); UTC when the airport is unknown.
func AirportLocation(iata string) *time.Location { return refdata.Location(iata) }
