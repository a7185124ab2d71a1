package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// FuzzSaveFetch stores arbitrary items (any bytes, including invalid
// UTF-8 and NULs, any dates) and checks the store's invariants: it never
// panics, every item reads back byte for byte, a re-poll changes nothing,
// and identity is by (outlet, GUID), URL or content hash.
func FuzzSaveFetch(f *testing.F) {
	f.Add("guid-1", "https://a.example/1", "Title", "text", "hash", int64(1700000000000), "guid-2", "https://a.example/1", "hash2")
	f.Add("g", "", "\xff\xfe invalid", "a\x00b", "", int64(-62135596800000), "g", "", "")
	f.Add("x", "u", "t", "b", "h", int64(253402300799000), "y", "v", "h")
	f.Fuzz(func(t *testing.T, guid1, url1, title, text, hash1 string, ms int64, guid2, url2, hash2 string) {
		if guid1 == "" && url1 == "" {
			guid1 = "fallback-1"
		}
		if guid2 == "" && url2 == "" {
			guid2 = "fallback-2"
		}
		ctx := context.Background()
		db, err := Open(ctx, filepath.Join(t.TempDir(), "f.db"), WithClock(newTestClock().Now))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.SyncOutlets(ctx, testOutlets("A", "B")); err != nil {
			t.Fatal(err)
		}
		pub := time.UnixMilli(ms).UTC()
		a := news.Item{Outlet: "A", GUID: guid1, URL: url1, Title: title, Text: text, ContentHTML: text, ContentHash: hash1,
			Published: pub, Updated: pub, Tagging: news.Tagging{OnTopic: true, Tags: []string{title}}}
		b := news.Item{Outlet: "B", GUID: guid2, URL: url2, Title: title + "!", Text: text, ContentHash: hash2, Published: pub}

		sa, err := db.SaveFetch(ctx, mustState(t, db, "A"), []news.Item{a})
		if err != nil {
			t.Fatalf("save a: %v", err)
		}
		sb, err := db.SaveFetch(ctx, mustState(t, db, "B"), []news.Item{b})
		if err != nil {
			t.Fatalf("save b: %v", err)
		}
		if sa.New != 1 {
			t.Errorf("first item: %+v, want new", sa)
		}
		norm := func(s, fallback string) string {
			if s == "" {
				return fallback
			}
			return s
		}
		sameArticle := (url1 != "" && url1 == url2) || (hash1 != "" && hash1 == hash2)
		if sameArticle != (sb.Duplicate == 1) || sb.New+sb.Duplicate != 1 {
			t.Errorf("second item: %+v, same article %v", sb, sameArticle)
		}
		items := mustItems(t, db, news.Query{})
		var got news.Item
		for _, it := range items {
			if it.Outlet == "A" {
				got = it
			}
		}
		if got.GUID != norm(guid1, url1) || got.URL != url1 || got.Title != title || got.Text != text || got.ContentHash != hash1 {
			t.Errorf("read back %q %q %q %q %q", got.GUID, got.URL, got.Title, got.Text, got.ContentHash)
		}
		wantPub := pub
		if ms == 0 || pub.IsZero() { // zero and the epoch mean "unset": first seen
			wantPub = got.FirstSeen
		}
		if !got.Published.Equal(wantPub) {
			t.Errorf("published %v, want %v", got.Published, wantPub)
		}
		if title != "" {
			if n := len(mustItems(t, db, news.Query{OnTopic: true, Tag: title})); n != 1 {
				t.Errorf("tag %q finds %d items", title, n)
			}
		}
		// A re-poll of both changes nothing.
		if s, err := db.SaveFetch(ctx, mustState(t, db, "A"), []news.Item{a}); err != nil || s != (news.SaveStats{Unchanged: 1}) {
			t.Errorf("re-poll a: %+v, %v", s, err)
		}
		if s, err := db.SaveFetch(ctx, mustState(t, db, "B"), []news.Item{b}); err != nil || s != (news.SaveStats{Unchanged: 1}) {
			t.Errorf("re-poll b: %+v, %v", s, err)
		}
		if n := len(mustItems(t, db, news.Query{})); n != len(items) {
			t.Errorf("re-poll changed the item count %d → %d", len(items), n)
		}
	})
}
