package aggregator

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// BenchmarkLeasedRound measures what host leases add to a round (one op:
// RunDue over n outlets, all due, instant polls, 8 workers) on a real
// SQLite file: lease=none is the round without coordination, lease=sqlite
// takes every host's lease (in batches), reads the stored state of every
// outlet of a host it takes, and releases the leases at the end, as a node
// does in a steady round where its leases lapsed since the last one. The
// outlets are on 32 hosts, or each on its own (hosts=n: the most lease
// rows per round).
func BenchmarkLeasedRound(b *testing.B) {
	for _, lease := range []string{"none", "sqlite"} {
		for _, n := range []int{1000, 10000} {
			for _, perHost := range []bool{true, false} {
				hosts := 32
				if !perHost {
					hosts = n
				}
				b.Run(fmt.Sprintf("lease=%s/outlets=%d/hosts=%d", lease, n, hosts), func(b *testing.B) {
					ctx := context.Background()
					db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "topicfeed.db"))
					if err != nil {
						b.Fatal(err)
					}
					defer db.Close()
					outs := make([]Outlet, n)
					list := make([]news.Outlet, n)
					for i := range outs {
						outs[i] = Outlet{Outlet: news.Outlet{Name: fmt.Sprint(i), URL: fmt.Sprintf("http://h%d.example/o/%d", i%hosts, i)}, Interval: time.Minute}
						list[i] = outs[i].Outlet
					}
					if err := db.SyncOutlets(ctx, list); err != nil {
						b.Fatal(err)
					}
					o := SchedulerOptions{Workers: 8, PerHost: 1}
					if lease == "sqlite" {
						o.Leaser, o.Node = dbLeaser{db}, "bench"
					}
					s := NewScheduler(sleepPoller{}, db, outs, o, time.Now, discard())
					cpu0 := processCPU(b)
					for b.Loop() {
						res, skipped, err := s.RunDue(ctx)
						if err != nil || len(res) != n || len(skipped) != 0 {
							b.Fatalf("%d results, %d skipped, %v; want %d results", len(res), len(skipped), err, n)
						}
					}
					b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}
