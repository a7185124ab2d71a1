package app

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// TestNotModifiedStateAfterRestart: the state of a 304 poll, which storage
// writes behind, is in the database after the App closes: the next process
// reads its status, and `poll -due` skips the outlet until its next poll.
func TestNotModifiedStateAfterRestart(t *testing.T) {
	var hits, notModified atomic.Int32
	feed := apptest.ServeFeed(apptest.OnTopicRSS("etag", 3), "application/rss+xml", "ETag", `"v1"`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		feed.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{{"Tagged", srv.URL + "/feed"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")

	pollRound(t, cfg, false)
	pollRound(t, cfg, false)
	if hits.Load() != 2 || notModified.Load() != 1 {
		t.Fatalf("%d requests, %d answered 304: want 2 and 1", hits.Load(), notModified.Load())
	}
	db, err := storage.Open(context.Background(), filepath.Join(dir, "data", "topicfeed.db"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.OutletState(context.Background(), "Tagged")
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if st.LastStatus != http.StatusNotModified || st.ETag != `"v1"` || !st.NextPoll.After(st.LastFetch) {
		t.Errorf("stored state after a 304: status %d, ETag %q, last fetch %v, next poll %v", st.LastStatus, st.ETag, st.LastFetch, st.NextPoll)
	}

	polled, skipped, _ := pollRound(t, cfg, true)
	if len(polled) != 0 || len(skipped) != 1 || hits.Load() != 2 {
		t.Errorf("poll -due after a 304 polled %q, skipped %q (%d requests in all), want it skipped", polled, skipped, hits.Load())
	}
}

// TestRoundStates: a one-shot round reads every state once, and an outlet
// saved since reads back what was saved.
func TestRoundStates(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "topicfeed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SyncOutlets(ctx, []news.Outlet{{Name: "A", Slug: "a", URL: "https://a.example/feed"}, {Name: "B", Slug: "b", URL: "https://b.example/feed"}}); err != nil {
		t.Fatal(err)
	}
	r := &roundStates{DB: db}
	a, err := r.OutletState(ctx, "A")
	if err != nil || a.FeedURL != "https://a.example/feed" {
		t.Fatalf("OutletState(A) = %+v, %v", a, err)
	}
	if r.states == nil || len(r.states) != 2 {
		t.Fatalf("round states after the first read: %v, want both outlets", r.states)
	}
	a.ETag, a.LastStatus = `"x"`, 304
	if err := r.SaveOutletState(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := r.OutletState(ctx, "A"); err != nil || got != a {
		t.Errorf("A after its save: %+v, %v; want %+v", got, err, a)
	}
	b, _ := r.OutletState(ctx, "B")
	b.ETag = `"y"`
	if _, err := r.SaveFetch(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := r.OutletState(ctx, "B"); err != nil || got.ETag != `"y"` {
		t.Errorf("B after its fetch: %+v, %v", got, err)
	}
	if _, err := r.OutletState(ctx, "nope"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("unknown outlet: %v, want news.ErrNotFound", err)
	}
}
