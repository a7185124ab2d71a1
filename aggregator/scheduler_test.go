package aggregator

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
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

// stateStore is a Store holding only outlet states: next is the next poll
// of the outlets whose last poll, a success an hour before, stored one;
// lastFetch is every outlet's last fetch.
type stateStore struct {
	next      map[string]time.Time
	lastFetch time.Time
}

func (s stateStore) OutletState(_ context.Context, name string) (news.OutletState, error) {
	st := news.OutletState{Outlet: news.Outlet{Name: name}, NextPoll: s.next[name], LastFetch: s.lastFetch}
	if next, ok := s.next[name]; ok {
		st.LastSuccess = next.Add(-time.Hour)
	}
	return st, nil
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

// TestRunDue: a round of the due outlets skips the outlets whose stored
// next poll is in the future (a Retry-After, a back-off) and polls the
// rest once, those never polled and those just due included.
func TestRunDue(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	outs := testOutlets(5, 2)
	store := stateStore{next: map[string]time.Time{
		outs[0].Name: now.Add(time.Hour),    // Retry-After: 3600
		outs[1].Name: now,                   // due now
		outs[2].Name: now.Add(-time.Minute), // overdue
		outs[4].Name: now.Add(time.Second),  // not yet
	}} // outs[3]: never polled
	fp := newFakePoller(0)
	s := NewScheduler(fp, store, outs, SchedulerOptions{Workers: 2}, func() time.Time { return now }, discard())
	results, skipped, err := s.RunDue(context.Background())
	if err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	var polled []string
	for _, r := range results {
		polled = append(polled, r.Outlet)
	}
	if want := []string{outs[1].Name, outs[2].Name, outs[3].Name}; !slices.Equal(polled, want) {
		t.Errorf("RunDue polled %v, want %v", polled, want)
	}
	if want := []string{outs[0].Name, outs[4].Name}; !slices.Equal(skipped, want) {
		t.Errorf("RunDue skipped %v, want %v", skipped, want)
	}
	for _, o := range outs {
		want := 1
		if slices.Contains(skipped, o.Name) {
			want = 0
		}
		if n := fp.count(o.Name); n != want {
			t.Errorf("%s polled %d times, want %d", o.Name, n, want)
		}
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

// countingPoller returns at once and counts the polls of each outlet and
// the polls running at once against one host.
type countingPoller struct {
	mu      sync.Mutex
	polls   map[string]int
	perHost map[string]int
	maxHost int
}

func (c *countingPoller) Poll(_ context.Context, o Outlet) Result {
	h := hostOf(o.URL)
	c.mu.Lock()
	c.polls[o.Name]++
	c.perHost[h]++
	c.maxHost = max(c.maxHost, c.perHost[h])
	c.perHost[h]--
	c.mu.Unlock()
	return Result{Outlet: o.Name}
}

// TestRunOnceManyInstantPolls is the regression test for a dispatch loop
// that stopped with every worker idle: when the in-flight polls all
// finished while the loop was dispatching and had skipped outlets of busy
// hosts, it waited on a wake-up time computed before dispatching (an hour
// away when everything was due at once).
func TestRunOnceManyInstantPolls(t *testing.T) {
	tests := []struct {
		name                             string
		outlets, hosts, workers, perHost int
	}{
		{"1000 outlets on 32 hosts", 1000, 32, 8, 1},
		{"1000 outlets on 4 hosts", 1000, 4, 8, 1},
		{"2000 outlets on 3 hosts, two per host", 2000, 3, 4, 2},
		{"1000 outlets, one worker", 1000, 7, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 20 {
				cp := &countingPoller{polls: map[string]int{}, perHost: map[string]int{}}
				outs := testOutlets(tc.outlets, tc.hosts)
				s := NewScheduler(cp, stateStore{}, outs, SchedulerOptions{Workers: tc.workers, PerHost: tc.perHost}, time.Now, discard())
				// A stuck loop returns at the deadline with the results it has.
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				results := s.RunOnce(ctx)
				cancel()
				if len(results) != tc.outlets {
					t.Fatalf("round %d: got %d results, want %d", round, len(results), tc.outlets)
				}
				for i, r := range results {
					if r.Outlet != outs[i].Name {
						t.Fatalf("round %d: result %d is %q, want %q (outlet order)", round, i, r.Outlet, outs[i].Name)
					}
					if n := cp.polls[outs[i].Name]; n != 1 {
						t.Errorf("round %d: %s polled %d times, want 1", round, outs[i].Name, n)
					}
				}
				if cp.maxHost > tc.perHost {
					t.Errorf("round %d: %d polls ran at once against one host, limit %d", round, cp.maxHost, tc.perHost)
				}
			}
		})
	}
}

// orderPoller records the order of the polls; each outlet is due again in
// an hour.
type orderPoller struct {
	mu    sync.Mutex
	order []string
}

func (p *orderPoller) Poll(_ context.Context, o Outlet) Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.order = append(p.order, o.Name)
	return Result{Outlet: o.Name, NextPoll: time.Now().Add(time.Hour)}
}

func (p *orderPoller) polls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.order)
}

// TestRunPollsEarliestDueFirst checks the dispatch order with one worker:
// earliest due first, outlets due at once in configuration order, however
// late the scheduler gets to them.
func TestRunPollsEarliestDueFirst(t *testing.T) {
	tests := []struct {
		name string
		due  []int // per outlet, in configuration order: ms from start, ≤ 0 for now
		want []int // outlets in poll order
	}{
		{"all due now: configuration order", []int{0, 0, 0, 0}, []int{0, 1, 2, 3}},
		{"later first in configuration", []int{40, 20, 0, 20}, []int{2, 1, 3, 0}},
		{"past times are now", []int{-50, 30, -10, 0}, []int{0, 2, 3, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			outs := testOutlets(len(tc.due), len(tc.due))
			start := time.Now()
			next := map[string]time.Time{}
			for i, ms := range tc.due {
				next[outs[i].Name] = start.Add(time.Duration(ms) * time.Millisecond)
			}
			p := &orderPoller{}
			s := NewScheduler(p, stateStore{next: next}, outs, SchedulerOptions{Workers: 1}, time.Now, discard())
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- s.Run(ctx) }()
			select {
			case <-s.FirstRound():
			case <-time.After(10 * time.Second):
				t.Error("not every outlet polled in 10s")
			}
			cancel()
			<-done
			var want []string
			for _, i := range tc.want {
				want = append(want, outs[i].Name)
			}
			if got := p.polls(); !slices.Equal(got, want) {
				t.Errorf("poll order %v, want %v", got, want)
			}
		})
	}
}

// TestDueQueueMatchesScan drives a dueQueue with random pushes, starts and
// finishes and checks every head against a scan of all waiting outlets in
// (due, configuration) order that skips the hosts at their limit.
func TestDueQueueMatchesScan(t *testing.T) {
	tests := []struct {
		outlets, hosts, perHost int
	}{
		{1, 1, 1}, {10, 1, 1}, {10, 3, 1}, {50, 7, 2}, {200, 16, 1}, {200, 200, 1}, {100, 5, 3},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("outlets=%d/hosts=%d/per_host=%d", tc.outlets, tc.hosts, tc.perHost), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.outlets), uint64(tc.hosts)))
			base := time.Unix(1_700_000_000, 0)
			at := func() time.Time { return base.Add(time.Duration(rng.IntN(20)) * time.Second) } // many ties
			outs := testOutlets(tc.outlets, tc.hosts)
			due := make([]time.Time, tc.outlets)
			for i := range due {
				due[i] = at()
			}
			s := NewScheduler(nil, nil, outs, SchedulerOptions{PerHost: tc.perHost}, time.Now, discard())
			q := newDueQueue(due, s.hostIdx, s.nHosts, tc.perHost)
			waiting := make([]bool, tc.outlets)
			for i := range waiting {
				waiting[i] = true
			}
			var inFlight []int
			hostBusy := map[string]int{}
			scan := func() (int, bool) {
				best := -1
				for i, w := range waiting {
					if !w || hostBusy[hostOf(outs[i].URL)] >= tc.perHost {
						continue
					}
					if best < 0 || due[i].Before(due[best]) {
						best = i
					}
				}
				return best, best >= 0
			}
			for step := range 5000 {
				want, wantOK := scan()
				got, ok := q.head()
				if ok != wantOK || (ok && got != want) {
					t.Fatalf("step %d: head %d, %v; scan finds %d, %v", step, got, ok, want, wantOK)
				}
				switch op := rng.IntN(3); {
				case op == 0 && ok: // start the head
					q.start(got)
					waiting[got] = false
					hostBusy[hostOf(outs[got].URL)]++
					inFlight = append(inFlight, got)
				case op == 1 && len(inFlight) > 0: // finish one, queue it again
					k := rng.IntN(len(inFlight))
					i := inFlight[k]
					inFlight = slices.Delete(inFlight, k, k+1)
					q.finished(i)
					hostBusy[hostOf(outs[i].URL)]--
					q.push(i, at())
					waiting[i] = true
				case op == 2 && len(inFlight) > 0: // finish one for good
					k := rng.IntN(len(inFlight))
					i := inFlight[k]
					inFlight = slices.Delete(inFlight, k, k+1)
					q.finished(i)
					hostBusy[hostOf(outs[i].URL)]--
				}
			}
		})
	}
}
