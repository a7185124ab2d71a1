package aggregator

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// assignerDB is the test database as an Assigner reads it (cmd/topicfeed
// has the same conversion).
type assignerDB struct{ *storage.DB }

func (s assignerDB) NewStoryDocs(ctx context.Context, after, stateVersion int64, limit int) ([]StoredDoc, int64, error) {
	docs, next, err := s.StoryDocsAfter(ctx, after, stateVersion, limit)
	out := make([]StoredDoc, len(docs))
	for i, d := range docs {
		out[i] = StoredDoc{ID: d.ID, UID: d.UID, Outlet: d.Outlet, Published: d.Published, State: d.State}
	}
	return out, next, err
}

// assignClock is a settable clock for the lease, safe for concurrent use.
type assignClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *assignClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *assignClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// processIndex is a story index as a process uses it: its poller and its
// assigner.
type processIndex interface {
	StoryIndex
	AssignIndex
}

// process is one topicfeed process on the shared test database: its own
// story index, settler, poller and assigner.
type process struct {
	stories  processIndex
	poller   *Poller
	assigner *Assigner
}

// startProcess starts a process named holder on e's database, as
// cmd/topicfeed does (the last item id read before the index is built).
func (e *storyEnv) startProcess(t *testing.T, holder string, clock *assignClock, stories processIndex) *process {
	t.Helper()
	after, err := e.db.LastItemID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	settler := NewStorySettler(stories, e.db)
	a := NewAssigner(stories, settler, assignerDB{e.db}, AssignerOptions{Holder: holder, After: after, Synced: clock.now(),
		Every: 10 * time.Millisecond, Now: clock.now, Log: discard()})
	return &process{stories: stories, poller: e.poller(stories, settler, e.db), assigner: a}
}

func newBurnsIndex() *cluster.Index {
	return cluster.New(cluster.Options{Now: func() time.Time { return settleNow }, Identity: news.UIDIdentity})
}

func (p *process) round(t *testing.T) AssignRound {
	t.Helper()
	r, err := p.assigner.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// storedStories returns the stored on-topic items' stories by GUID.
func (e *storyEnv) storedStories(t *testing.T) map[string]string {
	t.Helper()
	items, err := e.db.Items(t.Context(), news.Query{OnTopic: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, it := range items {
		out[it.GUID] = it.StoryID
	}
	return out
}

// The Burns report and its rewrite by another outlet hours later, which
// one story index groups in one story (TestConcurrentPollsSettleStories).
var (
	burnsReportEntry = storyEntry{guid: "ifp-1", title: "CIA director says Iran-Russia cooperation worrying", text: burnsReport,
		at: settleNow.Add(-4 * time.Hour)}
	burnsRewriteEntry = storyEntry{guid: "ap-1", title: "CIA chief: Russia and Iran edging toward full-fledged defense pact",
		text: burnsRewrite, at: settleNow.Add(-1 * time.Hour)}
)

// TestAssignerAssignsOtherProcessesItems: two processes, each with its own
// story index, share one database; A holds the assigner lease, B does
// not. Each polls its own outlet, whose item reports the Burns interview.
// B's index never saw A's item, so B stores its item in a story of its
// own; one round of A's assigner puts it in A's story, and the database
// then holds both in one story, as A's index does. Whichever stores the
// earlier item.
func TestAssignerAssignsOtherProcessesItems(t *testing.T) {
	for _, c := range []struct {
		name   string
		a, b   string // the outlets A and B poll
		aEntry storyEntry
	}{
		{"the follower stores the later item", "IFP", "AP", burnsReportEntry},
		{"the follower stores the earlier item", "AP", "IFP", burnsRewriteEntry},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newStoryEnv(t, "AP", "IFP")
			e.serve("AP", burnsRewriteEntry)
			e.serve("IFP", burnsReportEntry)
			clock := &assignClock{t: settleNow}
			a := e.startProcess(t, "A", clock, newBurnsIndex())
			b := e.startProcess(t, "B", clock, newBurnsIndex())
			if r := a.round(t); !r.Held {
				t.Fatalf("A's first round: %+v, want A to take the free lease", r)
			}
			if r := b.round(t); r.Held {
				t.Fatalf("B's first round: %+v, want B a follower", r)
			}
			e.poll(t, a.poller, c.a)
			e.poll(t, b.poller, c.b)
			provisional := e.storedStories(t)
			if len(provisional) != 2 || provisional[burnsReportEntry.guid] == provisional[burnsRewriteEntry.guid] {
				t.Fatalf("stored before A's round: %v, want two items in two stories (B's index did not see A's item)", provisional)
			}
			if r := b.round(t); r.Held || r.Moved != 0 {
				t.Errorf("B's round as a follower: %+v, want nothing done", r)
			}
			r := a.round(t)
			if !r.Held || r.Assigned != 1 || r.Moved != 1 || r.Skipped != 0 {
				t.Errorf("A's round: %+v, want B's item assigned and moved", r)
			}
			got := e.agree(t, a.stories)
			if len(got) != 2 || got[burnsReportEntry.guid] != got[burnsRewriteEntry.guid] {
				t.Errorf("after A's round: %v, want both items in one story", got)
			}
			// A's item kept its story: B's moved to it
			if got[c.aEntry.guid] != provisional[c.aEntry.guid] {
				t.Errorf("A's item moved from %s to %s", provisional[c.aEntry.guid], got[c.aEntry.guid])
			}
			if r := a.round(t); r.Assigned != 0 || r.Moved != 0 {
				t.Errorf("A's next round: %+v, want nothing left to do", r)
			}
		})
	}
}

// TestAssignerTakeover: when a process takes the lease over from another
// that held it after this process's index was last in step with the
// database, the database ends in the new holder's stories as a whole: it
// assigns the other's items, writes the moves it deferred while it
// followed, and reconciles the items whose stored story the other holder
// wrote.
func TestAssignerTakeover(t *testing.T) {
	setup := func(t *testing.T) (*storyEnv, *assignClock, *process, *process) {
		e := newStoryEnv(t, "AP", "IFP")
		e.serve("AP", burnsRewriteEntry)
		e.serve("IFP", burnsReportEntry)
		clock := &assignClock{t: settleNow}
		return e, clock, e.startProcess(t, "A", clock, newBurnsIndex()), e.startProcess(t, "B", clock, newBurnsIndex())
	}
	bothInOne := func(t *testing.T, when string, got map[string]string) {
		t.Helper()
		if len(got) != 2 || got[burnsReportEntry.guid] != got[burnsRewriteEntry.guid] {
			t.Fatalf("%s: %v, want both items in one story", when, got)
		}
	}

	// B starts while A holds the lease (serve starting while a poll runs)
	// and stores its item as a follower; A stops, and B takes the lease.
	t.Run("a follower takes over", func(t *testing.T) {
		e, clock, a, b := setup(t)
		a.round(t)
		b.round(t)
		e.poll(t, a.poller, "IFP")
		e.poll(t, b.poller, "AP")
		clock.advance(time.Second)
		a.assigner.Stop(t.Context())
		if a.assigner.Holds() {
			t.Error("A holds the lease after Stop")
		}
		bothInOne(t, "after A's last round", e.agree(t, a.stories))
		clock.advance(time.Second)
		if r := b.round(t); !r.Held || r.Assigned != 1 || !r.Reconciled || r.Moved == 0 {
			t.Errorf("B's round after A released the lease: %+v, want it to assign A's item and reconcile", r)
		}
		bothInOne(t, "after B's round", e.agree(t, b.stories))
		if r := b.round(t); r.Reconciled || r.Moved != 0 {
			t.Errorf("B's next round: %+v, want no reconciling again", r)
		}
	})

	// B holds the lease and stores the report; its lease lapses. A, which
	// never saw the report, stores the rewrite, takes the lease and
	// assigns B's report (into A's story), and stops. B takes the lease
	// back: its index holds the report in its own story, which only
	// reconciling writes back (the report is not among B's deferred
	// moves: B stored it holding the lease).
	t.Run("the lease comes back", func(t *testing.T) {
		e, clock, a, b := setup(t)
		b.round(t)
		e.poll(t, b.poller, "IFP")
		clock.advance(DefaultAssignerTTL)
		e.poll(t, a.poller, "AP")
		if r := a.round(t); !r.Held || r.Assigned != 1 {
			t.Fatalf("A's round after B's lease lapsed: %+v, want A to take it and assign B's item", r)
		}
		byA := e.agree(t, a.stories)
		bothInOne(t, "after A's round", byA)
		clock.advance(time.Second)
		a.assigner.Stop(t.Context())
		clock.advance(time.Second)
		r := b.round(t)
		if !r.Held || r.Assigned != 1 || !r.Reconciled {
			t.Errorf("B's round after A released the lease: %+v, want it to assign A's item and reconcile", r)
		}
		byB := e.agree(t, b.stories)
		bothInOne(t, "after B's round", byB)
		if byB[burnsReportEntry.guid] == byA[burnsReportEntry.guid] {
			t.Errorf("B's index holds the items in A's story %s: the test shows no reconciling", byA[burnsReportEntry.guid])
		}
	})
}

// labelAssign is labelStories as an Assigner's index, for tests in which
// no other process stores items.
type labelAssign struct{ *labelStories }

func (labelAssign) AssignState(cluster.Doc, []byte) (cluster.Decision, error) {
	return cluster.Decision{}, errors.New("labelAssign: no states")
}

// TestFollowerDefersStoryMoves: a process that does not hold the lease
// stores its new items in its index's stories but writes no moves of
// stored items; when it holds the lease (again), it writes them. The
// moves come from labelStories: an item published before stored ones
// moves them to its story.
func TestFollowerDefersStoryMoves(t *testing.T) {
	at := func(h int) time.Time { return settleNow.Add(time.Duration(h-12) * time.Hour) }
	azov := func(guid string, h int) storyEntry {
		return storyEntry{guid: guid, title: "Azov report " + guid, text: "Iran and the Sea of Azov, report " + guid + ".", at: at(h)}
	}
	early := cluster.NewStoryID(news.ItemUID("Early", "early", at(8)))
	late := cluster.NewStoryID(news.ItemUID("Late", "late-2", at(9)))
	ttl := DefaultAssignerTTL

	cases := []struct {
		name string
		// follow makes B a follower; then lead, once B has polled
		follow, lead func(t *testing.T, e *storyEnv, clock *assignClock, b *process)
		reconciled   bool
	}{
		{
			// B's own lease lapsed (no renewal) and no one took it: its
			// moves wait in its settler, and no reconciling is needed
			name: "its own lease lapsed",
			follow: func(t *testing.T, e *storyEnv, clock *assignClock, b *process) {
				if r := b.round(t); !r.Held {
					t.Fatalf("B's first round: %+v, want B to take the free lease", r)
				}
				clock.advance(ttl)
			},
			lead: func(t *testing.T, e *storyEnv, clock *assignClock, b *process) {},
		},
		{
			// another process held the lease: B reconciles too
			name: "another process held the lease",
			follow: func(t *testing.T, e *storyEnv, clock *assignClock, b *process) {
				if held, _, err := e.db.AcquireAssigner(t.Context(), "A", ttl, clock.now()); err != nil || !held {
					t.Fatalf("A's lease: %v %v", held, err)
				}
			},
			lead: func(t *testing.T, e *storyEnv, clock *assignClock, b *process) {
				if err := e.db.ReleaseAssigner(t.Context(), "A", clock.now()); err != nil {
					t.Fatal(err)
				}
			},
			reconciled: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newStoryEnv(t, "Late", "Early")
			clock := &assignClock{t: settleNow}
			b := e.startProcess(t, "B", clock, labelAssign{newLabelStories()})
			c.follow(t, e, clock, b)
			if b.assigner.Holds() {
				t.Fatal("B holds the lease")
			}
			e.serve("Late", azov("late-1", 10), azov("late-2", 9))
			e.poll(t, b.poller, "Late")
			e.serve("Early", azov("early", 8))
			if r := e.poll(t, b.poller, "Early"); r.Moved != 0 {
				t.Errorf("B's poll as a follower moved %d stored items, want none", r.Moved)
			}
			if got := e.storedStories(t); got["late-1"] != late || got["late-2"] != late || got["early"] != early {
				t.Errorf("stored while B follows: %v, want the late items in %s, the early one in %s", got, late, early)
			}
			if c.reconciled {
				// (with its own lapsed lease, B's round would take it again)
				if r := b.round(t); r.Held || r.Moved != 0 {
					t.Errorf("B's round while A holds the lease: %+v, want nothing done", r)
				}
			}
			c.lead(t, e, clock, b)
			clock.advance(time.Second)
			r := b.round(t)
			if !r.Held || r.Moved != 2 || r.Assigned != 0 || r.Reconciled != c.reconciled {
				t.Errorf("B's round holding the lease: %+v, want the 2 deferred moves written, reconciled %v", r, c.reconciled)
			}
			for guid, story := range e.agree(t, b.stories) {
				if story != early {
					t.Errorf("%s in story %s, want %s", guid, story, early)
				}
			}
		})
	}
}

// TestAssignerRunsBesidePolls: A's assigner runs on its own schedule while
// both processes poll at once; the stories end as A's index holds them,
// both items in one. Run with -race.
func TestAssignerRunsBesidePolls(t *testing.T) {
	for round := range 4 {
		e := newStoryEnv(t, "AP", "IFP")
		e.serve("AP", burnsRewriteEntry)
		e.serve("IFP", burnsReportEntry)
		clock := &assignClock{t: settleNow}
		a := e.startProcess(t, "A", clock, newBurnsIndex())
		b := e.startProcess(t, "B", clock, newBurnsIndex())
		a.round(t)
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		wg.Go(func() { a.assigner.Run(ctx) })
		wg.Go(func() { b.assigner.Run(ctx) })
		outlets := []string{"IFP", "AP"}
		for i, p := range []*process{a, b} {
			wg.Go(func() {
				if r := p.poller.Poll(ctx, e.outlets[outlets[(round+i)%2]]); r.Err != nil {
					t.Errorf("poll: %v", r.Err)
				}
			})
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := e.storedStories(t)
			if len(got) == 2 && got[burnsReportEntry.guid] == got[burnsRewriteEntry.guid] {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: stored %v after 10s, want both items in one story", round, got)
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		wg.Wait()
		b.assigner.Stop(t.Context())
		a.assigner.Stop(t.Context())
		e.agree(t, a.stories)
	}
}
