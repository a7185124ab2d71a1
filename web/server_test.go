package web

import (
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestServer(tb testing.TB) (*Server, *fakeStore, *clock) {
	tb.Helper()
	st := &fakeStore{items: sampleItems(tb), outlets: sampleOutlets(tb), rev: 1}
	clk := &clock{t: mustTime(tb, "2023-03-01T12:00:00Z")}
	s := NewServer(st, Options{
		BaseURL: "http://feeds.test", Title: "Iran–Russia–Ukraine", Description: "merged", Language: "en",
		Limit: 50, PollInterval: 10 * time.Minute, Clock: clk.now,
	})
	return s, st, clk
}

type reqOpt func(*http.Request)

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func do(tb testing.TB, h http.Handler, method, path string, opts ...reqOpt) *http.Response {
	tb.Helper()
	req := httptest.NewRequest(method, path, nil)
	for _, o := range opts {
		o(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(tb testing.TB, res *http.Response) string {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestFeedEndpoints(t *testing.T) {
	s, _, _ := newTestServer(t)
	tests := []struct {
		path, ctype string
		want        []string
		notWant     []string
	}{
		{"/feed.atom", "application/atom+xml; charset=utf-8",
			[]string{`<link href="http://feeds.test/feed.atom" rel="self"`, "<id>http://feeds.test/stories/s-burns</id>", `term="drones"`},
			[]string{"Football results"}},
		{"/feed.rss", "application/rss+xml; charset=utf-8",
			[]string{`<atom:link href="http://feeds.test/feed.rss" rel="self"`, `<source url="https://ifpnews.example/feed/">Iran Front Page</source>`},
			[]string{"Football results"}},
		{"/feed.json", "application/feed+json; charset=utf-8",
			[]string{`"feed_url": "http://feeds.test/feed.json"`, `"_topicfeed"`, `"story": "s-burns"`},
			[]string{"Football results"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := do(t, s, http.MethodGet, tt.path)
			b := body(t, res)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", res.StatusCode, b)
			}
			if got := res.Header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if got := res.Header.Get("Cache-Control"); got != "public, max-age=300" {
				t.Errorf("Cache-Control %q", got)
			}
			if et := res.Header.Get("ETag"); !strings.HasPrefix(et, `"`) || len(et) < 10 {
				t.Errorf("ETag %q is not a strong validator", et)
			}
			if lm := res.Header.Get("Last-Modified"); lm != "Wed, 01 Mar 2023 12:00:00 GMT" {
				t.Errorf("Last-Modified %q", lm)
			}
			for _, w := range tt.want {
				if !strings.Contains(b, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(b, w) {
					t.Errorf("body has %q", w)
				}
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	s, _, _ := newTestServer(t)
	first := do(t, s, http.MethodGet, "/feed.atom")
	etag, lm := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	tests := []struct {
		name string
		opts []reqOpt
		want int
	}{
		{"if-none-match", []reqOpt{header("If-None-Match", etag)}, 304},
		{"if-none-match list", []reqOpt{header("If-None-Match", `"other", `+etag)}, 304},
		{"weak if-none-match", []reqOpt{header("If-None-Match", "W/"+etag)}, 304},
		{"star", []reqOpt{header("If-None-Match", "*")}, 304},
		{"stale etag", []reqOpt{header("If-None-Match", `"0123"`)}, 200},
		{"if-modified-since", []reqOpt{header("If-Modified-Since", lm)}, 304},
		{"if-modified-since later", []reqOpt{header("If-Modified-Since", "Thu, 02 Mar 2023 12:00:00 GMT")}, 304},
		{"if-modified-since earlier", []reqOpt{header("If-Modified-Since", "Tue, 28 Feb 2023 12:00:00 GMT")}, 200},
		{"etag wins over date", []reqOpt{header("If-None-Match", `"0123"`), header("If-Modified-Since", lm)}, 200},
		{"gzip etag", []reqOpt{header("Accept-Encoding", "gzip")}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, s, http.MethodGet, "/feed.atom", tt.opts...)
			b := body(t, res)
			if res.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.want)
			}
			if tt.want == 304 {
				if b != "" {
					t.Errorf("304 with a body of %d bytes", len(b))
				}
				if res.Header.Get("ETag") == "" || res.Header.Get("Cache-Control") == "" {
					t.Error("304 without ETag or Cache-Control")
				}
			}
		})
	}
	// The gzip representation has its own ETag, which also validates.
	gz := do(t, s, http.MethodGet, "/feed.atom", header("Accept-Encoding", "gzip"))
	gzTag := gz.Header.Get("ETag")
	if gzTag == etag {
		t.Errorf("gzip and identity share ETag %s", etag)
	}
	if res := do(t, s, http.MethodGet, "/feed.atom", header("Accept-Encoding", "gzip"), header("If-None-Match", gzTag)); res.StatusCode != 304 {
		t.Errorf("gzip ETag revalidation: %d", res.StatusCode)
	}
}

func TestRenderOncePerRevision(t *testing.T) {
	s, st, clk := newTestServer(t)
	get := func() *http.Response { return do(t, s, http.MethodGet, "/feed.rss") }
	first := get()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = do(t, s, http.MethodGet, "/feed.rss")
		}()
	}
	wg.Wait()
	if n := st.calls(); n != 1 {
		t.Fatalf("21 requests at one revision rendered %d times, want 1", n)
	}

	// A new revision with unchanged content re-renders once and keeps the
	// validators.
	clk.add(time.Minute)
	st.bump()
	same := get()
	if n := st.calls(); n != 2 {
		t.Errorf("after a revision bump: %d renders, want 2", n)
	}
	if same.Header.Get("ETag") != first.Header.Get("ETag") || same.Header.Get("Last-Modified") != first.Header.Get("Last-Modified") {
		t.Errorf("unchanged content changed validators: %s %s -> %s %s", first.Header.Get("ETag"),
			first.Header.Get("Last-Modified"), same.Header.Get("ETag"), same.Header.Get("Last-Modified"))
	}

	// Changed content: new ETag and a later Last-Modified.
	clk.add(time.Minute)
	items := sampleItems(t)
	items[1].Title = "Blinken: edited headline"
	st.set(items)
	changed := get()
	b := body(t, changed)
	if !strings.Contains(b, "Blinken: edited headline") {
		t.Error("new content not served")
	}
	if changed.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Error("ETag did not change with the content")
	}
	if got := changed.Header.Get("Last-Modified"); got != "Wed, 01 Mar 2023 12:02:00 GMT" {
		t.Errorf("Last-Modified %q, want the time of the change", got)
	}
}

func TestRevisionTTL(t *testing.T) {
	st := &fakeStore{items: sampleItems(t), outlets: sampleOutlets(t), rev: 1}
	clk := &clock{t: mustTime(t, "2023-03-01T12:00:00Z")}
	s := NewServer(st, Options{BaseURL: "http://feeds.test", Clock: clk.now, RevisionTTL: time.Second})
	_ = do(t, s, http.MethodGet, "/feed.json")
	st.bump()
	_ = do(t, s, http.MethodGet, "/feed.json")
	if n := st.calls(); n != 1 {
		t.Errorf("within the TTL: %d renders, want 1", n)
	}
	clk.add(time.Second)
	_ = do(t, s, http.MethodGet, "/feed.json")
	if n := st.calls(); n != 2 {
		t.Errorf("after the TTL: %d renders, want 2", n)
	}
}

// TestRevisionTTLReads: within RevisionTTL, concurrent requests for cached
// documents (200s and 304s) do not ask the store; once it has passed, one
// request asks it and the others keep the answer they have.
func TestRevisionTTLReads(t *testing.T) {
	st := &fakeStore{items: sampleItems(t), outlets: sampleOutlets(t), rev: 1}
	clk := &clock{t: mustTime(t, "2023-03-01T12:00:00Z")}
	s := NewServer(st, Options{BaseURL: "http://feeds.test", Clock: clk.now, RevisionTTL: time.Second})
	etag := do(t, s, http.MethodGet, "/feed.atom").Header.Get("ETag")
	reads := st.revisionReads()
	burst := func() {
		var wg sync.WaitGroup
		for i := range 32 {
			wg.Go(func() {
				var opts []reqOpt
				if i%2 == 0 {
					opts = append(opts, header("If-None-Match", etag))
				}
				_ = do(t, s, http.MethodGet, "/feed.atom", opts...)
			})
		}
		wg.Wait()
	}
	burst()
	if n := st.revisionReads() - reads; n != 0 {
		t.Errorf("32 requests within the TTL read the revision %d times, want 0", n)
	}
	clk.add(time.Second)
	burst()
	if n := st.revisionReads() - reads; n != 1 {
		t.Errorf("32 requests once the TTL passed read the revision %d times, want 1", n)
	}
}

func TestGzipAndHead(t *testing.T) {
	s, _, _ := newTestServer(t)
	plain := body(t, do(t, s, http.MethodGet, "/feed.json"))
	res := do(t, s, http.MethodGet, "/feed.json", header("Accept-Encoding", "br, gzip;q=0.8"))
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("Content-Encoding %q Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(unzipped) != plain {
		t.Error("gzipped body differs from the plain one")
	}
	if res := do(t, s, http.MethodGet, "/feed.json", header("Accept-Encoding", "gzip;q=0")); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused with q=0")
	}

	head := do(t, s, http.MethodHead, "/feed.json")
	if hb := body(t, head); head.StatusCode != 200 || hb != "" {
		t.Errorf("HEAD: status %d, %d body bytes", head.StatusCode, len(hb))
	}
	if head.Header.Get("Content-Length") != itoa(len(plain)) || head.Header.Get("ETag") == "" {
		t.Errorf("HEAD headers %v", head.Header)
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		ae   string
		want bool
	}{
		{"", false},
		{"gzip", true},
		{"deflate, gzip", true},
		{"GZIP;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"br", false},
		{"*", true},
		{"x-gzip", true},
	}
	for _, tt := range tests {
		t.Run(tt.ae, func(t *testing.T) {
			if got := acceptsGzip(tt.ae); got != tt.want {
				t.Errorf("acceptsGzip(%q) = %v", tt.ae, got)
			}
		})
	}
}

func TestStoreFailureServesLastGood(t *testing.T) {
	s, st, _ := newTestServer(t)
	good := do(t, s, http.MethodGet, "/feed.atom")
	goodBody := body(t, good)
	st.fail(errStoreDown)
	res := do(t, s, http.MethodGet, "/feed.atom")
	if b := body(t, res); res.StatusCode != 200 || b != goodBody {
		t.Errorf("while the store fails: status %d, same bytes %v", res.StatusCode, b == goodBody)
	}
	if res := do(t, s, http.MethodGet, "/feed.atom", header("If-None-Match", good.Header.Get("ETag"))); res.StatusCode != 304 {
		t.Errorf("revalidation while the store fails: %d", res.StatusCode)
	}
	// Nothing rendered yet for RSS: 503 with Retry-After, not an empty feed.
	res = do(t, s, http.MethodGet, "/feed.rss")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Errorf("no last good document: status %d", res.StatusCode)
	}
	// Items failing while Revision works also keeps the last good bytes.
	st.fail(nil)
	st.bump()
	st.mu.Lock()
	st.outlets = nil
	st.mu.Unlock()
	if res := do(t, s, http.MethodGet, "/feed.atom"); res.StatusCode != 200 {
		t.Errorf("after recovery: %d", res.StatusCode)
	}
}

func TestMethodsAndHealth(t *testing.T) {
	s, st, _ := newTestServer(t)
	res := do(t, s, http.MethodPost, "/feed.atom")
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
	st.fail(errStoreDown)
	res = do(t, s, http.MethodGet, "/healthz")
	if b := body(t, res); res.StatusCode != 200 || b != "ok\n" {
		t.Errorf("healthz: %d %q", res.StatusCode, b)
	}
	if res := do(t, s, http.MethodGet, "/feed.xml"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %d", res.StatusCode)
	}
}

func TestMaxAge(t *testing.T) {
	tests := []struct {
		poll time.Duration
		want int
	}{
		{0, 450}, {30 * time.Second, 60}, {10 * time.Minute, 300}, {15 * time.Minute, 450}, {6 * time.Hour, 3600},
	}
	for _, tt := range tests {
		t.Run(tt.poll.String(), func(t *testing.T) {
			if got := maxAge(tt.poll); got != tt.want {
				t.Errorf("maxAge(%s) = %d, want %d", tt.poll, got, tt.want)
			}
		})
	}
}

// TestStoreFailureLoggedOnce: a failing store is logged when it starts
// failing and when it recovers, not on every request.
func TestStoreFailureLoggedOnce(t *testing.T) {
	var logs strings.Builder
	st := &fakeStore{items: sampleItems(t), outlets: sampleOutlets(t), rev: 1}
	s := NewServer(st, Options{BaseURL: "http://feeds.test", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	st.fail(errStoreDown)
	for range 5 {
		if res := do(t, s, http.MethodGet, "/feed.rss"); res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("status %d", res.StatusCode)
		}
	}
	st.fail(nil)
	_ = do(t, s, http.MethodGet, "/feed.rss")
	out := logs.String()
	if n := strings.Count(out, "level=WARN"); n != 1 || !strings.Contains(out, "database is locked") {
		t.Errorf("%d warnings:\n%s", n, out)
	}
	if n := strings.Count(out, "level=ERROR"); n != 0 {
		t.Errorf("%d errors logged:\n%s", n, out)
	}
	if !strings.Contains(out, "store recovered") {
		t.Errorf("recovery not logged:\n%s", out)
	}
}
