package parser

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestDumpGolden checks the JSON `topicfeed inspect` prints for realistic
// feeds against golden files (go test -run TestDumpGolden -update rewrites
// them).
func TestDumpGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "dump", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".golden.json") {
			inputs = append(inputs, f)
		}
	}
	if len(inputs) == 0 {
		t.Fatal("no dump inputs in testdata/dump")
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			res := mustParse(t, body, Options{URL: "https://example.org/feed"})
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // as `topicfeed inspect` should print it
			enc.SetIndent("", "  ")
			if err := enc.Encode(res.Dump()); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			golden := strings.TrimSuffix(in, filepath.Ext(in)) + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("dump differs from %s:\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

// TestDumpShape checks the keys issue 10 specifies are always present, even
// for an almost empty feed.
func TestDumpShape(t *testing.T) {
	res := mustParse(t, []byte(`<rss version="2.0"><channel><item><title>x</title></item></channel></rss>`), Options{})
	b, err := json.Marshal(res.Dump())
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"format", "version", "title", "link", "description", "language", "updated", "items", "warnings"} {
		if _, ok := top[k]; !ok {
			t.Errorf("dump lacks %q: %s", k, b)
		}
	}
	items, _ := top["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("items = %v, want one", top["items"])
	}
	item, _ := items[0].(map[string]any)
	for _, k := range []string{"id", "link", "title", "summary", "content", "authors", "published", "updated", "categories", "enclosures"} {
		v, ok := item[k]
		if !ok {
			t.Errorf("item lacks %q: %s", k, b)
		}
		if k == "authors" || k == "categories" || k == "enclosures" {
			if _, isList := v.([]any); !isList {
				t.Errorf("item %q = %v, want a list (never null)", k, v)
			}
		}
	}
}
