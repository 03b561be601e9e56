package providers

import "time"

// Limits are what a provider documents about what it will sell and the
// input it accepts: how close to departure it still sells, how much ground
// time it wants between flights, how long names and document numbers may
// be, how many units of one extra a traveller may take, and how old the
// adult accompanying a lap infant must be. A zero field means the provider
// documents nothing of its own there; package rules then applies its
// default (rules.Defaults), and every rule's doc comment says where the
// value comes from.
type Limits struct {
	// BookingCutoff is the least time between now and a flight's
	// departure for it to be sold.
	BookingCutoff time.Duration
	// MinConnection is the least ground time between two flights sold on
	// one ticket: a connection inside a slice, or the turnaround between
	// the slices of one round-trip fare.
	MinConnection time.Duration
	// MinSelfTransfer is the least ground time between flights of
	// separately ticketed parts (combined one-ways), where nobody
	// re-protects a missed flight.
	MinSelfTransfer time.Duration
	// NameMaxLength is the most characters of a ticketed given or family
	// name.
	NameMaxLength int
	// DocumentMinLength and DocumentMaxLength bound the characters of a
	// travel document number.
	DocumentMinLength, DocumentMaxLength int
	// MaxBagQuantity is the most units of one bag option a traveller may
	// take on one part (seats are always one).
	MaxBagQuantity int
	// InfantAdultMinAge is the least age, in years on each flight date, of
	// the adult a lap infant travels with.
	InfantAdultMinAge int
}

// Limited is a provider that documents its Limits. Providers that do not
// implement it are sold under the defaults of package rules.
type Limited interface {
	Limits() Limits
}

// Limits returns the limits provider name documents: the zero Limits for
// an unknown provider or one that documents none.
func (s *Set) Limits(name string) Limits {
	if l, ok := s.byName[name].(Limited); ok {
		return l.Limits()
	}
	return Limits{}
}
