package aggregator

import (
	"errors"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/parser"
)

func TestAdaptiveWait(t *testing.T) {
	now := time.Date(2025, 1, 6, 12, 0, 0, 0, time.UTC) // a Monday
	o := Outlet{Interval: 15 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: 6 * time.Hour}
	every := func(gap time.Duration, n int) []time.Time {
		var ts []time.Time
		for i := range n {
			ts = append(ts, now.Add(-time.Duration(i+1)*gap))
		}
		return ts
	}
	tests := []struct {
		name      string
		published []time.Time
		want      time.Duration
	}{
		{"busy: an item every 20 minutes", every(20*time.Minute, 10), 10 * time.Minute},
		{"very busy: clamped to the minimum", every(time.Minute, 10), 5 * time.Minute},
		{"slow: an item every 4 hours", every(4*time.Hour, 5), 2 * time.Hour},
		{"rare: clamped to the maximum", every(30*time.Hour, 5), 6 * time.Hour},
		{"quiet: nothing this week", []time.Time{now.Add(-30 * 24 * time.Hour)}, time.Hour},
		{"one recent item: the interval", []time.Time{now.Add(-time.Hour)}, 15 * time.Minute},
		{"future dates are ignored", []time.Time{now.Add(time.Hour), now.Add(2 * time.Hour)}, time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := adaptiveWait(now, o, tc.published); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNextAfterSuccess(t *testing.T) {
	now := time.Date(2025, 1, 6, 12, 0, 0, 0, time.UTC) // Monday 12:00 GMT
	o := Outlet{Interval: 15 * time.Minute, MaxInterval: 6 * time.Hour}
	tests := []struct {
		name  string
		fresh time.Duration
		h     parser.Hints
		want  time.Time
	}{
		{"base", 0, parser.Hints{}, now.Add(15 * time.Minute)},
		{"max-age shorter than base", 5 * time.Minute, parser.Hints{}, now.Add(15 * time.Minute)},
		{"max-age longer", 30 * time.Minute, parser.Hints{}, now.Add(30 * time.Minute)},
		{"max-age clamped", 24 * time.Hour, parser.Hints{}, now.Add(6 * time.Hour)},
		{"ttl", 0, parser.Hints{TTL: time.Hour}, now.Add(time.Hour)},
		{"sy:updatePeriod", 0, parser.Hints{UpdatePeriod: 2 * time.Hour}, now.Add(2 * time.Hour)},
		{"skip hours", 0, parser.Hints{SkipHours: []int{12, 13}}, time.Date(2025, 1, 6, 14, 0, 0, 0, time.UTC)},
		{"skip days", 0, parser.Hints{SkipDays: []time.Weekday{time.Monday}}, time.Date(2025, 1, 7, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextAfterSuccess(now, o, o.Interval, tc.fresh, tc.h); !got.Equal(tc.want) {
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
