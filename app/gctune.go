package app

import (
	"context"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// The collector's pace for the commands that hold the story index.
//
// Go's default (GOGC=100) lets the heap grow by as much garbage as it holds
// live data before it collects. The daemon's live heap is mostly the story
// index, long-lived; what it allocates and drops is per poll, and does not
// grow with the index. So once the live heap passes gcHeadroom, the
// percentage is lowered to keep the garbage allowance at gcHeadroom, down
// to minGCPercent; below that size the default holds. A large index then
// costs less peak memory (and fewer pages faulted in, so less CPU), while
// a small heap, as in a cold ingest, keeps the default's fewer collections
// instead of paying for a low GOGC throughout. BENCHMARKS.md has the
// figures.
const (
	gcHeadroom   = 96 << 20
	minGCPercent = 50
	maxGCPercent = 100
	gcTuneEvery  = time.Second
)

// gcPercentFor is the GOGC percentage for a live heap of live bytes.
func gcPercentFor(live uint64) int {
	if live <= gcHeadroom {
		return maxGCPercent
	}
	return max(minGCPercent, int(uint64(maxGCPercent)*gcHeadroom/live))
}

// gcTuner keeps the collector's percentage at gcPercentFor of the live heap.
type gcTuner struct {
	live  func() uint64 // the live heap after the last collection
	set   func(int) int // sets the percentage, returns the previous one
	every time.Duration // how often the live heap is read
	log   *slog.Logger
	cur   int // the percentage last set (0: none yet)
}

// startGCTuning runs a gcTuner until the returned stop is called. An
// explicit GOGC wins: then nothing runs.
func startGCTuning(log *slog.Logger) (stop func()) {
	if v, ok := os.LookupEnv("GOGC"); ok && v != "" {
		log.Info("gc pace", "source", "GOGC", "gogc", v)
		return func() {}
	}
	log.Info("gc pace", "source", "live heap", "headroom_bytes", gcHeadroom, "min_gogc", minGCPercent)
	t := &gcTuner{live: liveHeap, set: debug.SetGCPercent, every: gcTuneEvery, log: log}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { t.run(ctx) })
	return func() { cancel(); wg.Wait() }
}

// run adjusts the percentage now and every t.every until ctx is done.
func (t *gcTuner) run(ctx context.Context) {
	tick := time.NewTicker(t.every)
	defer tick.Stop()
	for {
		t.adjust()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// adjust sets the percentage for the current live heap when it changed.
func (t *gcTuner) adjust() {
	live := t.live()
	p := gcPercentFor(live)
	if p == t.cur {
		return
	}
	t.set(p)
	t.log.Debug("gc pace", "gogc", p, "live_heap_bytes", live)
	t.cur = p
}

// liveHeap reads the runtime's live heap: the bytes marked by the last
// collection (0 before the first).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
