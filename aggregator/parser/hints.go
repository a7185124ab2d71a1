package parser

import (
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"github.com/mmcdole/gofeed/rss"
)

// Hints are what a feed says about how often to poll it.
type Hints struct {
	// TTL is RSS <ttl>: how long the feed may be cached.
	TTL time.Duration
	// UpdatePeriod is sy:updatePeriod divided by sy:updateFrequency: how
	// often the feed says it is updated.
	UpdatePeriod time.Duration
	// SkipHours are RSS <skipHours>: hours (0–23, GMT) not to poll in.
	SkipHours []int
	// SkipDays are RSS <skipDays>: days not to poll on.
	SkipDays []time.Weekday
}

// maxHint bounds any duration a feed asks for (a year of ttl is a typo).
const maxHint = 7 * 24 * time.Hour

// rssHints reads the RSS channel's ttl, skipHours and skipDays.
func rssHints(rf *rss.Feed) Hints {
	var h Hints
	if n, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && n > 0 {
		h.TTL = min(time.Duration(n)*time.Minute, maxHint)
	}
	for _, s := range rf.SkipHours {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 && n <= 24 {
			h.SkipHours = append(h.SkipHours, n%24) // some feeds count 1–24
		}
	}
	days := map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
		"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}
	for _, s := range rf.SkipDays {
		if d, ok := days[strings.ToLower(strings.TrimSpace(s))]; ok {
			h.SkipDays = append(h.SkipDays, d)
		}
	}
	// Skipping every hour or every day would mean never polling: ignore.
	if len(h.SkipHours) >= 24 {
		h.SkipHours = nil
	}
	if len(h.SkipDays) >= 7 {
		h.SkipDays = nil
	}
	return h
}

// syndicationPeriod reads sy:updatePeriod and sy:updateFrequency (RSS 1.0
// syndication module, common in WordPress feeds), 0 when absent.
func syndicationPeriod(exts ext.Extensions) time.Duration {
	sy := exts["sy"]
	if sy == nil {
		return 0
	}
	value := func(name string) string {
		if v := sy[name]; len(v) > 0 {
			return strings.ToLower(strings.TrimSpace(v[0].Value))
		}
		return ""
	}
	period, ok := map[string]time.Duration{
		"hourly": time.Hour, "daily": 24 * time.Hour, "weekly": 7 * 24 * time.Hour,
		"monthly": 30 * 24 * time.Hour, "yearly": 365 * 24 * time.Hour,
	}[value("updatePeriod")]
	if !ok {
		return 0
	}
	freq, err := strconv.Atoi(value("updateFrequency"))
	if err != nil || freq < 1 {
		freq = 1
	}
	return min(period/time.Duration(freq), maxHint)
}

// feedHints completes h with what every format can carry.
func feedHints(h Hints, f *gofeed.Feed) Hints {
	if f != nil && h.UpdatePeriod == 0 {
		h.UpdatePeriod = syndicationPeriod(f.Extensions)
	}
	return h
}
