package storage

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

func TestItemRoundTrip(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		clock := newTestClock()
		db := openTest(t, clock, "Iran Front Page")
		in := news.Item{
			Outlet:       "Iran Front Page",
			GUID:         "https://ifpnews.com/?p=123",
			URL:          "https://ifpnews.com/iran-russia-drones/",
			Title:        "Iran, Russia sign «defence» pact — Шахед / شاهد",
			Summary:      "Tehran and Moscow ...",
			Text:         "Paragraph one.\n\nParagraph two with ZWNJ: می\u200cخواهم.",
			ContentHTML:  `<p>Paragraph one.</p><p>Paragraph two.</p>`,
			Authors:      []string{"IFP Editorial Staff", "Reuters"},
			Categories:   []string{"Politics", "Russia"},
			Language:     "en",
			Image:        "https://ifpnews.com/img/lead.jpg",
			Enclosures:   []news.Enclosure{{URL: "https://ifpnews.com/a.mp3", Type: "audio/mpeg", Length: 12345}},
			Published:    time.Date(2026, 2, 28, 20, 30, 15, 250_000_000, time.FixedZone("IRST", 3*3600+1800)),
			Updated:      time.Date(2026, 2, 28, 21, 0, 0, 0, time.UTC),
			FirstSeen:    time.Date(2026, 2, 28, 21, 5, 0, 0, time.UTC),
			ContentHash:  "c0ffee",
			SimHash:      0xfedcba9876543210, // high bit set: must survive the int64 column
			StoryID:      "s-story",
			StoryWhy:     "joins story s-story: shares «Sea of Azov», 3 numbers (0.31 > 0.14)",
			RelatedStory: "s-earlier",
			Tagging: news.Tagging{
				OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Tags: []string{"drones", "diplomacy"}, Score: 7.25,
				Evidence: []news.Evidence{{Rule: "iran", Kind: "entity", Term: "Tehran", Field: "title", Count: 2, Weight: 3}},
			},
		}
		mustSave(t, db, in.Outlet, in)
		got := mustItems(t, db, news.Query{})
		if len(got) != 1 {
			t.Fatalf("%d items, want 1", len(got))
		}
		want := in
		want.ID = got[0].ID
		want.UID = got[0].UID
		want.Published = in.Published.UTC()
		want.OutletUpdated = in.Updated // what the outlet said, later than Published
		want.Sources = []news.Source{{Outlet: in.Outlet, URL: in.URL, GUID: in.GUID, Title: in.Title, Published: want.Published}}
		if want.ID == 0 || len(want.UID) != 24 {
			t.Errorf("id %d uid %q not assigned", want.ID, want.UID)
		}
		if !reflect.DeepEqual(got[0], want) {
			t.Errorf("round trip\n got %+v\nwant %+v", got[0], want)
		}
		if got[0].Published.Location() != time.UTC {
			t.Errorf("published in %v, want UTC", got[0].Published.Location())
		}
		byUID, err := db.ItemByUID(ctx, want.UID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(byUID, want) {
			t.Errorf("ItemByUID\n got %+v\nwant %+v", byUID, want)
		}
	})
}

// seedQueryFixture stores items across three outlets and returns the db.
//
//	title  outlets  published  on topic  topics  tags
//	t1     A        day 1      yes       ir      drones
//	t2     A, B     day 2      no        -       drones
//	t3     B        day 3      yes       ir      sanctions, drones
//	t4     C, A     day 3      yes       ua      sanctions     (same published as t3: id breaks the tie)
//	t5     C        day 5      no        -       -
func seedQueryFixture(t *testing.T) *DB {
	t.Helper()
	db := openTest(t, newTestClock(), "A", "B", "C")
	t1 := tagged(item("A", "1", "https://a.example/1", "t1", day(1)), true, []string{"ir"}, "drones")
	t2 := tagged(item("A", "2", "https://a.example/2", "t2", day(2)), false, nil, "drones")
	t3 := tagged(item("B", "3", "https://b.example/3", "t3", day(3)), true, []string{"ir"}, "sanctions", "drones")
	t4 := tagged(item("C", "4", "https://c.example/4", "t4", day(3)), true, []string{"ua"}, "sanctions")
	t5 := item("C", "5", "https://c.example/5", "t5", day(5))
	t4.StoryID = "story-x"
	t3.StoryID = "story-x"
	mustSave(t, db, "A", t1, t2)
	mustSave(t, db, "B", t3, item("B", "b2", t2.URL, "t2 at B", day(2)))
	mustSave(t, db, "C", t4, t5)
	mustSave(t, db, "A", item("A", "a4", t4.URL, "t4 at A", day(3)))
	return db
}

func TestItemsQueries(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		db := seedQueryFixture(t)
		for _, c := range []struct {
			name string
			q    news.Query
			want []string
		}{
			{"all, newest first, id breaks ties", news.Query{}, []string{"t5", "t4", "t3", "t2", "t1"}},
			{"limit", news.Query{Limit: 2}, []string{"t5", "t4"}},
			{"on topic", news.Query{OnTopic: true}, []string{"t4", "t3", "t1"}},
			{"tag", news.Query{Tag: "drones"}, []string{"t3", "t2", "t1"}},
			{"tag on topic", news.Query{Tag: "drones", OnTopic: true}, []string{"t3", "t1"}},
			{"tag on topic limit", news.Query{Tag: "drones", OnTopic: true, Limit: 1}, []string{"t3"}},
			{"topic", news.Query{Topic: "ir", OnTopic: true}, []string{"t3", "t1"}},
			{"outlet matches any source", news.Query{Outlet: "A"}, []string{"t4", "t2", "t1"}},
			{"outlet on topic", news.Query{Outlet: "B", OnTopic: true}, []string{"t3"}},
			{"story", news.Query{StoryID: "story-x"}, []string{"t4", "t3"}},
			{"tag and outlet", news.Query{Tag: "sanctions", Outlet: "A"}, []string{"t4"}},
			{"topic and tag", news.Query{Topic: "ir", Tag: "sanctions"}, []string{"t3"}},
			{"outlet and story", news.Query{Outlet: "B", StoryID: "story-x"}, []string{"t3"}},
			{"unknown tag", news.Query{Tag: "nope"}, []string{}},
			{"unknown outlet", news.Query{Outlet: "nope"}, []string{}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got := titles(mustItems(t, db, c.q))
				if !slices.Equal(got, c.want) {
					t.Errorf("Items(%+v) = %q, want %q", c.q, got, c.want)
				}
			})
		}
	})
}

func TestItemsSources(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		db := seedQueryFixture(t)
		want := map[string][]news.Source{
			"t2": {{Outlet: "A", URL: "https://a.example/2", GUID: "2", Title: "t2", Published: day(2)},
				{Outlet: "B", URL: "https://a.example/2", GUID: "b2", Title: "t2 at B", Published: day(2)}},
			"t4": {{Outlet: "C", URL: "https://c.example/4", GUID: "4", Title: "t4", Published: day(3)},
				{Outlet: "A", URL: "https://c.example/4", GUID: "a4", Title: "t4 at A", Published: day(3)}},
		}
		for _, it := range mustItems(t, db, news.Query{}) {
			w, ok := want[it.Title]
			if !ok {
				if len(it.Sources) != 1 || it.Sources[0].Outlet != it.Outlet {
					t.Errorf("%s: sources %+v, want only its own outlet %s", it.Title, it.Sources, it.Outlet)
				}
				continue
			}
			if !reflect.DeepEqual(it.Sources, w) {
				t.Errorf("%s: sources\n got %+v\nwant %+v", it.Title, it.Sources, w)
			}
		}
	})
}

// TestItemsQueryPlans checks that every feed query walks an index in feed
// order: no full scan of items, no sort.
func TestItemsQueryPlans(t *testing.T) {
	db := seedQueryFixture(t)
	if _, err := db.w.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []news.Query{
		{OnTopic: true, Limit: 100},
		{Limit: 100},
		{OnTopic: true, Tag: "drones", Limit: 100},
		{OnTopic: true, Topic: "ir", Limit: 100},
		{OnTopic: true, Outlet: "A", Limit: 100},
		{StoryID: "story-x"},
		{OnTopic: true, Tag: "drones", Outlet: "A", Limit: 100},
		{OnTopic: true, PerStory: true, Limit: 100},
		{OnTopic: true, PerStory: true, Tag: "drones", Limit: 100},
		{OnTopic: true, Since: time.Unix(1, 0), Limit: 100},
	} {
		t.Run(fmtQuery(q), func(t *testing.T) {
			query, args := itemsQuery(q)
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
			text := strings.Join(plan, "\n")
			for _, bad := range []string{"USE TEMP B-TREE", "SCAN i\n", "SCAN items"} {
				if strings.Contains(text+"\n", bad) {
					t.Errorf("plan has %q:\n%s", strings.TrimSpace(bad), text)
				}
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("plan for %+v:\n%s", q, text)
			}
		})
	}
}

func fmtQuery(q news.Query) string {
	var parts []string
	if q.OnTopic {
		parts = append(parts, "on_topic")
	}
	for _, kv := range [][2]string{{"tag", q.Tag}, {"topic", q.Topic}, {"outlet", q.Outlet}, {"story", q.StoryID}} {
		if kv[1] != "" {
			parts = append(parts, kv[0])
		}
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, "+")
}

func TestUpdateTagging(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := seedQueryFixture(t)
		var t5 news.Item
		for _, it := range mustItems(t, db, news.Query{}) {
			if it.Title == "t5" {
				t5 = it
			}
		}
		newTagging := news.Tagging{OnTopic: true, Topics: []string{"ua"}, Tags: []string{"drones", "drones", "energy"}, Score: 4,
			Evidence: []news.Evidence{{Rule: "ukraine", Kind: "entity", Term: "Kyiv", Field: "title", Count: 1, Weight: 3}}}
		if err := db.UpdateTagging(ctx, t5.ID, newTagging); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q    news.Query
			want []string
		}{
			{news.Query{OnTopic: true}, []string{"t5", "t4", "t3", "t1"}},
			{news.Query{OnTopic: true, Tag: "drones"}, []string{"t5", "t3", "t1"}},
			{news.Query{OnTopic: true, Topic: "ua"}, []string{"t5", "t4"}},
			{news.Query{OnTopic: true, Outlet: "C"}, []string{"t5", "t4"}},
		} {
			if got := titles(mustItems(t, db, c.q)); !slices.Equal(got, c.want) {
				t.Errorf("after retag Items(%+v) = %q, want %q", c.q, got, c.want)
			}
		}
		got, err := db.ItemByUID(ctx, t5.UID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Tags, []string{"drones", "energy"}) || got.Score != 4 || len(got.Evidence) != 1 || !got.Updated.Equal(t5.Updated) {
			t.Errorf("retagged item %+v", got.Tagging)
		}

		// And back off topic: it leaves every on-topic view.
		if err := db.UpdateTagging(ctx, t5.ID, news.Tagging{}); err != nil {
			t.Fatal(err)
		}
		if got := titles(mustItems(t, db, news.Query{OnTopic: true, Outlet: "C"})); !slices.Equal(got, []string{"t4"}) {
			t.Errorf("after untag: %q, want [t4]", got)
		}
		if n := countRows(t, db, "item_tags WHERE item_id = "+itoa(int(t5.ID))); n != 0 {
			t.Errorf("%d tag rows left for an untagged item", n)
		}
	})
}

func TestEachItem(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A")
		const n = eachPage*2 + 7 // several pages
		var batch []news.Item
		for i := range n {
			batch = append(batch, item("A", itoa(i), "https://a.example/"+itoa(i), "T"+itoa(i), day(i%40)))
		}
		mustSave(t, db, "A", batch...)

		t.Run("visits every item once and may write", func(t *testing.T) {
			seen := map[string]bool{}
			err := db.EachItem(ctx, func(it news.Item) error {
				if seen[it.UID] {
					t.Errorf("item %s visited twice", it.UID)
				}
				seen[it.UID] = true
				if len(it.Sources) != 1 {
					t.Errorf("item %s has %d sources", it.UID, len(it.Sources))
				}
				// Retag from inside the iteration, as `topicfeed retag` does.
				return db.UpdateTagging(ctx, it.ID, news.Tagging{OnTopic: true, Tags: []string{"retagged"}})
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != n {
				t.Errorf("visited %d items, want %d", len(seen), n)
			}
			if got := len(mustItems(t, db, news.Query{OnTopic: true, Tag: "retagged"})); got != n {
				t.Errorf("%d items retagged, want %d", got, n)
			}
		})
		t.Run("an error from fn stops it", func(t *testing.T) {
			stop := errors.New("stop")
			calls := 0
			err := db.EachItem(ctx, func(news.Item) error {
				calls++
				if calls == 3 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || calls != 3 {
				t.Errorf("EachItem returned %v after %d calls, want stop after 3", err, calls)
			}
		})
	})
}
