package publish

import (
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// TestFeedMeta: the one description of a feed document, which the server's
// feeds and `topicfeed export` share: paths under the site's root, the tag
// escaped, the outlets' feed URLs (else their own URLs) with credentials
// redacted.
func TestFeedMeta(t *testing.T) {
	site := Site{Title: "News", Description: "merged", Language: "en", BaseURL: "https://feeds.example.org/",
		HubURL: "https://hub.example.org/", TTL: 15 * time.Minute}
	outlets := []news.OutletState{
		{Outlet: news.Outlet{Name: "Tokened", URL: "https://a.example.org/feed?token=secret"},
			FeedURL: "https://a.example.org/feed?token=secret&page=1"},
		{Outlet: news.Outlet{Name: "Basic", URL: "https://user:pass@b.example.org/rss"}},
		{Outlet: news.Outlet{Name: "Plain", URL: "https://c.example.org/rss"}, FeedURL: "https://c.example.org/rss.xml"},
	}
	wantFeeds := map[string]string{
		"Tokened": "https://a.example.org/feed?token=xxxxx&page=1",
		"Basic":   "https://user:xxxxx@b.example.org/rss",
		"Plain":   "https://c.example.org/rss.xml",
	}
	for _, c := range []struct {
		name              string
		doc               FeedDoc
		title, link, self string
	}{
		{"merged", MergedFeed("News"), "News", "https://feeds.example.org/", "https://feeds.example.org/feed.atom"},
		{"tag", TagFeed("News", "war & peace/2"), "News: war & peace/2",
			"https://feeds.example.org/tags/war%20&%20peace%2F2", "https://feeds.example.org/tags/war%20&%20peace%2F2.atom"},
		{"outlet", OutletFeed("News", "The Times", "the-times"), "News: The Times",
			"https://feeds.example.org/outlets/the-times", "https://feeds.example.org/outlets/the-times.atom"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := c.doc
			d.Ext, d.PerStory = "atom", true
			m := FeedMeta(site, d, outlets)
			if m.Title != c.title || m.Link != c.link || m.SelfURL != c.self {
				t.Errorf("title, link, self = %q, %q, %q; want %q, %q, %q", m.Title, m.Link, m.SelfURL, c.title, c.link, c.self)
			}
			if m.BaseURL != "https://feeds.example.org" || m.Description != "merged" || m.Language != "en" ||
				m.HubURL != site.HubURL || m.TTL != site.TTL || !m.PerStory || !m.Updated.IsZero() {
				t.Errorf("site fields: %+v", m)
			}
			if len(m.OutletFeeds) != len(wantFeeds) {
				t.Errorf("outlet feeds %v, want %v", m.OutletFeeds, wantFeeds)
			}
			for name, want := range wantFeeds {
				if got := m.OutletFeeds[name]; got != want {
					t.Errorf("outlet feed of %s = %q, want %q", name, got, want)
				}
			}
		})
	}
}
