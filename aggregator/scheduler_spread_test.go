package aggregator

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// timedPoller records, for each outlet, when each poll started and the
// next poll time it asked for.
type timedPoller struct {
	mu     sync.Mutex
	wait   time.Duration
	starts map[string][]time.Time
	asked  map[string][]time.Time
}

func (p *timedPoller) Poll(_ context.Context, o Outlet) Result {
	now := time.Now()
	next := now.Add(p.wait)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.starts[o.Name] = append(p.starts[o.Name], now)
	p.asked[o.Name] = append(p.asked[o.Name], next)
	return Result{Outlet: o.Name, NextPoll: next}
}

// polledAll reports whether every outlet was polled n times.
func (p *timedPoller) polledAll(outs []Outlet, n int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, o := range outs {
		if len(p.starts[o.Name]) < n {
			return false
		}
	}
	return true
}

// TestRunSpreadsCatchUp: the outlets polled together in the start-up
// catch-up are not polled together again. Each one's next poll is delayed
// once by up to half the wait it asked for, never brought forward; the
// polls after that keep their own pace.
func TestRunSpreadsCatchUp(t *testing.T) {
	const (
		n    = 60
		wait = 600 * time.Millisecond
	)
	outs := testOutlets(n, n)
	tp := &timedPoller{wait: wait, starts: map[string][]time.Time{}, asked: map[string][]time.Time{}}
	s := NewScheduler(tp, stateStore{}, outs, SchedulerOptions{Workers: n, PerHost: 1}, time.Now, discard())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	deadline := time.After(20 * time.Second)
	for !tp.polledAll(outs, 3) {
		select {
		case <-deadline:
			cancel()
			<-done
			t.Fatal("not every outlet was polled three times in 20s")
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}

	tp.mu.Lock()
	defer tp.mu.Unlock()
	var second, third []time.Duration // how long after the asked time the next poll started
	for _, o := range outs {
		st, asked := tp.starts[o.Name], tp.asked[o.Name]
		for k := 1; k <= 2; k++ {
			late := st[k].Sub(asked[k-1])
			if late < 0 {
				t.Errorf("%s: poll %d started %v before the time the poll before it asked for", o.Name, k+1, -late)
			}
			if k == 1 {
				second = append(second, late)
			} else {
				third = append(third, late)
			}
		}
	}
	slices.Sort(second)
	slices.Sort(third)
	maxSpread := time.Duration(catchUpSpread * float64(wait))
	// Uniform over [0, 300ms): a median near 150ms and a range near 300ms.
	if med := second[n/2]; med < maxSpread/4 {
		t.Errorf("second polls: median delay %v, want them spread over [0, %v): %v", med, maxSpread, second)
	}
	if r := second[n-1] - second[0]; r < maxSpread/2 {
		t.Errorf("second polls: delays within %v of each other, want them spread over [0, %v)", r, maxSpread)
	}
	// The catch-up's spread is applied once: later polls go when asked.
	if med := third[n/2]; med >= maxSpread/4 {
		t.Errorf("third polls: median delay %v, want them on time: %v", med, third)
	}
}
