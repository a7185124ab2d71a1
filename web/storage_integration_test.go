package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
	"github.com/topicfeed/topicfeed/web"
)

var _ web.Store = (*storage.DB)(nil)

func openDB(tb testing.TB) *storage.DB {
	tb.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(tb.TempDir(), "topicfeed.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// BenchmarkServeSQLite measures a 304 revalidation of the merged feed
// against a real SQLite store, asking the store for its revision on every
// request (RevisionTTL 0, the default) or once a second.
func BenchmarkServeSQLite(b *testing.B) {
	ctx := context.Background()
	db := openDB(b)
	if err := db.SyncOutlets(ctx, []news.Outlet{{Name: "o", Slug: "o", URL: "https://o.example/feed"}}); err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var items []news.Item
	for i := range 100 {
		u := "https://o.example/" + strings.Repeat("x", i%7) + time.Duration(i).String()
		items = append(items, news.Item{Outlet: "o", GUID: u, URL: u, Title: "Iran and Russia " + u, ContentHTML: strings.Repeat("<p>drones</p>", 200),
			Published: t0.Add(time.Duration(i) * time.Minute), FirstSeen: t0, ContentHash: u,
			Tagging: news.Tagging{OnTopic: true, Topics: []string{"t"}, Tags: []string{"drones"}}})
	}
	if _, err := db.SaveFetch(ctx, news.OutletState{Outlet: news.Outlet{Name: "o"}}, items); err != nil {
		b.Fatal(err)
	}
	for _, ttl := range []time.Duration{0, time.Second} {
		h := web.NewServer(db, web.Options{BaseURL: "http://feeds.test", RevisionTTL: ttl})
		req := httptest.NewRequest(http.MethodGet, "/feed.atom", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		etag := rec.Header().Get("ETag")
		b.Run("304/revision-ttl="+ttl.String(), func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, "/feed.atom", nil)
					req.Header.Set("If-None-Match", etag)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusNotModified {
						b.Errorf("status %d", rec.Code)
						return
					}
				}
			})
		})
	}
}

// TestWithSQLiteStore serves from a real SQLite store: ids come from
// storage's UIDs, "not found" is news.ErrNotFound, and outlet polling
// state alone (a new revision, same content) leaves the feeds' validators
// alone.
func TestWithSQLiteStore(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	outlets := []news.Outlet{
		{Name: "The Moscow Times", Slug: "the-moscow-times", URL: "https://moscowtimes.example/rss/news"},
		{Name: "Iran Front Page", Slug: "iran-front-page", URL: "https://ifpnews.example/feed/"},
	}
	if err := db.SyncOutlets(ctx, outlets); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2023, 2, 26, 9, 30, 0, 0, time.UTC)
	mk := func(outlet, url, title string, tags ...string) news.Item {
		return news.Item{Outlet: outlet, GUID: url, URL: url, Title: title, Summary: title + ".",
			ContentHTML: "<p>" + title + "</p>", Published: t0, Updated: t0, FirstSeen: t0, ContentHash: url,
			Tagging: news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Tags: tags, Score: 5}}
	}
	if _, err := db.SaveFetch(ctx, news.OutletState{Outlet: outlets[0]}, []news.Item{
		mk("The Moscow Times", "https://moscowtimes.example/a", "Blinken on Iranian drones", "drones"),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveFetch(ctx, news.OutletState{Outlet: outlets[1]}, []news.Item{
		mk("Iran Front Page", "https://ifpnews.example/b", "Burns: Iran-Russia cooperation worrying", "diplomacy"),
		// The same URL from a second outlet: one item, two sources.
		mk("Iran Front Page", "https://moscowtimes.example/a", "Blinken on Iranian drones", "drones"),
	}); err != nil {
		t.Fatal(err)
	}

	h := web.NewServer(db, web.Options{BaseURL: "http://feeds.test", Title: "t", Tags: []string{"drones", "diplomacy"}})
	get := func(path string, hdr ...string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	first := get("/feed.atom")
	b := readAll(t, first)
	if first.StatusCode != 200 || strings.Count(b, "<entry") != 2 {
		t.Fatalf("status %d, %d entries:\n%s", first.StatusCode, strings.Count(b, "<entry"), b)
	}
	if !strings.Contains(b, `rel="related"`) {
		t.Error("the item carried by two outlets links no related coverage")
	}
	items, err := db.Items(ctx, news.Query{OnTopic: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.StoryID == "" {
			t.Errorf("item %s has no story", it.UID)
		}
		if !strings.Contains(b, "<id>http://feeds.test/stories/"+it.StoryID+"</id>") {
			t.Errorf("no entry id for story %s of item %s", it.StoryID, it.UID)
		}
		if res := get("/items/" + it.UID); res.StatusCode != 200 {
			t.Errorf("/items/%s: %d", it.UID, res.StatusCode)
		}
	}
	if res := get("/items/no-such-uid"); res.StatusCode != 404 {
		t.Errorf("unknown uid: %d", res.StatusCode)
	}

	// Polling state changes the revision, not the feed.
	st, err := db.OutletState(ctx, "The Moscow Times")
	if err != nil {
		t.Fatal(err)
	}
	st.LastFetch, st.LastStatus = t0.Add(time.Hour), 304
	if err := db.SaveOutletState(ctx, st); err != nil {
		t.Fatal(err)
	}
	if res := get("/feed.atom", "If-None-Match", first.Header.Get("ETag")); res.StatusCode != 304 {
		t.Errorf("feed after a polling-state change: %d, want 304", res.StatusCode)
	}
	if b := readAll(t, get("/outlets")); !strings.Contains(b, "HTTP 304") {
		t.Error("outlets page does not show the new polling state")
	}
}

func readAll(tb testing.TB, res *http.Response) string {
	tb.Helper()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}

// TestStoryEntryIDStable: a per-story entry keeps its id when an earlier
// report of its story arrives later and becomes the story's representative,
// and its update date moves with the new coverage, so readers see one
// updated entry, not a new one.
func TestStoryEntryIDStable(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	outlets := []news.Outlet{
		{Name: "A", Slug: "a", URL: "https://a.example/feed"},
		{Name: "B", Slug: "b", URL: "https://b.example/feed"},
	}
	if err := db.SyncOutlets(ctx, outlets); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	mk := func(outlet, url string, published time.Time) news.Item {
		return news.Item{Outlet: outlet, GUID: url, URL: url, Title: "Shahed drones hit Kyiv " + outlet,
			ContentHTML: "<p>Report from " + outlet + "</p>", Published: published, FirstSeen: published, ContentHash: url,
			StoryID: "s-kyiv", Tagging: news.Tagging{OnTopic: true, Topics: []string{"t"}, Tags: []string{"drones"}}}
	}
	h := web.NewServer(db, web.Options{BaseURL: "http://feeds.test", Title: "t"})
	feed := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/feed.atom", nil))
		return rec.Body.String()
	}
	if _, err := db.SaveFetch(ctx, news.OutletState{Outlet: outlets[0]}, []news.Item{mk("A", "https://a.example/1", t0)}); err != nil {
		t.Fatal(err)
	}
	before := feed()
	// B published the story an hour earlier, but is polled later.
	if _, err := db.SaveFetch(ctx, news.OutletState{Outlet: outlets[1]}, []news.Item{mk("B", "https://b.example/1", t0.Add(-time.Hour))}); err != nil {
		t.Fatal(err)
	}
	after := feed()
	const id = "<id>http://feeds.test/stories/s-kyiv</id>"
	for name, b := range map[string]string{"before": before, "after": after} {
		if strings.Count(b, "<entry") != 1 || !strings.Contains(b, id) {
			t.Errorf("%s B's report: want one entry with %s:\n%s", name, id, b)
		}
	}
	if !strings.Contains(after, `href="https://b.example/1"`) || !strings.Contains(after, "https://a.example/1") {
		t.Errorf("after B's report the entry should link B's earlier report and credit A:\n%s", after)
	}
	if entryUpdated(t, after) == entryUpdated(t, before) {
		t.Errorf("the entry's <updated> did not move with the new coverage: %s", entryUpdated(t, after))
	}
}

// entryUpdated returns the <updated> of the first entry of an Atom feed.
func entryUpdated(t *testing.T, feed string) string {
	t.Helper()
	_, e, ok := strings.Cut(feed, "<entry")
	if !ok {
		t.Fatal("no entry")
	}
	_, u, ok := strings.Cut(e, "<updated>")
	if !ok {
		t.Fatal("entry without <updated>")
	}
	u, _, _ = strings.Cut(u, "</updated>")
	return u
}

// TestPublicPagesRedactSecrets: credentials in an outlet's feed URL (a
// password, an API key) never reach the public outlets page, the OPML or
// the feeds' <source> links.
func TestPublicPagesRedactSecrets(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	o := news.Outlet{Name: "Paywalled", Slug: "paywalled", URL: "https://reader:s3cret-pw@paywalled.example/rss?api_key=s3cret-key&edition=intl"}
	if err := db.SyncOutlets(ctx, []news.Outlet{o}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	u := "https://paywalled.example/news/1"
	if _, err := db.SaveFetch(ctx, news.OutletState{Outlet: o, LastError: "fetch " + o.URL + ": 500"}, []news.Item{{Outlet: o.Name, GUID: u, URL: u,
		Title: "Iran and Russia", ContentHTML: "<p>drones</p>", Published: t0, ContentHash: u,
		Tagging: news.Tagging{OnTopic: true, Topics: []string{"t"}}}}); err != nil {
		t.Fatal(err)
	}
	h := web.NewServer(db, web.Options{BaseURL: "http://feeds.test", Title: "t"})
	for _, path := range []string{"/outlets", "/outlets.opml", "/feed.rss", "/feed.atom"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		b := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d", path, rec.Code)
		}
		if strings.Contains(b, "s3cret") {
			t.Errorf("%s shows a secret of the feed URL:\n%s", path, b)
		}
		if path != "/feed.atom" && !strings.Contains(b, "paywalled.example/rss?api_key=xxxxx") {
			t.Errorf("%s does not show the redacted feed URL:\n%s", path, b)
		}
	}
}

// TestStoryPageRelatedWithSQLite: a story page from a real SQLite store
// explains each write-up's grouping and links the related stories both
// ways (storage.DB answers the RelatedStories the pages use).
func TestStoryPageRelatedWithSQLite(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	outlet := news.Outlet{Name: "Kyiv Desk", Slug: "kyiv-desk", URL: "https://kyiv-desk.example/feed"}
	if err := db.SyncOutlets(ctx, []news.Outlet{outlet}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 12, 8, 0, 0, 0, time.UTC)
	mk := func(url, title, story, why, related string, at time.Time) news.Item {
		return news.Item{Outlet: outlet.Name, GUID: url, URL: url, Title: title, ContentHTML: "<p>" + title + "</p>",
			Published: at, Updated: at, FirstSeen: at, ContentHash: url, StoryID: story, StoryWhy: why, RelatedStory: related,
			Tagging: news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Score: 5}}
	}
	if _, err := db.SaveFetch(ctx, news.OutletState{Outlet: outlet}, []news.Item{
		mk("https://kyiv-desk.example/strike", "Drones hit Izmail grain terminal", "s-strike", "new story: no candidate", "", t0),
		mk("https://kyiv-desk.example/denial", "Tehran denies its drones hit Izmail", "s-denial",
			"new story: best story s-strike: same event 0.31 < 0.60 (…): e:izmail", "s-strike", t0.Add(3*time.Hour)),
	}); err != nil {
		t.Fatal(err)
	}
	h := web.NewServer(db, web.Options{BaseURL: "http://feeds.test", Title: "t"})
	for _, tt := range []struct{ path, why, link string }{
		{"/stories/s-strike", "Grouped because: new story: no candidate", `<a href="/stories/s-denial">Tehran denies its drones hit Izmail</a>`},
		{"/stories/s-denial", "Grouped because: new story: best story s-strike: same event 0.31 &lt; 0.60", `<a href="/stories/s-strike">Drones hit Izmail grain terminal</a>`},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
		b := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", tt.path, rec.Code, b)
		}
		for _, w := range []string{tt.why, "<h2>Related stories</h2>", tt.link} {
			if !strings.Contains(b, w) {
				t.Errorf("%s lacks %s", tt.path, w)
			}
		}
	}
}
