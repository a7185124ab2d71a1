package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// Acceptance tests with real, independent feed clients. Each skips with a
// message when its client is not installed, unless the environment variable
// CI is set: then a missing client fails the test. .ci/run installs them
// from Debian: python3-feedparser, newsboat, chromium.

// requireTool returns the path of an installed client program.
func requireTool(tb testing.TB, path, pkg string) string {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("%s not installed (Debian package %s): %v", path, pkg, err)
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg + "; set CI=1 to make this a failure")
	}
	return path
}

// liveItems are the sample items plus one carrying what breaks XML:
// control characters, invalid UTF-8, a CDATA terminator, mixed scripts.
func liveItems(tb testing.TB) []news.Item {
	tb.Helper()
	items := sampleItems(tb)
	nasty := news.Item{
		UID: "u-nasty", Outlet: "Al Mayadeen English", URL: "https://almayadeen.example/nasty?a=1&b=2",
		Title:       "Ракеты \x01и дроны\x1b: تهران\u200cمسکو \xff<b>",
		Summary:     "Bell\x07 and NUL\x00 and \x85 C1 & <tags>",
		ContentHTML: "<p>]]> end of CDATA \x0c</p>",
		Published:   mustTime(tb, "2022-10-18T06:00:00Z"), Updated: mustTime(tb, "2022-10-18T07:00:00Z"),
		StoryID: "s-nasty", Language: "ru",
		Tagging: news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Tags: []string{"missiles"}, Score: 3.5},
	}
	return append(items, nasty)
}

// liveServer runs the handler on loopback with BaseURL set to its address.
func liveServer(tb testing.TB, hub string) (*httptest.Server, *fakeStore) {
	tb.Helper()
	st := &fakeStore{items: liveItems(tb), outlets: sampleOutlets(tb), rev: 1}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	srv.Config.Handler = NewServer(st, Options{BaseURL: base, Title: "Iran–Russia–Ukraine", Description: "A merged topical feed",
		Language: "en", Limit: 100, PollInterval: 15 * time.Minute, HubURL: hub})
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv, st
}

// onTopic returns the UIDs the merged feed must contain.
func onTopic(items []news.Item) []string {
	var uids []string
	for _, it := range items {
		if it.OnTopic {
			uids = append(uids, it.UID)
		}
	}
	return uids
}

type feedparserResult struct {
	URL           string `json:"url"`
	Status        int    `json:"status"`
	Version       string `json:"version"`
	Bozo          bool   `json:"bozo"`
	BozoException string `json:"bozo_exception"`
	Title         string `json:"title"`
	Links         []struct {
		Rel, Href string
	} `json:"links"`
	Entries []struct {
		ID, Link, Title, Author string
		Date                    bool
		Tags                    []string
	} `json:"entries"`
	SecondStatus  int `json:"second_status"`
	SecondEntries int `json:"second_entries"`
}

func TestFeedparserAcceptsFeeds(t *testing.T) {
	python := requireTool(t, "/usr/bin/python3", "python3")
	if err := exec.Command(python, "-c", "import feedparser").Run(); err != nil {
		msg := "python3-feedparser not installed for /usr/bin/python3: " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	srv, st := liveServer(t, "https://hub.example.net/")
	paths := []string{"/feed.atom", "/feed.rss", "/feed.json", "/tags/drones.atom", "/tags/drones.rss", "/outlets/the-moscow-times.rss"}
	var urls []string
	for _, p := range paths {
		urls = append(urls, srv.URL+p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, filepath.Join("testdata", "feedcheck.py"))
	cmd.Args = append(cmd.Args, urls...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONNOUSERSITE=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("feedcheck.py: %v\n%s", err, stderrOf(err))
	}
	var results []feedparserResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("feedcheck.py output: %v\n%s", err, out)
	}
	if len(results) != len(paths) {
		t.Fatalf("%d results for %d feeds", len(results), len(paths))
	}
	wantVersion := map[string]string{".atom": "atom10", ".rss": "rss20", ".json": "json11"}
	for i, res := range results {
		t.Run(paths[i], func(t *testing.T) {
			if res.Bozo {
				t.Errorf("bozo: %s", res.BozoException)
			}
			if res.Status != 200 {
				t.Errorf("status %d", res.Status)
			}
			if want := wantVersion[filepath.Ext(paths[i])]; res.Version != want {
				t.Errorf("version %q, want %q", res.Version, want)
			}
			if res.SecondStatus != 304 || res.SecondEntries != 0 {
				t.Errorf("conditional re-fetch: status %d with %d entries, want 304 and none", res.SecondStatus, res.SecondEntries)
			}
			if len(res.Entries) == 0 {
				t.Fatal("no entries")
			}
			ids := map[string]bool{}
			for _, e := range res.Entries {
				if e.ID == "" || ids[e.ID] {
					t.Errorf("entry %q: id empty or repeated", e.Title)
				}
				ids[e.ID] = true
				if !strings.HasPrefix(e.Link, "https://") {
					t.Errorf("entry %q: link %q", e.Title, e.Link)
				}
				if !e.Date {
					t.Errorf("entry %q: no parsable date", e.Title)
				}
				if len(e.Tags) == 0 {
					t.Errorf("entry %q: no tags", e.Title)
				}
				if e.Author == "" {
					t.Errorf("entry %q: no author", e.Title)
				}
			}
		})
	}
	// The merged Atom feed holds every on-topic story once, each entry
	// with its story's id.
	var got []string
	for _, e := range results[0].Entries {
		got = append(got, e.ID)
	}
	var want []string
	for _, it := range st.items {
		if it.OnTopic {
			want = append(want, srv.URL+"/stories/"+it.StoryID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("merged feed ids %q, want %q", got, want)
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

func TestNewsboatLoadsFeeds(t *testing.T) {
	newsboat := requireTool(t, "/usr/bin/newsboat", "newsboat")
	srv, st := liveServer(t, "")
	want := len(onTopic(st.items))
	for _, p := range []string{"/feed.atom", "/feed.rss"} {
		t.Run(p, func(t *testing.T) {
			dir := t.TempDir()
			urls := filepath.Join(dir, "urls")
			if err := os.WriteFile(urls, []byte(srv.URL+p+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			conf := filepath.Join(dir, "config")
			if err := os.WriteFile(conf, []byte("download-retries 1\ndownload-timeout 20\nshow-read-feeds yes\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cache := filepath.Join(dir, "cache.db")
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, newsboat, "-u", urls, "-c", cache, "-C", conf, "-x", "reload", "print-unread")
			cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir, "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("newsboat: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), fmt.Sprintf("%d unread articles", want)) {
				t.Errorf("newsboat says %q, want %d unread articles", strings.TrimSpace(string(out)), want)
			}
			titles := newsboatTitles(t, cache)
			if len(titles) != want {
				t.Errorf("newsboat stored %d entries, want %d: %q", len(titles), want, titles)
			}
			for _, it := range st.items {
				if it.OnTopic && it.UID != "u-nasty" && !slices.Contains(titles, it.Title) {
					t.Errorf("newsboat lacks %q; has %q", it.Title, titles)
				}
			}
		})
	}
}

// feedsmithDir is where .ci/run installs the npm package feedsmith
// (TOPICFEED_NODE_DIR, default .ci/node at the repository root).
func feedsmithDir(tb testing.TB) (node, dir string) {
	tb.Helper()
	dir = os.Getenv("TOPICFEED_NODE_DIR")
	if dir == "" {
		dir = filepath.Join("..", ".ci", "node")
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "feedsmith", "package.json"))
	}
	if err != nil {
		msg := fmt.Sprintf("node with the npm package feedsmith in %s not installed (.ci/run installs it): %v", dir, err)
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg + "; set CI=1 to make this a failure")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return node, abs
}

type feedsmithResult struct {
	URL     string `json:"url"`
	Status  int    `json:"status"`
	Format  string `json:"format"`
	Error   string `json:"error"`
	Title   string `json:"title"`
	Entries []struct {
		ID, Link, Title string
		Date            bool
		Tags            []string
	} `json:"entries"`
}

// TestFeedsmithAcceptsFeeds parses every published format, JSON Feed
// included (which Debian's feedparser cannot read), with feedsmith, an
// independent JavaScript parser: each feed is detected as its format and
// valid, and every entry has an id, a link, a date and tags.
func TestFeedsmithAcceptsFeeds(t *testing.T) {
	node, dir := feedsmithDir(t)
	script, err := os.ReadFile(filepath.Join("testdata", "feedsmithcheck.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	// ES modules resolve packages from the script's directory.
	run := filepath.Join(dir, "feedsmithcheck.mjs")
	if err := os.WriteFile(run, script, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, st := liveServer(t, "")
	paths := []string{"/feed.json", "/feed.atom", "/feed.rss", "/tags/drones.json", "/outlets/the-moscow-times.json"}
	var urls []string
	for _, p := range paths {
		urls = append(urls, srv.URL+p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, append([]string{run}, urls...)...).Output()
	if err != nil {
		t.Fatalf("feedsmithcheck.mjs: %v\n%s", err, stderrOf(err))
	}
	var results []feedsmithResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("feedsmithcheck.mjs output: %v\n%s", err, out)
	}
	if len(results) != len(paths) {
		t.Fatalf("%d results for %d feeds", len(results), len(paths))
	}
	wantFormat := map[string]string{".atom": "atom", ".rss": "rss", ".json": "json"}
	for i, res := range results {
		t.Run(paths[i], func(t *testing.T) {
			if res.Error != "" {
				t.Fatalf("feedsmith rejects the feed: %s", res.Error)
			}
			if res.Status != 200 {
				t.Errorf("status %d", res.Status)
			}
			if want := wantFormat[filepath.Ext(paths[i])]; res.Format != want {
				t.Errorf("format %q, want %q", res.Format, want)
			}
			if res.Title == "" {
				t.Error("no feed title")
			}
			if len(res.Entries) == 0 {
				t.Fatal("no entries")
			}
			ids := map[string]bool{}
			for _, e := range res.Entries {
				if e.ID == "" || ids[e.ID] {
					t.Errorf("entry %q: id empty or repeated", e.Title)
				}
				ids[e.ID] = true
				if !strings.HasPrefix(e.Link, "https://") {
					t.Errorf("entry %q: link %q", e.Title, e.Link)
				}
				if !e.Date {
					t.Errorf("entry %q: no parsable date", e.Title)
				}
				if len(e.Tags) == 0 {
					t.Errorf("entry %q: no tags", e.Title)
				}
			}
		})
	}
	// The merged JSON Feed holds every on-topic story once.
	var got, want []string
	for _, e := range results[0].Entries {
		got = append(got, e.ID)
	}
	for _, it := range st.items {
		if it.OnTopic {
			want = append(want, srv.URL+"/stories/"+it.StoryID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("merged JSON Feed ids %q, want %q", got, want)
	}
}
