package storage

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// TestSaveFetchIdentity runs polling scenarios and checks the stats of the
// last SaveFetch and what is stored afterwards.
func TestSaveFetchIdentity(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		a1 := item("A", "a-1", "https://a.example/news/1", "Drones over Kyiv", day(1))
		a2 := item("A", "a-2", "https://a.example/news/2", "Sanctions on Tehran", day(2))
		type fetch struct {
			outlet string
			items  []news.Item
		}
		for _, c := range []struct {
			name  string
			fetch []fetch
			want  news.SaveStats
			// stored items, newest first: title and source outlets
			wantTitles  []string
			wantSources [][]string
		}{
			{
				name:        "new items",
				fetch:       []fetch{{"A", []news.Item{a1, a2}}},
				want:        news.SaveStats{New: 2},
				wantTitles:  []string{"Sanctions on Tehran", "Drones over Kyiv"},
				wantSources: [][]string{{"A"}, {"A"}},
			},
			{
				name:        "re-poll is unchanged",
				fetch:       []fetch{{"A", []news.Item{a1, a2}}, {"A", []news.Item{a1, a2}}},
				want:        news.SaveStats{Unchanged: 2},
				wantTitles:  []string{"Sanctions on Tehran", "Drones over Kyiv"},
				wantSources: [][]string{{"A"}, {"A"}},
			},
			{
				name: "edited item updates in place",
				fetch: []fetch{{"A", []news.Item{a1, a2}}, {"A", []news.Item{
					func() news.Item {
						it := withText(a1, "Corrected body.")
						it.Title = "Drones over Kyiv (updated)"
						return it
					}(), a2}}},
				want:        news.SaveStats{Updated: 1, Unchanged: 1},
				wantTitles:  []string{"Sanctions on Tehran", "Drones over Kyiv (updated)"},
				wantSources: [][]string{{"A"}, {"A"}},
			},
			{
				name:        "same URL from another outlet is a second source",
				fetch:       []fetch{{"A", []news.Item{a1}}, {"B", []news.Item{item("B", "b-77", a1.URL, "Drones hit Kyiv", day(1).Add(time.Hour))}}},
				want:        news.SaveStats{Duplicate: 1},
				wantTitles:  []string{"Drones over Kyiv"},
				wantSources: [][]string{{"A", "B"}},
			},
			{
				name: "same content under another URL is a second source",
				fetch: []fetch{{"A", []news.Item{a1}}, {"B", []news.Item{
					func() news.Item {
						it := item("B", "b-1", "https://b.example/wire/1", "Wire: drones", day(1))
						return withText(it, a1.Text)
					}()}}},
				want:        news.SaveStats{Duplicate: 1},
				wantTitles:  []string{"Drones over Kyiv"},
				wantSources: [][]string{{"A", "B"}},
			},
			{
				name: "new GUID for the same URL is an alias, not an item",
				fetch: []fetch{{"A", []news.Item{a1}}, {"A", []news.Item{
					func() news.Item { it := a1; it.GUID = "a-1-v2"; it.Published = day(3); return it }()}}},
				want:        news.SaveStats{Duplicate: 1},
				wantTitles:  []string{"Drones over Kyiv"},
				wantSources: [][]string{{"A"}},
			},
			{
				name: "new GUID with edited content updates the item",
				fetch: []fetch{{"A", []news.Item{a1}}, {"A", []news.Item{
					func() news.Item { it := withText(a1, "Edited."); it.GUID = "a-1-v2"; return it }()}}},
				want:        news.SaveStats{Updated: 1},
				wantTitles:  []string{"Drones over Kyiv"},
				wantSources: [][]string{{"A"}},
			},
			{
				name:        "another outlet's edit does not rewrite the item",
				fetch:       []fetch{{"A", []news.Item{a1}}, {"B", []news.Item{item("B", "b-1", a1.URL, "B's title", day(1))}}, {"B", []news.Item{withText(item("B", "b-1", a1.URL, "B's new title", day(1)), "B's text")}}},
				want:        news.SaveStats{Unchanged: 1},
				wantTitles:  []string{"Drones over Kyiv"},
				wantSources: [][]string{{"A", "B"}},
			},
			{
				name:        "duplicates inside one batch",
				fetch:       []fetch{{"A", []news.Item{a1, a1, func() news.Item { it := a1; it.GUID = "other"; return it }()}}},
				want:        news.SaveStats{New: 1, Unchanged: 1, Duplicate: 1},
				wantTitles:  []string{"Drones over Kyiv"},
				wantSources: [][]string{{"A"}},
			},
			{
				name:        "no GUID falls back to the URL",
				fetch:       []fetch{{"A", []news.Item{func() news.Item { it := a1; it.GUID = ""; return it }()}}, {"A", []news.Item{func() news.Item { it := a1; it.GUID = ""; return it }()}}},
				want:        news.SaveStats{Unchanged: 1},
				wantTitles:  []string{"Drones over Kyiv"},
				wantSources: [][]string{{"A"}},
			},
			{
				name:        "empty URL and hash never match",
				fetch:       []fetch{{"A", []news.Item{func() news.Item { it := a1; it.URL, it.ContentHash = "", ""; return it }(), func() news.Item { it := a2; it.URL, it.ContentHash = "", ""; return it }()}}},
				want:        news.SaveStats{New: 2},
				wantTitles:  []string{"Sanctions on Tehran", "Drones over Kyiv"},
				wantSources: [][]string{{"A"}, {"A"}},
			},
		} {
			t.Run(c.name, func(t *testing.T) {
				clock := newTestClock()
				db := openTest(t, clock, "A", "B")
				var got news.SaveStats
				for _, f := range c.fetch {
					clock.Advance(time.Minute)
					got = mustSave(t, db, f.outlet, f.items...)
				}
				if got != c.want {
					t.Errorf("last SaveFetch stats %+v, want %+v", got, c.want)
				}
				items := mustItems(t, db, news.Query{})
				if !slices.Equal(titles(items), c.wantTitles) {
					t.Errorf("stored titles %q, want %q", titles(items), c.wantTitles)
				}
				for i := range min(len(items), len(c.wantSources)) {
					if got := sourceOutlets(items[i]); !slices.Equal(got, c.wantSources[i]) {
						t.Errorf("item %q sources %q, want %q", items[i].Title, got, c.wantSources[i])
					}
				}
			})
		}
	})
}

func TestSaveFetchUpdateKeepsIdentity(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		clock := newTestClock()
		db := openTest(t, clock, "A")
		orig := tagged(item("A", "g", "https://a.example/1", "Old title", day(1)), true, []string{"iran-russia"}, "drones")
		orig.StoryID = "story-42"
		firstSeen := clock.Now()
		mustSave(t, db, "A", orig)
		before := mustItems(t, db, news.Query{})[0]

		clock.Advance(2 * time.Hour)
		for _, c := range []struct {
			name        string
			feedUpdated time.Time
			wantUpdated time.Time
		}{
			{"feed gives a newer updated time", day(1).Add(3 * time.Hour), day(1).Add(3 * time.Hour)},
			{"feed keeps the old updated time", day(1).Add(3 * time.Hour), clock.Now()},
		} {
			t.Run(c.name, func(t *testing.T) {
				edited := withText(orig, "Edited at "+c.name)
				edited.Title = "New title " + c.name
				edited.Published = day(5) // a republished date must not move the item
				edited.Updated = c.feedUpdated
				edited.StoryID = "another-story"
				edited.Tagging = news.Tagging{OnTopic: false, Tags: []string{"energy"}}
				if s := mustSave(t, db, "A", edited); s != (news.SaveStats{Updated: 1}) {
					t.Fatalf("stats %+v, want 1 updated", s)
				}
				after, err := db.ItemByUID(ctx, before.UID)
				if err != nil {
					t.Fatal(err)
				}
				if after.ID != before.ID || after.StoryID != "story-42" || !after.Published.Equal(day(1)) || !after.FirstSeen.Equal(firstSeen) {
					t.Errorf("identity changed: id %d→%d story %q published %v first seen %v (want %v)",
						before.ID, after.ID, after.StoryID, after.Published, after.FirstSeen, firstSeen)
				}
				if !after.Updated.Equal(c.wantUpdated) {
					t.Errorf("updated %v, want %v", after.Updated, c.wantUpdated)
				}
				if after.Title != edited.Title || after.Text != edited.Text || after.OnTopic || !slices.Equal(after.Tags, []string{"energy"}) {
					t.Errorf("content not updated: %+v", after)
				}
				if n := len(mustItems(t, db, news.Query{OnTopic: true})); n != 0 {
					t.Errorf("%d on-topic items after the edit made it off topic", n)
				}
				if n := len(mustItems(t, db, news.Query{Tag: "drones"})); n != 0 {
					t.Errorf("old tag still finds %d items", n)
				}
				if n := len(mustItems(t, db, news.Query{Tag: "energy"})); n != 1 {
					t.Errorf("new tag finds %d items, want 1", n)
				}
			})
		}
	})
}

func TestSaveFetchAssignsIDs(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		clock := newTestClock()
		db := openTest(t, clock, "A")
		withStory := item("A", "g2", "https://a.example/2", "Two", day(2))
		withStory.StoryID = "s-given"
		mustSave(t, db, "A", item("A", "g1", "https://a.example/1", "One", day(1)), withStory)
		items := mustItems(t, db, news.Query{})
		if len(items) != 2 {
			t.Fatalf("%d items, want 2", len(items))
		}
		if want := newUID("A", "g1", day(1), 0); items[1].UID != want {
			t.Errorf("uid %q, want %q", items[1].UID, want)
		}
		if items[1].StoryID != "s-"+items[1].UID {
			t.Errorf("default story id %q, want s-%s", items[1].StoryID, items[1].UID)
		}
		if items[0].StoryID != "s-given" {
			t.Errorf("story id %q, want the given s-given", items[0].StoryID)
		}
		if items[0].UID == items[1].UID || len(items[0].UID) != 24 {
			t.Errorf("uids %q: want two distinct 24-hex ids", uids(items))
		}
		if items[1].UID >= items[0].UID {
			t.Errorf("uids %q: the later item's sorts first, want them ordered by publication", uids(items))
		}
	})
}

func TestSaveFetchUIDCollision(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A")
		// Occupy the UID the next item would get, as a hash collision would.
		mustSave(t, db, "A", item("A", "first", "https://a.example/1", "One", day(1)))
		if _, err := db.w.Exec(`UPDATE items SET uid = ? WHERE guid = 'first'`, newUID("A", "second", day(2), 0)); err != nil {
			t.Fatal(err)
		}
		mustSave(t, db, "A", item("A", "second", "https://a.example/2", "Two", day(2)))
		items := mustItems(t, db, news.Query{})
		if len(items) != 2 || items[0].UID != newUID("A", "second", day(2), 1) {
			t.Fatalf("after collision uids %q, want the second to be %q", uids(items), newUID("A", "second", day(2), 1))
		}
		if _, err := db.ItemByUID(ctx, items[0].UID); err != nil {
			t.Error(err)
		}
	})
}

func TestSaveFetchStoresOutletState(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		clock := newTestClock()
		db := openTest(t, clock, "A")
		st := mustState(t, db, "A")
		st.ETag = `W/"v2"`
		st.LastStatus = 200
		st.LastFetch = clock.Now()
		st.LastSuccess = clock.Now()
		st.NextPoll = clock.Now().Add(time.Hour)
		if _, err := db.SaveFetch(context.Background(), st, []news.Item{item("A", "g", "https://a.example/1", "One", day(1))}); err != nil {
			t.Fatal(err)
		}
		got := mustState(t, db, "A")
		st.ItemCount = 1
		if got != st {
			t.Errorf("state\n got %+v\nwant %+v", got, st)
		}
	})
}

func TestItemCounts(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A", "B")
		a1 := item("A", "1", "https://a.example/1", "One", day(1))
		mustSave(t, db, "A", a1, item("A", "2", "https://a.example/2", "Two", day(2)))
		mustSave(t, db, "B", item("B", "x", a1.URL, "One", day(1)))                      // duplicate of a1
		mustSave(t, db, "A", func() news.Item { it := a1; it.GUID = "1b"; return it }()) // alias
		outlets, err := db.Outlets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, o := range outlets {
			got[o.Name] = o.ItemCount
		}
		if got["A"] != 2 || got["B"] != 1 {
			t.Errorf("item counts %v, want A:2 B:1", got)
		}
		// The counter agrees with a full count.
		var n int
		if err := db.r.QueryRow(`SELECT count(DISTINCT item_id) FROM sources s JOIN outlets o ON o.id = s.outlet_id WHERE o.name = 'A'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != got["A"] {
			t.Errorf("counter %d, full count %d", got["A"], n)
		}
	})
}

func TestSaveFetchOddValues(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		for _, c := range []struct {
			name  string
			edit  func(*news.Item)
			check func(t *testing.T, got news.Item)
		}{
			{"NaN score is stored as 0", func(it *news.Item) { it.Score = math.NaN() }, func(t *testing.T, got news.Item) {
				if got.Score != 0 {
					t.Errorf("score %v, want 0", got.Score)
				}
			}},
			{"infinite score is stored as 0", func(it *news.Item) { it.Score = math.Inf(-1) }, func(t *testing.T, got news.Item) {
				if got.Score != 0 {
					t.Errorf("score %v, want 0", got.Score)
				}
			}},
			{"far past date", func(it *news.Item) { it.Published = time.Date(1, 1, 1, 0, 0, 0, 1e6, time.UTC) }, func(t *testing.T, got news.Item) {
				if want := time.Date(1, 1, 1, 0, 0, 0, 1e6, time.UTC); !got.Published.Equal(want) {
					t.Errorf("published %v, want %v", got.Published, want)
				}
			}},
			{"far future date", func(it *news.Item) { it.Published = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) }, func(t *testing.T, got news.Item) {
				if want := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC); !got.Published.Equal(want) {
					t.Errorf("published %v, want %v", got.Published, want)
				}
			}},
			{"no dates at all fall back to first seen", func(it *news.Item) { it.Published, it.Updated = time.Time{}, time.Time{} }, func(t *testing.T, got news.Item) {
				if !got.Published.Equal(got.FirstSeen) || !got.Updated.Equal(got.FirstSeen) || got.FirstSeen.IsZero() {
					t.Errorf("published %v updated %v first seen %v", got.Published, got.Updated, got.FirstSeen)
				}
			}},
			{"sub-millisecond precision is dropped", func(it *news.Item) { it.Published = day(1).Add(1500 * time.Microsecond) }, func(t *testing.T, got news.Item) {
				if want := day(1).Add(time.Millisecond); !got.Published.Equal(want) {
					t.Errorf("published %v, want %v", got.Published, want)
				}
			}},
			{"duplicate and empty tags collapse", func(it *news.Item) { it.Tags = []string{"a", "", "a", "b"} }, func(t *testing.T, got news.Item) {
				if !slices.Equal(got.Tags, []string{"a", "b"}) {
					t.Errorf("tags %q, want [a b]", got.Tags)
				}
			}},
			{"invalid UTF-8 and NUL survive byte for byte on SQLite", func(it *news.Item) { it.Title = "a\x00b\xff\xfe" }, func(t *testing.T, got news.Item) {
				// PostgreSQL's text holds valid UTF-8 without NULs (pgText)
				want := map[engine]string{engineSQLite: "a\x00b\xff\xfe", enginePostgres: "ab\uFFFD"}[engineOf(t)]
				if got.Title != want {
					t.Errorf("title %q, want %q", got.Title, want)
				}
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				db := openTest(t, newTestClock(), "A")
				it := item("A", "g", "https://a.example/1", "T", day(1))
				c.edit(&it)
				mustSave(t, db, "A", it)
				got := mustItems(t, db, news.Query{})
				if len(got) != 1 {
					t.Fatalf("%d items", len(got))
				}
				c.check(t, got[0])
				// And a re-poll of the same odd item is recognised.
				if s := mustSave(t, db, "A", it); s != (news.SaveStats{Unchanged: 1}) {
					t.Errorf("re-poll: %+v", s)
				}
			})
		}
	})
}
