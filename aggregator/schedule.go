package aggregator

import (
	"errors"
	"slices"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/parser"
)

const (
	// maxBackoff caps the wait after repeated errors.
	maxBackoff = 12 * time.Hour
	// maxFreshnessFactor is how many intervals a quiet outlet waits.
	maxFreshnessFactor = 4
)

// nextAfterSuccess is the next poll time after a successful fetch.
//
// The wait starts from the outlet's publishing rate: half the mean gap
// between its newest items (busy outlets are polled more often, quiet ones
// less), its interval when the rate cannot be told, four times its
// interval when it published nothing for a week, always within the
// outlet's [MinInterval, MaxInterval]. The server (Cache-Control max-age,
// Expires) and the feed (RSS ttl, sy:updatePeriod) may ask for longer, up
// to MaxInterval. Last, hours and days the feed skips (skipHours,
// skipDays) are passed over.
func nextAfterSuccess(now time.Time, o Outlet, base, fresh time.Duration, h parser.Hints) time.Time {
	wait := base
	for _, d := range []time.Duration{fresh, h.TTL, h.UpdatePeriod} {
		if d > wait {
			wait = min(d, o.maxInterval())
		}
	}
	return skipHours(now.Add(wait), h)
}

// adaptiveWait derives the base wait from the publication times of the
// feed's items.
func adaptiveWait(now time.Time, o Outlet, published []time.Time) time.Duration {
	const (
		recent = 7 * 24 * time.Hour
		sample = 10
	)
	var times []time.Time
	for _, t := range published {
		if !t.IsZero() && t.After(now.Add(-recent)) && !t.After(now) {
			times = append(times, t)
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return b.Compare(a) })
	times = times[:min(len(times), sample)]
	lo, hi := o.minInterval(), o.maxInterval()
	switch {
	case len(times) == 0:
		return min(o.Interval*maxFreshnessFactor, hi)
	case len(times) == 1:
		return min(max(o.Interval, lo), hi)
	}
	gap := times[0].Sub(times[len(times)-1]) / time.Duration(len(times)-1)
	return min(max(gap/2, lo), hi)
}

// skipHours moves t past the hours and days the feed asks not to be polled
// in (RSS skipHours, in GMT, and skipDays).
func skipHours(t time.Time, h parser.Hints) time.Time {
	if len(h.SkipHours) == 0 && len(h.SkipDays) == 0 {
		return t
	}
	for range 24 * 7 {
		u := t.UTC()
		if !slices.Contains(h.SkipHours, u.Hour()) && !slices.Contains(h.SkipDays, u.Weekday()) {
			return t
		}
		t = u.Truncate(time.Hour).Add(time.Hour)
	}
	return t
}

// nextAfterError backs off exponentially with the number of consecutive
// errors (interval, 2×, 4× ... up to maxBackoff), and honours a server's
// Retry-After when it asks for longer.
func nextAfterError(now time.Time, interval time.Duration, consecutive int, err error) time.Time {
	wait := interval
	for i := 1; i < consecutive && wait < maxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, maxBackoff)
	var se *fetcher.StatusError
	if errors.As(err, &se) && se.RetryAfter > wait {
		wait = min(se.RetryAfter, maxBackoff)
	}
	return now.Add(wait)
}
