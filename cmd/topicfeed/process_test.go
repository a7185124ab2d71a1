package main

import (
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
)

// TestServeStopsOnSIGINT: the binary stops serving cleanly (exit 0) on
// SIGINT as on SIGTERM (daemon.stop); app's tests cover what serving does.
func TestServeStopsOnSIGINT(t *testing.T) {
	srv := httptest.NewServer(apptest.ServeFeed(apptest.OnTopicRSS("signal", 2), "application/rss+xml"))
	t.Cleanup(srv.Close)
	cfg := apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Signal", srv.URL + "/feed"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	d := startServe(t, cfg)
	d.waitReady(t)
	if err := d.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("serve after SIGINT: %v\n%s", err, d.log())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not stop within 20s of SIGINT\n%s", d.log())
	}
}

// TestPollDueReport: `poll -due` reports what it skipped and polled; which
// outlets are due is app's TestPollDue.
func TestPollDueReport(t *testing.T) {
	srv := httptest.NewServer(apptest.ServeFeed(apptest.OnTopicRSS("due", 2), "application/rss+xml"))
	t.Cleanup(srv.Close)
	cfg := apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Due", srv.URL + "/feed"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	if _, stderr, code := runBinary(t, "", "-config", cfg, "poll"); code != 0 || !strings.Contains(stderr, "polled 1 outlets") {
		t.Fatalf("poll: exit %d\n%s", code, apptest.LogTail(stderr))
	}
	_, stderr, code := runBinary(t, "", "-config", cfg, "poll", "-due")
	if code != 0 || !strings.Contains(stderr, "skipped 1 outlets not yet due") || !strings.Contains(stderr, "polled 0 outlets") {
		t.Errorf("poll -due: exit %d, does not report what it skipped and polled:\n%s", code, apptest.LogTail(stderr))
	}
}
