package storage

import (
	"context"
	"database/sql"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/topicfeed/topicfeed/news"
)

func withRaw(it news.Item, h uint64) news.Item {
	it.RawHash = h
	return it
}

func mustKnownRaw(tb testing.TB, db *DB, outlet string, hashes ...uint64) []uint64 {
	tb.Helper()
	known, err := db.KnownRaw(context.Background(), outlet, hashes)
	if err != nil {
		tb.Fatalf("KnownRaw(%s): %v", outlet, err)
	}
	got := slices.Sorted(maps.Keys(known))
	for _, h := range got {
		if !known[h] {
			tb.Errorf("KnownRaw(%s) has %d = false", outlet, h)
		}
	}
	return got
}

// TestKnownRaw stores fetches with raw-entry fingerprints and asks which
// fingerprints are known for an outlet.
func TestKnownRaw(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		const big = uint64(1)<<63 + 12345 // beyond int64: stored by its bits
		a1 := item("A", "a-1", "https://a.example/1", "One", day(1))
		a2 := item("A", "a-2", "https://a.example/2", "Two", day(2))
		b1 := item("B", "b-1", a1.URL, "One, again", day(1)) // a duplicate of a1
		type fetch struct {
			outlet string
			items  []news.Item
		}
		for _, c := range []struct {
			name   string
			fetch  []fetch
			outlet string
			ask    []uint64
			want   []uint64
		}{
			{
				name:   "new items round trip",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 11), withRaw(a2, big)}}},
				outlet: "A", ask: []uint64{11, 12, big, big - 1},
				want: []uint64{11, big},
			},
			{
				name:   "no hashes asked",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 11)}}},
				outlet: "A", ask: nil,
				want: nil,
			},
			{
				name:   "0 is unset and never matches",
				fetch:  []fetch{{"A", []news.Item{a1, withRaw(a2, 22)}}},
				outlet: "A", ask: []uint64{0, 22},
				want: []uint64{22},
			},
			{
				name:   "another outlet's hashes do not match",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 11)}}, {"B", []news.Item{withRaw(b1, 33)}}},
				outlet: "B", ask: []uint64{11, 33},
				want: []uint64{33},
			},
			{
				name:   "a duplicate's source is the other outlet's, not the item's",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 11)}}, {"B", []news.Item{withRaw(b1, 33)}}},
				outlet: "A", ask: []uint64{11, 33},
				want: []uint64{11},
			},
			{
				name:   "unknown outlet",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 11)}}},
				outlet: "Nobody", ask: []uint64{11},
				want: nil,
			},
			{
				name:   "unchanged item with a new raw entry replaces the fingerprint",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 11)}}, {"A", []news.Item{withRaw(a1, 12)}}},
				outlet: "A", ask: []uint64{11, 12},
				want: []uint64{12},
			},
			{
				name:   "unchanged item without a fingerprint keeps the stored one",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 11)}}, {"A", []news.Item{a1}}},
				outlet: "A", ask: []uint64{11},
				want: []uint64{11},
			},
			{
				name:   "a row stored without a fingerprint gets one on the next poll",
				fetch:  []fetch{{"A", []news.Item{a1}}, {"A", []news.Item{withRaw(a1, 11)}}},
				outlet: "A", ask: []uint64{11},
				want: []uint64{11},
			},
			{
				name: "updated item",
				fetch: []fetch{{"A", []news.Item{withRaw(a1, 11)}},
					{"A", []news.Item{withRaw(withText(a1, "Corrected."), 13)}}},
				outlet: "A", ask: []uint64{11, 13},
				want: []uint64{13},
			},
			{
				name:   "another outlet's unchanged copy",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 11)}}, {"B", []news.Item{withRaw(b1, 33)}}, {"B", []news.Item{withRaw(b1, 34)}}},
				outlet: "B", ask: []uint64{33, 34},
				want: []uint64{34},
			},
			{
				name: "another outlet's edited copy",
				fetch: []fetch{{"A", []news.Item{withRaw(a1, 11)}}, {"B", []news.Item{withRaw(b1, 33)}},
					{"B", []news.Item{func() news.Item { it := withRaw(b1, 35); it.Title = "Retitled"; return it }()}}},
				outlet: "B", ask: []uint64{33, 35},
				want: []uint64{35},
			},
			{
				name:   "an alias GUID of the outlet's own item",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 11)}}, {"A", []news.Item{withRaw(func() news.Item { it := a1; it.GUID = "a-1-alias"; return it }(), 14)}}},
				outlet: "A", ask: []uint64{11, 14},
				want: []uint64{11, 14},
			},
			{
				name:   "more hashes than one query takes",
				fetch:  []fetch{{"A", []news.Item{withRaw(a1, 1), withRaw(a2, 1100)}}},
				outlet: "A", ask: seq(1, 1200),
				want: []uint64{1, 1100},
			},
		} {
			t.Run(c.name, func(t *testing.T) {
				db := openTest(t, newTestClock(), "A", "B")
				for _, f := range c.fetch {
					mustSave(t, db, f.outlet, f.items...)
				}
				got := mustKnownRaw(t, db, c.outlet, c.ask...)
				if !slices.Equal(got, c.want) {
					t.Errorf("KnownRaw(%s, %v) = %v, want %v", c.outlet, short(c.ask), got, c.want)
				}
			})
		}
	})
}

func seq(from, to uint64) []uint64 {
	var out []uint64
	for h := from; h <= to; h++ {
		out = append(out, h)
	}
	return out
}

func short(v []uint64) []uint64 {
	if len(v) > 8 {
		return v[:8]
	}
	return v
}

// TestKnownRawUsesIndex checks that the query probes sources_raw.
func TestKnownRawUsesIndex(t *testing.T) {
	db := openTest(t, newTestClock(), "A")
	rows, err := db.r.Query(`EXPLAIN QUERY PLAN SELECT raw_hash FROM sources
		WHERE outlet_id = (SELECT id FROM outlets WHERE name = ?) AND raw_hash <> 0
		AND raw_hash IN (?, ?)`, "A", 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if !slices.ContainsFunc(plan, func(s string) bool {
		return s == "SEARCH sources USING COVERING INDEX sources_raw (outlet_id=? AND raw_hash=?)"
	}) {
		t.Errorf("plan %q does not search sources_raw", plan)
	}
}

// TestMigrateRawHash opens a database file of schema version 2 (before
// raw_hash) and checks that its items are kept and get fingerprints on
// the next poll.
func TestMigrateRawHash(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	a1 := item("A", "a-1", "https://a.example/1", "One", day(1))
	a2 := item("A", "a-2", "https://a.example/2", "Two", day(2))

	// Write items, then take the file back to version 2 as an older
	// topicfeed left it.
	db, err := Open(ctx, path, WithClock(newTestClock().Now))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SyncOutlets(ctx, testOutlets("A")); err != nil {
		t.Fatal(err)
	}
	mustSave(t, db, "A", a1, a2)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := sql.Open("sqlite", dsn(path, connWriter))
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
		`DROP TABLE counts`,       // migration 4
		`DROP INDEX sources_raw`,
		`ALTER TABLE sources DROP COLUMN raw_hash`,
		`PRAGMA user_version = 2`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	db = openAt(t, path, newTestClock())
	var v int
	if err := db.r.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != schemaVersion() {
		t.Fatalf("user_version %d (%v), want %d", v, err, schemaVersion())
	}
	if got := titles(mustItems(t, db, news.Query{})); !slices.Equal(got, []string{"Two", "One"}) {
		t.Fatalf("items after migration: %q", got)
	}
	if got := mustKnownRaw(t, db, "A", 0, 1, 2); len(got) != 0 {
		t.Errorf("KnownRaw after migration = %v, want none", got)
	}
	if st := mustSave(t, db, "A", withRaw(a1, 1), withRaw(a2, 2)); st != (news.SaveStats{Unchanged: 2}) {
		t.Errorf("re-poll after migration: %+v, want 2 unchanged", st)
	}
	if got := mustKnownRaw(t, db, "A", 0, 1, 2); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("KnownRaw after the re-poll = %v, want [1 2]", got)
	}
}
