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
		"https://www.themoscowtimes.com/2022/12/18/iran-says-it-wont-seek":  {"003-ifp-wire", "reply"},
	}},
	{"the-moscow-times.rss", "The Moscow Times", "https://www.themoscowtimes.com/rss/news", map[string][2]string{
		"https://www.themoscowtimes.com/2022/10/28/russias-use-of-iranian": {"002-blinken", "blinken"},
		"https://www.themoscowtimes.com/2022/12/18/iran-says-it-wont-seek": {"003-mt", "reply"},
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
// each item's story id once all are assigned and the decisions' reasons in
// arrival order. The
// items' analyses (ps, from Index.prepare, which depends on nothing but
// the document and the options) are computed once for all orders; each
// order assigns a shallow copy, as Assign would a fresh analysis.
func assignOrder(items []e2eItem, ps []*analysis, order []int, o Options) (stories, reasons []string) {
	ix := New(o)
	stories = make([]string, len(items))
	index := make(map[string]int, len(items))
	for i, it := range items {
		index[it.doc.Key] = i
	}
	for _, i := range order {
		p := *ps[i]
		d := ix.assign(&p)
		stories[i] = d.StoryID
		// later decisions may move earlier documents
		for _, m := range d.Moved {
			stories[index[m.Key]] = m.To
		}
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
// (the seed articles, through the project's parser and normaliser) through
// Assign in every order: outlets are polled concurrently, so any order can
// happen. Under the story rule the seeds hold five stories: the drone talks
// and the Sea of Azov (the two stories of 000), the Burns interview (001
// and Al Mayadeen's write-up 004), Blinken in Ottawa (002), and Iran's
// reply to Burns (003, at The Moscow Times and as a wire copy at Iran Front
// Page). "feed dates" keeps the feeds' publication times (002 is from
// October, outside the window); "seeds in one hour" publishes the six seed
// items within one hour (a busy hour), so that only the texts keep the
// events apart, in all 720 orders. With -short, "feed dates" tries the 840
// orders in which the items outside the Burns story keep one relative
// order.
//
// The reply quotes the interview at length (its names and its quotation,
// "poses real threats"): what keeps them apart is that their titles name
// different speakers (otherSpeaker).
func TestArrivalOrderE2E(t *testing.T) {
	for _, tc := range arrivalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			orders, failed := checkArrivalOrders(t, tc.items, Options{}, tc.fewer && testing.Short())
			if failed > 0 {
				t.Errorf("%d of %d arrival orders grouped wrongly", failed, orders)
			}
			if orders != tc.orders(testing.Short()) {
				t.Errorf("tried %d orders of %d items, want %d", orders, len(tc.items), tc.orders(testing.Short()))
			}
		})
	}
}

type arrivalCase struct {
	name  string
	items []e2eItem
	fewer bool // with -short, fewer orders
}

func (c arrivalCase) orders(short bool) int {
	n := 1
	for k := 2; k <= len(c.items); k++ {
		n *= k
	}
	if c.fewer && short {
		n /= 6 // the three items outside the Burns story and the reply in one order
	}
	return n
}

func arrivalCases(tb testing.TB) []arrivalCase {
	tb.Helper()
	items := loadE2E(tb)
	var hour []e2eItem
	at := time.Date(2022, 12, 18, 9, 0, 0, 0, time.UTC)
	for _, it := range items {
		if it.name == "003-ifp-wire" {
			continue // the seeds are six items; this is a copy of 003
		}
		it.doc.Published = at.Add(time.Duration(len(hour)) * 10 * time.Minute)
		hour = append(hour, it)
	}
	return []arrivalCase{{"feed dates", items, true}, {"seeds in one hour", hour, false}}
}

// checkArrivalOrders assigns the items in every order (with fewer, only
// the orders in which the items outside the Burns story and the reply keep their
// relative order) and reports the first wrong groupings; it returns the
// number of orders tried and of orders grouped wrongly.
func checkArrivalOrders(t *testing.T, items []e2eItem, o Options, fewer bool) (orders, failed int) {
	t.Helper()

	ps := make([]*analysis, len(items))
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
	direct := make([]string, len(items))
	for i, it := range items {
		d := ix.Assign(it.doc)
		direct[i] = d.StoryID
		for _, m := range d.Moved {
			for k := range items {
				if items[k].doc.Key == m.Key {
					direct[k] = m.To
				}
			}
		}
	}
	if !slices.Equal(direct, cached) {
		t.Fatalf("Assign gives stories %v, the prepared analyses %v", direct, cached)
	}
	permutations(len(items), func(order []int) {
		if fewer {
			last := -1
			for _, i := range order {
				if items[i].story == "burns" || items[i].story == "reply" {
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
