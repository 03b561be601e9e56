package checkout

import "context"

// StoreForTest writes sess as it is, without changing its status, the way
// a step interrupted halfway leaves it.
func StoreForTest(ctx context.Context, s *Service, sess *Session) error {
	_, err := s.move(ctx, sess, sess.Status, "test", "")
	return err
}

// DrawReferences makes new sessions draw refs, in turn, as their booking
// references, until the returned function puts the random draw back.
func DrawReferences(refs ...string) (restore func()) {
	n := 0
	drawReference = func() string {
		if n < len(refs) {
			n++
			return refs[n-1]
		}
		return newReference()
	}
	return func() { drawReference = newReference }
}
