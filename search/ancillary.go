package search

import "github.com/faregraph/faregraph/providers"

// Ancillary is an extra on sale with one part of an offer, as its signed
// id carries it to checkout.
type Ancillary struct {
	Provider string `json:"pv"`
	// PartRef is the Ref of the part it is sold with.
	PartRef string `json:"pr"`
	providers.Ancillary
}

const ancillaryType = "Ancillary"

// AncillaryID returns the signed, self-contained id of an extra sold with part.
func (s *Service) AncillaryID(part providers.Part, a providers.Ancillary) (string, error) {
	return s.cfg.Signer.Seal(ancillaryType, Ancillary{Provider: part.Provider, PartRef: part.Ref, Ancillary: a})
}

// DecodeAncillary opens an id made by AncillaryID; a forged or malformed
// id is ErrNotFound.
func (s *Service) DecodeAncillary(id string) (*Ancillary, error) {
	var a Ancillary
	if err := s.cfg.Signer.Open(ancillaryType, id, &a); err != nil {
		return nil, ErrNotFound
	}
	return &a, nil
}
