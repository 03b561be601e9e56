package checkout

import (
	"testing"
)

// The benchmarks of the session document's encoding and decoding, which
// every state change (toRow) and every load (fromRow) pays.

func BenchmarkToRow(b *testing.B) {
	sess := fixedSession()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := toRow(sess); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromRow(b *testing.B) {
	row, err := toRow(fixedSession())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fromRow(row); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReplayBody(b *testing.B) {
	res := fixedResult()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := replayBody(res, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnsweringWrite is what a write that answers an idempotent
// mutation encodes: the session's row, and the answer holding it, with
// the row's document reused (answerWith) or encoded again (as before).
func BenchmarkAnsweringWrite(b *testing.B) {
	res := &Result{Session: fixedSession()}
	for _, reuse := range []bool{true, false} {
		name := "reuse"
		if !reuse {
			name = "reencode"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				row, err := toRow(res.Session)
				if err != nil {
					b.Fatal(err)
				}
				data := row.Data
				if !reuse {
					data = ""
				}
				if _, err := replayBody(res, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAnswerReusesTheDocument: the answer built with the written document
// is the one built by encoding the session again.
func TestAnswerReusesTheDocument(t *testing.T) {
	res := fixedResult()
	row, err := toRow(res.Session)
	if err != nil {
		t.Fatal(err)
	}
	with, err := replayBody(res, row.Data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := replayBody(res, "")
	if err != nil {
		t.Fatal(err)
	}
	if with != again {
		t.Errorf("the answer with the written document differs from the one encoded again:\n%s\n%s", with, again)
	}
}
