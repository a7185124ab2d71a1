package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

func TestSyncOutlets(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock())
		sync := func(outlets ...news.Outlet) {
			t.Helper()
			if err := db.SyncOutlets(ctx, outlets); err != nil {
				t.Fatalf("SyncOutlets: %v", err)
			}
		}
		moscow := news.Outlet{Name: "The Moscow Times", Slug: "the-moscow-times", URL: "https://www.themoscowtimes.com/rss/news"}
		ifp := news.Outlet{Name: "Iran Front Page", Slug: "iran-front-page", URL: "https://ifpnews.com/feed/"}
		sync(moscow, ifp)

		// Polling state that a later sync must keep.
		polled := mustState(t, db, moscow.Name)
		polled.FeedURL = "https://www.themoscowtimes.com/rss/news2" // moved by a 301
		polled.ETag = `"abc"`
		polled.LastModified = "Mon, 02 Mar 2026 10:00:00 GMT"
		polled.LastFetch = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		polled.LastSuccess = polled.LastFetch
		polled.NextPoll = polled.LastFetch.Add(15 * time.Minute)
		polled.LastStatus = 200
		polled.ConsecutiveErrors = 2
		polled.LastError = "timeout"
		if err := db.SaveOutletState(ctx, polled); err != nil {
			t.Fatal(err)
		}
		gone := mustState(t, db, ifp.Name)
		gone.Disabled, gone.DisabledReason, gone.LastStatus = true, "feed is gone (HTTP 410)", 410
		if err := db.SaveOutletState(ctx, gone); err != nil {
			t.Fatal(err)
		}

		t.Run("resync keeps polling state", func(t *testing.T) {
			renamedSlug := moscow
			renamedSlug.Slug = "tmt"
			sync(renamedSlug, ifp)
			got := mustState(t, db, moscow.Name)
			want := polled
			want.Slug = "tmt"
			if got != want {
				t.Errorf("state after resync\n got %+v\nwant %+v", got, want)
			}
			if st := mustState(t, db, ifp.Name); !st.Disabled || st.DisabledReason != gone.DisabledReason {
				t.Errorf("410-disabled outlet re-enabled by a resync: %+v", st)
			}
		})
		t.Run("removed outlet is disabled, not deleted", func(t *testing.T) {
			mustSave(t, db, ifp.Name, item(ifp.Name, "g1", "https://ifpnews.com/1", "One", day(1)))
			sync(moscow)
			st := mustState(t, db, ifp.Name)
			if !st.Disabled || st.DisabledReason != ReasonRemoved {
				t.Errorf("removed outlet: disabled=%v reason=%q, want true %q", st.Disabled, st.DisabledReason, ReasonRemoved)
			}
			if n := len(mustItems(t, db, news.Query{Outlet: ifp.Name})); n != 1 {
				t.Errorf("removed outlet has %d items stored, want 1", n)
			}
		})
		t.Run("configured URL change resets feed URL and re-enables", func(t *testing.T) {
			ifp2 := ifp
			ifp2.URL = "https://ifpnews.com/feed/rss2/"
			moved := moscow
			moved.URL = "https://www.themoscowtimes.com/rss/all"
			sync(moved, ifp2)
			for _, c := range []struct {
				o    news.Outlet
				name string
			}{{moved, "moscow"}, {ifp2, "ifp"}} {
				st := mustState(t, db, c.o.Name)
				if st.URL != c.o.URL || st.FeedURL != c.o.URL {
					t.Errorf("%s: url %q feed_url %q, want both %q", c.name, st.URL, st.FeedURL, c.o.URL)
				}
				if st.Disabled || st.ETag != "" || st.LastModified != "" || st.ConsecutiveErrors != 0 || !st.NextPoll.IsZero() || st.LastError != "" || st.LastStatus != 0 {
					t.Errorf("%s: state not reset for the new URL: %+v", c.name, st)
				}
			}
		})
		t.Run("re-added outlet is enabled again", func(t *testing.T) {
			sync(moscow, ifp)
			sync(moscow) // removed ...
			if st := mustState(t, db, ifp.Name); !st.Disabled {
				t.Fatalf("removed outlet not disabled: %+v", st)
			}
			sync(moscow, ifp) // ... and back with the same URL
			ifpAgain := mustState(t, db, ifp.Name)
			if ifpAgain.Disabled {
				t.Errorf("re-added outlet still disabled: %+v", ifpAgain)
			}
		})
		t.Run("outlets sorted with item counts", func(t *testing.T) {
			all, err := db.Outlets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 2 || all[0].Name != ifp.Name || all[1].Name != moscow.Name {
				t.Fatalf("Outlets = %+v, want [IFP, Moscow]", all)
			}
			if all[0].ItemCount != 1 || all[1].ItemCount != 0 {
				t.Errorf("item counts %d, %d, want 1, 0", all[0].ItemCount, all[1].ItemCount)
			}
		})
	})
}

func TestOutletNotFound(t *testing.T) {
	eachEngine(t, func(t *testing.T) {
		ctx := context.Background()
		db := openTest(t, newTestClock(), "A")
		if _, err := db.OutletState(ctx, "nope"); !errors.Is(err, news.ErrNotFound) {
			t.Errorf("OutletState(unknown) error %v, want news.ErrNotFound", err)
		}
		if err := db.SaveOutletState(ctx, news.OutletState{Outlet: news.Outlet{Name: "nope"}}); !errors.Is(err, news.ErrNotFound) {
			t.Errorf("SaveOutletState(unknown) error %v, want news.ErrNotFound", err)
		}
		st := news.OutletState{Outlet: news.Outlet{Name: "nope"}}
		if _, err := db.SaveFetch(ctx, st, []news.Item{item("nope", "g", "https://x.example/", "X", day(1))}); !errors.Is(err, news.ErrNotFound) {
			t.Errorf("SaveFetch(unknown outlet) error %v, want news.ErrNotFound", err)
		}
		if _, err := db.ItemByUID(ctx, "0000"); !errors.Is(err, news.ErrNotFound) {
			t.Errorf("ItemByUID(unknown) error %v, want news.ErrNotFound", err)
		}
		if err := db.UpdateTagging(ctx, 12345, news.Tagging{}); !errors.Is(err, news.ErrNotFound) {
			t.Errorf("UpdateTagging(unknown) error %v, want news.ErrNotFound", err)
		}
	})
}
