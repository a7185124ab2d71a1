package storage

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/topicfeed/topicfeed/news"
)

// TestEachStoryDoc checks that EachStoryDoc yields the on-topic items of
// the window oldest first, as Items would list them (reversed), with the
// fields story clustering needs.
func TestEachStoryDoc(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A", "B")
		var a, b []news.Item
		for i := range 12 {
			// Two items per day, so that ties on Published are ordered by id.
			pub := day(i / 2)
			a = append(a, tagged(item("A", "a"+itoa(i), "https://a.example/"+itoa(i), "A "+itoa(i), pub), i%3 != 0, []string{"t"}))
			b = append(b, tagged(item("B", "b"+itoa(i), "https://b.example/"+itoa(i), "B "+itoa(i), pub), i%2 == 0, nil))
		}
		mustSave(t, db, "A", a...)
		mustSave(t, db, "B", b...)

		for _, c := range []struct {
			name  string
			since int
		}{{"everything", -10}, {"a window", 3}, {"nothing", 100}} {
			t.Run(c.name, func(t *testing.T) {
				want := mustItems(t, db, news.Query{OnTopic: true, Since: day(c.since)})
				slices.Reverse(want)
				var got []StoryDoc
				if err := db.EachStoryDoc(ctx, day(c.since), 1, func(d StoryDoc) error {
					got = append(got, d)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%d docs, want %d", len(got), len(want))
				}
				for i, it := range want {
					w := StoryDoc{ID: it.ID, UID: it.UID, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: it.Published, StoryID: it.StoryID}
					if !reflect.DeepEqual(got[i], w) {
						t.Errorf("doc %d = %+v, want %+v", i, got[i], w)
					}
				}
				if c.name == "everything" && len(got) != 14 {
					t.Errorf("%d docs over everything, want the 14 on-topic items", len(got))
				}
			})
		}

		t.Run("an error from fn stops it", func(t *testing.T) {
			stop := errors.New("stop")
			n := 0
			err := db.EachStoryDoc(ctx, day(-10), 1, func(StoryDoc) error {
				n++
				return stop
			})
			if !errors.Is(err, stop) || n != 1 {
				t.Errorf("EachStoryDoc = %v after %d calls, want %v after 1", err, n, stop)
			}
		})
	})
}

// TestStoryStates checks that story states are stored with on-topic
// items, come back from EachStoryDoc in place of the text under their
// version only, follow the item's edits and tagging, and can be written
// back for items that lack one.
func TestStoryStates(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A")
		withState := func(it news.Item, state string, version int64) news.Item {
			it.StoryState, it.StoryStateVersion = []byte(state), version
			return it
		}
		on := func(guid string, d int) news.Item {
			return tagged(item("A", guid, "https://a.example/"+guid, "A "+guid, day(d)), true, []string{"t"})
		}
		mustSave(t, db, "A",
			withState(on("a1", 0), "state a1", 7),
			withState(on("a2", 1), "state a2", 7),
			on("a3", 2), // no state: restored from its text
			withState(tagged(item("A", "a4", "https://a.example/a4", "A a4", day(3)), false, nil), "off", 7), // off topic: not kept
		)
		docs := func(version int64) map[string]StoryDoc {
			t.Helper()
			out := map[string]StoryDoc{}
			if err := db.EachStoryDoc(ctx, day(-10), version, func(d StoryDoc) error {
				out[d.Title+string(d.State)] = d
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		stateCount := func() int {
			t.Helper()
			var n int
			if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM story_states`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if got := docs(7); len(got) != 3 || got["state a1"].Text != "" || got["state a2"].UID == "" || got["A a3"].Text == "" {
			t.Errorf("version 7: %+v, want a1 and a2 by state (no text), a3 by text", got)
		}
		if got := docs(8); len(got) != 3 || got["A a1"].State != nil || got["A a1"].Text == "" {
			t.Errorf("version 8: %+v, want every item by its text", got)
		}
		if n := stateCount(); n != 2 {
			t.Errorf("%d stored states, want 2 (the off-topic item's is not kept)", n)
		}

		// an edit replaces the state; an edit that goes off topic drops it
		a1 := withState(on("a1", 0), "state a1 v2", 7)
		a1.Title = "A a1 edited"
		mustSave(t, db, "A", a1)
		if got := docs(7); got["state a1 v2"].UID == "" {
			t.Errorf("after an edit: %+v, want a1's new state", got)
		}
		a2 := tagged(item("A", "a2", "https://a.example/a2", "A a2 edited", day(1)), false, nil)
		mustSave(t, db, "A", a2)
		if n := stateCount(); n != 1 {
			t.Errorf("%d stored states after a2 went off topic, want 1", n)
		}

		// re-tagging off topic drops the state; back on topic, the item is
		// restored from its text until a state is written back
		items := mustItems(t, db, news.Query{OnTopic: true})
		var a1ID int64
		for _, it := range items {
			if it.GUID == "a1" {
				a1ID = it.ID
			}
		}
		if a1ID == 0 {
			t.Fatalf("a1 not found on topic in %+v", items)
		}
		if err := db.UpdateTagging(ctx, a1ID, news.Tagging{OnTopic: false}); err != nil {
			t.Fatal(err)
		}
		if n := stateCount(); n != 0 {
			t.Errorf("%d stored states after a1 was re-tagged off topic, want 0", n)
		}
		if err := db.UpdateTagging(ctx, a1ID, news.Tagging{OnTopic: true, Topics: []string{"t"}}); err != nil {
			t.Fatal(err)
		}
		if got := docs(7); got["A a1 edited"].State != nil || got["A a1 edited"].ID != a1ID {
			t.Errorf("a1 back on topic: %+v, want it by its text", got)
		}
		if err := db.SaveStoryStates(ctx, 7, map[int64][]byte{a1ID: []byte("written back"), 999999: []byte("gone")}); err != nil {
			t.Fatal(err)
		}
		if got := docs(7); !bytes.Equal(got["written back"].State, []byte("written back")) {
			t.Errorf("after SaveStoryStates: %+v, want a1 by its written-back state", got)
		}

		// pruning an item drops its state
		if _, err := db.Prune(ctx, day(100)); err != nil {
			t.Fatal(err)
		}
		if n := stateCount(); n != 0 {
			t.Errorf("%d stored states after pruning every item, want 0", n)
		}
	})
}

// TestEachStoryDocFromStates checks that when every on-topic item of the
// window has a state, EachStoryDoc (reading the states table alone) lists
// the same items, in the same order, with the same fields, as the item
// listing, and each with its own state.
func TestEachStoryDocFromStates(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A", "B")
		for _, o := range []string{"A", "B"} {
			var batch []news.Item
			for i := range 8 {
				it := tagged(item(o, o+itoa(i), "https://"+o+".example/"+itoa(i), o+" "+itoa(i), day(i/2)), i%4 != 3, []string{"t"})
				if it.OnTopic {
					it.StoryState, it.StoryStateVersion = []byte("state of "+it.GUID), 3
				}
				batch = append(batch, it)
			}
			mustSave(t, db, o, batch...)
		}
		want := mustItems(t, db, news.Query{OnTopic: true, Since: day(1)})
		slices.Reverse(want)
		var got []StoryDoc
		if err := db.EachStoryDoc(ctx, day(1), 3, func(d StoryDoc) error {
			got = append(got, d)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%d docs, want %d", len(got), len(want))
		}
		for i, it := range want {
			w := StoryDoc{ID: it.ID, UID: it.UID, Outlet: it.Outlet, Published: it.Published, StoryID: it.StoryID,
				State: []byte("state of " + it.GUID)}
			if !reflect.DeepEqual(got[i], w) {
				t.Errorf("doc %d = %+v, want %+v", i, got[i], w)
			}
		}
	})
}
