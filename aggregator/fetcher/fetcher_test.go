package fetcher_test

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

func TestFetchConditionalGET(t *testing.T) {
	const (
		etag    = `"v2"`
		lastMod = "Sat, 21 Nov 2026 10:00:00 GMT"
	)
	var mu sync.Mutex
	var got http.Header
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		if inm := r.Header.Get("If-None-Match"); inm == etag || inm == "W/"+etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Header.Get("If-None-Match") == "" && r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = w.Write([]byte(sampleRSS))
	}))
	f := loopbackFetcher(t, fetcher.Options{})

	tests := []struct {
		name         string
		req          fetcher.Request
		wantINM      string
		wantIMS      string
		wantNotModif bool
	}{
		{name: "no validators", req: fetcher.Request{}},
		{name: "matching etag", req: fetcher.Request{ETag: etag}, wantINM: etag, wantNotModif: true},
		{name: "weak etag sent verbatim", req: fetcher.Request{ETag: "W/" + etag}, wantINM: "W/" + etag, wantNotModif: true},
		{name: "stale etag", req: fetcher.Request{ETag: `"v1"`}, wantINM: `"v1"`},
		{name: "matching last-modified", req: fetcher.Request{LastModified: lastMod}, wantIMS: lastMod, wantNotModif: true},
		{name: "stale last-modified", req: fetcher.Request{LastModified: "Fri, 20 Nov 2026 10:00:00 GMT"}, wantIMS: "Fri, 20 Nov 2026 10:00:00 GMT"},
		{name: "both validators", req: fetcher.Request{ETag: etag, LastModified: lastMod}, wantINM: etag, wantIMS: lastMod, wantNotModif: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.URL = srv.URL + "/feed"
			resp, err := f.Fetch(t.Context(), req)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			mu.Lock()
			inm, ims := got.Get("If-None-Match"), got.Get("If-Modified-Since")
			mu.Unlock()
			if inm != tt.wantINM || ims != tt.wantIMS {
				t.Errorf("sent If-None-Match %q, If-Modified-Since %q; want %q, %q", inm, ims, tt.wantINM, tt.wantIMS)
			}
			if resp.NotModified != tt.wantNotModif {
				t.Fatalf("NotModified = %v, want %v (status %d)", resp.NotModified, tt.wantNotModif, resp.StatusCode)
			}
			if resp.ETag != etag || resp.LastModified != lastMod {
				t.Errorf("validators %q, %q; want %q, %q", resp.ETag, resp.LastModified, etag, lastMod)
			}
			if tt.wantNotModif {
				if resp.StatusCode != http.StatusNotModified || len(resp.Body) != 0 {
					t.Errorf("304 response: status %d, %d body bytes", resp.StatusCode, len(resp.Body))
				}
				return
			}
			if resp.StatusCode != http.StatusOK || string(resp.Body) != sampleRSS {
				t.Errorf("status %d, body %q; want 200 and the feed", resp.StatusCode, resp.Body)
			}
			if resp.ContentType != "application/rss+xml; charset=utf-8" {
				t.Errorf("ContentType = %q", resp.ContentType)
			}
			if resp.URL != req.URL {
				t.Errorf("URL = %q, want %q", resp.URL, req.URL)
			}
		})
	}
}

func TestFetchNotModifiedKeepsRequestValidators(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified) // no validators repeated
	}))
	f := loopbackFetcher(t, fetcher.Options{})
	req := fetcher.Request{URL: srv.URL, ETag: `"abc"`, LastModified: "Sat, 21 Nov 2026 10:00:00 GMT"}
	resp, err := f.Fetch(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.NotModified || resp.ETag != req.ETag || resp.LastModified != req.LastModified {
		t.Errorf("got NotModified %v, ETag %q, LastModified %q; want true and the request's validators", resp.NotModified, resp.ETag, resp.LastModified)
	}
}

func TestFetchRequestHeaders(t *testing.T) {
	tests := []struct {
		name   string
		ua     string
		wantUA string
	}{
		{name: "default user agent names topicfeed", wantUA: fetcher.DefaultUserAgent},
		{name: "configured user agent", ua: "topicfeed-test/2", wantUA: "topicfeed-test/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := make(chan http.Header, 1)
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hdr <- r.Header.Clone()
				_, _ = w.Write([]byte(sampleRSS))
			}))
			f := loopbackFetcher(t, fetcher.Options{UserAgent: tt.ua})
			if _, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL}); err != nil {
				t.Fatal(err)
			}
			h := <-hdr
			if got := h.Get("User-Agent"); got != tt.wantUA || !strings.Contains(got, "topicfeed") {
				t.Errorf("User-Agent = %q, want %q", got, tt.wantUA)
			}
			accept := h.Get("Accept")
			if !strings.HasPrefix(accept, "application/rss+xml, application/atom+xml, application/feed+json") ||
				!strings.Contains(accept, "*/*;q=0.8") {
				t.Errorf("Accept = %q, want feed types first and */* last", accept)
			}
			if ae := h.Get("Accept-Encoding"); !strings.Contains(ae, "gzip") || !strings.Contains(ae, "deflate") {
				t.Errorf("Accept-Encoding = %q, want gzip and deflate", ae)
			}
		})
	}
}

func TestFetchDecodesContentEncoding(t *testing.T) {
	feed := []byte(sampleRSS)
	zlibbed := func() []byte {
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		_, _ = zw.Write(feed)
		_ = zw.Close()
		return b.Bytes()
	}()
	rawDeflate := func() []byte {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, flate.DefaultCompression)
		_, _ = fw.Write(feed)
		_ = fw.Close()
		return b.Bytes()
	}()
	gz := gzipBytes(t, feed)
	corrupt := append([]byte(nil), gz...)
	corrupt[len(corrupt)/2] ^= 0xff

	tests := []struct {
		name     string
		encoding string
		body     []byte
		wantErr  error
	}{
		{name: "identity", body: feed},
		{name: "gzip", encoding: "gzip", body: gz},
		{name: "x-gzip", encoding: "x-gzip", body: gz},
		{name: "gzip upper case", encoding: "GZIP", body: gz},
		{name: "deflate zlib", encoding: "deflate", body: zlibbed},
		{name: "deflate raw", encoding: "deflate", body: rawDeflate},
		{name: "gzip twice", encoding: "gzip, gzip", body: gzipBytes(t, gz)},
		{name: "undeclared gzip is sniffed", body: gz},
		{name: "explicit identity", encoding: "identity", body: feed},
		{name: "unsupported coding", encoding: "br", body: feed, wantErr: fetcher.ErrContentEncoding},
		{name: "too many codings", encoding: "gzip, gzip, gzip", body: gz, wantErr: fetcher.ErrContentEncoding},
		{name: "corrupt gzip", encoding: "gzip", body: corrupt, wantErr: fetcher.ErrContentEncoding},
		{name: "not gzip at all", encoding: "gzip", body: feed, wantErr: fetcher.ErrContentEncoding},
		{name: "empty gzip body", encoding: "gzip", body: nil, wantErr: fetcher.ErrContentEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.encoding != "" {
					w.Header().Set("Content-Encoding", tt.encoding)
				}
				_, _ = w.Write(tt.body)
			}))
			f := loopbackFetcher(t, fetcher.Options{})
			resp, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), srv.URL) {
					t.Errorf("error %q does not name the url", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if !bytes.Equal(resp.Body, feed) {
				t.Errorf("body = %q, want the feed", resp.Body)
			}
		})
	}
}

func TestFetchStatusErrors(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		status        int
		header        map[string]string
		wantRetry     time.Duration
		wantTemporary bool
	}{
		{name: "404", status: http.StatusNotFound},
		{name: "410 gone", status: http.StatusGone},
		{name: "403", status: http.StatusForbidden},
		{name: "500", status: http.StatusInternalServerError, wantTemporary: true},
		{name: "501 is not temporary", status: http.StatusNotImplemented},
		{name: "503 without retry-after", status: http.StatusServiceUnavailable, wantTemporary: true},
		{name: "503 retry-after seconds", status: http.StatusServiceUnavailable,
			header: map[string]string{"Retry-After": "120"}, wantRetry: 2 * time.Minute, wantTemporary: true},
		{name: "429 retry-after seconds", status: http.StatusTooManyRequests,
			header: map[string]string{"Retry-After": "3600"}, wantRetry: time.Hour, wantTemporary: true},
		{name: "429 retry-after date relative to server date", status: http.StatusTooManyRequests,
			header: map[string]string{
				"Date":        "Sat, 21 Nov 2026 08:00:00 GMT", // server clock 4h behind ours
				"Retry-After": "Sat, 21 Nov 2026 08:10:00 GMT",
			}, wantRetry: 10 * time.Minute, wantTemporary: true},
		{name: "429 retry-after date without server date", status: http.StatusTooManyRequests,
			header: map[string]string{"Retry-After": "Sat, 21 Nov 2026 12:30:00 GMT"}, wantRetry: 30 * time.Minute, wantTemporary: true},
		{name: "429 retry-after date with an absurd server date", status: http.StatusTooManyRequests,
			header: map[string]string{
				"Date":        "Thu, 01 Jan 1970 00:00:00 GMT",
				"Retry-After": "Sat, 21 Nov 2026 12:10:00 GMT",
			}, wantRetry: 10 * time.Minute, wantTemporary: true},
		{name: "429 retry-after in the past", status: http.StatusTooManyRequests,
			header: map[string]string{"Retry-After": "Sat, 21 Nov 2026 11:00:00 GMT"}, wantTemporary: true},
		{name: "429 retry-after garbage", status: http.StatusTooManyRequests,
			header: map[string]string{"Retry-After": "soon"}, wantTemporary: true},
		{name: "429 retry-after absurd", status: http.StatusTooManyRequests,
			header: map[string]string{"Retry-After": "99999999999999999999999"}, wantRetry: 365 * 24 * time.Hour, wantTemporary: true},
		{name: "300 without location", status: http.StatusMultipleChoices},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, ok := tt.header["Date"]; !ok {
					// No server Date: a Retry-After date counts from our clock.
					w.Header()["Date"] = nil
				}
				for k, v := range tt.header {
					w.Header()[k] = []string{v}
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte("<html>error page</html>"))
			}))
			f := loopbackFetcher(t, fetcher.Options{Now: func() time.Time { return now }})
			resp, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL + "/feed"})
			if resp != nil {
				t.Errorf("got a response with status %d, want nil", resp.StatusCode)
			}
			var se *fetcher.StatusError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *StatusError", err)
			}
			if se.StatusCode != tt.status || se.RetryAfter != tt.wantRetry || se.Temporary() != tt.wantTemporary {
				t.Errorf("got status %d, retry after %s, temporary %v; want %d, %s, %v",
					se.StatusCode, se.RetryAfter, se.Temporary(), tt.status, tt.wantRetry, tt.wantTemporary)
			}
			if se.URL != srv.URL+"/feed" || !strings.Contains(err.Error(), srv.URL+"/feed") {
				t.Errorf("error %q (URL %q) does not name the url", err, se.URL)
			}
		})
	}
}

func TestFetchInvalidURL(t *testing.T) {
	f := fetcher.New(fetcher.Options{Timeout: time.Second})
	for _, raw := range []string{"", "feed.xml", "ftp://example.org/feed", "file:///etc/passwd", "http://", "http://:80/", "://x", "gopher://example.org"} {
		t.Run(raw, func(t *testing.T) {
			_, err := f.Fetch(t.Context(), fetcher.Request{URL: raw})
			if !errors.Is(err, fetcher.ErrInvalidURL) {
				t.Fatalf("err = %v, want ErrInvalidURL", err)
			}
		})
	}
}

func TestFetchCallerCancel(t *testing.T) {
	started := make(chan struct{})
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	f := loopbackFetcher(t, fetcher.Options{Timeout: 10 * time.Second})
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		cancel()
	}()
	_, err := f.Fetch(ctx, fetcher.Request{URL: srv.URL})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if errors.Is(err, fetcher.ErrTimeout) {
		t.Errorf("a caller's cancel is reported as the outlet's timeout: %v", err)
	}
}
