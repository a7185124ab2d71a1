package cluster

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// storyCorpus generates documents that report events: each event has a
// title, names and a pool of sentences, and each of its write-ups takes
// part of its title and about half its sentences from them, the rest
// fresh. Events are reported by one to a dozen outlets. Deterministic from
// its seed.
type storyCorpus struct {
	*corpus
	events []event
}

type event struct {
	title     string
	sentences []string
}

func newStoryCorpus(seed uint64) *storyCorpus { return &storyCorpus{corpus: newCorpus(seed)} }

func (c *storyCorpus) fresh(words int) string {
	var b strings.Builder
	c.sentence(&b, words)
	return b.String()
}

// next returns the next document, published 30 seconds after the last: a
// write-up of a recent event or of a new one.
func (c *storyCorpus) next() Doc {
	if len(c.events) == 0 || c.rng.IntN(100) < 35 {
		ev := event{title: c.fresh(6)}
		for range 10 {
			ev.sentences = append(ev.sentences, c.fresh(14))
		}
		c.events = append(c.events, ev)
	}
	recent := c.events[max(0, len(c.events)-40):]
	ev := recent[c.rng.IntN(len(recent))]
	title := ev.title + " " + c.fresh(3)
	var text strings.Builder
	for p := range 5 {
		if p > 0 {
			text.WriteString("\n\n")
		}
		for s := range 3 {
			if s > 0 {
				text.WriteByte(' ')
			}
			if c.rng.IntN(2) == 0 {
				text.WriteString(ev.sentences[c.rng.IntN(len(ev.sentences))])
			} else {
				text.WriteString(c.fresh(12 + c.rng.IntN(9)))
			}
			text.WriteByte('.')
		}
	}
	c.n++
	return Doc{
		Key:       fmt.Sprintf("doc-%d", c.n),
		Title:     title,
		Text:      text.String(),
		Published: c.start.Add(time.Duration(c.n) * 30 * time.Second),
	}
}

// coldArrivals returns outlets × items write-ups in the order a cold start
// fetches them: outlet after outlet, each outlet's items spanning the whole
// period, so that almost every document arrives after documents published
// later than it.
func coldArrivals(outlets, items int) []Doc {
	c := newStoryCorpus(7)
	docs := make([]Doc, outlets*items)
	for i := range docs {
		docs[i] = c.next()
		docs[i].Outlet = fmt.Sprintf("outlet-%d", c.rng.IntN(outlets))
	}
	slices.SortStableFunc(docs, func(a, b Doc) int { return cmp.Compare(a.Outlet, b.Outlet) })
	return docs
}

// BenchmarkAssignCold measures Assign in a cold start: write-ups of
// events arriving outlet by outlet, so that each is decided, and then the
// documents published after it that it could change are decided again
// (recluster). One op is one document; the index starts empty again after
// every pass over the arrivals.
func BenchmarkAssignCold(b *testing.B) {
	docs := coldArrivals(40, 50)
	var ix *Index
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%len(docs) == 0 {
			b.StopTimer()
			ix = New(Options{})
			b.StartTimer()
		}
		ix.Assign(docs[i%len(docs)])
	}
}

// BenchmarkCompare measures the evidence of one document against one of
// its candidates (compare), the bulk of a decision: write-ups of events
// against the candidates their rarest features find.
func BenchmarkCompare(b *testing.B) {
	docs := coldArrivals(40, 50)
	slices.SortFunc(docs, func(a, b Doc) int { return a.Published.Compare(b.Published) })
	ix := New(Options{})
	for _, d := range docs {
		ix.Assign(d)
	}
	type pair struct {
		p *analysis
		v vec
		e *entry
	}
	var pairs []pair
	n := ix.docs.len()
	for _, d := range docs[len(docs)/2 : len(docs)/2+100] {
		id, _ := ix.lookup(d.Key)
		p := ix.asAnalysis(ix.docs.get(id))
		v := ix.vector(p, n, true)
		_, cands := ix.bestStory(p, true)
		for _, id := range cands {
			pairs = append(pairs, pair{p, v, ix.docs.get(id)})
		}
	}
	shared := 0
	for _, pr := range pairs {
		shared += ix.compare(pr.p, pr.v, pr.e, n).shared
	}
	b.ResetTimer()
	for i := range b.N {
		pr := pairs[i%len(pairs)]
		ix.compare(pr.p, pr.v, pr.e, n)
	}
	b.ReportMetric(float64(shared)/float64(len(pairs)), "shared/pair")
}
