package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkServe measures serving the cached merged feed: a full 200 (gzip)
// and a 304 revalidation, the two answers pollers get.
func BenchmarkServe(b *testing.B) {
	s, _, _ := newTestServer(b)
	first := do(b, s, http.MethodGet, "/feed.atom", header("Accept-Encoding", "gzip"))
	etag := first.Header.Get("ETag")
	cases := []struct {
		name string
		opts []reqOpt
		want int
	}{
		{"200-gzip", []reqOpt{header("Accept-Encoding", "gzip")}, 200},
		{"304", []reqOpt{header("Accept-Encoding", "gzip"), header("If-None-Match", etag)}, 304},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, "/feed.atom", nil)
					for _, o := range c.opts {
						o(req)
					}
					rec := httptest.NewRecorder()
					s.ServeHTTP(rec, req)
					if rec.Code != c.want {
						b.Errorf("status %d", rec.Code)
						return
					}
				}
			})
		})
	}
}
