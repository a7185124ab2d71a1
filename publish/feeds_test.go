package publish

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/topicfeed/topicfeed/news"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

type renderer struct {
	name   string
	file   string
	render func(Meta, []news.Item) ([]byte, error)
}

var renderers = []renderer{
	{"rss", "feed.rss", RSS},
	{"atom", "feed.atom", Atom},
	{"json", "feed.json", JSON},
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden file (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from golden file; run go test ./publish -update and review the diff.\ngot:\n%s", path, got)
	}
}

func TestRenderGolden(t *testing.T) {
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			got, err := r.render(testMeta(r.file), testItems(t))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, r.file+".golden", got)
			again, err := r.render(testMeta(r.file), testItems(t))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, again) {
				t.Error("rendering the same input twice gave different bytes")
			}
		})
	}
}

// checkWellFormed fails unless b is well-formed XML of valid characters.
func checkWellFormed(tb testing.TB, b []byte) {
	tb.Helper()
	if !utf8.Valid(b) {
		tb.Fatal("output is not valid UTF-8")
	}
	for _, r := range string(b) {
		if !keep(r, utf8.RuneLen(r)) {
			tb.Fatalf("output contains disallowed character %U", r)
		}
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			tb.Fatalf("not well-formed XML: %v\n%s", err, b)
		}
	}
}

type rssDocT struct {
	Channel struct {
		Title         string `xml:"title"`
		Links         linksT `xml:"link"`
		Language      string `xml:"language"`
		LastBuildDate string `xml:"lastBuildDate"`
		Items         []struct {
			Title string `xml:"title"`
			Links linksT `xml:"link"`
			GUID  struct {
				ID          string `xml:",chardata"`
				IsPermaLink string `xml:"isPermaLink,attr"`
			} `xml:"guid"`
			PubDate    string   `xml:"pubDate"`
			Author     string   `xml:"author"`
			Creators   []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Categories []string `xml:"category"`
			Content    string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			Source     struct {
				URL  string `xml:"url,attr"`
				Name string `xml:",chardata"`
			} `xml:"source"`
		} `xml:"item"`
	} `xml:"channel"`
}

// linksT holds both RSS <link> and atom:link elements: encoding/xml cannot
// match "no namespace" alone.
type linksT []struct {
	XMLName xml.Name
	Href    string `xml:"href,attr"`
	Rel     string `xml:"rel,attr"`
	Text    string `xml:",chardata"`
}

// rss returns the text of the plain RSS <link>.
func (ls linksT) rss() string {
	for _, l := range ls {
		if l.XMLName.Space == "" {
			return l.Text
		}
	}
	return ""
}

// atom returns the href of the atom:link with the given rel.
func (ls linksT) atom(rel string) string {
	for _, l := range ls {
		if l.XMLName.Space == nsAtom && l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func TestRSSStructure(t *testing.T) {
	items := testItems(t)
	b, err := RSS(testMeta("feed.rss"), items)
	if err != nil {
		t.Fatal(err)
	}
	checkWellFormed(t, b)
	var doc rssDocT
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	ch := doc.Channel
	if got := ch.Links.atom("self"); got != "https://feeds.example.org/feed.rss" {
		t.Errorf("atom:link rel=self = %q", got)
	}
	if got := ch.Links.atom("hub"); got != "https://hub.example.net/" {
		t.Errorf("atom:link rel=hub = %q", got)
	}
	if got := ch.Links.rss(); got != "https://feeds.example.org/" {
		t.Errorf("channel link = %q", got)
	}
	if ch.Language != "en" {
		t.Errorf("language = %q", ch.Language)
	}
	if _, err := time.Parse(time.RFC1123Z, ch.LastBuildDate); err != nil {
		t.Errorf("lastBuildDate: %v", err)
	}
	if len(ch.Items) != len(items) {
		t.Fatalf("%d items, want %d", len(ch.Items), len(items))
	}
	ids := map[string]bool{}
	for i, it := range ch.Items {
		t.Run(it.GUID.ID, func(t *testing.T) {
			if it.GUID.ID == "" || ids[it.GUID.ID] {
				t.Errorf("guid %q empty or repeated", it.GUID.ID)
			}
			ids[it.GUID.ID] = true
			if it.GUID.IsPermaLink != "false" {
				t.Errorf("isPermaLink = %q", it.GUID.IsPermaLink)
			}
			if l := it.Links.rss(); !strings.HasPrefix(l, "https://") {
				t.Errorf("link %q not absolute", l)
			}
			if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
				t.Errorf("pubDate: %v", err)
			}
			if it.Author != "" {
				t.Errorf("<author> %q must be an e-mail; use dc:creator", it.Author)
			}
			if len(it.Creators) == 0 {
				t.Error("no dc:creator")
			}
			for _, tag := range items[i].Tags {
				if tag != "" && !slices.Contains(it.Categories, tag) {
					t.Errorf("tag %q missing from categories %q", tag, it.Categories)
				}
			}
		})
	}
	first := ch.Items[0]
	if first.Source.Name != "Iran Front Page" || first.Source.URL != "https://ifpnews.com/feed/" {
		t.Errorf("source = %+v", first.Source)
	}
	for _, s := range items[0].Sources[1:] {
		if !strings.Contains(first.Content, s.URL) {
			t.Errorf("content does not link other coverage %s", s.URL)
		}
	}
	if !strings.Contains(ch.Items[1].Content, "a ]]> b") {
		t.Errorf("CDATA terminator in content lost: %q", ch.Items[1].Content)
	}
}

type atomFeedT struct {
	Lang    string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string `xml:"id"`
	Updated string `xml:"updated"`
	Links   []struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	} `xml:"link"`
	Entries []struct {
		Lang      string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Links     []struct {
			Href  string `xml:"href,attr"`
			Rel   string `xml:"rel,attr"`
			Title string `xml:"title,attr"`
		} `xml:"link"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
		Authors []struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Source struct {
			Title string `xml:"title"`
		} `xml:"source"`
	} `xml:"entry"`
}

func TestAtomStructure(t *testing.T) {
	items := testItems(t)
	b, err := Atom(testMeta("feed.atom"), items)
	if err != nil {
		t.Fatal(err)
	}
	checkWellFormed(t, b)
	var f atomFeedT
	if err := xml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if f.ID != "https://feeds.example.org/feed.atom" || f.Lang != "en" {
		t.Errorf("feed id %q lang %q", f.ID, f.Lang)
	}
	rels := map[string]string{}
	for _, l := range f.Links {
		rels[l.Rel] = l.Href
	}
	want := map[string]string{"self": "https://feeds.example.org/feed.atom", "alternate": "https://feeds.example.org/", "hub": "https://hub.example.net/"}
	for rel, href := range want {
		if rels[rel] != href {
			t.Errorf("link rel=%s = %q, want %q", rel, rels[rel], href)
		}
	}
	if len(f.Entries) != len(items) {
		t.Fatalf("%d entries, want %d", len(f.Entries), len(items))
	}
	for i, e := range f.Entries {
		t.Run(e.ID, func(t *testing.T) {
			if !strings.HasPrefix(e.ID, "https://feeds.example.org/items/") {
				t.Errorf("id %q", e.ID)
			}
			up, err1 := time.Parse(time.RFC3339, e.Updated)
			pub, err2 := time.Parse(time.RFC3339, e.Published)
			if err1 != nil || err2 != nil {
				t.Fatalf("dates: %v %v", err1, err2)
			}
			if up.Before(pub) {
				t.Errorf("updated %s before published %s", up, pub)
			}
			if e.Links[0].Rel != "alternate" || !strings.HasPrefix(e.Links[0].Href, "https://") {
				t.Errorf("first link %+v", e.Links[0])
			}
			if len(e.Authors) == 0 || e.Authors[0].Name == "" {
				t.Error("no author")
			}
			if e.Source.Title != items[i].Outlet {
				t.Errorf("source title %q, want %q", e.Source.Title, items[i].Outlet)
			}
			var terms []string
			for _, c := range e.Categories {
				terms = append(terms, c.Term)
			}
			for _, tag := range items[i].Tags {
				if tag != "" && !slices.Contains(terms, tag) {
					t.Errorf("tag %q missing from %q", tag, terms)
				}
			}
		})
	}
	// The Russian item keeps its language; the Asharq item's Updated, earlier
	// than Published, is clamped.
	if f.Entries[2].Lang != "ru" {
		t.Errorf("entry xml:lang %q, want ru", f.Entries[2].Lang)
	}
	var related []string
	for _, l := range f.Entries[0].Links {
		if l.Rel == "related" {
			related = append(related, l.Title)
		}
	}
	if !slices.Equal(related, []string{"Al Mayadeen English", "The Moscow Times"}) {
		t.Errorf("related coverage %q", related)
	}
}

func TestJSONStructure(t *testing.T) {
	items := testItems(t)
	b, err := JSON(testMeta("feed.json"), items)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version string `json:"version"`
		FeedURL string `json:"feed_url"`
		Authors []struct {
			Name string `json:"name"`
		} `json:"authors"`
		Hubs []struct {
			Type, URL string
		} `json:"hubs"`
		Items []struct {
			ID            string   `json:"id"`
			URL           string   `json:"url"`
			DatePublished string   `json:"date_published"`
			Tags          []string `json:"tags"`
			ContentHTML   string   `json:"content_html"`
			ContentText   string   `json:"content_text"`
			Ext           *struct {
				Story   string `json:"story"`
				Sources []struct {
					Outlet, URL string
				} `json:"sources"`
				Topics   []string `json:"topics"`
				Tags     []string `json:"tags"`
				Score    *float64 `json:"score"`
				Grouping *string  `json:"grouping"`
				Related  *string  `json:"related"`
			} `json:"_topicfeed"`
		} `json:"items"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if f.Version != "https://jsonfeed.org/version/1.1" || f.FeedURL != "https://feeds.example.org/feed.json" {
		t.Errorf("version %q feed_url %q", f.Version, f.FeedURL)
	}
	if len(f.Authors) != 1 || len(f.Hubs) != 1 || f.Hubs[0].Type != "WebSub" {
		t.Errorf("authors %+v hubs %+v", f.Authors, f.Hubs)
	}
	if len(f.Items) != len(items) {
		t.Fatalf("%d items", len(f.Items))
	}
	for i, it := range f.Items {
		t.Run(it.ID, func(t *testing.T) {
			if it.ID == "" || it.URL == "" {
				t.Errorf("id %q url %q", it.ID, it.URL)
			}
			if _, err := time.Parse(time.RFC3339, it.DatePublished); err != nil {
				t.Error(err)
			}
			if it.ContentHTML == "" && it.ContentText == "" {
				t.Error("no content")
			}
			if it.Ext == nil || it.Ext.Story == "" || it.Ext.Score == nil || len(it.Ext.Sources) == 0 || it.Ext.Topics == nil {
				t.Fatalf("_topicfeed incomplete: %+v", it.Ext)
			}
			if got, want := it.Ext.Tags, cleanSet(items[i].Tags); !slices.Equal(got, want) {
				t.Errorf("_topicfeed.tags %q, want %q", got, want)
			}
		})
	}
	if got := f.Items[0].Ext; got.Story != "s-burns-interview" || len(got.Sources) != 3 || *got.Score != 7.25 {
		t.Errorf("first item extension %+v", got)
	}
	if got := *f.Items[1].Ext.Score; got != 4 {
		t.Errorf("score %v, want rounded 4", got)
	}
	if g := f.Items[0].Ext.Grouping; g == nil || !strings.HasPrefix(*g, "new story: best story s-blinken-drones") || f.Items[0].Ext.Related != nil {
		t.Errorf("first item grouping %v related %v, want its StoryWhy and none", g, f.Items[0].Ext.Related)
	}
	if g, r := f.Items[1].Ext.Grouping, f.Items[1].Ext.Related; g == nil || strings.ContainsRune(*g, '\x07') || r == nil || *r != "s-burns-interview" {
		t.Errorf("second item grouping %v related %v, want its cleaned StoryWhy and s-burns-interview", g, r)
	}
	if ext := f.Items[2].Ext; ext.Grouping != nil || ext.Related != nil {
		t.Errorf("an item without grouping or related story has them: %v, %v", ext.Grouping, ext.Related)
	}
}

// TestEntryIDStable: an entry keeps its id when the item is edited.
func TestEntryIDStable(t *testing.T) {
	it := testItems(t)[0]
	edited := it
	edited.Title = "Edited title"
	edited.URL = "https://ifpnews.com/moved/"
	edited.Updated = it.Updated.Add(time.Hour)
	m := testMeta("feed.atom")
	a, b := newEntry(m, m.base(), it), newEntry(m, m.base(), edited)
	if a.id != b.id || a.id != "https://feeds.example.org/items/01J8IFPBURNS" {
		t.Errorf("ids %q and %q", a.id, b.id)
	}
	noUID := testItems(t)[3]
	if x, y := newEntry(m, m.base(), noUID).id, newEntry(m, m.base(), noUID).id; x != y || x == "" {
		t.Errorf("hash ids %q %q", x, y)
	}
}

// TestStoryEntryID: in a per-story feed an entry's id is its story's, so
// any item of the story may represent it; items without a story, and
// per-item feeds, keep item ids.
func TestStoryEntryID(t *testing.T) {
	items := testItems(t)
	a, b := items[0], items[1]
	a.StoryID, b.StoryID = "s-1", "s-1"
	m := testMeta("feed.atom")
	m.PerStory = true
	tests := []struct {
		name string
		m    Meta
		it   news.Item
		want string
	}{
		{"first item", m, a, "https://feeds.example.org/stories/s-1"},
		{"another item of the story", m, b, "https://feeds.example.org/stories/s-1"},
		{"no story", m, items[3], newEntry(testMeta("feed.atom"), testMeta("feed.atom").base(), items[3]).id},
		{"per item", testMeta("feed.atom"), a, "https://feeds.example.org/items/01J8IFPBURNS"},
		{"no base URL", Meta{PerStory: true}, a, "urn:topicfeed:story:s-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newEntry(tt.m, tt.m.base(), tt.it).id; got != tt.want {
				t.Errorf("id %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEmptyFeed(t *testing.T) {
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			b, err := r.render(Meta{Title: "t", Link: "http://localhost:8080/", SelfURL: "http://localhost:8080/" + r.file}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.name == "json" {
				var v map[string]any
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatal(err)
				}
				if items, ok := v["items"].([]any); !ok || len(items) != 0 {
					t.Errorf("items = %#v, want []", v["items"])
				}
				return
			}
			checkWellFormed(t, b)
			if !bytes.Contains(b, []byte("1970-01-01T00:00:00Z")) && !bytes.Contains(b, []byte("01 Jan 1970")) {
				t.Errorf("empty feed should carry the stable epoch date:\n%s", b)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
		{"nul\x00bel\x07esc\x1bdel\x7f", "nulbelescdel"},
		{"c1\u0085\u009f", "c1"},
		{"bad\xff\xfebytes", "badbytes"},
		{"nonchar\uFFFE\uFFFF", "nonchar"},
		{"ok \uFFFD replacement", "ok \uFFFD replacement"},
		{"Кыев تهران\u200cمسکو", "Кыев تهران\u200cمسکو"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := clean(tt.in); got != tt.want {
				t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzRender(f *testing.F) {
	f.Add("title", "summary", "<p>x</p>", "https://example.com/a", "tag", "uid")
	f.Add("\x00\xff", "a ]]> b", "<![CDATA[", "javascript:alert(1)", "\x7f", "")
	f.Fuzz(func(t *testing.T, title, summary, content, u, tag, uid string) {
		items := []news.Item{{UID: uid, Outlet: title, URL: u, Title: title, Summary: summary, ContentHTML: content,
			Tagging: news.Tagging{Tags: []string{tag}}, Sources: []news.Source{{Outlet: tag, URL: u}}}}
		m := Meta{Title: title, Link: u, SelfURL: u, Language: tag}
		for _, r := range renderers {
			b, err := r.render(m, items)
			if err != nil {
				t.Fatalf("%s: %v", r.name, err)
			}
			if r.name == "json" {
				if !json.Valid(b) {
					t.Fatalf("invalid JSON: %s", b)
				}
				continue
			}
			checkWellFormed(t, b)
		}
	})
}

// TestCoverageCredit: every other outlet's copy is credited, including a
// syndicated copy at the same URL; the entry's own copy and repeats are not.
func TestCoverageCredit(t *testing.T) {
	it := news.Item{UID: "u1", Outlet: "Reuters", URL: "https://wire.example/a", Title: "t",
		Sources: []news.Source{
			{Outlet: "Reuters", URL: "https://wire.example/a"},
			{Outlet: "Asharq Al-Awsat", URL: "https://wire.example/a"},
			{Outlet: "Asharq Al-Awsat", URL: "https://wire.example/a"},
			{Outlet: "The Moscow Times", URL: "https://mt.example/b"},
			{Outlet: "Broken", URL: "not a url"},
		}}
	m := testMeta("feed.atom")
	e := newEntry(m, m.base(), it)
	want := []link{{"Asharq Al-Awsat", "https://wire.example/a"}, {"The Moscow Times", "https://mt.example/b"}}
	if !slices.Equal(e.related, want) {
		t.Errorf("related %v, want %v", e.related, want)
	}
	if len(e.sources) != 3 {
		t.Errorf("sources %v, want 3", e.sources)
	}
	if !strings.Contains(e.content, ">Asharq Al-Awsat</a>, <a href=\"https://mt.example/b\">The Moscow Times</a>") {
		t.Errorf("content coverage: %s", e.content)
	}
}
