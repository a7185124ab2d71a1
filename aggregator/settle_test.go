package aggregator

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// settleNow is the clock of the story move tests; items are published in
// the hours before it.
var settleNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// labelStories is a story index that puts the documents whose titles
// begin with one word in one story, named after its earliest document (as
// cluster.Index names stories), and reports the documents that a new
// earliest one moves. It is safe for concurrent use.
type labelStories struct {
	mu    sync.Mutex
	docs  map[string]cluster.Doc // by key
	story map[string]string      // key → story
}

func newLabelStories() *labelStories {
	return &labelStories{docs: map[string]cluster.Doc{}, story: map[string]string{}}
}

func labelOf(d cluster.Doc) string { return strings.Fields(d.Title)[0] }

func (s *labelStories) Assign(d cluster.Doc) cluster.Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[d.Key] = d
	label := labelOf(d)
	var first cluster.Doc
	for _, o := range s.docs {
		if labelOf(o) != label {
			continue
		}
		if c := cmp.Or(o.Published.Compare(first.Published), strings.Compare(o.Key, first.Key)); first.Key == "" || c < 0 {
			first = o
		}
	}
	story := cluster.NewStoryID(first.Key)
	dec := cluster.Decision{StoryID: story, Reason: "label " + label + ", first " + first.Key, Related: "s-related-" + label,
		State: []byte("state of " + d.Key)}
	for k, o := range s.docs {
		if labelOf(o) != label {
			continue
		}
		if old := s.story[k]; k != d.Key && old != story {
			dec.Moved = append(dec.Moved, cluster.Move{Key: k, From: old, To: story})
		}
		s.story[k] = story
	}
	return dec
}

func (s *labelStories) StateVersion() int64 { return 1 }

func (s *labelStories) StoryOf(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	story, ok := s.story[key]
	return story, ok
}

// recordingStore is a PollStore that records the stories of the items
// SaveFetch is given and can hold SaveFetch back.
type recordingStore struct {
	PollStore
	// beforeSave, if set, runs before each SaveFetch with the outlet.
	beforeSave func(outlet string)
	mu         sync.Mutex
	saved      map[string]string // GUID → StoryID as SaveFetch got it
}

func (s *recordingStore) SaveFetch(ctx context.Context, st news.OutletState, items []news.Item) (news.SaveStats, error) {
	if s.beforeSave != nil {
		s.beforeSave(st.Name)
	}
	s.mu.Lock()
	if s.saved == nil {
		s.saved = map[string]string{}
	}
	for _, it := range items {
		s.saved[it.GUID] = it.StoryID
	}
	s.mu.Unlock()
	return s.PollStore.SaveFetch(ctx, st, items)
}

// storyEntry is one item of a story test feed.
type storyEntry struct {
	guid, title, text string
	at                time.Time
}

// storyFeed is an RSS feed of es, in that order, each text's paragraphs
// (separated by a blank line) as paragraphs of its description.
func storyFeed(outlet string, es ...storyEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>https://%s.example/</link>`, outlet, outlet)
	for _, e := range es {
		fmt.Fprintf(&b, `<item><title>%s</title><link>https://%s.example/%s</link><guid>%s</guid><pubDate>%s</pubDate><description><![CDATA[<p>%s</p>]]></description></item>`,
			e.title, outlet, e.guid, e.guid, e.at.Format(time.RFC1123Z), strings.ReplaceAll(e.text, "\n\n", "</p><p>"))
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// storyEnv is a database with outlets, each served its feed by its own
// test server.
type storyEnv struct {
	db      *storage.DB
	outlets map[string]Outlet
	servers map[string]*testServer
}

func newStoryEnv(t *testing.T, outlets ...string) *storyEnv {
	t.Helper()
	db, err := storage.Open(t.Context(), filepath.Join(t.TempDir(), "topicfeed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &storyEnv{db: db, outlets: map[string]Outlet{}, servers: map[string]*testServer{}}
	var list []news.Outlet
	for _, name := range outlets {
		srv := newTestServer(t)
		o := Outlet{Outlet: news.Outlet{Name: name, Slug: strings.ToLower(name), URL: srv.URL + "/feed"}, Interval: 15 * time.Minute}
		e.outlets[name], e.servers[name] = o, srv
		list = append(list, o.Outlet)
	}
	if err := db.SyncOutlets(t.Context(), list); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *storyEnv) serve(outlet string, es ...storyEntry) {
	e.servers[outlet].set("/feed", route{status: 200, body: storyFeed(outlet, es...)})
}

func (e *storyEnv) poller(stories StoryIndex, settler *StorySettler, store PollStore) *Poller {
	clock := func() time.Time { return settleNow }
	fetch := fetcher.New(fetcher.Options{AllowPrivateNetworks: true, Timeout: 5 * time.Second, Now: clock})
	return NewPoller(PollerDeps{Fetcher: fetch, Normalizer: normalize.New(normalize.DefaultRules()), Tagger: termTagger{},
		Stories: stories, Settler: settler, Store: store, Now: clock, Log: discard()})
}

func (e *storyEnv) poll(t *testing.T, p *Poller, outlet string) Result {
	t.Helper()
	r := p.Poll(t.Context(), e.outlets[outlet])
	if r.Err != nil {
		t.Fatalf("poll %s: %v", outlet, r.Err)
	}
	return r
}

// agree checks that every stored on-topic item, and its story state, is
// in the story the index holds it in, and returns the stored stories by
// GUID.
func (e *storyEnv) agree(t *testing.T, stories StoryIndex) map[string]string {
	t.Helper()
	items, err := e.db.Items(t.Context(), news.Query{OnTopic: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, it := range items {
		out[it.GUID] = it.StoryID
		if want, ok := stories.StoryOf(it.UID); !ok || it.StoryID != want {
			t.Errorf("%s (%s) stored in story %s, the index holds it in %q (%v)", it.GUID, it.UID, it.StoryID, want, ok)
		}
	}
	err = e.db.EachStoryDoc(t.Context(), time.Time{}, stories.StateVersion(), func(d storage.StoryDoc) error {
		if want, _ := stories.StoryOf(d.UID); d.StoryID != want {
			t.Errorf("story state of %s stored in story %s, the index holds it in %q", d.UID, d.StoryID, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPollStoresStoryMoves: when a poll's item makes the story index move
// items decided before it, the poll stores their new stories, whether
// they were stored by an earlier poll or are in its own batch; each item
// keeps its story's reason and related story.
func TestPollStoresStoryMoves(t *testing.T) {
	at := func(h int) time.Time { return settleNow.Add(time.Duration(h-12) * time.Hour) }
	azov := func(guid string, h int) storyEntry {
		return storyEntry{guid: guid, title: "Azov report " + guid, text: "Iran and the Sea of Azov, report " + guid + ".", at: at(h)}
	}
	uid := func(outlet, guid string, h int) string { return news.ItemUID(outlet, guid, at(h)) }

	t.Run("an item stored earlier", func(t *testing.T) {
		e := newStoryEnv(t, "Late", "Early")
		stories := newLabelStories()
		store := &recordingStore{PollStore: e.db}
		p := e.poller(stories, nil, store)
		e.serve("Late", azov("late-1", 10), azov("late-2", 9))
		if r := e.poll(t, p, "Late"); r.Stats.New != 2 || r.Moved != 0 {
			t.Fatalf("first poll: %+v, want 2 new items and none moved", r)
		}
		if got, want := e.agree(t, stories), cluster.NewStoryID(uid("Late", "late-2", 9)); got["late-1"] != want || got["late-2"] != want {
			t.Fatalf("after the first poll: stories %v, want both in %s", got, want)
		}
		// An item published before both arrives from another outlet: both
		// stored items move to its story.
		e.serve("Early", azov("early", 8))
		if r := e.poll(t, p, "Early"); r.Moved != 2 {
			t.Errorf("second poll moved %d stored items, want 2", r.Moved)
		}
		want := cluster.NewStoryID(uid("Early", "early", 8))
		for guid, story := range e.agree(t, stories) {
			if story != want {
				t.Errorf("%s in story %s, want %s", guid, story, want)
			}
		}
		it, err := e.db.ItemByUID(t.Context(), uid("Late", "late-2", 9))
		if err != nil {
			t.Fatal(err)
		}
		if it.StoryWhy != "label Azov, first "+uid("Late", "late-2", 9) || it.RelatedStory != "s-related-Azov" {
			t.Errorf("late-2: why %q related %q, want its decision's", it.StoryWhy, it.RelatedStory)
		}
	})

	t.Run("an item of the same batch", func(t *testing.T) {
		e := newStoryEnv(t, "Wire")
		stories := newLabelStories()
		store := &recordingStore{PollStore: e.db}
		p := e.poller(stories, nil, store)
		// newest first, as feeds list them: each item moves the ones
		// before it
		e.serve("Wire", azov("w3", 11), azov("w2", 10), azov("w1", 9), storyEntry{guid: "other", title: "Other news",
			text: "Iran elsewhere.", at: at(10)})
		if r := e.poll(t, p, "Wire"); r.Stats.New != 4 || r.Moved != 0 {
			t.Errorf("poll: %+v, want 4 new items, stored in their stories at once (none moved after)", r)
		}
		want := cluster.NewStoryID(uid("Wire", "w1", 9))
		for _, guid := range []string{"w1", "w2", "w3"} {
			if got := store.saved[guid]; got != want {
				t.Errorf("%s saved in story %s, want %s", guid, got, want)
			}
		}
		if got := e.agree(t, stories); got["other"] != cluster.NewStoryID(uid("Wire", "other", 10)) {
			t.Errorf("stories %v: the other item left its own story", got)
		}
	})
}

// The texts of TestConcurrentPollsSettleStories' real story index: a
// report and a rewrite of it by another outlet, hours later.
const (
	burnsReport = `CIA Director William Burns has expressed concern over the “growing cooperation between Tehran and Moscow” amid the Ukraine war. The White House is continuing to sound the alarm at the flourishing military partnership between Iran and Russia.

“What’s beginning to emerge is at least the beginnings of a full-fledged defense partnership between Russia and Iran, with the Iranians supplying drones to the Russians, which are killing Ukrainian civilians as we speak today,” Burns told PBS’s Judy Woodruff in an interview.

Foreign Minister Hossein Amirabdollahian has reiterated Iran’s opposition to the dispatch of weapons to the parties involved in the war which he said would only increase human losses and financial costs for both sides.`
	burnsRewrite = `The director of the CIA, William Burns, told PBS interviewer Judy Woodruff that Moscow and Tehran are building what could become a full-fledged defense partnership.

Burns said Iranian drones sold to Russia are killing Ukrainian civilians, and that Russian help for Iran's military would threaten its neighbours.`
)

// TestConcurrentPollsSettleStories: polls of two outlets run at once with
// one real story index, one outlet's item published before the other's and
// of its story, so that when it arrives second the index decides the other
// again (which keeps its story's id); in every interleaving, the database
// ends with every item in the story the index holds it in, and both items
// in one story. The moves themselves are exercised with a scripted index
// (TestPollStoresStoryMoves, TestManyRacingPollsSettleStories).
func TestConcurrentPollsSettleStories(t *testing.T) {
	report := storyEntry{guid: "ifp-1", title: "CIA director says Iran-Russia cooperation worrying", text: burnsReport, at: settleNow.Add(-4 * time.Hour)}
	rewrite := storyEntry{guid: "ap-1", title: "CIA chief: Russia and Iran edging toward full-fledged defense pact", text: burnsRewrite,
		at: settleNow.Add(-1 * time.Hour)}
	setup := func(t *testing.T) (*storyEnv, *cluster.Index) {
		e := newStoryEnv(t, "AP", "IFP")
		e.serve("AP", rewrite)
		e.serve("IFP", report)
		return e, cluster.New(cluster.Options{Now: func() time.Time { return settleNow }, Identity: news.UIDIdentity})
	}
	check := func(t *testing.T, e *storyEnv, ix *cluster.Index) {
		t.Helper()
		got := e.agree(t, ix)
		if len(got) != 2 || got[report.guid] == "" || got[report.guid] != got[rewrite.guid] {
			t.Errorf("stories %v, want both items in one story", got)
		}
	}

	// The rewrite's poll assigns it, then waits to store it until the
	// report's poll has moved it and finished: the move concerns an item
	// of another poll's batch, not stored yet.
	t.Run("another poll's unsaved batch", func(t *testing.T) {
		e, ix := setup(t)
		settler := NewStorySettler(ix, e.db)
		atSave, reportDone := make(chan struct{}), make(chan struct{})
		held := &recordingStore{PollStore: e.db, beforeSave: func(outlet string) {
			if outlet == "AP" {
				close(atSave)
				<-reportDone
			}
		}}
		apPoller := e.poller(ix, settler, held)
		ifpPoller := e.poller(ix, settler, e.db)
		var wg sync.WaitGroup
		var ap Result
		wg.Go(func() { ap = apPoller.Poll(t.Context(), e.outlets["AP"]) })
		<-atSave
		r := e.poll(t, ifpPoller, "IFP")
		close(reportDone)
		wg.Wait()
		if ap.Err != nil {
			t.Fatal(ap.Err)
		}
		if r.Moved+ap.Moved > 1 {
			t.Errorf("report's poll moved %d stored items, rewrite's %d; want at most one move", r.Moved, ap.Moved)
		}
		check(t, e, ix)
	})

	// Free-running: the two polls race, through two pollers sharing one
	// settler, and through one poller as a scheduler runs them.
	t.Run("racing polls", func(t *testing.T) {
		for round := range 12 {
			e, ix := setup(t)
			if round%2 == 0 {
				settler := NewStorySettler(ix, e.db)
				pollers := []*Poller{e.poller(ix, settler, e.db), e.poller(ix, settler, e.db)}
				var wg sync.WaitGroup
				for i, name := range []string{"AP", "IFP"} {
					wg.Go(func() {
						if r := pollers[i].Poll(t.Context(), e.outlets[name]); r.Err != nil {
							t.Errorf("poll %s: %v", name, r.Err)
						}
					})
				}
				wg.Wait()
			} else {
				s := NewScheduler(e.poller(ix, nil, e.db), e.db, []Outlet{e.outlets["AP"], e.outlets["IFP"]},
					SchedulerOptions{Workers: 2, PerHost: 2}, func() time.Time { return settleNow }, discard())
				for _, r := range s.RunOnce(t.Context()) {
					if r.Err != nil {
						t.Errorf("poll %s: %v", r.Outlet, r.Err)
					}
				}
			}
			check(t, e, ix)
		}
	})
}

// TestManyRacingPollsSettleStories: several outlets carry items of a few
// stories, published in an order that no arrival order follows, and are
// polled at once through one poller; their batches move one another's
// items. The database ends in the index's stories.
func TestManyRacingPollsSettleStories(t *testing.T) {
	labels := []string{"Azov", "Burns", "Drones"}
	names := []string{"A", "B", "C", "D", "E", "F"}
	for round := range 8 {
		e := newStoryEnv(t, names...)
		stories := newLabelStories()
		var outs []Outlet
		for i, name := range names {
			var es []storyEntry
			for j := range 6 {
				// hours spread so that each outlet has items published
				// before other outlets' items
				h := (i*7 + j*5 + round) % 11
				es = append(es, storyEntry{guid: fmt.Sprintf("%s-%d", name, j), title: fmt.Sprintf("%s report %s-%d", labels[(i+j)%len(labels)], name, j),
					text: fmt.Sprintf("Iran, item %d of %s.", j, name), at: settleNow.Add(-time.Duration(h+1) * time.Hour)})
			}
			e.serve(name, es...)
			outs = append(outs, e.outlets[name])
		}
		s := NewScheduler(e.poller(stories, nil, e.db), e.db, outs, SchedulerOptions{Workers: len(names), PerHost: len(names)},
			func() time.Time { return settleNow }, discard())
		for _, r := range s.RunOnce(t.Context()) {
			if r.Err != nil {
				t.Errorf("poll %s: %v", r.Outlet, r.Err)
			}
		}
		got := e.agree(t, stories)
		if len(got) != len(names)*6 {
			t.Errorf("round %d: %d items stored, want %d", round, len(got), len(names)*6)
		}
		distinct := map[string]bool{}
		for _, story := range got {
			distinct[story] = true
		}
		if len(distinct) != len(labels) {
			t.Errorf("round %d: %d stories stored, want %d", round, len(distinct), len(labels))
		}
		if t.Failed() {
			return
		}
	}
}
