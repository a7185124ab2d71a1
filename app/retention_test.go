package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// TestServeRetention: with `retention`, serve prunes items first seen and
// published before the retention period, at start and then on schedule;
// the feeds, item and story pages stay consistent: a pruned story is gone,
// a story that keeps a recent report is served from it under the same id.
func TestServeRetention(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		if r.URL.Path == "/fresh" {
			w.Write(apptest.OnTopicRSS("fresh", 2))
			return
		}
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Archive</title><link>https://archive.example.org/</link><description>d</description></channel></rss>`))
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{{"Fresh", srv.URL + "/fresh"}, {"Archive", srv.URL + "/archive"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\nretention: 720h\n")

	// The database holds two reports from 2025 and one from an hour ago.
	ctx := context.Background()
	dbPath := filepath.Join(dir, "data", "topicfeed.db")
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)
	recent := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	item := func(url, story string, published time.Time) news.Item {
		return news.Item{Outlet: "Archive", GUID: url, URL: url, Title: "Iran sends Shahed drones to Russia, " + url,
			ContentHTML: "<p>Report " + url + "</p>", Published: published, ContentHash: url, StoryID: story,
			Tagging: news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Tags: []string{"drones"}}}
	}
	for _, at := range []struct {
		now   time.Time
		items []news.Item
	}{
		{old, []news.Item{item("https://archive.example.org/gone", "s-gone", old), item("https://archive.example.org/first", "s-kept", old)}},
		{recent, []news.Item{item("https://archive.example.org/follow-up", "s-kept", recent)}},
	} {
		db, err := storage.Open(ctx, dbPath, storage.WithClock(func() time.Time { return at.now }))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SyncOutlets(ctx, []news.Outlet{{Name: "Archive", Slug: "archive", URL: srv.URL + "/archive"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveFetch(ctx, news.OutletState{Outlet: news.Outlet{Name: "Archive"}}, at.items); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}

	d := startServe(t, cfg)
	d.waitReady(t)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(d.log(), "pruned old items") {
		if time.Now().After(deadline) {
			t.Fatalf("no prune logged:\n%s", d.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if l := apptest.GrepLines(d.log(), "pruned old items"); !strings.Contains(l, "items=2") {
		t.Errorf("prune log: %s, want items=2", l)
	}
	// The feed follows within the server's revision TTL.
	var feed string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, body := d.get(t, "/feed.atom")
		feed = string(body)
		if resp.StatusCode == http.StatusOK && !strings.Contains(feed, "archive.example.org/gone") || time.Now().After(deadline) {
			break
		}
	}
	for _, gone := range []string{"archive.example.org/gone", "archive.example.org/first", "/stories/s-gone"} {
		if strings.Contains(feed, gone) {
			t.Errorf("the feed still shows pruned %s", gone)
		}
	}
	for _, kept := range []string{"<id>http://feeds.example.org/stories/s-kept</id>", "archive.example.org/follow-up", "fresh.example.org"} {
		if !strings.Contains(feed, kept) {
			t.Errorf("the feed lacks %s", kept)
		}
	}
	for path, want := range map[string]int{"/stories/s-gone": 404, "/stories/s-kept": 200} {
		if resp, _ := d.get(t, path); resp.StatusCode != want {
			t.Errorf("%s: %s, want %d", path, resp.Status, want)
		}
	}
	if t.Failed() {
		t.Logf("feed:\n%s\nlog:\n%s", feed, d.log())
	}
	d.shutdown(t)
}
