package litesim

import (
	"sync"
)

// seatStore counts the seats left in each fare bucket (a flight on a day
// in one fare family): the bucket's capacity minus the seats held by live
// prebooks and the seats sold. It is the one place seats change, and every
// change is atomic across the buckets of a journey.
type seatStore struct {
	inv      inventory
	mu       sync.Mutex
	sold     map[string]int
	held     map[string]int
	capacity map[string]int // set by setLeft, in place of initial
}

func newSeatStore(inv inventory) *seatStore {
	return &seatStore{inv: inv, sold: map[string]int{}, held: map[string]int{}, capacity: map[string]int{}}
}

// maxShownSeats is the most seats an answer shows (LiteAPI counts no
// further): a bucket may have more.
const maxShownSeats = 9

// initialLocked is the seats a bucket has before any sale: its capacity
// if one was set, else 1 to 9, a third of buckets having 9.
func (s *seatStore) initialLocked(bucket string) int {
	if c, ok := s.capacity[bucket]; ok {
		return c
	}
	return min(1+int(s.inv.hash("seats", bucket)%12), maxShownSeats)
}

// left is the fewest seats left in any of buckets.
func (s *seatStore) left(buckets []string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leftLocked(buckets)
}

func (s *seatStore) leftLocked(buckets []string) int {
	n := -1
	for _, b := range buckets {
		if l := s.initialLocked(b) - s.sold[b] - s.held[b]; n < 0 || l < n {
			n = l
		}
	}
	return max(n, 0)
}

// take sells n seats in every bucket, all or none; it reports whether
// there were enough.
func (s *seatStore) take(buckets []string, n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.leftLocked(buckets) < n {
		return false
	}
	for _, b := range buckets {
		s.sold[b] += n
	}
	return true
}

// hold holds n seats in every bucket for a prebook, all or none; it
// reports whether there were enough.
func (s *seatStore) hold(buckets []string, n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.leftLocked(buckets) < n {
		return false
	}
	for _, b := range buckets {
		s.held[b] += n
	}
	return true
}

// release gives back n held seats of every bucket (a prebook expired).
func (s *seatStore) release(buckets []string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range buckets {
		s.held[b] -= n
	}
}

// sell turns n held seats of every bucket into sold ones (a prebook booked).
func (s *seatStore) sell(buckets []string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range buckets {
		s.held[b] -= n
		s.sold[b] += n
	}
}

// setLeft leaves n seats in each of buckets from now on: it sets their
// capacity to n more than what is held and sold.
func (s *seatStore) setLeft(buckets []string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range buckets {
		s.capacity[b] = n + s.sold[b] + s.held[b]
	}
}
