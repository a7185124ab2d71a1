package cluster

import (
	"math"
	"os"
	"slices"
	"testing"
	"time"
)

func TestDiagPairs(t *testing.T) {
	if os.Getenv("CLUSTER_DIAG") == "" {
		t.Skip()
	}
	var items []labelled
	for _, it := range loadLabelled(t) {
		if it.Split == "train" {
			items = append(items, it)
		}
	}
	ix := New(Options{Window: 100000 * time.Hour})
	type pd struct {
		it labelled
		p  *prepared
	}
	var ps []pd
	for _, it := range items {
		p := ix.prepare(Doc{Key: it.Key, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: it.Published})
		ix.insert(p, it.Story, it.Key)
		ps = append(ps, pd{it, p})
	}
	n := len(ix.docs)
	vec := func(p *prepared, k int, qw, ew float64) map[uint64]float64 {
		type fw struct {
			h uint64
			w float64
		}
		var l []fw
		for _, f := range p.f.list {
			df := ix.feats[f.hash].live()
			w := float64(f.w) * idf(df, n)
			switch p.f.names[f.hash][0] {
			case 'q':
				w *= qw
			case 'e':
				w *= ew
			}
			l = append(l, fw{f.hash, w})
		}
		slices.SortFunc(l, func(a, b fw) int {
			if a.w > b.w {
				return -1
			}
			if a.w < b.w {
				return 1
			}
			return 0
		})
		if k > 0 && len(l) > k {
			l = l[:k]
		}
		m := map[uint64]float64{}
		for _, x := range l {
			m[x.h] = x.w
		}
		return m
	}
	type variant struct {
		name   string
		k      int
		qw, ew float64
		mode   int // 0 cosine 1 overlap
	}
	var vs []variant
	for _, k := range []int{0, 15, 25, 40} {
		for _, qw := range []float64{0.5, 1} {
			for _, ew := range []float64{1, 1.5} {
				for _, mode := range []int{0, 1} {
					vs = append(vs, variant{"", k, qw, ew, mode})
				}
			}
		}
	}
	for _, v := range vs {
		var pos, neg []float64
		vecs := make([]map[uint64]float64, len(ps))
		for i := range ps {
			vecs[i] = vec(ps[i].p, v.k, v.qw, v.ew)
		}
		for i := range ps {
			for j := i + 1; j < len(ps); j++ {
				if d := ps[i].it.Published.Sub(ps[j].it.Published); d > 72*time.Hour || d < -72*time.Hour {
					continue
				}
				if ps[i].it.Dup != "" && ps[i].it.Dup == ps[j].it.Dup {
					continue
				}
				a, b := vecs[i], vecs[j]
				var dot, na, nb float64
				for h, w := range a {
					na += w * w
					if w2, ok := b[h]; ok {
						dot += w * w2
					}
				}
				for _, w := range b {
					nb += w * w
				}
				var s float64
				if v.mode == 0 {
					s = dot / math.Sqrt(na*nb)
				} else {
					s = dot / math.Min(na, nb)
				}
				if v.k == 0 && v.qw == 0.5 && v.ew == 1 && v.mode == 0 && (s > 0.15) != (ps[i].it.Story == ps[j].it.Story) {
					t.Logf("%.3f %v %s %s", s, ps[i].it.Story == ps[j].it.Story, ps[i].it.Key, ps[j].it.Key)
				}
				if ps[i].it.Story == ps[j].it.Story {
					pos = append(pos, s)
				} else {
					neg = append(neg, s)
				}
			}
		}
		slices.Sort(pos)
		slices.Sort(neg)
		// margin: 10th percentile of positives vs max / 99th of negatives
		p10 := pos[len(pos)/10]
		p20 := pos[len(pos)/5]
		nmax := neg[len(neg)-1]
		n99 := neg[len(neg)*99/100]
		// count negatives above p10
		above := 0
		for _, x := range neg {
			if x >= p10 {
				above++
			}
		}
		t.Logf("k=%2d qw=%.1f ew=%.1f mode=%d pos=%d neg=%d p10=%.3f p20=%.3f min=%.3f | negmax=%.3f neg99=%.3f negAboveP10=%d", v.k, v.qw, v.ew, v.mode, len(pos), len(neg), p10, p20, pos[0], nmax, n99, above)
	}
}

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
