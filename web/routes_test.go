package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/publish"
)

func TestRoutes(t *testing.T) {
	s, _, _ := newTestServer(t)
	tests := []struct {
		path    string
		status  int
		ctype   string
		want    []string
		notWant []string
	}{
		{"/", 200, htmlType, []string{"CIA director says", "Also reported by:", `href="/tags/drones"`, `type="application/rss&#43;xml"`}, []string{"Football results"}},
		{"/tags/drones.atom", 200, "application/atom+xml; charset=utf-8",
			[]string{`<link href="http://feeds.test/tags/drones.atom" rel="self"`, "<title>Iran–Russia–Ukraine: drones</title>", "s-blinken"}, nil},
		{"/tags/sanctions.rss", 200, "application/rss+xml; charset=utf-8", []string{"s-aawsat"}, []string{"s-blinken", "s-burns"}},
		{"/tags/diplomacy.json", 200, "application/feed+json; charset=utf-8", []string{"s-burns"}, []string{"s-aawsat"}},
		{"/tags/drones", 200, htmlType, []string{"Tag: drones", `href="/tags/drones.atom"`}, nil},
		{"/tags/nosuchtag.atom", 404, "text/plain; charset=utf-8", nil, nil},
		{"/tags/drones.xml", 404, "text/plain; charset=utf-8", nil, nil},
		{"/outlets/the-moscow-times.rss", 200, "application/rss+xml; charset=utf-8", []string{"s-blinken"}, []string{"s-burns"}},
		{"/outlets/asharq-al-awsat.json", 200, "application/feed+json; charset=utf-8", []string{"s-aawsat"}, []string{"Football results"}},
		{"/outlets/the-moscow-times", 200, htmlType, []string{"<h1>The Moscow Times</h1>", "Blinken"}, nil},
		{"/outlets/nowhere.atom", 404, "text/plain; charset=utf-8", nil, nil},
		{"/outlets", 200, htmlType, []string{"<span class=\"failing\">failing</span> (3×): 503 Service Unavailable", "Iran Front Page"}, nil},
		{"/outlets.opml", 200, "text/x-opml; charset=utf-8", []string{`xmlUrl="https://moscowtimes.example/rss/news"`}, nil},
		{"/items/u-burns", 200, htmlType, []string{`<h1 dir="auto">CIA director says`, "Burns told PBS"}, nil},
		{"/items/u-missing", 404, "text/plain; charset=utf-8", nil, nil},
		{"/stories/s-blinken", 200, htmlType, []string{`<h1 dir="auto">Blinken: Russia&#39;s use`}, nil},
		{"/stories/s-none", 404, "text/plain; charset=utf-8", nil, nil},
		{"/nothing-here", 404, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := do(t, s, http.MethodGet, tt.path)
			b := body(t, res)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, b)
			}
			if tt.ctype != "" && res.Header.Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type %q, want %q", res.Header.Get("Content-Type"), tt.ctype)
			}
			if tt.ctype == htmlType && !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("page without CSP: %q", res.Header.Get("Content-Security-Policy"))
			}
			for _, w := range tt.want {
				if !strings.Contains(b, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(b, w) {
					t.Errorf("body has %q", w)
				}
			}
		})
	}
}

// TestNotFoundNotCached: requests for things that do not exist leave no
// cache entries behind, and a tag that appears later is served.
func TestNotFoundNotCached(t *testing.T) {
	s, st, _ := newTestServer(t)
	for _, p := range []string{"/tags/a.atom", "/tags/b.rss", "/items/zz", "/outlets/x.json"} {
		if res := do(t, s, http.MethodGet, p); res.StatusCode != 404 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
	}
	if n := len(s.topics()); n != 0 {
		t.Errorf("%d cached slots after 404s", n)
	}
	n := 0
	s.slots.Range(func(any, any) bool { n++; return true })
	if n != 0 {
		t.Errorf("%d slots kept for 404s", n)
	}
	items := sampleItems(t)
	items[0].Tags = append(items[0].Tags, "a")
	st.set(items)
	if res := do(t, s, http.MethodGet, "/tags/a.atom"); res.StatusCode != 200 {
		t.Errorf("new tag: %d", res.StatusCode)
	}
}

func TestConfiguredTags(t *testing.T) {
	st := &fakeStore{items: sampleItems(t), outlets: sampleOutlets(t), rev: 1}
	s := NewServer(st, Options{BaseURL: "http://feeds.test", Tags: []string{"drones", "nuclear"}})
	tests := []struct {
		path   string
		status int
	}{
		{"/tags/drones.atom", 200},
		{"/tags/nuclear.atom", 200}, // configured, no items yet: an empty feed, not 404
		{"/tags/sanctions.atom", 404},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if res := do(t, s, http.MethodGet, tt.path); res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
		})
	}
}

func TestNotFoundSentinel(t *testing.T) {
	st := &fakeStore{items: sampleItems(t), outlets: sampleOutlets(t), rev: 1}
	s := NewServer(st, Options{BaseURL: "http://feeds.test"})
	if res := do(t, s, http.MethodGet, "/items/none"); res.StatusCode != 404 {
		t.Errorf("news.ErrNotFound: %d, want 404", res.StatusCode)
	}
	// A store failing with another error after revision answered: 503.
	other := &failingItemStore{fakeStore: st}
	s = NewServer(other, Options{BaseURL: "http://feeds.test"})
	if res := do(t, s, http.MethodGet, "/items/u-burns"); res.StatusCode != 503 {
		t.Errorf("store error: %d, want 503", res.StatusCode)
	}
}

type failingItemStore struct{ *fakeStore }

func (f *failingItemStore) ItemByUID(context.Context, string) (news.Item, error) {
	return news.Item{}, errStoreDown
}

func TestFeedLinks(t *testing.T) {
	got := feedLinks("/tags/x")
	want := []publish.FeedLink{
		{Title: "Atom", Type: "application/atom+xml", Href: "/tags/x.atom"},
		{Title: "RSS", Type: "application/rss+xml", Href: "/tags/x.rss"},
		{Title: "JSON Feed", Type: "application/feed+json", Href: "/tags/x.json"},
	}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestMaxCached: the cache holds at most MaxCached documents, however many
// are asked for, and every request is still answered.
func TestMaxCached(t *testing.T) {
	st := &fakeStore{items: sampleItems(t), outlets: sampleOutlets(t), rev: 1}
	s := NewServer(st, Options{BaseURL: "http://feeds.test", MaxCached: 4})
	for _, tag := range []string{"drones", "diplomacy", "sanctions"} {
		for _, ext := range []string{"atom", "rss", "json"} {
			if res := do(t, s, http.MethodGet, "/tags/"+tag+"."+ext); res.StatusCode != 200 {
				t.Fatalf("/tags/%s.%s: %d", tag, ext, res.StatusCode)
			}
		}
	}
	n := 0
	s.slots.Range(func(any, any) bool { n++; return true })
	s.mu.Lock()
	counted := s.nslot
	s.mu.Unlock()
	if n != 4 || counted != n {
		t.Errorf("%d documents cached (%d counted) after 9 asked for, want 4", n, counted)
	}
}
