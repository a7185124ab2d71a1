package aggregator_test

import (
	"encoding/xml"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator"
	"github.com/topicfeed/topicfeed/aggregator/cluster"
	sets "github.com/topicfeed/topicfeed/aggregator/cluster/storysettest"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// This file replays the labelled story sets of real articles
// (../shared/stories beside the checkout; CI has it) through the whole
// pipeline: each article is served as an item of its outlet's RSS feed by
// a test server, and a Poller fetches, parses, normalises, tags, clusters
// and stores it, one poll per arriving article. The grouping is then read
// back from SQLite and scored against the labels. The cluster-level replay
// of the same sets is aggregator/cluster/storyset_test.go (TestStorySets);
// both read, date, order and score them with storysettest, so that the
// figures compare.
//
// The articles' terms are read from there at run time and never copied
// into the project.

// replaySetDir holds the labelled story sets.
var replaySetDir = filepath.Join("..", "..", "shared", "stories")

// replayTopics are the tagging rules of each set. The iru set is tagged by
// the shipped config.yaml's topics and tags. The other two sets are about
// topics topicfeed does not ship, so these rules stand in for a
// deployment's: they only decide whether an article is on topic.
func replayTopics(t *testing.T, topic string) (config.Config, []config.Topic, []config.Tag) {
	t.Helper()
	cfg, err := config.LoadFile(filepath.Join("..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	switch topic {
	case "iru":
		return cfg, cfg.Topics, cfg.Tags
	case "mideast":
		return cfg, []config.Topic{{
			Name:  "israel-gaza",
			Title: "Israel–Gaza war and its spread",
			Entities: []config.Entity{
				{Name: "israel", Terms: []string{"Israel*", "IDF", "Netanyahu", "Tel Aviv", "Knesset", "Mossad", "Shin Bet",
					"Izrael*", "إسرائيل", "الإسرائيلي*", "إسرائيلي*"}},
				{Name: "palestinians", Terms: []string{"Gaza*", "Hamas", "Palestin*", "West Bank", "Rafah", "Khan Younis",
					"Islamic Jihad", "UNRWA", "غزة", "حماس", "الفلسطيني*"}},
				{Name: "lebanon", Terms: []string{"Hezbollah", "Hizbollah", "Lebanon", "Lebanese", "Beirut", "Liban*", "حزب الله", "لبنان"}},
				{Name: "yemen", Terms: []string{"Houthi*", "Yemen*", "Ansar Allah", "Red Sea", "الحوثي*", "اليمن"}},
				{Name: "iran", Terms: []string{"Iran*", "Tehran", "Khamenei", "IRGC", "Revolutionary Guard*", "إيران"}},
			},
		}}, nil
	case "tariffs":
		// Two mentions in the body are enough: trade deals name their
		// tariffs further down.
		return cfg, []config.Topic{{
			Name:           "tariffs",
			Title:          "US tariffs and trade",
			MinEntityScore: 2,
			Entities: []config.Entity{
				{Name: "tariffs", Terms: []string{"tariff*", "duties", "levy", "levies", "trade war*", "trade deal*",
					"trade agreement*", "import tax*", "arancel*", "Zoll*", "Zölle", "Zöllen", "tarifa*", "dazi"}},
				{Name: "trade", Terms: []string{"trade", "trading partner*", "exports", "imports", "export control*", "USTR",
					"WTO", "World Trade Organization"}},
			},
		}}, nil
	}
	t.Fatalf("no rules for topic %s", topic)
	return config.Config{}, nil, nil
}

// replayStoryOptions mirrors storyOptions in cmd/topicfeed/app.go (package
// main cannot be imported): keys are uids known by their identity.
func replayStoryOptions(now func() time.Time) cluster.Options {
	return cluster.Options{Window: cluster.DefaultWindow, Now: now, Identity: news.UIDIdentity}
}

// replayClock is a replay's clock, set before each poll.
type replayClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *replayClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *replayClock) get() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// replayFeeds serves each outlet's RSS feed at /feed/<n> with the
// articles that have arrived so far, newest first.
type replayFeeds struct {
	arts    []sets.Article
	outlets []string // by feed number
	byName  map[string]int
	mu      sync.Mutex
	visible [][]int // feed number → article indices
}

func newReplayFeeds(arts []sets.Article) *replayFeeds {
	f := &replayFeeds{arts: arts, byName: map[string]int{}}
	for _, a := range arts {
		if _, ok := f.byName[a.Outlet]; !ok {
			f.byName[a.Outlet] = len(f.outlets)
			f.outlets = append(f.outlets, a.Outlet)
		}
	}
	f.visible = make([][]int, len(f.outlets))
	return f
}

// reset hides every article.
func (f *replayFeeds) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.visible {
		f.visible[i] = nil
	}
}

// arrive makes article i visible in its outlet's feed and returns the
// feed's number.
func (f *replayFeeds) arrive(i int) int {
	n := f.byName[f.arts[i].Outlet]
	f.mu.Lock()
	defer f.mu.Unlock()
	f.visible[n] = append(f.visible[n], i)
	return n
}

// RSS 2.0, as much as the replay serves.
type (
	replayRSS struct {
		XMLName xml.Name      `xml:"rss"`
		Version string        `xml:"version,attr"`
		Channel replayChannel `xml:"channel"`
	}
	replayChannel struct {
		Title string          `xml:"title"`
		Link  string          `xml:"link"`
		Items []replayRSSItem `xml:"item"`
	}
	replayRSSItem struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		GUID        string `xml:"guid"`
		PubDate     string `xml:"pubDate"`
		Description string `xml:"description"`
	}
)

func (f *replayFeeds) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
	if err != nil || n < 0 || n >= len(f.outlets) {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	idx := slices.Clone(f.visible[n])
	f.mu.Unlock()
	feed := replayRSS{Version: "2.0", Channel: replayChannel{Title: f.outlets[n]}}
	for k := len(idx) - 1; k >= 0; k-- {
		a := f.arts[idx[k]]
		if feed.Channel.Link == "" {
			if u, err := url.Parse(a.URL); err == nil {
				feed.Channel.Link = u.Scheme + "://" + u.Host + "/"
			}
		}
		var desc strings.Builder
		for _, p := range a.Paragraphs() {
			desc.WriteString("<p>" + html.EscapeString(p) + "</p>")
		}
		feed.Channel.Items = append(feed.Channel.Items, replayRSSItem{Title: a.Title, Link: a.URL, GUID: a.URL,
			PubDate: a.Published.Format(time.RFC1123Z), Description: desc.String()})
	}
	body, err := xml.Marshal(feed)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	w.Write(body)
}

// replayResult is what one replay stored, scored.
type replayResult struct {
	onTopic  int        // labelled articles stored on topic
	score    sets.Score // over the on-topic articles
	scoreAll sets.Score // over every article, off-topic ones each a story of its own
	wrong    []string   // the wrong pairs of score
	offTopic []string   // ids of the articles stored off topic
	changed  []string   // ids of the articles whose stored title or text is not the one served
	copies   int        // articles stored as a near-duplicate copy (another source) of another item
}

// storyReplay is one topic, split and timing, replayed through the
// pipeline.
type storyReplay struct {
	t       *testing.T
	arts    []sets.Article
	cfg     config.Config
	topics  []config.Topic
	tagger  *tagger.Tagger
	rules   normalize.Rules
	seed    uint64
	feeds   *replayFeeds
	srv     *httptest.Server
	outlets []aggregator.Outlet // by feed number
	// spansWindow: the articles' dates span more than the story index's
	// window, which evicts the older ones on the way
	spansWindow bool
}

func newStoryReplay(t *testing.T, topic string, arts []sets.Article) *storyReplay {
	t.Helper()
	cfg, topics, tags := replayTopics(t, topic)
	tg, err := tagger.New(topics, tags)
	if err != nil {
		t.Fatal(err)
	}
	// the normaliser's rules as cmd/topicfeed's normalizeRules gives them
	rules := normalize.DefaultRules()
	rules.MaxItemBytes = cfg.Fetch.MaxItemBytes
	seed, err := normalize.RawSeed(rules)
	if err != nil {
		t.Fatal(err)
	}
	r := &storyReplay{t: t, arts: arts, cfg: cfg, topics: topics, tagger: tg, rules: rules, seed: seed, feeds: newReplayFeeds(arts)}
	r.spansWindow = arts[len(arts)-1].Published.Sub(arts[0].Published) > cluster.DefaultWindow
	r.srv = httptest.NewServer(r.feeds)
	t.Cleanup(r.srv.Close)
	for n, name := range r.feeds.outlets {
		r.outlets = append(r.outlets, aggregator.Outlet{Outlet: news.Outlet{Name: name, Slug: fmt.Sprintf("outlet-%d", n),
			URL: fmt.Sprintf("%s/feed/%d", r.srv.URL, n)}, Interval: 15 * time.Minute})
	}
	return r
}

// run replays one arrival order into a fresh database and story index:
// for each arriving article, its outlet's feed shows it and is polled once.
// It checks that storage and the index agree, and scores what was stored.
func (r *storyReplay) run(order sets.Order) replayResult {
	t := r.t
	t.Helper()
	ctx := t.Context()
	r.feeds.reset()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "topicfeed.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list := make([]news.Outlet, len(r.outlets))
	for i, o := range r.outlets {
		list[i] = o.Outlet
	}
	if err := db.SyncOutlets(ctx, list); err != nil {
		t.Fatal(err)
	}
	clock := &replayClock{}
	ix := cluster.New(replayStoryOptions(clock.get))
	fetch := fetcher.New(fetcher.Options{AllowPrivateNetworks: true, Timeout: 30 * time.Second,
		MaxBodyBytes: r.cfg.Fetch.MaxBodyBytes, Now: clock.get})
	p := aggregator.NewPoller(aggregator.PollerDeps{Fetcher: fetch, Normalizer: normalize.New(r.rules), Tagger: r.tagger,
		Stories: ix, Store: db, MaxItems: r.cfg.Fetch.MaxItems, RawSeed: r.seed, Now: clock.get,
		Log: slog.New(slog.DiscardHandler)})
	for _, i := range order.Seq {
		clock.set(order.At[i])
		n := r.feeds.arrive(i)
		res := p.Poll(ctx, r.outlets[n])
		if res.Err != nil {
			t.Fatalf("poll %s for %s: %v", r.outlets[n].Name, r.arts[i].ID, res.Err)
		}
		if got := res.Stats.New + res.Stats.Duplicate + res.Stats.Updated; got != 1 {
			t.Errorf("poll %s for %s: %+v, want the one new entry stored", r.outlets[n].Name, r.arts[i].ID, res.Stats)
		}
		if res.Moved > 0 && r.spansWindow {
			// stored items moved: check them now, before they leave the
			// index's window (when the replay spans less than the window,
			// the check at the end sees every item)
			r.agree(db, ix)
		}
	}

	items := r.agree(db, ix)
	// stored items by the GUID of each of their sources (a near-duplicate
	// copy is stored as another source of the item it copies)
	byGUID := map[string]news.Item{}
	for _, it := range items {
		byGUID[it.GUID] = it
		for _, s := range it.Sources {
			byGUID[s.GUID] = it
		}
	}
	var res replayResult
	var ids, want, got, allWant, allGot []string
	for _, a := range r.arts {
		it, ok := byGUID[a.URL]
		if !ok {
			t.Errorf("%s (%s) not stored", a.ID, a.URL)
			continue
		}
		if it.GUID == a.URL && (it.Title != a.Title || it.Text != strings.Join(a.Paragraphs(), "\n\n")) {
			res.changed = append(res.changed, a.ID)
		}
		allWant = append(allWant, a.Story)
		if !it.OnTopic {
			res.offTopic = append(res.offTopic, a.ID)
			allGot = append(allGot, "off topic "+a.ID)
			continue
		}
		if it.GUID != a.URL {
			// a copy: the index must hold it in its original's story too
			res.copies++
			key := news.ItemUID(a.Outlet, a.URL, a.Published)
			if story, ok := ix.StoryOf(key); ok && story != it.StoryID {
				t.Errorf("%s stored as a copy of %s in story %s, the index holds it in %q (%v)", a.ID, it.UID, it.StoryID, story, ok)
			}
		}
		res.onTopic++
		ids, want, got = append(ids, a.ID), append(want, a.Story), append(got, it.StoryID)
		allGot = append(allGot, it.StoryID)
	}
	res.score, res.wrong = sets.Grouping(ids, want, got)
	var allIDs []string
	for _, a := range r.arts {
		allIDs = append(allIDs, a.ID)
	}
	if len(allIDs) == len(allWant) {
		res.scoreAll, _ = sets.Grouping(allIDs, allWant, allGot)
	}
	return res
}

// agree checks that every stored item has a story and that every stored
// on-topic item is in the story the index holds it in (items published
// more than the index's window before the latest are no longer held), and
// returns the stored items.
func (r *storyReplay) agree(db *storage.DB, ix *cluster.Index) []news.Item {
	t := r.t
	t.Helper()
	items, err := db.Items(t.Context(), news.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var latest time.Time
	for _, it := range items {
		if it.OnTopic && it.Published.After(latest) {
			latest = it.Published
		}
	}
	for _, it := range items {
		if it.StoryID == "" {
			t.Errorf("item %s (%s) stored without a story", it.UID, it.GUID)
		}
		if !it.OnTopic {
			continue
		}
		story, ok := ix.StoryOf(it.UID)
		if !ok && it.Published.Before(latest.Add(-cluster.DefaultWindow)) {
			continue // evicted
		}
		if !ok || story != it.StoryID {
			t.Errorf("item %s (%s) stored in story %s, the index holds it in %q (%v)", it.UID, it.GUID, it.StoryID, story, ok)
		}
	}
	return items
}

// replayFloors are what TestStoryReplay holds the pipeline to on the test
// split, worst of its arrival orders: a little below what it measured
// (STORYREPLAY_ORDERS=20): iru P 1.000 R 0.323 at real dates, 1.000 / 0.226
// on the busy day (on the 34 of 41 articles on topic); mideast 1.000 /
// 0.789 and 1.000 / 0.579; tariffs 0.947 / 0.783 and 1.000 / 0.565. One
// pair more or less moves iru's recall by 0.03 and precision by up to
// 0.14, so the floors allow about one pair.
var replayFloors = map[string]map[sets.Timing]struct{ precision, recall float64 }{
	"iru":     {sets.RealDates: {0.85, 0.28}, sets.BusyDay: {0.85, 0.19}},
	"mideast": {sets.RealDates: {0.90, 0.73}, sets.BusyDay: {0.90, 0.52}},
	"tariffs": {sets.RealDates: {0.90, 0.73}, sets.BusyDay: {0.90, 0.52}},
}

// replayCoverage is the share of each split's labelled articles that must
// end on topic. The shipped rules put 88 of 97 dev and 34 of 41 test iru
// articles on topic. The others meet no require set: they name one of the
// three countries only (US aid votes for Ukraine, an explosion at an
// Iranian factory, Putin's Easter truce, a drone attack in Tatarstan), or
// name the other in a language the rules have no terms for (Italian
// "russo", Slovenian "Rusija", Greek). The other sets' rules are
// the test's own, written to cover them.
var replayCoverage = map[string]float64{"iru": 0.80, "mideast": 0.97, "tariffs": 0.97}

// replayOrderCount is how many arrival orders a split and timing is
// replayed in. Every poll goes through SQLite, which is slow under the race
// detector (about 15 ms of CPU a poll): 20 orders of everything took 190 s
// with -race on two cores. So the test split on the busy day, where
// arrival order matters most, gets the 20 orders of the cluster-level
// test, the test split at real dates 10, and dev 2 (publication order and
// one other; dev is only logged, and the cluster-level test replays it in
// 20). STORYREPLAY_ORDERS=n replays every split and timing in n orders (the
// first n of the same sequence): 20 takes about 30 s without -race.
func replayOrderCount(t *testing.T, split string, tm sets.Timing) int {
	if v := os.Getenv("STORYREPLAY_ORDERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("STORYREPLAY_ORDERS=%q: want a positive number", v)
		}
		return n
	}
	switch {
	case split == "test" && tm == sets.BusyDay:
		return 20
	case split == "test":
		return 10
	}
	return 2
}

// TestStoryReplay replays each labelled story set (dev and test splits)
// through fetch, parse, normalise, tag, cluster and SQLite, at the real
// dates and compressed into one busy day, in several arrival orders, and
// fails when the worst order of the test split falls below its floor, when
// the shipped rules leave too many iru articles off topic, or when storage
// and the story index disagree.
func TestStoryReplay(t *testing.T) {
	for _, topic := range []string{"iru", "mideast", "tariffs"} {
		arts := sets.Load(t, replaySetDir, topic)
		for _, tm := range []sets.Timing{sets.RealDates, sets.BusyDay} {
			for _, split := range []string{"dev", "test"} {
				t.Run(fmt.Sprintf("%s/%s/%s", topic, tm, split), func(t *testing.T) {
					t.Parallel()
					dated := sets.Dated(arts, split, tm)
					r := newStoryReplay(t, topic, dated)
					n := replayOrderCount(t, split, tm)
					var worst, best replayResult
					onTopicMin, onTopicMax := len(dated), 0
					for k, order := range sets.Orders(dated, n, sets.Lag[tm]) {
						res := r.run(order)
						if t.Failed() {
							return
						}
						onTopicMin, onTopicMax = min(onTopicMin, res.onTopic), max(onTopicMax, res.onTopic)
						s, w := res.score, worst.score
						if k == 0 || s.Precision() < w.Precision() || s.Precision() == w.Precision() && s.Recall() < w.Recall() {
							worst = res
						}
						if k == 0 || s.F1() > best.score.F1() {
							best = res
						}
					}
					t.Logf("%d articles, %d on topic (%d–%d over the orders), off topic: %v", len(dated), worst.onTopic,
						onTopicMin, onTopicMax, worst.offTopic)
					t.Logf("%d articles stored with another title or text than served %v, %d as copies of another item",
						len(worst.changed), worst.changed, worst.copies)
					t.Logf("worst of %d orders: %v; recall counting off-topic articles as missed %.3f (fn %d), BCubed F1 %.3f",
						n, worst.score, worst.scoreAll.Recall(), worst.scoreAll.FN, worst.scoreAll.F1())
					t.Logf("best order: %v", best.score)
					if floor, ok := replayCoverage[topic]; ok {
						if share := float64(onTopicMin) / float64(len(dated)); share < floor {
							t.Errorf("%d of %d articles on topic (%.2f), want ≥ %.2f", onTopicMin, len(dated), share, floor)
						}
					}
					if split != "test" {
						return
					}
					if floor := replayFloors[topic][tm]; worst.score.Precision() < floor.precision || worst.score.Recall() < floor.recall {
						t.Errorf("story grouping %v, want precision ≥ %.2f and recall ≥ %.2f", worst.score, floor.precision, floor.recall)
						for _, w := range worst.wrong {
							t.Log(w)
						}
					}
				})
			}
		}
	}
}
