package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/storage"
)

// crashFeed generates outlet n's RSS feed: perOutlet on-topic items with
// distinct URLs and texts. rev, when positive, is written into the last
// five items' descriptions, so that every fetch of a live outlet edits
// them.
func crashFeed(n, perOutlet, rev int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Crash Outlet %d</title><link>https://o%d.example.org/</link><description>test</description>
`, n, n)
	base := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for k := range perOutlet {
		rng := rand.New(rand.NewPCG(uint64(n), uint64(k)))
		place, person := apptest.InventedName(rng), apptest.InventedName(rng)
		var text []string
		for range 40 {
			text = append(text, apptest.GenWords[rng.IntN(len(apptest.GenWords))])
		}
		desc := fmt.Sprintf("%s of %s said Iranian drones reached Russia for its war in Ukraine. %s.", person, place, strings.Join(text, " "))
		if rev > 0 && k >= perOutlet-5 {
			desc += fmt.Sprintf(" Updated %d times.", rev)
		}
		u := fmt.Sprintf("https://o%d.example.org/news/%d/report-%d", n, k, n*1000+k)
		fmt.Fprintf(&b, "<item><title>%s: %s says Iran and Russia %s %s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			place, person, text[0], text[1], u, u, base.Add(-time.Duration(n*perOutlet+k)*time.Minute).Format(time.RFC1123Z), desc)
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// crashURLs lists the URLs of every generated item.
func crashURLs(outlets, perOutlet int) map[string]string {
	out := make(map[string]string, outlets*perOutlet)
	for n := range outlets {
		for k := range perOutlet {
			out[fmt.Sprintf("https://o%d.example.org/news/%d/report-%d", n, k, n*1000+k)] = fmt.Sprintf("Crash %03d", n)
		}
	}
	return out
}

// crashServer serves outlets' feeds at /o/{n}.rss. Every fourth outlet
// is static with an ETag (re-polls are 304s); the others are live: each
// fetch edits five of their items.
type crashServer struct {
	*httptest.Server
	mu         sync.Mutex
	fetches    map[int]int // by outlet
	staticFull int         // 200s of static outlets
	static304  int         // 304s of static outlets
}

func newCrashServer(t testing.TB, outlets, perOutlet int) *crashServer {
	t.Helper()
	s := &crashServer{fetches: map[int]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/o/"), ".rss")
		n, err := strconv.Atoi(name)
		if err != nil || n < 0 || n >= outlets {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		s.mu.Lock()
		s.fetches[n]++
		rev := s.fetches[n]
		static := n%4 == 0
		etag := fmt.Sprintf(`"static-%d"`, n)
		notModified := static && r.Header.Get("If-None-Match") == etag
		switch {
		case notModified:
			s.static304++
		case static:
			s.staticFull++
		}
		s.mu.Unlock()
		if static {
			w.Header().Set("ETag", etag)
			if notModified {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write(crashFeed(n, perOutlet, 0))
			return
		}
		w.Write(crashFeed(n, perOutlet, rev))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *crashServer) staticCounts() (full, notModified int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.staticFull, s.static304
}

// crashStored is what a snapshot keeps of one stored item.
type crashStored struct{ uid, story, outlet string }

// storeSnapshot opens the database as the daemon does (quick_check, migrations)
// and returns the stored items by URL. Every URL must belong to exactly
// one item, whether as the item's own URL or as a source's.
func storeSnapshot(t testing.TB, path string) map[string]crashStored {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen %s after a kill: %v", path, err)
	}
	defer db.Close()
	return storedByURL(t, db)
}

// exportSnapshot reads every stored on-topic item through the binary
// (`export -format json -limit 0 -per item`, which opens the database as
// the daemon does: quick_check and migrations), by URL. Every URL must
// belong to exactly one entry, as its own URL or a source's.
func exportSnapshot(t testing.TB, cfg string) map[string]crashStored {
	t.Helper()
	out, stderr, code := runBinary(t, "", "-config", cfg, "export", "-format", "json", "-limit", "0", "-per", "item")
	if code != 0 {
		t.Fatalf("export after a kill: exit %d\n%s", code, stderr)
	}
	var f struct {
		Items []struct {
			ID  string `json:"id"`
			URL string `json:"url"`
			Ext struct {
				Story   string `json:"story"`
				Outlet  string `json:"outlet"`
				Sources []struct {
					URL string `json:"url"`
				} `json:"sources"`
			} `json:"_topicfeed"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("export after a kill: %v", err)
	}
	snap := make(map[string]crashStored, len(f.Items))
	for _, it := range f.Items {
		urls := map[string]bool{it.URL: true}
		for _, s := range it.Ext.Sources {
			urls[s.URL] = true
		}
		for u := range urls {
			if prev, dup := snap[u]; dup {
				t.Errorf("URL %s is exported twice: entries %s and %s", u, prev.uid, it.ID)
			}
			snap[u] = crashStored{uid: it.ID, story: it.Ext.Story, outlet: it.Ext.Outlet}
		}
	}
	return snap
}

// TestCrashKill9 ingests many outlets with the real binary, SIGKILLs it at
// random moments (fixed seed) and restarts it each time, alternating
// `serve` and `poll`. After every kill the database must open (quick_check)
// with every item seen before still there under the same UID, in a story
// (which may change: an earlier item stored later makes the index decide
// later ones again), and no URL stored twice; after a final clean poll it holds every item
// exactly once.
func TestCrashKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	const (
		outlets   = 200
		perOutlet = 30
		kills     = 12
	)
	srv := newCrashServer(t, outlets, perOutlet)
	dir := t.TempDir()
	var list []apptest.Outlet
	for n := range outlets {
		list = append(list, apptest.Outlet{fmt.Sprintf("Crash %03d", n), fmt.Sprintf("%s/o/%d.rss", srv.URL, n)})
	}
	cfg := apptest.WriteOutletsConfig(t, dir, list, "listen: \"127.0.0.1:0\"\nallow_private_networks: true\nfetch: {timeout: 10s, concurrency: 4}\n")
	dbPath := filepath.Join(dir, "data", "topicfeed.db")
	logPath := filepath.Join(dir, "daemon.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()

	rng := rand.New(rand.NewPCG(2026, 7))
	seen := map[string]crashStored{}
	partial := 0    // kills that left the store between empty and complete
	movedStory := 0 // items seen again in another story
	want := crashURLs(outlets, perOutlet)
	for i := range kills {
		mode := "serve"
		if i%2 == 1 {
			mode = "poll"
		}
		delay := 50*time.Millisecond + time.Duration(rng.IntN(1200))*time.Millisecond
		fmt.Fprintf(logFile, "=== run %d: %s, SIGKILL after %s\n", i, mode, delay)
		cmd := exec.Command(binary, "-config", cfg, mode)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		t.Cleanup(func() { cmd.Process.Kill() })
		exited := false
		select {
		case err := <-done:
			exited = true // a poll that finished before its kill
			if err != nil {
				t.Fatalf("run %d (%s) failed on its own: %v\nlog: %s", i, mode, err, readTail(logPath))
			}
		case <-time.After(delay):
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-done
		}
		snapStart := time.Now()
		snap := exportSnapshot(t, cfg)
		snapTook := time.Since(snapStart)
		for u, old := range seen {
			now, ok := snap[u]
			switch {
			case !ok:
				t.Errorf("run %d: item %s (uid %s), stored before, is lost", i, u, old.uid)
			case now.uid != old.uid:
				t.Errorf("run %d: item %s changed identity: uid %s→%s", i, u, old.uid, now.uid)
			case now.story != old.story:
				// allowed: an item published earlier but stored later makes
				// the index decide later ones again (cluster.Decision.Moved)
				movedStory++
			case now.story == "":
				t.Errorf("run %d: item %s has no story", i, u)
			}
		}
		for u, s := range snap {
			if _, ok := want[u]; !ok {
				t.Errorf("run %d: stored URL %s was never served", i, u)
			}
			seen[u] = s
		}
		if len(snap) > 0 && len(snap) < len(want) {
			partial++
		}
		t.Logf("run %d: %s killed after %v (exited on its own: %v): %d/%d items stored (checked in %v)", i, mode, delay, exited, len(snap), len(want), snapTook.Round(time.Millisecond))
		if t.Failed() {
			t.Fatalf("log tail:\n%s", readTail(logPath))
		}
	}
	if partial < 3 {
		t.Errorf("only %d kills hit the store mid-ingestion; the test did not exercise crashes (tune the delays)", partial)
	}

	// A clean poll completes and the store holds every item exactly once.
	fullBefore, nmBefore := srv.staticCounts()
	_, stderr, code := runBinary(t, "", "-config", cfg, "poll")
	if code != 0 {
		t.Fatalf("final poll: exit %d\n%s", code, stderr)
	}
	m := pollSummary.FindStringSubmatch(stderr)
	if m == nil || m[1] != strconv.Itoa(outlets) || m[2] != "0" {
		t.Errorf("final poll summary %q, want %d outlets, 0 failed", m, outlets)
	}
	// Validators survive the kills: a static feed is fetched in full once,
	// plus at most once per kill (a fetch whose commit the kill lost, one
	// per worker); the final poll asks each once, conditionally where it
	// was stored.
	full, nm := srv.staticCounts()
	static := (outlets + 3) / 4
	t.Logf("static outlets: %d full fetches, %d not modified (final poll: %d full, %d not modified)", full, nm, full-fullBefore, nm-nmBefore)
	if full > static+kills*4 {
		t.Errorf("static feeds were fetched in full %d times for %d outlets and %d kills: validators forgotten", full, static, kills)
	}
	if got := (nm - nmBefore) + (full - fullBefore); got != static {
		t.Errorf("final poll fetched static feeds %d times, want each of %d once", got, static)
	}

	// Through the published feed: every item once, identities kept.
	final := exportSnapshot(t, cfg)
	for u, outlet := range want {
		s, ok := final[u]
		if !ok {
			t.Errorf("after the final poll %s (%s) is not exported", u, outlet)
			continue
		}
		if s.outlet != outlet {
			t.Errorf("%s is exported for outlet %q, want %q", u, s.outlet, outlet)
		}
		if old, ok := seen[u]; ok && old.uid != s.uid {
			t.Errorf("%s changed identity after the final poll: id %s→%s", u, old.uid, s.uid)
		} else if ok && old.story != s.story {
			movedStory++
		}
		if s.story == "" {
			t.Errorf("%s has no story after the final poll", u)
		}
	}
	if len(final) != len(want) {
		t.Errorf("export has %d URLs, want %d", len(final), len(want))
	}
	t.Logf("%d times an item was seen again in another story (re-decided when an earlier item arrived)", movedStory)

	// Through storage itself, on-topic or not: every URL exactly once.
	stored := storeSnapshot(t, dbPath)
	for u, outlet := range want {
		if s, ok := stored[u]; !ok || s.outlet != outlet {
			t.Errorf("%s (%s) is not stored for its outlet: %+v", u, outlet, s)
		}
	}
	if len(stored) != len(want) {
		t.Errorf("store holds %d URLs, want %d", len(stored), len(want))
	}
	t.Logf("%d kills, %d mid-ingestion; %d items stored", kills, partial, len(stored))
}

// readTail returns the last 4 KB of a log file.
func readTail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return string(b)
}
