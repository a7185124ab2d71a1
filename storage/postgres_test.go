package storage

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage/pgtest"
)

func TestIsPostgresURLAndRedact(t *testing.T) {
	for _, c := range []struct {
		in     string
		pg     bool
		redact string
	}{
		{"data/topicfeed.db", false, "data/topicfeed.db"},
		{"/var/lib/topicfeed/postgres.db", false, "/var/lib/topicfeed/postgres.db"},
		{"postgres://tf:secret@db.internal:5432/topicfeed?sslmode=require", true, "postgres://tf:xxxxx@db.internal:5432/topicfeed?sslmode=require"},
		{"postgresql://tf@db/topicfeed", true, "postgresql://tf@db/topicfeed"},
		{"postgres://db/topicfeed?user=tf&password=secret", true, "postgres://db/topicfeed?password=xxxxx&user=tf"},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := IsPostgresURL(c.in); got != c.pg {
				t.Errorf("IsPostgresURL = %v, want %v", got, c.pg)
			}
			if got := Redact(c.in); got != c.redact {
				t.Errorf("Redact = %q, want %q", got, c.redact)
			}
		})
	}
}

func TestSchemaStepsNumberedAlike(t *testing.T) {
	if pg, lite := len(postgresSchemaSteps()), len(schemaSteps()); pg != lite {
		t.Errorf("PostgreSQL has %d schema steps, SQLite %d: append each step to both", pg, lite)
	}
}

// Nodes starting at once on an empty database migrate it once, and all
// open it.
func TestPostgresConcurrentOpenMigratesOnce(t *testing.T) {
	pgtest.Cluster(t)
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	const nodes = 6
	var wg sync.WaitGroup
	dbs := make([]*DB, nodes)
	errs := make([]error, nodes)
	for i := range nodes {
		wg.Go(func() { dbs[i], errs[i] = Open(ctx, url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: Open: %v", i, err)
			continue
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	if t.Failed() {
		return
	}
	if v := storedSchemaVersion(t, dbs[0]); v != schemaVersion() {
		t.Errorf("schema version %d, want %d", v, schemaVersion())
	}
	// one meta row: the first step ran once
	var metas int
	if err := dbs[0].r.QueryRow(`SELECT count(*) FROM meta`).Scan(&metas); err != nil || metas != 1 {
		t.Errorf("meta rows %d (%v), want 1", metas, err)
	}
	// every node writes and sees the others' writes
	if err := dbs[0].SyncOutlets(ctx, testOutlets("A")); err != nil {
		t.Fatal(err)
	}
	for i, db := range dbs {
		if _, err := db.OutletState(ctx, "A"); err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
}

func TestPostgresBackupSaysPgDump(t *testing.T) {
	pgtest.Cluster(t)
	db := openAt(t, pgtest.NewDatabase(t), newTestClock())
	err := db.Backup(context.Background(), t.TempDir()+"/copy.db")
	if !errors.Is(err, ErrBackupPostgres) {
		t.Fatalf("Backup = %v, want ErrBackupPostgres", err)
	}
}

// Open refuses a URL it cannot read without repeating it (it may hold a
// password) and reports an unreachable server naming the URL without its
// password.
func TestPostgresOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, err := Open(ctx, "postgres://tf:secret@%zz/db")
	if err == nil {
		t.Fatal("Open of an unreadable URL succeeded")
	}
	// a port nothing listens on: loopback refuses at once
	_, err2 := Open(ctx, "postgres://tf:secret@127.0.0.1:1/topicfeed?connect_timeout=2")
	if err2 == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	for _, e := range []error{err, err2} {
		if msg := e.Error(); strings.Contains(msg, "secret") {
			t.Errorf("error shows the password: %s", msg)
		}
	}
}

// A node learns of another node's write within moments (LISTEN/NOTIFY;
// waitFor allows 5 s, a loaded machine's margin),
// and between writes answers Revision from its cache.
func TestPostgresRevisionFollowsOtherNodes(t *testing.T) {
	pgtest.Cluster(t)
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	a := openAt(t, url, newTestClock(), "A")
	b := openAt(t, url, newTestClock())

	listening := func(db *DB) bool {
		db.revs.mu.Lock()
		defer db.revs.mu.Unlock()
		return db.revs.listening
	}
	waitFor(t, "node A listens", func() bool { return listening(a) })

	rev0, err := a.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	content0, err := a.ContentRevision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, cached, _ := a.revs.get(); !cached {
		t.Fatal("node A does not answer Revision from its cache while listening")
	}

	// node B stores an item: A sees both revisions move
	mustSave(t, b, "A", item("A", "g1", "https://a.example/1", "One", day(1)))
	waitFor(t, "node A sees node B's write", func() bool {
		rev, err1 := a.Revision(ctx)
		content, err2 := a.ContentRevision(ctx)
		return err1 == nil && err2 == nil && rev > rev0 && content > content0
	})
	if got := len(mustItems(t, a, news.Query{})); got != 1 {
		t.Errorf("node A reads %d items, want 1", got)
	}
	// and the revisions agree across nodes
	ra, _ := a.ContentRevision(ctx)
	rb, _ := b.ContentRevision(ctx)
	if ra != rb {
		t.Errorf("content revision %d on node A, %d on node B", ra, rb)
	}
}

// When the server drops every connection (a restart, a failover), the
// next write succeeds on a new connection, nothing is stored twice, and
// the revision listener reconnects. (A write in flight when the server
// goes fails whole; the poller stores the feed again at its next poll.)
func TestPostgresConnectionsLost(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	db := openAt(t, url, newTestClock(), "A")
	batch := func(r int) []news.Item {
		var items []news.Item
		for i := range 5 {
			n := r*5 + i
			items = append(items, item("A", "g"+itoa(n), "https://a.example/"+itoa(n), "Item "+itoa(n), day(n)))
		}
		return items
	}
	mustSave(t, db, "A", batch(0)...)
	listening := func() bool {
		db.revs.mu.Lock()
		defer db.revs.mu.Unlock()
		return db.revs.listening
	}
	waitFor(t, "the listener connects", listening)

	// terminate every connection of this database but the one asking
	var name string
	if err := db.r.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	var killed int
	if err := db.r.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = ? AND pid <> pg_backend_pid()`, name).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed < 2 {
		t.Fatalf("terminated %d connections, want the writer's and the listener's at least", killed)
	}

	// the writer's dropped connection fails at BEGIN, which writeTx tries
	// once more on a new connection
	st := mustState(t, db, "A")
	st.ETag = "after"
	if _, err := db.SaveFetch(ctx, st, batch(1)); err != nil {
		t.Fatalf("write after the connections were lost: %v", err)
	}
	if got := countRows(t, db, "items"); got != 10 {
		t.Errorf("%d items, want 10", got)
	}
	if got := mustState(t, db, "A").ETag; got != "after" {
		t.Errorf("stored ETag %q, want the one saved with the retried batch", got)
	}
	waitFor(t, "the listener reconnects", listening)
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 5s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Outlets are listed in byte order on PostgreSQL too, whatever the
// database's collation (here a locale's, which sorts case and punctuation
// otherwise).
func TestPostgresOutletsInByteOrder(t *testing.T) {
	url := pgtest.NewDatabase(t, `LOCALE_PROVIDER icu ICU_LOCALE 'en' TEMPLATE template0`)
	db := openAt(t, url, newTestClock(), "b", "ab", "B", "a-c")
	all, err := db.Outlets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range all {
		names = append(names, st.Name)
	}
	if want := []string{"B", "a-c", "ab", "b"}; !slices.Equal(names, want) {
		t.Errorf("Outlets in order %q, want %q (bytes)", names, want)
	}
}

// An item's text is compressed with lz4 on a server that has it, unless
// the database sets default_toast_compression itself.
func TestPostgresCompressesTextWithLZ4(t *testing.T) {
	ctx := context.Background()
	probe, err := sql.Open("pgx", pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	if _, err := probe.ExecContext(ctx, `SET default_toast_compression = lz4`); err != nil {
		t.Skipf("the test cluster has no lz4 compression (PostgreSQL 14+ built with lz4): %v", err)
	}
	// compressible and larger than TOAST's 2 kB threshold
	text := strings.Repeat("Iranian drones over Kyiv, the sanctions talks in Moscow and the Gulf. ", 200)
	for _, c := range []struct {
		name, databaseSetting, want string
	}{
		{"server default", "", "lz4"},
		{"set by the database", "pglz", "pglz"},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := pgtest.NewDatabase(t)
			if c.databaseSetting != "" {
				admin, err := sql.Open("pgx", url)
				if err != nil {
					t.Fatal(err)
				}
				defer admin.Close()
				var name string
				if err := admin.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
					t.Fatal(err)
				}
				if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+name+` SET default_toast_compression = `+c.databaseSetting); err != nil {
					t.Fatal(err)
				}
			}
			db := openAt(t, url, newTestClock(), "A")
			mustSave(t, db, "A", withText(item("A", "g1", "https://a.example/1", "Drones", day(1)), text))
			var method sql.NullString
			if err := db.r.QueryRowContext(ctx, `SELECT pg_column_compression(text) FROM items`).Scan(&method); err != nil {
				t.Fatal(err)
			}
			if method.String != c.want {
				t.Errorf("the item's text is compressed with %q, want %q", method.String, c.want)
			}
		})
	}
}
