package search

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/faregraph/faregraph/records"
	"github.com/faregraph/faregraph/records/recordstest"
)

// TestStoredFormats encodes a fixed value of every format search signs or
// stores and compares it with testdata/*.golden (go test -update rewrites them).
func TestStoredFormats(t *testing.T) {
	for name, rec := range map[string]any{
		"search.golden":       toRecord(fixedResult()),
		"offer_id.golden":     records.NewOfferID(recordstest.Offer()),
		"ancillary_id.golden": records.NewAncillaryID("citizenplane", "cp-back-9", recordstest.Ancillary()),
	} {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			recordstest.Compare(t, name, b)
		})
	}
}

type bodyStore []byte

func (b bodyStore) SaveSearch(context.Context, string, time.Time, time.Time, []byte) error {
	return nil
}
func (b bodyStore) LoadSearch(context.Context, string, time.Time) ([]byte, error) {
	return b, nil
}

// TestStoredSearchDecodes reads a stored search of the current version
// (the golden file) and of version 1 (as written before searches carried
// a version) back into the same result.
func TestStoredSearchDecodes(t *testing.T) {
	for _, file := range []string{"search.golden", "search_v1.json"} {
		t.Run(file, func(t *testing.T) {
			s := testService()
			s.cfg.Store = bodyStore(recordstest.Read(t, file))
			got, err := s.Get(context.Background(), "0123456789abcdef0123456789abcdef")
			if err != nil {
				t.Fatal(err)
			}
			// Ids are sealed again when a page shows the offers.
			page, err := got.Page(ByPrice, MaxPageSize, "", false)
			if err != nil || len(page.Offers) != len(got.Offers) {
				t.Fatalf("page: %d offers of %d, %v", len(page.Offers), len(got.Offers), err)
			}
			for _, o := range page.Offers {
				if !strings.HasPrefix(o.ID, offerType+".") {
					t.Errorf("offer id %q was not sealed again", o.ID)
				}
			}
			opts := cmp.Options{cmpopts.IgnoreUnexported(Result{}), cmpopts.IgnoreFields(Offer{}, "ID")}
			want := fixedResult()
			if strings.HasSuffix(file, "_v1.json") {
				for _, o := range want.Offers {
					o.Offer = recordstest.WithoutLaterFields(o.Offer)
				}
			}
			if diff := cmp.Diff(want, got, opts); diff != "" {
				t.Errorf("decoded search differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSignedIDsDecode opens ids of the current version (sealed now from
// the golden payloads' values) and of version 1 (tokens sealed before ids
// carried a version, kept in testdata) into the same offer and extra.
func TestSignedIDsDecode(t *testing.T) {
	s := testService()
	want := recordstest.Offer()
	wantAnc := &Ancillary{Provider: "citizenplane", PartRef: "cp-back-9", Ancillary: recordstest.Ancillary()}
	current := []*Offer{{Offer: want}}
	res := &Result{Offers: current}
	res.prepare(s.cfg.Signer)
	if err := res.signAll(); err != nil {
		t.Fatal(err)
	}
	currentAnc, err := s.AncillaryID(want.Parts[1], recordstest.Ancillary())
	if err != nil {
		t.Fatal(err)
	}
	for name, ids := range map[string][2]string{
		"current": {current[0].ID, currentAnc},
		"v1":      {strings.TrimSpace(string(recordstest.Read(t, "offer_id_v1.txt"))), strings.TrimSpace(string(recordstest.Read(t, "ancillary_id_v1.txt")))},
	} {
		t.Run(name, func(t *testing.T) {
			o, err := s.DecodeOffer(ids[0])
			if err != nil {
				t.Fatal(err)
			}
			wantOffer := want
			if name == "v1" {
				wantOffer = recordstest.WithoutLaterFields(want)
			}
			if diff := cmp.Diff(wantOffer, o.Offer); diff != "" {
				t.Errorf("decoded offer differs (-want +got):\n%s", diff)
			}
			a, err := s.DecodeAncillary(ids[1])
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantAnc, a); diff != "" {
				t.Errorf("decoded extra differs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIDOfUnknownVersion is not found: a build never guesses at a format
// it does not know.
func TestIDOfUnknownVersion(t *testing.T) {
	s := testService()
	rec := records.NewOfferID(recordstest.Offer())
	rec.V = records.Version + 1
	id, err := s.cfg.Signer.Seal(offerType, rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecodeOffer(id); err != ErrNotFound {
		t.Errorf("DecodeOffer of version %d = %v, want ErrNotFound", rec.V, err)
	}
}

// TestStoredBodyCompressed: a search is stored compressed, smaller than
// its JSON, and another replica reads it back into the same result; a
// damaged body is an error, not a panic.
func TestStoredBodyCompressed(t *testing.T) {
	rec := toRecord(fixedResult())
	body, err := encodeStored(rec)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(rec)
	if !bytes.HasPrefix(body, gzipMagic) || len(body) >= len(plain) {
		t.Fatalf("stored body: %d bytes starting %x, want gzip smaller than the %d bytes of JSON", len(body), body[:min(2, len(body))], len(plain))
	}
	s := testService()
	s.cfg.Store = bodyStore(body)
	got, err := s.Get(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	opts := cmp.Options{cmpopts.IgnoreUnexported(Result{}), cmpopts.IgnoreFields(Offer{}, "ID")}
	if diff := cmp.Diff(fixedResult(), got, opts); diff != "" {
		t.Errorf("decoded search differs (-want +got):\n%s", diff)
	}
	for name, bad := range map[string][]byte{
		"cut short":       body[:len(body)/2],
		"header only":     gzipMagic,
		"not JSON inside": gzipOf(t, []byte("not json")),
	} {
		t.Run(name, func(t *testing.T) {
			s := testService()
			s.cfg.Store = bodyStore(bad)
			if _, err := s.Get(context.Background(), rec.ID); err == nil {
				t.Error("Get of a damaged body = nil error")
			}
		})
	}
}

func gzipOf(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
