package storage

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/topicfeed/topicfeed/news"
)

// TestEachStoryDoc checks that EachStoryDoc yields the on-topic items of
// the window oldest first, as Items would list them (reversed), with the
// fields story clustering needs.
func TestEachStoryDoc(t *testing.T) {
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
			if err := db.EachStoryDoc(ctx, day(c.since), func(d StoryDoc) error {
				got = append(got, d)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d docs, want %d", len(got), len(want))
			}
			for i, it := range want {
				w := StoryDoc{UID: it.UID, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: it.Published, StoryID: it.StoryID}
				if got[i] != w {
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
		err := db.EachStoryDoc(ctx, day(-10), func(StoryDoc) error {
			n++
			return stop
		})
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("EachStoryDoc = %v after %d calls, want %v after 1", err, n, stop)
		}
	})
}
