package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
)

// runBinary runs topicfeed with stdin and returns its outputs and exit code.
func runBinary(t testing.TB, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestCheck(t *testing.T) {
	out, stderr, code := runBinary(t, "", "-config", "../../config.yaml", "check")
	if code != 0 {
		t.Fatalf("check of the shipped config: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"ok", "The Moscow Times", "https://www.themoscowtimes.com/rss/news", "iran-russia-ukraine"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("listen: \":8080\"\npoll_interval: 15m\noutlets:\n  - name: x\n    url: \"ftp://x.example/feed\"\n    colour: red\ntopics: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runBinary(t, "", "-config", bad, "check")
	if code == 0 {
		t.Fatal("check of a bad config exited 0")
	}
	if !strings.Contains(stderr, bad+":6:") || !strings.Contains(stderr, "colour") {
		t.Errorf("unknown key error does not name file, line and key:\n%s", stderr)
	}

	if err := os.WriteFile(bad, []byte("outlets:\n  - name: x\n    url: \"ftp://x.example/feed\"\ntopics: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, _ = runBinary(t, "", "-config", bad, "check")
	for _, want := range []string{bad + ":3: outlets[0].url", bad + ":4: topics"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("validation errors lack %q:\n%s", want, stderr)
		}
	}

	if _, stderr, code = runBinary(t, "", "nonsense"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Errorf("unknown command: exit %d, %s", code, stderr)
	}
}

func TestExplain(t *testing.T) {
	in := strings.Join([]string{
		`{"title":"Iran supplied Shahed drones to Russia for the war in Ukraine, Kyiv says","text":"Ukraine's foreign ministry said Iranian-made Shahed drones were used by Russian forces against Kyiv overnight.\n\nTehran denied sending weapons to Moscow.","url":"https://example.org/a","outlet":"Example"}`,
		`{"title":"Real Madrid beat Barcelona 3-1","content":"<p>Real Madrid won the Clasico on Sunday.</p>"}`,
		`{"title": broken json`,
	}, "\n")
	out, stderr, code := runBinary(t, in, "-config", "../../config.yaml", "explain")
	if code == 0 {
		t.Error("explain exited 0 though line 3 is not JSON")
	}
	if !strings.Contains(stderr, "stdin:3") {
		t.Errorf("the bad line is not named: %s", stderr)
	}
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("explain output line %q: %v", line, err)
		}
		got = append(got, m)
	}
	if len(got) != 2 {
		t.Fatalf("got %d decisions, want 2:\n%s", len(got), out)
	}
	if got[0]["on_topic"] != true || got[1]["on_topic"] != false {
		t.Errorf("on_topic: %v, %v; want true, false", got[0]["on_topic"], got[1]["on_topic"])
	}
	for _, key := range []string{"topics", "tags", "score", "evidence"} {
		if _, ok := got[0][key]; !ok {
			t.Errorf("decision lacks %q: %v", key, got[0])
		}
	}
	if ev, _ := got[0]["evidence"].([]any); len(ev) == 0 {
		t.Errorf("an on-topic decision carries no evidence: %v", got[0])
	}
	if tags, _ := got[0]["tags"].([]any); !containsAny(tags, "drones") {
		t.Errorf("tags %v lack drones", got[0]["tags"])
	}
}

// storyItem is an invented news item for the story grouping tests.
type storyItem struct {
	Title     string `json:"title"`
	Text      string `json:"text"`
	URL       string `json:"url"`
	Outlet    string `json:"outlet"`
	Published string `json:"published"`
}

// storyItems are two write-ups of one event (a drone strike on a grain
// terminal, the second published later) and one of another (a fighter jet
// deal), all on topic, and an off-topic item.
func storyItems() (strike, strikeLater, jets, football storyItem) {
	strike = storyItem{
		Title: "Shahed drones hit Odesa grain terminal overnight, Ukraine says",
		Text: "Russian forces launched 27 Iranian-made Shahed drones at the Odesa region overnight, damaging the Izmail grain terminal, Ukraine's air force said on Tuesday.\n\n" +
			"Governor Petro Marchenko said two warehouses burned and 40,000 tonnes of grain were destroyed. \"This was a deliberate attack on food security,\" Marchenko said.",
		URL: "https://kyiv-desk.example/odesa-terminal", Outlet: "Kyiv Desk", Published: "2024-03-12T08:00:00Z",
	}
	strikeLater = storyItem{
		Title: "Iranian drones strike Izmail grain terminal in Odesa region",
		Text: "A swarm of 27 Shahed drones of Iranian design struck the Izmail grain terminal in Ukraine's Odesa region overnight, governor Petro Marchenko said.\n\n" +
			"Marchenko said 40,000 tonnes of grain were destroyed and called it \"a deliberate attack on food security\". Ukraine's air force said most drones were shot down.",
		URL: "https://gulf-wire.example/izmail", Outlet: "Gulf Wire", Published: "2024-03-12T10:30:00Z",
	}
	jets = storyItem{
		Title: "Tehran and Moscow sign deal on Russian Su-35 fighter jets for Iran",
		Text: "Iran's defence ministry said on Thursday it had finalised the purchase of Su-35 fighter jets from Russia, as the two countries deepen military ties during the war in Ukraine.\n\n" +
			"Deputy minister Reza Tavakoli told reporters the first jets would arrive in Tehran before the end of the Iranian year.",
		URL: "https://tehran-daily.example/su35", Outlet: "Tehran Daily", Published: "2024-03-14T09:00:00Z",
	}
	football = storyItem{Title: "Real Madrid beat Barcelona 3-1", Text: "Real Madrid won the Clasico on Sunday.", Published: "2024-03-13T09:00:00Z"}
	return strike, strikeLater, jets, football
}

// grouping is what explain and inspect print of an item's story.
type grouping struct {
	OnTopic   bool    `json:"on_topic"`
	UID       string  `json:"uid"`
	Story     *string `json:"story"`
	StoryWhy  string  `json:"story_why"`
	MovedFrom string  `json:"moved_from"`
}

// checkStories checks the grouping of storyItems: the two write-ups of the
// strike in the story the earlier one started, the jets in a story of
// their own, the off-topic item in none; given in another order, they are
// grouped in publication order, so none moves.
func checkStories(t *testing.T, strike, strikeLater, jets, football grouping) {
	t.Helper()
	for name, g := range map[string]grouping{"strike": strike, "later strike": strikeLater, "jets": jets} {
		if !g.OnTopic || g.UID == "" || g.Story == nil || g.StoryWhy == "" {
			t.Fatalf("%s: on topic %v, uid %q, story %v, story_why %q; want on topic, grouped and explained", name, g.OnTopic, g.UID, g.Story, g.StoryWhy)
		}
		if g.MovedFrom != "" {
			t.Errorf("%s moved from %s: not grouped in publication order", name, g.MovedFrom)
		}
	}
	if want := "s-" + strike.UID; *strike.Story != want || *strikeLater.Story != want {
		t.Errorf("the strike's write-ups are in stories %s and %s, want both in %s (started by the earlier)", *strike.Story, *strikeLater.Story, want)
	}
	if !strings.HasPrefix(strikeLater.StoryWhy, "joins story s-"+strike.UID) {
		t.Errorf("the later write-up's story_why %q does not say it joins the strike's story", strikeLater.StoryWhy)
	}
	if *jets.Story == *strike.Story || *jets.Story != "s-"+jets.UID {
		t.Errorf("the jet deal is in story %s, want its own, s-%s", *jets.Story, jets.UID)
	}
	if football.OnTopic || football.Story != nil || football.StoryWhy != "" {
		t.Errorf("the off-topic item is grouped: %+v", football)
	}
}

func TestExplainStories(t *testing.T) {
	strike, strikeLater, jets, football := storyItems()
	var in strings.Builder
	// later write-up first, and a line whose date is not RFC 3339
	for _, it := range []storyItem{strikeLater, jets, football, strike, {Title: strike.Title, Published: "yesterday"}} {
		b, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(append(b, '\n'))
	}
	out, stderr, code := runBinary(t, in.String(), "-config", "../../config.yaml", "explain")
	if code == 0 || !strings.Contains(stderr, "stdin:5: published") {
		t.Errorf("a line with a bad published time: exit %d, %s", code, stderr)
	}
	var got []grouping
	var lines []int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var g struct {
			Line int `json:"line"`
			grouping
		}
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			t.Fatalf("explain output line %q: %v", line, err)
		}
		got, lines = append(got, g.grouping), append(lines, g.Line)
	}
	if !slices.Equal(lines, []int{1, 2, 3, 4}) {
		t.Fatalf("explain printed lines %v, want 1 to 4 in input order:\n%s", lines, out)
	}
	checkStories(t, got[3], got[0], got[1], got[2])
}

func containsAny(list []any, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestInspect(t *testing.T) {
	feed := filepath.Join("..", "..", "testdata", "e2e", "iran-front-page.rss")
	out, stderr, code := runBinary(t, "", "-config", "../../config.yaml", "inspect", feed)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	var raw struct {
		Format, Version, Title string
		Items                  []struct {
			ID, Link, Title, Content string
			Authors                  []struct{ Name string }
		}
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Format != "rss" || raw.Version != "2.0" || raw.Title != "Iran Front Page" || len(raw.Items) != 3 {
		t.Fatalf("inspect: %+v", raw)
	}
	if raw.Items[0].ID != "https://ifpnews.com/?p=91823" || !strings.Contains(raw.Items[0].Content, "IFP Media Wire") {
		t.Errorf("inspect must show values as parsed, before cleaning: %+v", raw.Items[0])
	}

	out, stderr, code = runBinary(t, "", "-config", "../../config.yaml", "inspect", "-normalized", feed)
	if code != 0 {
		t.Fatalf("inspect -normalized: exit %d: %s", code, stderr)
	}
	var norm struct {
		Items []struct {
			Title, Text string
			OnTopic     bool `json:"on_topic"`
			Tags        []string
		}
	}
	if err := json.Unmarshal([]byte(out), &norm); err != nil {
		t.Fatal(err)
	}
	if len(norm.Items) != 3 || !norm.Items[0].OnTopic || strings.Contains(norm.Items[0].Text, "do not necessarily reflect") {
		t.Errorf("inspect -normalized: %+v", norm.Items)
	}

	// Story grouping of the feed's on-topic items, in publication order
	// whatever the feed's order, as the daemon groups one outlet's.
	strike, strikeLater, jets, football := storyItems()
	var rss strings.Builder
	rss.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>`)
	for _, it := range []storyItem{strikeLater, jets, football, strike} {
		published, err := time.Parse(time.RFC3339, it.Published)
		if err != nil {
			t.Fatal(err)
		}
		var body strings.Builder
		for _, p := range strings.Split(it.Text, "\n\n") {
			body.WriteString("<p>" + p + "</p>")
		}
		link := cmp.Or(it.URL, "https://wire.example/football")
		fmt.Fprintf(&rss, "<item><title>%s</title><link>%s</link><guid>%[2]s</guid><pubDate>%s</pubDate><description>%s</description></item>",
			html.EscapeString(it.Title), link, published.Format(time.RFC1123Z), html.EscapeString(body.String()))
	}
	rss.WriteString("</channel></rss>")
	wire := filepath.Join(t.TempDir(), "wire.rss")
	if err := os.WriteFile(wire, []byte(rss.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = runBinary(t, "", "-config", "../../config.yaml", "inspect", "-normalized", wire)
	if code != 0 {
		t.Fatalf("inspect -normalized: exit %d: %s", code, stderr)
	}
	var grouped struct{ Items []grouping }
	if err := json.Unmarshal([]byte(out), &grouped); err != nil {
		t.Fatal(err)
	}
	if len(grouped.Items) != 4 {
		t.Fatalf("inspect -normalized of the wire feed: %d items, want 4", len(grouped.Items))
	}
	checkStories(t, grouped.Items[3], grouped.Items[0], grouped.Items[1], grouped.Items[2])

	// A URL, fetched as the daemon fetches: the HTTP Content-Language
	// stands in for the feed's missing <language>, and the SSRF guard
	// applies unless the configuration allows private networks.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Language", "ru")
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Лента</title><link>https://lenta.example/</link><description>d</description><item><title>Иран и Россия</title><link>https://lenta.example/1</link></item></channel></rss>`))
	}))
	defer srv.Close()
	private := apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Lenta", srv.URL + "/feed"}}, "allow_private_networks: true\n")
	out, stderr, code = runBinary(t, "", "-config", private, "inspect", srv.URL+"/feed")
	var fetched struct {
		Title, Language string
		Items           []struct{ Link string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &fetched) != nil {
		t.Fatalf("inspect URL: exit %d: %s%s", code, out, stderr)
	}
	if fetched.Title != "Лента" || fetched.Language != "ru" || len(fetched.Items) != 1 || fetched.Items[0].Link != "https://lenta.example/1" {
		t.Errorf("inspect URL: %+v", fetched)
	}
	if _, stderr, code = runBinary(t, "", "-config", "../../config.yaml", "inspect", srv.URL+"/feed"); code == 0 || !strings.Contains(stderr, "refused non-public network address") {
		t.Errorf("inspect of a loopback URL with the guard on: exit %d, %q", code, stderr)
	}

	page := filepath.Join(t.TempDir(), "page.html")
	os.WriteFile(page, []byte("<!DOCTYPE html><html><body><p>hello</p></body></html>"), 0o644)
	if _, stderr, code = runBinary(t, "", "inspect", page); code == 0 || !strings.Contains(stderr, page) {
		t.Errorf("inspect of an HTML page: exit %d, %q", code, stderr)
	}
}

func TestOPMLImport(t *testing.T) {
	dir := t.TempDir()
	shipped, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, shipped, 0o644)
	opml := filepath.Join(dir, "subs.opml")
	os.WriteFile(opml, []byte(`<?xml version="1.0"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="News">
  <outline type="rss" text="Moscow Times" xmlUrl="https://www.themoscowtimes.com/rss/news"/>
  <outline type="rss" text="Radio Farda" title="Radio Farda" xmlUrl="https://www.radiofarda.com/api/zmq_oeiqpt"/>
</outline></body></opml>`), 0o644)

	out, stderr, code := runBinary(t, "", "-config", cfg, "opml", "import", opml)
	if code != 0 {
		t.Fatalf("opml import: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "1 outlets added") || !strings.Contains(out, "already configured") {
		t.Errorf("opml import output:\n%s", out)
	}
	after, _ := os.ReadFile(cfg)
	if !strings.Contains(string(after), "https://www.radiofarda.com/api/zmq_oeiqpt") {
		t.Error("the new outlet is not in the config")
	}
	if !strings.Contains(string(after), "# The four outlets the project was conceived from") {
		t.Error("the config's comments were lost")
	}
	out, stderr, code = runBinary(t, "", "-config", cfg, "check")
	if code != 0 || !strings.Contains(out, "Radio Farda") {
		t.Errorf("check after import: exit %d\n%s%s", code, out, stderr)
	}
	// Importing again adds nothing.
	out, _, _ = runBinary(t, "", "-config", cfg, "opml", "import", opml)
	if !strings.Contains(out, "0 outlets added") {
		t.Errorf("second import:\n%s", out)
	}
}
