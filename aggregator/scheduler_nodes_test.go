package aggregator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
	"github.com/topicfeed/topicfeed/storage/pgtest"
)

// eachEngine runs fn once per storage engine, as the subtests "sqlite"
// and "postgres", with where a new, empty database of that engine is (a
// file path, or a database of the test cluster: pgtest skips without one).
func eachEngine(t *testing.T, fn func(t *testing.T, path string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "topicfeed.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.NewDatabase(t)) })
}

// dbLeaser is the database's leases in the scheduler's terms, as app wires
// them.
type dbLeaser struct{ *storage.DB }

func (d dbLeaser) LeaseHosts(ctx context.Context, node string, hosts []string, ttl time.Duration, now time.Time) ([]HostLease, error) {
	ls, err := d.DB.LeaseHosts(ctx, node, hosts, ttl, now)
	out := make([]HostLease, len(ls))
	for i, l := range ls {
		out[i] = HostLease(l)
	}
	return out, err
}

// nodeLeaser wraps a node's leaser: it records the leases granted to the
// node, and once killed (or while failing is set) it fails every call, as
// a dead process or an unreachable database writes nothing.
type nodeLeaser struct {
	HostLeaser
	node    string
	killed  atomic.Bool
	failing atomic.Int32 // calls still to fail
	calls   atomic.Int32

	mu    sync.Mutex
	until map[string]time.Time // host → latest lease end granted to node, while not released
}

var errNodeDown = errors.New("database unreachable")

func (l *nodeLeaser) down() bool {
	l.calls.Add(1)
	if l.killed.Load() {
		return true
	}
	return l.failing.Add(-1) >= 0
}

func (l *nodeLeaser) LeaseHosts(ctx context.Context, node string, hosts []string, ttl time.Duration, now time.Time) ([]HostLease, error) {
	if l.down() {
		return nil, errNodeDown
	}
	ls, err := l.HostLeaser.LeaseHosts(ctx, node, hosts, ttl, now)
	l.mu.Lock()
	for _, x := range ls {
		if x.Holder == node && x.Until.After(l.until[x.Host]) {
			l.until[x.Host] = x.Until
		}
	}
	l.mu.Unlock()
	return ls, err
}

func (l *nodeLeaser) ReleaseHosts(ctx context.Context, node string, hosts []string) error {
	if l.killed.Load() {
		return errNodeDown
	}
	err := l.HostLeaser.ReleaseHosts(ctx, node, hosts)
	if err == nil {
		l.mu.Lock()
		for _, h := range hosts {
			delete(l.until, h)
		}
		l.mu.Unlock()
	}
	return err
}

func (l *nodeLeaser) OutletStates(ctx context.Context, names []string) (map[string]news.OutletState, error) {
	if l.killed.Load() {
		return nil, errNodeDown
	}
	return l.HostLeaser.OutletStates(ctx, names)
}

// hostFarm is a set of feed servers, one per loopback address (so one
// host each as the scheduler sees them), that count each outlet's
// requests, note when each host was first asked, and record the most
// requests one host had in flight at once.
type hostFarm struct {
	hosts []string // base URLs
	delay time.Duration

	mu        sync.Mutex
	requests  map[string]int // path → requests
	inFlight  map[string]int // host → requests in flight
	maxFlight int
	asked     map[string][]time.Time // host → when each request came
	pathTimes map[string][]time.Time // path → when each request came
}

func newHostFarm(t *testing.T, n int, delay time.Duration) *hostFarm {
	f := &hostFarm{delay: delay, requests: map[string]int{}, inFlight: map[string]int{}, asked: map[string][]time.Time{}, pathTimes: map[string][]time.Time{}}
	for k := range n {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", k+1))
		if err != nil {
			t.Skipf("loopback address 127.0.0.%d: %v", k+1, err)
		}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		t.Cleanup(srv.Close)
		f.hosts = append(f.hosts, srv.URL)
	}
	return f
}

func (f *hostFarm) serve(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.Host)
	f.mu.Lock()
	f.requests[r.URL.Path]++
	f.inFlight[host]++
	f.maxFlight = max(f.maxFlight, f.inFlight[host])
	f.asked[host] = append(f.asked[host], time.Now())
	f.pathTimes[r.URL.Path] = append(f.pathTimes[r.URL.Path], time.Now())
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight[host]--
		f.mu.Unlock()
	}()
	time.Sleep(f.delay)
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%[1]s</title><link>https://outlet.example%[1]s</link>
<item><title>Report %[1]s</title><link>https://outlet.example%[1]s/1</link><guid>%[1]s/1</guid>
<pubDate>Mon, 02 Jan 2023 10:00:00 +0000</pubDate><description>Text of %[1]s.</description></item></channel></rss>`, r.URL.Path)
}

// counts returns each outlet path's requests so far and the total.
func (f *hostFarm) counts() (map[string]int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.requests))
	total := 0
	for p, n := range f.requests {
		out[p] = n
		total += n
	}
	return out, total
}

// checkOnce checks that each of outs was asked exactly once, and nothing
// else.
func (f *hostFarm) checkOnce(t *testing.T, outs []Outlet) {
	t.Helper()
	counts, total := f.counts()
	for _, o := range outs {
		if n := counts["/"+o.Name]; n != 1 {
			t.Errorf("%s polled %d times, want once", o.Name, n)
		}
	}
	if total != len(outs) {
		t.Errorf("%d requests, want %d", total, len(outs))
	}
}

// outlets are perHost outlets on each of the farm's hosts.
func (f *hostFarm) outlets(perHost int) []Outlet {
	var outs []Outlet
	for h, base := range f.hosts {
		for k := range perHost {
			name := fmt.Sprintf("h%do%d", h, k)
			outs = append(outs, Outlet{Outlet: news.Outlet{Name: name, Slug: name, URL: base + "/" + name}, Interval: time.Hour})
		}
	}
	return outs
}

// testNode is one topicfeed process polling the shared database file.
type testNode struct {
	name   string
	db     *storage.DB
	leaser *nodeLeaser
	sched  *Scheduler
}

func newTestNode(t *testing.T, path, name string, outs []Outlet, ttl time.Duration, log *slog.Logger) *testNode {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	list := make([]news.Outlet, len(outs))
	for i, o := range outs {
		list[i] = o.Outlet
	}
	if err := db.SyncOutlets(ctx, list); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Now().UTC() }
	p := NewPoller(PollerDeps{
		Fetcher:    fetcher.New(fetcher.Options{AllowPrivateNetworks: true, Timeout: 5 * time.Second, Now: now}),
		Normalizer: normalize.New(normalize.DefaultRules()), Tagger: termTagger{},
		Stories: cluster.New(cluster.Options{Now: now}), Store: db, Now: now, Log: discard(),
	})
	l := &nodeLeaser{HostLeaser: dbLeaser{db}, node: name, until: map[string]time.Time{}}
	s := NewScheduler(p, db, outs, SchedulerOptions{Workers: 2, PerHost: 1, Leaser: l, Node: name, LeaseTTL: ttl}, now, log)
	return &testNode{name: name, db: db, leaser: l, sched: s}
}

// run runs the node's scheduler until the returned stop is called; stop
// waits for it to end.
func (n *testNode) run(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = n.sched.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// waitPolled waits until the farm has answered want requests, for up to
// limit (a bound against a hang, not a speed claim).
func waitPolled(t *testing.T, f *hostFarm, want int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if _, total := f.counts(); total >= want {
			return
		}
		if time.Now().After(deadline) {
			counts, total := f.counts()
			t.Fatalf("%d requests after %v, want %d: %v", total, limit, want, counts)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNodesPollEachOutletOnce: two nodes (two schedulers, each on its own
// handle of one database file) run at once over the same outlets on
// several hosts: every outlet is polled exactly once in the round, and no
// host is ever asked twice at once across the nodes (PerHost 1).
func TestNodesPollEachOutletOnce(t *testing.T) { eachEngine(t, testNodesPollEachOutletOnce) }

func testNodesPollEachOutletOnce(t *testing.T, path string) {
	farm := newHostFarm(t, 6, 10*time.Millisecond)
	outs := farm.outlets(4)
	a := newTestNode(t, path, "node-a", outs, 2*time.Second, discard())
	b := newTestNode(t, path, "node-b", outs, 2*time.Second, discard())
	ctx := context.Background()
	stopA, stopB := a.run(ctx), b.run(ctx)
	waitPolled(t, farm, len(outs), 30*time.Second)
	// both nodes' rounds are over once each says every outlet was polled
	for _, n := range []*testNode{a, b} {
		select {
		case <-n.sched.FirstRound():
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: first round not over", n.name)
		}
	}
	stopA()
	stopB()

	farm.checkOnce(t, outs)
	if farm.maxFlight > 1 {
		t.Errorf("a host had %d requests in flight at once across the nodes, want at most 1", farm.maxFlight)
	}
	for _, n := range []*testNode{a, b} {
		if st := n.sched.LeaseStats(); st.Held != 0 {
			t.Errorf("%s holds %d host leases after it stopped, want 0 (released)", n.name, st.Held)
		}
	}
}

// TestNodeKilledMidRound: a node is killed mid-round (its context cancelled
// and its database writes failing, so that it releases nothing): the other
// node polls the outlets the dead one had not polled, each once, and asks
// none of the dead node's hosts before that node's lease of it ended.
func TestNodeKilledMidRound(t *testing.T) { eachEngine(t, testNodeKilledMidRound) }

func testNodeKilledMidRound(t *testing.T, path string) {
	farm := newHostFarm(t, 6, 20*time.Millisecond)
	outs := farm.outlets(4)
	const ttl = 600 * time.Millisecond
	a := newTestNode(t, path, "node-a", outs, ttl, discard())
	b := newTestNode(t, path, "node-b", outs, ttl, discard())
	ctx := context.Background()

	stopA := a.run(ctx)
	waitPolled(t, farm, 3, 30*time.Second)
	a.leaser.killed.Store(true)
	stopA() // in-flight polls finish within the grace, as a kill's would not: they stored their fetch
	_, byA := farm.counts()
	if byA >= len(outs) {
		t.Fatalf("node a polled all %d outlets before it was killed: nothing left to take over", byA)
	}
	killedAt := time.Now()
	a.leaser.mu.Lock()
	aUntil := make(map[string]time.Time, len(a.leaser.until))
	for h, u := range a.leaser.until {
		aUntil[h] = u
	}
	a.leaser.mu.Unlock()
	if len(aUntil) == 0 {
		t.Fatal("node a held no host lease when it was killed")
	}

	stopB := b.run(ctx)
	waitPolled(t, farm, len(outs), 30*time.Second)
	tookOver := time.Since(killedAt)
	stopB()

	farm.checkOnce(t, outs)
	farm.mu.Lock()
	defer farm.mu.Unlock()
	for host, until := range aUntil {
		asked := farm.asked[host]
		for _, at := range asked {
			if at.After(killedAt) && at.Before(until) {
				t.Errorf("host %s asked at %v, before node a's lease of it ended (%v)", host, at.Sub(killedAt), until.Sub(killedAt))
			}
		}
	}
	t.Logf("node a polled %d outlets before the kill; node b polled the other %d within %v (lease ttl %v)", byA, len(outs)-byA, tookOver.Round(time.Millisecond), ttl)
}

// countingHandler counts the records logged at each level.
type countingHandler struct {
	slog.Handler
	mu     sync.Mutex
	levels map[slog.Level]int
}

func (h *countingHandler) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	h.levels[r.Level]++
	h.mu.Unlock()
	return nil
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *countingHandler) count(l slog.Level) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.levels[l]
}

// TestLeaseOutage: lease calls failing (the database restarting) make the
// scheduler wait and retry; once they succeed every outlet is polled
// once, and the outage is logged once, not per outlet or per retry.
func TestLeaseOutage(t *testing.T) { eachEngine(t, testLeaseOutage) }

func testLeaseOutage(t *testing.T, path string) {
	farm := newHostFarm(t, 4, 0)
	outs := farm.outlets(3)
	h := &countingHandler{levels: map[slog.Level]int{}}
	n := newTestNode(t, path, "node-a", outs, 2*time.Second, slog.New(h))
	n.leaser.failing.Store(3)
	stop := n.run(context.Background())
	waitPolled(t, farm, len(outs), 30*time.Second)
	<-n.sched.FirstRound()
	stop()
	counts, total := farm.counts()
	if total != len(outs) {
		t.Errorf("%d requests, want %d: %v", total, len(outs), counts)
	}
	if c := n.leaser.calls.Load(); c < 4 {
		t.Errorf("%d lease calls, want the 3 failures and a retry", c)
	}
	if w := h.count(slog.LevelWarn); w != 1 {
		t.Errorf("%d warnings for one outage, want 1", w)
	}
	if i := h.count(slog.LevelInfo); i != 1 {
		t.Errorf("%d infos, want 1 (leases taken again)", i)
	}
}

// TestRoundSkipsOthersHosts: a one-shot round (poll from cron) beside a
// node that holds a host leaves that host's outlets to it (reported
// skipped) and polls the rest.
func TestRoundSkipsOthersHosts(t *testing.T) { eachEngine(t, testRoundSkipsOthersHosts) }

func testRoundSkipsOthersHosts(t *testing.T, path string) {
	farm := newHostFarm(t, 2, 0)
	outs := farm.outlets(2)
	serve := newTestNode(t, path, "serve", outs, time.Minute, discard())
	held := hostOf(outs[0].URL)
	if _, err := serve.db.LeaseHosts(context.Background(), "serve", []string{held}, time.Minute, time.Now()); err != nil {
		t.Fatal(err)
	}
	cron := newTestNode(t, path, "cron", outs, time.Minute, discard())
	results, skipped, err := cron.sched.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range outs {
		if hostOf(o.URL) == held {
			want = append(want, o.Name)
		}
	}
	if fmt.Sprint(skipped) != fmt.Sprint(want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
	if len(results) != len(outs)-len(want) {
		t.Errorf("%d results, want %d", len(results), len(outs)-len(want))
	}
	if st := cron.sched.LeaseStats(); st.Refused != 1 || st.Held != 0 {
		t.Errorf("lease stats %+v, want 1 refused, none held after the round", st)
	}
}

// TestNodesKeepSchedule: two nodes polling the same outlets, each due
// every 400 ms, over several rounds: no outlet is asked sooner after its
// last request than its schedule allows, whichever node polls it. One
// outlet a host and a short lease: a node releases a host between polls,
// so that the hosts change hands.
func TestNodesKeepSchedule(t *testing.T) { eachEngine(t, testNodesKeepSchedule) }

func testNodesKeepSchedule(t *testing.T, path string) {
	if testing.Short() {
		t.Skip("runs several poll rounds")
	}
	farm := newHostFarm(t, 6, 5*time.Millisecond)
	outs := farm.outlets(1)
	const every = 400 * time.Millisecond
	for i := range outs {
		outs[i].Interval, outs[i].MinInterval, outs[i].MaxInterval = every, every, every
	}
	a := newTestNode(t, path, "node-a", outs, time.Second, discard())
	b := newTestNode(t, path, "node-b", outs, time.Second, discard())
	var byA, byB pollCounter
	a.sched.opts.Observer, b.sched.opts.Observer = &byA, &byB
	ctx := context.Background()
	stopA, stopB := a.run(ctx), b.run(ctx)
	waitPolled(t, farm, 5*len(outs), 30*time.Second) // five rounds at least
	stopA()
	stopB()

	farm.mu.Lock()
	defer farm.mu.Unlock()
	// A request may come a little after its poll began (LastFetch, from
	// which the next poll counts): allow that much.
	const slack = 50 * time.Millisecond
	for _, o := range outs {
		times := farm.pathTimes["/"+o.Name]
		for k := 1; k < len(times); k++ {
			if gap := times[k].Sub(times[k-1]); gap < every-slack {
				t.Errorf("%s asked %v after its previous request, want at least %v", o.Name, gap.Round(time.Millisecond), every)
			}
		}
	}
	t.Logf("polls: node a %d, node b %d", byA.n.Load(), byB.n.Load())
}

// pollCounter counts a node's polls.
type pollCounter struct{ n atomic.Int32 }

func (c *pollCounter) ObservePoll(Result)               { c.n.Add(1) }
func (c *pollCounter) ObserveLag(string, time.Duration) {}
