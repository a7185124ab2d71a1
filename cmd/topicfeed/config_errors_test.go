package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// typeWords are Go and YAML type words no configuration message may show.
var typeWords = regexp.MustCompile(`config\.[A-Z]|time\.Duration|!!|unmarshal|not found in type`)

// checkConfig runs `topicfeed check` on doc and returns its outputs.
func checkConfig(t *testing.T, doc string) (stdout, stderr string, code int, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = runBinary(t, "", "-config", path, "check")
	if m := typeWords.FindString(stderr); m != "" {
		t.Errorf("check shows %q, a Go or YAML type word:\n%s", m, stderr)
	}
	return stdout, stderr, code, path
}

func shippedConfig(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// lineOf is the number of the line of doc that holds s first.
func lineOf(t *testing.T, doc, s string) int {
	t.Helper()
	i := strings.Index(doc, s)
	if i < 0 {
		t.Fatalf("config.yaml has no %q", s)
	}
	return strings.Count(doc[:i], "\n") + 1
}

func TestCheckSpeaksTheUsersWords(t *testing.T) {
	shipped := shippedConfig(t)
	// The lines the mistakes are made on, found in the shipped file so that
	// its comments may change.
	interval := lineOf(t, shipped, "poll_interval: 15m")
	outletInterval := lineOf(t, shipped, "    poll_interval: 10m")
	private := lineOf(t, shipped, "allow_private_networks: false")
	limit := lineOf(t, shipped, "  limit: 100")
	ifp := lineOf(t, shipped, "    url: \"https://ifpnews.com/feed/\"")
	outletsBlock := lineOf(t, shipped, "outlets:") + 1
	tass := lineOf(t, shipped, `    url: "https://tass.com/rss/v2.xml"`)
	for _, tc := range []struct {
		name, from, to string
		want           []string
	}{
		{"misspelt key", "poll_interval: 15m", "poll_intervall: 15m",
			[]string{fmt.Sprintf(":%d: poll_intervall: unknown key; did you mean poll_interval?", interval)}},
		{"misspelt outlet key", "    poll_interval: 10m", "    poll_intervall: 10m",
			[]string{fmt.Sprintf(":%d: outlets[10].poll_intervall: unknown key; did you mean poll_interval?", outletInterval)}},
		{"duration in words", "poll_interval: 15m", "poll_interval: 15 minutes",
			[]string{fmt.Sprintf(`:%d: poll_interval: must be a duration: a number and a unit (s, m or h), such as 90s, 15m or 1h30m, got "15 minutes"`, interval)}},
		{"boolean", "allow_private_networks: false", "allow_private_networks: nope",
			[]string{fmt.Sprintf(`:%d: allow_private_networks: must be true or false, got "nope"`, private)}},
		{"number", "  limit: 100", "  limit: many",
			[]string{fmt.Sprintf(`:%d: feed.limit: must be a whole number, such as 500, got "many"`, limit)}},
		{"indentation", "    url: \"https://ifpnews.com/feed/\"", "   url: \"https://ifpnews.com/feed/\"",
			[]string{fmt.Sprintf(":%d: this line's indentation does not fit the lines above it", ifp),
				fmt.Sprintf("in the block that starts on line %d", outletsBlock)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(shipped, tc.from, tc.to, 1)
			if doc == shipped {
				t.Fatalf("config.yaml has no %q", tc.from)
			}
			_, stderr, code, path := checkConfig(t, doc)
			if code != 1 {
				t.Errorf("exit %d", code)
			}
			for _, w := range tc.want {
				if strings.HasPrefix(w, ":") {
					w = path + w
				}
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}

	// every mistake at once, each at its line
	doc := strings.Replace(shipped, "poll_interval: 15m", "poll_intervall: 15m", 1)
	doc = strings.Replace(doc, "  limit: 100", "  limit: many", 1)
	doc = strings.Replace(doc, `    url: "https://tass.com/rss/v2.xml"`, `    url: "tass.com"`, 1)
	_, stderr, _, path := checkConfig(t, doc)
	for _, w := range []string{fmt.Sprintf(":%d: poll_intervall: unknown key", interval), fmt.Sprintf(":%d: feed.limit:", limit),
		fmt.Sprintf(":%d: outlets[7].url: must be an absolute http(s) URL", tass)} {
		if !strings.Contains(stderr, path+w) {
			t.Errorf("stderr lacks %q:\n%s", path+w, stderr)
		}
	}
}

func TestCheckEnvironment(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "config.yaml")
	t.Setenv("TOPICFEED_OUTLETS", `[{name: TASS, url: "https://tass.com/rss/v2.xml"}]`)
	t.Setenv("TOPICFEED_TOPICS", `[{name: t, entities: [{name: iran, terms: [Iran]}]}]`)
	t.Setenv("TOPICFEED_ALLOW_PRIVATE_NETWORKS", "1")
	out, stderr, code := runBinary(t, "", "-config", missing, "check")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{
		missing + " does not exist, no file was read: the environment alone configures topicfeed: ok",
		"$TOPICFEED_ALLOW_PRIVATE_NETWORKS sets allow_private_networks",
		"$TOPICFEED_OUTLETS sets outlets",
		"adaptive 3m45s to 1h, from 15m",
		"warning: allow_private_networks is on",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("check lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, missing+": ok") || strings.Contains(out, "15m0s") {
		t.Errorf("check says a missing file is ok, or shows a fixed 15m0s:\n%s", out)
	}

	t.Setenv("TOPICFEED_LISTN", ":9999")
	_, stderr, code = runBinary(t, "", "-config", missing, "check")
	if want := "$TOPICFEED_LISTN: unknown variable: no configuration key is called that, so it is ignored; did you mean TOPICFEED_LISTEN?"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("misspelt variable: exit %d, want %q in\n%s", code, want, stderr)
	}
}

func TestServeWarnsOfUnknownVariables(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), "http://127.0.0.1:1")
	t.Setenv("TOPICFEED_LISTN", ":9999")
	d := startServe(t, cfg)
	deadline := time.Now().Add(10 * time.Second)
	want := regexp.MustCompile(`level=WARN msg="ignoring an environment variable" variable=TOPICFEED_LISTN reason=".*did you mean TOPICFEED_LISTEN\?"`)
	for !want.MatchString(d.log()) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !want.MatchString(d.log()) {
		t.Errorf("serve logs no warning for TOPICFEED_LISTN:\n%s", d.log())
	}
	d.stop(t)
}
