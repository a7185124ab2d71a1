package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/storage"
)

// TestRestartReleasesDeadNode: a node of this machine whose process is
// gone (killed) leaves host leases behind; the next process to open the
// database ends them and polls those hosts at once. A node whose process
// runs (here: this test's own pid) keeps its leases, and a round leaves
// its hosts to it.
func TestRestartReleasesDeadNode(t *testing.T) {
	me, err := os.Hostname()
	if err != nil {
		t.Skipf("no host name: %v", err)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skipf("run true: %v", err)
	}
	srv := httptest.NewServer(apptest.ServeFeed(apptest.OnTopicRSS("node", 2), "application/rss+xml"))
	t.Cleanup(srv.Close)

	for _, tc := range []struct {
		name       string
		pid        int
		wantPolled int
	}{
		{"a killed node's leases end at open", gone.Process.Pid, 1},
		{"a live node keeps its leases", os.Getpid(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := apptest.WriteOutletsConfig(t, dir, []apptest.Outlet{{"Node", srv.URL + "/feed"}}, "allow_private_networks: true\n")
			db, err := storage.Open(context.Background(), filepath.Join(dir, "data", "topicfeed.db"))
			if err != nil {
				t.Fatal(err)
			}
			node := fmt.Sprintf("%s-%d-%08x", me, tc.pid, 0xdeadbeef)
			if _, err := db.LeaseHosts(context.Background(), node, []string{"127.0.0.1"}, time.Hour, time.Now()); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			polled, _, log := pollRound(t, cfg, false)
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("the round took %v: it waited for a lease it leaves to another node", took)
			}
			if len(polled) != tc.wantPolled {
				t.Errorf("polled %v, want %d outlets\n%s", polled, tc.wantPolled, log)
			}
			if released := strings.Contains(log, "gone="+node); released != (tc.wantPolled == 1) {
				t.Errorf("release of %s logged: %v, want %v\n%s", node, released, tc.wantPolled == 1, log)
			}
		})
	}
}

// TestReadyzFollowsDatabase: /readyz answers 200 while the database
// answers and 503, saying the database does not answer, once it is closed
// under the running daemon; /metrics shows the node's leases and that it
// is the story assigner.
func TestReadyzFollowsDatabase(t *testing.T) {
	srv := httptest.NewServer(apptest.ServeFeed(apptest.OnTopicRSS("ready", 2), "application/rss+xml"))
	t.Cleanup(srv.Close)
	cfg := apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Ready", srv.URL + "/feed"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	d := startServe(t, cfg)
	d.waitReady(t)

	_, metrics := d.get(t, "/metrics")
	for _, want := range []string{"\ntopicfeed_story_assigner 1\n", "\ntopicfeed_host_leases ", `topicfeed_host_lease_misses_total{reason="refused"} 0`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics without %q", strings.TrimSpace(want))
		}
	}
	if line := apptest.GrepLines(d.log(), "msg=serving"); !strings.Contains(line, " node="+d.App.node) {
		t.Errorf("the node's name is not logged at start:\n%s", d.log())
	}

	if err := d.App.db.Close(); err != nil {
		t.Fatal(err)
	}
	var resp *http.Response
	var body []byte
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, body = d.get(t, "/readyz")
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz with the database closed: %s %q after 10s, want 503", resp.Status, body)
		}
	}
	if !strings.Contains(string(body), "the database does not answer") {
		t.Errorf("/readyz with the database closed says %q, want why", body)
	}
}

// TestLeaseTTL: fetch.lease when set, else 2m or 4 × fetch.timeout, the
// longer.
func TestLeaseTTL(t *testing.T) {
	for _, c := range []struct {
		f    config.Fetch
		want time.Duration
	}{
		{config.Fetch{Timeout: 30 * time.Second}, 2 * time.Minute},
		{config.Fetch{Timeout: time.Minute}, 4 * time.Minute},
		{config.Fetch{Timeout: 30 * time.Second, Lease: 10 * time.Minute}, 10 * time.Minute},
		{config.Fetch{Timeout: 5 * time.Second, Lease: 10 * time.Second}, 10 * time.Second},
	} {
		if got := leaseTTL(c.f); got != c.want {
			t.Errorf("timeout %s, lease %s: %s, want %s", c.f.Timeout, c.f.Lease, got, c.want)
		}
	}
}
