package providers

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Set is the providers faregraph sells, by name. The list is built once, in
// cmd/faregraph, which is the only place that names providers.
type Set struct {
	names  []string
	byName map[string]Searcher
}

// NewSet returns a Set of ps. Names must be unique.
func NewSet(ps ...Searcher) (*Set, error) {
	s := &Set{byName: make(map[string]Searcher, len(ps))}
	for _, p := range ps {
		if _, dup := s.byName[p.Name()]; dup {
			return nil, fmt.Errorf("providers: %q listed twice", p.Name())
		}
		s.byName[p.Name()] = p
		s.names = append(s.names, p.Name())
	}
	sort.Strings(s.names)
	return s, nil
}

// Names returns the provider names, sorted.
func (s *Set) Names() []string { return append([]string(nil), s.names...) }

// Get returns the provider called name.
func (s *Set) Get(name string) (Searcher, bool) {
	p, ok := s.byName[name]
	return p, ok
}

// Call is one provider's share of a fan-out: its answer, or the error that
// took its place, and how long it took.
type Call[T any] struct {
	Provider string
	Value    T
	Err      error
	Latency  time.Duration
}

// FanOut runs fn for every named provider in parallel, each under its own
// deadline, and waits for all of them. A provider's failure or slowness is
// its own result and never cancels the others. Results are in the order of
// names.
func FanOut[T any](ctx context.Context, s *Set, names []string, deadline time.Duration, fn func(ctx context.Context, p Searcher) (T, error)) []Call[T] {
	calls := make([]Call[T], len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		calls[i].Provider = name
		p, ok := s.Get(name)
		if !ok {
			calls[i].Err = &Error{Provider: name, Op: "search", Code: Unavailable, Message: "unknown provider"}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, deadline)
			defer cancel()
			start := time.Now()
			v, err := fn(pctx, p)
			if err != nil && pctx.Err() == context.DeadlineExceeded {
				err = &Error{Provider: name, Op: "search", Code: Timeout, Message: fmt.Sprintf("no answer within %s", deadline), Err: err}
			}
			calls[i] = Call[T]{Provider: name, Value: v, Err: err, Latency: time.Since(start)}
		}()
	}
	wg.Wait()
	return calls
}
