package storage

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestSchemaGolden pins the schema a fresh database gets. A change here
// must come with a new migration step (released steps are never edited);
// regenerate with go test ./storage -run TestSchemaGolden -update.
func TestSchemaGolden(t *testing.T) {
	db := openTest(t, newTestClock())
	rows, err := db.r.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_schema
		WHERE name NOT LIKE 'sqlite_%' ORDER BY type DESC, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	b.WriteString("-- user_version " + itoa(schemaVersion()) + "\n")
	for rows.Next() {
		var typ, name, sql string
		if err := rows.Scan(&typ, &name, &sql); err != nil {
			t.Fatal(err)
		}
		// Fold the indentation of the Go source away.
		lines := strings.Split(sql, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimSpace(l)
		}
		b.WriteString("-- " + typ + " " + name + "\n" + strings.Join(lines, "\n  ") + ";\n\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "schema.sql")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("schema differs from %s (add a migration step, then -update):\n%s", golden, got)
	}
}

func TestMigrateSteps(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, newTestClock(), "A")
	mustSave(t, db, "A", item("A", "g", "https://a.example/1", "One", day(1)))
	version := func() int {
		t.Helper()
		var v int
		if err := db.w.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	steps := schemaSteps()

	t.Run("a failing step leaves the previous version", func(t *testing.T) {
		bad := append(steps[:len(steps):len(steps)], []string{
			`CREATE TABLE half_done (x INTEGER)`,
			`ALTER TABLE no_such_table ADD COLUMN y INTEGER`,
		})
		err := db.migrate(ctx, bad)
		if err == nil || !strings.Contains(err.Error(), "version "+itoa(len(bad))) {
			t.Fatalf("migrate with a bad step: %v, want an error naming version %d", err, len(bad))
		}
		if v := version(); v != len(steps) {
			t.Errorf("user_version %d after a failed step, want %d", v, len(steps))
		}
		var n int
		if err := db.w.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the failed step's first statement was kept (%d, %v)", n, err)
		}
	})
	t.Run("a new step runs once and keeps the data", func(t *testing.T) {
		next := append(steps[:len(steps):len(steps)], []string{
			`ALTER TABLE items ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'`,
		})
		for range 2 {
			if err := db.migrate(ctx, next); err != nil {
				t.Fatal(err)
			}
		}
		if v := version(); v != len(next) {
			t.Errorf("user_version %d, want %d", v, len(next))
		}
		var extra string
		if err := db.w.QueryRow(`SELECT extra FROM items`).Scan(&extra); err != nil || extra != "x" {
			t.Errorf("migrated item: %q, %v", extra, err)
		}
	})
}
