package cluster

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	sets "github.com/topicfeed/topicfeed/aggregator/cluster/storysettest"
)

// pairEvidence indexes the articles, each as a story of its own, and
// returns the evidence of every pair and whether it is one story.
func pairEvidence(items []sets.Article) (evs []evidence, same []bool, names []string) {
	ix := New(Options{})
	ps := make([]*analysis, len(items))
	for i, a := range items {
		ps[i] = ix.prepare(Doc{Key: a.ID, Outlet: a.Outlet, Title: a.Title, Text: a.Text(), Published: a.Published})
		ix.insert(ps[i], a.ID, a.ID)
	}
	n := ix.docs.len()
	for i := range items {
		v := ix.vector(ps[i], n, true)
		for j := i + 1; j < len(items); j++ {
			evs = append(evs, ix.compare(ps[i], v, ix.docs.get(ix.mustLookup(items[j].ID)), n))
			same = append(same, items[i].Story == items[j].Story)
			names = append(names, items[i].Title+" | "+items[j].Title)
		}
	}
	return evs, same, names
}

// fitLogistic fits coefficients to the inputs by Newton's method with an
// L2 penalty lambda (not on the bias).
func fitLogistic(xs [][eventInputs]float64, ys []bool, lambda float64) [eventInputs]float64 {
	var w [eventInputs]float64
	for iter := 0; iter < 50; iter++ {
		var g [eventInputs]float64
		var h [eventInputs][eventInputs]float64
		for k, x := range xs {
			z := 0.0
			for i := range w {
				z += w[i] * x[i]
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if ys[k] {
				y = 1
			}
			for i := range w {
				g[i] += (p - y) * x[i]
				for j := range w {
					h[i][j] += p * (1 - p) * x[i] * x[j]
				}
			}
		}
		for i := 1; i < eventInputs; i++ {
			g[i] += lambda * w[i]
			h[i][i] += lambda
		}
		h[0][0] += 1e-9
		step := solve(h, g)
		for i := range w {
			w[i] -= step[i]
		}
	}
	return w
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [eventInputs][eventInputs]float64, b [eventInputs]float64) [eventInputs]float64 {
	const n = eventInputs
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < n; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	var x [eventInputs]float64
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < n; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x
}

// TestFitEventModel (FIT=1) fits eventModel on the pairs of the dev split
// of every story set, dated as one busy day (so that only the texts tell
// events apart), and prints the coefficients to paste into event.go.
func TestFitEventModel(t *testing.T) {
	if os.Getenv("FIT") == "" {
		t.Skip("FIT not set")
	}
	var xs [][eventInputs]float64
	var ys []bool
	for _, topic := range sets.Sets {
		evs, same, names := pairEvidence(sets.Dated(loadStorySet(t, topic), "dev", sets.BusyDay))
		for k, ev := range evs {
			xs = append(xs, ev.inputs())
			ys = append(ys, same[k])
			if os.Getenv("FIT") == "v" && (same[k] != (ev.probability() >= 0.5)) {
				t.Logf("%s p=%.2f same=%v %+v %s", topic, ev.probability(), same[k], ev, names[k])
			}
		}
	}
	w := fitLogistic(xs, ys, 1)
	w[eventInputs-1] = otherSpeakerWeight // a rule, see eventModel
	eventModel = w
	if os.Getenv("FIT") == "v2" {
		for _, topic := range sets.Sets {
			evs, same, names := pairEvidence(sets.Dated(loadStorySet(t, topic), "dev", sets.BusyDay))
			for k, ev := range evs {
				if p := ev.probability(); same[k] && p < 0.3 || !same[k] && p > 0.3 {
					t.Logf("%s p=%.2f same=%v t%.2f l%.2f sh%d sp%d ex%d d%v/%v | %s", topic, p, same[k], ev.title, ev.lead, ev.shared, ev.specific, ev.exclusive, ev.sameDate, ev.otherDate, names[k])
				}
			}
		}
	}
	type scored struct {
		p    float64
		same bool
	}
	var all []scored
	pos := 0
	for k, x := range xs {
		z := 0.0
		for i := range w {
			z += w[i] * x[i]
		}
		all = append(all, scored{z, ys[k]})
		if ys[k] {
			pos++
		}
	}
	slices.SortFunc(all, func(a, b scored) int { return cmp.Compare(b.p, a.p) })
	tp, fp, k := 0, 0, 0
	for _, want := range []float64{0.5, 0.7, 0.85} {
		for ; k < len(all) && float64(tp) < want*float64(pos); k++ {
			if all[k].same {
				tp++
			} else {
				fp++
			}
		}
		t.Logf("pairs: precision %.3f at recall %.2f", float64(tp)/float64(tp+fp), want)
	}
	parts := make([]string, len(w))
	for i, c := range w {
		parts[i] = fmt.Sprintf("%.2f", c)
	}
	t.Logf("eventModel = [eventInputs]float64{%s}", strings.Join(parts, ", "))
}
