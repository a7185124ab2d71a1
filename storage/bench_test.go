package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage/pgtest"
)

// benchGen makes deterministic, realistically sized items: 1–3 KB of text
// and as much HTML, 30% on topic, with tags and topics.
type benchGen struct {
	rng   *rand.Rand
	words []string
	n     int
}

func newBenchGen(seed uint64) *benchGen {
	return &benchGen{
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		words: strings.Fields(`iran russia ukraine drones shahed kyiv moscow tehran sanctions missiles
			kremlin defence ministry talks oil energy nuclear deal war front attack strike officials
			said according report week statement minister foreign president meeting agreement`),
	}
}

func (g *benchGen) next(outlet string) news.Item {
	g.n++
	var b strings.Builder
	for b.Len() < 1000+g.rng.IntN(2000) {
		b.WriteString(g.words[g.rng.IntN(len(g.words))])
		b.WriteByte(' ')
	}
	text := b.String()
	sum := sha256.Sum256([]byte(text))
	on := g.rng.IntN(10) < 3
	tags := []string{[]string{"drones", "sanctions", "diplomacy", "energy", "military"}[g.rng.IntN(5)]}
	var topics []string
	if on {
		topics = []string{"iran-russia-ukraine"}
	}
	pub := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.n) * time.Minute)
	return news.Item{
		Outlet: outlet, GUID: fmt.Sprintf("%s-%d", outlet, g.n), URL: fmt.Sprintf("https://%s.example/a/%d", outlet, g.n),
		Title: "Title " + text[:60], Summary: text[:200], Text: text, ContentHTML: "<p>" + text + "</p>",
		Authors: []string{"Staff"}, Categories: []string{"World"}, Language: "en",
		Published: pub, Updated: pub, ContentHash: hex.EncodeToString(sum[:]), SimHash: g.rng.Uint64(),
		Tagging: news.Tagging{OnTopic: on, Topics: topics, Tags: tags, Score: g.rng.Float64() * 10},
	}
}

var benchDB = flag.String("db", "sqlite", "engine of BenchmarkStore: sqlite, or postgres (a database in the test cluster, pgtest; its CPU is the server's, not in cpu-ns)")

var storedSizes = flag.String("stored", "10000,100000", "store sizes (items) for BenchmarkStore, comma-separated")

func benchSizes(tb testing.TB) []int {
	tb.Helper()
	var sizes []int
	for _, f := range strings.Split(*storedSizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1000 {
			tb.Fatalf("-stored: %q is not a size of at least 1000", f)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

const benchOutlets = 20

func benchOutletName(i int) string { return fmt.Sprintf("outlet%02d", i%benchOutlets) }

// seedBench fills a fresh database with n items in feed-sized batches.
func seedBench(b testing.TB, n int) (*DB, *benchGen) {
	b.Helper()
	ctx := context.Background()
	clock := newTestClock()
	names := make([]string, benchOutlets)
	for i := range names {
		names[i] = benchOutletName(i)
	}
	path := filepath.Join(b.TempDir(), "bench.db")
	switch *benchDB {
	case "sqlite":
	case "postgres":
		path = pgtest.NewDatabase(b)
	default:
		b.Fatalf("-db %q: want sqlite or postgres", *benchDB)
	}
	db := openAt(b, path, clock, names...)
	g := newBenchGen(1)
	const batch = 500
	for i := 0; i < n; i += batch {
		outlet := benchOutletName(i / batch)
		items := make([]news.Item, 0, batch)
		for range min(batch, n-i) {
			items = append(items, g.next(outlet))
		}
		if err := saveAs(ctx, db, outlet, items...); err != nil {
			b.Fatal(err)
		}
	}
	// Start every measurement from a checkpointed, analysed store.
	analyse := `PRAGMA optimize`
	if db.eng == enginePostgres {
		analyse = `VACUUM ANALYZE`
	}
	if _, err := db.w.Exec(analyse); err != nil {
		b.Fatalf("%s: %v", analyse, err)
	}
	checkpointTruncate(b, db)
	return db, g
}

// BenchmarkStore measures, at several store sizes (-stored), the cost per
// item of storing a feed of 50 new items, of re-polling 50 unchanged items,
// of reading the newest 100 on-topic items, and of reading the revision.
// The per-item figures must not grow with the store. The machine may be
// shared: cpu-ns/item (process CPU time) is steadier than wall time.
func BenchmarkStore(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes(b) {
		b.Run(fmt.Sprintf("stored=%dk", size/1000), func(b *testing.B) {
			b.ReportAllocs()
			db, g := seedBench(b, size)
			b.Run("Items/on_topic/limit=100", func(b *testing.B) {
				cpu0 := cpuTime(b)
				defer func() { b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op") }()
				for b.Loop() {
					items, err := db.Items(ctx, news.Query{OnTopic: true, Limit: 100})
					if err != nil || len(items) != 100 {
						b.Fatalf("%d items, %v", len(items), err)
					}
				}
			})
			b.Run("Items/on_topic/tag/limit=100", func(b *testing.B) {
				for b.Loop() {
					items, err := db.Items(ctx, news.Query{OnTopic: true, Tag: "drones", Limit: 100})
					if err != nil || len(items) != 100 {
						b.Fatalf("%d items, %v", len(items), err)
					}
				}
			})
			b.Run("Stats", func(b *testing.B) {
				for b.Loop() {
					if _, err := db.Stats(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Stats/recount", func(b *testing.B) {
				for b.Loop() {
					if _, err := db.countStats(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Revision", func(b *testing.B) {
				for b.Loop() {
					if _, err := db.Revision(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
			const feed = 50
			b.Run("SaveFetch/repoll-unchanged", func(b *testing.B) {
				items := make([]news.Item, feed)
				for i := range items {
					items[i] = g.next("outlet00")
				}
				if err := saveAs(ctx, db, "outlet00", items...); err != nil {
					b.Fatal(err)
				}
				st := mustState(b, db, "outlet00")
				cpu0 := cpuTime(b)
				for b.Loop() {
					if _, err := db.SaveFetch(ctx, st, items); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N*feed), "cpu-ns/item")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*feed), "ns/item")
			})
			b.Run("SaveFetch/new", func(b *testing.B) {
				st := mustState(b, db, "outlet01")
				// Items are made up front so that only SaveFetch is timed
				// (wall and process CPU time).
				batches := make([][]news.Item, b.N)
				for i := range batches {
					for range feed {
						batches[i] = append(batches[i], g.next("outlet01"))
					}
				}
				// Every run starts from an empty WAL and a collected heap
				// and ends by checkpointing what it wrote: copying its
				// pages into the main file is part of storing them, and
				// otherwise each run would pay for a random share of the
				// background checkpoints (this made runs at one size
				// differ by ±20%).
				// The file is synced too: at 1M items seeding writes
				// about 13 GB, and the kernel's write-back of it would
				// otherwise overlap the timed part (runs at 1M differed
				// by up to 1.8×).
				runtime.GC()
				checkpointTruncate(b, db)
				syscall.Sync()
				cpu0 := cpuTime(b)
				b.ResetTimer()
				for i := range b.N {
					if _, err := db.SaveFetch(ctx, st, batches[i]); err != nil {
						b.Fatal(err)
					}
				}
				checkpointTruncate(b, db)
				b.StopTimer()
				b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N*feed), "cpu-ns/item")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*feed), "ns/item")
			})
			// The same feeds, 16 outlets' at a time in one transaction
			// (SaveFetches, as the poller's writer batches them): one op
			// is one feed, so the figures compare with SaveFetch/new's.
			b.Run("SaveFetches/new-16", func(b *testing.B) {
				const perTx = 16
				fetches := make([]news.Fetch, b.N)
				for i := range fetches {
					outlet := benchOutletName(2 + i%perTx)
					fetches[i].State = mustState(b, db, outlet)
					for range feed {
						fetches[i].Items = append(fetches[i].Items, g.next(outlet))
					}
				}
				runtime.GC()
				checkpointTruncate(b, db)
				syscall.Sync()
				cpu0 := cpuTime(b)
				b.ResetTimer()
				for i := 0; i < b.N; i += perTx {
					for _, r := range db.SaveFetches(ctx, fetches[i:min(i+perTx, b.N)]) {
						if r.Err != nil {
							b.Fatal(r.Err)
						}
					}
				}
				checkpointTruncate(b, db)
				b.StopTimer()
				b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N*feed), "cpu-ns/item")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*feed), "ns/item")
			})
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used so far.
// The machine is shared, so wall time alone says little: benchmarks report
// both.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStartup measures, at several store sizes (-stored), what a
// command's start-up costs: Open with quick_check (after an unclean stop,
// and before the clean-close record existed) and without (after a clean
// Close), and reading the story window for the cluster index as one slice
// of items (Items, as before) or streamed (EachStoryDoc). Every seeded
// on-topic item is inside the window (30% of the store).
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes(b) {
		b.Run(fmt.Sprintf("stored=%dk", size/1000), func(b *testing.B) {
			db, _ := seedBench(b, size)
			path := db.path
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			for _, c := range []struct {
				name  string
				clean bool
			}{{"Open/quick_check", false}, {"Open/clean", true}} {
				b.Run(c.name, func(b *testing.B) {
					cpu0 := cpuTime(b)
					for b.Loop() {
						if !c.clean {
							if err := os.Remove(cleanMarkPath(path)); err != nil {
								b.Fatal(err)
							}
						}
						db, checked, err := openNoting(ctx, path)
						if err != nil {
							b.Fatal(err)
						}
						if checked == c.clean {
							b.Fatalf("checked = %v", checked)
						}
						if err := db.Close(); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
				})
			}
			db, err := Open(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			b.Run("StoryWindow/Items", func(b *testing.B) {
				b.ReportAllocs()
				var live uint64
				for b.Loop() {
					before := heapInUse()
					items, err := db.Items(ctx, news.Query{OnTopic: true, Since: time.Unix(1, 0)})
					if err != nil || len(items) < size/4 {
						b.Fatalf("%d items, %v", len(items), err)
					}
					live = max(live, heapInUse()-min(before, heapInUse()))
					runtime.KeepAlive(items)
				}
				b.ReportMetric(float64(live), "live-B")
			})
			b.Run("StoryWindow/EachStoryDoc", func(b *testing.B) {
				b.ReportAllocs()
				var live uint64
				for b.Loop() {
					before := heapInUse()
					n := 0
					err := db.EachStoryDoc(ctx, time.Unix(1, 0), 1, func(d StoryDoc) error {
						if n++; n%(size/20) == 0 { // sample the heap while streaming
							live = max(live, heapInUse()-min(before, heapInUse()))
						}
						return nil
					})
					if err != nil || n < size/4 {
						b.Fatalf("%d docs, %v", n, err)
					}
				}
				b.ReportMetric(float64(live), "live-B")
			})
		})
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
