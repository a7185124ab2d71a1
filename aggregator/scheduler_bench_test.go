package aggregator

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// sleepPoller polls nothing: each poll takes d (0: returns at once).
type sleepPoller struct{ d time.Duration }

func (p sleepPoller) Poll(_ context.Context, o Outlet) Result {
	if p.d > 0 {
		time.Sleep(p.d)
	}
	return Result{Outlet: o.Name}
}

// BenchmarkRunOnce measures the scheduler's own cost of one round (one op)
// over n outlets on 32 hosts, one poll per host at a time, 8 workers.
// With instant polls (poll=0s) the results mostly arrive while the loop is
// dispatching; with polls that take a while they arrive one by one, each
// waking the loop, as in a real round. The machine is shared, so it also
// reports the process's CPU time per round (cpu-ns/op), steadier than wall
// time.
func BenchmarkRunOnce(b *testing.B) {
	for _, poll := range []time.Duration{0, 200 * time.Microsecond} {
		for _, n := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("poll=%v/outlets=%d", poll, n), func(b *testing.B) {
				outs := make([]Outlet, n)
				for i := range outs {
					outs[i] = Outlet{Outlet: news.Outlet{Name: fmt.Sprint(i), URL: fmt.Sprintf("http://127.0.0.%d:80/o/%d", 1+i%32, i)}, Interval: time.Minute}
				}
				s := NewScheduler(sleepPoller{poll}, nil, outs, SchedulerOptions{Workers: 8, PerHost: 1}, time.Now, discard())
				cpu0 := processCPU(b)
				for b.Loop() {
					// A stuck round ends at the deadline, short of results.
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
					got := len(s.RunOnce(ctx))
					cancel()
					if got != n {
						b.Fatalf("%d results, want %d", got, n)
					}
				}
				b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// processCPU is the CPU time (user and system) the process has used so far.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
