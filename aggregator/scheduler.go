package aggregator

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/topicfeed/topicfeed/news"
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
	// once (see dispatchAt).
	Jitter float64
	// Observer, if set, is told of every poll and of how late each poll
	// started after it was due (the queue lag).
	Observer Observer
	// Leaser, if set, shares the outlets with the other nodes polling the
	// same database: an outlet is polled only while this node holds its
	// host's lease (see leases.go). Nil: a single process, no
	// coordination (unit tests).
	Leaser HostLeaser
	// Node names this process in the leases (default NewNodeName()).
	Node string
	// LeaseTTL is how long a host lease lasts unless renewed (default
	// DefaultLeaseTTL). A poll must end within half of it: an outlet is
	// dispatched only while its host's lease has that long to run.
	LeaseTTL time.Duration
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

	// hostIdx numbers the outlets' hosts (index in s.outlets → host
	// number, 0 to nHosts-1), for the per-host limit.
	hostIdx   []int32
	nHosts    int
	hostNames []string // by host number

	// leaseUntil is, by host number, when this node's lease of the host
	// ends (Unix nanoseconds; 0: not held); refused and lost count as
	// LeaseStats says. Written by the loop, read by LeaseStats.
	leaseUntil    []atomic.Int64
	refused, lost atomic.Uint64

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
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.Leaser != nil && o.Node == "" {
		o.Node = NewNodeName()
	}
	s := &Scheduler{poller: p, store: store, outlets: outlets, opts: o, now: now, log: log, firstRound: make(chan struct{})}
	s.hostIdx = make([]int32, len(outlets))
	ids := map[string]int32{}
	for i, out := range outlets {
		h := hostOf(out.URL)
		id, ok := ids[h]
		if !ok {
			id = int32(len(ids))
			ids[h] = id
			s.hostNames = append(s.hostNames, h)
		}
		s.hostIdx[i] = id
	}
	s.nHosts = len(ids)
	s.leaseUntil = make([]atomic.Int64, s.nHosts)
	return s
}

// FirstRound is closed once every outlet has been polled at least once
// (successfully or not): since the scheduler started, or, for Run, before,
// as the stored state says.
func (s *Scheduler) FirstRound() <-chan struct{} { return s.firstRound }

// RunOnce polls every outlet once and returns the results in the order of
// the outlets. With a HostLeaser, outlets whose host another node holds
// are left to it (logged).
func (s *Scheduler) RunOnce(ctx context.Context) []Result {
	due := make([]time.Time, len(s.outlets))
	now := s.now()
	for i := range due {
		due[i] = now
	}
	results, _ := s.runRound(ctx, due, nil, true)
	return results
}

// RunDue polls once each outlet that is due, as the stored state says
// (its next poll time, set by the next-poll policy in schedule.go, has
// passed, or it was never
// polled), and returns the results in the order of the outlets, with the
// names of the outlets skipped. Disabled outlets are reported as by
// RunOnce (the poller asks no server for them). It is a poll
// round for a daemon that is not running (a cron job): it asks no server
// sooner than the daemon would. A state that cannot be read counts as due.
// With a HostLeaser, outlets whose host another node holds are skipped too,
// as are those another node polled since their state was read.
func (s *Scheduler) RunDue(ctx context.Context) (results []Result, skipped []string, err error) {
	due := make([]time.Time, len(s.outlets))
	known := make([]time.Time, len(s.outlets))
	now := s.now()
	states := s.storedStates(ctx)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	for i, st := range states {
		if st != nil {
			known[i] = st.LastFetch
		}
		if st != nil && !st.Disabled && st.NextPoll.After(now) {
			skipped = append(skipped, s.outlets[i].Name)
			continue // zero: not queued
		}
		due[i] = now
	}
	results, left := s.runRound(ctx, due, known, false)
	return results, append(skipped, left...), nil
}

// storedStates returns each outlet's stored state, nil where it cannot be
// read (logged: the outlet then counts as due and never polled).
func (s *Scheduler) storedStates(ctx context.Context) []*news.OutletState {
	states := make([]*news.OutletState, len(s.outlets))
	for i, o := range s.outlets {
		st, err := s.store.OutletState(ctx, o.Name)
		if err != nil {
			s.log.Warn("load outlet state", "outlet", o.Name, "error", err.Error())
			continue
		}
		states[i] = &st
	}
	return states
}

// runRound polls once each outlet with a due time (not zero) and returns
// the results in the order of the outlets, and the names of the outlets
// left to other nodes (see hostLeases.round); forced polls outlets
// whatever their stored next poll.
func (s *Scheduler) runRound(ctx context.Context, due, known []time.Time, forced bool) (_ []Result, skipped []string) {
	results := make([]Result, len(s.outlets))
	got := make([]bool, len(s.outlets))
	others := 0
	mode := roundMode{round: true, forced: forced, skip: func(i int, why string) {
		skipped = append(skipped, s.outlets[i].Name)
		if why == skipHeld {
			others++
		}
	}}
	defer func() {
		if others > 0 {
			s.log.Info("outlets left to the other nodes polling them", "node", s.opts.Node, "outlets", others)
		}
	}()
	s.loop(ctx, due, known, nil, nil, mode, func(i int, r Result) bool {
		results[i], got[i] = r, true
		return false // never again
	})
	out := results[:0]
	for i, r := range results {
		if got[i] {
			out = append(out, r)
		}
	}
	return out, skipped
}

// roundMode is how the loop treats outlets whose host another node holds
// or that another node polled: the daemon waits for them (the zero
// roundMode); a round skips them (see hostLeases).
type roundMode struct {
	round, forced bool
	skip          func(i int, why string)
}

// Run polls every outlet whenever it is due until ctx is done, then lets
// in-flight polls finish within the grace period. It returns ctx's error.
// Each outlet's first poll is when startAt says: its stored next poll,
// or at once when that has passed or the outlet never succeeded.
func (s *Scheduler) Run(ctx context.Context) error {
	due := make([]time.Time, len(s.outlets))
	polled := make([]bool, len(s.outlets))
	caughtUp := make([]bool, len(s.outlets))
	known := make([]time.Time, len(s.outlets))
	now := s.now()
	for i, st := range s.storedStates(ctx) {
		due[i] = startAt(now, st)
		caughtUp[i] = !due[i].After(now)
		if st != nil {
			polled[i] = !st.LastFetch.IsZero() || st.Disabled
			known[i] = st.LastFetch
		}
	}
	s.loop(ctx, due, known, polled, caughtUp, roundMode{}, func(int, Result) bool { return true })
	return ctx.Err()
}

type job struct {
	idx    int // in s.outlets
	outlet Outlet
}

type jobResult struct {
	idx int
	r   Result
}

// loop dispatches due outlets to the workers until ctx is done or, when
// again returns false for every result, until no outlet is left. due gives
// each outlet's (index in s.outlets) first due time, zero for an outlet
// not to poll at all; known, if not nil, the last fetch of each outlet as
// stored when due was decided (see hostLeases.known); polled, if not nil, the outlets that count as
// polled already; spread, if not nil, the outlets of the start-up
// catch-up, whose next poll after this one is spread (see dispatchAt).
// Outlets go earliest due first; outlets due at once go in configuration
// order. With a HostLeaser, an outlet is dispatched only while this node
// holds its host's lease (see leases.go); mode says what a round does with
// outlets it leaves to other nodes.
func (s *Scheduler) loop(ctx context.Context, due, known []time.Time, polled, spread []bool, mode roundMode, again func(i int, r Result) bool) {
	pollCtx, cancelPolls := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelPolls()

	jobs := make(chan job)
	results := make(chan jobResult)
	var wg sync.WaitGroup
	for range s.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- jobResult{j.idx, s.poller.Poll(pollCtx, j.outlet)}
			}
		}()
	}

	if polled == nil {
		polled = make([]bool, len(s.outlets))
	}
	nPolled := 0
	for _, p := range polled {
		if p {
			nPolled++
		}
	}
	markRound := func() {
		if nPolled == len(s.outlets) {
			s.firstRoundOnce.Do(func() { close(s.firstRound) })
		}
	}
	markRound()

	q := newDueQueue(due, s.hostIdx, s.nHosts, s.opts.PerHost)
	left := q.queued // outlets not retired by again (or skipped)
	busy := 0
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()

	var leases *hostLeases
	var renew <-chan time.Time
	if s.opts.Leaser != nil {
		leases = s.newHostLeases(q)
		leases.round, leases.forced = mode.round, mode.forced
		if known == nil {
			known = make([]time.Time, len(s.outlets))
		}
		leases.known = known
		leases.skip = func(i int, why string) {
			left--
			if mode.skip != nil {
				mode.skip(i, why)
			}
		}
		leases.seen = func(i int, st news.OutletState) {
			if !polled[i] && (!st.LastFetch.IsZero() || st.Disabled) {
				polled[i] = true
				nPolled++
				markRound()
			}
		}
		t := time.NewTicker(s.opts.LeaseTTL / 3)
		defer t.Stop()
		renew = t.C
	}

	finish := func(d jobResult) {
		if s.opts.Observer != nil {
			s.opts.Observer.ObservePoll(d.r)
		}
		busy--
		q.finished(d.idx)
		if leases != nil {
			leases.finished(q.hostOf[d.idx])
			leases.known[d.idx] = s.now() // this poll's fetch, if any, was before
		}
		if !polled[d.idx] {
			polled[d.idx] = true
			nPolled++
			markRound()
		}
		if !again(d.idx, d.r) {
			left--
			return
		}
		catchUp := spread != nil && spread[d.idx]
		if catchUp {
			spread[d.idx] = false
		}
		jitter := s.opts.Jitter
		if errors.As(d.r.Err, new(storeError)) {
			jitter = 0 // a retry within seconds of a database outage: up to 10% of an interval would undo it
		}
		q.push(d.idx, dispatchAt(s.now(), s.outlets[d.idx], d.r.NextPoll, catchUp, jitter))
	}

	for ctx.Err() == nil && (left > 0 || busy > 0) {
		// Dispatch what is due, earliest first, within the limits. A result
		// that arrives meanwhile frees a worker and a host and may queue its
		// outlet again: the queue's head is looked at afresh every time.
		now := s.now()
		for busy < s.opts.Workers && ctx.Err() == nil {
			i, ok := q.head()
			if !ok || q.due[i].After(now) {
				break
			}
			if leases != nil && !leases.fresh(q.hostOf[i], now) {
				// afterwards the head's host is held, or its outlets
				// wait: look at the head again
				leases.acquire(ctx, now)
				continue
			}
			select {
			case jobs <- job{idx: i, outlet: s.outlets[i]}:
				q.start(i)
				busy++
				if s.opts.Observer != nil {
					s.opts.Observer.ObserveLag(s.outlets[i].Name, max(s.now().Sub(q.due[i]), 0))
				}
			case d := <-results:
				finish(d)
			case <-ctx.Done():
			}
		}

		if left == 0 && busy == 0 {
			break // the last outlets were skipped (left to other nodes)
		}

		// Wait for a result, or, with a worker free, for the next outlet
		// of a free host to fall due (or idle hosts to be released). The
		// wake-up time is taken after dispatching, from the queue as it
		// is now.
		var wake <-chan time.Time
		var next time.Time
		if i, ok := q.head(); ok && busy < s.opts.Workers {
			next = q.due[i]
		}
		if leases != nil {
			leases.releaseIdle(ctx, s.now())
			if at := leases.releaseAt(); !at.IsZero() && (next.IsZero() || at.Before(next)) {
				next = at
			}
		}
		if !next.IsZero() {
			timer.Reset(max(next.Sub(s.now()), 0))
			wake = timer.C
		}
		select {
		case d := <-results:
			finish(d)
		case <-wake:
		case <-renew:
			leases.renew(ctx, s.now())
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
	for d := range results {
		finish(d)
	}
	if leases != nil {
		relCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		leases.release(relCtx, s.now())
	}
}

// dueQueue orders the outlets waiting for a poll (neither in flight nor
// retired) by due time, then configuration order (index), and finds the
// first of them whose host may take another poll in O(1); queueing,
// starting and finishing a poll cost O(log n).
//
// Each host keeps a min-heap of its waiting outlets; the hosts below the
// per-host limit that have waiting outlets form a min-heap keyed by their
// first outlet. The head of that heap is the outlet a scan of every waiting
// outlet in order, skipping busy hosts, would find first.
type dueQueue struct {
	due     []time.Time // by outlet index
	hostOf  []int32     // outlet index → index in hosts
	hosts   []hostQueue
	free    []int32 // heap of hosts below the limit with waiting outlets
	perHost int
	queued  int // outlets queued by newDueQueue
}

type hostQueue struct {
	waiting []int32 // heap of outlet indices
	busy    int     // polls in flight
	pos     int     // index in free, -1 when not there
}

// newDueQueue queues every outlet i, of host hostOf[i] (0 to nHosts-1), at
// due[i], unless due[i] is zero; it keeps due and hostOf, and writes to due.
func newDueQueue(due []time.Time, hostOf []int32, nHosts, perHost int) *dueQueue {
	q := &dueQueue{due: due, hostOf: hostOf, hosts: make([]hostQueue, nHosts), perHost: perHost}
	for h := range q.hosts {
		q.hosts[h].pos = -1
	}
	for i, h := range hostOf {
		if due[i].IsZero() {
			continue
		}
		q.hosts[h].waiting = append(q.hosts[h].waiting, int32(i))
		q.queued++
	}
	for h := range q.hosts {
		w := q.hosts[h].waiting
		for k := len(w)/2 - 1; k >= 0; k-- {
			q.siftDown(w, k)
		}
		q.update(int32(h))
	}
	return q
}

// before orders outlets: earlier due first, then configuration order.
func (q *dueQueue) before(a, b int32) bool {
	if c := q.due[a].Compare(q.due[b]); c != 0 {
		return c < 0
	}
	return a < b
}

// head is the first waiting outlet whose host may take another poll.
func (q *dueQueue) head() (int, bool) {
	if len(q.free) == 0 {
		return 0, false
	}
	return int(q.hosts[q.free[0]].waiting[0]), true
}

// start takes the head outlet i off the queue: its poll begins.
func (q *dueQueue) start(i int) {
	h := q.hostOf[i]
	hq := &q.hosts[h]
	w := hq.waiting
	n := len(w) - 1
	w[0] = w[n]
	hq.waiting = w[:n]
	q.siftDown(hq.waiting, 0)
	hq.busy++
	q.update(h)
}

// finished records that the poll of outlet i ended.
func (q *dueQueue) finished(i int) {
	h := q.hostOf[i]
	q.hosts[h].busy--
	q.update(h)
}

// push queues outlet i, not in flight, at due time t.
func (q *dueQueue) push(i int, t time.Time) {
	q.due[i] = t
	h := q.hostOf[i]
	hq := &q.hosts[h]
	hq.waiting = append(hq.waiting, int32(i))
	q.siftUp(hq.waiting, len(hq.waiting)-1)
	q.update(h)
}

// firstDue is the due time of host h's first waiting outlet; h has one.
func (q *dueQueue) firstDue(h int32) time.Time {
	return q.due[q.hosts[h].waiting[0]]
}

// hostsDueBy calls fn with the hosts below the per-host limit whose first
// waiting outlet is due by t, in the queue's order (earliest first), until
// fn returns false. It visits the free hosts' heap best first, only as far
// as fn goes: O(k log k) for k hosts visited.
func (q *dueQueue) hostsDueBy(t time.Time, fn func(h int32) bool) {
	if len(q.free) == 0 {
		return
	}
	// next is a heap of positions in q.free, ordered as the hosts there
	next := []int{0}
	less := func(a, b int) bool { return q.hostBefore(q.free[next[a]], q.free[next[b]]) }
	for len(next) > 0 {
		k := next[0]
		n := len(next) - 1
		next[0] = next[n]
		next = next[:n]
		for j := 0; ; { // sift down
			c := 2*j + 1
			if c >= len(next) {
				break
			}
			if c+1 < len(next) && less(c+1, c) {
				c++
			}
			if !less(c, j) {
				break
			}
			next[j], next[c] = next[c], next[j]
			j = c
		}
		h := q.free[k]
		if q.firstDue(h).After(t) || !fn(h) {
			return
		}
		for _, c := range []int{2*k + 1, 2*k + 2} {
			if c >= len(q.free) {
				continue
			}
			next = append(next, c)
			for j := len(next) - 1; j > 0; { // sift up
				p := (j - 1) / 2
				if !less(j, p) {
					break
				}
				next[j], next[p] = next[p], next[j]
				j = p
			}
		}
	}
}

// reschedule gives each waiting outlet i of host h the due time f returns,
// or takes it off the queue when f says not to keep it, and returns how
// many it took off.
func (q *dueQueue) reschedule(h int32, f func(i int) (due time.Time, keep bool)) (removed int) {
	hq := &q.hosts[h]
	w := hq.waiting[:0]
	for _, i := range hq.waiting {
		t, keep := f(int(i))
		if !keep {
			removed++
			continue
		}
		q.due[i] = t
		w = append(w, i)
	}
	hq.waiting = w
	for k := len(w)/2 - 1; k >= 0; k-- {
		q.siftDown(w, k)
	}
	q.update(h)
	return removed
}

func (q *dueQueue) siftUp(w []int32, k int) {
	for k > 0 {
		p := (k - 1) / 2
		if !q.before(w[k], w[p]) {
			return
		}
		w[k], w[p] = w[p], w[k]
		k = p
	}
}

func (q *dueQueue) siftDown(w []int32, k int) {
	for {
		c := 2*k + 1
		if c >= len(w) {
			return
		}
		if c+1 < len(w) && q.before(w[c+1], w[c]) {
			c++
		}
		if !q.before(w[c], w[k]) {
			return
		}
		w[k], w[c] = w[c], w[k]
		k = c
	}
}

// update puts host h into, moves it within, or takes it out of the heap of
// free hosts after its busy count or its first waiting outlet changed.
func (q *dueQueue) update(h int32) {
	hq := &q.hosts[h]
	free := hq.busy < q.perHost && len(hq.waiting) > 0
	switch {
	case free && hq.pos < 0:
		hq.pos = len(q.free)
		q.free = append(q.free, h)
		q.freeUp(hq.pos)
	case free:
		q.freeDown(q.freeUp(hq.pos))
	case hq.pos >= 0:
		k, last := hq.pos, len(q.free)-1
		q.freeSwap(k, last)
		q.free = q.free[:last]
		hq.pos = -1
		if k < last {
			q.freeDown(q.freeUp(k))
		}
	}
}

// hostBefore orders free hosts by their first waiting outlet.
func (q *dueQueue) hostBefore(a, b int32) bool {
	return q.before(q.hosts[a].waiting[0], q.hosts[b].waiting[0])
}

func (q *dueQueue) freeSwap(a, b int) {
	q.free[a], q.free[b] = q.free[b], q.free[a]
	q.hosts[q.free[a]].pos = a
	q.hosts[q.free[b]].pos = b
}

// freeUp moves the host at k up the heap and returns where it ends.
func (q *dueQueue) freeUp(k int) int {
	for k > 0 {
		p := (k - 1) / 2
		if !q.hostBefore(q.free[k], q.free[p]) {
			break
		}
		q.freeSwap(k, p)
		k = p
	}
	return k
}

func (q *dueQueue) freeDown(k int) {
	for {
		c := 2*k + 1
		if c >= len(q.free) {
			return
		}
		if c+1 < len(q.free) && q.hostBefore(q.free[c+1], q.free[c]) {
			c++
		}
		if !q.hostBefore(q.free[c], q.free[k]) {
			return
		}
		q.freeSwap(k, c)
		k = c
	}
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Hostname()
}
