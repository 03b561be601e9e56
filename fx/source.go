package fx

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// SourceConfig configures a Source.
type SourceConfig struct {
	// URL serves the ECB daily XML (eurofxref-daily.xml); empty keeps the
	// shipped snapshot.
	URL    string
	Client *http.Client
	Logger *slog.Logger
}

// Source holds the rates in force: the shipped snapshot until a refresh
// from URL brings newer ones. It is safe for concurrent use.
type Source struct {
	cfg     SourceConfig
	current atomic.Pointer[Rates]
}

// maxBody bounds a rates document: the daily file is under 2 KiB, the
// 90-day history about 100 KiB.
const maxBody = 1 << 20

// NewSource returns a Source holding the shipped snapshot.
func NewSource(cfg SourceConfig) *Source {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Source{cfg: cfg}
	s.current.Store(Snapshot())
	return s
}

// Rates returns the rates in force.
func (s *Source) Rates() *Rates { return s.current.Load() }

// Refresh fetches URL and keeps its rates unless they are older than the
// ones in force. A failure keeps the rates in force and is returned.
func (s *Source) Refresh(ctx context.Context) error {
	if s.cfg.URL == "" {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.URL, nil)
	if err != nil {
		return fmt.Errorf("fx: refresh: %w", err)
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("fx: refresh: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fx: refresh: HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("fx: refresh: %w", err)
	}
	r, err := ParseECB(b)
	if err != nil {
		return err
	}
	for {
		old := s.current.Load()
		if r.Date < old.Date {
			return nil
		}
		if s.current.CompareAndSwap(old, r) {
			return nil
		}
	}
}

// Run refreshes now and then every interval until ctx ends, logging
// failures.
func (s *Source) Run(ctx context.Context, every time.Duration) {
	if s.cfg.URL == "" {
		return
	}
	if every <= 0 {
		every = 6 * time.Hour
	}
	for {
		if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.WarnContext(ctx, "exchange rates refresh failed; keeping the rates in force", "date", s.Rates().Date, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
