package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestChangedRulesRetagOnStart: after config.yaml's rules change, the next
// start re-tags the stored items without refetching.
func TestChangedRulesRetagOnStart(t *testing.T) {
	srv := newOutletServer(t)
	cfg := writeConfig(t, t.TempDir(), srv.URL)
	topicfeed(t, "-config", cfg, "poll")
	if _, stderr := topicfeed(t, "-config", cfg, "poll"); strings.Contains(stderr, "re-tagged") {
		t.Errorf("unchanged rules re-tagged the items:\n%s", stderr)
	}

	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const azov = "\n  - name: azov\n    terms: [\"Sea of Azov\"]\n"
	if !strings.Contains(string(data), "\ntags:\n") {
		t.Fatal("the config has no top-level tags list")
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "\ntags:\n", "\ntags:"+azov, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	// The next poll notices; its outlets answer 304, so the new tag can
	// only come from re-tagging what is stored.
	_, stderr := topicfeed(t, "-config", cfg, "poll")
	if !strings.Contains(stderr, "tagging rules changed: re-tagged stored items") {
		t.Errorf("no re-tagging logged:\n%s", stderr)
	}
	if m := pollSummary.FindStringSubmatch(stderr); m == nil || m[3] != "0" || m[4] != "0" {
		t.Errorf("the poll stored something new or updated: %q", m)
	}
	out, _ := topicfeed(t, "-config", cfg, "export", "-format", "json", "-limit", "0", "-tag", "azov")
	var f jsonFeed
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 || !strings.Contains(f.Items[0].URL, "sea-azov") {
		t.Errorf("-tag azov after re-tagging: %d items", len(f.Items))
	}
}
