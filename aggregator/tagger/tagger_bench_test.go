package tagger

import (
	"fmt"
	"testing"

	"github.com/topicfeed/topicfeed/config"
)

// benchCorpus is every labelled item: English, Russian, Ukrainian, Persian
// and Arabic news of 0.3–1.5 KB.
func benchCorpus(b *testing.B) ([]labelledItem, int64) {
	b.Helper()
	items := append(readLabelled(b, "testdata/labelled.jsonl"), readLabelled(b, "testdata/heldout.jsonl")...)
	var n int64
	for _, it := range items {
		n += int64(len(it.Title) + len(it.Text))
	}
	return items, n
}

func benchTag(b *testing.B, tg *Tagger) {
	items, size := benchCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, it := range items {
			tg.Tag(it.Title, it.Text)
		}
	}
	b.ReportMetric(float64(len(items))*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkTag tags the labelled corpus with the full default rule set
// (../../config.yaml). One op is the whole corpus; MB/s and items/s are the
// throughput figures.
func BenchmarkTag(b *testing.B) {
	benchTag(b, newShippedTagger(b))
}

// BenchmarkTagManyTerms adds 20,000 more terms (entities and tags that
// never match) to the default rules: matching is one pass over the words, so
// throughput stays about the same.
func BenchmarkTagManyTerms(b *testing.B) {
	cfg, err := config.LoadFile(shippedConfig)
	if err != nil {
		b.Fatal(err)
	}
	topics, tags := cfg.Topics, cfg.Tags
	extra := config.Topic{Name: "extra", Require: [][]string{{"e0", "e1"}}}
	for e := range 100 {
		ent := config.Entity{Name: fmt.Sprintf("e%d", e)}
		for k := range 100 {
			ent.Terms = append(ent.Terms, fmt.Sprintf("zq%dx%d", e, k), fmt.Sprintf("zq%d word%d*", e, k))
		}
		extra.Entities = append(extra.Entities, ent)
	}
	topics = append(topics, extra)
	tg, err := New(topics, tags)
	if err != nil {
		b.Fatal(err)
	}
	benchTag(b, tg)
}

// BenchmarkExplain measures the explain path (it decides like Tag and adds
// the per-topic and per-tag details).
func BenchmarkExplain(b *testing.B) {
	tg := newShippedTagger(b)
	items, size := benchCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, it := range items {
			tg.Explain(it.Title, it.Text)
		}
	}
}
