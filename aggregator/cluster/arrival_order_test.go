package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/parser"
	"github.com/topicfeed/topicfeed/news"
)

// e2eItem is an item of the end-to-end feeds (testdata/e2e, built from the
// seeds by generate.py) as the poller hands it to Assign, with its label.
type e2eItem struct {
	name  string // short label for messages
	story string // expected story
	doc   Doc
}

// e2eFeeds are the feeds of testdata/e2e with the outlet names of the
// end-to-end test's configuration, and the labels of their on-topic items
// by URL (the off-topic items are left out: the poller does not cluster
// them).
var e2eFeeds = []struct {
	file, outlet, feedURL string
	labels                map[string][2]string // item URL prefix → name, story
}{
	{"asharq-al-awsat.atom", "Asharq Al-Awsat", "https://english.aawsat.com/feed", map[string][2]string{
		"https://english.aawsat.com/node/4489341": {"000a-talks", "talks"},
		"https://english.aawsat.com/node/5102233": {"000b-azov", "azov"},
	}},
	{"iran-front-page.rss", "Iran Front Page", "https://ifpnews.com/feed/", map[string][2]string{
		"https://ifpnews.com/cia-director-iran-russia-cooperation-worrying": {"001-ifp", "burns"},
		"https://www.themoscowtimes.com/2022/12/18/iran-says-it-wont-seek":  {"003-ifp-wire", "burns"},
	}},
	{"the-moscow-times.rss", "The Moscow Times", "https://www.themoscowtimes.com/rss/news", map[string][2]string{
		"https://www.themoscowtimes.com/2022/10/28/russias-use-of-iranian": {"002-blinken", "blinken"},
		"https://www.themoscowtimes.com/2022/12/18/iran-says-it-wont-seek": {"003-mt", "burns"},
	}},
	{"al-mayadeen.json", "Al Mayadeen English", "https://english.almayadeen.net/rss", map[string][2]string{
		"https://english.almayadeen.net/news/politics/possible-russia-iran": {"004-mayadeen", "burns"},
	}},
}

// loadE2E runs the end-to-end feed files through the project's parser and
// normaliser, as the poller does, and returns the labelled items.
func loadE2E(tb testing.TB) []e2eItem {
	tb.Helper()
	norm := normalize.New(normalize.DefaultRules())
	now := time.Date(2022, 12, 19, 18, 0, 0, 0, time.UTC)
	var out []e2eItem
	for _, f := range e2eFeeds {
		body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "e2e", f.file))
		if err != nil {
			tb.Fatalf("read e2e feed: %v", err)
		}
		res, err := parser.Parse(body, parser.Options{URL: f.feedURL})
		if err != nil {
			tb.Fatalf("parse %s: %v", f.file, err)
		}
		found := 0
		for _, it := range norm.Feed(normalize.Source{Outlet: f.outlet, FeedURL: f.feedURL}, res.Feed, now) {
			name, story := "", ""
			for prefix, l := range f.labels {
				if strings.HasPrefix(it.URL, prefix) {
					name, story = l[0], l[1]
				}
			}
			if name == "" {
				continue
			}
			found++
			out = append(out, e2eItem{name: name, story: story, doc: Doc{
				Key: news.ItemUID(f.outlet, it.GUID, it.Published), Outlet: f.outlet, Title: it.Title, Text: it.Text, Published: it.Published,
			}})
		}
		if found != len(f.labels) {
			tb.Fatalf("%s: found %d of the %d labelled items", f.file, found, len(f.labels))
		}
	}
	return out
}

// assignOrder assigns items in the given order to a new index and returns
// each item's story id and the decisions' reasons in arrival order. The
// items' analyses (ps, from Index.prepare, which depends on nothing but
// the document and the options) are computed once for all orders; each
// order assigns a shallow copy, as Assign would a fresh analysis.
func assignOrder(items []e2eItem, ps []*prepared, order []int, o Options) (stories, reasons []string) {
	ix := New(o)
	stories = make([]string, len(items))
	for _, i := range order {
		p := *ps[i]
		d := ix.assign(&p)
		stories[i] = d.StoryID
		reasons = append(reasons, items[i].name+": "+d.Reason)
	}
	return stories, reasons
}

// wrongPairs lists the pairs of items grouped against their labels.
func wrongPairs(items []e2eItem, stories []string) []string {
	var wrong []string
	for a := range items {
		for b := a + 1; b < len(items); b++ {
			want := items[a].story == items[b].story
			if (stories[a] == stories[b]) != want {
				wrong = append(wrong, fmt.Sprintf("%s and %s: same story %v, want %v", items[a].name, items[b].name, !want, want))
			}
		}
	}
	return wrong
}

// permutations calls fn with every permutation of 0..n-1 (Heap's
// algorithm); fn must not keep the slice.
func permutations(n int, fn func([]int)) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	c := make([]int, n)
	fn(p)
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				p[0], p[i] = p[i], p[0]
			} else {
				p[c[i]], p[i] = p[i], p[c[i]]
			}
			fn(p)
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
}

// TestArrivalOrderE2E feeds the on-topic items of the end-to-end feeds
// through Assign in every order (outlets are polled concurrently, so any
// order can happen): the Burns interview (001), Iran's reaction to it (003,
// at The Moscow Times and as a wire copy at Iran Front Page) and Al
// Mayadeen's write-up (004) must always make one story; the drone talks and
// the Sea of Azov (the two stories of 000) and Blinken in Ottawa (002) each
// their own. "feed dates" keeps the feeds' publication times (002 is from
// October, outside the window); "same days" moves 002 to Dec 18, the day
// of the Burns reports, so that only the texts keep the events apart.
// With -short, the three other items keep one relative order (840 orders
// of 5040).
func TestArrivalOrderE2E(t *testing.T) {
	for _, tc := range arrivalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			orders, failed := checkArrivalOrders(t, tc.items, Options{}, testing.Short())
			if failed > 0 {
				t.Errorf("%d of %d arrival orders grouped wrongly", failed, orders)
			}
			if want := map[bool]int{false: 5040, true: 840}[testing.Short()]; orders != want {
				t.Errorf("tried %d orders of %d items, want %d", orders, len(tc.items), want)
			}
		})
	}
}

// TestArrivalOrderThresholdMargin checks that the default story threshold
// is not on a knife's edge for the arrival orders either: moved by ±0.015
// every order still groups the end-to-end items right (840 orders each).
func TestArrivalOrderThresholdMargin(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, th := range []float64{DefaultStoryThreshold - 0.015, DefaultStoryThreshold + 0.015} {
		for _, tc := range arrivalCases(t) {
			t.Run(fmt.Sprintf("%s at %.3f", tc.name, th), func(t *testing.T) {
				if orders, failed := checkArrivalOrders(t, tc.items, Options{StoryThreshold: th}, true); failed > 0 {
					t.Errorf("%d of %d arrival orders grouped wrongly at threshold %.3f", failed, orders, th)
				}
			})
		}
	}
}

type arrivalCase struct {
	name  string
	items []e2eItem
}

func arrivalCases(tb testing.TB) []arrivalCase {
	tb.Helper()
	items := loadE2E(tb)
	sameDays := slices.Clone(items)
	for i := range sameDays {
		if sameDays[i].name == "002-blinken" {
			// its time of day, on the day of the Burns reports and of
			// Iran's reaction (from the same outlet)
			sameDays[i].doc.Published = time.Date(2022, 12, 18, 6, 17, 0, 0, time.UTC)
		}
	}
	return []arrivalCase{{"feed dates", items}, {"same days", sameDays}}
}

// checkArrivalOrders assigns the items in every order (with fewer, only
// the orders in which the items outside the Burns story keep their
// relative order) and reports the first wrong groupings; it returns the
// number of orders tried and of orders grouped wrongly.
func checkArrivalOrders(t *testing.T, items []e2eItem, o Options, fewer bool) (orders, failed int) {
	t.Helper()
	ps := make([]*prepared, len(items))
	ix := New(o)
	for i, it := range items {
		ps[i] = ix.prepare(it.doc)
	}
	// the shortcut through prepared analyses decides as Assign does
	identity := make([]int, len(items))
	for i := range identity {
		identity[i] = i
	}
	cached, _ := assignOrder(items, ps, identity, o)
	ix = New(o)
	for i, it := range items {
		if d := ix.Assign(it.doc); d.StoryID != cached[i] {
			t.Fatalf("%s: Assign gives story %s, the prepared analysis %s", it.name, d.StoryID, cached[i])
		}
	}
	permutations(len(items), func(order []int) {
		if fewer {
			last := -1
			for _, i := range order {
				if items[i].story == "burns" {
					continue
				}
				if i < last {
					return
				}
				last = i
			}
		}
		orders++
		stories, reasons := assignOrder(items, ps, order, o)
		wrong := wrongPairs(items, stories)
		if len(wrong) == 0 {
			return
		}
		if failed++; failed <= 3 {
			names := make([]string, len(order))
			for k, i := range order {
				names[k] = items[i].name
			}
			t.Errorf("order %s:\n%s\ndecisions:\n\t%s", strings.Join(names, ", "), strings.Join(wrong, "\n"), strings.Join(reasons, "\n\t"))
		}
	})
	return orders, failed
}
