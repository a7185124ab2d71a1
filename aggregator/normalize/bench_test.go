package normalize

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/mmcdole/gofeed"
)

// BenchmarkNormalizeItem measures normalising one item: one op is one item
// of the seed feeds (WordPress-style HTML with boilerplate, 3–9 KB each),
// cycling through them. SetBytes is the mean raw content size, so MB/s is
// content throughput.
func BenchmarkNormalizeItem(b *testing.B) {
	type job struct {
		f *gofeed.Feed
		i int
		s Source
	}
	var jobs []job
	var total int
	for _, name := range []string{"seed_aawsat", "seed_ifp", "seed_moscowtimes", "seed_almayadeen"} {
		data, err := os.ReadFile(filepath.Join("testdata", "golden", name+".xml"))
		if err != nil {
			b.Fatal(err)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for i, it := range f.Items {
			jobs = append(jobs, job{f, i, Source{Outlet: name, FeedURL: f.Link}})
			total += len(it.Content) + len(it.Description) + len(it.Title)
		}
	}
	n := New(DefaultRules())
	b.SetBytes(int64(total / len(jobs)))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		j := jobs[i%len(jobs)]
		if _, _, ok := n.Item(j.s, j.f, j.i, goldenNow); !ok {
			b.Fatal("item skipped")
		}
		i++
	}
}

// BenchmarkKey measures the comparison key of a 1 KB mixed-script text.
func BenchmarkKey(b *testing.B) {
	s := "Iran’s Foreign Minister Hossein Amir-Abdollahian — «Москва» и Тегеран; وزير الخارجية الإيراني كمال " +
		"پام’ять می\u200cخواهم. "
	for len(s) < 1024 {
		s += s
	}
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		Key(s)
	}
}

// BenchmarkGofeedParseItem is the reference for BenchmarkNormalizeItem: gofeed
// parsing the same seed feeds, per item.
func BenchmarkGofeedParseItem(b *testing.B) {
	var docs [][]byte
	items := 0
	for _, name := range []string{"seed_aawsat", "seed_ifp", "seed_moscowtimes", "seed_almayadeen"} {
		data, err := os.ReadFile(filepath.Join("testdata", "golden", name+".xml"))
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, data)
		f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		items += len(f.Items)
	}
	b.ReportAllocs()
	p := gofeed.NewParser()
	for b.Loop() {
		for _, d := range docs {
			if _, err := p.Parse(bytes.NewReader(d)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*items), "ns/item")
}
