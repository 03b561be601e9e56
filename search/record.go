package search

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/faregraph/faregraph/providers"
	"github.com/faregraph/faregraph/records"
)

// toRecord returns the stored form of r at records.Version. Offer ids are
// left out: they are sealed again when the search is read.
func toRecord(r *Result) records.Search {
	q := r.Request
	return records.Search{
		Header: records.Current(),
		ID:     r.ID,
		Request: records.SearchRequest{
			Origin: q.Origin, Destination: q.Destination, DepartureDate: string(q.DepartureDate), ReturnDate: string(q.ReturnDate),
			Passengers: records.Passengers(q.Passengers), Currency: q.Currency, Providers: q.Providers,
		},
		CreatedAt: r.CreatedAt,
		ExpiresAt: r.ExpiresAt,
		Providers: records.Map(r.Providers, func(p ProviderResult) records.ProviderResult {
			rec := records.ProviderResult{Provider: p.Provider, Status: string(p.Status), OfferCount: p.OfferCount, LatencyMs: p.LatencyMs, Code: string(p.Code), Message: p.Message}
			if p.Conversion != nil {
				c := records.FromConversion(*p.Conversion)
				rec.Conversion = &c
			}
			return rec
		}),
		Offers: records.Map(r.Offers, func(o *Offer) records.Offer { return records.FromOffer(o.Offer) }),
	}
}

// fromRecord returns the search rec stores, its offers without ids.
func fromRecord(rec records.Search) *Result {
	q := rec.Request
	return &Result{
		ID: rec.ID,
		Request: Request{
			Origin: q.Origin, Destination: q.Destination, DepartureDate: providers.Date(q.DepartureDate), ReturnDate: providers.Date(q.ReturnDate),
			Passengers: providers.Passengers(q.Passengers), Currency: q.Currency, Providers: q.Providers,
		},
		CreatedAt: rec.CreatedAt,
		ExpiresAt: rec.ExpiresAt,
		Providers: records.Map(rec.Providers, func(p records.ProviderResult) ProviderResult {
			pr := ProviderResult{Provider: p.Provider, Status: Status(p.Status), OfferCount: p.OfferCount, LatencyMs: p.LatencyMs, Code: providers.ErrorCode(p.Code), Message: p.Message}
			if p.Conversion != nil {
				c := p.Conversion.Domain()
				pr.Conversion = &c
			}
			return pr
		}),
		Offers: records.Map(rec.Offers, func(o records.Offer) *Offer { return &Offer{Offer: o.Domain()} }),
	}
}

// A stored search's body is its records.Search JSON compressed with gzip
// (RFC 1952) at gzip.BestSpeed: a round trip of some 190 offers is about
// 240 KB of JSON and 18 KB compressed, and the database's insert costs by
// the byte (bun writes a blob into the statement as hex, which the
// database then parses), so compressing it took the write from about
// 20 ms to 1 ms on cmd/bench's fan-out. Bodies written before are plain
// JSON and still decode: decodeStored tells them apart by gzip's magic
// bytes (a JSON document never starts with 0x1f).
var gzipMagic = []byte{0x1f, 0x8b}

// maxStoredJSON bounds a stored body once decompressed (64 MiB): far above
// the largest search (MaxInFlight and the providers' own answer limits
// keep one under a few MB), so that a damaged row cannot exhaust memory.
const maxStoredJSON = 64 << 20

// gzipWriters reuses compressors: a BestSpeed writer holds some hundreds
// of KB of tables, more than one search's compressed body.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: no error
	return w
}}

// encodeStored is the body stored for rec: its JSON, compressed.
func encodeStored(rec records.Search) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if err := json.NewEncoder(zw).Encode(rec); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeStored reads a body written by encodeStored, or the plain JSON of
// a body written before bodies were compressed.
func decodeStored(body []byte, rec *records.Search) error {
	if !bytes.HasPrefix(body, gzipMagic) {
		return records.Decode(body, rec)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("search: stored body: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxStoredJSON+1))
	if err != nil {
		return fmt.Errorf("search: stored body: %w", err)
	}
	if len(data) > maxStoredJSON {
		return fmt.Errorf("search: stored body over %d bytes once decompressed", maxStoredJSON)
	}
	return records.Decode(data, rec)
}
