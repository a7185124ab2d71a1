package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
	"github.com/topicfeed/topicfeed/storage/pgtest"
)

// nodeFarm serves generated outlets on loopback, perHost outlets on each
// of hosts addresses (127.0.0.1, 127.0.0.2, ...: one host each as the
// scheduler and its leases see them), and notes every request: which
// outlet, which node (by User-Agent) and when.
type nodeFarm struct {
	perHost int
	delay   time.Duration // before each answer
	urls    []string      // outlet n's feed URL
	feeds   [][]byte      // outlet n's feed

	mu   sync.Mutex
	asks map[int][]nodeAsk // outlet → its requests, in order
}

type nodeAsk struct {
	agent string
	at    time.Time
}

// nodeEvents is the number of events that several outlets cover: outlet
// n's second item reports event n % nodeEvents, in its own words, so that
// stories group items of outlets on different hosts (polled, most of the
// time, by different nodes).
const nodeEvents = 100

func newNodeFarm(t *testing.T, hosts, perHost int, base time.Time) *nodeFarm {
	t.Helper()
	f := &nodeFarm{perHost: perHost, asks: map[int][]nodeAsk{}}
	for h := range hosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", h+1))
		if err != nil {
			t.Skipf("loopback address 127.0.0.%d: %v", h+1, err)
		}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		t.Cleanup(srv.Close)
		for k := range perHost {
			n := h*perHost + k
			f.urls = append(f.urls, fmt.Sprintf("%s/o/%d.rss", srv.URL, n))
			f.feeds = append(f.feeds, nodeFeed(n, base))
		}
	}
	return f
}

func (f *nodeFarm) serve(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/o/"), ".rss"))
	if err != nil || n < 0 || n >= len(f.feeds) || !strings.HasSuffix(f.urls[n], r.Host+r.URL.Path) {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.asks[n] = append(f.asks[n], nodeAsk{agent: r.UserAgent(), at: time.Now()})
	f.mu.Unlock()
	time.Sleep(f.delay)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	etag := fmt.Sprintf(`"n%d"`, n) // the feeds never change
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(f.feeds[n])
}

// asked returns how many outlets agent has asked (every agent when
// empty) and how many outlets were asked at all.
func (f *nodeFarm) asked(agent string) (byAgent, outlets int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, asks := range f.asks {
		outlets++
		for _, a := range asks {
			if agent == "" || a.agent == agent {
				byAgent++
				break
			}
		}
	}
	return byAgent, outlets
}

// snapshot copies the requests noted so far.
func (f *nodeFarm) snapshot() map[int][]nodeAsk {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[int][]nodeAsk, len(f.asks))
	for n, a := range f.asks {
		out[n] = append([]nodeAsk(nil), a...)
	}
	return out
}

// nodeName is outlet n's name in the configuration.
func nodeName(n int) string { return fmt.Sprintf("Node Outlet %04d", n) }

// nodeItemURL is the URL of outlet n's item k.
func nodeItemURL(n, k int) string { return fmt.Sprintf("https://n%d.example.org/news/%d", n, k) }

// nodeFeed is outlet n's feed: a report of its own and one of event
// n % nodeEvents, every item on topic, published before base.
func nodeFeed(n int, base time.Time) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Node Outlet %d</title><link>https://n%d.example.org/</link><description>test</description>
`, n, n)
	item := func(k int, title, desc string, published time.Time) {
		u := nodeItemURL(n, k)
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			title, u, u, published.Format(time.RFC1123Z), desc)
	}
	words := func(rng *rand.Rand, count int) []string {
		var w []string
		for range count {
			w = append(w, apptest.GenWords[rng.IntN(len(apptest.GenWords))])
		}
		return w
	}

	// its own report: invented names make most of its words, so that it
	// is far from every other item (a story of its own whatever the
	// order the items come in)
	rng := rand.New(rand.NewPCG(uint64(n), 0))
	var names []string
	for range 16 {
		names = append(names, apptest.InventedName(rng))
	}
	item(0, fmt.Sprintf("%s: %s tells %s of Iranian drones", names[0], names[1], names[2]),
		fmt.Sprintf("%s of %s told %s about Iranian drones in Russia's war in Ukraine. %s.", names[1], names[0], names[2], strings.Join(names[3:], " ")),
		base.Add(-time.Duration(n)*time.Minute))

	// the event: its names and facts are the event's, the wording the outlet's
	e := n % nodeEvents
	ev := rand.New(rand.NewPCG(uint64(e), 1<<40))
	evPlace, evPerson, evOther := apptest.InventedName(ev), apptest.InventedName(ev), apptest.InventedName(ev)
	facts := []string{apptest.InventedName(ev), apptest.InventedName(ev), apptest.InventedName(ev)}
	facts = append(facts, words(ev, 8)...)
	own := words(rand.New(rand.NewPCG(uint64(n), 1)), 24)
	item(1, fmt.Sprintf("%s and %s meet in %s on Iranian drones: %s", evPerson, evOther, evPlace, own[0]),
		fmt.Sprintf("%s met %s in %s to discuss Iranian drones used by Russia in Ukraine. %s. %s.",
			evPerson, evOther, evPlace, strings.Join(facts, " "), strings.Join(own[1:], " ")),
		base.Add(-time.Duration(3*e+n/nodeEvents)*time.Minute))
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// storedByURL reads every stored item of db (on topic or not) by URL:
// each URL, an item's own or a source's, must belong to one item only.
func storedByURL(t testing.TB, db *storage.DB) map[string]crashStored {
	t.Helper()
	items, err := db.Items(context.Background(), news.Query{})
	if err != nil {
		t.Fatalf("read items: %v", err)
	}
	out := make(map[string]crashStored, len(items))
	for _, it := range items {
		urls := map[string]bool{it.URL: true}
		for _, s := range it.Sources {
			urls[s.URL] = true
		}
		for u := range urls {
			if prev, dup := out[u]; dup {
				t.Errorf("URL %s is stored twice: items %s and %s", u, prev.uid, it.UID)
			}
			out[u] = crashStored{uid: it.UID, story: it.StoryID, outlet: it.Outlet}
		}
	}
	return out
}

// storyDiff lists, sorted, the URLs whose stored item differs between
// got and want: missing, another item or outlet, or grouped with other
// URLs. Story ids are compared by the grouping they make, not by name: a
// story is named after the item that started it, which depends on the
// order the items came in (a story keeps its id when an earlier item joins
// it, cluster/recluster.go), and that order differs from run to run as
// soon as two polls run at once.
func storyDiff(got, want map[string]crashStored) []string {
	gotGroups, wantGroups := storyGroups(got), storyGroups(want)
	var diff []string
	for u, w := range want {
		g, ok := got[u]
		switch {
		case !ok:
			diff = append(diff, u+": missing")
		case g.uid != w.uid || g.outlet != w.outlet:
			diff = append(diff, fmt.Sprintf("%s: item %s of %s, want %s of %s", u, g.uid, g.outlet, w.uid, w.outlet))
		case gotGroups[u] != wantGroups[u]:
			diff = append(diff, fmt.Sprintf("%s: story %s of [%s], want %s of [%s]", u, g.story, gotGroups[u], w.story, wantGroups[u]))
		}
	}
	for u := range got {
		if _, ok := want[u]; !ok {
			diff = append(diff, u+": never served")
		}
	}
	sort.Strings(diff)
	return diff
}

// storyGroups gives each URL of stored the sorted URLs of its story.
func storyGroups(stored map[string]crashStored) map[string]string {
	members := map[string][]string{}
	for u, s := range stored {
		members[s.story] = append(members[s.story], u)
	}
	out := make(map[string]string, len(stored))
	for _, m := range members {
		sort.Strings(m)
		joined := strings.Join(m, " ")
		for _, u := range m {
			out[u] = joined
		}
	}
	return out
}

var nodeNameRE = regexp.MustCompile(`msg=serving .* node=(\S+)`)

// TestNodesOnPostgres runs three `topicfeed serve` nodes on one
// PostgreSQL database over 1,000 loopback outlets on 100 hosts, with a
// 10 s host lease, and SIGKILLs one of them mid-round (the story
// assigner, when it polls too).
// The round polls every outlet, each once but for the polls the kill cut
// short (asked by the dead node, stored by none: asked again by another);
// the dead node's hosts are polled by the others once its leases end; the
// database holds every served item once, with the same items and stories
// as a single SQLite node polling the same outlets; and both live nodes
// serve the same /feed.atom and /feed.json bytes under the same ETag.
func TestNodesOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("three nodes over 1,000 outlets: skipped with -short")
	}
	dsn := pgtest.NewDatabase(t)
	const (
		hosts, perHost = 100, 10
		outlets        = hosts * perHost
		nodes          = 3
		lease          = 10 * time.Second
		concurrency    = 4
	)
	farm := newNodeFarm(t, hosts, perHost, time.Now().UTC().Truncate(time.Hour).Add(-time.Hour))
	var list []apptest.Outlet
	for n, u := range farm.urls {
		list = append(list, apptest.Outlet{nodeName(n), u})
	}
	dir := t.TempDir()
	cfg := apptest.WriteOutletsConfig(t, dir, list, fmt.Sprintf("listen: \"127.0.0.1:0\"\nallow_private_networks: true\nfetch: {timeout: 5s, lease: %s, concurrency: %d}\n", lease, concurrency))
	want := map[string]string{} // served URL → its outlet
	for n := range outlets {
		want[nodeItemURL(n, 0)], want[nodeItemURL(n, 1)] = nodeName(n), nodeName(n)
	}

	// The reference: one SQLite node (the configuration's database) polls
	// every outlet once.
	refStart := time.Now()
	ref := exec.Command(binary, "-config", cfg, "poll")
	ref.Env = append(os.Environ(), "TOPICFEED_USER_AGENT=reference")
	if out, err := ref.CombinedOutput(); err != nil {
		t.Fatalf("reference poll on SQLite: %v\n%s", err, apptest.LogTail(string(out)))
	}
	refDB, err := storage.Open(context.Background(), dir+"/data/topicfeed.db")
	if err != nil {
		t.Fatal(err)
	}
	reference := storedByURL(t, refDB)
	refDB.Close()
	for u, outlet := range want {
		if s, ok := reference[u]; !ok || s.outlet != outlet || s.story == "" {
			t.Errorf("the SQLite reference holds %s (%s) as %+v", u, outlet, s)
		}
	}
	if len(reference) != len(want) || t.Failed() {
		t.Fatalf("the SQLite reference holds %d URLs, want the %d served", len(reference), len(want))
	}
	members := map[string]int{}
	for _, s := range reference {
		members[s.story]++
	}
	grouped := 0
	for _, m := range members {
		if m > 1 {
			grouped++
		}
	}
	if grouped < nodeEvents*9/10 {
		t.Fatalf("the reference groups items of several outlets in %d stories, want most of the %d events: the test would not check grouping", grouped, nodeEvents)
	}
	t.Logf("reference (one SQLite node): %d items in %d stories, %d of several items, in %v", len(reference), len(members), grouped, time.Since(refStart).Round(time.Millisecond))
	if _, asked := farm.asked(""); asked != outlets {
		t.Fatalf("the reference poll asked %d outlets, want %d", asked, outlets)
	}
	farm.mu.Lock()
	clear(farm.asks)
	farm.mu.Unlock()

	// Three nodes on one PostgreSQL database, started at once on it empty.
	start := time.Now()
	ds := make([]*daemon, nodes)
	var wg sync.WaitGroup
	for i := range ds {
		wg.Go(func() {
			ds[i] = startServeEnv(t, cfg, []string{"TOPICFEED_DATABASE=" + dsn, fmt.Sprintf("TOPICFEED_USER_AGENT=node-%d", i)})
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	names := make([]string, nodes)
	for i, d := range ds {
		m := nodeNameRE.FindStringSubmatch(d.log())
		if m == nil {
			t.Fatalf("node %d logs no node name where it starts serving:\n%s", i, apptest.LogTail(d.log()))
		}
		names[i] = m[1]
	}

	// Mid-round, once a third of the outlets were asked, kill the story
	// assigner (node 0 when none holds it yet).
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, asked := farm.asked(""); asked >= outlets/3 {
			break
		}
		if time.Now().After(deadline) {
			_, asked := farm.asked("")
			t.Fatalf("%d outlets asked in 60 s, want %d", asked, outlets/3)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The victim polls (it asked the most outlets so far), and is the story
	// assigner too when the assigner polls: a node may hold the assigner
	// lease without holding any host.
	agent := func(i int) string { return fmt.Sprintf("node-%d", i) }
	victim, assigner, most := 0, false, -1
	for i, d := range ds {
		n, _ := farm.asked(agent(i))
		_, body := d.get(t, "/metrics")
		isAssigner := bytes.Contains(body, []byte("\ntopicfeed_story_assigner 1\n"))
		if (isAssigner && n > 0) || (!assigner && n > most) {
			victim, assigner, most = i, isAssigner && n > 0, n
		}
	}
	if err := ds[victim].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-ds[victim].done
	killed := time.Now()
	atKill := farm.snapshot()
	byVictim, _ := farm.asked(agent(victim))
	if len(atKill) >= outlets {
		t.Fatalf("every outlet was asked before the kill (%v after the start): nothing left to take over", killed.Sub(start))
	}
	t.Logf("node %d (%s, assigner: %v) killed %v after the start, having asked %d outlets; %d of %d asked", victim, names[victim],
		assigner, killed.Sub(start).Round(time.Millisecond), byVictim, len(atKill), outlets)

	// The live nodes finish the round, the dead node's hosts included.
	deadline = killed.Add(lease + 40*time.Second)
	for {
		if _, asked := farm.asked(""); asked == outlets {
			break
		}
		if time.Now().After(deadline) {
			_, asked := farm.asked("")
			t.Fatalf("%d of %d outlets asked %v after the kill", asked, outlets, time.Since(killed).Round(time.Millisecond))
		}
		time.Sleep(10 * time.Millisecond)
	}
	roundOver := time.Now()
	t.Logf("round over %v after the start, %v after the kill", roundOver.Sub(start).Round(time.Millisecond), roundOver.Sub(killed).Round(time.Millisecond))

	// Each outlet asked once, or twice when the dead node's poll of it was
	// cut short: first by the dead node before the kill, then by a live
	// one after.
	asks := farm.snapshot()
	again := 0
	for n := range outlets {
		a := asks[n]
		switch {
		case len(a) == 1:
		case len(a) == 2 && a[0].agent == agent(victim) && a[0].at.Before(killed) && a[1].agent != agent(victim) && !a[1].at.Before(killed):
			again++
		default:
			var got []string
			for _, x := range a {
				got = append(got, fmt.Sprintf("%s at %v", x.agent, x.at.Sub(start).Round(time.Millisecond)))
			}
			t.Errorf("%s asked %d times in the round: %v (killed at %v)", nodeName(n), len(a), got, killed.Sub(start).Round(time.Millisecond))
		}
	}
	if again > concurrency {
		t.Errorf("%d outlets asked again after the kill, want at most the %d polls the dead node had in flight", again, concurrency)
	}

	// The dead node's hosts: those where it asked last before the kill and
	// that still had outlets to ask. The live nodes take each over within
	// the lease time (plus a margin for this loaded machine).
	const margin = 5 * time.Second
	tookOver := 0
	var slowest time.Duration
	for h := range hosts {
		lastBy, left := "", false
		var lastAt time.Time
		for k := range perHost {
			a := atKill[h*perHost+k]
			if len(a) == 0 {
				left = true
			} else if a[0].at.After(lastAt) {
				lastBy, lastAt = a[0].agent, a[0].at
			}
		}
		if lastBy != agent(victim) || !left {
			continue
		}
		tookOver++
		var first time.Time
		for k := range perHost {
			for _, a := range asks[h*perHost+k] {
				if a.at.After(killed) && (first.IsZero() || a.at.Before(first)) {
					first = a.at
				}
			}
		}
		if d := first.Sub(killed); d > lease+margin {
			t.Errorf("host 127.0.0.%d, the dead node's, taken over %v after the kill, want within the %v lease (+%v)", h+1, d.Round(time.Millisecond), lease, margin)
		} else {
			slowest = max(slowest, d)
		}
	}
	if tookOver == 0 {
		t.Errorf("the dead node left no host half polled: nothing was taken over")
	}
	t.Logf("%d outlets asked again after the kill; %d of the dead node's hosts taken over, the last %v after the kill", again, tookOver, slowest.Round(time.Millisecond))

	// Every served item stored once, with the reference's items and
	// stories once the assigner (failed over from the dead node) settled.
	db, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline = time.Now().Add(60 * time.Second)
	var diff []string
	for {
		diff = storyDiff(storedByURL(t, db), reference)
		if len(diff) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(diff) > 0 {
		t.Errorf("PostgreSQL differs from the SQLite reference in %d URLs, first: %s", len(diff), strings.Join(diff[:min(10, len(diff))], "\n"))
	} else {
		t.Logf("stories as the reference's %v after the round", time.Since(roundOver).Round(time.Millisecond))
	}

	// Every live node serves the same feed bytes under the same ETag.
	live := []*daemon{}
	for i, d := range ds {
		if i != victim {
			live = append(live, d)
		}
	}
	for _, path := range []string{"/feed.atom", "/feed.json"} {
		deadline := time.Now().Add(15 * time.Second)
		for {
			resp0, body0 := live[0].get(t, path)
			resp1, body1 := live[1].get(t, path)
			same := resp0.StatusCode == http.StatusOK && resp1.StatusCode == http.StatusOK &&
				resp0.Header.Get("ETag") != "" && resp0.Header.Get("ETag") == resp1.Header.Get("ETag") && bytes.Equal(body0, body1)
			if same {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s differs between the live nodes 15 s after the stories settled: %s ETag %s (%d bytes), %s ETag %s (%d bytes)\n%s",
					path, resp0.Status, resp0.Header.Get("ETag"), len(body0), resp1.Status, resp1.Header.Get("ETag"), len(body1), firstDifference(body0, body1))
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for _, d := range live {
		d.stop(t)
	}
	if t.Failed() {
		for i, d := range ds {
			t.Logf("node %d log tail:\n%s", i, apptest.LogTail(d.log()))
		}
	}
}

// firstDifference shows where a and b first differ.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n%q\n%q", i, a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}

// ownCluster starts a PostgreSQL cluster for tb alone (scripts/pg), for a
// test that restarts it: the shared one (TOPICFEED_TEST_POSTGRES) serves
// other packages' tests at the same time. It returns the cluster's URL and
// directory; it is removed when tb ends.
func ownCluster(tb testing.TB) (dsn, dir string) {
	tb.Helper()
	pgtest.Cluster(tb) // skips, or fails under CI, as every PostgreSQL test
	out, err := exec.Command("../../scripts/pg", "start").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		tb.Fatalf("scripts/pg start: %v\n%s", err, stderr)
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		value = strings.Trim(value, "'")
		switch {
		case !ok:
		case name == pgtest.Env:
			dsn = value
		case name == pgtest.Env+"_DIR":
			dir = value
		}
	}
	if dsn == "" || dir == "" {
		tb.Fatalf("scripts/pg start printed no cluster:\n%s", out)
	}
	tb.Cleanup(func() {
		if out, err := exec.Command("../../scripts/pg", "stop", dir).CombinedOutput(); err != nil {
			tb.Errorf("scripts/pg stop %s: %v\n%s", dir, err, out)
		}
	})
	return dsn, dir
}

// TestPostgresRestartMidRound: PostgreSQL restarts (a fast shutdown: every
// connection cut, then a second or so refusing new ones) while a node is
// halfway through its first round. The node rides it out: the round ends
// with every outlet asked once (twice where the restart failed the poll's
// store, and then in full: the validators of a fetch not stored are not
// kept), and every item served is stored once, within seconds, not an
// outlet's interval later.
func TestPostgresRestartMidRound(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a PostgreSQL cluster: skipped with -short")
	}
	dsn, pgDir := ownCluster(t)
	const hosts, perHost, concurrency = 20, 10, 2
	farm := newNodeFarm(t, hosts, perHost, time.Now().UTC().Truncate(time.Hour).Add(-time.Hour))
	farm.delay = 30 * time.Millisecond
	var list []apptest.Outlet
	want := map[string]string{}
	for n, u := range farm.urls {
		list = append(list, apptest.Outlet{nodeName(n), u})
		want[nodeItemURL(n, 0)], want[nodeItemURL(n, 1)] = nodeName(n), nodeName(n)
	}
	cfg := apptest.WriteOutletsConfig(t, t.TempDir(), list, fmt.Sprintf("listen: \"127.0.0.1:0\"\nallow_private_networks: true\nfetch: {timeout: 5s, lease: 10s, concurrency: %d}\n", concurrency))
	d := startServeEnv(t, cfg, []string{"TOPICFEED_DATABASE=" + dsn, "TOPICFEED_USER_AGENT=node"})
	start := time.Now()
	outlets := hosts * perHost
	deadline := start.Add(60 * time.Second)
	for {
		if _, asked := farm.asked(""); asked >= outlets/3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d outlets asked in 60 s:\n%s", outlets/3, apptest.LogTail(d.log()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	restartAt := time.Now()
	if out, err := exec.Command("../../scripts/pg", "restart", pgDir).CombinedOutput(); err != nil {
		t.Fatalf("scripts/pg restart: %v\n%s", err, out)
	}
	up := time.Now()
	_, before := farm.asked("")
	if before >= outlets {
		t.Fatalf("every outlet was asked before PostgreSQL was back: the restart was not mid-round")
	}
	t.Logf("PostgreSQL restarted %v after the start (%d of %d outlets asked), down for %v", restartAt.Sub(start).Round(time.Millisecond), before, outlets, up.Sub(restartAt).Round(time.Millisecond))

	deadline = time.Now().Add(60 * time.Second)
	for {
		if _, asked := farm.asked(""); asked == outlets {
			break
		}
		if time.Now().After(deadline) {
			_, asked := farm.asked("")
			t.Fatalf("%d of %d outlets asked 60 s after the restart:\n%s", asked, outlets, apptest.LogTail(d.log()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("round over %v after the restart", time.Since(up).Round(time.Millisecond))

	db, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var missing []string
	deadline = time.Now().Add(20 * time.Second)
	for {
		stored := storedByURL(t, db)
		missing = missing[:0]
		for u, outlet := range want {
			if s, ok := stored[u]; !ok || s.outlet != outlet {
				missing = append(missing, u)
			}
		}
		if len(missing) == 0 && len(stored) == len(want) {
			break
		}
		if time.Now().After(deadline) || t.Failed() {
			sort.Strings(missing)
			t.Errorf("20 s after the round, %d of %d items not stored for their outlet (%d URLs stored), first: %v", len(missing), len(want), len(stored), missing[:min(5, len(missing))])
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// An outlet is asked again only when the restart failed its poll's
	// store: at most one poll a worker.
	again := 0
	for n, asks := range farm.snapshot() {
		switch len(asks) {
		case 1:
		case 2:
			again++
		default:
			t.Errorf("%s asked %d times, want once, or twice when the restart failed its first poll", nodeName(n), len(asks))
		}
	}
	if again > concurrency {
		t.Errorf("%d outlets asked again, want at most the %d polls in flight at the restart", again, concurrency)
	}
	t.Logf("%d outlets asked again after the restart failed their polls' store", again)
	d.stop(t)
	if t.Failed() {
		t.Logf("node log:\n%s", apptest.LogTail(apptest.GrepLines(d.log(), "level=WARN")+apptest.GrepLines(d.log(), "level=ERROR")))
	}
}
