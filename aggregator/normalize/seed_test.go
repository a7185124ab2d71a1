package normalize

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/news"
)

// seedItems normalises the four seed feeds (the five seed articles of
// ../shared/seeds as WordPress-style feed items) and returns them by GUID.
func seedItems(tb testing.TB) map[string]news.Item {
	tb.Helper()
	out := map[string]news.Item{}
	for _, name := range []string{"seed_aawsat", "seed_ifp", "seed_moscowtimes", "seed_almayadeen"} {
		items, _ := loadCase(tb, name)
		for _, it := range items {
			out[it.GUID] = it
		}
	}
	return out
}

func paragraphs(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n\n")
}

// TestSeedBodiesSurvive checks, for every seed article, that each body
// paragraph of the capture (testdata/seed_bodies.json) is a paragraph of the
// normalised text, unchanged.
func TestSeedBodiesSurvive(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "seed_bodies.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bodies map[string][]string
	if err := json.Unmarshal(data, &bodies); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 6 {
		t.Fatalf("seed_bodies.json has %d articles, want 6 (seed 000 holds two)", len(bodies))
	}
	items := seedItems(t)
	for guid, want := range bodies {
		t.Run(guid, func(t *testing.T) {
			it, ok := items[guid]
			if !ok {
				t.Fatalf("no normalised item with GUID %s", guid)
			}
			have := map[string]bool{}
			for _, p := range paragraphs(it.Text) {
				have[p] = true
			}
			for _, p := range want {
				if !have[foldSpace(p)] {
					t.Errorf("body paragraph lost or altered: %q", p)
				}
			}
		})
	}
}

// TestSeedBoilerplateRemoved checks that none of the seeds' boilerplate
// (testdata/seed_boilerplate.txt) survives and that no paragraph, caption or
// title appears twice in an item's text.
func TestSeedBoilerplateRemoved(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "seed_boilerplate.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var exact, contains []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "= "):
			exact = append(exact, line[2:])
		case strings.HasPrefix(line, "~ "):
			contains = append(contains, line[2:])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(exact) == 0 || len(contains) == 0 {
		t.Fatal("seed_boilerplate.txt lists nothing")
	}
	items := seedItems(t)
	if len(items) != 6 {
		t.Fatalf("got %d seed items, want 6", len(items))
	}
	for guid, it := range items {
		t.Run(guid, func(t *testing.T) {
			seen := map[string]bool{Key(it.Title): true}
			for _, p := range paragraphs(it.Text) {
				k := Key(p)
				if seen[k] {
					t.Errorf("paragraph appears twice (or repeats the title): %q", p)
				}
				seen[k] = true
				for _, e := range exact {
					if p == e {
						t.Errorf("boilerplate paragraph survived: %q", p)
					}
				}
			}
			for _, c := range contains {
				for field, v := range map[string]string{"text": it.Text, "summary": it.Summary, "content_html": it.ContentHTML, "title": it.Title} {
					if strings.Contains(v, c) {
						t.Errorf("boilerplate %q survived in %s", c, field)
					}
				}
			}
			if it.Summary == "" || it.Title == "" || it.Text == "" || it.ContentHTML == "" {
				t.Errorf("empty field: title %q, summary %q, text %d bytes, html %d bytes", it.Title, it.Summary, len(it.Text), len(it.ContentHTML))
			}
		})
	}
}
