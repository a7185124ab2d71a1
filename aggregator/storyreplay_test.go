package aggregator_test

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"html"
	"log/slog"
	"math/rand/v2"
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
// the definitions here (dates, the busy day, arrival orders, scores) are
// the same, so that the figures compare.
//
// The articles' terms are read from there at run time and never copied
// into the project.

// replaySetDir holds the labelled story sets.
var replaySetDir = filepath.Join("..", "..", "shared", "stories")

// replayArticle is one labelled article of a story set.
type replayArticle struct {
	ID        string     `json:"id"`
	Topic     string     `json:"topic"`
	Outlet    string     `json:"outlet"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Date      string     `json:"published"`
	Time      *string    `json:"published_time"`
	Language  string     `json:"language"`
	Terms     [][]string `json:"paragraph_terms"`
	Story     string     `json:"story"`
	Related   []string   `json:"related"`
	Split     string     `json:"split"`
	published time.Time
}

// paragraphs are the article's paragraphs as the set allows to rebuild
// them: each list of terms joined with spaces.
func (a replayArticle) paragraphs() []string {
	paras := make([]string, len(a.Terms))
	for i, ts := range a.Terms {
		paras[i] = strings.Join(ts, " ")
	}
	return paras
}

// loadReplaySet reads one topic's articles, skipping the test when the
// shared folder is not there, unless CI is set.
func loadReplaySet(tb testing.TB, topic string) []replayArticle {
	tb.Helper()
	path := filepath.Join(replaySetDir, topic+".jsonl")
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("story set: %v", err)
		}
		tb.Skipf("story set not found (it lives in /work/shared/stories; CI has it): %v", err)
	}
	defer f.Close()
	var out []replayArticle
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var a replayArticle
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			tb.Fatalf("%s:%d: %v", path, line, err)
		}
		day, err := time.Parse("2006-01-02", a.Date)
		if err != nil {
			tb.Fatalf("%s:%d: published: %v", path, line, err)
		}
		if a.Time != nil {
			hm, err := time.Parse("15:04", *a.Time)
			if err != nil {
				tb.Fatalf("%s:%d: published_time: %v", path, line, err)
			}
			a.published = day.Add(time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute)
		} else {
			// no time of day: a stable one between 06:00 and 18:00
			h := fnv.New32a()
			h.Write([]byte(a.ID))
			a.published = day.Add(6*time.Hour + time.Duration(h.Sum32()%720)*time.Minute)
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if len(out) < 50 {
		tb.Fatalf("%s: %d articles, want at least 50", path, len(out))
	}
	return out
}

// replayTiming is how a replay dates the articles.
type replayTiming int

const (
	replayRealDates replayTiming = iota // their own dates
	replayBusyDay                       // in publication order, spread evenly over one day
)

func (t replayTiming) String() string { return [...]string{"real dates", "one busy day"}[t] }

// replayDated returns the articles of one split sorted by publication,
// with their dates as the timing gives them.
func replayDated(arts []replayArticle, split string, t replayTiming) []replayArticle {
	var out []replayArticle
	for _, a := range arts {
		if a.Split == split {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b replayArticle) int {
		if c := a.published.Compare(b.published); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if t == replayBusyDay {
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		step := 24 * time.Hour / time.Duration(len(out))
		for i := range out {
			out[i].published = day.Add(time.Duration(i) * step)
		}
	}
	return out
}

// replayOrder is one arrival order: the articles' indices in the order
// they arrive, and the clock at each arrival (by article index).
type replayOrder struct {
	seq []int
	at  []time.Time
}

// replayOrders returns n arrival orders of the articles (sorted by
// publication), the same as the cluster-level test's (the same seed and
// draws): publication order first, then orders in which each article
// arrives up to lag after its publication; lag 0 shuffles them all. An
// article arrives at its arrival time, or, in a shuffle, when the clock
// has reached its publication (the clock never goes back).
func replayOrders(arts []replayArticle, n int, lag time.Duration) []replayOrder {
	rng := rand.New(rand.NewPCG(20, 26))
	orders := make([]replayOrder, n)
	for k := range orders {
		seq := make([]int, len(arts))
		at := make([]time.Time, len(arts))
		for i, a := range arts {
			seq[i], at[i] = i, a.published
		}
		switch {
		case k == 0:
		case lag == 0:
			rng.Shuffle(len(arts), func(i, j int) { seq[i], seq[j] = seq[j], seq[i] })
		default:
			for i, a := range arts {
				at[i] = a.published.Add(time.Duration(rng.Int64N(int64(lag))))
			}
			slices.SortStableFunc(seq, func(a, b int) int { return at[a].Compare(at[b]) })
		}
		var clock time.Time
		for _, i := range seq {
			if at[i].After(clock) {
				clock = at[i]
			}
			at[i] = clock
		}
		orders[k] = replayOrder{seq: seq, at: at}
	}
	return orders
}

// replayLag is how late articles arrive: at real dates within a day of
// their publication, on the busy day in any order.
var replayLag = map[replayTiming]time.Duration{replayRealDates: 24 * time.Hour, replayBusyDay: 0}

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
	arts    []replayArticle
	outlets []string // by feed number
	byName  map[string]int
	mu      sync.Mutex
	visible [][]int // feed number → article indices
}

func newReplayFeeds(arts []replayArticle) *replayFeeds {
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
		for _, p := range a.paragraphs() {
			desc.WriteString("<p>" + html.EscapeString(p) + "</p>")
		}
		feed.Channel.Items = append(feed.Channel.Items, replayRSSItem{Title: a.Title, Link: a.URL, GUID: a.URL,
			PubDate: a.published.Format(time.RFC1123Z), Description: desc.String()})
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

// replayScore is pairwise precision and recall and BCubed F1 of a
// grouping (as in the cluster-level test).
type replayScore struct {
	tp, fp, fn       int
	bcubedP, bcubedR float64
}

func (s replayScore) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s replayScore) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

func (s replayScore) f1() float64 {
	if s.bcubedP+s.bcubedR == 0 {
		return 0
	}
	return 2 * s.bcubedP * s.bcubedR / (s.bcubedP + s.bcubedR)
}

func (s replayScore) String() string {
	return fmt.Sprintf("pairwise P %.3f R %.3f (tp %d fp %d fn %d), BCubed F1 %.3f", s.precision(), s.recall(), s.tp, s.fp, s.fn, s.f1())
}

// scoreReplay compares predicted groups (got) with labels (want), article
// by article, and returns the score and the wrong pairs.
func scoreReplay(ids, want, got []string) (replayScore, []string) {
	var s replayScore
	var wrong []string
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			w, g := want[i] == want[j], got[i] == got[j]
			switch {
			case w && g:
				s.tp++
			case g:
				s.fp++
				wrong = append(wrong, fmt.Sprintf("false pair %s + %s", ids[i], ids[j]))
			case w:
				s.fn++
				wrong = append(wrong, fmt.Sprintf("missed pair %s + %s", ids[i], ids[j]))
			}
		}
	}
	for i := range ids {
		same, w, g := 0, 0, 0
		for j := range ids {
			if want[i] == want[j] {
				w++
			}
			if got[i] == got[j] {
				g++
			}
			if want[i] == want[j] && got[i] == got[j] {
				same++
			}
		}
		s.bcubedP += float64(same) / float64(g)
		s.bcubedR += float64(same) / float64(w)
	}
	if len(ids) > 0 {
		s.bcubedP /= float64(len(ids))
		s.bcubedR /= float64(len(ids))
	}
	return s, wrong
}

// replayResult is what one replay stored, scored.
type replayResult struct {
	onTopic  int         // labelled articles stored on topic
	score    replayScore // over the on-topic articles
	scoreAll replayScore // over every article, off-topic ones each a story of its own
	wrong    []string    // the wrong pairs of score
	offTopic []string    // ids of the articles stored off topic
	changed  []string    // ids of the articles whose stored title or text is not the one served
	copies   int         // articles stored as a near-duplicate copy (another source) of another item
}

// storyReplay is one topic, split and timing, replayed through the
// pipeline.
type storyReplay struct {
	t       *testing.T
	arts    []replayArticle
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

func newStoryReplay(t *testing.T, topic string, arts []replayArticle) *storyReplay {
	t.Helper()
	cfg, topics, tags := replayTopics(t, topic)
	tg, err := tagger.New(topics, tags)
	if err != nil {
		t.Fatal(err)
	}
	// the normaliser's rules as cmd/topicfeed's normalizeRules gives them
	rules := normalize.DefaultRules()
	rules.MaxItemBytes = cfg.Fetch.MaxItemBytes
	seed, err := aggregator.RawSeed(rules)
	if err != nil {
		t.Fatal(err)
	}
	r := &storyReplay{t: t, arts: arts, cfg: cfg, topics: topics, tagger: tg, rules: rules, seed: seed, feeds: newReplayFeeds(arts)}
	r.spansWindow = arts[len(arts)-1].published.Sub(arts[0].published) > cluster.DefaultWindow
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
func (r *storyReplay) run(order replayOrder) replayResult {
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
	for _, i := range order.seq {
		clock.set(order.at[i])
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
		if it.GUID == a.URL && (it.Title != a.Title || it.Text != strings.Join(a.paragraphs(), "\n\n")) {
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
			key := news.ItemUID(a.Outlet, a.URL, a.published)
			if story, ok := ix.StoryOf(key); ok && story != it.StoryID {
				t.Errorf("%s stored as a copy of %s in story %s, the index holds it in %q (%v)", a.ID, it.UID, it.StoryID, story, ok)
			}
		}
		res.onTopic++
		ids, want, got = append(ids, a.ID), append(want, a.Story), append(got, it.StoryID)
		allGot = append(allGot, it.StoryID)
	}
	res.score, res.wrong = scoreReplay(ids, want, got)
	var allIDs []string
	for _, a := range r.arts {
		allIDs = append(allIDs, a.ID)
	}
	if len(allIDs) == len(allWant) {
		res.scoreAll, _ = scoreReplay(allIDs, allWant, allGot)
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
var replayFloors = map[string]map[replayTiming]struct{ precision, recall float64 }{
	"iru":     {replayRealDates: {0.85, 0.28}, replayBusyDay: {0.85, 0.19}},
	"mideast": {replayRealDates: {0.90, 0.73}, replayBusyDay: {0.90, 0.52}},
	"tariffs": {replayRealDates: {0.90, 0.73}, replayBusyDay: {0.90, 0.52}},
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
func replayOrderCount(t *testing.T, split string, tm replayTiming) int {
	if v := os.Getenv("STORYREPLAY_ORDERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("STORYREPLAY_ORDERS=%q: want a positive number", v)
		}
		return n
	}
	switch {
	case split == "test" && tm == replayBusyDay:
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
		arts := loadReplaySet(t, topic)
		for _, tm := range []replayTiming{replayRealDates, replayBusyDay} {
			for _, split := range []string{"dev", "test"} {
				t.Run(fmt.Sprintf("%s/%s/%s", topic, tm, split), func(t *testing.T) {
					t.Parallel()
					dated := replayDated(arts, split, tm)
					r := newStoryReplay(t, topic, dated)
					n := replayOrderCount(t, split, tm)
					var worst, best replayResult
					onTopicMin, onTopicMax := len(dated), 0
					for k, order := range replayOrders(dated, n, replayLag[tm]) {
						res := r.run(order)
						if t.Failed() {
							return
						}
						onTopicMin, onTopicMax = min(onTopicMin, res.onTopic), max(onTopicMax, res.onTopic)
						s, w := res.score, worst.score
						if k == 0 || s.precision() < w.precision() || s.precision() == w.precision() && s.recall() < w.recall() {
							worst = res
						}
						if k == 0 || s.f1() > best.score.f1() {
							best = res
						}
					}
					t.Logf("%d articles, %d on topic (%d–%d over the orders), off topic: %v", len(dated), worst.onTopic,
						onTopicMin, onTopicMax, worst.offTopic)
					t.Logf("%d articles stored with another title or text than served %v, %d as copies of another item",
						len(worst.changed), worst.changed, worst.copies)
					t.Logf("worst of %d orders: %v; recall counting off-topic articles as missed %.3f (fn %d), BCubed F1 %.3f",
						n, worst.score, worst.scoreAll.recall(), worst.scoreAll.fn, worst.scoreAll.f1())
					t.Logf("best order: %v", best.score)
					if floor, ok := replayCoverage[topic]; ok {
						if share := float64(onTopicMin) / float64(len(dated)); share < floor {
							t.Errorf("%d of %d articles on topic (%.2f), want ≥ %.2f", onTopicMin, len(dated), share, floor)
						}
					}
					if split != "test" {
						return
					}
					if floor := replayFloors[topic][tm]; worst.score.precision() < floor.precision || worst.score.recall() < floor.recall {
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
