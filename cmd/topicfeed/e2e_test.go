package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// binary is the topicfeed binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "topicfeed-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "topicfeed")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build topicfeed (CGO_ENABLED=0): %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// outletServer serves the e2e feeds in testdata/e2e like the real outlets
// do: with ETag and Last-Modified, except where an outlet has no validators.
type outletServer struct {
	*httptest.Server
	mu          sync.Mutex
	requests    map[string]int
	notModified map[string]int
}

type servedFeed struct {
	path, file, contentType string
	validators              bool
}

var e2eFeeds = []servedFeed{
	{"/aawsat/feed", "asharq-al-awsat.atom", "application/atom+xml; charset=utf-8", true},
	{"/ifp/feed/", "iran-front-page.rss", "application/rss+xml; charset=UTF-8", true},
	{"/mt/rss/news", "the-moscow-times.rss", "application/rss+xml", true},
	{"/almayadeen/feed.json", "al-mayadeen.json", "application/feed+json", false},
	{"/broken/rss", "broken.rss", "application/rss+xml", true},
}

func newOutletServer(t testing.TB) *outletServer {
	t.Helper()
	s := &outletServer{requests: map[string]int{}, notModified: map[string]int{}}
	mux := http.NewServeMux()
	modTime := time.Date(2025, 1, 18, 12, 0, 0, 0, time.UTC)
	for _, f := range e2eFeeds {
		body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "e2e", f.file))
		if err != nil {
			t.Fatal(err)
		}
		mux.HandleFunc(f.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", f.contentType)
			s.mu.Lock()
			s.requests[f.path]++
			s.mu.Unlock()
			if !f.validators {
				w.Write(body)
				return
			}
			w.Header().Set("ETag", fmt.Sprintf(`"%x"`, len(body)))
			rec := &statusRecorder{ResponseWriter: w}
			http.ServeContent(rec, r, f.file, modTime, bytes.NewReader(body))
			if rec.status == http.StatusNotModified {
				s.mu.Lock()
				s.notModified[f.path]++
				s.mu.Unlock()
			}
		})
	}
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// writeConfig writes a configuration whose outlets are the outlet server's.
func writeConfig(t testing.TB, dir, serverURL string) string {
	t.Helper()
	var outlets []apptest.Outlet
	for _, o := range []struct{ name, path string }{
		{"Asharq Al-Awsat", "/aawsat/feed"},
		{"Iran Front Page", "/ifp/feed/"},
		{"The Moscow Times", "/mt/rss/news"},
		{"Al Mayadeen English", "/almayadeen/feed.json"},
		{"Broken Outlet", "/broken/rss"},
	} {
		outlets = append(outlets, apptest.Outlet{Name: o.name, URL: serverURL + o.path})
	}
	return apptest.WriteOutletsConfig(t, dir, outlets, "listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
}

// topicfeed runs the binary to completion and returns stdout and stderr.
func topicfeed(t testing.TB, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("topicfeed %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// The on-topic articles of the e2e feeds, by canonical URL, and the
// off-topic ones that must stay out of the merged feed.
var (
	wantOnTopic = []string{
		"https://english.aawsat.com/node/4489341/us-asks-iran-stop-selling-drones-russia",
		"https://english.aawsat.com/node/5102233/russia-says-it-will-counter-any-uk-ukraine-cooperation-sea-azov",
		"https://ifpnews.com/cia-director-iran-russia-cooperation-worrying/",
		"https://www.themoscowtimes.com/2022/10/28/russias-use-of-iranian-drones-in-ukraine-appalling-blinken-a79215",
		"https://www.themoscowtimes.com/2022/12/18/iran-says-it-wont-seek-permission-from-anyone-to-boost-russia-ties-a79733",
		"https://english.almayadeen.net/news/politics/possible-russia-iran-defense-partnership-has-us-britain-on-edge",
	}
	wantOffTopic = []string{
		"saudi-uae-desalination",
		"tehran-riyadh-commitment-china-brokered-agreement",
		"moscow-opens-big-circle-line",
		"lebanon-electricity-plan",
	}
)

type jsonFeed struct {
	Version string `json:"version"`
	Items   []struct {
		ID        string   `json:"id"`
		URL       string   `json:"url"`
		Title     string   `json:"title"`
		Tags      []string `json:"tags"`
		Published string   `json:"date_published"`
		Ext       struct {
			Story   string `json:"story"`
			Related string `json:"related"`
			Sources []struct {
				Outlet string `json:"outlet"`
				URL    string `json:"url"`
			} `json:"sources"`
			Topics []string `json:"topics"`
			Tags   []string `json:"tags"`
		} `json:"_topicfeed"`
	} `json:"items"`
}

func parseJSONFeed(t *testing.T, data []byte) jsonFeed {
	t.Helper()
	var f jsonFeed
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("json feed: %v\n%s", err, data)
	}
	for _, it := range f.Items {
		if it.ID == "" {
			t.Errorf("item %q has no id", it.URL)
		}
		if len(it.Tags) == 0 {
			t.Errorf("item %q (%s) has no tags", it.Title, it.URL)
		}
		if len(it.Ext.Sources) == 0 || it.Ext.Story == "" {
			t.Errorf("item %q has no _topicfeed sources or story: %+v", it.URL, it.Ext)
		}
		for _, off := range wantOffTopic {
			if strings.Contains(it.URL, off) {
				t.Errorf("off-topic item %q is in the merged feed", it.URL)
			}
		}
	}
	return f
}

// checkPerItem checks a one-entry-per-item feed: every on-topic article
// once, the Burns write-ups in one story, the other stories apart.
func checkPerItem(t *testing.T, data []byte) jsonFeed {
	t.Helper()
	f := parseJSONFeed(t, data)
	count := map[string]int{}
	story := map[string]string{}
	for _, it := range f.Items {
		count[it.URL]++
		story[it.URL] = it.Ext.Story
	}
	for _, u := range wantOnTopic {
		if count[u] != 1 {
			t.Errorf("on-topic %s appears %d times, want once", u, count[u])
		}
	}
	if len(f.Items) != len(wantOnTopic) {
		var got []string
		for _, it := range f.Items {
			got = append(got, it.URL)
		}
		t.Errorf("feed has %d items, want %d:\n%s", len(f.Items), len(wantOnTopic), strings.Join(got, "\n"))
	}
	stories := map[string][]string{}
	for _, u := range wantOnTopic {
		stories[story[u]] = append(stories[story[u]], u)
	}
	for _, u := range apptest.BurnsStory[1:] {
		if story[u] != story[apptest.BurnsStory[0]] {
			t.Errorf("%s is in story %q, %s in %q: one interview, one story", u, story[u], apptest.BurnsStory[0], story[apptest.BurnsStory[0]])
		}
	}
	if story[apptest.ReplyStory] == story[apptest.BurnsStory[0]] {
		t.Errorf("Iran's reply %s is in the interview's story %q: a reply is a story of its own", apptest.ReplyStory, story[apptest.ReplyStory])
	}
	if len(stories) != 5 {
		t.Errorf("%d stories, want 5 (the Burns interview, Iran's reply, Blinken on drones, drone talks, the Sea of Azov): %v", len(stories), stories)
	}
	return f
}

// checkPerStory checks the default feed: one entry per story, the Burns
// story crediting both its outlets, Iran's reply both of its own and
// naming the interview's story as related.
func checkPerStory(t *testing.T, data []byte) jsonFeed {
	t.Helper()
	f := parseJSONFeed(t, data)
	if len(f.Items) != 5 {
		var got []string
		for _, it := range f.Items {
			got = append(got, it.URL)
		}
		t.Errorf("merged feed has %d entries, want 5 stories:\n%s", len(f.Items), strings.Join(got, "\n"))
	}
	burns := ""
	for _, it := range f.Items {
		if slices.Contains(apptest.BurnsStory, it.URL) {
			burns = it.Ext.Story
		}
	}
	for _, it := range f.Items {
		if it.URL != apptest.ReplyStory {
			continue
		}
		if it.Ext.Related != burns || burns == "" {
			t.Errorf("Iran's reply names %q as related, want the interview's story %q", it.Ext.Related, burns)
		}
		outlets := map[string]bool{}
		for _, s := range it.Ext.Sources {
			outlets[s.Outlet] = true
		}
		if !outlets["The Moscow Times"] || !outlets["Iran Front Page"] {
			t.Errorf("the reply's entry credits %+v, want The Moscow Times and Iran Front Page", it.Ext.Sources)
		}
	}
	seen := map[string]bool{}
	for _, it := range f.Items {
		if seen[it.Ext.Story] {
			t.Errorf("story %s has two entries", it.Ext.Story)
		}
		seen[it.Ext.Story] = true
		if !slices.Contains(apptest.BurnsStory, it.URL) {
			continue
		}
		outlets := map[string]bool{}
		for _, s := range it.Ext.Sources {
			outlets[s.Outlet] = true
		}
		for _, o := range []string{"Iran Front Page", "Al Mayadeen English"} {
			if !outlets[o] {
				t.Errorf("the Burns story entry does not credit %s: %+v", o, it.Ext.Sources)
			}
		}
	}
	return f
}

// pollLogLine matches the text log line of one fetch: message, outlet,
// feed URL, HTTP status and a Go duration.
func pollLogLine(msg, outlet, feedURL string, status int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`level=INFO msg=%q outlet=%q feed_url=%s status=%d duration=[0-9.]+(ns|µs|ms|s)\b`,
		msg, outlet, regexp.QuoteMeta(feedURL), status))
}

var pollSummary = regexp.MustCompile(`polled (\d+) outlets \((\d+) failed\): (\d+) new, (\d+) updated, (\d+) duplicate, (\d+) unchanged`)

func TestEndToEndPollExportServe(t *testing.T) {
	srv := newOutletServer(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL)

	// First poll: everything is new; the broken outlet fails alone.
	_, stderr := topicfeed(t, "-config", cfg, "poll")
	m := pollSummary.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no poll summary on stderr:\n%s", stderr)
	}
	if m[1] != "5" || m[2] != "1" {
		t.Errorf("first poll: %s, want 5 outlets, 1 failed\n%s", m[0], stderr)
	}
	if !strings.Contains(stderr, `outlet="Broken Outlet"`) || !strings.Contains(stderr, srv.URL+"/broken/rss") {
		t.Errorf("the broken outlet's error does not name the outlet and its URL:\n%s", stderr)
	}
	if !strings.Contains(stderr, "level=WARN") {
		t.Errorf("the broken outlet's failure is not logged as a warning:\n%s", stderr)
	}
	// Each fetch's log line carries the outlet, feed URL, HTTP status and
	// duration (snake_case keys), and no feed content.
	if !pollLogLine("poll stored", "The Moscow Times", srv.URL+"/mt/rss/news", 200).MatchString(stderr) {
		t.Errorf("no `poll stored` line with outlet, feed_url, status=200 and duration for The Moscow Times:\n%s", stderr)
	}
	if strings.Contains(stderr, "<item>") || strings.Contains(stderr, "<entry") {
		t.Errorf("feed content leaked into the log:\n%s", stderr)
	}

	out, _ := topicfeed(t, "-config", cfg, "export", "-format", "json", "-limit", "0", "-per", "item")
	first := checkPerItem(t, []byte(out))
	out, _ = topicfeed(t, "-config", cfg, "export", "-format", "json", "-limit", "0")
	checkPerStory(t, []byte(out))
	for _, it := range first.Items {
		if strings.Contains(it.URL, "seek-permission") && len(it.Ext.Sources) != 2 {
			t.Errorf("the Moscow Times article carried by IFP too has %d sources, want 2: %+v", len(it.Ext.Sources), it.Ext.Sources)
		}
	}

	// The operator's views: outlet health, re-tagging, a backup.
	out, _ = topicfeed(t, "-config", cfg, "outlets")
	for _, want := range []string{"The Moscow Times", "200", "Broken Outlet", "failing", "not a feed topicfeed can read"} {
		if !strings.Contains(out, want) {
			t.Errorf("outlets table lacks %q:\n%s", want, out)
		}
	}
	out, _ = topicfeed(t, "-config", cfg, "retag")
	if !strings.Contains(out, "retagged 10 items: 0 changed, 6 on topic") {
		t.Errorf("retag with unchanged rules: %s", out)
	}
	backup := filepath.Join(dir, "backup.db")
	topicfeed(t, "-config", cfg, "backup", backup)
	if st, err := os.Stat(backup); err != nil || st.Size() == 0 {
		t.Errorf("backup: %v", err)
	}
	if _, stderr, code := runBinary(t, "", "-config", cfg, "backup", backup); code == 0 {
		t.Error("backup overwrote an existing file")
	} else if !strings.Contains(stderr, backup) {
		t.Errorf("backup error does not name the file: %s", stderr)
	}

	// Second poll: 304s and unchanged items, no duplicates.
	_, stderr = topicfeed(t, "-config", cfg, "poll")
	m = pollSummary.FindStringSubmatch(stderr)
	if m == nil || m[3] != "0" || m[4] != "0" {
		t.Errorf("second poll stored something new or updated: %q\n%s", m, stderr)
	}
	if !pollLogLine("poll not modified", "The Moscow Times", srv.URL+"/mt/rss/news", 304).MatchString(stderr) {
		t.Errorf("no `poll not modified` line with outlet, feed_url, status=304 and duration for The Moscow Times:\n%s", stderr)
	}
	srv.mu.Lock()
	for _, f := range e2eFeeds {
		if f.validators && f.path != "/broken/rss" && srv.notModified[f.path] != 1 {
			t.Errorf("%s: %d conditional 304s on the second poll, want 1", f.path, srv.notModified[f.path])
		}
	}
	srv.mu.Unlock()
	out, _ = topicfeed(t, "-config", cfg, "export", "-format", "json", "-limit", "0", "-per", "item")
	second := checkPerItem(t, []byte(out))
	ids := func(f jsonFeed) string {
		var s []string
		for _, it := range f.Items {
			s = append(s, it.ID+" "+it.Ext.Story)
		}
		return strings.Join(s, "\n")
	}
	if ids(first) != ids(second) {
		t.Errorf("ids or stories changed between polls:\n%s\n---\n%s", ids(first), ids(second))
	}

	// -limit and -tag.
	out, _ = topicfeed(t, "-config", cfg, "export", "-format", "json", "-limit", "2")
	var limited jsonFeed
	if err := json.Unmarshal([]byte(out), &limited); err != nil || len(limited.Items) != 2 {
		t.Errorf("export -limit 2: %d items, err %v", len(limited.Items), err)
	}
	out, _ = topicfeed(t, "-config", cfg, "export", "-format", "json", "-limit", "0", "-tag", "drones")
	var drones jsonFeed
	if err := json.Unmarshal([]byte(out), &drones); err != nil || len(drones.Items) == 0 {
		t.Fatalf("export -tag drones: %d items, err %v", len(drones.Items), err)
	}
	for _, it := range drones.Items {
		if !contains(it.Tags, "drones") {
			t.Errorf("export -tag drones has %q with tags %v", it.URL, it.Tags)
		}
	}

	// Atom and RSS exports are well-formed XML with every on-topic item.
	for _, format := range []string{"atom", "rss"} {
		out, _ = topicfeed(t, "-config", cfg, "export", "-format", format, "-limit", "0")
		if err := wellFormed(out); err != nil {
			t.Errorf("export -format %s is not well-formed XML: %v", format, err)
		}
		// One entry per story, linking the other outlets' coverage.
		for _, u := range wantOnTopic {
			if !strings.Contains(out, xmlEscape(u)) {
				t.Errorf("export -format %s lacks %s", format, u)
			}
		}
		if !strings.Contains(out, `rel="related"`) {
			t.Errorf("export -format %s links no related coverage", format)
		}
	}

	t.Run("serve", func(t *testing.T) { testServe(t, cfg) })
}

// daemon is a running `topicfeed serve`.
type daemon struct {
	cmd  *exec.Cmd
	base string
	done chan error
	mu   sync.Mutex
	logs strings.Builder
}

// startServe starts `topicfeed serve` on cfg and waits until it listens.
func startServe(t *testing.T, cfg string) *daemon {
	t.Helper()
	return startServeEnv(t, cfg, nil)
}

// startServeEnv is startServe with env (NAME=value) added to the
// process's environment.
func startServeEnv(t *testing.T, cfg string, env []string) *daemon {
	t.Helper()
	d := &daemon{cmd: exec.Command(binary, "-config", cfg, "serve"), done: make(chan error, 1)}
	if env != nil {
		d.cmd.Env = append(os.Environ(), env...)
	}
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if d.cmd.ProcessState == nil {
			d.cmd.Process.Kill()
			<-d.done
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		listen := regexp.MustCompile(`msg=serving listen=(\S+)`)
		for sc.Scan() {
			d.mu.Lock()
			d.logs.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
			if m := listen.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		d.done <- d.cmd.Wait()
	}()
	select {
	case a := <-addr:
		d.base = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", d.log())
	}
	return d
}

func (d *daemon) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.logs.String()
}

// get fetches path from the server.
func (d *daemon) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return apptest.Get(t, d.base+path)
}

// waitReady polls /readyz until it answers 200.
func (d *daemon) waitReady(t *testing.T) {
	t.Helper()
	apptest.WaitReady(t, d.base, d.log)
}

// stop sends SIGTERM and checks that the daemon exits 0 promptly.
func (d *daemon) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, d.log())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not stop within 20s of SIGTERM\n%s", d.log())
	}
}

func testServe(t *testing.T, cfg string) {
	d := startServe(t, cfg)
	if resp, _ := d.get(t, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %s", resp.Status)
	}
	// Every outlet was polled before this start: ready at once.
	d.waitReady(t)
	for path, ctype := range map[string]string{
		"/feed.atom": "application/atom+xml",
		"/feed.rss":  "application/rss+xml",
		"/feed.json": "application/feed+json",
	} {
		resp, body := d.get(t, path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: %s %q", path, resp.Status, resp.Header.Get("Content-Type"))
			continue
		}
		if path == "/feed.json" {
			checkPerStory(t, body)
		} else if err := wellFormed(string(body)); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	if out, stderr, code := runBinary(t, "", "-config", cfg, "healthcheck", "-url", d.base+"/healthz"); code != 0 || !strings.Contains(out, "healthy") {
		t.Errorf("healthcheck against the running daemon: exit %d %s%s", code, out, stderr)
	}
	d.stop(t)
	if _, _, code := runBinary(t, "", "-config", cfg, "healthcheck", "-url", d.base+"/healthz", "-timeout", "2s"); code == 0 {
		t.Error("healthcheck exits 0 with the daemon stopped")
	}
	if !strings.Contains(d.log(), "msg=stopped") {
		t.Errorf("no clean stop logged:\n%s", d.log())
	}
}

// TestServeMetrics starts the daemon on an empty database: it polls every
// outlet at once, becomes ready, and its metrics count what happened.
func TestServeMetrics(t *testing.T) {
	srv := newOutletServer(t)
	cfg := writeConfig(t, t.TempDir(), srv.URL)
	d := startServe(t, cfg)
	d.waitReady(t)
	d.get(t, "/feed.atom")
	d.get(t, "/feed.atom")
	resp, body := d.get(t, "/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	metrics := string(body)
	for _, want := range []string{
		`topicfeed_fetches_total{outlet="The Moscow Times",result="ok"} 1`,
		`topicfeed_fetches_total{outlet="Broken Outlet",result="parse_error"} 1`,
		`topicfeed_items_total{outlet="Al Mayadeen English",result="new"} 2`,
		`topicfeed_stored_items 10`,
		`topicfeed_stored_items_on_topic 6`,
		`topicfeed_items_by_tag{tag="drones"}`,
		`topicfeed_items_by_topic{topic="iran-russia-ukraine"} 6`,
		`topicfeed_http_requests_total{format="atom",route="feed",status="200"} 2`,
		`topicfeed_fetch_duration_seconds_count{outlet="Al Mayadeen English"} 1`,
		`topicfeed_scheduler_lag_seconds_count 5`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Ten items, some of them reports of one story.
	if m := regexp.MustCompile(`(?m)^topicfeed_stories (\d+)$`).FindStringSubmatch(metrics); m == nil {
		t.Error("/metrics lacks topicfeed_stories")
	} else if n, _ := strconv.Atoi(m[1]); n < 1 || n >= 10 {
		t.Errorf("topicfeed_stories %d, want 1 to 9 for 10 items of which some report one story", n)
	}
	// One article is carried by two outlets: whichever was polled second
	// counted it as a duplicate.
	if !strings.Contains(metrics, `topicfeed_items_total{outlet="Iran Front Page",result="duplicate"} 1`) &&
		!strings.Contains(metrics, `topicfeed_items_total{outlet="The Moscow Times",result="duplicate"} 1`) {
		t.Error("/metrics counts no duplicate item")
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", apptest.GrepLines(metrics, "topicfeed_"))
	}

	// An online backup while the daemon runs opens and holds every item.
	backup := filepath.Join(t.TempDir(), "backup.db")
	topicfeed(t, "-config", cfg, "backup", backup)
	bdb, err := storage.Open(context.Background(), backup)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	items, err := bdb.Items(context.Background(), news.Query{})
	if err != nil || len(items) != 10 {
		t.Errorf("the backup holds %d items (%v), want 10", len(items), err)
	}
	if err := bdb.Close(); err != nil {
		t.Error(err)
	}
	d.stop(t)
}

func wellFormed(doc string) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
