package normalize

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // golden cases name IANA zones; do not depend on the host's zoneinfo

	"github.com/mmcdole/gofeed"

	"github.com/topicfeed/topicfeed/news"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// goldenNow is the clock of every golden case: after every dated item in
// testdata, so future-date clamping is tested against a fixed point.
var goldenNow = time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC)

// goldenSource is the optional <case>.source.json next to a case.
type goldenSource struct {
	Outlet   string `json:"outlet"`
	FeedURL  string `json:"feed_url"`
	Language string `json:"language"`
	TimeZone string `json:"time_zone"`
}

// goldenItem is a news.Item with the fields normalize fills, plus the
// report, in a stable JSON form.
type goldenItem struct {
	Outlet      string           `json:"outlet"`
	GUID        string           `json:"guid"`
	URL         string           `json:"url"`
	Title       string           `json:"title"`
	Summary     string           `json:"summary"`
	Text        string           `json:"text"`
	ContentHTML string           `json:"content_html"`
	Authors     []string         `json:"authors,omitempty"`
	Categories  []string         `json:"categories,omitempty"`
	Language    string           `json:"language,omitempty"`
	Image       string           `json:"image,omitempty"`
	Enclosures  []news.Enclosure `json:"enclosures,omitempty"`
	Published   time.Time        `json:"published"`
	Updated     time.Time        `json:"updated"`
	FirstSeen   time.Time        `json:"first_seen"`
	ContentHash string           `json:"content_hash"`
	Report      Report           `json:"report"`
}

// loadCase parses testdata/golden/<name>.xml and normalises it with the
// default rules; it returns the items with their reports.
func loadCase(tb testing.TB, name string) ([]news.Item, []Report) {
	tb.Helper()
	src, f := caseFeed(tb, name)
	n := New(DefaultRules())
	var items []news.Item
	var reps []Report
	for i := range f.Items {
		it, rep, ok := n.Item(src, f, i, goldenNow)
		if !ok {
			continue
		}
		items = append(items, it)
		reps = append(reps, rep)
	}
	// Feed must agree with Item.
	if got := n.Feed(src, f, goldenNow); len(got) != len(items) {
		tb.Fatalf("%s: Feed returned %d items, Item %d", name, len(got), len(items))
	}
	return items, reps
}

// caseFeed parses testdata/golden/<name>.xml (or .feed.json), keeping the
// original feed, and returns it with its source.
func caseFeed(tb testing.TB, name string) (Source, *gofeed.Feed) {
	tb.Helper()
	dir := filepath.Join("testdata", "golden")
	data, err := os.ReadFile(filepath.Join(dir, name+".xml"))
	if os.IsNotExist(err) {
		data, err = os.ReadFile(filepath.Join(dir, name+".feed.json"))
	}
	if err != nil {
		tb.Fatal(err)
	}
	src := Source{Outlet: "Example News", FeedURL: "https://example.com/feed/"}
	if b, err := os.ReadFile(filepath.Join(dir, name+".source.json")); err == nil {
		var gs goldenSource
		if err := json.Unmarshal(b, &gs); err != nil {
			tb.Fatalf("%s.source.json: %v", name, err)
		}
		src = Source{Outlet: gs.Outlet, FeedURL: gs.FeedURL, Language: gs.Language}
		if gs.TimeZone != "" {
			loc, err := time.LoadLocation(gs.TimeZone)
			if err != nil {
				tb.Fatalf("%s.source.json: %v", name, err)
			}
			src.Location = loc
		}
	}
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	f, err := p.Parse(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return src, f
}

func goldenCases(tb testing.TB) []string {
	tb.Helper()
	var names []string
	for _, ext := range []string{".xml", ".feed.json"} {
		files, err := filepath.Glob(filepath.Join("testdata", "golden", "*"+ext))
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			names = append(names, strings.TrimSuffix(filepath.Base(f), ext))
		}
	}
	if len(names) == 0 {
		tb.Fatal("no golden cases in testdata/golden")
	}
	return names
}

// TestGolden normalises every testdata/golden/<case>.xml (or .feed.json) and compares the
// items with <case>.golden.json. Run with -update to rewrite the golden
// files after checking the diff.
func TestGolden(t *testing.T) {
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			items, reps := loadCase(t, name)
			out := make([]goldenItem, len(items))
			for i, it := range items {
				checkItemStrings(t, it)
				out[i] = goldenItem{
					Outlet: it.Outlet, GUID: it.GUID, URL: it.URL, Title: it.Title, Summary: it.Summary,
					Text: it.Text, ContentHTML: it.ContentHTML, Authors: it.Authors, Categories: it.Categories,
					Language: it.Language, Image: it.Image, Enclosures: it.Enclosures, Published: it.Published,
					Updated: it.Updated, FirstSeen: it.FirstSeen, ContentHash: it.ContentHash, Report: reps[i],
				}
			}
			got, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from golden file; got:\n%s", path, firstDiff(string(want), string(got)))
			}
		})
	}
}

// firstDiff shows the first differing line of two texts with context.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(no line differs)"
}

func itoa(i int) string { return strconv.Itoa(i) }
