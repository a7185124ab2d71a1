package normalize

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
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
	cpu := cpuTime()
	i := 0
	for b.Loop() {
		j := jobs[i%len(jobs)]
		if _, _, ok := n.Item(j.s, j.f, j.i, goldenNow); !ok {
			b.Fatal("item skipped")
		}
		i++
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(i), "cpu-ns/item")
}

// cpuTime is the process's user and system CPU time in nanoseconds: on a
// shared machine a steadier measure than wall-clock time (it includes the
// garbage collector's work on other threads).
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
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

// benchFeeds builds, for each seed feed, a 50-item feed the way the parser
// hands it over (original feed kept): the seed items (WordPress-style
// content:encoded, 3–9 KB of HTML with boilerplate) repeated with distinct
// links and GUIDs, so per-feed work repeated per item shows.
func benchFeeds(b *testing.B) (feeds []*gofeed.Feed, srcs []Source, total int) {
	b.Helper()
	const size = 50
	for _, name := range []string{"seed_aawsat", "seed_ifp", "seed_moscowtimes", "seed_almayadeen"} {
		data, err := os.ReadFile(filepath.Join("testdata", "golden", name+".xml"))
		if err != nil {
			b.Fatal(err)
		}
		p := gofeed.NewParser()
		p.KeepOriginalFeed = true
		f, err := p.Parse(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		seed := f.Items
		f.Items = make([]*gofeed.Item, 0, size)
		for i := 0; len(f.Items) < size; i++ {
			it := *seed[i%len(seed)]
			suffix := "-" + itoa(i)
			it.Link += suffix
			it.GUID += suffix
			it.Title += " " + itoa(i)
			f.Items = append(f.Items, &it)
			total += len(it.Content) + len(it.Description) + len(it.Title)
		}
		feeds = append(feeds, f)
		srcs = append(srcs, Source{Outlet: name, FeedURL: f.Link})
	}
	return feeds, srcs, total
}

// BenchmarkFeed measures Feed over a 50-item feed; one op is one feed, and
// the items/s metric gives the per-item rate.
func BenchmarkFeed(b *testing.B) {
	feeds, srcs, total := benchFeeds(b)
	n := New(DefaultRules())
	b.SetBytes(int64(total / len(feeds)))
	b.ReportAllocs()
	i, items := 0, 0
	cpu := cpuTime()
	for b.Loop() {
		k := i % len(feeds)
		items += len(n.Feed(srcs[k], feeds[k], goldenNow))
		i++
	}
	if items != 50*i {
		b.Fatalf("%d items normalised of %d", items, 50*i)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(items), "ns/item")
	b.ReportMetric(float64(cpuTime()-cpu)/float64(items), "cpu-ns/item")
}
