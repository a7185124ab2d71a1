package storage

import (
	"slices"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

func TestUIDIsNewsItemUID(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		db := openTest(t, newTestClock(), "TASS")
		mustSave(t, db, "TASS", item("TASS", "g-1", "https://tass.com/1", "One", day(0)))
		got := mustItems(t, db, news.Query{})
		if want := news.ItemUID("TASS", "g-1", day(0)); len(got) != 1 || got[0].UID != want {
			t.Fatalf("UID %q, want news.ItemUID %q: the aggregator keys stories by it", got[0].UID, want)
		}
	})
}

func TestNearDuplicateBecomesSource(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		db := openTest(t, newTestClock(), "Wire", "Outlet A", "Outlet B")
		orig := tagged(item("Wire", "w-1", "https://wire.example/1", "Drones hit Kyiv", day(0)), true, []string{"t"}, "drones")
		mustSave(t, db, "Wire", orig)

		cp := withText(item("Outlet A", "a-1", "https://a.example/copy", "Kyiv hit by drones", day(0).Add(time.Hour)), "Body of Drones hit Kyiv, lightly edited.")
		cp = tagged(cp, true, []string{"t"}, "drones")
		cp.DuplicateOf = news.ItemUID("Wire", "w-1", day(0))
		if stats := mustSave(t, db, "Outlet A", cp); stats.Duplicate != 1 || stats.New != 0 {
			t.Errorf("near-duplicate copy: %+v, want 1 duplicate", stats)
		}
		// A DuplicateOf naming nothing stored: stored in its own right.
		lone := item("Outlet B", "b-1", "https://b.example/1", "Other", day(0))
		lone.DuplicateOf = "0000000000000000"
		if stats := mustSave(t, db, "Outlet B", lone); stats.New != 1 {
			t.Errorf("copy of an unknown item: %+v, want it stored as new", stats)
		}
		items := mustItems(t, db, news.Query{OnTopic: true})
		if len(items) != 1 {
			t.Fatalf("%d on-topic items, want the original only: %v", len(items), titles(items))
		}
		if got := sourceOutlets(items[0]); !slices.Equal(got, []string{"Wire", "Outlet A"}) {
			t.Errorf("sources %v, want Wire and Outlet A", got)
		}
		// Re-polling the copy changes nothing, and does not overwrite the
		// original with the copy's text.
		if stats := mustSave(t, db, "Outlet A", cp); stats.Unchanged != 1 {
			t.Errorf("re-poll of the copy: %+v", stats)
		}
		if got := mustItems(t, db, news.Query{OnTopic: true})[0]; got.Title != "Drones hit Kyiv" {
			t.Errorf("the original became %q", got.Title)
		}
	})
}

func TestPerStoryAndSince(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		db := openTest(t, newTestClock(), "A", "B", "C")
		on := func(outlet, guid, title, story string, d int, tags ...string) news.Item {
			it := tagged(item(outlet, guid, "https://"+outlet+".example/"+guid, title, day(d)), true, []string{"t"}, tags...)
			it.StoryID = story
			return it
		}
		mustSave(t, db, "A", on("A", "1", "Burns interview", "s-burns", 0, "diplomacy"), on("A", "2", "Azov", "s-azov", 1, "military"))
		mustSave(t, db, "B", on("B", "1", "Burns, reaction", "s-burns", 2, "diplomacy", "drones"), on("B", "2", "Blinken", "s-blinken", 3, "drones"))
		mustSave(t, db, "C", on("C", "1", "Burns, analysis", "s-burns", 4, "military"))
		off := tagged(item("C", "2", "https://c.example/2", "Weather", day(5)), false, nil)
		mustSave(t, db, "C", off)

		tests := []struct {
			name  string
			q     news.Query
			want  []string // titles, newest first
			srcs  map[string][]string
			after map[string]time.Time // Updated at least
		}{
			{"per item", news.Query{OnTopic: true}, []string{"Burns, analysis", "Blinken", "Burns, reaction", "Azov", "Burns interview"}, nil, nil},
			{"per story", news.Query{OnTopic: true, PerStory: true}, []string{"Blinken", "Azov", "Burns interview"},
				map[string][]string{"Burns interview": {"A", "B", "C"}, "Blinken": {"B"}}, nil},
			{"per story, limit", news.Query{OnTopic: true, PerStory: true, Limit: 1}, []string{"Blinken"}, nil, nil},
			{"per story, tag", news.Query{OnTopic: true, PerStory: true, Tag: "drones"}, []string{"Blinken", "Burns, reaction"}, nil, nil},
			{"per story, outlet", news.Query{OnTopic: true, PerStory: true, Outlet: "C"}, []string{"Burns, analysis"}, nil, nil},
			{"since", news.Query{OnTopic: true, Since: day(3)}, []string{"Burns, analysis", "Blinken"}, nil, nil},
			{"since, tag", news.Query{OnTopic: true, Since: day(2), Tag: "drones"}, []string{"Blinken", "Burns, reaction"}, nil, nil},
			{"since, per story", news.Query{OnTopic: true, Since: day(2), PerStory: true}, []string{"Blinken", "Burns, reaction"}, nil, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got := mustItems(t, db, tc.q)
				if !slices.Equal(titles(got), tc.want) {
					t.Fatalf("got %v, want %v", titles(got), tc.want)
				}
				for _, it := range got {
					if want, ok := tc.srcs[it.Title]; ok && !slices.Equal(sourceOutlets(it), want) {
						t.Errorf("%q sources %v, want %v", it.Title, sourceOutlets(it), want)
					}
				}
			})
		}
		burns := mustItems(t, db, news.Query{OnTopic: true, PerStory: true})[2]
		if !burns.Updated.After(day(0)) {
			t.Errorf("the story entry's Updated %s did not move with later coverage", burns.Updated)
		}
	})
}
