package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// TestStoryWhyAndRelatedStory checks that an item's story reason and
// related story are stored and read back, and that an edit keeps them
// once set, as it keeps the story, but fills them in when the item had
// none (it was off topic).
func TestStoryWhyAndRelatedStory(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A")
		on := func(guid, title, why, related string) news.Item {
			it := tagged(withText(item("A", guid, "https://a.example/"+guid, "A "+guid, day(1)), title), true, []string{"t"})
			it.StoryID, it.StoryWhy, it.RelatedStory = "s-"+guid, why, related
			return it
		}
		mustSave(t, db, "A",
			on("a1", "first text", "joins story s-a1: shared names Sea of Azov", "s-other"),
			tagged(item("A", "a2", "https://a.example/a2", "A a2", day(1)), false, nil))

		get := func(guid string) news.Item {
			t.Helper()
			it, err := db.ItemByUID(ctx, news.ItemUID("A", guid, day(1)))
			if err != nil {
				t.Fatal(err)
			}
			return it
		}
		for _, c := range []struct {
			name         string
			save         []news.Item
			guid         string
			why, related string
		}{
			{"stored", nil, "a1", "joins story s-a1: shared names Sea of Azov", "s-other"},
			{"an item without them", nil, "a2", "", ""},
			{"an edit keeps them", []news.Item{on("a1", "edited text", "key already indexed: re-indexed in its story", "")},
				"a1", "joins story s-a1: shared names Sea of Azov", "s-other"},
			{"an edit fills them in", []news.Item{on("a2", "now on topic", "started a new story", "s-a1")},
				"a2", "started a new story", "s-a1"},
		} {
			t.Run(c.name, func(t *testing.T) {
				if c.save != nil {
					if stats := mustSave(t, db, "A", c.save...); stats.Updated != len(c.save) {
						t.Fatalf("save: %+v, want %d updated", stats, len(c.save))
					}
				}
				it := get(c.guid)
				if it.StoryWhy != c.why || it.RelatedStory != c.related {
					t.Errorf("ItemByUID: why %q related %q, want %q and %q", it.StoryWhy, it.RelatedStory, c.why, c.related)
				}
				for _, l := range mustItems(t, db, news.Query{}) {
					if l.GUID == c.guid && (l.StoryWhy != c.why || l.RelatedStory != c.related) {
						t.Errorf("Items: why %q related %q, want %q and %q", l.StoryWhy, l.RelatedStory, c.why, c.related)
					}
				}
			})
		}
	})
}

// TestRelatedStories checks that a story's related stories are found both
// ways (named by its items, naming it), each once, newest first, without
// the story itself or stories with no stored item, and at most 20.
func TestRelatedStories(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A", "B")
		n := 0
		in := func(outlet, story, related string, d int) news.Item {
			n++
			guid := fmt.Sprintf("g%d", n)
			it := tagged(item(outlet, guid, "https://"+outlet+".example/"+guid, "Item "+guid, day(d)), true, []string{"t"})
			it.StoryID, it.RelatedStory = story, related
			return it
		}
		mustSave(t, db, "A",
			in("A", "s-main", "s-reply", 1),
			in("A", "s-main", "s-main", 1),     // itself: not a relation
			in("A", "s-main", "s-gone", 1),     // a story with no stored item
			in("A", "s-main", "s-reply", 2),    // named twice: once
			in("A", "s-reply", "", 3),          // s-reply's latest: day 3
			in("A", "s-reaction", "s-main", 5), // names s-main; latest day 5
			in("A", "s-older", "", 0),
		)
		mustSave(t, db, "B",
			in("B", "s-older", "s-main", 0), // names s-main from another outlet; latest day 0
			in("B", "s-reply", "", 2),
			in("B", "s-alone", "", 4),
		)
		for _, c := range []struct {
			story string
			want  []string
		}{
			{"s-main", []string{"s-reaction", "s-reply", "s-older"}},
			{"s-reply", []string{"s-main"}},
			{"s-reaction", []string{"s-main"}},
			{"s-alone", nil},
			{"s-gone", []string{"s-main"}},
			{"", nil},
		} {
			t.Run(c.story, func(t *testing.T) {
				got, err := db.RelatedStories(ctx, c.story)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("RelatedStories(%q) = %q, want %q", c.story, got, c.want)
				}
			})
		}

		t.Run("bounded", func(t *testing.T) {
			var batch []news.Item
			for i := range 25 {
				batch = append(batch, in("B", fmt.Sprintf("s-follow-%02d", i), "s-hub", 10+i))
			}
			batch = append(batch, in("B", "s-hub", "", 9))
			mustSave(t, db, "B", batch...)
			got, err := db.RelatedStories(ctx, "s-hub")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != relatedStoriesLimit || got[0] != "s-follow-24" || got[len(got)-1] != "s-follow-05" {
				t.Errorf("RelatedStories(s-hub) = %q, want the 20 newest, s-follow-24 down to s-follow-05", got)
			}
		})

		t.Run("plan", func(t *testing.T) {
			if _, err := db.w.Exec(`ANALYZE`); err != nil {
				t.Fatal(err)
			}
			text := queryPlan(t, db, relatedStoriesSQL, "s-main", relatedStoriesLimit)
			if strings.Contains(text, "SCAN items") {
				t.Errorf("plan scans items:\n%s", text)
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("plan:\n%s", text)
			}
		})
	})
}

// TestSetStories checks that SetStories moves stored items, with their
// story states, to the stories given, leaves items not stored or already
// there alone, keeps the story count, and bumps the revision (which the
// web cache renders by) only when an item moved.
func TestSetStories(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A")
		on := func(guid, story string, state bool) news.Item {
			it := tagged(item("A", guid, "https://a.example/"+guid, "A "+guid, day(1)), true, []string{"t"})
			it.StoryID = story
			if state {
				it.StoryState, it.StoryStateVersion = []byte("state of "+guid), 4
			}
			return it
		}
		mustSave(t, db, "A", on("a1", "s-1", true), on("a2", "s-1", true), on("a3", "s-3", false), on("a4", "s-4", true))
		uid := func(guid string) string { return news.ItemUID("A", guid, day(1)) }
		stories := func() map[string]string {
			t.Helper()
			out := map[string]string{}
			for _, it := range mustItems(t, db, news.Query{}) {
				out[it.GUID] = it.StoryID
			}
			return out
		}
		stateStories := func() map[string]string {
			t.Helper()
			out := map[string]string{}
			if err := db.EachStoryDoc(ctx, day(-10), 4, func(d StoryDoc) error {
				if d.State != nil {
					out[strings.TrimPrefix(string(d.State), "state of ")] = d.StoryID
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		revs := func() (int64, int64) {
			t.Helper()
			rev, err := db.Revision(ctx)
			if err != nil {
				t.Fatal(err)
			}
			content, err := db.ContentRevision(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return rev, content
		}

		for _, c := range []struct {
			name        string
			set         map[string]string
			moved       int
			items       map[string]string // guid → story after
			states      map[string]string // guid → story_states.story_id after
			stories     int               // distinct stories after
			bumpsOnline bool
		}{
			{"nothing to move", map[string]string{uid("a1"): "s-1", uid("a3"): "s-3", "0000000000000000": "s-9", uid("a4"): ""}, 0,
				map[string]string{"a1": "s-1", "a2": "s-1", "a3": "s-3", "a4": "s-4"},
				map[string]string{"a1": "s-1", "a2": "s-1", "a4": "s-4"}, 3, false},
			{"one item to another story", map[string]string{uid("a2"): "s-4", uid("a1"): "s-1"}, 1,
				map[string]string{"a1": "s-1", "a2": "s-4", "a3": "s-3", "a4": "s-4"},
				map[string]string{"a1": "s-1", "a2": "s-4", "a4": "s-4"}, 3, true},
			{"stories emptied and started", map[string]string{uid("a1"): "s-new", uid("a3"): "s-4", uid("a4"): "s-1"}, 3,
				map[string]string{"a1": "s-new", "a2": "s-4", "a3": "s-4", "a4": "s-1"},
				map[string]string{"a1": "s-new", "a2": "s-4", "a4": "s-1"}, 3, true},
			{"all into one", map[string]string{uid("a1"): "s-4", uid("a4"): "s-4"}, 2,
				map[string]string{"a1": "s-4", "a2": "s-4", "a3": "s-4", "a4": "s-4"},
				map[string]string{"a1": "s-4", "a2": "s-4", "a4": "s-4"}, 1, true},
		} {
			t.Run(c.name, func(t *testing.T) {
				rev0, content0 := revs()
				moved, err := db.SetStories(ctx, c.set)
				if err != nil {
					t.Fatal(err)
				}
				if moved != c.moved {
					t.Errorf("moved %d, want %d", moved, c.moved)
				}
				if got := stories(); !mapsEqual(got, c.items) {
					t.Errorf("items' stories %v, want %v", got, c.items)
				}
				if got := stateStories(); !mapsEqual(got, c.states) {
					t.Errorf("story states' stories %v, want %v", got, c.states)
				}
				got, err := db.Stats(ctx)
				if err != nil {
					t.Fatal(err)
				}
				recount, err := db.countStats(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got.Stories != c.stories || !equalStats(got, recount) {
					t.Errorf("Stats %+v, recount %+v, want %d stories", got, recount, c.stories)
				}
				rev, content := revs()
				if bumped := rev > rev0 && content > content0; bumped != c.bumpsOnline {
					t.Errorf("revision %d→%d, content revision %d→%d; want bumped: %v", rev0, rev, content0, content, c.bumpsOnline)
				}
			})
		}
		t.Run("plan", func(t *testing.T) {
			if plan := queryPlan(t, db, storyChangesSQL(engineSQLite), `["a"]`); strings.Contains(plan, "SCAN items") {
				t.Errorf("plan scans items:\n%s", plan)
			}
		})
	})
}

// queryPlan returns SQLite's plan for query, one step a line.
func queryPlan(t *testing.T, db *DB, query string, args ...any) string {
	if engineOf(t) != engineSQLite {
		t.Skip("query plans here are SQLite's (EXPLAIN QUERY PLAN)")
	}
	t.Helper()
	rows, err := db.r.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestSetStoriesUpdatesEntry: an item moved into a story makes the story's
// per-story entry show an update at the time of the move, so that readers
// see the entry changed (it now credits another outlet) under the same id.
func TestSetStoriesUpdatesEntry(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		clock := newTestClock()
		db := openTest(t, clock, "A", "B")
		a := tagged(item("A", "a1", "https://a.example/a1", "A a1", day(1)), true, []string{"t"})
		a.StoryID = "s-a"
		b := tagged(item("B", "b1", "https://b.example/b1", "B b1", day(1)), true, []string{"t"})
		b.StoryID = "s-b"
		mustSave(t, db, "A", a)
		mustSave(t, db, "B", b)
		entry := func() news.Item {
			t.Helper()
			for _, it := range mustItems(t, db, news.Query{PerStory: true}) {
				if it.StoryID == "s-a" {
					return it
				}
			}
			t.Fatal("no entry for story s-a")
			return news.Item{}
		}
		before := entry().Updated
		clock.Advance(2 * time.Hour)
		if _, err := db.SetStories(ctx, map[string]string{news.ItemUID("B", "b1", day(1)): "s-a"}); err != nil {
			t.Fatal(err)
		}
		after := entry()
		if want := clock.Now().Truncate(time.Millisecond); !after.Updated.Equal(want) || !after.Updated.After(before) {
			t.Errorf("entry updated %v (before the move %v), want the move's time %v", after.Updated, before, want)
		}
		if len(after.Sources) != 2 {
			t.Errorf("entry credits %d sources, want 2", len(after.Sources))
		}
	})
}
