package app

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/topicfeed/topicfeed/app/apptest"
)

// pollRound opens the App of cfg as `topicfeed poll` does, runs one round
// (of the outlets due only, with onlyDue) and closes it. It returns the
// names of the outlets polled and skipped, and the App's log.
func pollRound(t *testing.T, cfg string, onlyDue bool) (polled, skipped []string, log string) {
	t.Helper()
	c, err := LoadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	a, err := Open(context.Background(), cfg, c, NewLogger(logs, c.Log), Options{})
	if err != nil {
		t.Fatalf("open: %v\n%s", err, logs)
	}
	results, skipped, err := a.Poll(context.Background(), onlyDue)
	if err := errors.Join(err, a.Close()); err != nil {
		t.Fatalf("poll (due only: %v): %v\n%s", onlyDue, err, apptest.LogTail(logs.String()))
	}
	for _, r := range results {
		polled = append(polled, r.Outlet)
	}
	return polled, skipped, logs.String()
}

// TestPollDue: a round of the outlets due (`poll -due`, for a cron job)
// asks no server sooner than the daemon would: an outlet that answered 429
// with Retry-After: 3600 and an outlet polled successfully a moment ago
// (next poll after poll_interval) are skipped, a new outlet is polled; a
// plain round (`poll`) polls every outlet.
func TestPollDue(t *testing.T) {
	var limitedHits, healthyHits, newHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/limited", func(w http.ResponseWriter, r *http.Request) {
		limitedHits.Add(1)
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	feed := apptest.ServeFeed(apptest.OnTopicRSS("due", 3), "application/rss+xml")
	mux.HandleFunc("/healthy", func(w http.ResponseWriter, r *http.Request) {
		healthyHits.Add(1)
		feed.ServeHTTP(w, r)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		newHits.Add(1)
		feed.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	extra := "listen: \"127.0.0.1:0\"\nallow_private_networks: true\n"
	cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{{"Limited", srv.URL + "/limited"}, {"Healthy", srv.URL + "/healthy"}}, extra)

	pollRound(t, cfg, true)
	if limitedHits.Load() != 1 || healthyHits.Load() != 1 {
		t.Fatalf("first poll -due requested limited %d and healthy %d times, want 1 and 1 (never polled: due)", limitedHits.Load(), healthyHits.Load())
	}

	// A new outlet joins the configuration: only it is due.
	cfg = apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{{"Limited", srv.URL + "/limited"}, {"Healthy", srv.URL + "/healthy"}, {"New", srv.URL + "/new"}}, extra)
	polled, skipped, _ := pollRound(t, cfg, true)
	if limitedHits.Load() != 1 {
		t.Errorf("poll -due asked the rate-limited outlet again within its Retry-After (%d requests)", limitedHits.Load())
	}
	if healthyHits.Load() != 1 {
		t.Errorf("poll -due asked the healthy outlet again before its poll interval (%d requests)", healthyHits.Load())
	}
	if newHits.Load() != 1 {
		t.Errorf("poll -due requested the new outlet %d times, want 1", newHits.Load())
	}
	slices.Sort(skipped)
	if !slices.Equal(skipped, []string{"Healthy", "Limited"}) || !slices.Equal(polled, []string{"New"}) {
		t.Errorf("poll -due skipped %q and polled %q, want Healthy and Limited skipped, New polled", skipped, polled)
	}

	pollRound(t, cfg, false)
	if limitedHits.Load() != 2 || healthyHits.Load() != 2 || newHits.Load() != 2 {
		t.Errorf("plain poll requested limited %d, healthy %d, new %d times in all, want 2 each", limitedHits.Load(), healthyHits.Load(), newHits.Load())
	}
}
