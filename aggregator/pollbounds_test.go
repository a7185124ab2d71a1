package aggregator

import (
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/config"
)

// TestConfigPollBoundsMatchTheSchedule keeps the range `topicfeed check`
// prints (config.PollBounds) the one the schedule polls within.
func TestConfigPollBoundsMatchTheSchedule(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct{ interval, minI, maxI, own time.Duration }{
		{15 * m, 0, 0, 0},
		{15 * m, 0, 0, 10 * m},
		{15 * m, 5 * m, 2 * time.Hour, 0},
		{15 * m, time.Hour, 10 * m, 0},
		{2 * m, 0, 0, 0},
	} {
		cfg := config.Default()
		cfg.PollInterval, cfg.MinPollInterval, cfg.MaxPollInterval = tc.interval, tc.minI, tc.maxI
		o := config.Outlet{PollInterval: tc.own}
		lo, hi := cfg.PollBounds(o)
		ao := Outlet{Interval: cfg.Interval(o), MinInterval: cfg.MinPollInterval, MaxInterval: cfg.MaxPollInterval}
		if lo != ao.minInterval() || hi != ao.maxInterval() {
			t.Errorf("%+v: config says %s to %s, the schedule %s to %s", tc, lo, hi, ao.minInterval(), ao.maxInterval())
		}
	}
}
