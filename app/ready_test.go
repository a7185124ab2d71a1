package app

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
)

// TestReadyBeforeFirstRound: until every outlet has been polled once,
// /readyz answers 503 while /healthz and the feeds answer 200; an outlet
// that cannot be reached (no network) is reported and does not keep the
// daemon from becoming ready; it stops cleanly (the binary's signals are
// cmd/topicfeed's TestServeStopsOnSignals).
func TestReadyBeforeFirstRound(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(apptest.OnTopicRSS("slow", 3))
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	// A port nobody listens on: connection refused, as with no network.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := "http://" + l.Addr().String() + "/feed"
	l.Close()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	shipped, err := os.ReadFile(filepath.Join(apptest.Root(), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, topics, ok := strings.Cut(string(shipped), "\ntopics:")
	if !ok {
		t.Fatal("config.yaml has no top-level topics key")
	}
	conf := fmt.Sprintf("listen: \"127.0.0.1:0\"\ndatabase: %q\npoll_interval: 15m\nallow_private_networks: true\n"+
		"outlets:\n  - name: Slow\n    url: %q\n  - name: Offline\n    url: %q\ntopics:%s",
		filepath.Join(dir, "topicfeed.db"), slow.URL+"/feed", unreachable, topics)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}

	d := startServe(t, cfg)
	resp, body := d.get(t, "/readyz")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "first poll round") {
		t.Errorf("/readyz before the first round: %s %q, want 503", resp.Status, body)
	}
	for _, path := range []string{"/healthz", "/feed.atom"} {
		if resp, body := d.get(t, path); resp.StatusCode != http.StatusOK {
			t.Errorf("%s while the first round runs: %s %q", path, resp.Status, body)
		}
	}
	close(release)
	d.waitReady(t)
	if log := d.log(); !strings.Contains(log, `outlet=Offline`) || !strings.Contains(log, "poll failed") {
		t.Errorf("the unreachable outlet is not reported:\n%s", log)
	}
	// The feed follows within the server's revision TTL (1 s).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, body := d.get(t, "/feed.atom")
		if strings.Contains(string(body), "slow.example.org") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the slow outlet's items are not served:\n%s", body)
		}
	}

	d.shutdown(t)
}
