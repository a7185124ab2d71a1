package cluster

import (
	"bufio"
	"cmp"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	sets "github.com/topicfeed/topicfeed/aggregator/cluster/storysettest"
)

// labelled is one item of testdata/labelled.jsonl.
type labelled struct {
	Key       string    `json:"key"`
	Outlet    string    `json:"outlet"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Published time.Time `json:"published"`
	Story     string    `json:"story"`
	Dup       string    `json:"dup"`
	Split     string    `json:"split"`
}

func loadLabelled(tb testing.TB) []labelled {
	tb.Helper()
	f, err := os.Open("testdata/labelled.jsonl")
	if err != nil {
		tb.Fatalf("open labelled set: %v", err)
	}
	defer f.Close()
	var items []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var it labelled
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			tb.Fatalf("testdata/labelled.jsonl:%d: %v", line, err)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read labelled set: %v", err)
	}
	return items
}

// evaluate feeds items in publication order through Assign and scores the
// story and near-duplicate groupings.
func evaluate(tb testing.TB, items []labelled, o Options) (story, dup sets.Score, wrong []string) {
	tb.Helper()
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b labelled) int {
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	ix := New(o)
	keys := make([]string, len(items))
	wantStory, gotStory := make([]string, len(items)), make([]string, len(items))
	wantDup, gotDup := make([]string, len(items)), make([]string, len(items))
	for i, it := range items {
		d := ix.Assign(Doc{Key: it.Key, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: it.Published})
		keys[i] = it.Key
		wantStory[i], gotStory[i] = it.Story, d.StoryID
		wantDup[i] = it.Dup
		if d.DuplicateOf != "" {
			gotDup[i] = d.DuplicateOf
			// the first copy belongs to the group it founded
			for k := range i {
				if keys[k] == d.DuplicateOf && gotDup[k] == "" {
					gotDup[k] = d.DuplicateOf
				}
			}
		}
		if testing.Verbose() {
			tb.Logf("%-26s story=%-28s dup=%-18s %.2f %s", it.Key, d.StoryID, d.DuplicateOf, d.Similarity, d.Reason)
		}
	}
	story, ws := sets.Grouping(keys, wantStory, gotStory)
	dup, wd := sets.Grouping(keys, wantDup, gotDup)
	for _, w := range ws {
		wrong = append(wrong, "story: "+w)
	}
	for _, w := range wd {
		wrong = append(wrong, "dup: "+w)
	}
	return story, dup, wrong
}

// Thresholds the near-duplicate test holds the default options to.
const (
	minDupPrecision = 0.95
	minDupRecall    = 0.90
)

// TestNearDuplicatesLabelledSet feeds each split of testdata/labelled.jsonl
// (wire copies with other headlines, boilerplate and light edits, written
// from the seeds) in publication order through Assign and scores the
// near-duplicate groups. Story grouping is scored on real articles instead
// (storyset_test.go): this set's story labels were written by the project
// under an earlier, looser rule.
func TestNearDuplicatesLabelledSet(t *testing.T) {
	all := loadLabelled(t)
	if len(all) < 60 {
		t.Fatalf("labelled set has %d items, want at least 60", len(all))
	}
	for _, name := range []string{"train", "heldout", "fresh", "fresh2", ""} {
		var items []labelled
		for _, it := range all {
			if name == "" || it.Split == name {
				items = append(items, it)
			}
		}
		t.Run(cmp.Or(name, "all"), func(t *testing.T) {
			_, dup, wrong := evaluate(t, items, Options{})
			t.Logf("%d items: near-duplicates %v", len(items), dup)
			if dup.Precision() < minDupPrecision || dup.Recall() < minDupRecall {
				for _, w := range wrong {
					if strings.HasPrefix(w, "dup: ") {
						t.Log(w)
					}
				}
				t.Errorf("near-duplicates %v, want precision ≥ %.2f and recall ≥ %.2f", dup, minDupPrecision, minDupRecall)
			}
		})
	}
}
