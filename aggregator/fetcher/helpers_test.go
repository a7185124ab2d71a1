package fetcher_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

// loopbackFetcher returns a Fetcher allowed to reach loopback test servers,
// with short time limits unless o sets them.
func loopbackFetcher(tb testing.TB, o fetcher.Options) *fetcher.Fetcher {
	tb.Helper()
	o.AllowPrivateNetworks = true
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	f := fetcher.New(o)
	tb.Cleanup(f.CloseIdleConnections)
	return f
}

// serve starts an httptest server for h, closed when the test ends.
func serve(tb testing.TB, h http.Handler) *httptest.Server {
	tb.Helper()
	s := httptest.NewServer(h)
	tb.Cleanup(s.Close)
	return s
}

// countingWriter counts the body bytes a handler managed to write.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func (c countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// gzipBytes compresses b.
func gzipBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

const sampleRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test outlet</title><link>http://example.org/</link>
<item><title>Iran and Russia sign a defence pact</title><link>http://example.org/a</link><guid>a</guid></item>
</channel></rss>
`

// Unwrap lets http.NewResponseController reach the real writer (to hijack).
func (c countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
