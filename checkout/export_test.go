package checkout

import "context"

// StoreForTest writes sess as it is, without changing its status, the way
// a step interrupted halfway leaves it.
func StoreForTest(ctx context.Context, s *Service, sess *Session) error {
	_, err := s.move(ctx, sess, sess.Status, "test", "")
	return err
}
