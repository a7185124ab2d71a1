package fetcher_test

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

// TestFetchBodyCapBoundary checks the cap is exact: a body of MaxBodyBytes
// is accepted and one byte more is refused, whatever the encoding and
// whether the size is announced.
func TestFetchBodyCapBoundary(t *testing.T) {
	const limit = 64 << 10
	tests := []struct {
		name     string
		size     int
		gzip     bool
		announce bool
		wantErr  bool
	}{
		{name: "at the cap", size: limit},
		{name: "at the cap, announced", size: limit, announce: true},
		{name: "at the cap, gzip", size: limit, gzip: true},
		{name: "one past the cap", size: limit + 1, wantErr: true},
		{name: "one past the cap, announced", size: limit + 1, announce: true, wantErr: true},
		{name: "one past the cap, gzip", size: limit + 1, gzip: true, wantErr: true},
		{name: "empty", size: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := bytes.Repeat([]byte("a"), tt.size)
			wire := body
			if tt.gzip {
				wire = gzipBytes(t, body)
			}
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.gzip {
					w.Header().Set("Content-Encoding", "gzip")
				}
				if tt.announce {
					w.Header().Set("Content-Length", strconv.Itoa(len(wire)))
				}
				_, _ = w.Write(wire)
			}))
			f := loopbackFetcher(t, fetcher.Options{MaxBodyBytes: limit})
			resp, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL})
			if tt.wantErr {
				if !errors.Is(err, fetcher.ErrBodyTooLarge) {
					t.Fatalf("err = %v, want ErrBodyTooLarge", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, body) {
				t.Errorf("got %d bytes, want %d", len(resp.Body), len(body))
			}
			if resp.WireBytes != int64(len(wire)) {
				t.Errorf("WireBytes = %d, want %d", resp.WireBytes, len(wire))
			}
		})
	}
}
