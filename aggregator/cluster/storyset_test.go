package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	sets "github.com/topicfeed/topicfeed/aggregator/cluster/storysettest"
)

// storySetDir holds the labelled sets of real articles (../shared/stories
// beside the checkout; CI has it). Their terms are read from there, never
// copied into the project.
var storySetDir = filepath.Join("..", "..", "..", "shared", "stories")

// loadStorySet reads one topic's articles.
func loadStorySet(tb testing.TB, topic string) []sets.Article {
	return sets.Load(tb, storySetDir, topic)
}

// replay assigns the articles (dated) in the arrival order given by a
// permutation of their indices and scores the result.
func replay(arts []sets.Article, order []int, o Options) (sets.Score, []string) {
	ix := New(o)
	got := make([]string, len(arts))
	index := make(map[string]int, len(arts))
	for i, a := range arts {
		index[a.ID] = i
	}
	for _, i := range order {
		a := arts[i]
		d := ix.Assign(Doc{Key: a.ID, Outlet: a.Outlet, Title: a.Title, Text: a.Text(), Published: a.Published})
		got[i] = d.StoryID
		for _, m := range d.Moved {
			if got[index[m.Key]] != m.From {
				panic(fmt.Sprintf("%s moved from %s, but it was in %s", m.Key, m.From, got[index[m.Key]]))
			}
			got[index[m.Key]] = m.To
		}
	}
	ids, want := make([]string, len(arts)), make([]string, len(arts))
	for i, a := range arts {
		ids[i], want[i] = a.ID, a.Story
	}
	return sets.Grouping(ids, want, got)
}

// worstOf replays the articles in n arrival orders (sets.Orders, with the
// timing's lag) and returns the worst score (lowest precision, then lowest
// recall) with the wrong pairs of that run, and the best.
func worstOf(arts []sets.Article, tm sets.Timing, n int, o Options) (worst sets.Score, wrong []string, best sets.Score) {
	for k, order := range sets.Orders(arts, n, sets.Lag[tm]) {
		s, w := replay(arts, order.Seq, o)
		if k == 0 || s.Worse(worst) {
			worst, wrong = s, w
		}
		if k == 0 || s.F1() > best.F1() {
			best = s
		}
	}
	return worst, wrong, best
}

// storyTargets are the acceptance targets of story grouping on the test
// split, worst of 20 arrival orders (issue 20).
var storyTargets = map[sets.Timing]struct{ precision, recall float64 }{
	sets.RealDates: {0.97, 0.90},
	sets.BusyDay:   {0.95, 0.85},
}

// storyFloors are what TestStorySets holds the default options to on the
// test split, worst of 20 arrival orders: a little below what they gave
// when last tuned (on dev), so that a change that loses quality fails.
// They are below storyTargets (recall most): see NOTES.md.
var storyFloors = map[string]map[sets.Timing]struct{ precision, recall float64 }{
	"iru":     {sets.RealDates: {0.95, 0.25}, sets.BusyDay: {0.90, 0.28}},
	"mideast": {sets.RealDates: {0.95, 0.70}, sets.BusyDay: {0.95, 0.50}},
	"tariffs": {sets.RealDates: {0.90, 0.70}, sets.BusyDay: {0.95, 0.50}},
}

// TestStorySets replays each labelled set of real articles (test split, and
// dev for comparison) through Assign at its real dates and compressed into
// one busy day, in 20 arrival orders, and fails when the worst order falls
// below its floor. It logs whether the targets are met.
func TestStorySets(t *testing.T) {
	for _, topic := range sets.Sets {
		arts := loadStorySet(t, topic)
		for _, tm := range sets.Timings {
			for _, split := range []string{"dev", "test"} {
				t.Run(fmt.Sprintf("%s/%s/%s", topic, tm, split), func(t *testing.T) {
					items := sets.Dated(arts, split, tm)
					worst, wrong, best := worstOf(items, tm, 20, Options{})
					t.Logf("%d articles, worst of 20 orders: %v (best order: %v)", len(items), worst, best)
					if testing.Verbose() {
						for _, w := range wrong {
							t.Log(w)
						}
					}
					if split != "test" {
						return
					}
					if want := storyTargets[tm]; worst.Precision() < want.precision || worst.Recall() < want.recall {
						t.Logf("below the target precision %.2f, recall %.2f", want.precision, want.recall)
					}
					if floor := storyFloors[topic][tm]; worst.Precision() < floor.precision || worst.Recall() < floor.recall {
						t.Errorf("story grouping %v, want precision ≥ %.2f and recall ≥ %.2f", worst, floor.precision, floor.recall)
					}
				})
			}
		}
	}
}

// TestStorySweep (STORYSWEEP=1, slow) prints the worst of 20 orders of
// every set, split and timing at story thresholds around the default.
func TestStorySweep(t *testing.T) {
	if os.Getenv("STORYSWEEP") == "" {
		t.Skip("STORYSWEEP not set")
	}
	for _, th := range []float64{0.5, 0.6, 0.7, 0.8} {
		for _, topic := range sets.Sets {
			arts := loadStorySet(t, topic)
			for _, tm := range sets.Timings {
				for _, split := range []string{"dev", "test"} {
					items := sets.Dated(arts, split, tm)
					worst, _, _ := worstOf(items, tm, 20, Options{StoryThreshold: th})
					t.Logf("threshold %.2f %-8s %-12s %-4s P %.3f R %.3f BCubed F1 %.3f", th, topic, tm, split,
						worst.Precision(), worst.Recall(), worst.F1())
				}
			}
		}
	}
}

// TestStorySetsDev prints the figures of one split (STORYSPLIT, default dev)
// in publication order with the wrong pairs, for tuning (STORYDEV=1, or v
// for the pairs; STORYTH sets the threshold).
func TestStorySetsDev(t *testing.T) {
	if os.Getenv("STORYDEV") == "" {
		t.Skip("STORYDEV not set")
	}
	split := os.Getenv("STORYSPLIT")
	if split == "" {
		split = "dev"
	}
	for _, topic := range sets.Sets {
		arts := loadStorySet(t, topic)
		for _, tm := range sets.Timings {
			items := sets.Dated(arts, split, tm)
			th, _ := strconv.ParseFloat(os.Getenv("STORYTH"), 64)
			s, wrong := replay(items, sets.Orders(items, 1, 0)[0].Seq, Options{StoryThreshold: th})
			t.Logf("%s/%s/%s: %v", topic, tm, split, s)
			if os.Getenv("STORYDEV") == "v" {
				for _, w := range wrong {
					t.Log("   ", w)
				}
			}
		}
	}
}
