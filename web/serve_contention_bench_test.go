package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// slowStore is a store busy with ingestion: every Items query takes delay.
type slowStore struct {
	*fakeStore
	delay time.Duration
}

func (s slowStore) Items(ctx context.Context, q news.Query) ([]news.Item, error) {
	time.Sleep(s.delay)
	return s.fakeStore.Items(ctx, q)
}

// BenchmarkServeWhileChanging measures /feed.atom while the store keeps
// changing (its revision moves every millisecond, as during ingestion) and
// each re-render waits 20 ms for the store, with the daemon's revision
// caching (RevisionTTL) at 100 ms: full 200s (gzip) and revalidations. It
// reports the 99th percentile latency of 16 × GOMAXPROCS concurrent readers:
// requests must not queue behind a re-render.
func BenchmarkServeWhileChanging(b *testing.B) {
	for _, c := range []struct {
		name        string
		revalidate  bool
		wantStatus  int
		renderDelay time.Duration
	}{
		{"200-gzip", false, http.StatusOK, 20 * time.Millisecond},
		{"304", true, http.StatusNotModified, 20 * time.Millisecond},
	} {
		b.Run(c.name, func(b *testing.B) {
			fs := &fakeStore{items: sampleItems(b), outlets: sampleOutlets(b), rev: 1}
			s := NewServer(slowStore{fs, c.renderDelay}, Options{
				BaseURL: "http://feeds.test", Title: "Iran–Russia–Ukraine", Limit: 50,
				PollInterval: 10 * time.Minute, RevisionTTL: 100 * time.Millisecond,
			})
			first := do(b, s, http.MethodGet, "/feed.atom", header("Accept-Encoding", "gzip"))
			etag := first.Header.Get("ETag")
			ctx, cancel := context.WithCancel(context.Background())
			var bg sync.WaitGroup
			bg.Add(1)
			go func() {
				defer bg.Done()
				t := time.NewTicker(time.Millisecond)
				defer t.Stop()
				for {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
						fs.bump()
					}
				}
			}()
			var mu sync.Mutex
			var lat []time.Duration
			b.ReportAllocs()
			b.SetParallelism(16) // many readers at once, as a busy feed has
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, "/feed.atom", nil)
					req.Header.Set("Accept-Encoding", "gzip")
					if c.revalidate {
						req.Header.Set("If-None-Match", etag)
					}
					rec := httptest.NewRecorder()
					t0 := time.Now()
					s.ServeHTTP(rec, req)
					mine = append(mine, time.Since(t0))
					if rec.Code != c.wantStatus {
						b.Errorf("status %d, want %d", rec.Code, c.wantStatus)
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			cancel()
			bg.Wait()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			}
		})
	}
}
