package aggregator

import (
	"errors"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

func TestNextAfterSuccess(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name            string
		interval, fresh time.Duration
		want            time.Duration
	}{
		{"no caching headers", 15 * time.Minute, 0, 15 * time.Minute},
		{"fresh shorter than interval", 15 * time.Minute, 5 * time.Minute, 15 * time.Minute},
		{"fresh longer than interval", 15 * time.Minute, 30 * time.Minute, 30 * time.Minute},
		{"fresh clamped", 15 * time.Minute, 24 * time.Hour, time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextAfterSuccess(now, tc.interval, tc.fresh).Sub(now); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNextAfterError(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	plain := errors.New("connection refused")
	tests := []struct {
		name        string
		consecutive int
		err         error
		want        time.Duration
	}{
		{"first error", 1, plain, 15 * time.Minute},
		{"third error doubles twice", 3, plain, time.Hour},
		{"capped", 40, plain, maxBackoff},
		{"retry-after longer", 1, &fetcher.StatusError{StatusCode: 429, RetryAfter: 2 * time.Hour}, 2 * time.Hour},
		{"retry-after shorter ignored", 2, &fetcher.StatusError{StatusCode: 503, RetryAfter: time.Minute}, 30 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextAfterError(now, 15*time.Minute, tc.consecutive, tc.err).Sub(now); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
