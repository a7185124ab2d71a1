package normalize

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"github.com/topicfeed/topicfeed/news"
)

// TestRawSeed: the seed is a function of the normaliser's rules.
func TestRawSeed(t *testing.T) {
	rules := DefaultRules()
	a, err := RawSeed(rules)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RawSeed(DefaultRules())
	if err != nil || a != b {
		t.Fatalf("seeds of equal rules: %x, %x (%v)", a, b, err)
	}
	rules.Generic.TrackingParams = append(slices.Clone(rules.Generic.TrackingParams), "campaign_ref")
	if c, err := RawSeed(rules); err != nil || c == a {
		t.Errorf("seed unchanged (%x) by a new tracking parameter (%v)", c, err)
	}
}

// rawGoldenSeed is the seed of testdata/raw/golden_hashes.json.
const rawGoldenSeed = 0x5eed

// TestRawHashesStable: the raw hashes of the golden cases are those in
// testdata/raw/golden_hashes.json. The database stores them: a change of
// RawHashes makes every stored entry be processed again once, which is
// harmless but must be deliberate (rewrite the file with -update, and say
// why in the commit).
func TestRawHashesStable(t *testing.T) {
	path := filepath.Join("testdata", "raw", "golden_hashes.json")
	n := New(DefaultRules())
	got := map[string][]string{}
	for _, name := range goldenCases(t) {
		src, f := caseFeed(t, name)
		for _, h := range n.RawHashes(rawGoldenSeed, src, f) {
			got[name] = append(got[name], fmt.Sprintf("%016x", h))
		}
	}
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	var want map[string][]string
	if err := json.Unmarshal([]byte(mustRead(t, path)), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("raw hashes changed: every stored entry would be processed again once\ngot  %v\nwant %v", got, want)
	}
}

// TestPublishedMatchesItem: Published dates an entry as Item does.
func TestPublishedMatchesItem(t *testing.T) {
	n := New(DefaultRules())
	for _, name := range goldenCases(t) {
		src, f := caseFeed(t, name)
		for i := range f.Items {
			it, _, ok := n.Item(src, f, i, goldenNow)
			if !ok {
				continue
			}
			if got := n.Published(src, f, i, goldenNow); !got.Equal(it.Published) {
				t.Errorf("%s[%d]: Published %s, Item %s", name, i, got, it.Published)
			}
		}
	}
	if got := n.Published(Source{}, &gofeed.Feed{Items: []*gofeed.Item{nil}}, 0, goldenNow); !got.IsZero() {
		t.Errorf("nil entry: %s", got)
	}
}

// richFeed is an RSS document using every part of an entry Item reads:
// links, GUID, dates (RSS, Dublin Core, a zone gofeed misreads), authors,
// categories, enclosures, media:content, media:thumbnail, media:group, an
// atom:link rel="canonical", feedburner:origLink and a Dublin Core
// language.
const richFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
<channel>
  <title>Rich News | Daily</title>
  <link>https://rich.example/</link>
  <atom:link rel="self" href="https://rich.example/feed/"/>
  <language>en</language>
  <dc:language>en-GB</dc:language>
  <item>
    <title>Rich News | Ministers meet in Tehran</title>
    <link>https://rich.example/a?utm_source=rss</link>
    <guid isPermaLink="false">rich-a</guid>
    <pubDate>Sat, 01 Mar 2025 14:00:00 MSK</pubDate>
    <dc:date>2025-03-01T10:00:00Z</dc:date>
    <dc:language>fa</dc:language>
    <author>desk@rich.example (News Desk)</author>
    <dc:creator>By Jane Doe</dc:creator>
    <category>Politics</category>
    <category>Iran</category>
    <enclosure url="/img/a.jpg" type="image/jpeg" length="2048"/>
    <enclosure url="https://cdn.rich.example/a.mp3" type="audio/mpeg" length="4096"/>
    <media:content url="https://cdn.rich.example/a-large.jpg" medium="image"><media:thumbnail url="https://cdn.rich.example/a-inner.jpg"/></media:content>
    <media:thumbnail url="https://cdn.rich.example/a-thumb.jpg"/>
    <media:group><media:content url="https://cdn.rich.example/a-group.png" type="image/png"/></media:group>
    <atom:link rel="canonical" href="https://rich.example/canonical/a"/>
    <feedburner:origLink>https://rich.example/orig/a</feedburner:origLink>
    <description>&lt;p&gt;Ministers met in Tehran on Saturday, officials said.&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>Ministers met in Tehran on Saturday to discuss trade, officials said.</p>
<p><img src="/img/inline.jpg" alt="The ministers"> The talks lasted four hours.</p><p>Read more at Rich News</p>]]></content:encoded>
  </item>
  <item>
    <title>Rains close the port</title>
    <link>/b</link>
    <guid>https://rich.example/b</guid>
    <dc:date>2025-03-01T09:00:00+03:30</dc:date>
    <description>Heavy rain closed the port for a day.</description>
  </item>
</channel>
</rss>`

// richAtom is an Atom document whose entries carry several links, a
// canonical one among them.
const richAtom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">
  <title>Atom News</title>
  <link href="https://atom.example/"/>
  <link rel="self" href="https://atom.example/feed.atom"/>
  <id>urn:atom-news</id>
  <updated>2025-03-01T10:00:00Z</updated>
  <entry>
    <title type="html">Talks &lt;b&gt;resume&lt;/b&gt; - Atom News</title>
    <link rel="alternate" href="https://atom.example/talks?ref=feed"/>
    <link rel="canonical" href="https://atom.example/canonical/talks"/>
    <link rel="enclosure" type="image/png" href="https://atom.example/talks.png"/>
    <id>urn:talks</id>
    <published>2025-03-01T08:00:00+03:00</published>
    <updated>2025-03-01T09:30:00+03:00</updated>
    <author><name>Ivan Petrov</name><email>ivan@atom.example</email></author>
    <author><email>desk@atom.example</email></author>
    <category term="Diplomacy"/>
    <summary>The talks resumed on Saturday.</summary>
    <content type="html">&lt;p&gt;The talks resumed on Saturday in Moscow, both sides said.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Only a related link</title>
    <link rel="related" href="/related/one"/>
    <id>urn:related</id>
    <updated>2025-03-01T09:00:00Z</updated>
    <summary>An entry whose only link is not an alternate one.</summary>
  </entry>
</feed>`

// TestRawHashCoversItem: whatever Item reads from an entry, its feed or
// the source is in the entry's raw hash. Each string, time, pointer, slice
// and map key reachable from rich feeds (and their original Atom feed) is
// changed in turn, to several values; whenever the change alters what Item
// makes of an entry, the entry's raw hash must change too. A field added
// to Item without RawHashes fails here.
func TestRawHashCoversItem(t *testing.T) {
	type feedCase struct {
		name string
		src  Source
		f    *gofeed.Feed
	}
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	var cases []feedCase
	for _, doc := range []struct{ name, body string }{{"rich_rss", richFeed}, {"rich_atom", richAtom}} {
		f, err := p.ParseString(doc.body)
		if err != nil {
			t.Fatalf("%s: %v", doc.name, err)
		}
		src := Source{Outlet: "Rich News", FeedURL: "https://rich.example/feed/", Language: "en", Location: time.FixedZone("IRST", 3*3600+1800)}
		cases = append(cases, feedCase{doc.name, src, f})
	}
	// Built by hand: no strings where gofeed parsed a date, a link only in
	// Links, a language only in Dublin Core, and the feed's link as the
	// base (a FeedLink set by a mutation comes before it).
	pub, upd := time.Date(2025, 2, 28, 10, 0, 0, 0, time.UTC), time.Date(2025, 2, 28, 11, 0, 0, 0, time.UTC)
	cases = append(cases, feedCase{"built", Source{Outlet: "Built"}, &gofeed.Feed{
		Link:          "https://www.built.example/",
		DublinCoreExt: &ext.DublinCoreExtension{Language: []string{"de"}},
		Items: []*gofeed.Item{{
			Title: "Gespräche in Wien", Links: []string{"/x/1"}, Description: "Die Gespräche gehen weiter.",
			PublishedParsed: &pub, UpdatedParsed: &upd, Authors: []*gofeed.Person{{Email: "redaktion@built.example"}},
		}},
	}})
	for _, name := range []string{"media", "atom_canonical", "jsonfeed", "dates"} {
		src, f := caseFeed(t, name)
		cases = append(cases, feedCase{name, src, f})
	}
	n := New(DefaultRules())
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	type result struct {
		item news.Item
		ok   bool
	}
	items := func(src Source, f *gofeed.Feed) []result {
		fc := n.newFeedContext(src, f) // not the cache: every call sees the feed as it is now
		out := make([]result, len(f.Items))
		for i := range f.Items {
			if f.Items[i] == nil {
				continue
			}
			it, _, ok := n.item(fc, f, i, now, false)
			out[i] = result{it, ok}
		}
		return out
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.src
			baseItems := items(src, c.f)
			baseHashes := n.RawHashes(1, src, c.f)
			muts := mutations(reflect.ValueOf(c.f).Elem(), "feed")
			if orig := c.f.OriginalFeed(); orig != nil {
				muts = append(muts, mutations(reflect.ValueOf(orig).Elem(), "original")...)
			}
			muts = append(muts, mutations(reflect.ValueOf(&src).Elem(), "src")...)
			for _, loc := range []*time.Location{nil, time.UTC, time.FixedZone("MSK", 3*3600)} {
				old := src.Location
				muts = append(muts, mutation{path: fmt.Sprintf("src.Location=%v", loc),
					apply: func() { src.Location = loc }, undo: func() { src.Location = old }})
			}
			if len(muts) < 100 {
				t.Fatalf("only %d mutations: the walk misses fields", len(muts))
			}
			changed := 0
			for _, m := range muts {
				m.apply()
				got, hashes := items(src, c.f), n.RawHashes(1, src, c.f)
				m.undo()
				for i := range got {
					if got[i].ok == baseItems[i].ok && (!got[i].ok || reflect.DeepEqual(got[i].item, baseItems[i].item)) {
						continue
					}
					changed++
					if hashes[i] == baseHashes[i] {
						t.Errorf("%s changes item %d but not its raw hash", m.path, i)
					}
				}
			}
			if changed == 0 {
				t.Error("no mutation changed an item")
			}
			if h := n.RawHashes(1, src, c.f); !slices.Equal(h, baseHashes) {
				t.Fatal("mutations not undone")
			}
		})
	}
}

// mutation is one change of one field reachable from a feed or source.
type mutation struct {
	path        string
	apply, undo func()
}

// rawCandidates are the values every string is set to in turn: empty, a
// different word, a URL, a date, a MIME type, the names and values Item
// looks for (media, canonical, image) and some markup.
var rawCandidates = []string{"", "other", "https://elsewhere.example/b/photo.jpg", "/relative/c.png",
	"2024-06-01T10:00:00+03:00", "Sun, 02 Feb 2025 10:00:00 IRST", "image/png", "image", "canonical", "fr",
	"<p>Other words about other news.</p>", "content", "thumbnail", "url"}

// mutations lists changes of every exported string, time and pointer
// reachable from v (addressable), of the length of every non-empty slice,
// and of the keys and values of every map with string keys.
func mutations(v reflect.Value, path string) []mutation {
	var out []mutation
	set := func(p string, to reflect.Value) {
		old := reflect.New(v.Type()).Elem()
		old.Set(v)
		out = append(out, mutation{path: p, apply: func() { v.Set(to) }, undo: func() { v.Set(old) }})
	}
	switch v.Kind() {
	case reflect.String:
		if !v.CanSet() {
			return nil
		}
		for _, c := range rawCandidates {
			if c != v.String() {
				set(fmt.Sprintf("%s=%q", path, c), reflect.ValueOf(c).Convert(v.Type()))
			}
		}
		set(path+"+=x", reflect.ValueOf(v.String()+"x").Convert(v.Type()))
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		if v.CanSet() {
			set(path+"=nil", reflect.Zero(v.Type()))
		}
		if v.Type().Elem() == reflect.TypeFor[time.Location]() {
			return out
		}
		out = append(out, mutations(v.Elem(), path)...)
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			if v.CanSet() {
				set(path+"+1h", reflect.ValueOf(t.Add(time.Hour)))
				set(path+"-40y", reflect.ValueOf(t.AddDate(-40, 0, 0)))
			}
			return out
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				out = append(out, mutations(v.Field(i), path+"."+f.Name)...)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		if v.CanSet() {
			set(path+"[1:]", v.Slice(1, v.Len()))
			set(path+"[:n-1]", v.Slice(0, v.Len()-1))
		}
		for i := range v.Len() {
			out = append(out, mutations(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return nil
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			p := fmt.Sprintf("%s[%q]", path, k.String())
			val := v.MapIndex(k)
			renamed := reflect.ValueOf(k.String() + "x").Convert(k.Type())
			out = append(out,
				mutation{path: p + " renamed", apply: func() { v.SetMapIndex(k, reflect.Value{}); v.SetMapIndex(renamed, val) },
					undo: func() { v.SetMapIndex(renamed, reflect.Value{}); v.SetMapIndex(k, val) }},
				mutation{path: p + " deleted", apply: func() { v.SetMapIndex(k, reflect.Value{}) },
					undo: func() { v.SetMapIndex(k, val) }})
			if val.Kind() == reflect.String {
				for _, c := range rawCandidates {
					if c != val.String() {
						to := reflect.ValueOf(c).Convert(val.Type())
						out = append(out, mutation{path: fmt.Sprintf("%s=%q", p, c),
							apply: func() { v.SetMapIndex(k, to) }, undo: func() { v.SetMapIndex(k, val) }})
					}
				}
				continue
			}
			out = append(out, mutations(val, p)...)
		}
	}
	return out
}

// TestKeepNewest: the newest entries by the dates Item gives them (a zone
// gofeed reads as UTC included), undated ones counting as now, ties in
// feed order, nil entries oldest.
func TestKeepNewest(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	p := gofeed.NewParser()
	f, err := p.ParseString(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>a</title><link>https://t.example/a</link><pubDate>Sat, 01 Mar 2025 14:30:00 MSK</pubDate></item>
<item><title>b</title><link>https://t.example/b</link><pubDate>Sat, 01 Mar 2025 11:45:00 +0000</pubDate></item>
<item><title>c</title><link>https://t.example/c</link></item>
<item><title>d</title><link>https://t.example/d</link><pubDate>Sat, 01 Mar 2025 09:00:00 +0000</pubDate></item>
<item><title>e</title><link>https://t.example/e</link><pubDate>Sat, 01 Mar 2025 11:45:00 +0000</pubDate></item>
</channel></rss>`)
	if err != nil {
		t.Fatal(err)
	}
	f.Items = append(f.Items, nil)
	n := New(DefaultRules())
	titles := func() string {
		var out []string
		for _, it := range f.Items {
			if it == nil {
				out = append(out, "nil")
				continue
			}
			out = append(out, it.Title)
		}
		return strings.Join(out, " ")
	}
	n.KeepNewest(Source{}, f, 6, now)
	if got := titles(); got != "a b c d e nil" {
		t.Errorf("under the cap: %s, want the feed unchanged", got)
	}
	// a is 11:30 UTC (14:30 MSK), which gofeed reads as 14:30 UTC.
	n.KeepNewest(Source{}, f, 4, now)
	if got := titles(); got != "c b e a" {
		t.Errorf("kept %s, want c b e a", got)
	}
}
