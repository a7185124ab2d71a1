package fetcher

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

const fuzzCap = 4096

func gz(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// FuzzReadBody feeds arbitrary bytes and Content-Encoding values to the body
// reader: it must never panic, never return more than the cap, and return
// an undeclared, non-gzip body unchanged.
func FuzzReadBody(f *testing.F) {
	feed := []byte(`<rss version="2.0"><channel><title>t</title></channel></rss>`)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(feed)
	_ = zw.Close()
	f.Add(feed, "")
	f.Add(gz(f, feed), "gzip")
	f.Add(gz(f, feed), "")
	f.Add(z.Bytes(), "deflate")
	f.Add(gz(f, make([]byte, 1<<20)), "gzip")
	f.Add(gz(f, gz(f, feed)), "gzip, gzip")
	f.Add([]byte{0x1f, 0x8b}, "")
	f.Add([]byte{}, "deflate")
	f.Fuzz(func(t *testing.T, data []byte, coding string) {
		resp := &http.Response{
			Header:        http.Header{"Content-Encoding": {coding}},
			Body:          io.NopCloser(bytes.NewReader(data)),
			ContentLength: -1,
		}
		body, wire, err := readBody(resp, fuzzCap)
		if wire < 0 || wire > int64(len(data)) {
			t.Fatalf("read %d wire bytes of %d", wire, len(data))
		}
		if err != nil {
			if body != nil {
				t.Fatalf("error %v with %d body bytes", err, len(body))
			}
			return
		}
		if len(body) > fuzzCap {
			t.Fatalf("body of %d bytes passes the %d byte cap", len(body), fuzzCap)
		}
		undeclared := isIdentity(coding) && !bytes.HasPrefix(data, []byte{0x1f, 0x8b})
		if undeclared && !bytes.Equal(body, data) {
			t.Fatalf("identity body changed: %q → %q", data, body)
		}
	})
}

// FuzzCachingHeaders checks that no header value makes FreshFor or
// Retry-After negative, overflow, or panic.
func FuzzCachingHeaders(f *testing.F) {
	f.Add("max-age=300", "", "", "", "120")
	f.Add("no-cache", "Sat, 21 Nov 2026 12:00:00 GMT", "Sat, 21 Nov 2026 11:00:00 GMT", "10", "Sat, 21 Nov 2026 12:30:00 GMT")
	f.Add("max-age=99999999999999999999", "0", "garbage", "99999999999999999999", "99999999999999999999")
	f.Add(`max-age="5", max-age=7`, "Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "-1", "-1")
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, cc, expires, date, age, retry string) {
		h := http.Header{"Cache-Control": {cc}, "Expires": {expires}, "Date": {date}, "Age": {age}, "Retry-After": {retry}}
		r := &Response{Header: h, Fetched: now}
		for _, at := range []time.Time{now, now.Add(time.Hour), now.Add(-time.Hour)} {
			if got := r.FreshFor(at); got < 0 || got > maxFreshness {
				t.Fatalf("FreshFor = %s", got)
			}
		}
		if got := retryAfter(h, now); got < 0 || got > maxRetryAfter {
			t.Fatalf("retryAfter = %s", got)
		}
	})
}

// fuzzCase is one fuzzed server response.
type fuzzCase struct {
	status                        int
	coding, ctype, cc, retry, tag string
	body                          []byte
}

// FuzzFetch runs the whole fetch against a loopback server answering with
// a fuzzed status, headers and body: no panic, no body past the cap, and a
// result that agrees with the status.
func FuzzFetch(f *testing.F) {
	var mu sync.Mutex
	var cur fuzzCase
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		c := cur
		mu.Unlock()
		for k, v := range map[string]string{"Content-Encoding": c.coding, "Content-Type": c.ctype,
			"Cache-Control": c.cc, "Retry-After": c.retry, "ETag": c.tag} {
			if v != "" {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(c.status)
		_, _ = w.Write(c.body)
	}))
	defer srv.Close()
	fe := New(Options{AllowPrivateNetworks: true, MaxBodyBytes: fuzzCap, Timeout: 2 * time.Second})
	defer fe.CloseIdleConnections()

	feed := []byte(`<rss version="2.0"><channel><title>t</title></channel></rss>`)
	f.Add(uint16(0), "", "application/rss+xml", "max-age=60", "", `"a"`, feed)
	f.Add(uint16(0), "gzip", "", "", "", "", gz(f, feed))
	f.Add(uint16(0), "gzip", "", "", "", "", gz(f, make([]byte, 1<<16)))
	f.Add(uint16(104), "", "", "", "", "", []byte(nil))
	f.Add(uint16(229), "", "text/html", "", "120", "", []byte("slow down"))
	f.Add(uint16(210), "", "", "", "", "", []byte("gone"))
	f.Fuzz(func(t *testing.T, code uint16, coding, ctype, cc, retry, tag string, body []byte) {
		c := fuzzCase{status: 200 + int(code)%400, coding: coding, ctype: ctype, cc: cc, retry: retry, tag: tag, body: body}
		mu.Lock()
		cur = c
		mu.Unlock()
		resp, err := fe.Fetch(t.Context(), Request{URL: srv.URL + "/feed", ETag: `"a"`})
		var se *StatusError
		switch {
		case errors.As(err, &se):
			if se.StatusCode != c.status || (c.status >= 200 && c.status <= 299) || c.status == 304 {
				t.Fatalf("status %d gave %v", c.status, err)
			}
			if se.RetryAfter < 0 {
				t.Fatalf("negative RetryAfter %s", se.RetryAfter)
			}
		case err != nil:
			if resp != nil {
				t.Fatalf("response with error %v", err)
			}
		default:
			if c.status != 304 && (c.status < 200 || c.status > 299) {
				t.Fatalf("status %d (%s) gave no error", c.status, strconv.Itoa(resp.StatusCode))
			}
			if len(resp.Body) > fuzzCap {
				t.Fatalf("body of %d bytes passes the cap", len(resp.Body))
			}
			if resp.NotModified != (c.status == 304) || (resp.NotModified && len(resp.Body) != 0) {
				t.Fatalf("status %d: NotModified %v with %d bytes", c.status, resp.NotModified, len(resp.Body))
			}
			if resp.FreshFor(time.Now()) < 0 {
				t.Fatal("negative freshness")
			}
		}
	})
}
