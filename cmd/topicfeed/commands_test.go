package main

import (
	"encoding/json"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
)

// The commands as a new user and an ops person meet them (issue 22,
// "Commands"): help, the version, the errors of export and backup, what a
// one-shot poll logs, inspect without a configuration and explain's
// readable form.

// TestCommandHelp: every command's -h prints its usage on stderr and exits
// 0, as `topicfeed -h` does: help asked for is no mistake.
func TestCommandHelp(t *testing.T) {
	for _, cmd := range [][]string{{"serve"}, {"poll"}, {"export"}, {"check"}, {"explain"}, {"inspect"}, {"retag"},
		{"outlets"}, {"backup"}, {"opml", "import"}, {"healthcheck"}, {}} {
		name := strings.Join(cmd, " ")
		t.Run(name, func(t *testing.T) {
			_, stderr, code := runBinary(t, "", append(cmd, "-h")...)
			if code != 0 {
				t.Errorf("%s -h: exit %d, want 0\n%s", name, code, stderr)
			}
			if !strings.Contains(stderr, strings.TrimSpace("usage: topicfeed "+name)) {
				t.Errorf("%s -h does not print its usage:\n%s", name, stderr)
			}
		})
	}
	// a flag that does not exist is still a mistake
	if _, stderr, code := runBinary(t, "", "explain", "-nonsense"); code != 2 || !strings.Contains(stderr, "usage: topicfeed explain") {
		t.Errorf("explain -nonsense: exit %d, want 2 and the usage\n%s", code, stderr)
	}
}

// TestVersion: -version prints the module version, the Go version and
// the VCS revision the build stamped, if any (a build in a git worktree or
// with -buildvcs=false has none).
func TestVersion(t *testing.T) {
	out, stderr, code := runBinary(t, "", "-version")
	if code != 0 || !strings.HasPrefix(out, "topicfeed ") || !strings.Contains(out, runtime.Version()) {
		t.Fatalf("-version: exit %d, %q %q", code, out, stderr)
	}
	info, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`\tbuild\tvcs\.revision=([0-9a-f]{12})`).FindSubmatch(info)
	switch {
	case m != nil && !strings.Contains(out, "revision "+string(m[1])):
		t.Errorf("-version %q does not give the revision %s", out, m[1])
	case m == nil && strings.Contains(out, "revision"):
		t.Errorf("-version %q gives a revision the build did not stamp", out)
	}
}

// pollOnce writes a configuration of one outlet serving two on-topic
// items and polls it once.
func pollOnce(t *testing.T) (cfg, stderr string) {
	t.Helper()
	srv := httptest.NewServer(apptest.ServeFeed(apptest.OnTopicRSS("once", 2), "application/rss+xml"))
	t.Cleanup(srv.Close)
	cfg = apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Once", srv.URL + "/feed"}},
		"allow_private_networks: true\n")
	_, stderr, code := runBinary(t, "", "-config", cfg, "poll")
	if code != 0 || !strings.Contains(stderr, "polled 1 outlets (0 failed): 2 new") {
		t.Fatalf("poll: exit %d\n%s", code, stderr)
	}
	return cfg, stderr
}

// TestPollFromCronIsQuiet: a one-shot poll, as cron runs it, logs the
// memory limit and the collector's pace at DEBUG, not INFO: they are the
// same every run.
func TestPollFromCronIsQuiet(t *testing.T) {
	_, stderr := pollOnce(t)
	for _, noise := range []string{`msg="memory limit"`, `msg="gc pace"`} {
		if strings.Contains(stderr, noise) {
			t.Errorf("poll at log level info logs %s:\n%s", noise, apptest.GrepLines(stderr, noise))
		}
	}
}

// TestExportUnknownTag: a tag no rule defines is a mistake, said with the
// tags there are, not an empty feed.
func TestExportUnknownTag(t *testing.T) {
	cfg, _ := pollOnce(t)
	out, stderr, code := runBinary(t, "", "-config", cfg, "export", "-tag", "no-such-tag")
	if code == 0 || out != "" {
		t.Errorf("export -tag no-such-tag: exit %d, output %q", code, out)
	}
	if !strings.Contains(stderr, `unknown tag "no-such-tag"`) || !strings.Contains(stderr, "drones, missiles") {
		t.Errorf("export -tag no-such-tag does not list the tags:\n%s", stderr)
	}
	if out, stderr, code := runBinary(t, "", "-config", cfg, "export", "-tag", "drones"); code != 0 || !strings.Contains(out, "<feed") {
		t.Errorf("export -tag drones: exit %d\n%s", code, stderr)
	}
}

// TestExportEmptyFeedIsDated: a feed with no entries yet is dated when it
// is written, as the server dates it by its Last-Modified, not 1970.
func TestExportEmptyFeedIsDated(t *testing.T) {
	cfg := apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Never", "http://127.0.0.1:1/feed"}},
		"allow_private_networks: true\n")
	year := strconv.Itoa(time.Now().UTC().Year())
	for _, format := range []string{"atom", "rss", "json"} {
		out, stderr, code := runBinary(t, "", "-config", cfg, "export", "-format", format)
		if code != 0 {
			t.Fatalf("export -format %s: exit %d\n%s", format, code, stderr)
		}
		if strings.Contains(out, "1970") {
			t.Errorf("export -format %s of an empty feed is dated 1970:\n%s", format, out)
		}
		if format != "json" && !strings.Contains(out, year) {
			t.Errorf("export -format %s of an empty feed carries no date of %s:\n%s", format, year, out)
		}
	}
}

// TestBackupOntoExistingFile: the error names the file once.
func TestBackupOntoExistingFile(t *testing.T) {
	cfg, _ := pollOnce(t)
	dst := filepath.Join(t.TempDir(), "copy.db")
	if _, stderr, code := runBinary(t, "", "-config", cfg, "backup", dst); code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, stderr)
	}
	_, stderr, code := runBinary(t, "", "-config", cfg, "backup", dst)
	if code == 0 || strings.Count(stderr, "backup to") != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("backup onto an existing file: exit %d\n%s", code, stderr)
	}
}

// TestInspectNormalizedWithoutConfig: topics and tags come from the
// configuration, so without one `inspect -normalized` fails and says so,
// as explain does, instead of calling every item off topic; the raw
// parse needs no configuration.
func TestInspectNormalizedWithoutConfig(t *testing.T) {
	feed, err := filepath.Abs(filepath.Join("..", "..", "testdata", "e2e", "iran-front-page.rss"))
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "config.yaml")
	out, stderr, code := runBinary(t, "", "-config", missing, "inspect", "-normalized", feed)
	if code == 0 || !strings.Contains(stderr, missing) || !strings.Contains(stderr, "topics") {
		t.Errorf("inspect -normalized without a config: exit %d\n%s%s", code, stderr, out[:min(len(out), 300)])
	}
	if out, stderr, code := runBinary(t, "", "-config", missing, "inspect", feed); code != 0 || !strings.Contains(out, `"Iran Front Page"`) {
		t.Errorf("inspect without a config: exit %d\n%s", code, stderr)
	}
}

// TestExplainText: -format text prints each decision for a person to
// read; -format json (the default when stdout is not a terminal) prints
// JSON Lines.
func TestExplainText(t *testing.T) {
	in := `{"title":"Iran supplied Shahed drones to Russia for the war in Ukraine, Kyiv says","text":"Ukraine's foreign ministry said Iranian-made Shahed drones were used by Russian forces against Kyiv overnight.\n\nTehran denied sending weapons to Moscow.","url":"https://example.org/a","outlet":"Example"}
{"title":"Real Madrid beat Barcelona 3-1","content":"<p>Real Madrid won the Clasico on Sunday.</p>"}
`
	out, stderr, code := runBinary(t, in, "-config", "../../config.yaml", "explain", "-format", "text")
	if code != 0 {
		t.Fatalf("explain -format text: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"1: Iran supplied Shahed drones to Russia for the war in Ukraine, Kyiv says",
		"on topic iran-russia-ukraine: iran 8 + russia 8 present (each needs 3); score 33, needs 6",
		"iran 8 (Iran in title, Iranian in lead, Tehran in body)",
		"tags: drones 10, diplomacy 3, military 11 (each needs 2)",
		"story: s-",
		"2: Real Madrid beat Barcelona 3-1",
		"off topic",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain -format text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "{") {
		t.Errorf("explain -format text prints JSON:\n%s", out)
	}
	for _, args := range [][]string{{"-format", "json"}, {}} {
		out, _, code := runBinary(t, in, append([]string{"-config", "../../config.yaml", "explain"}, args...)...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var m map[string]any
		if code != 0 || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &m) != nil || m["on_topic"] != true {
			t.Errorf("explain %v: exit %d, want two JSON lines:\n%s", args, code, out)
		}
	}
	if _, stderr, code := runBinary(t, in, "-config", "../../config.yaml", "explain", "-format", "yaml"); code != 2 || !strings.Contains(stderr, "text or json") {
		t.Errorf("explain -format yaml: exit %d\n%s", code, stderr)
	}
}
