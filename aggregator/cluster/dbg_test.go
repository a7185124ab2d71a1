package cluster

import (
	"os"
	"slices"
	"testing"
)

func TestDbgPair(t *testing.T) {
	if os.Getenv("CLUSTER_DIAG") == "" {
		t.Skip()
	}
	var items []labelled
	for _, it := range loadLabelled(t) {
		if it.Split == "train" {
			items = append(items, it)
		}
	}
	slices.SortStableFunc(items, func(a, b labelled) int { return a.Published.Compare(b.Published) })
	ix := New(Options{})
	for _, it := range items {
		if it.Key == os.Getenv("K") {
			p := ix.prepare(Doc{Key: it.Key, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: it.Published})
			n := len(ix.docs)
			var tot float64
			type c struct {
				name string
				w    float64
				df   int
			}
			var cs []c
			for _, f := range p.f.list {
				df := 0
				if pl := ix.feats[f.hash]; pl != nil {
					df = pl.live()
				}
				w := float64(f.w) * idf(df, n)
				tot += w * w
				cs = append(cs, c{p.f.names[f.hash], w, df})
			}
			slices.SortFunc(cs, func(a, b c) int {
				if a.w > b.w {
					return -1
				}
				return 1
			})
			t.Logf("n=%d norm2=%.1f features=%d", n, tot, len(cs))
			for _, x := range cs[:40] {
				t.Logf("%-40s %.2f df=%d", x.name, x.w, x.df)
			}
			return
		}
		ix.Assign(Doc{Key: it.Key, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: it.Published})
	}
}
