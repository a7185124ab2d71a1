package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// importOPML is a subscription list of four feeds: one configured already,
// two new ones and one whose xmlUrl is relative (no feed can be read from
// it).
const importOPML = `<?xml version="1.0"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="News">
  <outline type="rss" text="Moscow Times" xmlUrl="https://www.themoscowtimes.com/rss/news"/>
  <outline type="rss" text="Radio Farda" xmlUrl="https://www.radiofarda.com/api/zmq_oeiqpt"/>
  <outline type="rss" text="Novaya Gazeta &quot;Europe&quot;" xmlUrl="https://novayagazeta.eu/feed/rss"/>
  <outline type="rss" text="Local relative" xmlUrl="/feeds/local.xml"/>
</outline></body></opml>`

// TestOPMLImportKeepsLayout: an import adds the new outlets' lines after
// the last outlet and changes no other byte of config.yaml (its blank
// lines, wrapped lists and aligned comments); -dry-run prints what it
// would add and the diff, and writes nothing; a relative xmlUrl is
// reported; flags may follow the file name.
func TestOPMLImportKeepsLayout(t *testing.T) {
	dir := t.TempDir()
	shipped, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, shipped, 0o644); err != nil {
		t.Fatal(err)
	}
	opml := filepath.Join(dir, "subs.opml")
	if err := os.WriteFile(opml, []byte(importOPML), 0o644); err != nil {
		t.Fatal(err)
	}
	added := `  - name: "Radio Farda"
    url: "https://www.radiofarda.com/api/zmq_oeiqpt"
  - name: "Novaya Gazeta \"Europe\""
    url: "https://novayagazeta.eu/feed/rss"
`
	last := "    url: \"https://feeds.bbci.co.uk/persian/rss.xml\"\n    language: fa\n"
	if !strings.Contains(string(shipped), last) {
		t.Fatalf("config.yaml's last outlet is no longer BBC Persian: update the test")
	}
	want := strings.Replace(string(shipped), last, last+added, 1)
	// the hunk: 3 lines of context (BBC Persian's), the 4 added, 3 more
	start := strings.Count(string(shipped)[:strings.Index(string(shipped), last)], "\n") // BBC Persian's name line
	hunk := fmt.Sprintf("@@ -%d,6 +%[1]d,10 @@", start)

	out, stderr, code := runBinary(t, "", "-config", cfg, "opml", "import", opml, "-dry-run")
	if code != 0 {
		t.Fatalf("opml import FILE -dry-run: exit %d\n%s", code, stderr)
	}
	for _, s := range []string{
		"would add Radio Farda (https://www.radiofarda.com/api/zmq_oeiqpt)",
		"skipped Moscow Times (https://www.themoscowtimes.com/rss/news): already configured",
		`skipped Local relative (/feeds/local.xml): not an absolute http(s) URL`,
		"2 outlets would be added to " + cfg + ", 2 skipped",
		"--- " + cfg, "+++ " + cfg,
		hunk,
		"   - name: \"BBC Persian\"",
		"+  - name: \"Radio Farda\"",
		"+    url: \"https://novayagazeta.eu/feed/rss\"",
		" # --- topics and tags",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("dry run lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "min_entity_score") {
		t.Errorf("dry run prints the whole file:\n%s", out)
	}
	if after, _ := os.ReadFile(cfg); string(after) != string(shipped) {
		t.Fatal("a dry run changed the file")
	}

	out, stderr, code = runBinary(t, "", "-config", cfg, "opml", "import", opml)
	if code != 0 || !strings.Contains(out, "2 outlets added to "+cfg+", 2 skipped") || !strings.Contains(out, "skipped Local relative") {
		t.Fatalf("opml import: exit %d\n%s%s", code, out, stderr)
	}
	after, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != want {
		i := 0
		for i < min(len(want), len(after)) && want[i] == after[i] {
			i++
		}
		t.Errorf("the import changed more than it added: from byte %d, got %q, want %q", i, after[i:min(len(after), i+200)], want[i:min(len(want), i+200)])
	}
	if out, stderr, code = runBinary(t, "", "-config", cfg, "check"); code != 0 || !strings.Contains(out, `Novaya Gazeta "Europe"`) {
		t.Errorf("check after import: exit %d\n%s%s", code, out, stderr)
	}
	// Importing again adds nothing and leaves the file alone.
	if out, _, _ = runBinary(t, "", "-config", cfg, "opml", "import", opml); !strings.Contains(out, "0 outlets added") {
		t.Errorf("second import:\n%s", out)
	}
	if again, _ := os.ReadFile(cfg); string(again) != want {
		t.Error("a second import changed the file")
	}
}
