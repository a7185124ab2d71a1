package aggregator

import (
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// Outlet is one outlet to poll, as the configuration gives it.
type Outlet struct {
	news.Outlet
	// Interval is the outlet's regular poll interval.
	Interval time.Duration
	// MinInterval and MaxInterval bound the adaptive schedule (0: a
	// quarter of Interval, and four times Interval).
	MinInterval, MaxInterval time.Duration
	// Language is used for items whose feed names none.
	Language string
	// Location is the outlet's time zone, for dates without one (nil:
	// UTC).
	Location *time.Location
}
