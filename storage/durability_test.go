package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/topicfeed/topicfeed/news"
)

// snapshot is everything a failed SaveFetch must leave as it was.
type snapshot struct {
	Items    []news.Item
	Outlets  []news.OutletState
	Counts   map[string]int
	Revision int64
}

func takeSnapshot(t *testing.T, db *DB) snapshot {
	t.Helper()
	ctx := context.Background()
	outlets, err := db.Outlets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := db.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, table := range []string{"items", "sources", "item_outlets", "item_tags", "item_topics"} {
		counts[table] = countRows(t, db, table)
	}
	return snapshot{Items: mustItems(t, db, news.Query{}), Outlets: outlets, Counts: counts, Revision: rev}
}

// cancelBatch is called by the SQL function topicfeed_test_cancel(), which
// a test's trigger calls to cancel a SaveFetch while it writes.
var cancelBatch atomic.Pointer[context.CancelFunc]

func init() {
	sqlite.MustRegisterScalarFunction("topicfeed_test_cancel", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		if cancel := cancelBatch.Load(); cancel != nil {
			(*cancel)()
		}
		return nil, nil
	})
}

func TestSaveFetchIsAllOrNothing(t *testing.T) {
	eachEngine(t, testSaveFetchIsAllOrNothing)
}

func testSaveFetchIsAllOrNothing(t *testing.T) {
	batch := func() []news.Item {
		var items []news.Item
		for i := range 40 {
			items = append(items, tagged(item("A", "new-"+itoa(i), "https://a.example/new/"+itoa(i), "New "+itoa(i), day(i)), true, []string{"ir"}, "drones"))
		}
		// An edit of a stored item and a duplicate of B's item, so that
		// updates and source additions are in the batch too.
		items = append(items, withText(item("A", "old", "https://a.example/old", "Old, edited", day(0)), "edited"))
		items = append(items, item("A", "dup", "https://b.example/1", "B's story at A", day(0)))
		return items
	}
	for _, c := range []struct {
		name string
		// break the batch: returns the items to save and how a trigger
		// breaks it, if one does (breakCancel, breakFail)
		setup func(cancel context.CancelFunc) ([]news.Item, batchBreak)
	}{
		{"context cancelled mid-batch", func(cancel context.CancelFunc) ([]news.Item, batchBreak) {
			cancelBatch.Store(&cancel)
			return batch(), breakCancel
		}},
		{"item violating a constraint mid-batch", func(context.CancelFunc) ([]news.Item, batchBreak) {
			items := batch()
			bad := item("A", "", "", "No identity at all", day(1)) // guid <> '' check
			items = append(items[:20], append([]news.Item{bad}, items[20:]...)...)
			return items, breakNone
		}},
		{"failure at the last item", func(context.CancelFunc) ([]news.Item, batchBreak) {
			return batch(), breakFail
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openTest(t, newTestClock(), "A", "B")
			mustSave(t, db, "A", item("A", "old", "https://a.example/old", "Old", day(0)))
			mustSave(t, db, "B", item("B", "b1", "https://b.example/1", "B's story", day(0)))
			before := takeSnapshot(t, db)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			items, how := c.setup(cancel)
			defer cancelBatch.Store(nil)
			st := mustState(t, db, "A")
			st.ETag, st.LastStatus, st.LastError = `"new"`, 200, ""
			stopBreaking := breakBatch(t, db, how, cancel)
			stats, err := db.SaveFetch(ctx, st, items)
			stopBreaking()
			if err == nil {
				t.Fatalf("SaveFetch succeeded (%+v), want an error", stats)
			}
			if stats != (news.SaveStats{}) {
				t.Errorf("failed SaveFetch reported %+v", stats)
			}
			if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("SaveFetch with a cancelled context returned %v, want it to wrap context.Canceled", err)
			}
			t.Logf("error: %v", err)
			after := takeSnapshot(t, db)
			if !reflect.DeepEqual(before, after) {
				t.Errorf("failed SaveFetch changed the store:\nbefore %+v\nafter  %+v", before.Counts, after.Counts)
			}

			// The same batch, unbroken, then goes in whole.
			ok := batch()
			stats, err = db.SaveFetch(context.Background(), st, ok)
			if err != nil {
				t.Fatal(err)
			}
			if want := (news.SaveStats{New: 40, Updated: 1, Duplicate: 1}); stats != want {
				t.Errorf("retry stats %+v, want %+v", stats, want)
			}
			if got := mustState(t, db, "A").ETag; got != `"new"` {
				t.Errorf("outlet state not saved with the batch: etag %q", got)
			}
		})
	}
}

func TestReopenKeepsIdentity(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		path := newDatabase(t)
		clock := newTestClock()
		ctx := context.Background()
		feed := func(outlet string, n int) []news.Item {
			var items []news.Item
			for i := range n {
				it := item(outlet, outlet+itoa(i), "https://"+outlet+".example/"+itoa(i), outlet+" "+itoa(i), day(i))
				if i%3 == 0 {
					it.StoryID = "story-" + itoa(i/3)
				}
				items = append(items, it)
			}
			return items
		}
		type ident struct{ UID, Story, First string }
		idents := func(db *DB) map[string]ident {
			m := map[string]ident{}
			for _, it := range mustItems(t, db, news.Query{}) {
				m[it.Outlet+"|"+it.GUID] = ident{it.UID, it.StoryID, it.FirstSeen.String()}
			}
			return m
		}

		db, err := Open(ctx, path, WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SyncOutlets(ctx, testOutlets("A", "B")); err != nil {
			t.Fatal(err)
		}
		mustSave(t, db, "A", feed("A", 30)...)
		mustSave(t, db, "B", feed("B", 10)...)
		first := idents(db)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}

		clock.Advance(24 * time.Hour)
		db2 := openAt(t, path, clock, "A", "B")
		if got := idents(db2); !reflect.DeepEqual(got, first) {
			t.Fatalf("identities changed across reopen")
		}
		// Re-polling after the restart neither duplicates nor re-identifies.
		stats := mustSave(t, db2, "A", feed("A", 30)...)
		if stats != (news.SaveStats{Unchanged: 30}) {
			t.Errorf("re-poll after reopen: %+v, want 30 unchanged", stats)
		}
		if got := idents(db2); !reflect.DeepEqual(got, first) {
			t.Errorf("identities changed by a re-poll after reopen")
		}
	})
}

// TestConcurrentReadersWhileIngesting runs readers against a writer; run
// with -race. Readers must see consistent snapshots: every item has its
// sources, counts never go down.
func TestConcurrentReadersWhileIngesting(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A", "B")
		const rounds = 30
		done := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		wg.Go(func() {
			defer close(done)
			for r := range rounds {
				var items []news.Item
				for i := range 20 {
					n := r*20 + i
					items = append(items, tagged(item("A", itoa(n), "https://a.example/"+itoa(n), "A "+itoa(n), day(n%50)), n%2 == 0, nil, "drones"))
				}
				if err := saveAs(ctx, db, "A", items...); err != nil {
					errs <- err
					return
				}
				// B carries some of A's items.
				dup := item("B", "b"+itoa(r), "https://a.example/"+itoa(r*20), "B copy", day(r%50))
				if err := saveAs(ctx, db, "B", dup); err != nil {
					errs <- err
					return
				}
			}
		})
		for reader := range 4 {
			wg.Go(func() {
				var lastRev int64
				lastTotal := 0
				for {
					select {
					case <-done:
						return
					case <-time.After(time.Millisecond): // leave the writer some CPU
					}
					// Revision first: what is read after it is at least as new.
					rev, err := db.Revision(ctx)
					if err != nil {
						errs <- err
						return
					}
					if rev < lastRev {
						errs <- fmt.Errorf("revision went back from %d to %d", lastRev, rev)
						return
					}
					lastRev = rev
					items, err := db.Items(ctx, news.Query{OnTopic: reader%2 == 0, Tag: "drones", Limit: 50})
					if err != nil {
						errs <- err
						return
					}
					for _, it := range items {
						if len(it.Sources) == 0 || it.Sources[0].Outlet != "A" {
							errs <- fmt.Errorf("item %s read with sources %+v", it.UID, it.Sources)
							return
						}
						if reader%2 == 0 && !it.OnTopic {
							errs <- fmt.Errorf("off-topic item %s in an on-topic query", it.UID)
							return
						}
					}
					outlets, err := db.Outlets(ctx)
					if err != nil {
						errs <- err
						return
					}
					total := outlets[0].ItemCount
					if total%20 != 0 || total < lastTotal {
						errs <- fmt.Errorf("reader saw item count %d after %d: not a whole number of batches", total, lastTotal)
						return
					}
					lastTotal = total
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := len(mustItems(t, db, news.Query{})); n != rounds*20 {
			t.Errorf("%d items stored, want %d", n, rounds*20)
		}
	})
}

func TestBackupWhileIngesting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openAt(t, filepath.Join(dir, "live.db"), newTestClock(), "A")
	mustSave(t, db, "A", item("A", "seed", "https://a.example/seed", "Seed", day(0)))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	ingested := 0
	wg.Go(func() {
		for r := 0; ; r++ {
			select {
			case <-stop:
				return
			default:
			}
			var items []news.Item
			for i := range 25 {
				n := r*25 + i
				items = append(items, item("A", itoa(n), "https://a.example/"+itoa(n), "T"+itoa(n), day(n%30)))
			}
			if err := saveAs(ctx, db, "A", items...); err != nil {
				t.Error(err)
				return
			}
			ingested += 25
		}
	})
	time.Sleep(50 * time.Millisecond) // let ingestion get going
	backup := filepath.Join(dir, "backups", "copy.db")
	err := db.Backup(ctx, backup)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}

	t.Run("backup opens, passes quick_check and is consistent", func(t *testing.T) {
		copyDB := openAt(t, backup, newTestClock()) // Open runs quick_check
		var fk int
		if err := copyDB.r.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if fk != 0 {
			t.Errorf("%d foreign key violations in the backup", fk)
		}
		items := countRows(t, copyDB, "items")
		if items < 1 || items > ingested+1 {
			t.Errorf("backup has %d items; live store had between 1 and %d", items, ingested+1)
		}
		if items%25 != 1 {
			t.Errorf("backup has %d items: not a whole number of batches (1 + 25k)", items)
		}
		if s := countRows(t, copyDB, "sources"); s != items {
			t.Errorf("backup has %d sources for %d items", s, items)
		}
		if c := mustState(t, copyDB, "A").ItemCount; c != items {
			t.Errorf("backup item_count %d, items %d", c, items)
		}
		t.Logf("backup holds %d items; %d were ingested in total", items, ingested+1)
	})
	t.Run("refuses to overwrite", func(t *testing.T) {
		before, _ := os.ReadFile(backup)
		err := db.Backup(ctx, backup)
		if !errors.Is(err, fs.ErrExist) {
			t.Errorf("second Backup to the same path: %v, want fs.ErrExist", err)
		}
		after, _ := os.ReadFile(backup)
		if string(before) != string(after) {
			t.Error("existing backup was modified")
		}
	})
	t.Run("leaves no temporary files", func(t *testing.T) {
		entries, err := os.ReadDir(filepath.Dir(backup))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".tmp") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
	})
}

func TestPrune(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		clock := newTestClock()
		db := openTest(t, clock, "A", "B")
		// Old items (first seen long ago), with tags and a second source.
		var old []news.Item
		for i := range pruneBatch + 20 { // more than one batch
			old = append(old, tagged(item("A", "old"+itoa(i), "https://a.example/old/"+itoa(i), "Old "+itoa(i), day(-100)), true, []string{"ir"}, "drones"))
		}
		mustSave(t, db, "A", old...)
		mustSave(t, db, "B", item("B", "b-old", old[0].URL, "copy", day(-100)))
		clock.Advance(100 * 24 * time.Hour)
		// Recent items, and an old-dated item first seen recently.
		keep := []news.Item{
			tagged(item("A", "new1", "https://a.example/new/1", "New 1", clock.Now()), true, []string{"ir"}, "drones"),
			item("A", "late", "https://a.example/late", "Old article seen late", day(-200)),
		}
		mustSave(t, db, "A", keep...)
		mustSave(t, db, "B", item("B", "b-new", keep[0].URL, "copy", clock.Now()))

		n, err := db.Prune(ctx, clock.Now().Add(-30*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != len(old) {
			t.Errorf("pruned %d, want %d", n, len(old))
		}
		if got := titles(mustItems(t, db, news.Query{})); len(got) != 2 {
			t.Errorf("left %q, want the two recent ones", got)
		}
		for table, want := range map[string]int{"sources": 3, "item_outlets": 3, "item_tags": 1, "item_topics": 1} {
			if got := countRows(t, db, table); got != want {
				t.Errorf("%s: %d rows left, want %d", table, got, want)
			}
		}
		for name, want := range map[string]int{"A": 2, "B": 1} {
			if got := mustState(t, db, name).ItemCount; got != want {
				t.Errorf("outlet %s item count %d, want %d", name, got, want)
			}
		}
		// Pruning again finds nothing; the kept items are still matched.
		if n, err := db.Prune(ctx, clock.Now().Add(-30*24*time.Hour)); err != nil || n != 0 {
			t.Errorf("second prune: %d, %v", n, err)
		}
		if s := mustSave(t, db, "A", keep...); s != (news.SaveStats{Unchanged: 2}) {
			t.Errorf("re-poll after prune: %+v", s)
		}
	})
}

// saveAs is SaveFetch with the outlet's stored state, for goroutines that
// must not call t.Fatal.
func saveAs(ctx context.Context, db *DB, outlet string, items ...news.Item) error {
	st, err := db.OutletState(ctx, outlet)
	if err != nil {
		return err
	}
	_, err = db.SaveFetch(ctx, st, items)
	return err
}

// batchBreak is how a trigger breaks a batch.
type batchBreak int

const (
	breakNone   batchBreak = iota
	breakCancel            // the batch's context is cancelled while it writes
	breakFail              // the statement fails
)

// breakBatch installs a trigger that breaks a SaveFetch as how says while
// the batch's last item, a duplicate of B's item, adds its source row:
// every other item is written by then. It returns what removes it.
//
// On SQLite the trigger is the writer connection's (TEMP) and cancels
// through topicfeed_test_cancel. On PostgreSQL it sleeps instead, and
// cancel is called once the writer is seen sleeping in it.
func breakBatch(t *testing.T, db *DB, how batchBreak, cancel context.CancelFunc) (remove func()) {
	t.Helper()
	if how == breakNone {
		return func() {}
	}
	exec := func(q string) {
		t.Helper()
		if _, err := db.w.Exec(q); err != nil {
			t.Fatalf("%v\nin: %s", err, q)
		}
	}
	if db.eng == engineSQLite {
		action := "topicfeed_test_cancel()"
		if how == breakFail {
			action = "RAISE(ABORT, 'injected failure')"
		}
		exec(`CREATE TEMP TRIGGER break_batch BEFORE INSERT ON main.sources WHEN NEW.guid = 'dup' BEGIN SELECT ` + action + `; END`)
		return func() { exec(`DROP TRIGGER IF EXISTS temp.break_batch`) }
	}
	action := `RAISE EXCEPTION 'injected failure';`
	if how == breakCancel {
		action = `PERFORM pg_sleep(60);`
	}
	exec(`CREATE FUNCTION break_batch() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.guid = 'dup' THEN ` + action + ` END IF; RETURN NEW; END $$`)
	exec(`CREATE TRIGGER break_batch BEFORE INSERT ON sources FOR EACH ROW EXECUTE FUNCTION break_batch()`)
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		if how != breakCancel {
			return
		}
		for {
			var sleeping int
			err := db.r.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`).Scan(&sleeping)
			if err == nil && sleeping > 0 {
				cancel()
				return
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() {
		close(done)
		<-watched
		exec(`DROP TRIGGER IF EXISTS break_batch ON sources`)
		exec(`DROP FUNCTION IF EXISTS break_batch()`)
	}
}
