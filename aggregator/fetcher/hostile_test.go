package fetcher_test

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

// The hostile-server suite (issue 7): each server misbehaves in one way and
// the fetch must fail fast with the right error kind, naming the URL,
// without reading (or holding) more than the caps allow.

const testCap = 1 << 20 // MaxBodyBytes in this suite

// endless writes chunk to w until the client goes away or limit bytes are
// written (limit 0: no limit), flushing after each chunk.
func endless(w http.ResponseWriter, r *http.Request, chunk []byte, limit int64, pause time.Duration) {
	var n int64
	for limit == 0 || n < limit {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		n += int64(len(chunk))
		w.(http.Flusher).Flush()
		if pause > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(pause):
			}
		}
	}
}

// bomb returns a gzip member that inflates to size zero bytes; members can
// be concatenated into a stream that inflates to any multiple of size.
func bomb(tb testing.TB, size int) []byte {
	tb.Helper()
	return gzipBytes(tb, make([]byte, size))
}

func TestHostileServers(t *testing.T) {
	chunk := bytes.Repeat([]byte("<item><title>x</title></item>\n"), 2048) // ~60 KiB
	member := bomb(t, 1<<20)                                               // 1 MiB in ~1 KiB
	deflateBomb := func() []byte {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, flate.BestSpeed)
		zeros := make([]byte, 1<<20)
		for range 4 {
			_, _ = fw.Write(zeros)
		}
		_ = fw.Close()
		return b.Bytes()
	}()

	tests := []struct {
		name    string
		opts    fetcher.Options
		handler func(w http.ResponseWriter, r *http.Request)
		wantErr error
		// maxWire bounds the body bytes the server gets to write (0: no check).
		maxWire int64
		// maxElapsed bounds how long the fetch may take.
		maxElapsed time.Duration
	}{
		{
			name: "slow-drip body is cut by the overall deadline",
			opts: fetcher.Options{Timeout: 300 * time.Millisecond},
			handler: func(w http.ResponseWriter, r *http.Request) {
				endless(w, r, []byte("<"), 0, 10*time.Millisecond)
			},
			wantErr:    fetcher.ErrTimeout,
			maxElapsed: 2 * time.Second,
		},
		{
			name: "headers never come",
			opts: fetcher.Options{Timeout: 5 * time.Second, ResponseHeaderTimeout: 200 * time.Millisecond},
			handler: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			wantErr:    fetcher.ErrTimeout,
			maxElapsed: 2 * time.Second,
		},
		{
			name: "never-ending body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				endless(w, r, chunk, 0, 0)
			},
			wantErr:    fetcher.ErrBodyTooLarge,
			maxWire:    testCap + 16<<20, // the cap plus what loopback socket buffers absorb
			maxElapsed: 3 * time.Second,
		},
		{
			name: "50 MB feed, chunked",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/rss+xml")
				endless(w, r, chunk, 50<<20, 0)
			},
			wantErr:    fetcher.ErrBodyTooLarge,
			maxWire:    testCap + 16<<20,
			maxElapsed: 3 * time.Second,
		},
		{
			name: "50 MB feed with content-length is refused before reading",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(50<<20))
				endless(w, r, chunk, 50<<20, 0)
			},
			wantErr:    fetcher.ErrBodyTooLarge,
			maxWire:    testCap + 16<<20,
			maxElapsed: 3 * time.Second,
		},
		{
			name: "gzip bomb (1 GiB of zeros in ~1 MiB)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				endless(w, r, member, 1024*int64(len(member)), 0)
			},
			wantErr: fetcher.ErrBodyTooLarge,
			// All ~1 MiB fits in socket buffers, so no wire bound here;
			// TestHostileMemoryBounded shows it is never inflated whole.
			maxElapsed: 3 * time.Second,
		},
		{
			name: "undeclared gzip bomb",
			handler: func(w http.ResponseWriter, r *http.Request) {
				endless(w, r, member, 1024*int64(len(member)), 0)
			},
			wantErr:    fetcher.ErrBodyTooLarge,
			maxElapsed: 3 * time.Second,
		},
		{
			name: "deflate bomb",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "deflate")
				_, _ = w.Write(deflateBomb)
			},
			wantErr:    fetcher.ErrBodyTooLarge,
			maxElapsed: 3 * time.Second,
		},
		{
			name: "compressed stream that never inflates to anything",
			opts: fetcher.Options{MaxBodyBytes: 64 << 10},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				// A gzip header, then empty stored deflate blocks forever:
				// bytes on the wire, nothing decoded.
				_, _ = w.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
				endless(w, r, bytes.Repeat([]byte{0, 0, 0, 0xff, 0xff}, 8192), 0, 0)
			},
			wantErr:    fetcher.ErrBodyTooLarge,
			maxElapsed: 5 * time.Second,
		},
		{
			name: "503 with a never-ending error page",
			opts: fetcher.Options{Timeout: 5 * time.Second},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "60")
				w.WriteHeader(http.StatusServiceUnavailable)
				endless(w, r, []byte("<p>busy</p>"), 0, 10*time.Millisecond)
			},
			wantErr:    &fetcher.StatusError{StatusCode: http.StatusServiceUnavailable, RetryAfter: time.Minute},
			maxElapsed: 2 * time.Second,
		},
		{
			name: "huge response headers",
			handler: func(w http.ResponseWriter, r *http.Request) {
				for i := range 64 {
					w.Header().Set("X-Junk-"+strconv.Itoa(i), strings.Repeat("j", 16<<10))
				}
				_, _ = w.Write([]byte(sampleRSS))
			},
			maxElapsed: 3 * time.Second,
		},
		{
			name: "truncated body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100000")
				_, _ = w.Write([]byte(sampleRSS))
				// returning closes the connection short of Content-Length
			},
			wantErr:    io.ErrUnexpectedEOF,
			maxElapsed: 3 * time.Second,
		},
		{
			name: "connection reset mid-body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + sampleRSS)
				_ = buf.Flush()
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0) // RST instead of FIN
				}
				_ = conn.Close()
			},
			maxElapsed: 3 * time.Second,
		},
		{
			name: "not http at all",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				_, _ = buf.WriteString("SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02garbage\r\n\r\n")
				_ = buf.Flush()
				_ = conn.Close()
			},
			maxElapsed: 3 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wrote atomic.Int64
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.handler(countingWriter{ResponseWriter: w, n: &wrote}, r)
			}))
			o := tt.opts
			if o.MaxBodyBytes == 0 {
				o.MaxBodyBytes = testCap
			}
			f := loopbackFetcher(t, o)
			start := time.Now()
			resp, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL + "/feed"})
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("got status %d with %d body bytes, want an error", resp.StatusCode, len(resp.Body))
			}
			var se *fetcher.StatusError
			if want, ok := tt.wantErr.(*fetcher.StatusError); ok {
				if !errors.As(err, &se) || se.StatusCode != want.StatusCode || se.RetryAfter != want.RetryAfter {
					t.Errorf("err = %v, want status %d, retry after %s", err, want.StatusCode, want.RetryAfter)
				}
			} else if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), srv.URL+"/feed") {
				t.Errorf("error %q does not name the url", err)
			}
			if elapsed > tt.maxElapsed {
				t.Errorf("took %s, want at most %s", elapsed, tt.maxElapsed)
			}
			srv.Close() // waits for the handler, so the count is final
			t.Logf("server wrote %d body bytes in %s: %v", wrote.Load(), elapsed, err)
			if tt.maxWire > 0 && wrote.Load() > tt.maxWire {
				t.Errorf("server wrote %d body bytes, want reading to stop by %d", wrote.Load(), tt.maxWire)
			}
		})
	}
}

// TestHostileMemoryBounded checks that refusing a large body costs memory in
// proportion to the cap, not to the body: each case would allocate at least
// its full size (50 MiB to 1 GiB) if read whole.
func TestHostileMemoryBounded(t *testing.T) {
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	member := bomb(t, 1<<20)
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{name: "50 MB feed", handler: func(w http.ResponseWriter, r *http.Request) {
			endless(w, r, chunk, 50<<20, 0)
		}},
		{name: "gzip bomb", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			endless(w, r, member, 1024*int64(len(member)), 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.handler)
			f := loopbackFetcher(t, fetcher.Options{MaxBodyBytes: testCap})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL})
			runtime.ReadMemStats(&after)
			if !errors.Is(err, fetcher.ErrBodyTooLarge) {
				t.Fatalf("err = %v, want ErrBodyTooLarge", err)
			}
			// The read buffer (at most ~2× the cap while growing), gzip and
			// bufio state, the test server's own buffers.
			const budget = 8 * testCap
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > budget {
				t.Errorf("fetch allocated %d bytes, want at most %d", alloc, budget)
			}
		})
	}
}

func TestHostileTLSHandshakeStall(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() }) // accept, then say nothing
		}
	}()
	f := loopbackFetcher(t, fetcher.Options{Timeout: 5 * time.Second, TLSHandshakeTimeout: 200 * time.Millisecond})
	start := time.Now()
	url := "https://" + ln.Addr().String() + "/feed"
	_, err = f.Fetch(t.Context(), fetcher.Request{URL: url})
	if !errors.Is(err, fetcher.ErrTimeout) || !strings.Contains(err.Error(), url) {
		t.Fatalf("err = %v, want ErrTimeout naming %s", err, url)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %s; the handshake limit is 200ms", elapsed)
	}
}

func TestHostileFlappingETags(t *testing.T) {
	// The server's ETag changes on every response though the feed does not:
	// every conditional GET misses, and the fetcher must keep sending the
	// latest validator and return full bodies (the poller's dedupe copes).
	var n atomic.Int64
	sent := make(chan string, 1)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent <- r.Header.Get("If-None-Match")
		tag := `"` + strconv.FormatInt(n.Add(1), 10) + `"`
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", tag)
		_, _ = w.Write([]byte(sampleRSS))
	}))
	f := loopbackFetcher(t, fetcher.Options{})
	etag := ""
	for i := range 5 {
		resp, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL, ETag: etag})
		if err != nil {
			t.Fatalf("fetch %d: %v", i, err)
		}
		if got := <-sent; got != etag {
			t.Errorf("fetch %d sent If-None-Match %q, want %q", i, got, etag)
		}
		if resp.NotModified || string(resp.Body) != sampleRSS {
			t.Errorf("fetch %d: NotModified %v, %d bytes; want the full feed", i, resp.NotModified, len(resp.Body))
		}
		if resp.ETag == etag {
			t.Errorf("fetch %d: ETag %q did not flap", i, resp.ETag)
		}
		etag = resp.ETag
	}
}

func TestHostileStatusStorm(t *testing.T) {
	// 429s and 503s, then recovery: each fetch reports the status and its
	// Retry-After so the scheduler can back off, and the fetch after the
	// storm succeeds (the fetcher keeps no state between fetches).
	script := []struct {
		status int
		retry  string
	}{
		{http.StatusServiceUnavailable, ""},
		{http.StatusServiceUnavailable, "30"},
		{http.StatusTooManyRequests, "120"},
		{http.StatusBadGateway, ""},
		{http.StatusGatewayTimeout, ""},
		{http.StatusOK, ""},
	}
	var n atomic.Int64
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := script[n.Add(1)-1]
		if s.retry != "" {
			w.Header().Set("Retry-After", s.retry)
		}
		w.WriteHeader(s.status)
		_, _ = w.Write([]byte(sampleRSS))
	}))
	f := loopbackFetcher(t, fetcher.Options{})
	for i, s := range script {
		resp, err := f.Fetch(t.Context(), fetcher.Request{URL: srv.URL})
		if s.status == http.StatusOK {
			if err != nil || string(resp.Body) != sampleRSS {
				t.Fatalf("fetch %d after the storm: %v", i, err)
			}
			continue
		}
		var se *fetcher.StatusError
		if !errors.As(err, &se) || se.StatusCode != s.status || !se.Temporary() {
			t.Fatalf("fetch %d: err = %v, want temporary status %d", i, err, s.status)
		}
		wantRetry, _ := strconv.Atoi(s.retry)
		if se.RetryAfter != time.Duration(wantRetry)*time.Second {
			t.Errorf("fetch %d: RetryAfter = %s, want %ss", i, se.RetryAfter, s.retry)
		}
	}
}
