package litesim

import (
	"testing"
)

func TestSeatStore(t *testing.T) {
	s := newSeatStore(inventory{seed: 1})
	buckets := []string{"VY7821|2026-07-01|Basic", "VY3902|2026-07-01|Basic"}
	left := s.left(buckets)
	if left < 1 || left > 9 {
		t.Fatalf("left %d", left)
	}
	if s.take(buckets, left+1) || s.left(buckets) != left {
		t.Fatal("took more seats than left")
	}
	if !s.take(buckets, 1) || s.left(buckets) != left-1 {
		t.Fatalf("after one sale: %d left, want %d", s.left(buckets), left-1)
	}
}

func TestSeatStoreHolds(t *testing.T) {
	s := newSeatStore(inventory{seed: 1})
	b := []string{"X1|2026-07-01|Basic"}
	s.setLeft(b, 12)
	if !s.hold(b, 5) || s.left(b) != 7 || s.hold(b, 8) {
		t.Fatalf("hold: %d left", s.left(b))
	}
	s.sell(b, 3)
	s.release(b, 2)
	if s.left(b) != 9 || s.sold[b[0]] != 3 || s.held[b[0]] != 0 {
		t.Errorf("left %d sold %d held %d", s.left(b), s.sold[b[0]], s.held[b[0]])
	}
}
