package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
)

// tehranWireAtom is an outlet whose Atom summaries are what outlets send:
// a photo caption given twice and the lead cut mid-word ("Presiden"); its
// second entry says the outlet updated it.
const tehranWireAtom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Tehran Wire</title><id>https://tehranwire.example/</id><updated>2023-12-19T16:00:00Z</updated>
  <link rel="alternate" href="https://tehranwire.example/"/>
  <entry>
    <title>Iran and Russia sign Shahed drone production deal</title>
    <id>https://tehranwire.example/a/1</id>
    <link rel="alternate" href="https://tehranwire.example/a/1"/>
    <published>2023-12-19T10:00:00Z</published>
    <updated>2023-12-19T10:00:00Z</updated>
    <summary type="html">&lt;p&gt;&lt;img src="https://tehranwire.example/p.jpg"&gt; Iranian Shahed drones on display in Tehran. Iranian Shahed drones on display in Tehran. Iran and Russia signed a Shahed drone production agreement in Tehran on Tuesday, the Iranian Presiden&lt;/p&gt;</summary>
    <content type="html">&lt;p&gt;Iran and Russia signed a Shahed drone production agreement in Tehran on Tuesday, the Iranian President's office said, in a deal that Ukraine called a threat to its cities.&lt;/p&gt;&lt;p&gt;The agreement covers the joint production of Shahed drones in Russia and the training of Russian crews in Iran, according to the statement. Kyiv called for new sanctions on Tehran over the drone deliveries to Moscow.&lt;/p&gt;&lt;p&gt;Ukraine said Iranian drones had been used in hundreds of Russian attacks on Ukrainian energy infrastructure since October.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Zelensky urges sanctions on Iranian drone factories supplying Russia</title>
    <id>https://tehranwire.example/a/2</id>
    <link rel="alternate" href="https://tehranwire.example/a/2"/>
    <published>2023-12-19T12:00:00Z</published>
    <updated>2023-12-19T15:30:00Z</updated>
    <content type="html">&lt;p&gt;Ukrainian President Volodymyr Zelensky called on Western allies to sanction the Iranian factories that build Shahed drones for Russia, after a night of Russian drone strikes on Kyiv.&lt;/p&gt;&lt;p&gt;Tehran denies supplying Moscow with drones for the war in Ukraine.&lt;/p&gt;</content>
  </entry>
</feed>
`

// quietRSS is a valid feed with nothing in it: its outlet's feeds have no
// entry.
const quietRSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title><link>https://quiet.example/</link><description>q</description></channel></rss>`

// TestPagesEndToEnd runs `poll` and `serve` on outlets with real-world
// feed problems and checks the feeds and pages a reader gets: clean
// summaries, dated empty feeds, resolvable categories and a tag list, both
// item counts per outlet, the outlets' own update dates, and an OPML of
// topicfeed's own per-outlet feeds.
func TestPagesEndToEnd(t *testing.T) {
	mux := http.NewServeMux()
	for path, file := range map[string]string{
		"/ifp/feed/":            "iran-front-page.rss",
		"/almayadeen/feed.json": "al-mayadeen.json",
	} {
		body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "e2e", file))
		if err != nil {
			t.Fatal(err)
		}
		mux.Handle(path, apptest.ServeFeed(body, "application/octet-stream"))
	}
	mux.Handle("/tw/atom", apptest.ServeFeed([]byte(tehranWireAtom), "application/atom+xml"))
	mux.Handle("/quiet/rss", apptest.ServeFeed([]byte(quietRSS), "application/rss+xml"))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{
		{"Iran Front Page", srv.URL + "/ifp/feed/"},
		{"Al Mayadeen English", srv.URL + "/almayadeen/feed.json"},
		{"Tehran Wire", srv.URL + "/tw/atom"},
		{"Quiet Outlet", srv.URL + "/quiet/rss"},
	}, "listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	topicfeed(t, "-config", cfg, "poll")
	d := startServe(t, cfg)
	d.waitReady(t)
	const base = "http://feeds.example.org" // the configuration's base_url

	t.Run("summaries", func(t *testing.T) {
		_, b := d.get(t, "/feed.json")
		var f struct {
			Items []struct{ URL, Summary string }
		}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		want := "Iranian Shahed drones on display in Tehran. Iran and Russia signed a Shahed drone production agreement in Tehran on Tuesday, the Iranian…"
		found := false
		for _, it := range f.Items {
			if it.URL == "https://tehranwire.example/a/1" {
				found = true
				if it.Summary != want {
					t.Errorf("summary\n got %q\nwant %q", it.Summary, want)
				}
			}
		}
		if !found {
			t.Fatalf("the Tehran Wire article is not in /feed.json:\n%s", b)
		}
		if _, page := d.get(t, "/"); strings.Contains(string(page), "Presiden<") || strings.Contains(string(page), "Presiden ") {
			t.Errorf("the front page shows the outlet's cut word")
		}
	})

	t.Run("empty feed date", func(t *testing.T) {
		for _, p := range []string{"/outlets/quiet-outlet.atom", "/outlets/quiet-outlet.rss"} {
			resp, b := d.get(t, p)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %s", p, resp.Status)
			}
			var f struct {
				Updated string `xml:"updated"`
				PubDate string `xml:"channel>pubDate"`
				Entries []any  `xml:"entry"`
				Items   []any  `xml:"channel>item"`
			}
			if err := xml.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			if len(f.Entries)+len(f.Items) != 0 {
				t.Fatalf("%s has entries:\n%s", p, b)
			}
			var got time.Time
			var err error
			if f.PubDate != "" {
				got, err = time.Parse(time.RFC1123Z, f.PubDate)
			} else {
				got, err = time.Parse(time.RFC3339, f.Updated)
			}
			if err != nil {
				t.Fatalf("%s: %v\n%s", p, err, b)
			}
			lm, err := http.ParseTime(resp.Header.Get("Last-Modified"))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(lm) {
				t.Errorf("%s: dated %s, Last-Modified %s", p, got.UTC().Format(time.RFC3339), lm.Format(time.RFC3339))
			}
		}
	})

	t.Run("categories and tags", func(t *testing.T) {
		_, b := d.get(t, "/feed.atom")
		var f struct {
			Entries []struct {
				Categories []struct {
					Term   string `xml:"term,attr"`
					Scheme string `xml:"scheme,attr"`
				} `xml:"category"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range f.Entries {
			for _, c := range e.Categories {
				for _, u := range []string{c.Scheme, c.Scheme + c.Term} {
					p := strings.TrimPrefix(u, base)
					if seen[p] {
						continue
					}
					seen[p] = true
					if resp, _ := d.get(t, p); resp.StatusCode != http.StatusOK {
						t.Errorf("category URL %s: %s", u, resp.Status)
					}
				}
			}
		}
		if !seen["/topics/"] || !seen["/topics/iran-russia-ukraine"] || !seen["/tags/"] {
			t.Errorf("the feed has no tag and topic categories: %v", seen)
		}
		_, idx := d.get(t, "/tags")
		_, front := d.get(t, "/")
		for _, tag := range []string{"drones", "sanctions", "energy"} {
			link := fmt.Sprintf(`<a href="/tags/%s">%s</a>`, tag, tag)
			if !strings.Contains(string(idx), link) {
				t.Errorf("/tags lacks %s", link)
			}
			if !strings.Contains(string(front), link) {
				t.Errorf("the front page's navigation lacks %s", link)
			}
		}
	})

	t.Run("outlet counts", func(t *testing.T) {
		_, b := d.get(t, "/outlets")
		row := regexp.MustCompile(`(?s)<a href="/outlets/tehran-wire">Tehran Wire</a>.*?<td data-label="Items">(\d+) stored<br>(\d+) on topic</td>`)
		m := row.FindStringSubmatch(string(b))
		if m == nil || m[1] != "2" || m[2] != "2" {
			t.Errorf("Tehran Wire's items on /outlets: %q, want 2 stored, 2 on topic\n%s", m, b)
		}
		m = regexp.MustCompile(`(?s)<a href="/outlets/iran-front-page">Iran Front Page</a>.*?<td data-label="Items">(\d+) stored<br>(\d+) on topic</td>`).FindStringSubmatch(string(b))
		if m == nil || m[1] != "3" || m[2] != "2" {
			t.Errorf("Iran Front Page's items on /outlets: %q, want 3 stored, 2 on topic", m)
		}
	})

	t.Run("outlets' dates", func(t *testing.T) {
		_, front := d.get(t, "/")
		today := time.Now().UTC().Format("2 Jan 2006")
		if strings.Contains(string(front), "updated <time") && strings.Contains(string(front), today) {
			t.Errorf("the front page shows an update dated today, when topicfeed fetched it:\n%s", front)
		}
		want := `· updated <time datetime="2023-12-19T15:30:00Z">19 Dec 2023 15:30 UTC</time>`
		if !strings.Contains(string(front), want) {
			t.Errorf("the front page lacks the outlet's own update %s:\n%s", want, front)
		}
	})

	t.Run("topical OPML", func(t *testing.T) {
		resp, b := d.get(t, "/outlets-topical.opml")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/outlets-topical.opml: %s", resp.Status)
		}
		for _, slug := range []string{"iran-front-page", "al-mayadeen-english", "tehran-wire", "quiet-outlet"} {
			if want := `xmlUrl="` + base + `/outlets/` + slug + `.atom"`; !strings.Contains(string(b), want) {
				t.Errorf("/outlets-topical.opml lacks %s:\n%s", want, b)
			}
		}
		if _, raw := d.get(t, "/outlets.opml"); !strings.Contains(string(raw), `xmlUrl="`+srv.URL+`/tw/atom"`) {
			t.Errorf("/outlets.opml no longer lists the outlets' own feeds:\n%s", raw)
		}
	})
	d.stop(t)
}
