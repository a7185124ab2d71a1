package aggregator

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"sort"
	"sync"
	"time"
)

// SchedulerOptions tunes a Scheduler.
type SchedulerOptions struct {
	// Workers is the number of polls run at once (global limit).
	Workers int
	// PerHost is the number of polls run at once against one host.
	PerHost int
	// Grace is how long in-flight polls may go on after shutdown begins
	// before they are cancelled.
	Grace time.Duration
	// Jitter is the largest random delay added to each scheduled poll, as a
	// fraction of the outlet's interval, so that outlets are not all hit at
	// once.
	Jitter float64
	// Observer, if set, is told of every poll and of how late each poll
	// started after it was due (the queue lag).
	Observer Observer
}

// Observer receives the scheduler's events, e.g. for metrics. It must be
// safe for concurrent use and must not block.
type Observer interface {
	ObservePoll(r Result)
	ObserveLag(outlet string, lag time.Duration)
}

// OutletPoller polls one outlet; *Poller is the real one.
type OutletPoller interface {
	Poll(ctx context.Context, o Outlet) Result
}

// Scheduler polls a fixed set of outlets through a Poller with a worker
// pool, a global and a per-host concurrency limit.
type Scheduler struct {
	poller  OutletPoller
	store   Store
	outlets []Outlet
	opts    SchedulerOptions
	now     func() time.Time
	log     *slog.Logger

	firstRound     chan struct{}
	firstRoundOnce sync.Once
}

// NewScheduler returns a Scheduler for outlets. The store provides each
// outlet's stored next-poll time, so that a restart does not poll outlets
// again before they are due.
func NewScheduler(p OutletPoller, store Store, outlets []Outlet, o SchedulerOptions, now func() time.Time, log *slog.Logger) *Scheduler {
	if o.Workers < 1 {
		o.Workers = 1
	}
	if o.PerHost < 1 {
		o.PerHost = 1
	}
	if o.Grace <= 0 {
		o.Grace = 10 * time.Second
	}
	return &Scheduler{poller: p, store: store, outlets: outlets, opts: o, now: now, log: log, firstRound: make(chan struct{})}
}

// FirstRound is closed once every outlet has been polled at least once
// (successfully or not): since the scheduler started, or, for Run, before,
// as the stored state says.
func (s *Scheduler) FirstRound() <-chan struct{} { return s.firstRound }

// RunOnce polls every outlet once and returns the results in the order of
// the outlets.
func (s *Scheduler) RunOnce(ctx context.Context) []Result {
	due := make(map[string]time.Time, len(s.outlets))
	now := s.now()
	for _, o := range s.outlets {
		due[o.Name] = now
	}
	byName := map[string]Result{}
	s.loop(ctx, due, nil, func(r Result) bool {
		byName[r.Outlet] = r
		return false // never again
	})
	out := make([]Result, 0, len(s.outlets))
	for _, o := range s.outlets {
		if r, ok := byName[o.Name]; ok {
			out = append(out, r)
		}
	}
	return out
}

// Run polls every outlet whenever it is due until ctx is done, then lets
// in-flight polls finish within the grace period. It returns ctx's error.
func (s *Scheduler) Run(ctx context.Context) error {
	due := make(map[string]time.Time, len(s.outlets))
	polled := map[string]bool{}
	now := s.now()
	for _, o := range s.outlets {
		next := now
		st, err := s.store.OutletState(ctx, o.Name)
		if err != nil {
			s.log.Warn("load outlet state", "outlet", o.Name, "error", err.Error())
		} else {
			if st.NextPoll.After(now) {
				next = st.NextPoll
			}
			if !st.LastFetch.IsZero() || st.Disabled {
				polled[o.Name] = true
			}
		}
		due[o.Name] = next
	}
	s.loop(ctx, due, polled, func(Result) bool { return true })
	return ctx.Err()
}

type job struct {
	outlet Outlet
	host   string
}

// loop dispatches due outlets to the workers until ctx is done or, when
// again returns false for every result, until no outlet is left. polled
// names the outlets that count as polled already.
func (s *Scheduler) loop(ctx context.Context, due map[string]time.Time, polled map[string]bool, again func(Result) bool) {
	pollCtx, cancelPolls := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelPolls()

	jobs := make(chan job)
	results := make(chan Result)
	var wg sync.WaitGroup
	for range s.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- s.poller.Poll(pollCtx, j.outlet)
			}
		}()
	}

	byName := make(map[string]Outlet, len(s.outlets))
	hosts := make(map[string]string, len(s.outlets))
	order := make(map[string]int, len(s.outlets))
	for i, o := range s.outlets {
		byName[o.Name] = o
		hosts[o.Name] = hostOf(o.URL)
		order[o.Name] = i
	}
	if polled == nil {
		polled = map[string]bool{}
	}
	markRound := func() {
		if len(polled) == len(s.outlets) {
			s.firstRoundOnce.Do(func() { close(s.firstRound) })
		}
	}
	markRound()
	inFlight := map[string]bool{}
	hostBusy := map[string]int{}
	busy := 0
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()

	finish := func(r Result) {
		if s.opts.Observer != nil {
			s.opts.Observer.ObservePoll(r)
		}
		busy--
		delete(inFlight, r.Outlet)
		hostBusy[hosts[r.Outlet]]--
		polled[r.Outlet] = true
		markRound()
		if !again(r) {
			delete(due, r.Outlet)
			return
		}
		o := byName[r.Outlet]
		next := r.NextPoll
		if next.IsZero() {
			next = s.now().Add(o.Interval)
		}
		due[r.Outlet] = next.Add(s.jitter(o.Interval))
	}

	for {
		if ctx.Err() != nil {
			break
		}
		if len(due) == 0 && busy == 0 {
			break
		}
		// Dispatch what is due, earliest first, within the limits.
		now := s.now()
		var ready []string
		var earliest time.Time
		for name, t := range due {
			if inFlight[name] {
				continue
			}
			if !t.After(now) {
				ready = append(ready, name)
			} else if earliest.IsZero() || t.Before(earliest) {
				earliest = t
			}
		}
		// Earliest first; outlets due at once go in configuration order.
		sort.Slice(ready, func(i, j int) bool {
			a, b := due[ready[i]], due[ready[j]]
			if !a.Equal(b) {
				return a.Before(b)
			}
			return order[ready[i]] < order[ready[j]]
		})
		for _, name := range ready {
			if busy >= s.opts.Workers {
				break
			}
			h := hosts[name]
			if hostBusy[h] >= s.opts.PerHost {
				continue
			}
			select {
			case jobs <- job{outlet: byName[name], host: h}:
				if s.opts.Observer != nil {
					s.opts.Observer.ObserveLag(name, max(s.now().Sub(due[name]), 0))
				}
				busy++
				inFlight[name] = true
				hostBusy[h]++
			case r := <-results:
				finish(r)
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
		}

		wait := time.Hour
		if !earliest.IsZero() {
			wait = max(earliest.Sub(now), 0)
		}
		timer.Reset(wait)
		select {
		case r := <-results:
			finish(r)
		case <-timer.C:
		case <-ctx.Done():
		}
	}

	// Shutdown: nothing new is dispatched; in-flight polls get the grace
	// period, then are cancelled.
	close(jobs)
	grace := time.AfterFunc(s.opts.Grace, cancelPolls)
	defer grace.Stop()
	go func() {
		wg.Wait()
		close(results)
	}()
	for r := range results {
		finish(r)
	}
}

func (s *Scheduler) jitter(interval time.Duration) time.Duration {
	if s.opts.Jitter <= 0 || interval <= 0 {
		return 0
	}
	return time.Duration(rand.Float64() * s.opts.Jitter * float64(interval))
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Hostname()
}
