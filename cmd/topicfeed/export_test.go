package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/app/apptest"
)

// TestExportRedactsOutletCredentials: an outlet whose feed URL carries a
// credential (?token=) is credited in the exported feeds without it,
// as the server's feeds credit it: `topicfeed export` writes what the
// server publishes, never the configuration's secrets.
func TestExportRedactsOutletCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != "secret" {
			http.Error(w, "no token", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(apptest.OnTopicRSS("tokened", 2))
	}))
	t.Cleanup(srv.Close)
	cfg := apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Tokened", srv.URL + "/feed?token=secret"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
	if _, stderr, code := runBinary(t, "", "-config", cfg, "poll"); code != 0 || !strings.Contains(stderr, "polled 1 outlets (0 failed): 2 new") {
		t.Fatalf("poll: exit %d\n%s", code, apptest.LogTail(stderr))
	}
	for _, format := range []string{"atom", "rss", "json"} {
		for _, args := range [][]string{{}, {"-tag", "drones"}, {"-per", "item"}} {
			args = append([]string{"-config", cfg, "export", "-format", format, "-limit", "0"}, args...)
			out, stderr, code := runBinary(t, "", args...)
			if code != 0 {
				t.Fatalf("%s: exit %d\n%s", strings.Join(args[2:], " "), code, stderr)
			}
			if !strings.Contains(out, "tokened.example.org") {
				t.Errorf("%s: the outlet's items are not exported:\n%s", strings.Join(args[2:], " "), out)
			}
			if strings.Contains(out, "secret") {
				t.Errorf("%s publishes the outlet's token:\n%s", strings.Join(args[2:], " "), apptest.GrepLines(out, "secret"))
			}
			// JSON Feed has no place for an entry's source feed
			if format != "json" && !strings.Contains(out, "token=xxxxx") {
				t.Errorf("%s does not credit the outlet's redacted feed URL:\n%s", strings.Join(args[2:], " "), out)
			}
		}
	}
}
