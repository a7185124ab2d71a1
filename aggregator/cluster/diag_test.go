package cluster

import (
	"os"
	"slices"
	"testing"
)

func TestDiagSweep(t *testing.T) {
	if os.Getenv("CLUSTER_DIAG") == "" {
		t.Skip()
	}
	var train, held []labelled
	for _, it := range loadLabelled(t) {
		if it.Split == "train" {
			train = append(train, it)
		} else {
			held = append(held, it)
		}
	}
	for _, th := range []float64{0.11, 0.13, 0.15, 0.17, 0.19, 0.21, 0.23, 0.25, 0.28} {
		for _, ms := range []int{2, 4, 6} {
			s, _, _ := evaluate(t, train, Options{StoryThreshold: th, MinShared: ms})
			s2, _, _ := evaluate(t, held, Options{StoryThreshold: th, MinShared: ms})
			s3, _, _ := evaluate(t, append(train, held...), Options{StoryThreshold: th, MinShared: ms})
			t.Logf("th=%.2f ms=%d train %v | held %v | all %v", th, ms, s, s2, s3)
		}
	}
}

func TestDiagDecisions(t *testing.T) {
	if os.Getenv("CLUSTER_DIAG") == "" {
		t.Skip()
	}
	var train []labelled
	for _, it := range loadLabelled(t) {
		if s := os.Getenv("CLUSTER_SPLIT"); it.Split == s || s == "all" || s == "" && it.Split == "train" {
			train = append(train, it)
		}
	}
	slices.SortStableFunc(train, func(a, b labelled) int { return a.Published.Compare(b.Published) })
	ix := New(Options{})
	story := map[string]string{}
	for _, it := range train {
		story[it.Key] = it.Story
		ix.mu.Lock()
		p := ix.prepare(Doc{Key: it.Key, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: it.Published})
		m := ix.bestStory(p)
		ix.mu.Unlock()
		d := ix.Assign(Doc{Key: it.Key, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: it.Published})
		if m.e != nil && d.DuplicateOf == "" {
			t.Logf("%-5v %.3f %-3d %-24s -> %-24s %s", story[m.e.key] == it.Story, m.cos, m.shared, it.Key, m.e.key, m.why)
		}
	}
}
