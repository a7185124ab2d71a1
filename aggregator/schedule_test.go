package aggregator

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/parser"
	"github.com/topicfeed/topicfeed/news"
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

// TestNextPollAfterSuccess: the base wait (here the interval: no items
// and no earlier success), lengthened by the server's freshness and the
// feed's hints up to MaxInterval, past the hours and days the feed skips.
func TestNextPollAfterSuccess(t *testing.T) {
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
			if got := nextPoll(now, o, news.OutletState{}, pollEnd{Fresh: tc.fresh, Hints: tc.h}); !got.Equal(tc.want) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestNextPollBase: a full fetch waits by the publishing rate; a 304 keeps
// the wait of the last full fetch, within the bounds.
func TestNextPollBase(t *testing.T) {
	now := time.Date(2025, 1, 6, 12, 0, 0, 0, time.UTC)
	o := Outlet{Interval: 15 * time.Minute, MinInterval: 5 * time.Minute, MaxInterval: 6 * time.Hour}
	last := now.Add(-time.Hour)
	tests := []struct {
		name string
		prev news.OutletState
		end  pollEnd
		want time.Duration
	}{
		{"full fetch: half the mean gap", news.OutletState{}, pollEnd{Published: []time.Time{now.Add(-time.Hour), now.Add(-2 * time.Hour)}}, 30 * time.Minute},
		{"304: the last full fetch's wait", news.OutletState{LastSuccess: last, NextPoll: last.Add(40 * time.Minute)}, pollEnd{}, 40 * time.Minute},
		{"304: within MaxInterval", news.OutletState{LastSuccess: last, NextPoll: last.Add(9 * time.Hour)}, pollEnd{}, 6 * time.Hour},
		{"304: within MinInterval", news.OutletState{LastSuccess: last, NextPoll: last.Add(time.Minute)}, pollEnd{}, 5 * time.Minute},
		{"304, never a success before: the interval", news.OutletState{}, pollEnd{}, 15 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextPoll(now, o, tc.prev, tc.end).Sub(now); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestNextPollAfterError: temporary errors double the wait, permanent ones
// quadruple it, both from the interval up to maxBackoff; a longer
// Retry-After is honoured; a store error (the database, not the outlet)
// doubles from storeRetry up to the interval.
func TestNextPollAfterError(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	o := Outlet{Interval: 15 * time.Minute}
	plain := errors.New("connection refused")
	status := func(code int) error {
		return &fetcher.StatusError{URL: "https://outlet.example/feed", StatusCode: code}
	}
	tests := []struct {
		name        string
		consecutive int // failed polls in a row, this one included
		err         error
		want        time.Duration
	}{
		{"first error", 1, plain, 15 * time.Minute},
		{"third error doubles twice", 3, plain, time.Hour},
		{"capped", 40, plain, maxBackoff},
		{"retry-after longer", 1, &fetcher.StatusError{StatusCode: 429, RetryAfter: 2 * time.Hour}, 2 * time.Hour},
		{"retry-after shorter ignored", 2, &fetcher.StatusError{StatusCode: 503, RetryAfter: time.Minute}, 30 * time.Minute},
		{"retry-after capped", 1, &fetcher.StatusError{StatusCode: 503, RetryAfter: 48 * time.Hour}, maxBackoff},
		{"wrapped", 2, fmt.Errorf("poll: %w", status(503)), 30 * time.Minute},
		{"503 third: temporary", 3, status(503), time.Hour},
		{"500 third: temporary", 3, status(500), time.Hour},
		{"408 third: temporary", 3, status(408), time.Hour},
		{"429 third: temporary", 3, status(429), time.Hour},
		{"404 first: one interval", 1, status(404), 15 * time.Minute},
		{"404 second: permanent", 2, status(404), time.Hour},
		{"404 third: permanent", 3, status(404), 4 * time.Hour},
		{"404 fourth: capped", 4, status(404), maxBackoff},
		{"401 third: permanent", 3, status(401), 4 * time.Hour},
		{"403 third: permanent", 3, status(403), 4 * time.Hour},
		{"501 third: permanent", 3, status(501), 4 * time.Hour},
		{"404 with a longer retry-after", 1, &fetcher.StatusError{StatusCode: 404, RetryAfter: 3 * time.Hour}, 3 * time.Hour},
		{"wrapped 404", 2, fmt.Errorf("poll: %w", status(404)), time.Hour},
		{"store error first: seconds", 1, storeError{plain}, storeRetry},
		{"store error third: doubled twice", 3, storeError{plain}, 4 * storeRetry},
		{"store error: capped at the interval", 20, storeError{plain}, 15 * time.Minute},
		{"wrapped store error", 2, fmt.Errorf("poll: %w", storeError{plain}), 2 * storeRetry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev := news.OutletState{ConsecutiveErrors: tc.consecutive - 1}
			if got := nextPoll(now, o, prev, pollEnd{Err: tc.err}).Sub(now); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDisables(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&fetcher.StatusError{StatusCode: 410}, true},
		{fmt.Errorf("poll: %w", &fetcher.StatusError{StatusCode: 410}), true},
		{&fetcher.StatusError{StatusCode: 404}, false},
		{&fetcher.StatusError{StatusCode: 503}, false},
		{errors.New("connection refused"), false},
	}
	for _, tc := range tests {
		if got := disables(tc.err) != ""; got != tc.want {
			t.Errorf("disables(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestDispatchAt: a running scheduler starts the poll when the result
// asked, or one interval from now when it asked for nothing, later by the
// catch-up spread once and by the jitter.
func TestDispatchAt(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	o := Outlet{Interval: 15 * time.Minute}
	next := now.Add(time.Hour)
	if got := dispatchAt(now, o, next, false, 0); !got.Equal(next) {
		t.Errorf("no jitter, no catch-up: %s, want %s", got, next)
	}
	if got := dispatchAt(now, o, time.Time{}, false, 0); !got.Equal(now.Add(o.Interval)) {
		t.Errorf("no next poll asked: %s, want one interval from now", got)
	}
	for range 200 {
		if got := dispatchAt(now, o, next, false, 0.1); got.Before(next) || !got.Before(next.Add(o.Interval/10)) {
			t.Fatalf("jitter 0.1: %s, want in [%s, %s)", got, next, next.Add(o.Interval/10))
		}
		if got := dispatchAt(now, o, next, true, 0); got.Before(next) || !got.Before(next.Add(30*time.Minute)) {
			t.Fatalf("catch-up: %s, want in [%s, %s)", got, next, next.Add(30*time.Minute))
		}
	}
}

func TestSpreadDelay(t *testing.T) {
	const wait = time.Hour
	if d := spreadDelay(0); d != 0 {
		t.Errorf("spreadDelay(0) = %v", d)
	}
	if d := spreadDelay(-time.Minute); d != 0 {
		t.Errorf("spreadDelay(-1m) = %v", d)
	}
	limit := time.Duration(catchUpSpread * float64(wait))
	buckets := make([]int, 10)
	const draws = 2000
	for range draws {
		d := spreadDelay(wait)
		if d < 0 || d >= limit {
			t.Fatalf("spreadDelay(%v) = %v, outside [0, %v)", wait, d, limit)
		}
		buckets[int(10*d/limit)]++
	}
	for i, c := range buckets {
		if c < draws/40 {
			t.Errorf("only %d of %d delays in tenth %d of [0, %v): %v", c, draws, i, limit, buckets)
		}
	}
}

// TestJitterSpreadsPolls: re-scheduled polls are delayed by a random
// fraction of the interval, up to Jitter, so that outlets scheduled
// together drift apart; no jitter when it is off.
func TestJitterSpreadsPolls(t *testing.T) {
	const interval = 15 * time.Minute
	for _, tt := range []struct {
		jitter float64
		max    time.Duration
	}{{0, 0}, {0.1, interval / 10}, {0.5, interval / 2}} {
		var lo, hi time.Duration = tt.max, 0
		buckets := make([]int, 10)
		const n = 2000
		for range n {
			d := jitterDelay(tt.jitter, interval)
			if d < 0 || d > tt.max {
				t.Fatalf("jitter %v: delay %v outside [0, %v]", tt.jitter, d, tt.max)
			}
			lo, hi = min(lo, d), max(hi, d)
			if tt.max > 0 {
				buckets[min(int(10*d/tt.max), 9)]++
			}
		}
		if tt.max == 0 {
			if hi != 0 {
				t.Errorf("jitter off: delays up to %v", hi)
			}
			continue
		}
		// Spread over the whole range: every tenth of it is used.
		for i, c := range buckets {
			if c < n/40 {
				t.Errorf("jitter %v: only %d of %d delays in tenth %d of the range %v", tt.jitter, c, n, i, buckets)
			}
		}
	}
}

// TestStartAt: a starting daemon keeps the stored next poll of an outlet
// that has succeeded, and polls at once one that never did (whatever its
// back-off), one whose time has passed and one it knows nothing of; a
// server that asked to be left alone (429) and a disabled outlet keep
// their stored time.
func TestStartAt(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	later := now.Add(3 * time.Hour)
	tests := []struct {
		name string
		st   *news.OutletState
		want time.Time
	}{
		{"state unreadable", nil, now},
		{"never polled", &news.OutletState{}, now},
		{"succeeded, not due", &news.OutletState{LastFetch: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute), NextPoll: later}, later},
		{"succeeded, due", &news.OutletState{LastSuccess: now.Add(-time.Hour), NextPoll: now.Add(-time.Minute)}, now},
		{"failing, succeeded once", &news.OutletState{LastSuccess: now.Add(-48 * time.Hour), LastError: "x", ConsecutiveErrors: 5, NextPoll: later}, later},
		{"never succeeded, connection refused", &news.OutletState{LastFetch: now.Add(-time.Minute), LastError: "x", ConsecutiveErrors: 1, NextPoll: later}, now},
		{"never succeeded, 404", &news.OutletState{LastFetch: now.Add(-time.Minute), LastStatus: 404, ConsecutiveErrors: 4, NextPoll: later}, now},
		{"never succeeded, 429", &news.OutletState{LastFetch: now.Add(-time.Minute), LastStatus: 429, ConsecutiveErrors: 1, NextPoll: later}, later},
		{"disabled", &news.OutletState{Disabled: true, NextPoll: later}, later},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := startAt(now, tc.st); !got.Equal(tc.want) {
				t.Errorf("startAt = %s, want %s", got, tc.want)
			}
		})
	}
}
