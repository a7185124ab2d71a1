package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

func TestOpenConfiguresDatabase(t *testing.T) {
	clock := newTestClock()
	path := filepath.Join(t.TempDir(), "nested", "dir", "topicfeed.db")
	db := openAt(t, path, clock)

	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}
	for _, pool := range []struct {
		name string
		db   *sql.DB
	}{{"writer", db.w}, {"reader", db.r}} {
		t.Run(pool.name, func(t *testing.T) {
			for _, c := range []struct {
				pragma string
				want   string
			}{
				{"journal_mode", "wal"},
				{"foreign_keys", "1"},
				{"busy_timeout", "5000"},
				{"synchronous", "1"}, // NORMAL
				{"user_version", itoa(schemaVersion())},
			} {
				var got string
				if err := pool.db.QueryRow(`PRAGMA ` + c.pragma).Scan(&got); err != nil {
					t.Fatalf("PRAGMA %s: %v", c.pragma, err)
				}
				if got != c.want {
					t.Errorf("PRAGMA %s = %q, want %q", c.pragma, got, c.want)
				}
			}
		})
	}
	t.Run("readers cannot write", func(t *testing.T) {
		if _, err := db.r.Exec(`UPDATE meta SET revision = revision + 1`); err == nil {
			t.Fatal("write through the read pool succeeded")
		}
	})
}

func TestOpenTwiceMigratesOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		clock := newTestClock()
		path := newDatabase(t)
		ctx := context.Background()
		for i := range 3 {
			db, err := Open(ctx, path, WithClock(clock.Now))
			if err != nil {
				t.Fatalf("open %d: %v", i, err)
			}
			if v := storedSchemaVersion(t, db); v != schemaVersion() {
				t.Errorf("open %d: schema version %d, want %d", i, v, schemaVersion())
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// storedSchemaVersion reads the schema version db records.
func storedSchemaVersion(t *testing.T, db *DB) int {
	t.Helper()
	q := `PRAGMA user_version`
	if db.eng == enginePostgres {
		q = `SELECT version FROM topicfeed_schema WHERE id = 1`
	}
	var v int
	if err := db.w.QueryRow(q).Scan(&v); err != nil {
		t.Fatalf("read schema version: %v", err)
	}
	return v
}

// setSchemaVersion records v as db's schema version.
func setSchemaVersion(t *testing.T, db *DB, v int) {
	t.Helper()
	q := `PRAGMA user_version = ` + itoa(v)
	if db.eng == enginePostgres {
		q = `UPDATE topicfeed_schema SET version = ` + itoa(v)
	}
	if _, err := db.w.Exec(q); err != nil {
		t.Fatalf("set schema version: %v", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	eachEngine(t, testOpenRefusesNewerSchema)
}

func testOpenRefusesNewerSchema(t *testing.T) {
	path := newDatabase(t)
	db := openAt(t, path, newTestClock())
	newer := schemaVersion() + 2
	setSchemaVersion(t, db, newer)

	_, err := Open(context.Background(), path)
	if err == nil {
		t.Fatal("Open of a newer schema succeeded")
	}
	want := "database schema version " + itoa(newer) + " is newer than this topicfeed (" + itoa(schemaVersion()) + "); upgrade topicfeed"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	var sv *SchemaVersionError
	if !errors.As(err, &sv) || sv.Found != newer || sv.Known != schemaVersion() {
		t.Errorf("error %#v is not a SchemaVersionError{%d, %d}", err, newer, schemaVersion())
	}
}

func TestOpenRejectsUnusableFiles(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("this is not an sqlite database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path, want string
	}{
		{"not a database", garbage, "not a database"},
		{"parent is a file", filepath.Join(blocker, "topicfeed.db"), "directory"},
		{"memory", ":memory:", "want a file path"},
		{"empty", "", "want a file path"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := Open(context.Background(), c.path)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded", c.path)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Open(%q) error %q, want it to mention %q", c.path, err, c.want)
			}
		})
	}
}

func TestOpenDetectsCorruption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "topicfeed.db")
	clock := newTestClock()
	db := openAt(t, path, clock, "A")
	var batch []news.Item
	for i := range 300 {
		batch = append(batch, item("A", "g"+itoa(i), "https://a.example/"+itoa(i), "Title "+itoa(i), day(i%30)))
	}
	mustSave(t, db, "A", batch...)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Overwrite a page in the middle of the file (not the header) with
	// garbage: the b-tree pages no longer parse.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	junk := []byte(strings.Repeat("\xff\x00junk", 4096/6))
	if _, err := f.WriteAt(junk, fi.Size()/2/4096*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()

	db2, err := Open(context.Background(), path)
	if err == nil {
		db2.Close()
		t.Fatal("Open of a damaged database succeeded")
	}
	if !strings.Contains(err.Error(), "damaged") && !strings.Contains(err.Error(), "malformed") {
		t.Errorf("error %q does not say the database is damaged", err)
	}
}

func TestRevision(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A", "B")
		rev := func() (int64, int64) {
			t.Helper()
			r, err := db.Revision(ctx)
			if err != nil {
				t.Fatal(err)
			}
			c, err := db.ContentRevision(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return r, c
		}
		a := item("A", "a1", "https://a.example/1", "One", day(1))
		var stored int64

		for _, c := range []struct {
			name             string
			do               func() error
			revUp, contentUp bool
		}{
			{"new item", func() error { _, err := db.SaveFetch(ctx, mustState(t, db, "A"), []news.Item{a}); return err }, true, true},
			{"unchanged re-poll", func() error { _, err := db.SaveFetch(ctx, mustState(t, db, "A"), []news.Item{a}); return err }, true, false},
			{"outlet state", func() error {
				st := mustState(t, db, "A")
				st.LastStatus = 304
				return db.SaveOutletState(ctx, st)
			}, true, false},
			{"duplicate source", func() error {
				_, err := db.SaveFetch(ctx, mustState(t, db, "B"), []news.Item{item("B", "b1", a.URL, "One", day(1))})
				return err
			}, true, true},
			{"retag", func() error {
				its := mustItems(t, db, news.Query{})
				stored = its[0].ID
				return db.UpdateTagging(ctx, stored, news.Tagging{OnTopic: true, Tags: []string{"drones"}})
			}, true, true},
			{"same tagging again", func() error {
				return db.UpdateTagging(ctx, stored, news.Tagging{OnTopic: true, Tags: []string{"drones"}})
			}, false, false},
			{"sync outlets", func() error { return db.SyncOutlets(ctx, testOutlets("A")) }, true, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				r0, c0 := rev()
				if err := c.do(); err != nil {
					t.Fatal(err)
				}
				r1, c1 := rev()
				if (r1 > r0) != c.revUp || r1 < r0 {
					t.Errorf("revision %d → %d, want up=%v", r0, r1, c.revUp)
				}
				if (c1 > c0) != c.contentUp || c1 < c0 {
					t.Errorf("content revision %d → %d, want up=%v", c0, c1, c.contentUp)
				}
			})
		}
	})
}

func TestBackgroundCheckpoint(t *testing.T) {
	db := openTest(t, newTestClock(), "A")
	size := func() int64 {
		t.Helper()
		fi, err := os.Stat(db.path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	var items []news.Item
	for i := range 200 {
		items = append(items, withText(item("A", itoa(i), "https://a.example/"+itoa(i), "T"+itoa(i), day(i%30)), strings.Repeat("text "+itoa(i)+" ", 200)))
	}
	mustSave(t, db, "A", items...)
	// The committed pages reach the main file while the database is open,
	// though the writer's own checkpoint threshold is far above what 200
	// items take.
	deadline := time.Now().Add(10 * time.Second)
	for size() <= before+100*4096 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes 10s after the commit, %d before: no background checkpoint", size(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdentityLookupPlans checks that SaveFetch's per-item lookups are
// index searches, whatever the store size.
func TestIdentityLookupPlans(t *testing.T) {
	db := seedQueryFixture(t)
	for _, c := range []struct {
		name, sql string
		args      []any
		want      []string
	}{
		{"source", sourceSQL, []any{1, lookupKey("1"), "1"}, []string{"sources_guid"}},
		{"article", articleSQL, []any{lookupKey("https://a.example/1"), "https://a.example/1", lookupKey("x"), "x"},
			[]string{"items_url_key", "items_hash_key"}},
		{"uid", `SELECT 1 FROM items WHERE uid = ?`, []any{"abc"}, []string{"sqlite_autoindex_items_1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, err := db.w.Query(`EXPLAIN QUERY PLAN `+c.sql, c.args...)
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
			for _, idx := range c.want {
				if !strings.Contains(text, idx) {
					t.Errorf("plan does not use %s:\n%s", idx, text)
				}
			}
			// a subquery, unnamed or named (CO-ROUTINE name), is no table
			subqueries := map[string]bool{}
			for _, line := range plan {
				if name, ok := strings.CutPrefix(line, "CO-ROUTINE "); ok {
					subqueries[name] = true
				}
			}
			for _, line := range plan {
				if strings.HasPrefix(line, "SCAN ") && !strings.HasPrefix(line, "SCAN (subquery") && !subqueries[strings.TrimPrefix(line, "SCAN ")] {
					t.Errorf("plan scans a table:\n%s", text)
				}
			}
		})
	}
}

// TestCacheBytes checks that CacheBytes adds up the page caches the
// connections are configured with, so that a Go memory limit can leave
// room for them.
func TestCacheBytes(t *testing.T) {
	ctx := context.Background()
	for _, readers := range []int{1, 3} {
		t.Run(fmt.Sprintf("readers=%d", readers), func(t *testing.T) {
			db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), WithReaders(readers))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			kib := func(pool *sql.DB) int64 {
				var n int64
				if err := pool.QueryRow(`PRAGMA cache_size`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n >= 0 {
					t.Fatalf("cache_size = %d pages, want a size in KiB (negative)", n)
				}
				return -n
			}
			want := (kib(db.w) + int64(readers)*kib(db.r) + kib(db.ckpt.conn)) * 1024
			if got := db.CacheBytes(); got != want {
				t.Errorf("CacheBytes() = %d, want %d", got, want)
			}
		})
	}
}
