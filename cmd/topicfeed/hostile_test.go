package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// Limits the hostile polls run with (through the environment, as ops
// would set them).
const (
	hostileTimeout = 2 * time.Second
	hostileMaxBody = 4 << 20
	// maxPollRSS bounds the peak resident memory of one `topicfeed poll`
	// facing every hostile outlet at once.
	maxPollRSS = 300 << 20
)

// loopbackServer starts an httptest server for h on its own loopback
// address (127.0.0.N), so that the scheduler's one-request-per-host limit
// does not queue the hostile outlets behind each other. It falls back to
// 127.0.0.1 where other loopback addresses cannot be bound.
func loopbackServer(t testing.TB, n int, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 10+n)); err == nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}

const hostileRSSHead = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Hostile</title><link>https://hostile.example.org/</link><description>d</description>`

// gzipBomb compresses an RSS head followed by size bytes of spaces.
func gzipBomb(t testing.TB, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write([]byte(hostileRSSHead + "<item><title>"))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range size >> 20 {
		zw.Write(chunk)
	}
	zw.Write([]byte("</title></item></channel></rss>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// billionLaughs is an RSS feed whose item title expands, if entities were
// expanded, to 10^9 "lol"s.
func billionLaughs() []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n <!ENTITY lol \"lol\">\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, " <!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString("]>\n")
	b.WriteString(`<rss version="2.0"><channel><title>&lol9;</title><link>https://laughs.example.org/</link><description>&lol9;</description>`)
	b.WriteString(`<item><title>Laughs &lol9; Iran Russia drones</title><link>https://laughs.example.org/a</link><description>&lol9; &lol8; Iranian drones in Russia's war on Ukraine</description></item>`)
	b.WriteString(`</channel></rss>`)
	return []byte(strings.ReplaceAll(b.String(), "&lol0;", "&lol;"))
}

// invalidUTF8 is an on-topic feed whose texts carry bytes that are not
// UTF-8 (stray continuation bytes, an overlong encoding, a lone
// surrogate, Latin-1 bytes) though it declares UTF-8.
func invalidUTF8() []byte {
	return []byte(hostileRSSHead + "<item><title>Broken \xff\xfe bytes: Iran sends drones to Russia \xc0\xaf</title>" +
		"<link>https://broken-utf8.example.org/a</link><description>Iranian Shahed drones \xed\xa0\x80 hit Kyiv, Ukraine said; Moscow caf\xe9 \x80\x81 Tehran denied.</description></item>" +
		"<item><title>Clean: Russia and Iran sign a defense pact</title><link>https://broken-utf8.example.org/b</link><description>Iran and Russia agreed on drones and missiles for the war in Ukraine.</description></item></channel></rss>")
}

// manyItems is an RSS feed of n small items, item k published k seconds
// after the first, linked relative to the feed.
func manyItems(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 100)
	b.WriteString(hostileRSSHead)
	base := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for k := range n {
		fmt.Fprintf(&b, "<item><title>F%d</title><link>/%d</link><pubDate>%s</pubDate></item>",
			k, k, base.Add(time.Duration(k)*time.Second).Format(time.RFC3339))
	}
	b.WriteString("</channel></rss>")
	return b.Bytes()
}

// hostileOutlet is one outlet of the hostile suite.
type hostileOutlet struct {
	name    string
	handler http.Handler
	// wantErr is a substring of the outlet's recorded error after the
	// first poll; "" means the outlet must not fail.
	wantErr string
	// eitherWay accepts failure or success (what matters is checked
	// separately).
	eitherWay bool
	// wantStatus is the recorded HTTP status, when not 0. (A body that
	// fails after a 200, too large or too slow, is recorded as status 0:
	// the fetcher returns no response.)
	wantStatus int
}

// slowDrip answers 200 and then sends one byte every 100ms, forever.
func slowDrip() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(hostileRSSHead))
		w.(http.Flusher).Flush()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	})
}

// neverEnding streams items as fast as the client reads, forever.
func neverEnding() http.Handler {
	chunk := bytes.Repeat([]byte("<item><title>again</title><link>https://endless.example.org/x</link></item>"), 1000)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(hostileRSSHead))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
}

// hugeFeed serves a valid 50 MB feed with its Content-Length, generated as
// it is written.
func hugeFeed() http.Handler {
	const size = 50 << 20
	item := []byte("<item><title>Huge feed item about Iran and Russia</title><link>https://huge.example.org/x</link><description>" + strings.Repeat("padding ", 100) + "</description></item>")
	closing := []byte("</channel></rss>")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.Write([]byte(hostileRSSHead))
		written := len(hostileRSSHead)
		for written+len(item)+len(closing) <= size {
			if _, err := w.Write(item); err != nil {
				return
			}
			written += len(item)
		}
		w.Write(bytes.Repeat([]byte(" "), size-written-len(closing)))
		w.Write(closing)
	})
}

// flappingETag serves the same feed under an ETag that alternates between
// two values, answering 304 only when the client has the current one.
func flappingETag(body []byte) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		etag := fmt.Sprintf(`"flap-%d"`, n.Add(1)%2)
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(body)
	})
}

// turncoat serves a good feed until turned, then garbage and 500s.
type turncoat struct {
	good   []byte
	turned atomic.Bool
	calls  atomic.Int64
}

func (h *turncoat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.turned.Load() {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(h.good)
		return
	}
	if h.calls.Add(1)%2 == 0 {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	w.Write([]byte("<html><body>We are down for maintenance <b>"))
}

// hostilePoll is one finished `topicfeed poll`.
type hostilePoll struct {
	stderr string
	took   time.Duration
	maxRSS int64 // bytes
}

// pollEnv runs `topicfeed poll` with extra environment and returns its
// stderr, wall time and peak resident memory. It fails the test unless the
// poll exits 0 within limit.
//
// Peak memory is the process's VmHWM, sampled from /proc while it runs
// (it only grows, so the last sample is the peak up to a few ms before
// exit). The rusage of the exited child is no use: Go starts children
// with vfork semantics, and Linux carries the parent's high-water mark
// into the child's ru_maxrss at exec, so it reports the test process's
// own peak.
func pollEnv(t testing.TB, cfg string, limit time.Duration, env ...string) hostilePoll {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-config", cfg, "poll")
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var run hostilePoll
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		if hwm := vmHWM(status); hwm > run.maxRSS {
			run.maxRSS = hwm
		}
		select {
		case err = <-done:
			break wait
		case <-tick.C:
		}
	}
	run.stderr, run.took = stderr.String(), time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("poll did not finish within %v\n%s", limit, apptest.LogTail(run.stderr))
	}
	if err != nil {
		t.Fatalf("poll: %v\n%s", err, apptest.LogTail(run.stderr))
	}
	if run.maxRSS == 0 {
		t.Logf("no VmHWM in %s: peak memory not measured", status)
	}
	return run
}

// vmHWM reads the peak resident set size (bytes) from a /proc status
// file, or 0.
func vmHWM(status string) int64 {
	data, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// readHostileStore returns the outlets' states and every stored item.
func readHostileStore(t testing.TB, path string) (map[string]news.OutletState, []news.Item) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := db.Outlets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]news.OutletState{}
	for _, o := range list {
		states[o.Name] = o
	}
	items, err := db.Items(ctx, news.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return states, items
}

func outletItems(items []news.Item, outlet string) []news.Item {
	var out []news.Item
	for _, it := range items {
		if it.Outlet == outlet {
			out = append(out, it)
		}
	}
	return out
}

// TestHostileOutlets polls healthy and hostile outlets together with the
// real binary: every hostile outlet's failure is recorded, the healthy
// outlets are stored, the process's memory stays bounded, and an outlet
// that turns hostile after a good poll loses nothing already stored or
// published.
func TestHostileOutlets(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile suite: skipped with -short")
	}
	turn := &turncoat{good: apptest.OnTopicRSS("turncoat", 5)}
	var rateLimitedHits, goneHits, movedHits atomic.Int64
	outlets := []hostileOutlet{
		{name: "Healthy One", handler: apptest.ServeFeed(apptest.OnTopicRSS("healthy-one", 5), "application/rss+xml")},
		{name: "Healthy Two", handler: apptest.ServeFeed(apptest.OnTopicRSS("healthy-two", 5), "application/rss+xml", "ETag", `"h2"`)},
		{name: "Healthy Three", handler: apptest.ServeFeed(apptest.OnTopicRSS("healthy-three", 5), "application/rss+xml")},
		{name: "Turncoat", handler: turn},
		{name: "Slow Drip", handler: slowDrip(), wantErr: "timed out"},
		{name: "Never Ending", handler: neverEnding(), wantErr: "too large"},
		{name: "Gzip Bomb", handler: apptest.ServeFeed(gzipBomb(t, 256<<20), "application/rss+xml", "Content-Encoding", "gzip"), wantErr: "too large"},
		{name: "Fifty Megabytes", handler: hugeFeed(), wantErr: "too large"},
		{name: "Redirect Loop", handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"?again", http.StatusFound)
		}), wantErr: "redirects"},
		{name: "Rate Limited", handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rateLimitedHits.Add(1)
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}), wantErr: "429", wantStatus: 429},
		{name: "Storm 503", handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		}), wantErr: "503", wantStatus: 503},
		{name: "Billion Laughs", handler: apptest.ServeFeed(billionLaughs(), "application/rss+xml"), eitherWay: true},
		{name: "Invalid UTF-8", handler: apptest.ServeFeed(invalidUTF8(), "application/rss+xml; charset=utf-8")},
		{name: "Flapping ETag", handler: flappingETag(apptest.OnTopicRSS("flapping", 5))},
		{name: "Gone", handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			goneHits.Add(1)
			http.Error(w, "gone", http.StatusGone)
		}), wantErr: "410", wantStatus: 410},
		{name: "Moved", handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/feed" {
				http.Redirect(w, r, "/moved/feed", http.StatusMovedPermanently)
				return
			}
			movedHits.Add(1)
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(apptest.OnTopicRSS("moved", 5))
		})},
	}
	var list []apptest.Outlet
	for i, o := range outlets {
		srv := loopbackServer(t, i, o.handler)
		list = append(list, apptest.Outlet{o.name, srv.URL + "/feed"})
	}
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, list, "listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	dbPath := filepath.Join(dir, "data", "topicfeed.db")
	env := []string{
		"TOPICFEED_FETCH_TIMEOUT=" + hostileTimeout.String(),
		fmt.Sprintf("TOPICFEED_FETCH_MAX_BODY_BYTES=%d", hostileMaxBody),
		fmt.Sprintf("TOPICFEED_FETCH_CONCURRENCY=%d", len(outlets)),
	}

	// First poll: every hostile outlet fails alone and is recorded.
	run := pollEnv(t, cfg, time.Minute, env...)
	t.Logf("first poll: %v, peak RSS %d MiB", run.took.Round(time.Millisecond), run.maxRSS>>20)
	if run.maxRSS > maxPollRSS {
		t.Errorf("peak RSS of the poll: %d MiB, want at most %d MiB", run.maxRSS>>20, maxPollRSS>>20)
	}
	start := time.Now()
	states, items := readHostileStore(t, dbPath)
	for _, o := range outlets {
		t.Run(strings.ReplaceAll(o.name, " ", "_"), func(t *testing.T) {
			st, ok := states[o.name]
			if !ok {
				t.Fatalf("outlet %q is not in the store", o.name)
			}
			if st.LastFetch.IsZero() {
				t.Errorf("never polled: %+v", st)
			}
			t.Logf("status %d, %d consecutive errors, %d items, error %q", st.LastStatus, st.ConsecutiveErrors, len(outletItems(items, o.name)), st.LastError)
			if o.eitherWay {
				return // refused or stored small: checked below
			}
			if o.wantErr == "" {
				if st.LastError != "" || st.ConsecutiveErrors != 0 {
					t.Errorf("failed: %q (%d errors)", st.LastError, st.ConsecutiveErrors)
				}
				return
			}
			if !strings.Contains(st.LastError, o.wantErr) || st.ConsecutiveErrors < 1 {
				t.Errorf("recorded error %q (%d consecutive), want one mentioning %q", st.LastError, st.ConsecutiveErrors, o.wantErr)
			}
			if o.wantStatus != 0 && st.LastStatus != o.wantStatus {
				t.Errorf("recorded status %d, want %d", st.LastStatus, o.wantStatus)
			}
			if !strings.Contains(run.stderr, fmt.Sprintf("outlet=%q ", o.name)) && !strings.Contains(run.stderr, "outlet="+o.name+" ") {
				t.Errorf("its failure is not logged with the outlet's name:\n%s", apptest.LogTail(run.stderr))
			}
			if n := len(outletItems(items, o.name)); n != 0 {
				t.Errorf("%d items stored from a failing outlet", n)
			}
		})
	}
	if st := states["Gone"]; !st.Disabled || !strings.Contains(st.DisabledReason, "410") {
		t.Errorf("410 Gone did not disable the outlet: disabled %v, reason %q", st.Disabled, st.DisabledReason)
	}
	if st := states["Moved"]; !strings.HasSuffix(st.FeedURL, "/moved/feed") {
		t.Errorf("a 301 did not move the outlet's feed URL: %q", st.FeedURL)
	}
	if l := apptest.GrepLines(run.stderr, "outlet moved permanently"); !strings.Contains(l, `outlet=Moved`) || !strings.Contains(l, "/moved/feed") {
		t.Errorf("the permanent redirect is not logged with the outlet and its new URL:\n%s", apptest.LogTail(run.stderr))
	}
	// The ops view: `topicfeed outlets` shows each failing outlet.
	table, _ := topicfeed(t, "-config", cfg, "outlets")
	for _, o := range outlets {
		line := ""
		for _, l := range strings.Split(table, "\n") {
			if strings.HasPrefix(l, o.name+" ") {
				line = l
			}
		}
		switch {
		case line == "":
			t.Errorf("`topicfeed outlets` has no line for %s:\n%s", o.name, table)
		case o.wantErr != "" && !strings.Contains(line, "failing") && !strings.Contains(line, "disabled"):
			t.Errorf("`topicfeed outlets` does not show %s failing: %s", o.name, line)
		}
	}
	for _, name := range []string{"Healthy One", "Healthy Two", "Healthy Three", "Turncoat", "Flapping ETag", "Moved"} {
		if n := len(outletItems(items, name)); n != 5 {
			t.Errorf("%s: %d items stored, want 5", name, n)
		}
	}
	if st := states["Rate Limited"]; st.NextPoll.Before(start.Add(50 * time.Minute)) {
		t.Errorf("Retry-After: 3600 not honoured: next poll %v (now %v)", st.NextPoll, start)
	}
	// Entities never amplify: whatever is stored from the billion laughs
	// is small.
	for _, it := range outletItems(items, "Billion Laughs") {
		if n := len(it.Title) + len(it.Text) + len(it.ContentHTML); n > 4096 {
			t.Errorf("billion laughs: an item of %d bytes was stored: entities expanded", n)
		}
		t.Logf("billion laughs stored as: title %q, text %q", it.Title, it.Text)
	}
	// Invalid UTF-8 never reaches storage or the feeds.
	broken := outletItems(items, "Invalid UTF-8")
	if len(broken) != 2 {
		t.Errorf("invalid UTF-8 feed: %d items stored, want 2", len(broken))
	}
	for _, it := range broken {
		for field, s := range map[string]string{"title": it.Title, "text": it.Text, "summary": it.Summary, "content": it.ContentHTML} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 stored in the %s of %s: %q", field, it.URL, s)
			}
		}
	}
	for _, format := range []string{"atom", "rss"} {
		out, _ := topicfeed(t, "-config", cfg, "export", "-format", format, "-limit", "0", "-per", "item")
		if err := wellFormed(out); err != nil {
			t.Errorf("export -format %s after the hostile poll is not well-formed: %v", format, err)
		}
	}
	published := exportURLs(t, cfg)
	for k := range 5 {
		u := fmt.Sprintf("https://turncoat.example.org/news/%d", k)
		if !published[u] {
			t.Errorf("the turncoat's %s is not published after the first poll", u)
		}
	}

	// The turncoat turns hostile; the storm goes on; the ETag flaps.
	turn.turned.Store(true)
	for round := 2; round <= 3; round++ {
		run := pollEnv(t, cfg, time.Minute, env...)
		t.Logf("poll %d: %v, peak RSS %d MiB", round, run.took.Round(time.Millisecond), run.maxRSS>>20)
		if run.maxRSS > maxPollRSS {
			t.Errorf("poll %d: peak RSS %d MiB, want at most %d MiB", round, run.maxRSS>>20, maxPollRSS>>20)
		}
	}
	// `topicfeed poll` polls every outlet, due or not: a rate-limited
	// outlet is asked again at once (the daemon's scheduler waits).
	t.Logf("the rate-limited outlet (Retry-After: 3600) was requested %d times in 3 polls", rateLimitedHits.Load())
	if n := goneHits.Load(); n != 1 {
		t.Errorf("the outlet gone (410) after the first poll was requested %d times in 3 polls, want 1", n)
	}
	if n := movedHits.Load(); n != 3 {
		t.Errorf("the moved feed was requested %d times at its new URL in 3 polls, want 3", n)
	}
	states2, items2 := readHostileStore(t, dbPath)
	if st := states2["Turncoat"]; st.LastError == "" || st.ConsecutiveErrors != 2 {
		t.Errorf("turncoat after two bad polls: error %q, %d consecutive, want 2", st.LastError, st.ConsecutiveErrors)
	}
	if st := states2["Storm 503"]; st.ConsecutiveErrors != 3 || st.LastStatus != 503 {
		t.Errorf("503 storm after three polls: %d consecutive errors, status %d; want 3, 503", st.ConsecutiveErrors, st.LastStatus)
	}
	for _, name := range []string{"Healthy One", "Healthy Two", "Healthy Three"} {
		if st := states2[name]; st.LastError != "" || !st.LastFetch.After(states[name].LastFetch) {
			t.Errorf("%s was not polled again beside the hostile outlets: %+v", name, st)
		}
	}
	if st := states2["Flapping ETag"]; st.LastError != "" {
		t.Errorf("flapping ETag: %q", st.LastError)
	}
	if len(items2) != len(items) {
		t.Errorf("stored items: %d after the first poll, %d after three: something was lost or duplicated", len(items), len(items2))
	}
	before := map[string]string{}
	for _, it := range items {
		before[it.URL] = it.UID
	}
	for _, it := range items2 {
		if uid, ok := before[it.URL]; !ok || uid != it.UID {
			t.Errorf("%s: uid %q before, %q after", it.URL, uid, it.UID)
		}
	}
	after := exportURLs(t, cfg)
	for u := range published {
		if !after[u] {
			t.Errorf("%s was published after the first poll and is not any more", u)
		}
	}
	if t.Failed() {
		t.Logf("last poll log:\n%s", apptest.LogTail(run.stderr))
	}
}

// exportURLs returns the URLs of the published feed, one entry per item.
func exportURLs(t testing.TB, cfg string) map[string]bool {
	t.Helper()
	out, _ := topicfeed(t, "-config", cfg, "export", "-format", "json", "-limit", "0", "-per", "item")
	var f jsonFeed
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("export: %v", err)
	}
	urls := map[string]bool{}
	for _, it := range f.Items {
		urls[it.URL] = true
	}
	return urls
}

// TestHostileGuard polls, with the SSRF guard on (the default), an outlet
// whose name resolves to loopback: the fetch is refused at dial time, the
// error names the guard, and the server sees no request.
func TestHostileGuard(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(apptest.OnTopicRSS("guarded", 1))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// A public-looking outlet that redirects to loopback is the other way
	// in; with no public address on loopback, "localhost" stands for a
	// name that resolves (or rebinds) to an internal address.
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{
		{"Localhost", "http://localhost:" + port + "/feed"},
		{"Loopback IP", "http://127.0.0.1:" + port + "/feed"},
		{"Metadata", "http://169.254.169.254/latest/meta-data/"},
	}, "listen: \"127.0.0.1:0\"\nallow_private_networks: false\n")
	run := pollEnv(t, cfg, time.Minute, "TOPICFEED_FETCH_TIMEOUT=2s")
	states, items := readHostileStore(t, filepath.Join(dir, "data", "topicfeed.db"))
	for _, name := range []string{"Localhost", "Loopback IP", "Metadata"} {
		st := states[name]
		if !strings.Contains(st.LastError, "refused non-public network address") || st.ConsecutiveErrors != 1 {
			t.Errorf("%s: recorded error %q (%d consecutive), want the SSRF guard's refusal", name, st.LastError, st.ConsecutiveErrors)
		}
	}
	if len(items) != 0 || hits.Load() != 0 {
		t.Errorf("the guard let %d requests through, %d items stored", hits.Load(), len(items))
	}
	if t.Failed() {
		t.Log(run.stderr)
	}
}

// TestHostileHundredThousandItems polls one outlet whose feed holds
// 100,000 items (under 10 MiB: within the default body cap) beside a
// healthy one, with the default limits. fetch.max_items keeps only the
// newest items, so the poll stays quick (measured: 2 s, 215 MiB peak;
// with max_items 200000 instead: 17 s, 327 MiB, 100k items stored). The
// peak is the whole document parsed before the cap applies: ~25x the
// feed's size.
func TestHostileHundredThousandItems(t *testing.T) {
	if testing.Short() {
		t.Skip("100k items: skipped with -short")
	}
	const n = 100_000
	def := config.Default().Fetch
	body := manyItems(n)
	if int64(len(body)) > def.MaxBodyBytes {
		t.Fatalf("the 100k-item feed is %d bytes, over the default cap %d", len(body), def.MaxBodyBytes)
	}
	srv := loopbackServer(t, 40, apptest.ServeFeed(body, "application/rss+xml"))
	healthy := loopbackServer(t, 41, apptest.ServeFeed(apptest.OnTopicRSS("healthy", 5), "application/rss+xml"))
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{{"Flood", srv.URL + "/feed"}, {"Healthy", healthy.URL + "/feed"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	run := pollEnv(t, cfg, time.Minute)
	t.Logf("100k items (%.1f MiB feed, max_items %d): poll took %v, peak RSS %d MiB", float64(len(body))/(1<<20), def.MaxItems, run.took.Round(time.Millisecond), run.maxRSS>>20)
	if run.maxRSS > maxPollRSS {
		t.Errorf("peak RSS %d MiB for one 100k-item feed, want at most %d MiB", run.maxRSS>>20, maxPollRSS>>20)
	}
	states, items := readHostileStore(t, filepath.Join(dir, "data", "topicfeed.db"))
	if got := len(outletItems(items, "Healthy")); got != 5 {
		t.Errorf("the healthy outlet beside the flood stored %d items, want 5", got)
	}
	flood := outletItems(items, "Flood")
	if st := states["Flood"]; st.LastError != "" {
		t.Errorf("the flood outlet failed: %s", st.LastError)
	}
	if len(flood) != def.MaxItems {
		t.Errorf("%d items stored from a feed of %d with max_items %d", len(flood), n, def.MaxItems)
	}
	seen := map[string]bool{}
	for _, it := range flood {
		if seen[it.URL] {
			t.Errorf("%s stored twice", it.URL)
		}
		seen[it.URL] = true
		var k int
		if _, err := fmt.Sscanf(it.URL, srv.URL+"/%d", &k); err != nil || k < n-def.MaxItems {
			t.Errorf("%s kept, but it is not among the %d newest", it.URL, def.MaxItems)
		}
	}
}

// TestHostileConcurrentFloods polls eight outlets at once (the default
// fetch.concurrency), each serving a 100k-item feed within the default
// body cap. Memory must stay bounded whatever several outlets send at the
// same time: the poller parses at most fetch.max_body_bytes of feeds at
// once (parsing costs ~25x the bytes), so large feeds take turns.
// Before that bound: 1.7 GiB peak. The daemon runs with GOMEMLIMIT, as in
// a small container (where it sets a limit from the container's own, see
// limitMemory); without it the Go heap's headroom alone takes the peak to
// ~380 MiB.
func TestHostileConcurrentFloods(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrent floods: skipped with -short")
	}
	body := manyItems(100_000)
	var list []apptest.Outlet
	for i := range config.Default().Fetch.Concurrency {
		srv := loopbackServer(t, 60+i, apptest.ServeFeed(body, "application/rss+xml"))
		list = append(list, apptest.Outlet{fmt.Sprintf("Flood %d", i), srv.URL + "/feed"})
	}
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, list, "listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	run := pollEnv(t, cfg, 3*time.Minute, "GOMEMLIMIT=200MiB")
	t.Logf("%d concurrent 100k-item feeds: poll took %v, peak RSS %d MiB", len(list), run.took.Round(time.Millisecond), run.maxRSS>>20)
	if run.maxRSS > maxPollRSS {
		t.Errorf("peak RSS %d MiB with %d large feeds at once, want at most %d MiB", run.maxRSS>>20, len(list), maxPollRSS>>20)
	}
}

// hugeItemRSS is an on-topic RSS feed of n small items and, after the
// first, one item whose content:encoded holds distinct paragraphs,
// English and Cyrillic in turn, to size bytes. It returns the feed, the
// huge item's URL and paragraphs, and the small items' texts by URL.
func hugeItemRSS(n, size int) (feed []byte, hugeURL string, paras []string, small map[string]string) {
	var b bytes.Buffer
	b.Grow(size + 64<<10)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Huge Item</title><link>https://huge-item.example.org/</link><description>d</description>`)
	small = map[string]string{}
	for k := range n {
		// Each about its own invented people and places (as onTopicRSS),
		// so that clustering keeps them apart.
		rng := rand.New(rand.NewPCG(7, uint64(k)))
		place, person := apptest.InventedName(rng), apptest.InventedName(rng)
		var words []string
		for range 40 {
			words = append(words, apptest.GenWords[rng.IntN(len(apptest.GenWords))])
		}
		u := fmt.Sprintf("https://huge-item.example.org/news/%d", k)
		text := fmt.Sprintf("%s of %s said Iranian drones reached Russian forces near Kyiv. %s.", person, place, strings.Join(words, " "))
		small[u] = text
		fmt.Fprintf(&b, `<item><title>%s: %s says Iran sent Shahed drones to Russia for the war in Ukraine</title><link>%s</link><guid>%s</guid><pubDate>Mon, 02 Nov 2026 09:%02d:00 +0000</pubDate><description>%s</description></item>`,
			place, person, u, u, k, text)
		if k > 0 {
			continue
		}
		hugeURL = "https://huge-item.example.org/news/huge"
		fmt.Fprintf(&b, `<item><title>Iran sent Shahed drones to Russia for the war in Ukraine: the full record</title><link>%s</link><guid>%s</guid><pubDate>Mon, 02 Nov 2026 08:00:00 +0000</pubDate><description>The whole record of Iranian drones in Russia's war on Ukraine.</description><content:encoded><![CDATA[`,
			hugeURL, hugeURL)
		for i, written := 0, 0; written < size; i++ {
			p := fmt.Sprintf("Record %d: Iranian Shahed drones launched by Russia struck near Kyiv on night %d, Ukraine's air force said.", i, i)
			if i%2 == 1 {
				p = fmt.Sprintf("Запись %d: иранские беспилотники «Шахед», запущенные Россией, ударили под Киевом в ночь %d, сообщили ВВС Украины.", i, i)
			}
			paras = append(paras, p)
			fmt.Fprintf(&b, "<p>%s</p>\n", p)
			written += len(p) + len("<p></p>\n")
		}
		b.WriteString(`]]></content:encoded></item>`)
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes(), hugeURL, paras, small
}

// TestHostileHugeItem polls an outlet whose feed carries one ~5 MiB item
// among normal ones, beside healthy outlets, with fetch.max_item_bytes set
// through the environment (to a value that is not the default, so that
// the wiring from the configuration to the normaliser is what is tested):
// the huge item is stored, cut to the cap (text and HTML each) with its
// first paragraphs, valid UTF-8 and well-formed HTML, and nothing else is
// affected.
func TestHostileHugeItem(t *testing.T) {
	if testing.Short() {
		t.Skip("huge item: skipped with -short")
	}
	const maxItem = 100_000
	body, hugeURL, paras, small := hugeItemRSS(3, 5<<20)
	huge := loopbackServer(t, 80, apptest.ServeFeed(body, "application/rss+xml"))
	one := loopbackServer(t, 81, apptest.ServeFeed(apptest.OnTopicRSS("huge-neighbour-one", 5), "application/rss+xml"))
	two := loopbackServer(t, 82, apptest.ServeFeed(apptest.OnTopicRSS("huge-neighbour-two", 5), "application/rss+xml"))
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{{"Huge Item", huge.URL + "/feed"}, {"Healthy One", one.URL + "/feed"}, {"Healthy Two", two.URL + "/feed"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	run := pollEnv(t, cfg, time.Minute, fmt.Sprintf("TOPICFEED_FETCH_MAX_ITEM_BYTES=%d", maxItem))
	t.Logf("a %.1f MiB feed with one huge item: poll took %v, peak RSS %d MiB", float64(len(body))/(1<<20), run.took.Round(time.Millisecond), run.maxRSS>>20)
	if run.maxRSS > maxPollRSS {
		t.Errorf("peak RSS %d MiB, want at most %d MiB", run.maxRSS>>20, maxPollRSS>>20)
	}
	states, items := readHostileStore(t, filepath.Join(dir, "data", "topicfeed.db"))
	for _, name := range []string{"Huge Item", "Healthy One", "Healthy Two"} {
		if st := states[name]; st.LastError != "" || st.ConsecutiveErrors != 0 || st.LastFetch.IsZero() {
			t.Errorf("%s: error %q (%d consecutive), last fetch %v", name, st.LastError, st.ConsecutiveErrors, st.LastFetch)
		}
	}
	for _, name := range []string{"Healthy One", "Healthy Two"} {
		if n := len(outletItems(items, name)); n != 5 {
			t.Errorf("%s: %d items stored, want 5", name, n)
		}
	}
	stored := outletItems(items, "Huge Item")
	if len(stored) != len(small)+1 {
		t.Errorf("Huge Item: %d items stored, want %d (the huge one kept)", len(stored), len(small)+1)
	}
	found := false
	for _, it := range stored {
		if it.URL != hugeURL {
			if want, ok := small[it.URL]; !ok || it.Text != want {
				t.Errorf("a normal item beside the huge one: %s, text %q, want %q", it.URL, it.Text, want)
			}
			continue
		}
		found = true
		t.Logf("huge item stored: text %d bytes, content_html %d bytes, title %q", len(it.Text), len(it.ContentHTML), it.Title)
		if len(it.Text) > maxItem || len(it.ContentHTML) > maxItem {
			t.Errorf("huge item stored with text %d bytes, content_html %d bytes, want at most %d each", len(it.Text), len(it.ContentHTML), maxItem)
		}
		if len(it.Text) < maxItem/4 || len(it.ContentHTML) < maxItem/4 {
			t.Errorf("huge item stored with text %d bytes, content_html %d bytes: far less than the cap %d", len(it.Text), len(it.ContentHTML), maxItem)
		}
		for field, s := range map[string]string{"title": it.Title, "text": it.Text, "summary": it.Summary, "content_html": it.ContentHTML} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 in the huge item's %s", field)
			}
		}
		if want := paras[0] + "\n\n" + paras[1]; !strings.HasPrefix(it.Text, want) {
			t.Errorf("the huge item's text does not start with its first paragraphs: %.300q", it.Text)
		}
		if want := "<p>" + html.EscapeString(paras[0]) + "</p>"; !strings.HasPrefix(it.ContentHTML, want) {
			t.Errorf("the huge item's HTML does not start with its first paragraph: %.300q", it.ContentHTML)
		}
		if err := balancedHTML(it.ContentHTML); err != nil {
			t.Errorf("the huge item's HTML is not well-formed: %v\n…%s", err, it.ContentHTML[max(0, len(it.ContentHTML)-300):])
		}
	}
	if !found {
		t.Errorf("the huge item %s was not stored", hugeURL)
	}
	for _, format := range []string{"atom", "rss"} {
		out, _ := topicfeed(t, "-config", cfg, "export", "-format", format, "-limit", "0", "-per", "item")
		if err := wellFormed(out); err != nil {
			t.Errorf("export -format %s with the huge item is not well-formed: %v", format, err)
		}
	}
	if published := exportURLs(t, cfg); !published[hugeURL] {
		t.Errorf("the huge item %s is not in the published feed", hugeURL)
	}
	if t.Failed() {
		t.Logf("poll log:\n%s", apptest.LogTail(run.stderr))
	}
}

// balancedHTML checks that every end tag of an HTML fragment closes its
// innermost open element and that every element but the void ones is
// closed.
func balancedHTML(s string) error {
	void := map[string]bool{"area": true, "br": true, "col": true, "embed": true, "hr": true, "img": true, "input": true, "source": true, "track": true, "wbr": true}
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		name, _ := z.TagName()
		switch n := string(name); {
		case tt == html.StartTagToken && !void[n]:
			open = append(open, n)
		case tt == html.EndTagToken:
			if len(open) == 0 || open[len(open)-1] != n {
				return fmt.Errorf("</%s> closes %v", n, open)
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("left open: %v", open)
	}
	return nil
}
