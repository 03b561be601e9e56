// Package records holds the formats faregraph writes that outlive a
// deploy: what is signed into ids that clients keep (offer and ancillary
// ids), and what is stored in the database as JSON (the checkout session
// document, a booking's data, the answer an idempotency key replays, a
// stored search). Each is an explicit type with its own JSON names,
// separate from the in-memory domain types, so that renaming a domain
// field changes no stored byte; converters to and from the provider
// types are here, those of checkout's and search's types beside their
// owners.
//
// Every top-level record starts with a Header carrying its format version
// ("v"). Records are written at Version and read at Version and the
// version before it, so a deploy reads what the previous one wrote and
// ids that clients hold keep working. Version 1 is the format written
// before records carried a version: the same names as Version 2, without
// "v". Golden files in the owners' testdata directories hold one encoding
// of each record at Version and one at version 1; a change to a format
// fails them until the version is raised and the previous version still
// decodes.
package records

import (
	"errors"
	"fmt"

	// The decoder of encoding/json's semantics built on json/v2 (the
	// encoding/json of GOEXPERIMENT=jsonv2): it reads the same documents
	// into the same values in one pass, about twice as fast as
	// encoding/json, which validates a document before decoding it. A
	// session document is decoded on every load (`go test ./checkout -bench
	// FromRow`).
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Version is the format version every record is written with.
const Version = 2

// ErrVersion is returned for a record of a version this build cannot read
// (newer than Version, or older than the version before it).
var ErrVersion = errors.New("records: unknown format version")

// Header carries the version a record was written with. It is embedded
// first in every top-level record, so "v" leads the encoding.
type Header struct {
	// V is the format version; it is absent (0) in records of version 1.
	V int `json:"v,omitempty"`
}

// Current is the header of a record written now.
func Current() Header { return Header{V: Version} }

// Check returns nil when the record's version is one this build reads
// (1, that is absent, or Version), and an error wrapping ErrVersion
// otherwise.
func (h Header) Check() error {
	switch h.V {
	case 0, 1, Version:
		return nil
	}
	return fmt.Errorf("%w %d (this build reads 1 to %d)", ErrVersion, h.V, Version)
}

// Versioned is a top-level record: one that embeds a Header.
type Versioned interface {
	Check() error
}

// Decode unmarshals the JSON document b into r, as encoding/json's
// Unmarshal does, and checks its version. Errors are the JSON decoder's,
// or wrap ErrVersion.
func Decode(b []byte, r Versioned) error {
	if err := jsonv1.Unmarshal(b, r); err != nil {
		return fmt.Errorf("records: decode %T: %w", r, err)
	}
	if err := r.Check(); err != nil {
		return fmt.Errorf("records: decode %T: %w", r, err)
	}
	return nil
}
