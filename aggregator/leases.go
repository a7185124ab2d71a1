package aggregator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// Several nodes (serve processes, a poll from cron) may poll the outlets
// of one database. A node polls an outlet only while it holds the lease
// of the outlet's host, kept in the database: so an outlet is polled by
// one node at a time, and the per-host limit and politeness hold across
// nodes with no shared counters.
//
// The scheduler keeps its own due queue. Before it dispatches an outlet
// whose host it does not hold with half a lease's time to run, it leases
// in one call the hosts of the outlets due within an eighth of the lease
// time (not one call per outlet: the steady round stays cheap). A host it
// takes (again) may have been polled by another node meanwhile: the
// stored states of its waiting outlets are read, and an outlet whose
// stored last fetch is after the latest this node knows of waits for its
// stored next poll. A host another node holds has its outlets wait for
// the later of that lease's end and (when that node polled them) their
// stored next poll; a one-shot round skips them instead. Leases of hosts
// with polls in flight are renewed every third of their time; a host with
// no poll in flight and no outlet due soon is released (in batches, at
// most once a second), so that a node holds a host only while it polls
// it; everything is released when the scheduler stops. A node that dies
// keeps its hosts until their leases expire, and then the other nodes
// take them: nothing is lost, polls are at most a lease's time late.
//
// Node clocks must agree to well within a lease's time: expiry and "polled
// since" compare times written by different nodes.

// HostLeaser is the shared database as the scheduler divides the hosts
// between the nodes polling it.
type HostLeaser interface {
	// LeaseHosts takes for node, until now+ttl, the leases of hosts that
	// are free, expired or node's already (renewing them), and returns
	// each host's lease after the call in the order of hosts.
	LeaseHosts(ctx context.Context, node string, hosts []string, ttl time.Duration, now time.Time) ([]HostLease, error)
	// ReleaseHosts ends node's leases of hosts.
	ReleaseHosts(ctx context.Context, node string, hosts []string) error
	// OutletStates returns the stored states of the outlets named, by
	// name; another node may have polled them.
	OutletStates(ctx context.Context, names []string) (map[string]news.OutletState, error)
}

// HostLease is a host's lease: who holds it, until when.
type HostLease struct {
	Host   string
	Holder string
	Until  time.Time
}

// Why a round skips an outlet (hostLeases.skip).
const (
	skipHeld   = "its host is another node's"
	skipNotDue = "another node polled it, not due"
)

// DefaultLeaseTTL is how long a host lease lasts unless renewed. A poll
// must end well within half of it (see SchedulerOptions.LeaseTTL).
const DefaultLeaseTTL = 2 * time.Minute

// Lease retry after a failed lease call (the database down or
// restarting): doubling from leaseRetryMin to leaseRetryMax, with jitter.
const (
	leaseRetryMin = 500 * time.Millisecond
	leaseRetryMax = 30 * time.Second
)

// NewNodeName returns a name for this process among the nodes sharing a
// database: the host name, the process id and a random suffix, so that a
// restarted process is a new node.
func NewNodeName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "node"
	}
	return fmt.Sprintf("%s-%d-%08x", host, os.Getpid(), rand.Uint32())
}

// NodeOf parses a name NewNodeName made into its host name and process id.
func NodeOf(name string) (host string, pid int, ok bool) {
	k := strings.LastIndexByte(name, '-')
	if k < 0 || len(name)-k-1 != 8 {
		return "", 0, false
	}
	if _, err := strconv.ParseUint(name[k+1:], 16, 32); err != nil {
		return "", 0, false
	}
	host, pidText := name[:k], ""
	if j := strings.LastIndexByte(host, '-'); j > 0 {
		host, pidText = host[:j], host[j+1:]
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return "", 0, false
	}
	return host, pid, true
}

// LeaseStats is what a node holds of the host leases, for metrics.
type LeaseStats struct {
	// Held is the number of hosts whose lease this node holds.
	Held int
	// Refused counts the hosts this node wanted while another node held
	// them; Lost, the hosts another node took over once this node's lease
	// of them had expired (its renewal failed or came late).
	Refused, Lost uint64
}

// LeaseStats reports the host leases the scheduler holds now (zero
// without a HostLeaser). It is safe to call at any time.
func (s *Scheduler) LeaseStats() LeaseStats {
	st := LeaseStats{Refused: s.refused.Load(), Lost: s.lost.Load()}
	now := s.now().UnixNano()
	for i := range s.leaseUntil {
		if s.leaseUntil[i].Load() > now {
			st.Held++
		}
	}
	return st
}

// hostLeases is the leasing of one run of the scheduler's loop. It is
// used by the loop's goroutine only (the counters it updates are atomic
// for LeaseStats).
type hostLeases struct {
	s  *Scheduler
	q  *dueQueue
	lr HostLeaser
	// round: a one-shot round (RunOnce, RunDue) does not wait for hosts
	// that other nodes hold, nor for stored next polls: such outlets are
	// retired (skip). forced: the round polls outlets whatever their
	// stored next poll (RunOnce).
	round, forced bool
	skip          func(i int, why string)
	// seen is told of the stored state read of a waiting outlet.
	seen func(i int, st news.OutletState)
	// known is, by outlet, the latest fetch this node knows of: its
	// stored last fetch when the loop began, or the end of this node's
	// own last poll of it. A stored last fetch after it is another
	// node's poll, whose next poll is then waited for; otherwise this
	// node's own schedule stands (startAt's, its own results').
	known []time.Time

	ttl       time.Duration
	lookahead time.Duration // hosts of outlets due this soon are leased with the head's
	batch     int           // hosts leased in one call at most

	fails       int
	retryAt     time.Time
	outageSince time.Time
	everHeld    []bool // by host: this node held its lease in this run

	// idle are hosts whose last poll in flight ended: released, in one
	// call a releaseEvery, unless an outlet of theirs is due by then.
	idle        []int32
	isIdle      []bool
	lastRelease time.Time
}

// releaseEvery is how often the leases of idle hosts are released at
// most (one write a second), so that the other nodes may poll them.
const releaseEvery = time.Second

func (s *Scheduler) newHostLeases(q *dueQueue) *hostLeases {
	return &hostLeases{
		s: s, q: q, lr: s.opts.Leaser,
		ttl:       s.opts.LeaseTTL,
		lookahead: s.opts.LeaseTTL / 8,
		batch:     max(64, 4*s.opts.Workers),
		everHeld:  make([]bool, s.nHosts),
		isIdle:    make([]bool, s.nHosts),
	}
}

func (l *hostLeases) until(h int32) time.Time {
	ns := l.s.leaseUntil[h].Load()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

func (l *hostLeases) setUntil(h int32, t time.Time) {
	if t.IsZero() {
		l.s.leaseUntil[h].Store(0)
		return
	}
	l.s.leaseUntil[h].Store(t.UnixNano())
}

// fresh reports whether this node holds host h's lease for at least half
// its time more: a poll started now ends before the lease does, even
// when no renewal gets through.
func (l *hostLeases) fresh(h int32, now time.Time) bool {
	return l.until(h).Sub(now) >= l.ttl/2
}

// acquire leases, in one call, the hosts of the outlets due by now plus
// the lookahead whose lease this node does not hold fresh, earliest first,
// and reschedules (or, in a round, retires) the outlets of the hosts it
// did not get. The queue's head is due by now: afterwards its host is
// fresh, or its outlets wait (for another node's lease, their stored next
// poll or the retry after a failure).
func (l *hostLeases) acquire(ctx context.Context, now time.Time) {
	var hosts []int32
	l.q.hostsDueBy(now.Add(l.lookahead), func(h int32) bool {
		if !l.fresh(h, now) {
			hosts = append(hosts, h)
		}
		return len(hosts) < l.batch
	})
	if len(hosts) == 0 {
		return
	}
	if now.Before(l.retryAt) {
		l.wait(hosts, l.retryAt)
		return
	}
	names := make([]string, len(hosts))
	for k, h := range hosts {
		names[k] = l.s.hostNames[h]
	}
	leases, err := l.lr.LeaseHosts(ctx, l.s.opts.Node, names, l.ttl, now)
	if err == nil && len(leases) != len(hosts) {
		err = fmt.Errorf("%d leases for %d hosts", len(leases), len(hosts))
	}
	if err != nil {
		l.failed(ctx, now, err, hosts)
		return
	}
	var taken []int32
	var others []HostLease
	var otherHosts []int32
	for k, ls := range leases {
		h := hosts[k]
		if ls.Holder == l.s.opts.Node {
			// a lease this node held without a break needs no look at
			// the stored state: no other node polled the host meanwhile
			if !l.until(h).After(now) {
				taken = append(taken, h)
			}
			l.setUntil(h, ls.Until)
			l.everHeld[h] = true
			continue
		}
		l.setUntil(h, time.Time{})
		if l.everHeld[h] {
			l.s.lost.Add(1)
			l.everHeld[h] = false
		} else {
			l.s.refused.Add(1)
		}
		others = append(others, ls)
		otherHosts = append(otherHosts, h)
	}
	var states map[string]news.OutletState
	if need := l.waitingOf(taken, otherHosts); len(need) > 0 {
		states, err = l.lr.OutletStates(ctx, need)
		if err != nil {
			// taken hosts are not polled before their outlets' stored
			// state is read: forgotten here, they are taken again (as
			// this node's own) on the retry
			for _, h := range taken {
				l.setUntil(h, time.Time{})
			}
			l.failed(ctx, now, err, hosts)
			return
		}
	}
	l.recovered(now)
	for _, h := range taken {
		l.q.reschedule(h, func(i int) (time.Time, bool) {
			st, ok := states[l.s.outlets[i].Name]
			if !ok {
				return l.q.due[i], true
			}
			l.seen(i, st)
			if !l.polledElsewhere(i, st) {
				return l.q.due[i], true
			}
			switch {
			case l.forced:
				return l.q.due[i], true
			case l.round:
				if !st.Disabled && st.NextPoll.After(now) {
					l.skip(i, skipNotDue)
					return time.Time{}, false
				}
				return l.q.due[i], true
			}
			return laterOf(l.q.due[i], st.NextPoll), true
		})
	}
	for k, h := range otherHosts {
		until := others[k].Until
		l.q.reschedule(h, func(i int) (time.Time, bool) {
			st, ok := states[l.s.outlets[i].Name]
			if ok {
				l.seen(i, st)
			}
			if l.round {
				l.skip(i, skipHeld)
				return time.Time{}, false
			}
			due := laterOf(l.q.due[i], until)
			if ok && l.polledElsewhere(i, st) {
				due = laterOf(due, st.NextPoll)
			}
			return due, true
		})
	}
}

// polledElsewhere reports whether the stored state of outlet i shows a
// fetch after the latest this node knows of (another node's), and notes
// it as known.
func (l *hostLeases) polledElsewhere(i int, st news.OutletState) bool {
	if !st.LastFetch.After(l.known[i]) {
		return false
	}
	l.known[i] = st.LastFetch
	return true
}

// waitingOf names the outlets waiting in the queue of taken hosts (which
// are read again) and of others' hosts (whose stored next poll is waited
// for, unless the round is forced).
func (l *hostLeases) waitingOf(taken, others []int32) []string {
	var names []string
	add := func(hosts []int32) {
		for _, h := range hosts {
			for _, i := range l.q.hosts[h].waiting {
				names = append(names, l.s.outlets[i].Name)
			}
		}
	}
	if !l.forced {
		add(taken)
		if !l.round {
			add(others)
		}
	}
	return names
}

// failed backs off after a failed lease call: the outlets of hosts wait
// until the retry; the first failure of an outage is logged.
func (l *hostLeases) failed(ctx context.Context, now time.Time, err error, hosts []int32) {
	if ctx.Err() != nil {
		return // shutting down: nothing is dispatched any more
	}
	d := min(leaseRetryMin<<min(l.fails, 16), leaseRetryMax)
	d = d/2 + rand.N(d/2+1)
	l.fails++
	l.retryAt = now.Add(d)
	if l.outageSince.IsZero() {
		l.outageSince = now
		l.s.log.Warn("host leases cannot be taken: polls wait for the database", "node", l.s.opts.Node, "error", err.Error(), "retry_in", d.Round(time.Millisecond))
	} else {
		l.s.log.Debug("host leases still cannot be taken", "node", l.s.opts.Node, "error", err.Error(), "retry_in", d.Round(time.Millisecond))
	}
	l.wait(hosts, l.retryAt)
}

func (l *hostLeases) recovered(now time.Time) {
	if !l.outageSince.IsZero() {
		l.s.log.Info("host leases taken again", "node", l.s.opts.Node, "outage", now.Sub(l.outageSince).Round(time.Millisecond))
	}
	l.fails, l.outageSince, l.retryAt = 0, time.Time{}, time.Time{}
}

// wait moves the waiting outlets of hosts due before t to t.
func (l *hostLeases) wait(hosts []int32, t time.Time) {
	for _, h := range hosts {
		l.q.reschedule(h, func(i int) (time.Time, bool) { return laterOf(l.q.due[i], t), true })
	}
}

// renew renews the leases of the hosts with polls in flight.
func (l *hostLeases) renew(ctx context.Context, now time.Time) {
	var hosts []int32
	var names []string
	for h := range l.q.hosts {
		if l.q.hosts[h].busy > 0 {
			hosts = append(hosts, int32(h))
			names = append(names, l.s.hostNames[h])
		}
	}
	if len(hosts) == 0 {
		return
	}
	leases, err := l.lr.LeaseHosts(ctx, l.s.opts.Node, names, l.ttl, now)
	if err == nil && len(leases) != len(hosts) {
		err = fmt.Errorf("%d leases for %d hosts", len(leases), len(hosts))
	}
	if err != nil {
		if ctx.Err() == nil && l.outageSince.IsZero() {
			l.outageSince = now
			l.s.log.Warn("host leases cannot be renewed", "node", l.s.opts.Node, "error", err.Error())
		}
		return
	}
	l.recovered(now)
	for k, ls := range leases {
		h := hosts[k]
		if ls.Holder == l.s.opts.Node {
			l.setUntil(h, ls.Until)
			continue
		}
		// expired before this renewal and taken over: the poll in flight
		// may overlap the new holder's
		l.setUntil(h, time.Time{})
		l.everHeld[h] = false
		l.s.lost.Add(1)
	}
}

// finished notes that a poll of host h ended.
func (l *hostLeases) finished(h int32) {
	if l.q.hosts[h].busy == 0 && !l.isIdle[h] {
		l.isIdle[h] = true
		l.idle = append(l.idle, h)
	}
}

// releaseAt is when idle hosts are to be released (zero: none idle).
func (l *hostLeases) releaseAt() time.Time {
	if len(l.idle) == 0 {
		return time.Time{}
	}
	return l.lastRelease.Add(min(releaseEvery, l.ttl/8))
}

// releaseIdle releases, when it is time, the leases of the idle hosts
// that have no poll in flight and no outlet due within the lookahead: a
// node holds a host only while it polls it, and other nodes (a poll from
// cron) may take it.
func (l *hostLeases) releaseIdle(ctx context.Context, now time.Time) {
	at := l.releaseAt()
	if at.IsZero() || (now.Before(at) && len(l.idle) < l.batch) {
		return
	}
	l.lastRelease = now
	var names []string
	for _, h := range l.idle {
		l.isIdle[h] = false
		hq := &l.q.hosts[h]
		if hq.busy > 0 || !l.until(h).After(now) {
			continue
		}
		if len(hq.waiting) > 0 && !l.q.firstDue(h).After(now.Add(l.lookahead)) {
			continue
		}
		names = append(names, l.s.hostNames[h])
		l.setUntil(h, time.Time{})
		l.everHeld[h] = false
	}
	l.idle = l.idle[:0]
	if len(names) == 0 {
		return
	}
	if err := l.lr.ReleaseHosts(ctx, l.s.opts.Node, names); err != nil && ctx.Err() == nil {
		// they expire instead
		l.s.log.Debug("idle host leases not released", "node", l.s.opts.Node, "hosts", len(names), "error", err.Error())
	}
}

// release ends this node's leases in force.
func (l *hostLeases) release(ctx context.Context, now time.Time) {
	var names []string
	for h := range l.s.leaseUntil {
		if l.until(int32(h)).After(now) {
			names = append(names, l.s.hostNames[h])
		}
		l.setUntil(int32(h), time.Time{})
	}
	if len(names) == 0 {
		return
	}
	if err := l.lr.ReleaseHosts(ctx, l.s.opts.Node, names); err != nil {
		l.s.log.Warn("host leases not released: other nodes take them when they expire", "node", l.s.opts.Node, "hosts", len(names), "error", err.Error())
	}
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
