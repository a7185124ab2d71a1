package aggregator

import (
	"errors"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

const (
	// maxBackoff caps the wait after repeated errors.
	maxBackoff = 12 * time.Hour
	// maxFreshness caps how long a server's caching headers may push the
	// next poll past the outlet's interval.
	maxFreshnessFactor = 4
)

// nextAfterSuccess is the next poll time after a successful fetch: the
// outlet's interval, or longer when the server says its feed stays fresh
// longer (Cache-Control max-age, Expires), within maxFreshnessFactor times
// the interval.
func nextAfterSuccess(now time.Time, interval, fresh time.Duration) time.Time {
	wait := interval
	if fresh > wait {
		wait = min(fresh, interval*maxFreshnessFactor)
	}
	return now.Add(wait)
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
