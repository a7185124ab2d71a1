package storage

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/news"
)

// TestCountsAgreeWithRecount runs every path that adds, changes or deletes
// items and checks after each that Stats (the maintained counts) equals a
// recount of the tables.
func TestCountsAgreeWithRecount(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		seen := func(it news.Item) news.Item { it.FirstSeen = it.Published; return it }
		on := func(guid string, d int, story string, topics []string, tags ...string) news.Item {
			it := seen(tagged(item("A", guid, "https://a.example/"+guid, "A "+guid, day(d)), true, topics, tags...))
			it.StoryID = story
			return it
		}
		off := func(guid string, d int) news.Item {
			return seen(tagged(item("A", guid, "https://a.example/"+guid, "A "+guid, day(d)), false, nil, "sport"))
		}
		db := openTest(t, newTestClock(), "A", "B")
		var a1ID, a5ID int64
		for _, step := range []struct {
			name string
			do   func(t *testing.T)
			want Stats // Items, OnTopic, Stories only; the maps are checked against the recount
		}{
			{"empty", func(*testing.T) {}, Stats{}},
			{"new items", func(t *testing.T) {
				mustSave(t, db, "A",
					on("a1", 1, "s1", []string{"ir"}, "drones"),
					on("a2", 2, "s1", []string{"ir", "ua"}, "drones", "sanctions"),
					on("a3", 3, "", []string{"ua"}, "sanctions"),
					off("a4", 4), off("a5", 5))
			}, Stats{Items: 5, OnTopic: 3, Stories: 4}},
			{"a new item of a stored story", func(t *testing.T) {
				mustSave(t, db, "A", on("a6", 6, "s1", []string{"ua"}, "drones"))
			}, Stats{Items: 6, OnTopic: 4, Stories: 4}},
			{"duplicates and re-polls", func(t *testing.T) {
				mustSave(t, db, "B", seen(item("B", "b1", "https://a.example/a1", "a1 at B", day(1))))
				mustSave(t, db, "A", on("a1", 1, "s1", []string{"ir"}, "drones"))
			}, Stats{Items: 6, OnTopic: 4, Stories: 4}},
			{"update in place: off topic", func(t *testing.T) {
				mustSave(t, db, "A", seen(tagged(withText(item("A", "a2", "https://a.example/a2", "A a2", day(2)), "edited"), false, nil, "drones")))
			}, Stats{Items: 6, OnTopic: 3, Stories: 4}},
			{"update in place: other labels", func(t *testing.T) {
				mustSave(t, db, "A", withText(on("a3", 3, "", []string{"ir"}, "drones", "military"), "edited"))
			}, Stats{Items: 6, OnTopic: 3, Stories: 4}},
			{"retag: on topic", func(t *testing.T) {
				items := mustItems(t, db, news.Query{})
				for _, it := range items {
					switch it.GUID {
					case "a5":
						a5ID = it.ID
					case "a1":
						a1ID = it.ID
					}
				}
				if err := db.UpdateTagging(ctx, a5ID, news.Tagging{OnTopic: true, Topics: []string{"ua"}, Tags: []string{"energy"}}); err != nil {
					t.Fatal(err)
				}
			}, Stats{Items: 6, OnTopic: 4, Stories: 4}},
			{"retag: off topic", func(t *testing.T) {
				if err := db.UpdateTagging(ctx, a1ID, news.Tagging{OnTopic: false, Tags: []string{"drones"}}); err != nil {
					t.Fatal(err)
				}
			}, Stats{Items: 6, OnTopic: 3, Stories: 4}},
			{"prune one item of a story", func(t *testing.T) {
				if n, err := db.Prune(ctx, day(2)); err != nil || n != 1 {
					t.Fatalf("Prune: %d, %v", n, err)
				}
			}, Stats{Items: 5, OnTopic: 3, Stories: 4}},
			{"prune the last items of stories, and more", func(t *testing.T) {
				if n, err := db.Prune(ctx, day(5)); err != nil || n != 3 {
					t.Fatalf("Prune: %d, %v", n, err)
				}
			}, Stats{Items: 2, OnTopic: 2, Stories: 2}},
			{"prune everything", func(t *testing.T) {
				if n, err := db.Prune(ctx, day(50)); err != nil || n != 2 {
					t.Fatalf("Prune: %d, %v", n, err)
				}
			}, Stats{}},
		} {
			step.do(t)
			got, err := db.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			recount, err := db.countStats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !equalStats(got, recount) {
				t.Errorf("after %s: Stats\n %+v\nrecount\n %+v", step.name, got, recount)
			}
			if got.Items != step.want.Items || got.OnTopic != step.want.OnTopic || got.Stories != step.want.Stories {
				t.Errorf("after %s: Stats %+v, want items %d, on topic %d, stories %d",
					step.name, got, step.want.Items, step.want.OnTopic, step.want.Stories)
			}
		}
	})
}

func equalStats(a, b Stats) bool {
	return a.Items == b.Items && a.OnTopic == b.OnTopic && a.Stories == b.Stories &&
		maps.Equal(a.ByTopic, b.ByTopic) && maps.Equal(a.ByTag, b.ByTag)
}

// TestMigrateCounts opens a database of schema version 3 (before the
// counts) and checks that the migration counts what is stored.
func TestMigrateCounts(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db := openAt(t, path, newTestClock(), "A", "B", "C")
	mustSave(t, db, "A", tagged(item("A", "1", "https://a.example/1", "t1", day(1)), true, []string{"ir"}, "drones"),
		tagged(item("A", "2", "https://a.example/2", "t2", day(2)), false, nil, "drones"))
	mustSave(t, db, "B", tagged(item("B", "3", "https://b.example/3", "t3", day(3)), true, []string{"ir", "ua"}, "sanctions"),
		item("B", "b1", "https://a.example/1", "t1 at B", day(1)))
	want, err := db.countStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TABLE host_leases`,                       // migration 9
		`ALTER TABLE items DROP COLUMN pending_html`,   // migration 8
		`ALTER TABLE items DROP COLUMN outlet_updated`, // migration 7
		`DROP INDEX items_related`,                     // migration 6
		`ALTER TABLE items DROP COLUMN story_why`,
		`ALTER TABLE items DROP COLUMN related_story`,
		`ALTER TABLE items DROP COLUMN story_changed`,
		`DROP TABLE story_states`, // migration 5
		`DROP TABLE counts`,
		`PRAGMA user_version = 3`,
	} {
		if _, err := db.w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, newTestClock())
	got, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !equalStats(got, want) || got.Items != 3 || got.ByTopic["ua"] != 1 {
		t.Errorf("Stats after migration %+v, want %+v", got, want)
	}
}

// TestCountsPlans checks that keeping the counts probes indexes and never
// scans a table whose size grows with the store.
func TestCountsPlans(t *testing.T) {
	db := seedQueryFixture(t)
	for _, c := range []struct {
		name, sql string
		args      []any
	}{
		{"new stories", newStoriesSQL(engineSQLite), []any{`["a","b"]`, `[1,2]`}},
		{"prune", `WITH ids(id) AS (VALUES (?), (?)) ` + pruneCountsSQL, []any{1, 2}},
	} {
		rows, err := db.w.Query(`EXPLAIN QUERY PLAN `+c.sql, c.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, p := range plan {
			for _, table := range []string{"items", "item_topics", "item_tags", "counts"} {
				if strings.HasPrefix(p, "SCAN "+table) || strings.Contains(p, "(on_topic=?)") {
					t.Errorf("%s scans %s:\n%s", c.name, table, strings.Join(plan, "\n"))
				}
			}
		}
		t.Logf("%s:\n%s", c.name, strings.Join(plan, "\n"))
	}
}

// countStats counts what Stats reports from the tables themselves: the
// reference the maintained counts are tested against.
func (db *DB) countStats(ctx context.Context) (Stats, error) {
	s := Stats{ByTopic: map[string]int{}, ByTag: map[string]int{}}
	// One read transaction, so that the counts agree with each other.
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("count items: %w", err)
	}
	defer tx.Rollback()
	for _, c := range []struct {
		sql string
		dst *int
	}{
		// Each is a scan of a small covering index, never of the items.
		{`SELECT count(*) FROM items`, &s.Items},
		{`SELECT count(*) FROM items WHERE on_topic = 1`, &s.OnTopic},
		{`SELECT count(DISTINCT story_id) FROM items`, &s.Stories},
	} {
		if err := tx.QueryRowContext(ctx, c.sql).Scan(c.dst); err != nil {
			return Stats{}, fmt.Errorf("count items: %w", err)
		}
	}
	for _, q := range []struct {
		sql string
		m   map[string]int
	}{
		{`SELECT topic, count(*) FROM item_topics WHERE on_topic = 1 GROUP BY topic`, s.ByTopic},
		{`SELECT tag, count(*) FROM item_tags WHERE on_topic = 1 GROUP BY tag`, s.ByTag},
	} {
		rows, err := tx.QueryContext(ctx, q.sql)
		if err != nil {
			return Stats{}, fmt.Errorf("count items by label: %w", err)
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return Stats{}, fmt.Errorf("count items by label: %w", err)
			}
			q.m[k] = n
		}
		if err := rows.Close(); err != nil {
			return Stats{}, fmt.Errorf("count items by label: %w", err)
		}
		if err := rows.Err(); err != nil {
			return Stats{}, fmt.Errorf("count items by label: %w", err)
		}
	}
	return s, nil
}
