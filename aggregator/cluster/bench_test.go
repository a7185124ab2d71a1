package cluster

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// corpus generates synthetic news-like documents: a Zipf-distributed
// vocabulary of 30,000 words, capitalised two-word names, numbers and one
// quotation per text, about 300 words in five paragraphs. Deterministic
// from its seed.
type corpus struct {
	rng   *rand.Rand
	zipf  *rand.Zipf
	vocab []string
	names []string
	start time.Time
	n     int
}

func newCorpus(seed uint64) *corpus {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	syl := []string{"ka", "ro", "mi", "ten", "sha", "vol", "dar", "an", "es", "ul", "pre", "ston", "gra", "vi", "lo", "ne", "ber", "tu", "ish", "mon"}
	word := func(min, max int) string {
		var b strings.Builder
		for range min + rng.IntN(max-min+1) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		return b.String()
	}
	c := &corpus{rng: rng, zipf: rand.NewZipf(rng, 1.1, 2, 29999), start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 30000 {
		c.vocab = append(c.vocab, word(1, 4))
	}
	for range 3000 {
		first, last := word(2, 3), word(2, 4)
		c.names = append(c.names, strings.ToUpper(first[:1])+first[1:]+" "+strings.ToUpper(last[:1])+last[1:])
	}
	return c
}

func (c *corpus) sentence(b *strings.Builder, words int) {
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch r := c.rng.IntN(100); {
		case r < 6:
			b.WriteString(c.names[c.rng.IntN(len(c.names))])
		case r < 8:
			fmt.Fprintf(b, "%d", c.rng.IntN(5000))
		default:
			b.WriteString(c.vocab[c.zipf.Uint64()])
		}
	}
}

// next returns the next document, published one second after the last.
func (c *corpus) next() Doc {
	var title, text strings.Builder
	c.sentence(&title, 8)
	for p := range 5 {
		if p > 0 {
			text.WriteString("\n\n")
		}
		for s := range 3 {
			if s > 0 {
				text.WriteByte(' ')
			}
			if p == 2 && s == 1 {
				text.WriteString("“")
				c.sentence(&text, 10)
				text.WriteString("”")
			} else {
				c.sentence(&text, 12+c.rng.IntN(9))
			}
			text.WriteByte('.')
		}
	}
	c.n++
	return Doc{
		Key:       fmt.Sprintf("doc-%d", c.n),
		Outlet:    fmt.Sprintf("outlet-%d", c.n%50),
		Title:     title.String(),
		Text:      text.String(),
		Published: c.start.Add(time.Duration(c.n) * time.Second),
	}
}

// BenchmarkAssign measures the cost of assigning one new document to an
// index that already holds 10k or 100k documents of the window, and its
// heap per indexed document. In the sliding case the window (20,000
// documents, one a second) has already moved on by three times its size,
// as in a daemon that has run for days: evicted documents must not leave
// memory behind.
func BenchmarkAssign(b *testing.B) {
	for _, tc := range []struct {
		name         string
		size, window int
	}{
		{"indexed=10000", 10_000, 0},
		{"indexed=100000", 100_000, 0},
		{"sliding/indexed=20000", 80_000, 20_000},
	} {
		b.Run(tc.name, func(b *testing.B) {
			size := tc.size
			c := newCorpus(1)
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			base := before.HeapAlloc
			ix := New(Options{Window: time.Duration(tc.window) * time.Second})
			fill := make([]Doc, size)
			for i := range fill {
				fill[i] = c.next()
			}
			if tc.window > 0 {
				// in order: eviction takes the oldest first
				for _, d := range fill {
					ix.Restore(d, NewStoryID(d.Key))
				}
			} else {
				var wg sync.WaitGroup
				for w := range 2 {
					wg.Go(func() {
						for i := w; i < size; i += 2 {
							ix.Restore(fill[i], NewStoryID(fill[i].Key))
						}
					})
				}
				wg.Wait()
			}
			fill = nil
			ix.Assign(c.next()) // the first Assign after a rebuild refreshes every norm once
			// the index's bytes: the heap less what was live before it
			// was built (the corpus generator)
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap := float64(ms.HeapAlloc-base) / float64(ix.Len())
			docs := make([]Doc, b.N)
			for i := range docs {
				docs[i] = c.next()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				ix.Assign(docs[i])
			}
			b.StopTimer()
			b.ReportMetric(heap, "heap-B/indexed-doc")
		})
	}
}

// BenchmarkPrepare measures the analysis of one document (tokens, features,
// MinHash signature), the part of Assign done outside the lock.
func BenchmarkPrepare(b *testing.B) {
	c := newCorpus(1)
	ix := New(Options{})
	docs := make([]Doc, 256)
	for i := range docs {
		docs[i] = c.next()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ix.prepare(docs[i%len(docs)])
	}
}
