package aggregator

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// countingTagger is termTagger counting its calls: one per entry the
// poller processes.
type countingTagger struct{ calls atomic.Int32 }

func (c *countingTagger) Tag(title, text string) news.Tagging {
	c.calls.Add(1)
	return termTagger{}.Tag(title, text)
}

// countingStories is a cluster.Index counting the documents assigned.
type countingStories struct {
	ix    *cluster.Index
	calls atomic.Int32
}

func (c *countingStories) Assign(d cluster.Doc) cluster.Decision {
	c.calls.Add(1)
	return c.ix.Assign(d)
}

func (c *countingStories) StateVersion() int64 { return c.ix.StateVersion() }

func (c *countingStories) StoryOf(key string) (string, bool) { return c.ix.StoryOf(key) }

// failingKnownRaw is a store whose raw-entry index is unavailable.
type failingKnownRaw struct{ *storage.DB }

func (failingKnownRaw) KnownRaw(context.Context, string, []uint64) (map[uint64]bool, error) {
	return nil, errors.New("database is locked")
}

// entry is one item of a generated test feed.
type entry struct {
	guid, title, text string
	at                time.Time
}

func testEntries(n int) []entry {
	places := []string{"Tabriz", "Kazan", "Odesa", "Isfahan", "Kharkiv", "Samara", "Shiraz", "Lviv", "Tula", "Mashhad", "Dnipro", "Perm"}
	things := []string{"factory", "airfield", "port", "pipeline", "railway", "warehouse", "bridge", "refinery", "depot", "shipyard", "plant", "terminal"}
	people := []string{"Ahmadi", "Petrov", "Shevchenko", "Karimi", "Ivanova", "Bondarenko", "Rahimi", "Sokolov", "Melnyk", "Hosseini", "Volkov", "Tkachenko"}
	out := make([]entry, n)
	for i := range out {
		place, thing, who := places[i%len(places)], things[(i*5)%len(things)], people[(i*7)%len(people)]
		topic := fmt.Sprintf("Storms close the %s %s", place, thing)
		if i%2 == 0 {
			topic = fmt.Sprintf("Iran and Russia inspect the %s %s", place, thing)
		}
		out[i] = entry{
			guid:  fmt.Sprintf("e%d", i),
			title: topic,
			text: fmt.Sprintf("%s, according to %s, who spoke to reporters about the %s of %s. "+
				"The %s visit of %s follows weeks of talks over the %s near %s, %d kilometres away.",
				topic, who, thing, place, who, place, thing, place, 10+i*37),
			at: time.Date(2025, 3, 1, 11, i, 0, 0, time.UTC),
		}
	}
	return out
}

func rssOf(title, build string, es []entry) string { return rssOfIn(title, build, es, time.UTC) }

// rssOfIn is rssOf with the entries' dates written in loc.
func rssOfIn(title, build string, es []entry, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>https://outlet.example/</link><lastBuildDate>%s</lastBuildDate>`, title, build)
	for _, e := range es {
		fmt.Fprintf(&b, `<item><title>%s</title><link>https://outlet.example/%s</link><guid>%s</guid><pubDate>%s</pubDate><description>&lt;p&gt;%s&lt;/p&gt;</description></item>`,
			e.title, e.guid, e.guid, e.at.In(loc).Format(time.RFC1123Z), e.text)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// rawFixture is a poller over a real database whose stages count their
// work.
type rawFixture struct {
	db      *storage.DB
	tagger  *countingTagger
	stories *countingStories
	outlet  Outlet
	now     time.Time
}

func newRawFixture(t *testing.T, feedURL string) *rawFixture {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "topicfeed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	o := Outlet{Outlet: news.Outlet{Name: "Outlet", Slug: "outlet", URL: feedURL}, Interval: 15 * time.Minute}
	if err := db.SyncOutlets(ctx, []news.Outlet{o.Outlet}); err != nil {
		t.Fatal(err)
	}
	f := &rawFixture{db: db, tagger: &countingTagger{}, outlet: o, now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	f.stories = &countingStories{ix: cluster.New(cluster.Options{Now: f.clock})}
	return f
}

func (f *rawFixture) clock() time.Time { return f.now }

func (f *rawFixture) poller(store PollStore, seed uint64) *Poller {
	fetch := fetcher.New(fetcher.Options{AllowPrivateNetworks: true, Timeout: 5 * time.Second, Now: f.clock})
	return NewPoller(PollerDeps{Fetcher: fetch, Normalizer: normalize.New(normalize.DefaultRules()), Tagger: f.tagger,
		Stories: f.stories, Store: store, RawSeed: seed, Now: f.clock, Log: discard()})
}

// TestPollSkipsStoredEntries: a re-poll of a changed feed processes only
// the entries whose raw form is not stored for the outlet; the others
// count as unchanged, and the schedule is what processing every entry
// gives.
func TestPollSkipsStoredEntries(t *testing.T) {
	base := testEntries(10)
	edited := append([]entry(nil), base...)
	edited[3].text = "Iran and Russia discuss drone deliveries, officials said, correcting an earlier figure of the report."
	added := append(append([]entry(nil), base...), testEntries(12)[10:]...)
	tests := []struct {
		name        string
		feed        string // the second poll's feed
		seed        uint64 // the second poll's seed (the first is 1)
		failKnown   bool   // KnownRaw errors on the second poll
		wantTagged  int32  // entries processed by the second poll
		wantStories int32  // of which on topic
		wantStats   news.SaveStats
		check       func(t *testing.T, f *rawFixture)
	}{
		{
			name:        "new entries processed, stored ones skipped",
			feed:        rssOf("Outlet", "Sat, 01 Mar 2025 11:30:00 +0000", added),
			seed:        1,
			wantTagged:  2,
			wantStories: 1,
			wantStats:   news.SaveStats{New: 2, Unchanged: 10},
		},
		{
			name:        "edited entry reprocessed and updated",
			feed:        rssOf("Outlet", "Sat, 01 Mar 2025 11:30:00 +0000", edited),
			seed:        1,
			wantTagged:  1,
			wantStories: 1,
			wantStats:   news.SaveStats{Updated: 1, Unchanged: 9},
			check: func(t *testing.T, f *rawFixture) {
				items, err := f.db.Items(context.Background(), news.Query{})
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range items {
					if it.GUID == "e3" && !strings.Contains(it.Text, "correcting an earlier figure") {
						t.Errorf("edited entry stored as %q", it.Text)
					}
				}
			},
		},
		{
			name:       "a new build date alone changes no entry",
			feed:       rssOf("Outlet", "Sat, 01 Mar 2025 11:45:00 +0000", base),
			seed:       1,
			wantTagged: 0,
			wantStats:  news.SaveStats{Unchanged: 10},
		},
		{
			name:        "a feed title the normaliser strips from titles reprocesses every entry",
			feed:        rssOf("Outlet News", "Sat, 01 Mar 2025 11:30:00 +0000", base),
			seed:        1,
			wantTagged:  10,
			wantStories: 5,
			wantStats:   news.SaveStats{Unchanged: 10},
		},
		{
			name:        "a new seed reprocesses every entry",
			feed:        rssOf("Outlet", "Sat, 01 Mar 2025 11:30:00 +0000", added),
			seed:        2,
			wantTagged:  12,
			wantStories: 6,
			wantStats:   news.SaveStats{New: 2, Unchanged: 10},
		},
		{
			name:        "unavailable raw index: every entry processed, the poll succeeds",
			feed:        rssOf("Outlet", "Sat, 01 Mar 2025 11:30:00 +0000", added),
			seed:        1,
			failKnown:   true,
			wantTagged:  12,
			wantStories: 6,
			wantStats:   news.SaveStats{New: 2, Unchanged: 10},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t)
			srv.set("/feed", route{status: 200, header: map[string]string{"ETag": `"v1"`}, body: rssOf("Outlet", "Sat, 01 Mar 2025 11:00:00 +0000", base)})
			f := newRawFixture(t, srv.URL+"/feed")
			ctx := context.Background()
			r := f.poller(f.db, 1).Poll(ctx, f.outlet)
			if r.Err != nil || r.Stats.New != 10 || f.tagger.calls.Load() != 10 || f.stories.calls.Load() != 5 {
				t.Fatalf("first poll: %+v, %d tagged, %d assigned; want 10 new, 10 tagged, 5 assigned", r, f.tagger.calls.Load(), f.stories.calls.Load())
			}
			f.tagger.calls.Store(0)
			f.stories.calls.Store(0)

			srv.set("/feed", route{status: 200, header: map[string]string{"ETag": `"v2"`}, body: tc.feed})
			f.now = f.now.Add(20 * time.Minute)
			var store PollStore = f.db
			if tc.failKnown {
				store = failingKnownRaw{f.db}
			}
			r = f.poller(store, tc.seed).Poll(ctx, f.outlet)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if got := f.tagger.calls.Load(); got != tc.wantTagged {
				t.Errorf("second poll processed %d entries, want %d", got, tc.wantTagged)
			}
			if got := f.stories.calls.Load(); got != tc.wantStories {
				t.Errorf("second poll assigned %d documents to stories, want %d", got, tc.wantStories)
			}
			if r.Stats != tc.wantStats || r.Items != tc.wantStats.New+tc.wantStats.Updated+tc.wantStats.Unchanged {
				t.Errorf("second poll: items %d, stats %+v; want stats %+v", r.Items, r.Stats, tc.wantStats)
			}
			st, err := f.db.OutletState(ctx, f.outlet.Name)
			if err != nil {
				t.Fatal(err)
			}
			if st.ETag != `"v2"` || !st.LastSuccess.Equal(f.now) {
				t.Errorf("outlet state not saved: %+v", st)
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

// TestPollStoresRawHashes: every stored entry carries its raw hash, so the
// next poll of the same document processes nothing, and the schedule
// matches that of a poll that processed every entry, also for dates in a
// zone gofeed reads as UTC (MSK: skipped entries are dated by the
// normaliser's own date parse, not gofeed's, which would put them three
// hours in the future).
func TestPollStoresRawHashes(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*60*60)
	tests := []struct {
		name string
		feed string
	}{
		{"numeric zone", rssOf("Outlet", "Sat, 01 Mar 2025 11:00:00 +0000", testEntries(10))},
		{"zone gofeed misreads", strings.NewReplacer("+0300", "MSK").Replace(rssOfIn("Outlet", "Sat, 01 Mar 2025 11:00:00 +0000", testEntries(10), moscow))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { testPollStoresRawHashes(t, tc.feed) })
	}
}

func testPollStoresRawHashes(t *testing.T, feed string) {
	srv := newTestServer(t)
	srv.set("/feed", route{status: 200, body: feed})
	f := newRawFixture(t, srv.URL+"/feed")
	ctx := context.Background()
	p := f.poller(f.db, 7)
	if r := p.Poll(ctx, f.outlet); r.Err != nil {
		t.Fatal(r.Err)
	}
	all, err := f.db.OutletState(ctx, f.outlet.Name)
	if err != nil {
		t.Fatal(err)
	}
	f.tagger.calls.Store(0)
	r := p.Poll(ctx, f.outlet)
	if r.Err != nil || r.Stats.Unchanged != 10 || r.Items != 10 {
		t.Fatalf("re-poll: %+v", r)
	}
	if n := f.tagger.calls.Load(); n != 0 {
		t.Errorf("re-poll of the same document processed %d entries, want 0", n)
	}
	skipped, err := f.db.OutletState(ctx, f.outlet.Name)
	if err != nil {
		t.Fatal(err)
	}
	if !skipped.NextPoll.Equal(all.NextPoll) {
		t.Errorf("next poll %s after skipping, %s after processing every entry", skipped.NextPoll, all.NextPoll)
	}
}

// concurrencyTagger records how many Tag calls run at once. Each call
// stays inside for 20 ms or until more than want calls are (a bound
// exceeded), so that calls the bound allows overlap and a call it should
// hold back is seen.
type concurrencyTagger struct {
	want int32
	cur  atomic.Int32
	max  atomic.Int32
}

func (c *concurrencyTagger) Tag(title, text string) news.Tagging {
	n := c.cur.Add(1)
	for {
		m := c.max.Load()
		if n <= m || c.max.CompareAndSwap(m, n) {
			break
		}
	}
	deadline := time.Now().Add(20 * time.Millisecond)
	for c.cur.Load() <= c.want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	c.cur.Add(-1)
	return termTagger{}.Tag(title, text)
}

// TestPollCPUWorkersBound: at most CPUWorkers polls are in their CPU-heavy
// part at once, with or without a parse budget (taken first: no deadlock).
func TestPollCPUWorkersBound(t *testing.T) {
	body := rssOf("Outlet", "Sat, 01 Mar 2025 11:00:00 +0000", testEntries(4))
	tests := []struct {
		name    string
		workers int
		budget  int64
		wantMax int32 // the most Tag calls at once (0: more than two)
	}{
		{"one worker", 1, 0, 1},
		{"two workers", 2, 0, 2},
		{"two workers within a parse budget of three feeds", 2, 3 * int64(len(body)), 2},
		{"parse budget of one feed", 3, int64(len(body)), 1},
		{"unbounded", 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const outlets = 6
			srv := newTestServer(t)
			ctx := context.Background()
			db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "topicfeed.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			var outs []Outlet
			for i := range outlets {
				path := fmt.Sprintf("/feed%d", i)
				srv.set(path, route{status: 200, body: body})
				outs = append(outs, Outlet{Outlet: news.Outlet{Name: fmt.Sprintf("Outlet %d", i), Slug: fmt.Sprintf("outlet-%d", i), URL: srv.URL + path}, Interval: time.Hour})
			}
			list := make([]news.Outlet, len(outs))
			for i, o := range outs {
				list[i] = o.Outlet
			}
			if err := db.SyncOutlets(ctx, list); err != nil {
				t.Fatal(err)
			}
			tg := &concurrencyTagger{want: tc.wantMax}
			if tc.wantMax == 0 {
				tg.want = outlets
			}
			now := func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
			p := NewPoller(PollerDeps{Fetcher: fetcher.New(fetcher.Options{AllowPrivateNetworks: true, Timeout: 5 * time.Second, Now: now}),
				Normalizer: normalize.New(normalize.DefaultRules()), Tagger: tg, Store: db,
				CPUWorkers: tc.workers, ParseBudget: tc.budget, Now: now, Log: discard()})
			var wg sync.WaitGroup
			errs := make(chan error, outlets)
			for _, o := range outs {
				wg.Go(func() {
					if r := p.Poll(ctx, o); r.Err != nil {
						errs <- r.Err
					}
				})
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				t.Fatal("polls did not finish: deadlock between the parse budget and the CPU bound?")
			}
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			switch got := tg.max.Load(); {
			case tc.wantMax == 0 && got <= 2:
				t.Errorf("%d polls processed at once without a bound, want more than 2", got)
			case tc.wantMax > 0 && got != tc.wantMax:
				t.Errorf("%d polls processed at once, want %d", got, tc.wantMax)
			}
		})
	}
}
