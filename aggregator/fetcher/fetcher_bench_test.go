package fetcher_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

// BenchmarkFetch measures one fetch from a loopback server over a kept-alive
// connection: a full 200 (plain and gzip) and a 304.
func BenchmarkFetch(b *testing.B) {
	feed := bytes.Repeat([]byte("<item><title>Iran and Russia</title><description>text text text</description></item>\n"), 1200) // ~100 KB
	zipped := gzipBytes(b, feed)
	srv := serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		switch {
		case r.Header.Get("If-None-Match") == `"v1"`:
			w.WriteHeader(http.StatusNotModified)
		case r.URL.Path == "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(zipped)
		default:
			_, _ = w.Write(feed)
		}
	}))
	tests := []struct {
		name string
		req  fetcher.Request
		size int
	}{
		{name: "200 plain 100KB", req: fetcher.Request{URL: srv.URL + "/plain"}, size: len(feed)},
		{name: "200 gzip 100KB", req: fetcher.Request{URL: srv.URL + "/gzip"}, size: len(feed)},
		{name: "304", req: fetcher.Request{URL: srv.URL + "/plain", ETag: `"v1"`}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			f := loopbackFetcher(b, fetcher.Options{})
			b.SetBytes(int64(tt.size))
			b.ReportAllocs()
			for b.Loop() {
				resp, err := f.Fetch(b.Context(), tt.req)
				if err != nil {
					b.Fatal(err)
				}
				if len(resp.Body) != tt.size {
					b.Fatalf("got %d bytes, want %d", len(resp.Body), tt.size)
				}
			}
		})
	}
}
