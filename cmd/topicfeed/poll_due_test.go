package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPollDue: `poll -due`, the round for a cron job, asks no server sooner
// than the daemon would: an outlet that answered 429 with Retry-After: 3600
// and an outlet polled successfully a moment ago (next poll after
// poll_interval) are skipped, a new outlet is polled; a plain `poll` polls
// every outlet.
func TestPollDue(t *testing.T) {
	var limitedHits, healthyHits, newHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/limited", func(w http.ResponseWriter, r *http.Request) {
		limitedHits.Add(1)
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	feed := serveFeed(onTopicRSS("due", 3), "application/rss+xml")
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
	cfg := writeOutletsConfig(t, dir, []cfgOutlet{{"Limited", srv.URL + "/limited"}, {"Healthy", srv.URL + "/healthy"}}, extra)

	_, stderr, code := runBinary(t, "", "-config", cfg, "poll", "-due")
	if code != 0 {
		t.Fatalf("first poll -due: exit %d\n%s", code, stderr)
	}
	if limitedHits.Load() != 1 || healthyHits.Load() != 1 {
		t.Fatalf("first poll -due requested limited %d and healthy %d times, want 1 and 1 (never polled: due)", limitedHits.Load(), healthyHits.Load())
	}

	// A new outlet joins the configuration: only it is due.
	cfg = writeOutletsConfig(t, dir, []cfgOutlet{{"Limited", srv.URL + "/limited"}, {"Healthy", srv.URL + "/healthy"}, {"New", srv.URL + "/new"}}, extra)
	_, stderr, code = runBinary(t, "", "-config", cfg, "poll", "-due")
	if code != 0 {
		t.Fatalf("second poll -due: exit %d\n%s", code, stderr)
	}
	if limitedHits.Load() != 1 {
		t.Errorf("poll -due asked the rate-limited outlet again within its Retry-After (%d requests)", limitedHits.Load())
	}
	if healthyHits.Load() != 1 {
		t.Errorf("poll -due asked the healthy outlet again before its poll interval (%d requests)", healthyHits.Load())
	}
	if newHits.Load() != 1 {
		t.Errorf("poll -due requested the new outlet %d times, want 1", newHits.Load())
	}
	if !strings.Contains(stderr, "skipped 2 outlets not yet due") || !strings.Contains(stderr, "polled 1 outlets") {
		t.Errorf("poll -due does not report what it skipped and polled:\n%s", logTail(stderr))
	}

	_, stderr, code = runBinary(t, "", "-config", cfg, "poll")
	if code != 0 {
		t.Fatalf("poll: exit %d\n%s", code, stderr)
	}
	if limitedHits.Load() != 2 || healthyHits.Load() != 2 || newHits.Load() != 2 {
		t.Errorf("plain poll requested limited %d, healthy %d, new %d times in all, want 2 each", limitedHits.Load(), healthyHits.Load(), newHits.Load())
	}
}
