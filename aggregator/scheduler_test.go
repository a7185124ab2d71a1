package aggregator

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// fakePoller records polls and the concurrency it saw, globally and per host.
type fakePoller struct {
	mu       sync.Mutex
	polls    map[string]int
	running  int
	maxRun   int
	perHost  map[string]int
	maxHost  int
	hold     time.Duration
	next     func(o Outlet) time.Time
	canceled int
}

func newFakePoller(hold time.Duration) *fakePoller {
	return &fakePoller{polls: map[string]int{}, perHost: map[string]int{}, hold: hold}
}

func (f *fakePoller) Poll(ctx context.Context, o Outlet) Result {
	h := hostOf(o.URL)
	f.mu.Lock()
	f.polls[o.Name]++
	f.running++
	f.perHost[h]++
	f.maxRun = max(f.maxRun, f.running)
	f.maxHost = max(f.maxHost, f.perHost[h])
	f.mu.Unlock()
	select {
	case <-time.After(f.hold):
	case <-ctx.Done():
		f.mu.Lock()
		f.canceled++
		f.mu.Unlock()
	}
	f.mu.Lock()
	f.running--
	f.perHost[h]--
	f.mu.Unlock()
	r := Result{Outlet: o.Name}
	if f.next != nil {
		r.NextPoll = f.next(o)
	}
	return r
}

func (f *fakePoller) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.polls[name]
}

// stateStore is a Store holding only outlet states.
type stateStore struct {
	next      map[string]time.Time
	lastFetch time.Time
}

func (s stateStore) OutletState(_ context.Context, name string) (news.OutletState, error) {
	return news.OutletState{Outlet: news.Outlet{Name: name}, NextPoll: s.next[name], LastFetch: s.lastFetch}, nil
}
func (stateStore) SaveOutletState(context.Context, news.OutletState) error { return nil }
func (stateStore) SaveFetch(context.Context, news.OutletState, []news.Item) (news.SaveStats, error) {
	return news.SaveStats{}, nil
}

func testOutlets(n, hosts int) []Outlet {
	out := make([]Outlet, n)
	for i := range out {
		out[i] = Outlet{Outlet: news.Outlet{Name: fmt.Sprintf("outlet-%02d", i), URL: fmt.Sprintf("http://host%d.example/feed/%d", i%hosts, i)}, Interval: time.Hour}
	}
	return out
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestRunOnceLimits(t *testing.T) {
	tests := []struct {
		name                    string
		outlets, hosts, workers int
		perHost                 int
	}{
		{"one host serialises", 6, 1, 4, 1},
		{"workers bound the total", 12, 12, 3, 1},
		{"per-host two", 8, 2, 8, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fp := newFakePoller(5 * time.Millisecond)
			outs := testOutlets(tc.outlets, tc.hosts)
			s := NewScheduler(fp, stateStore{}, outs, SchedulerOptions{Workers: tc.workers, PerHost: tc.perHost}, time.Now, discard())
			results := s.RunOnce(context.Background())
			if len(results) != tc.outlets {
				t.Fatalf("got %d results, want %d", len(results), tc.outlets)
			}
			for i, r := range results {
				if r.Outlet != outs[i].Name {
					t.Errorf("result %d is %q, want %q (outlet order)", i, r.Outlet, outs[i].Name)
				}
				if n := fp.count(outs[i].Name); n != 1 {
					t.Errorf("%s polled %d times, want 1", outs[i].Name, n)
				}
			}
			if fp.maxRun > tc.workers {
				t.Errorf("%d polls ran at once, limit %d", fp.maxRun, tc.workers)
			}
			if fp.maxHost > tc.perHost {
				t.Errorf("%d polls ran at once against one host, limit %d", fp.maxHost, tc.perHost)
			}
			select {
			case <-s.FirstRound():
			default:
				t.Error("FirstRound not closed after RunOnce")
			}
		})
	}
}

func TestRunHonoursStoredNextPoll(t *testing.T) {
	outs := testOutlets(2, 2)
	later, soon := outs[0].Name, outs[1].Name
	store := stateStore{next: map[string]time.Time{later: time.Now().Add(time.Hour)}}
	fp := newFakePoller(0)
	fp.next = func(o Outlet) time.Time { return time.Now().Add(5 * time.Millisecond) }
	s := NewScheduler(fp, store, outs, SchedulerOptions{Workers: 2}, time.Now, discard())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	deadline := time.After(10 * time.Second)
	for fp.count(soon) < 3 {
		select {
		case <-deadline:
			t.Fatalf("%s polled %d times in 10s, want 3", soon, fp.count(soon))
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	if n := fp.count(later); n != 0 {
		t.Errorf("%s, due in an hour, was polled %d times", later, n)
	}
	select {
	case <-s.FirstRound():
		t.Error("FirstRound closed though one outlet was never polled")
	default:
	}
}

func TestRunShutdownWaitsThenCancels(t *testing.T) {
	tests := []struct {
		name         string
		hold, grace  time.Duration
		wantCanceled int
	}{
		{"in-flight poll finishes within grace", 20 * time.Millisecond, 5 * time.Second, 0},
		{"in-flight poll cancelled after grace", time.Hour, 10 * time.Millisecond, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fp := newFakePoller(tc.hold)
			s := NewScheduler(fp, stateStore{}, testOutlets(1, 1), SchedulerOptions{Workers: 1, Grace: tc.grace}, time.Now, discard())
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- s.Run(ctx) }()
			for fp.count("outlet-00") == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after shutdown")
			}
			fp.mu.Lock()
			defer fp.mu.Unlock()
			if fp.canceled != tc.wantCanceled {
				t.Errorf("%d polls cancelled, want %d", fp.canceled, tc.wantCanceled)
			}
			if fp.running != 0 {
				t.Errorf("%d polls still running after Run returned", fp.running)
			}
			if fp.polls["outlet-00"] != 1 {
				t.Errorf("outlet polled %d times, want 1 (nothing dispatched after shutdown)", fp.polls["outlet-00"])
			}
		})
	}
}

func TestRunFirstRoundCountsStoredPolls(t *testing.T) {
	outs := testOutlets(2, 2)
	hour := time.Now().Add(time.Hour)
	store := stateStore{next: map[string]time.Time{outs[0].Name: hour, outs[1].Name: hour}, lastFetch: time.Now().Add(-time.Minute)}
	s := NewScheduler(newFakePoller(0), store, outs, SchedulerOptions{Workers: 2}, time.Now, discard())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-s.FirstRound():
	case <-time.After(10 * time.Second):
		t.Error("FirstRound not closed though every outlet was polled before the restart")
	}
	cancel()
	<-done
}
