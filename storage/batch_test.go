package storage

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/topicfeed/topicfeed/news"
)

// TestSaveFetchesIsolatesFailures stores one batch in which one fetch
// fails half way (a trigger refuses its second item) and one names an
// unknown outlet: the others are stored exactly as SaveFetch one by one
// would store them, and the failed ones leave nothing, not even their
// outlet's state.
func TestSaveFetchesIsolatesFailures(t *testing.T) {
	eachEngine(t, testSaveFetchesIsolatesFailures)
}

func testSaveFetchesIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	on := func(outlet, guid, url string, d int) news.Item {
		return tagged(item(outlet, guid, url, outlet+" "+guid, day(d)), true, []string{"ir"}, "drones")
	}
	fetchOf := func(db *DB, outlet string, items ...news.Item) news.Fetch {
		st := mustState(t, db, outlet)
		st.ETag, st.LastStatus = `"`+outlet+`-new"`, 200
		return news.Fetch{State: st, Items: items}
	}
	aItems := []news.Item{on("A", "a1", "https://a.example/1", 1), on("A", "a2", "https://a.example/2", 2)}
	bItems := []news.Item{on("B", "b1", "https://b.example/1", 3), on("B", "poison", "https://b.example/2", 4)}
	// C carries A's first item (a duplicate of an item of the same batch)
	// and one of its own.
	cItems := []news.Item{on("C", "c-a1", "https://a.example/1", 1), on("C", "c1", "https://c.example/1", 5)}

	db := openTest(t, newTestClock(), "A", "B", "C")
	poison := []string{`CREATE TEMP TRIGGER poison BEFORE INSERT ON main.sources WHEN NEW.guid = 'poison' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`}
	if db.eng == enginePostgres {
		// On PostgreSQL a failed statement aborts the whole transaction
		// unless it is rolled back to a savepoint: this is what the
		// savepoint per fetch is for.
		poison = []string{`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.guid = 'poison' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER poison BEFORE INSERT ON sources FOR EACH ROW EXECUTE FUNCTION poison()`}
	}
	for _, q := range poison {
		if _, err := db.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	unknown := fetchOf(db, "A", on("A", "z1", "https://z.example/1", 1))
	unknown.State.Name = "Z"
	res := db.SaveFetches(ctx, []news.Fetch{fetchOf(db, "A", aItems...), fetchOf(db, "B", bItems...), fetchOf(db, "C", cItems...), unknown})
	if len(res) != 4 {
		t.Fatalf("%d results, want 4", len(res))
	}
	if res[0].Err != nil || res[0].Stats != (news.SaveStats{New: 2}) {
		t.Errorf("A: %+v, want 2 new", res[0])
	}
	if res[1].Err == nil || res[1].Stats != (news.SaveStats{}) {
		t.Errorf("B: %+v, want an error and no counts", res[1])
	}
	if res[2].Err != nil || res[2].Stats != (news.SaveStats{New: 1, Duplicate: 1}) {
		t.Errorf("C: %+v, want 1 new and 1 duplicate", res[2])
	}
	if !errors.Is(res[3].Err, news.ErrNotFound) {
		t.Errorf("unknown outlet: %+v, want news.ErrNotFound", res[3])
	}
	if st := mustState(t, db, "B"); st.ETag != "" || st.ItemCount != 0 {
		t.Errorf("B's state after its failed fetch: etag %q, %d items; want nothing stored", st.ETag, st.ItemCount)
	}
	got := takeSnapshot(t, db)
	stats, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recount, err := db.countStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !equalStats(stats, recount) {
		t.Errorf("maintained counts %+v, recount %+v", stats, recount)
	}

	// The reference: the fetches that succeeded, stored one by one.
	ref := openTest(t, newTestClock(), "A", "B", "C")
	for _, f := range []news.Fetch{fetchOf(ref, "A", aItems...), fetchOf(ref, "C", cItems...)} {
		if _, err := ref.SaveFetch(ctx, f.State, f.Items); err != nil {
			t.Fatal(err)
		}
	}
	want := takeSnapshot(t, ref)
	got.Revision, want.Revision = 0, 0 // one transaction bumps once, two twice
	if db.eng == enginePostgres {
		// PostgreSQL's identities are not given back when a fetch is
		// rolled back (SQLite's rowids are): compare items by their UIDs.
		for _, snap := range []*snapshot{&got, &want} {
			for i := range snap.Items {
				snap.Items[i].ID = 0
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("batch stored\n %+v\none by one\n %+v", got, want)
	}
}

// TestSaveFetchesAllOrNothingOnCancel cancels the batch's context while
// its last fetch writes: the transaction is rolled back whole, and every
// fetch reports the cancellation.
func TestSaveFetchesAllOrNothingOnCancel(t *testing.T) {
	db := openTest(t, newTestClock(), "A", "B")
	mustSave(t, db, "A", item("A", "old", "https://a.example/old", "Old", day(0)))
	before := takeSnapshot(t, db)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelBatch.Store(&cancel)
	defer cancelBatch.Store(nil)
	if _, err := db.w.Exec(`CREATE TEMP TRIGGER break_batch BEFORE INSERT ON main.sources WHEN NEW.guid = 'last' BEGIN SELECT topicfeed_test_cancel(); END`); err != nil {
		t.Fatal(err)
	}
	var fetches []news.Fetch
	for i, o := range []string{"A", "B"} {
		st := mustState(t, db, o)
		st.ETag = `"new"`
		var items []news.Item
		for j := range 5 {
			items = append(items, item(o, fmt.Sprintf("%s%d", o, j), fmt.Sprintf("https://%d.example/%d", i, j), o+itoa(j), day(j)))
		}
		fetches = append(fetches, news.Fetch{State: st, Items: items})
	}
	fetches[1].Items[4].GUID = "last"
	res := db.SaveFetches(ctx, fetches)
	if _, err := db.w.Exec(`DROP TRIGGER IF EXISTS temp.break_batch`); err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if !errors.Is(r.Err, context.Canceled) || r.Stats != (news.SaveStats{}) {
			t.Errorf("fetch %d: %+v, want context.Canceled and no counts", i, r)
		}
	}
	if after := takeSnapshot(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("a cancelled batch changed the store:\nbefore %+v\nafter  %+v", before.Counts, after.Counts)
	}
}
