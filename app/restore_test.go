package app

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// restoreDoc is one item of the clustering package's labelled set.
type restoreDoc struct {
	Key       string    `json:"key"`
	Outlet    string    `json:"outlet"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Published time.Time `json:"published"`
}

func loadRestoreDocs(t *testing.T) []restoreDoc {
	t.Helper()
	f, err := os.Open("../aggregator/cluster/testdata/labelled.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []restoreDoc
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var d restoreDoc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(docs, func(a, b restoreDoc) int {
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return docs
}

// TestRestoreStoriesFromStates stores items the way the poller does (with
// their story states), then restarts the story index from the database:
// from the states, from the texts of a database that has none (which
// writes them back), and past a state that cannot be read. Every restart
// must decide the items that follow as the index that never stopped.
func TestRestoreStoriesFromStates(t *testing.T) {
	ctx := context.Background()
	docs := loadRestoreDocs(t)
	cut := 2 * len(docs) / 3
	now := func() time.Time { return docs[cut-1].Published.Add(time.Hour) }

	dbPath := filepath.Join(t.TempDir(), "topicfeed.db")
	db, err := storage.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var outlets []news.Outlet
	for _, d := range docs {
		if !slices.ContainsFunc(outlets, func(o news.Outlet) bool { return o.Name == d.Outlet }) {
			outlets = append(outlets, news.Outlet{Name: d.Outlet, URL: "https://example.org/" + d.Outlet})
		}
	}
	if err := db.SyncOutlets(ctx, outlets); err != nil {
		t.Fatal(err)
	}

	// the daemon before the restart: assign and store each item
	live, err := restoreStories(ctx, db, now)
	if err != nil {
		t.Fatal(err)
	}
	toDoc := func(d restoreDoc) cluster.Doc {
		return cluster.Doc{Key: news.ItemUID(d.Outlet, d.Key, d.Published), Outlet: d.Outlet, Title: d.Title, Text: d.Text, Published: d.Published}
	}
	stored := 0
	stories := map[string]string{} // key → story of the stored items
	for _, d := range docs[:cut] {
		dec := live.Assign(toDoc(d))
		if dec.DuplicateOf != "" {
			continue // stored as a source of the original, as storage does
		}
		stories[d.Key] = dec.StoryID
		it := news.Item{Outlet: d.Outlet, GUID: d.Key, URL: "https://example.org/" + d.Key, Title: d.Title, Text: d.Text,
			Published: d.Published, StoryID: dec.StoryID, StoryState: dec.State, StoryStateVersion: live.StateVersion(),
			Tagging: news.Tagging{OnTopic: true, Topics: []string{"t"}}}
		if _, err := db.SaveFetch(ctx, news.OutletState{Outlet: news.Outlet{Name: d.Outlet}}, []news.Item{it}); err != nil {
			t.Fatal(err)
		}
		stored++
	}

	// carryOn assigns the rest of the items to a restarted index and to
	// the live one, which must agree.
	carryOn := func(t *testing.T, restarted *cluster.Index) {
		t.Helper()
		// the reference: the stored items of the window restored from
		// their texts, in the order storage lists them
		liveCopy := cluster.New(cluster.Options{Window: cluster.DefaultWindow, Common: []string{"Iran", "Tehran"}, Now: now})
		for _, d := range docs[:cut] {
			if story, ok := stories[d.Key]; ok && !d.Published.Before(now().Add(-cluster.DefaultWindow)) {
				liveCopy.Restore(toDoc(d), story)
			}
		}
		if restarted.Len() != liveCopy.Len() {
			t.Errorf("restarted index holds %d documents, one analysed from the texts %d", restarted.Len(), liveCopy.Len())
		}
		for _, d := range docs[cut:] {
			want, got := liveCopy.Assign(toDoc(d)), restarted.Assign(toDoc(d))
			if want.StoryID != got.StoryID || want.DuplicateOf != got.DuplicateOf {
				t.Errorf("%s: story %s dup %q after the restart, %s dup %q from the texts", d.Key, got.StoryID, got.DuplicateOf, want.StoryID, want.DuplicateOf)
			}
		}
	}
	countStates := func(t *testing.T) int {
		t.Helper()
		n := 0
		if err := db.EachStoryDoc(ctx, now().Add(-cluster.DefaultWindow), live.StateVersion(), func(d storage.StoryDoc) error {
			if d.State != nil {
				n++
				if d.Text != "" {
					t.Errorf("item %d came with its state and its text", d.ID)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	inWindow := func(t *testing.T) int {
		t.Helper()
		n := 0
		if err := db.EachStoryDoc(ctx, now().Add(-cluster.DefaultWindow), 0, func(storage.StoryDoc) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	window := inWindow(t)
	if window == 0 || window > stored {
		t.Fatalf("%d stored items in the window of %d stored: the test needs some", window, stored)
	}

	t.Run("from states", func(t *testing.T) {
		if n := countStates(t); n != window {
			t.Fatalf("%d items in the window have a state, want all %d", n, window)
		}
		ix, err := restoreStories(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		carryOn(t, ix)
	})
	t.Run("without states, written back", func(t *testing.T) {
		execSQL(t, dbPath, `DELETE FROM story_states`)
		if n := countStates(t); n != 0 {
			t.Fatalf("%d states after clearing", n)
		}
		ix, err := restoreStories(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		if n := countStates(t); n != window {
			t.Errorf("%d states written back, want %d", n, window)
		}
		carryOn(t, ix)
	})
	t.Run("an unreadable state", func(t *testing.T) {
		execSQL(t, dbPath, `UPDATE story_states SET state = x'00' WHERE item_id = (SELECT min(item_id) FROM story_states)`)
		ix, err := restoreStories(ctx, db, now)
		if err != nil {
			t.Fatalf("a corrupt state stopped the start: %v", err)
		}
		restored := ix.Len()
		carryOn(t, ix)
		if n := countStates(t); n != window {
			t.Errorf("%d states after the fallback, want %d", n, window)
		}
		ix2, err := restoreIndex(ctx, db, cluster.Options{Window: cluster.DefaultWindow, Common: []string{"Iran", "Tehran"}, Now: now}, now, true)
		if err != nil {
			t.Errorf("the corrupt state was not rewritten: %v", err)
		} else if ix2.Len() != restored {
			t.Errorf("%d documents from the rewritten states, %d before", ix2.Len(), restored)
		}
	})
}

// execSQL runs one statement on the database file through a connection of
// its own, as another process would.
func execSQL(t *testing.T, path, stmt string) {
	t.Helper()
	conn, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// TestStoryIndexKeysByItemIdentity: the daemon's story index takes two
// uids of one item (news.ItemUID at two publication hours, as when an edit
// moves an undated item's date) as one document, so that an edited item
// is re-indexed rather than indexed twice.
func TestStoryIndexKeysByItemIdentity(t *testing.T) {
	ctx := context.Background()
	d := loadRestoreDocs(t)[0]
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "topicfeed.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ix, err := restoreStories(ctx, db, func() time.Time { return d.Published.Add(24 * time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{d.Published, d.Published.Add(3 * time.Hour)} {
		ix.Assign(cluster.Doc{Key: news.ItemUID(d.Outlet, d.Key, at), Outlet: d.Outlet, Title: d.Title, Text: d.Text, Published: at})
	}
	if ix.Len() != 1 {
		t.Errorf("%d documents indexed for one item under two publication hours, want 1", ix.Len())
	}
}
