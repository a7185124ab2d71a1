package publish

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/topicfeed/topicfeed/news"
)

func testSite() Site {
	return Site{Title: "Iran–Russia–Ukraine watch", Description: "A merged topical feed", Language: "en",
		BaseURL: "https://feeds.example.org", HubURL: "https://hub.example.net/", Tags: []string{"drones", "sanctions"}}
}

func testFeedLinks(path string) []FeedLink {
	return []FeedLink{
		{"Atom", "application/atom+xml", path + ".atom"},
		{"RSS", "application/rss+xml", path + ".rss"},
		{"JSON Feed", "application/feed+json", path + ".json"},
	}
}

func newTestHTML(tb testing.TB) *HTML {
	tb.Helper()
	h, err := NewHTML()
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// parseHTML parses a page and returns it with a finder over its elements.
func parseHTML(tb testing.TB, b []byte) *html.Node {
	tb.Helper()
	doc, err := html.Parse(strings.NewReader(string(b)))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestHTMLPages(t *testing.T) {
	h := newTestHTML(t)
	items := testItems(t)
	xss := items[1]
	xss.ContentHTML = `<p onclick="x()">ok</p><script>alert(1)</script><a href="javascript:alert(2)">j</a><img src="https://x.example/a.jpg" onerror="y()">`
	xss.URL = "javascript:alert(3)"
	tests := []struct {
		name   string
		render func() ([]byte, error)
		want   []string
	}{
		{"front", func() ([]byte, error) {
			return h.List(ListPage{Site: testSite(), Heading: "Latest stories", Path: "/", Feeds: testFeedLinks("/feed"), Items: items})
		}, []string{
			`<meta name="viewport" content="width=device-width, initial-scale=1">`,
			`<link rel="hub" href="https://hub.example.net/">`,
			`<link rel="canonical" href="https://feeds.example.org/">`,
			`Also reported by: <a href="https://english.almayadeen.net/news/politics/possible-russia-iran-defense-partnership" rel="noopener">Al Mayadeen English</a>, <a href="https://www.themoscowtimes.com/2023/02/27/iran-wont-seek-permission-a80345" rel="noopener">The Moscow Times</a>`,
			`<a href="/tags/drones" rel="tag">drones</a>`,
			`<time datetime="2023-02-26T09:30:00Z">26 Feb 2023 09:30 UTC</time>`,
			`<a href="/items/01J8IFPBURNS">Story page</a>`,
		}},
		{"story", func() ([]byte, error) {
			return h.Story(StoryPage{Site: testSite(), Path: "/items/01J8IFPBURNS", Feeds: testFeedLinks("/feed"), Item: items[0], Related: items[1:2],
				RelatedStories: []RelatedStory{{ID: "s-aaw drones", Item: items[2]}, {ID: "s-pruned"}, {ID: "\x00"}}})
		}, []string{
			`<h1 dir="auto">CIA director says Iran-Russia cooperation “worrying”</h1>`,
			`<a href="https://www.pbs.org/newshour" rel="nofollow noreferrer">PBS</a>`,
			`More on this story`,
			`<a href="/items/01J8MTBLINKEN">`,
			`<p class="meta grouping">Grouped because: new story: best story s-blinken-drones: same event 0.12 &lt; 0.60 (`,
			`<p class="meta grouping">Grouped because: joins story s-blinken-drones: same event 0.83 ≥ 0.60 &lt;b&gt; (best`,
			`<h2>Related stories</h2>`,
			`<article class="story" lang="ru">
<h2 dir="auto"><a href="/stories/s-aaw%20drones">США просят Иран прекратить продажу дронов России — ایران</a></h2>
<p class="meta"><span class="outlet">Asharq Al-Awsat</span>`,
			`<h2 dir="auto"><a href="/stories/s-pruned">s-pruned</a></h2>
</article>`,
		}},
		{"story-xss", func() ([]byte, error) {
			return h.Story(StoryPage{Site: testSite(), Path: "/items/x", Item: xss})
		}, []string{`<p>ok</p>`, `<img src="https://x.example/a.jpg">`}},
		{"outlets", func() ([]byte, error) {
			return h.Outlets(OutletsPage{Site: testSite(), Path: "/outlets", Feeds: testFeedLinks("/feed"), Outlets: []news.OutletState{
				{Outlet: news.Outlet{Name: "The Moscow Times", Slug: "the-moscow-times", URL: "https://www.themoscowtimes.com/rss/news"},
					LastFetch: at(t, "2023-02-26T10:00:00Z"), LastSuccess: at(t, "2023-02-26T10:00:00Z"), LastStatus: 200, ItemCount: 12},
				{Outlet: news.Outlet{Name: "Al Mayadeen <English>", Slug: "al-mayadeen-english", URL: "https://english.almayadeen.net/rss"},
					LastFetch: at(t, "2023-02-26T10:00:00Z"), LastStatus: 503, LastError: "503 Service Unavailable", ConsecutiveErrors: 4},
				{Outlet: news.Outlet{Name: "Gone", Slug: "gone"}, Disabled: true, DisabledReason: "410 Gone"},
			}, OnTopic: map[string]int{"The Moscow Times": 5}})
		}, []string{
			`<td data-label="Items">12 stored<br>5 on topic</td>`,
			`<td data-label="Items">0 stored<br>0 on topic</td>`,
			`<span class="ok">ok</span>`,
			`<span class="failing">failing</span> (4×): 503 Service Unavailable`,
			`Al Mayadeen &lt;English&gt;`,
			`<span class="disabled">disabled</span>: 410 Gone`,
			`<a href="/outlets/the-moscow-times.atom">Atom</a>`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.render()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "page-"+tt.name+".html.golden", b)
			s := string(b)
			for _, w := range tt.want {
				if !strings.Contains(s, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			doc := parseHTML(t, b)
			if tt.name != "story-xss" {
				var alts []string
				for _, l := range findAll(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "alternate" }) {
					alts = append(alts, attr(l, "type")+" "+attr(l, "href"))
				}
				want := []string{"application/atom+xml /feed.atom", "application/rss+xml /feed.rss", "application/feed+json /feed.json"}
				if strings.Join(alts, ",") != strings.Join(want, ",") {
					t.Errorf("alternate links %q, want %q", alts, want)
				}
			}
			if tt.name == "story" {
				// one explanation under each write-up, and one link per
				// related story with an id
				if n := len(findAll(doc, func(n *html.Node) bool { return attr(n, "class") == "meta grouping" })); n != 2 {
					t.Errorf("%d grouping explanations, want 2", n)
				}
				if n := strings.Count(s, `href="/stories/`); n != 2 {
					t.Errorf("%d related story links, want 2", n)
				}
			}
			if tt.name == "front" && strings.Contains(s, "Grouped because") {
				t.Error("the front page explains grouping")
			}
			for _, bad := range findAll(doc, func(n *html.Node) bool { return n.Data == "script" || n.Data == "iframe" }) {
				t.Errorf("page has <%s>", bad.Data)
			}
			for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
				for _, a := range n.Attr {
					if strings.HasPrefix(a.Key, "on") || strings.Contains(strings.ToLower(a.Val), "javascript:") {
						t.Errorf("<%s %s=%q> survived", n.Data, a.Key, a.Val)
					}
				}
			}
		})
	}
}

// TestPagesShowOutletDates: the "updated" a page shows is the outlet's own
// (OutletUpdated), not when topicfeed stored a change (Updated).
func TestPagesShowOutletDates(t *testing.T) {
	h, err := NewHTML()
	if err != nil {
		t.Fatal(err)
	}
	it := news.Item{UID: "u1", Outlet: "IFP", Title: "Drones", URL: "https://ifp.example/1",
		Published: at(t, "2023-02-26T09:30:00Z"), Updated: at(t, "2023-02-27T18:00:00Z")}
	b, err := h.List(ListPage{Site: testSite(), Path: "/", Items: []news.Item{it}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "updated") {
		t.Errorf("a change topicfeed stored is shown as the outlet's update:\n%s", b)
	}
	it.OutletUpdated = at(t, "2023-02-26T11:00:00Z")
	b, err = h.List(ListPage{Site: testSite(), Path: "/", Items: []news.Item{it}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `· updated <time datetime="2023-02-26T11:00:00Z">26 Feb 2023 11:00 UTC</time>`; !strings.Contains(string(b), want) {
		t.Errorf("page lacks %s:\n%s", want, b)
	}
}
