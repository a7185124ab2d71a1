package app

import (
	"fmt"
	"slices"
	"time"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/web"
)

func sameTagging(a, b news.Tagging) bool {
	return a.OnTopic == b.OnTopic && a.Score == b.Score && slices.Equal(a.Topics, b.Topics) && slices.Equal(a.Tags, b.Tags) &&
		len(a.Evidence) == len(b.Evidence)
}

// OutletHealth is one outlet's health as `topicfeed outlets` prints it:
// times relative to now, the last error in words as the front page says it
// (web.FailureInWords: credentials redacted), cut to 100 characters.
type OutletHealth struct {
	Name        string
	Status      string // "ok", an HTTP status, "failing", "never polled" or "disabled: " and why
	Items       int
	LastFetch   string // "5m0s ago", or "-"
	LastSuccess string
	NextPoll    string // "in 10m0s", "due", or "-"
	Errors      int    // consecutive
	LastError   string
}

// Health describes each stored outlet's health at now.
func Health(now time.Time, list []news.OutletState) []OutletHealth {
	out := make([]OutletHealth, len(list))
	for i, o := range list {
		var lastError string
		if o.LastError != "" {
			lastError = truncate(web.FailureInWords(o), 100)
		}
		status := fmt.Sprint(o.LastStatus)
		switch {
		case o.Disabled:
			status = "disabled: " + o.DisabledReason
		case o.LastFetch.IsZero():
			status = "never polled"
		case o.LastError != "":
			status = "failing"
		case o.LastStatus == 0:
			status = "ok"
		}
		out[i] = OutletHealth{Name: o.Name, Status: status, Items: o.ItemCount, LastFetch: ago(now, o.LastFetch),
			LastSuccess: ago(now, o.LastSuccess), NextPoll: until(now, o.NextPoll), Errors: o.ConsecutiveErrors,
			LastError: lastError}
	}
	return out
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}

func until(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if !t.After(now) {
		return "due"
	}
	return "in " + t.Sub(now).Round(time.Second).String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
