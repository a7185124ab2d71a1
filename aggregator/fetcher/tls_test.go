package fetcher_test

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

func TestFetchHTTPS(t *testing.T) {
	tests := []struct {
		name      string
		http2     bool
		wantProto int
	}{
		{name: "http/1.1", wantProto: 1},
		{name: "http/2", http2: true, wantProto: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proto := make(chan int, 2)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				proto <- r.ProtoMajor
				if r.URL.Path == "/big" {
					_, _ = w.Write([]byte(strings.Repeat("x", 10_000)))
					return
				}
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(gzipBytes(t, []byte(sampleRSS)))
			}))
			srv.EnableHTTP2 = tt.http2
			srv.StartTLS()
			t.Cleanup(srv.Close)
			roots := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
			f := loopbackFetcher(t, fetcher.Options{TLSClientConfig: &tls.Config{RootCAs: roots}, MaxBodyBytes: 4096})

			resp, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL + "/feed"})
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != sampleRSS {
				t.Errorf("body = %q, want the feed", resp.Body)
			}
			if got := <-proto; got != tt.wantProto {
				t.Errorf("served over HTTP/%d, want HTTP/%d", got, tt.wantProto)
			}
			_, err = f.Fetch(t.Context(), fetcher.Request{URL: srv.URL + "/big"})
			<-proto
			if !errors.Is(err, fetcher.ErrBodyTooLarge) {
				t.Errorf("err = %v, want ErrBodyTooLarge over HTTP/%d", err, tt.wantProto)
			}
		})
	}
	t.Run("untrusted certificate", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		t.Cleanup(srv.Close)
		f := loopbackFetcher(t, fetcher.Options{})
		_, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL})
		if err == nil || !strings.Contains(err.Error(), srv.URL) {
			t.Fatalf("err = %v, want a certificate error naming the url", err)
		}
	})
}
