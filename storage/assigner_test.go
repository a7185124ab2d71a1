package storage

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// TestAssignerLease: two handles on one database file (two processes)
// take the story assigner lease in turn: one at a time, renewed by its
// holder, taken by the other once expired or released, and each takeover
// says until when the other held it.
func TestAssignerLease(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		path := newDatabase(t)
		clock := newTestClock()
		dbA, dbB := openAt(t, path, clock), openAt(t, path, clock)
		t0 := clock.Now()
		at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
		const ttl = 15 * time.Second

		type step struct {
			name       string
			db         *DB
			holder     string
			at         int // seconds after t0
			release    bool
			want       bool
			otherUntil int // seconds after t0; -1: zero
		}
		for _, s := range []step{
			{name: "A takes the free lease", db: dbA, holder: "A", at: 0, want: true, otherUntil: -1},
			{name: "B cannot while A holds it", db: dbB, holder: "B", at: 1, want: false, otherUntil: -1},
			{name: "A renews it", db: dbA, holder: "A", at: 10, want: true, otherUntil: -1},
			{name: "B cannot past A's first term", db: dbB, holder: "B", at: 20, want: false, otherUntil: -1},
			{name: "B takes it once expired", db: dbB, holder: "B", at: 26, want: true, otherUntil: 25},
			{name: "A cannot now", db: dbA, holder: "A", at: 27, want: false, otherUntil: -1},
			{name: "A's release of B's lease changes nothing", db: dbA, holder: "A", at: 28, release: true},
			{name: "A still cannot", db: dbA, holder: "A", at: 29, want: false, otherUntil: -1},
			{name: "B releases it", db: dbB, holder: "B", at: 30, release: true},
			{name: "A takes it at once", db: dbA, holder: "A", at: 31, want: true, otherUntil: 30},
			{name: "A's own expired lease is A's again", db: dbA, holder: "A", at: 100, want: true, otherUntil: -1},
		} {
			if s.release {
				if err := s.db.ReleaseAssigner(ctx, s.holder, at(s.at)); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				continue
			}
			held, otherUntil, err := s.db.AcquireAssigner(ctx, s.holder, ttl, at(s.at))
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			want := time.Time{}
			if s.otherUntil >= 0 {
				want = at(s.otherUntil)
			}
			if held != s.want || !otherUntil.Equal(want) {
				t.Errorf("%s: held %v, other's lease until %v; want %v, %v", s.name, held, otherUntil, s.want, want)
			}
		}
		if _, _, err := dbA.AcquireAssigner(ctx, "", ttl, t0); err == nil {
			t.Error("an empty holder took the lease")
		}
	})
}

// TestAssignerLeaseRace: processes racing for a free lease at the same
// moment, through two handles on one file: exactly one takes it.
func TestAssignerLeaseRace(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		path := newDatabase(t)
		clock := newTestClock()
		dbs := []*DB{openAt(t, path, clock), openAt(t, path, clock)}
		for round := range 5 {
			now := clock.Now().Add(time.Duration(round) * time.Hour) // each round's lease is free
			var (
				mu      sync.Mutex
				holders []string
				wg      sync.WaitGroup
			)
			for i := range 8 {
				holder := fmt.Sprintf("p%d-%d", round, i)
				wg.Go(func() {
					held, _, err := dbs[i%2].AcquireAssigner(ctx, holder, time.Minute, now)
					if err != nil {
						t.Error(err)
						return
					}
					if held {
						mu.Lock()
						holders = append(holders, holder)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(holders) != 1 {
				t.Errorf("round %d: holders %v, want exactly one", round, holders)
			}
		}
	})
}

// TestStoryDocsAfter: the on-topic items stored after an id, read in
// pages of a limit, each page in publication order with the states of the
// version asked for, and the id to read after next.
func TestStoryDocsAfter(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A", "B")
		if id, err := db.LastItemID(ctx); err != nil || id != 0 {
			t.Fatalf("LastItemID of an empty store = %d, %v; want 0", id, err)
		}
		mk := func(outlet, guid string, d int, onTopic bool, state string) news.Item {
			it := tagged(item(outlet, guid, "https://"+outlet+".example/"+guid, outlet+" "+guid, day(d)), onTopic, []string{"t"})
			if state != "" {
				it.StoryState, it.StoryStateVersion = []byte(state), 5
			}
			return it
		}
		// stored in this order: ids grow, publication dates do not
		mustSave(t, db, "A", mk("A", "a1", 3, true, "s-a1"), mk("A", "a2", 1, true, ""), mk("A", "off", 0, false, ""))
		first, err := db.LastItemID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mustSave(t, db, "B", mk("B", "b1", 2, true, "s-b1"), mk("B", "b2", 0, true, "s-b2"), mk("B", "b3", 4, true, "s-b3"),
			mk("B", "off", 5, false, ""))
		last, err := db.LastItemID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if last != first+4 {
			t.Fatalf("LastItemID %d after 4 more items, want %d", last, first+4)
		}
		titles := func(docs []StoryDoc) string {
			var s string
			for _, d := range docs {
				s += fmt.Sprintf("%s(%s) ", d.UID[len(d.UID)-4:], d.State)
			}
			return s
		}
		uid := func(outlet, guid string, d int) string { return news.ItemUID(outlet, guid, day(d)) }
		doc := func(outlet, guid string, d int, state string) string {
			return fmt.Sprintf("%s(%s) ", uid(outlet, guid, d)[len(uid(outlet, guid, d))-4:], state)
		}

		docs, next, err := db.StoryDocsAfter(ctx, first, 5, 100)
		if err != nil {
			t.Fatal(err)
		}
		if want := doc("B", "b2", 0, "s-b2") + doc("B", "b1", 2, "s-b1") + doc("B", "b3", 4, "s-b3"); titles(docs) != want || next != last {
			t.Errorf("after the first batch: %s next %d; want %s next %d", titles(docs), next, want, last)
		}
		for _, d := range docs {
			if d.Outlet != "B" || d.StoryID == "" || d.Title != "" || d.Text != "" || d.Published.IsZero() {
				t.Errorf("doc %+v: want outlet B, a story, a publication time, and no title or text", d)
			}
		}
		// another version: no states
		docs, _, err = db.StoryDocsAfter(ctx, first, 6, 100)
		if err != nil {
			t.Fatal(err)
		}
		if want := doc("B", "b2", 0, "") + doc("B", "b1", 2, "") + doc("B", "b3", 4, ""); titles(docs) != want {
			t.Errorf("under another version: %s, want %s", titles(docs), want)
		}
		// pages of two, by id: a1 and a2, then b1 and b2, then b3
		var pages []string
		after := int64(0)
		for range 10 {
			docs, next, err := db.StoryDocsAfter(ctx, after, 5, 2)
			if err != nil {
				t.Fatal(err)
			}
			if next < after {
				t.Fatalf("next %d after %d", next, after)
			}
			after = next
			if len(docs) == 0 {
				break
			}
			pages = append(pages, titles(docs))
		}
		want := []string{doc("A", "a2", 1, "") + doc("A", "a1", 3, "s-a1"), doc("B", "b2", 0, "s-b2") + doc("B", "b1", 2, "s-b1"),
			doc("B", "b3", 4, "s-b3")}
		if fmt.Sprint(pages) != fmt.Sprint(want) || after != last {
			t.Errorf("pages %q ending at %d, want %q ending at %d", pages, after, want, last)
		}
		if docs, next, err := db.StoryDocsAfter(ctx, last, 5, 100); err != nil || len(docs) != 0 || next != last {
			t.Errorf("after the last item: %d docs, next %d, %v; want none, %d", len(docs), next, err, last)
		}
		// past the newest id (the newest items were deleted): next goes back
		if docs, next, err := db.StoryDocsAfter(ctx, last+10, 5, 100); err != nil || len(docs) != 0 || next != last {
			t.Errorf("after an id past the newest: %d docs, next %d, %v; want none, %d", len(docs), next, err, last)
		}

		stories, err := db.StoriesSince(ctx, day(2))
		if err != nil {
			t.Fatal(err)
		}
		wantStories := map[string]string{}
		for _, it := range mustItems(t, db, news.Query{OnTopic: true, Since: day(2)}) {
			wantStories[it.UID] = it.StoryID
		}
		if len(stories) != 3 || fmt.Sprint(stories) != fmt.Sprint(wantStories) {
			t.Errorf("StoriesSince = %v, want %v (a1, b1, b3)", stories, wantStories)
		}
	})
}
