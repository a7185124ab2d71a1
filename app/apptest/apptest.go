// Package apptest holds what the tests of the application layer (app) and
// of the binary (cmd/topicfeed) share: generated on-topic feeds, handlers
// that serve them, configurations over the shipped topics, and log
// helpers. It is imported by tests only.
package apptest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// GenWords is the vocabulary of generated item texts: on-topic terms mixed
// with filler, so that every generated item is on topic and distinct.
var GenWords = strings.Fields(`Iran Iranian Tehran Russia Russian Moscow Kremlin Ukraine Ukrainian Kyiv drones Shahed
missiles sanctions diplomacy talks minister defense partnership military war front region officials said on
Tuesday Wednesday after before week report sources supply deliveries factory production western allies energy
oil gas exports nuclear agreement envoy meeting statement denied confirmed attack strike overnight city port
border navy air force ministry council summit president visit agreement cooperation economic trade bank`)

// genSyllables make up the invented place and person names that give each
// generated item its own named entities, so that story clustering has
// something to tell them apart by.
var genSyllables = strings.Fields("ka ro vi sha tem lo dar nes bu gor mil fa zen tu rak po")

// InventedName is a capitalised name of three syllables drawn from rng.
func InventedName(rng *rand.Rand) string {
	var b strings.Builder
	for range 3 {
		b.WriteString(genSyllables[rng.IntN(len(genSyllables))])
	}
	return strings.ToUpper(b.String()[:1]) + b.String()[1:]
}

// OnTopicRSS is a small valid feed of n on-topic items under prefix, each
// about its own invented people and places so that clustering keeps them
// apart.
func OnTopicRSS(prefix string, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Healthy</title><link>https://healthy.example.org/</link><description>d</description>`)
	var seed uint64
	for _, c := range prefix {
		seed = seed*31 + uint64(c)
	}
	for k := range n {
		rng := rand.New(rand.NewPCG(seed, uint64(k)))
		place, person := InventedName(rng), InventedName(rng)
		var text []string
		for range 40 {
			text = append(text, GenWords[rng.IntN(len(GenWords))])
		}
		u := fmt.Sprintf("https://%s.example.org/news/%d", prefix, k)
		fmt.Fprintf(&b, `<item><title>%s: %s says Iran sent Shahed drones to Russia for the war in Ukraine</title><link>%s</link><guid>%s</guid><pubDate>Mon, 02 Nov 2026 10:%02d:00 +0000</pubDate><description>%s of %s said Iranian drones reached Russian forces near Kyiv. %s.</description></item>`,
			place, person, u, u, k%60, person, place, strings.Join(text, " "))
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// ServeFeed serves body as contentType, with the extra header name/value
// pairs.
func ServeFeed(body []byte, contentType string, header ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Write(body)
	})
}

// Root is the module's root directory (where config.yaml and testdata
// are), found from this file's path so that any package's tests can read
// them.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Outlet is one outlet of a generated configuration: an alias of a plain
// struct, so that other packages write {name, url} without field names.
type Outlet = struct{ Name, URL string }

// WriteOutletsConfig writes dir/config.yaml: the shipped topics and tags,
// the given outlets, a database in dir/data and the extra top-level YAML
// (which may override listen, allow_private_networks, fetch, ...).
func WriteOutletsConfig(t testing.TB, dir string, outlets []Outlet, extra string) string {
	t.Helper()
	shipped, err := os.ReadFile(filepath.Join(Root(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(shipped, []byte("\ntopics:"))
	if i < 0 {
		t.Fatal("config.yaml has no top-level topics key")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "database: %q\nbase_url: \"http://feeds.example.org\"\npoll_interval: 15m\n", filepath.Join(dir, "data", "topicfeed.db"))
	b.WriteString("log: {format: text, level: info}\nfeed: {title: \"test\", description: \"test\", limit: 100, language: en}\n")
	b.WriteString(extra)
	if !strings.HasSuffix(extra, "\n") {
		b.WriteString("\n")
	}
	b.WriteString("outlets:\n")
	for _, o := range outlets {
		fmt.Fprintf(&b, "  - name: %q\n    url: %q\n", o.Name, o.URL)
	}
	b.Write(shipped[i:])
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// BurnsStory are the two write-ups of the CIA director's interview (seeds
// 001, 004, in testdata/e2e): one story. ReplyStory is Iran's reply to it (seed 003, at The
// Moscow Times and as a wire copy at Iran Front Page): a story of its own,
// related to the interview.
var (
	BurnsStory = []string{
		"https://ifpnews.com/cia-director-iran-russia-cooperation-worrying/",
		"https://english.almayadeen.net/news/politics/possible-russia-iran-defense-partnership-has-us-britain-on-edge",
	}
	ReplyStory = "https://www.themoscowtimes.com/2022/12/18/iran-says-it-wont-seek-permission-from-anyone-to-boost-russia-ties-a79733"
)

// GrepLines returns the lines of s that contain substr.
func GrepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// LogTail is the end of a long log, for a failure message.
func LogTail(s string) string {
	if len(s) > 6000 {
		return "…" + s[len(s)-6000:]
	}
	return s
}

// Get fetches url and returns the response and its body.
func Get(t testing.TB, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// WaitReady polls base's /readyz until it answers 200, for up to 30 s;
// log gives the server's log for the failure message.
func WaitReady(t testing.TB, base string, log func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, body := Get(t, base+"/readyz")
		if resp.StatusCode == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %s after 30s: %s\n%s", resp.Status, body, log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
