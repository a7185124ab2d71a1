package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/news"
)

// retagFeed is one item about Iranian drones in Russia's war, its content
// holding what sanitising must remove (a script, an event handler) and a
// relative link it must make absolute.
const retagFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title><link>https://wire.example.org/</link><description>d</description>
<item><title>Iran sent more Shahed drones to Russia for the war in Ukraine, Kyiv says</title>
<link>https://wire.example.org/news/1</link><guid>https://wire.example.org/news/1</guid><pubDate>Mon, 02 Nov 2026 10:00:00 +0000</pubDate>
<content:encoded><![CDATA[<p>Iran has delivered a new batch of Shahed drones to Russia, Ukrainian military intelligence said on Tuesday, and Russian forces launched them at Kyiv overnight.</p>
<script>alert("x")</script>
<p>The Iranian drones were assembled near Moscow, officials in Kyiv said. <a href="/news/background" onclick="track()">Background</a>.</p>]]></content:encoded>
</item></channel></rss>`

// TestRetagPublishesOffTopicItem: an item stored off topic is kept
// unsanitised (its content is never published while off topic); when the
// rules change so that it is on topic, the retag at start-up sanitises it
// from what is stored, without refetching, and the feed serves it with
// clean HTML (no script or event handler, absolute links) and a story.
func TestRetagPublishesOffTopicItem(t *testing.T) {
	var gone atomic.Bool // the outlet fails: what is served must come from the store
	feed := apptest.ServeFeed([]byte(retagFeed), "application/rss+xml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gone.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		feed.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{{"Wire", srv.URL + "/feed"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	shipped, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Rules under which nothing is on topic: a score no item reaches.
	strict := strings.ReplaceAll(string(shipped), "min_score: 6\n", "min_score: 6000\n")
	if strict == string(shipped) {
		t.Fatal("config.yaml has no min_score: 6 to raise")
	}
	if err := os.WriteFile(cfg, []byte(strict), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	a, _ := openTest(t, cfg, Options{})
	if _, _, err := a.Poll(ctx, false); err != nil {
		t.Fatal(err)
	}
	var stored news.Item
	if err := a.db.EachItem(ctx, func(it news.Item) error { stored = it; return nil }); err != nil {
		t.Fatal(err)
	}
	if stored.OnTopic || stored.ContentHTML != "" || !strings.Contains(stored.PendingHTML, "onclick") {
		t.Fatalf("stored off topic: on topic %v, content %q, pending %q", stored.OnTopic, stored.ContentHTML, stored.PendingHTML)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// The shipped rules: the item is on topic.
	gone.Store(true)
	if err := os.WriteFile(cfg, shipped, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, cfg)
	s.waitReady(t)
	resp, body := s.get(t, "/feed.json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/feed.json: %s", resp.Status)
	}
	var doc struct {
		Items []struct {
			ID          string `json:"id"`
			URL         string `json:"url"`
			ContentHTML string `json:"content_html"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) != 1 || doc.Items[0].URL != "https://wire.example.org/news/1" {
		t.Fatalf("feed items: %+v", doc.Items)
	}
	html := doc.Items[0].ContentHTML
	for _, bad := range []string{"<script", "alert", "onclick", `href="/`} {
		if strings.Contains(html, bad) {
			t.Errorf("served content holds %s: %s", bad, html)
		}
	}
	if !strings.Contains(html, `/news/background" rel="nofollow noopener"`) || !strings.Contains(html, `href="http`) || !strings.Contains(html, "Shahed drones") {
		t.Errorf("served content: %s", html)
	}
	items, err := s.db.Items(ctx, news.Query{OnTopic: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].StoryID == "" || items[0].PendingHTML != "" || items[0].ContentHTML != html {
		t.Fatalf("stored after retag: %+v", items)
	}
	if resp, _ := s.get(t, "/stories/"+items[0].StoryID); resp.StatusCode != http.StatusOK {
		t.Errorf("story page: %s", resp.Status)
	}
}
