package storage

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// TestHostLeases: two handles on one database file (two nodes) lease
// hosts in turn: a host held by one is refused to the other with its
// holder's expiry, renewed by its holder, taken by the other once expired
// or released, and a release of another's lease changes nothing.
func TestHostLeases(t *testing.T) { eachEngine(t, testHostLeases) }

func testHostLeases(t *testing.T) {
	ctx := context.Background()
	path := newDatabase(t)
	clock := newTestClock()
	dbs := map[string]*DB{"A": openAt(t, path, clock), "B": openAt(t, path, clock)}
	t0 := clock.Now()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	const ttl = 15 * time.Second

	type step struct {
		name    string
		node    string
		at      int // seconds after t0
		hosts   []string
		release bool
		// want is each host's holder and expiry (seconds after t0) after
		// the call
		want []string
	}
	for _, s := range []step{
		{name: "A takes two free hosts", node: "A", at: 0, hosts: []string{"a.example", "b.example"}, want: []string{"A@15", "A@15"}},
		{name: "B is refused A's, takes a free one", node: "B", at: 1, hosts: []string{"b.example", "c.example"}, want: []string{"A@15", "B@16"}},
		{name: "A renews one", node: "A", at: 10, hosts: []string{"a.example"}, want: []string{"A@25"}},
		{name: "B takes A's expired host, not the renewed one", node: "B", at: 15, hosts: []string{"a.example", "b.example"}, want: []string{"A@25", "B@30"}},
		{name: "A cannot take it back", node: "A", at: 16, hosts: []string{"b.example"}, want: []string{"B@30"}},
		{name: "A's release of B's host changes nothing", node: "A", at: 17, hosts: []string{"b.example", "c.example"}, release: true},
		{name: "A still cannot take b, takes c that B let expire", node: "A", at: 18, hosts: []string{"b.example", "c.example"}, want: []string{"B@30", "A@33"}},
		{name: "B releases b", node: "B", at: 19, hosts: []string{"b.example"}, release: true},
		{name: "A takes b at once", node: "A", at: 20, hosts: []string{"b.example"}, want: []string{"A@35"}},
		{name: "a stays A's after it expired", node: "A", at: 100, hosts: []string{"a.example"}, want: []string{"A@115"}},
	} {
		t.Run(s.name, func(t *testing.T) {
			db := dbs[s.node]
			if s.release {
				if err := db.ReleaseHosts(ctx, s.node, s.hosts); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := db.LeaseHosts(ctx, s.node, s.hosts, ttl, at(s.at))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(s.want) {
				t.Fatalf("%d leases, want %d", len(got), len(s.want))
			}
			for i, l := range got {
				g := fmt.Sprintf("%s@%d", l.Holder, int(l.Until.Sub(t0)/time.Second))
				if l.Host != s.hosts[i] || g != s.want[i] {
					t.Errorf("%s: %s %s, want %s", s.hosts[i], l.Host, g, s.want[i])
				}
			}
		})
	}
	if _, err := dbs["A"].LeaseHosts(ctx, "", []string{"a.example"}, ttl, t0); err == nil {
		t.Error("a lease for an empty node name was taken")
	}
}

// TestHostLeasesExclusive: nodes on their own handles of one file lease
// overlapping hosts at once, renewing and releasing; at every moment each
// host has at most one holder whose lease is in force, as the nodes see
// their grants.
func TestHostLeasesExclusive(t *testing.T) { eachEngine(t, testHostLeasesExclusive) }

func testHostLeasesExclusive(t *testing.T) {
	ctx := context.Background()
	path := newDatabase(t)
	clock := newTestClock()
	const nodes, hosts, rounds = 3, 8, 40
	const ttl = 5 * time.Second
	names := make([]string, hosts)
	for i := range names {
		names[i] = fmt.Sprintf("h%d.example", i)
	}
	t0 := clock.Now()

	// grants[round][host] lists the nodes granted the host at that round;
	// every node uses the same moment for a round.
	var mu sync.Mutex
	grants := make([]map[string][]string, rounds)
	for r := range grants {
		grants[r] = map[string][]string{}
	}
	var wg sync.WaitGroup
	errs := make(chan error, nodes)
	for n := range nodes {
		db := openAt(t, path, clock)
		node := fmt.Sprintf("node-%d", n)
		wg.Go(func() {
			for r := range rounds {
				// every third round a node lets its leases lapse (3 s a
				// round: a 5 s lease outlives one round, not two) or
				// releases them
				now := t0.Add(time.Duration(r) * 3 * time.Second)
				if (r+n)%3 == 2 {
					if n == 0 {
						if err := db.ReleaseHosts(ctx, node, names); err != nil {
							errs <- err
							return
						}
					}
					continue
				}
				got, err := db.LeaseHosts(ctx, node, names, ttl, now)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for _, l := range got {
					if l.Holder == node {
						grants[r][l.Host] = append(grants[r][l.Host], node)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	taken := 0
	for r, g := range grants {
		for h, holders := range g {
			taken++
			if len(holders) > 1 {
				t.Errorf("round %d: host %s granted to %v", r, h, holders)
			}
		}
	}
	if taken == 0 {
		t.Error("no host was ever granted")
	}
}

// TestOutletStates: the batched read of outlet states gives what
// OutletState gives each, including a state saved and not yet written,
// and leaves out unknown names.
func TestOutletStates(t *testing.T) { eachEngine(t, testOutletStates) }

func testOutletStates(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	names := make([]string, leaseChunk+3) // more than one statement's worth
	for i := range names {
		names[i] = fmt.Sprintf("outlet-%04d", i)
	}
	db := openTest(t, clock, names...)
	next := clock.Now().Add(time.Hour)
	if err := db.SaveOutletState(ctx, news.OutletState{Outlet: news.Outlet{Name: names[leaseChunk+1]}, LastFetch: clock.Now(), NextPoll: next}); err != nil {
		t.Fatal(err)
	}
	got, err := db.OutletStates(ctx, append(names[1:], "no such outlet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(names)-1 {
		t.Errorf("%d states, want %d", len(got), len(names)-1)
	}
	for _, n := range names[1:] {
		want, err := db.OutletState(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if got[n] != want {
			t.Errorf("%s: %+v, want %+v", n, got[n], want)
		}
	}
	if st := got[names[leaseChunk+1]]; !st.NextPoll.Equal(next) {
		t.Errorf("queued state's next poll %v, want %v", st.NextPoll, next)
	}
	if _, ok := got[names[0]]; ok {
		t.Error("an outlet not asked for was returned")
	}
}

// TestReleaseHolder: the leases of a node known to be gone are ended at
// once, and only its own.
func TestReleaseHolder(t *testing.T) { eachEngine(t, testReleaseHolder) }

func testReleaseHolder(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	db := openTest(t, clock)
	now := clock.Now()
	for node, hosts := range map[string][]string{"dead": {"a.example", "b.example"}, "alive": {"c.example"}} {
		if _, err := db.LeaseHosts(ctx, node, hosts, time.Minute, now); err != nil {
			t.Fatal(err)
		}
	}
	holders, err := db.HostLeaseHolders(ctx)
	if err != nil || fmt.Sprint(holders) != "[alive dead]" {
		t.Fatalf("holders %v (%v), want [alive dead]", holders, err)
	}
	n, err := db.ReleaseHolder(ctx, "dead")
	if err != nil || n != 2 {
		t.Fatalf("released %d (%v), want 2", n, err)
	}
	got, err := db.LeaseHosts(ctx, "new", []string{"a.example", "b.example", "c.example"}, time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"new", "new", "alive"} {
		if got[i].Holder != want {
			t.Errorf("%s held by %s, want %s", got[i].Host, got[i].Holder, want)
		}
	}
}
