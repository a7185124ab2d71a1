package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// openNoting opens path like Open and says whether Open ran quick_check,
// which it logs at debug level.
func openNoting(ctx context.Context, path string, opts ...Option) (*DB, bool, error) {
	h := &integrityLog{}
	db, err := Open(ctx, path, append(opts, WithLogger(slog.New(h)))...)
	return db, h.checked.Load(), err
}

// integrityLog is a log handler that notes Open's integrity check.
type integrityLog struct{ checked atomic.Bool }

func (h *integrityLog) Enabled(context.Context, slog.Level) bool { return true }

func (h *integrityLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "checked database integrity" {
		h.checked.Store(true)
	}
	return nil
}

func (h *integrityLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *integrityLog) WithGroup(string) slog.Handler      { return h }

// schemaVersion is the schema version this binary writes.
func schemaVersion() int { return len(schemaSteps()) }

// testClock is a settable clock, safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens a fresh database of the test's engine (eachEngine; a file
// in a temporary directory outside of it), with the given outlets synced,
// and closes it at the end of the test.
func openTest(tb testing.TB, clock *testClock, outlets ...string) *DB {
	tb.Helper()
	return openAt(tb, newDatabase(tb), clock, outlets...)
}

func openAt(tb testing.TB, path string, clock *testClock, outlets ...string) *DB {
	tb.Helper()
	db, _ := openAtChecked(tb, path, clock, outlets...)
	return db
}

// openAtChecked is openAt that also says whether Open ran quick_check.
func openAtChecked(tb testing.TB, path string, clock *testClock, outlets ...string) (*DB, bool) {
	tb.Helper()
	ctx := context.Background()
	db, checked, err := openNoting(ctx, path, WithClock(clock.Now))
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	if len(outlets) > 0 {
		if err := db.SyncOutlets(ctx, testOutlets(outlets...)); err != nil {
			tb.Fatalf("SyncOutlets: %v", err)
		}
	}
	return db, checked
}

func testOutlets(names ...string) []news.Outlet {
	out := make([]news.Outlet, len(names))
	for i, n := range names {
		out[i] = news.Outlet{Name: n, Slug: slugOf(n), URL: "https://" + slugOf(n) + ".example/feed"}
	}
	return out
}

func slugOf(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c == ' ' {
			b[i] = '-'
		} else if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// item builds a normalised item as the aggregator would hand it over.
func item(outlet, guid, url, title string, published time.Time) news.Item {
	text := "Body of " + title + "."
	sum := sha256.Sum256([]byte(text))
	return news.Item{
		Outlet:      outlet,
		GUID:        guid,
		URL:         url,
		Title:       title,
		Summary:     "Summary of " + title,
		Text:        text,
		ContentHTML: "<p>" + text + "</p>",
		Published:   published,
		Updated:     published,
		ContentHash: hex.EncodeToString(sum[:]),
	}
}

// withText sets the text (and so the content hash) of it.
func withText(it news.Item, text string) news.Item {
	sum := sha256.Sum256([]byte(text))
	it.Text = text
	it.ContentHTML = "<p>" + text + "</p>"
	it.ContentHash = hex.EncodeToString(sum[:])
	return it
}

func tagged(it news.Item, onTopic bool, topics []string, tags ...string) news.Item {
	it.Tagging = news.Tagging{OnTopic: onTopic, Topics: topics, Tags: tags, Score: 1.5}
	return it
}

func mustState(tb testing.TB, db *DB, name string) news.OutletState {
	tb.Helper()
	st, err := db.OutletState(context.Background(), name)
	if err != nil {
		tb.Fatalf("OutletState(%q): %v", name, err)
	}
	return st
}

func mustSave(tb testing.TB, db *DB, outlet string, items ...news.Item) news.SaveStats {
	tb.Helper()
	st := mustState(tb, db, outlet)
	stats, err := db.SaveFetch(context.Background(), st, items)
	if err != nil {
		tb.Fatalf("SaveFetch(%s, %d items): %v", outlet, len(items), err)
	}
	return stats
}

func mustItems(tb testing.TB, db *DB, q news.Query) []news.Item {
	tb.Helper()
	items, err := db.Items(context.Background(), q)
	if err != nil {
		tb.Fatalf("Items(%+v): %v", q, err)
	}
	return items
}

func countRows(tb testing.TB, db *DB, table string) int {
	tb.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

func uids(items []news.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.UID
	}
	return out
}

func titles(items []news.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Title
	}
	return out
}

func sourceOutlets(it news.Item) []string {
	out := make([]string, len(it.Sources))
	for i, s := range it.Sources {
		out[i] = s.Outlet
	}
	return out
}

// day returns a time n days after a fixed date.
func day(n int) time.Time {
	return time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC).AddDate(0, 0, n)
}

func itoa(i int) string { return fmt.Sprint(i) }
