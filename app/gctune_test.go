package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 100},             // before the first collection
		{40 * mib, 100},      // a small index: Go's default
		{gcHeadroom, 100},    // the allowance equals the live heap
		{gcHeadroom + 1, 99}, // just past it
		{150 * mib, 64},      // 96/150 of the live heap
		{192 * mib, 50},      // twice the headroom: the floor
		{187 * mib, 51},      // the steady round's index
		{2048 * mib, 50},     // never below the floor
		{1 << 62, minGCPercent},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.live/mib, got, c.want)
		}
	}
}

// TestGCTunerFollowsLiveHeap drives a tuner with a live heap that grows
// and shrinks, and checks that it sets the percentage when, and only when,
// it changes, and stops when its context ends.
func TestGCTunerFollowsLiveHeap(t *testing.T) {
	const mib = 1 << 20
	var mu sync.Mutex
	heaps := []uint64{0, 10 * mib, 150 * mib, 150 * mib, 300 * mib, 500 * mib, 60 * mib}
	reads := 0
	var set []int
	done := make(chan struct{})
	tu := &gcTuner{
		live: func() uint64 {
			mu.Lock()
			defer mu.Unlock()
			h := heaps[min(reads, len(heaps)-1)]
			reads++
			if reads == len(heaps) {
				close(done)
			}
			return h
		},
		set: func(p int) int {
			mu.Lock()
			defer mu.Unlock()
			set = append(set, p)
			return 0
		},
		every: time.Millisecond,
		log:   slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { tu.run(ctx); close(stopped) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the tuner did not read the live heap every tick")
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the tuner did not stop with its context")
	}
	mu.Lock()
	defer mu.Unlock()
	// 0 and 10 MiB: 100 once; 150 MiB twice: 64 once; 300 and 500 MiB: 50
	// once; back to 60 MiB: 100.
	want := []int{100, 64, 50, 100}
	if len(set) != len(want) {
		t.Fatalf("set %v, want %v", set, want)
	}
	for i := range want {
		if set[i] != want[i] {
			t.Fatalf("set %v, want %v", set, want)
		}
	}
}

func TestStartGCTuningLeavesGOGC(t *testing.T) {
	t.Setenv("GOGC", "80")
	var logs bytes.Buffer
	stop := startGCTuning(slog.New(slog.NewTextHandler(&logs, nil)))
	stop()
	if !strings.Contains(logs.String(), `msg="gc pace" source=GOGC gogc=80`) {
		t.Errorf("log %q does not say GOGC is kept", logs.String())
	}
}

// TestOneShotSettingsAtDebug: the logger a one-shot command's runtime
// settings go to turns INFO into DEBUG and leaves other levels alone.
func TestOneShotSettingsAtDebug(t *testing.T) {
	var logs strings.Builder
	log := slog.New(infoAsDebug{slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})})
	log.Info("gc pace", "source", "live heap")
	log.Warn("memory limit", "reason", "odd")
	if got := logs.String(); strings.Contains(got, "gc pace") || !strings.Contains(got, "level=WARN") {
		t.Errorf("at INFO: %q", got)
	}
	logs.Reset()
	log = slog.New(infoAsDebug{slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})}).With("k", 1)
	log.Info("gc pace")
	if got := logs.String(); !strings.Contains(got, `level=DEBUG msg="gc pace" k=1`) {
		t.Errorf("at DEBUG: %q", got)
	}
}
