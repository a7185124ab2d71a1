package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// storedETag reads an outlet's ETag from the database file, past the queue.
func storedETag(tb testing.TB, db *DB, name string) string {
	tb.Helper()
	var etag string
	if err := db.r.QueryRow(`SELECT etag FROM outlets WHERE name = ?`, name).Scan(&etag); err != nil {
		tb.Fatal(err)
	}
	return etag
}

func TestQueuedOutletState(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		path := newDatabase(t)
		clock := newTestClock()
		db := openAt(t, path, clock, "A", "B")

		st := mustState(t, db, "A")
		st.ETag, st.LastStatus, st.NextPoll = `"a1"`, 304, day(2)
		if err := db.SaveOutletState(ctx, st); err != nil {
			t.Fatal(err)
		}
		t.Run("read back at once", func(t *testing.T) {
			if got := mustState(t, db, "A"); got != st {
				t.Errorf("OutletState\n got %+v\nwant %+v", got, st)
			}
			all, err := db.Outlets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if all[0].Name != "A" || all[0] != st {
				t.Errorf("Outlets()[0]\n got %+v\nwant %+v", all[0], st)
			}
			// Outlets wrote the queue.
			if got := storedETag(t, db, "A"); got != `"a1"` {
				t.Errorf("stored ETag after Outlets %q", got)
			}
		})

		t.Run("written behind", func(t *testing.T) {
			st.ETag = `"a2"`
			if err := db.SaveOutletState(ctx, st); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for storedETag(t, db, "A") != `"a2"` {
				if time.Now().After(deadline) {
					t.Fatal("queued state not written")
				}
				time.Sleep(stateFlushDelay / 4)
			}
		})

		t.Run("a later store wins", func(t *testing.T) {
			st.ETag = `"queued"`
			if err := db.SaveOutletState(ctx, st); err != nil {
				t.Fatal(err)
			}
			b := mustState(t, db, "B")
			b.ETag = `"b-queued"`
			if err := db.SaveOutletState(ctx, b); err != nil {
				t.Fatal(err)
			}
			fetched := st
			fetched.ETag, fetched.LastStatus = `"fetched"`, 200
			if _, err := db.SaveFetch(ctx, fetched, []news.Item{item("A", "g1", "https://a.example/1", "One", day(1))}); err != nil {
				t.Fatal(err)
			}
			// The queue went into SaveFetch's transaction, before its own state.
			if got := storedETag(t, db, "A"); got != `"fetched"` {
				t.Errorf("A's stored ETag %q, want the fetch's", got)
			}
			if got := storedETag(t, db, "B"); got != `"b-queued"` {
				t.Errorf("B's stored ETag %q, want its queued one, written with A's fetch", got)
			}
		})

		t.Run("more than a batch", func(t *testing.T) {
			names := make([]string, 0, stateBatchMax+10)
			for i := range stateBatchMax + 10 {
				names = append(names, fmt.Sprintf("O%03d", i))
			}
			if err := db.SyncOutlets(ctx, testOutlets(append(names, "A", "B")...)); err != nil {
				t.Fatal(err)
			}
			// The states are read first, in one query, so that the saves
			// fill the queue well within stateFlushDelay (a read per save
			// took longer on PostgreSQL or under the race detector, and the
			// timer wrote the queue before it was full).
			all, err := db.Outlets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string]news.OutletState{}
			for _, st := range all {
				byName[st.Name] = st
			}
			start := time.Now()
			for _, n := range names {
				s := byName[n]
				s.ETag = n
				if err := db.SaveOutletState(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			if took := time.Since(start); took >= stateFlushDelay {
				// The timer may have written part of the queue, so the
				// save of names[stateBatchMax-1] need not have filled it.
				t.Skipf("the saves took %v, longer than the flush delay: nothing to tell", took)
			}
			// The save that filled the queue wrote it.
			if got := storedETag(t, db, names[stateBatchMax-1]); got != names[stateBatchMax-1] {
				t.Errorf("stored ETag %q after a full queue", got)
			}
		})

		t.Run("after reopen", func(t *testing.T) {
			b := mustState(t, db, "B")
			b.ETag, b.LastError, b.ConsecutiveErrors = `"b-last"`, "timeout", 3
			if err := db.SaveOutletState(ctx, b); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if err := db.SaveOutletState(ctx, b); err == nil {
				t.Error("SaveOutletState after Close: no error")
			}
			db = openAt(t, path, clock)
			if got := mustState(t, db, "B"); got != b {
				t.Errorf("after reopen\n got %+v\nwant %+v", got, b)
			}
			last := fmt.Sprintf("O%03d", stateBatchMax+9)
			if got := mustState(t, db, last).ETag; got != last {
				t.Errorf("%s's ETag after reopen %q", last, got)
			}
		})
	})
}

func TestQueuedStateOfUnknownOutlet(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		db := openTest(t, newTestClock(), "A")
		err := db.SaveOutletState(context.Background(), news.OutletState{Outlet: news.Outlet{Name: "nope"}})
		if !errors.Is(err, news.ErrNotFound) {
			t.Errorf("error %v, want news.ErrNotFound", err)
		}
	})
}

// TestListedOutletsAreKnown: outlets listed by Outlets are saved without a
// read of their own (what a one-shot round does: one list, then saves).
func TestListedOutletsAreKnown(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A")
		all, err := db.Outlets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Without the outlets statement, a check of the name would fail.
		if err := db.outletStmt.Close(); err != nil {
			t.Fatal(err)
		}
		all[0].ETag = `"listed"`
		if err := db.SaveOutletState(ctx, all[0]); err != nil {
			t.Errorf("SaveOutletState of a listed outlet: %v", err)
		}
	})
}
