package aggregator

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/parser"
	"github.com/topicfeed/topicfeed/news"
)

const (
	// maxBackoff caps the wait after repeated errors.
	maxBackoff = 12 * time.Hour
	// maxFreshnessFactor is how many intervals a quiet outlet waits, and
	// the default MaxInterval in intervals.
	maxFreshnessFactor = 4
	// permanentFactor is how much longer each further consecutive
	// permanent error waits (temporary ones: 2).
	permanentFactor = 4
	// storeRetry is the wait after a poll the database failed (a
	// PostgreSQL restart or failover): doubled for each further
	// consecutive error, up to the outlet's interval.
	storeRetry = 2 * time.Second
)

// storeError marks a poll that failed in the database, not at the outlet:
// its outlet is asked again within seconds (storeRetry), not an interval
// later, so that a database restart mid-round delays the round's polls
// rather than skipping them.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

// pollEnd is what the policy needs to know of a finished poll.
type pollEnd struct {
	// Err is why the poll failed; nil after a successful fetch (200 or
	// 304).
	Err error
	// Fresh is how much longer the server says the response stays fresh
	// (fetcher.Response.FreshFor).
	Fresh time.Duration
	// Hints are the feed's own (ttl, sy:updatePeriod, skipHours,
	// skipDays); none for a 304.
	Hints parser.Hints
	// Published are the publication times of the feed's items, nil for a
	// 304.
	Published []time.Time
}

// nextPoll is the next-poll policy: the time of outlet o's next poll after
// a poll at now that ended as end, for the outlet's state prev as it was
// before the poll. The poller stores that time with the outlet's state, so
// that a restart, and `poll -due` from cron, ask no server sooner than the
// daemon would; a running Scheduler then adds the random delays of
// dispatchAt.
//
// The rules, as the README's configuration table states them
// (poll_interval, min_poll_interval, max_poll_interval):
//
// After a successful fetch, the wait starts from the outlet's publishing
// rate: half the mean gap between its newest items (at most 10 of the last
// week), so that busy outlets are polled more often and quiet ones less;
// its interval when one item tells no rate; four times its interval when
// it published nothing for a week; always within [MinInterval,
// MaxInterval] (by default a quarter of, and four times, the interval).
// A 304 keeps the wait the last full fetch chose. The server
// (Cache-Control max-age, Expires) and the feed (RSS ttl, sy:updatePeriod)
// may ask for longer, up to MaxInterval, never for shorter. Last, the
// hours and days the feed skips (skipHours, skipDays) are passed over.
//
// After a failed poll, the wait depends on the error's class:
//   - temporary (no response, a timeout, 408, 425, 429, 5xx except 501
//     and 505: fetcher.StatusError.Temporary; a parse error): the
//     interval, doubled for each further consecutive error;
//   - the database (a store error: unreachable while PostgreSQL restarts):
//     storeRetry, doubled for each further consecutive error, up to the
//     interval;
//   - permanent (any other 4xx, such as 401, 403 and 404; 501, 505): the
//     interval, then four times as long for each further consecutive
//     error. The first retry comes as soon as after a temporary error (a
//     site being redeployed answers 404 for a while), but a feed that
//     keeps answering 404 reaches the cap at its fourth failure in a row
//     instead of its seventh;
//   - 410 Gone also disables the outlet (disables): it is not polled
//     again.
//
// Either back-off is capped at maxBackoff, and a server's Retry-After
// that asks for longer is honoured, up to maxBackoff too.
//
// A running Scheduler (dispatchAt) starts the poll at that time plus a
// random jitter of up to SchedulerOptions.Jitter × interval, so that
// outlets polled together drift apart, and, for a poll of the start-up
// catch-up, once a random delay of up to catchUpSpread of the wait. These
// delays only ever postpone a poll and are not stored: the poller stores
// the state with the items before the scheduler sees the result, and the
// delays only keep one daemon's polls apart (a restart spreads its
// catch-up again).
func nextPoll(now time.Time, o Outlet, prev news.OutletState, end pollEnd) time.Time {
	if end.Err != nil {
		return now.Add(errorWait(o.Interval, prev.ConsecutiveErrors+1, end.Err))
	}
	base := o.Interval
	if end.Published != nil {
		base = adaptiveWait(now, o, end.Published)
	} else if wait := prev.NextPoll.Sub(prev.LastSuccess); !prev.LastSuccess.IsZero() && wait > 0 {
		base = min(max(wait, o.minInterval()), o.maxInterval()) // 304: the last full fetch's wait
	}
	wait := base
	for _, d := range []time.Duration{end.Fresh, end.Hints.TTL, end.Hints.UpdatePeriod} {
		if d > wait {
			wait = min(d, o.maxInterval())
		}
	}
	return skipHours(now.Add(wait), end.Hints)
}

func (o Outlet) minInterval() time.Duration {
	if o.MinInterval > 0 {
		return min(o.MinInterval, o.Interval)
	}
	return o.Interval / 4
}

func (o Outlet) maxInterval() time.Duration {
	if o.MaxInterval > 0 {
		return max(o.MaxInterval, o.Interval)
	}
	return o.Interval * maxFreshnessFactor
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

// errorWait is the wait after the consecutive-th failed poll in a row
// that failed with err: interval × 2^(consecutive−1) for a temporary
// error, × 4^(consecutive−1) for a permanent one, up to maxBackoff, or a
// longer Retry-After (up to maxBackoff); storeRetry × 2^(consecutive−1)
// for a store error, up to the interval.
func errorWait(interval time.Duration, consecutive int, err error) time.Duration {
	if errors.As(err, new(storeError)) {
		wait := min(storeRetry, interval)
		for i := 1; i < consecutive && wait < interval; i++ {
			wait *= 2
		}
		return min(wait, interval)
	}
	var se *fetcher.StatusError
	status := errors.As(err, &se)
	factor := time.Duration(2)
	if status && !se.Temporary() {
		factor = permanentFactor
	}
	wait := interval
	for i := 1; i < consecutive && wait < maxBackoff; i++ {
		wait *= factor
	}
	wait = min(wait, maxBackoff)
	if status && se.RetryAfter > wait {
		wait = min(se.RetryAfter, maxBackoff)
	}
	return wait
}

// disables returns why a poll that failed with err disables its outlet:
// "" unless the feed is gone (410).
func disables(err error) string {
	var se *fetcher.StatusError
	if errors.As(err, &se) && se.StatusCode == http.StatusGone {
		return "feed is gone (HTTP 410)"
	}
	return ""
}

// startAt is when a starting daemon (Scheduler.Run) first polls an outlet
// whose stored state is st (nil when it could not be read), at now: the
// stored next poll, unless that has passed, or the outlet has never been
// fetched successfully. Such an outlet has shown nothing yet, and its
// stored next poll is an error back-off (up to maxBackoff): a restart,
// typically after fixing the network, a proxy or the outlet's URL, tries
// again at once rather than up to hours later. The exception is a server
// that last asked to be left alone (429 Too Many Requests), whose wait is
// kept. An outlet that has succeeded keeps its stored time, so a restart
// asks its server no sooner than the daemon would have. `poll -due`
// (Scheduler.RunDue) keeps every stored time: it runs from cron, and
// would otherwise retry a failing outlet at every run.
func startAt(now time.Time, st *news.OutletState) time.Time {
	if st == nil || !st.NextPoll.After(now) {
		return now
	}
	if st.LastSuccess.IsZero() && !st.Disabled && st.LastStatus != http.StatusTooManyRequests {
		return now
	}
	return st.NextPoll
}

// catchUpSpread is the largest delay, as a fraction of the wait the poll
// asked for, added once to the next poll of an outlet polled in the
// start-up catch-up (see Scheduler.loop). The catch-up polls every outlet
// that fell due while the daemon was stopped (all of them on a first
// start) within seconds; with waits of similar length they would all fall
// due together again, and again after that: bursts of hundreds of polls a
// second that take the cores from readers. Spread over half a wait, they
// keep apart. The delay only adds to the wait, so a server's Retry-After,
// max-age or ttl is never cut short.
const catchUpSpread = 0.5

// dispatchAt is when a running Scheduler starts outlet o's next poll,
// whose result asked for next (zero when the poll set none: a disabled
// outlet, or a state that could not be loaded; then one interval from
// now): next, plus a random delay of up to catchUpSpread of the wait when
// catchUp (the outlet's first poll after the start-up catch-up), plus a
// random jitter of up to jitter × the outlet's interval.
func dispatchAt(now time.Time, o Outlet, next time.Time, catchUp bool, jitter float64) time.Time {
	if next.IsZero() {
		next = now.Add(o.Interval)
	}
	if catchUp {
		next = next.Add(spreadDelay(next.Sub(now)))
	}
	return next.Add(jitterDelay(jitter, o.Interval))
}

// spreadDelay is a random delay in [0, catchUpSpread × wait).
func spreadDelay(wait time.Duration) time.Duration {
	if wait <= 0 {
		return 0
	}
	return time.Duration(rand.Float64() * catchUpSpread * float64(wait))
}

// jitterDelay is a random delay in [0, jitter × interval).
func jitterDelay(jitter float64, interval time.Duration) time.Duration {
	if jitter <= 0 || interval <= 0 {
		return 0
	}
	return time.Duration(rand.Float64() * jitter * float64(interval))
}
