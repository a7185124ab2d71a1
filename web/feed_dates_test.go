package web

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEmptyFeedDate: a feed without entries is dated when its content last
// changed, the Last-Modified it is served with, in Atom and RSS alike; the
// date stays while it stays empty and moves with the header when it
// becomes empty again.
func TestEmptyFeedDate(t *testing.T) {
	s, st, clk := newTestServer(t)
	all := st.items
	st.set(nil)
	dates := func(path string) (header, doc string) {
		t.Helper()
		res := do(t, s, http.MethodGet, path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", path, res.Status)
		}
		var f struct {
			Updated string `xml:"updated"`
			PubDate string `xml:"channel>pubDate"`
			Build   string `xml:"channel>lastBuildDate"`
		}
		if err := xml.Unmarshal([]byte(body(t, res)), &f); err != nil {
			t.Fatal(err)
		}
		lm, err := http.ParseTime(res.Header.Get("Last-Modified"))
		if err != nil {
			t.Fatal(err)
		}
		d := f.Updated
		if f.PubDate != "" {
			pd, err := time.Parse(time.RFC1123Z, f.PubDate)
			if err != nil {
				t.Fatal(err)
			}
			if f.Build != f.PubDate {
				t.Errorf("%s: lastBuildDate %s, pubDate %s", path, f.Build, f.PubDate)
			}
			d = pd.UTC().Format(time.RFC3339)
		}
		return lm.UTC().Format(time.RFC3339), d
	}
	check := func(when string) {
		t.Helper()
		for _, p := range []string{"/feed.atom", "/feed.rss"} {
			lm, d := dates(p)
			if d != lm || d != when {
				t.Errorf("%s: document dated %s, Last-Modified %s, want both %s", p, d, lm, when)
			}
		}
	}
	check("2023-03-01T12:00:00Z")

	clk.add(time.Hour) // still empty at a new revision: same date, same bytes
	st.bump()
	check("2023-03-01T12:00:00Z")

	clk.add(time.Hour) // entries, then none again
	st.set(all)
	dates("/feed.atom")
	dates("/feed.rss")
	clk.add(time.Hour)
	st.set(nil)
	check("2023-03-01T15:00:00Z")
}

// TestCategorySchemesResolve: the feeds' category schemes (/tags/,
// /topics/) and every term under them answer, the indexes list the tags and
// topics, and every page's navigation lists the tags.
func TestCategorySchemesResolve(t *testing.T) {
	st := &fakeStore{items: sampleItems(t), outlets: sampleOutlets(t), rev: 1}
	s := NewServer(st, Options{BaseURL: "http://feeds.test", Title: "t", Tags: []string{"drones", "sanctions"},
		Topics: []string{"iran-russia-ukraine"}})
	for path, want := range map[string]int{
		"/tags":                           http.StatusOK,
		"/topics":                         http.StatusOK,
		"/topics/iran-russia-ukraine":     http.StatusOK,
		"/topics/iran-russia-ukraine.rss": http.StatusOK,
		"/topics/no-such-topic":           http.StatusNotFound,
		"/tags/":                          http.StatusMovedPermanently,
		"/topics/":                        http.StatusMovedPermanently,
	} {
		if res := do(t, s, http.MethodGet, path); res.StatusCode != want {
			t.Errorf("%s: %s, want %d", path, res.Status, want)
		}
	}
	tags := body(t, do(t, s, http.MethodGet, "/tags"))
	for _, w := range []string{`<a href="/tags/drones">drones</a>`, `<a href="/tags/sanctions.atom">Atom</a>`} {
		if !strings.Contains(tags, w) {
			t.Errorf("/tags lacks %s:\n%s", w, tags)
		}
	}
	front := body(t, do(t, s, http.MethodGet, "/"))
	if !strings.Contains(front, `<nav class="site tags" aria-label="tags">`) || !strings.Contains(front, `<a href="/tags">Tags</a>`) {
		t.Errorf("front page navigation lists no tags:\n%s", front)
	}
}

// TestTopicalOPML: /outlets-topical.opml subscribes to topicfeed's own
// per-outlet feeds, /outlets.opml to the outlets' feeds.
func TestTopicalOPML(t *testing.T) {
	s, _, _ := newTestServer(t)
	res := do(t, s, http.MethodGet, "/outlets-topical.opml")
	b := body(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(b, `xmlUrl="http://feeds.test/outlets/iran-front-page.atom"`) {
		t.Errorf("/outlets-topical.opml: %s\n%s", res.Status, b)
	}
	if raw := body(t, do(t, s, http.MethodGet, "/outlets.opml")); !strings.Contains(raw, `xmlUrl="https://ifpnews.example/feed/"`) {
		t.Errorf("/outlets.opml:\n%s", raw)
	}
}
