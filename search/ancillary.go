package search

import (
	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records"
)

// Ancillary is an extra on sale with one part of an offer, as its signed
// id carries it to checkout.
type Ancillary struct {
	Provider string
	// PartRef is the Ref of the part it is sold with.
	PartRef string
	providers.Ancillary
}

const ancillaryType = "Ancillary"

// AncillaryID returns the signed, self-contained id of an extra sold with
// part; its payload is a records.AncillaryID at records.Version.
func (s *Service) AncillaryID(part providers.Part, a providers.Ancillary) (string, error) {
	return s.cfg.Signer.Seal(ancillaryType, records.NewAncillaryID(part.Provider, part.Ref, a))
}

// DecodeAncillary opens an id made by AncillaryID, at records.Version or
// the version before it; a forged or malformed id, or one of a version
// this build cannot read, is ErrNotFound.
func (s *Service) DecodeAncillary(id string) (*Ancillary, error) {
	var rec records.AncillaryID
	if err := s.cfg.Signer.Open(ancillaryType, id, &rec); err != nil || rec.Check() != nil {
		return nil, ErrNotFound
	}
	return &Ancillary{Provider: rec.Provider, PartRef: rec.PartRef, Ancillary: rec.Ancillary.Domain()}, nil
}
