package main

import (
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
)

// TestServeSaysOutletsFail: with every outlet failing (500, connection
// refused), the binary's front page says so and why, /readyz is 503 saying
// why, and a restart polls the failing outlets again at once; app's
// TestFrontPageSaysOutletsFail and TestRestartRetriesOutletsNeverFetched
// cover the cases in detail.
func TestServeSaysOutletsFail(t *testing.T) {
	var broken atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		broken.Add(1)
		http.Error(w, "oops", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	offline := "http://" + l.Addr().String() + "/feed"
	l.Close()
	cfg := apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Broken", srv.URL + "/feed"}, {"Offline", offline}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")

	d := startServe(t, cfg)
	waitBody := func(path, want string) (*http.Response, string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			resp, body := d.get(t, path)
			if s := html.UnescapeString(string(body)); strings.Contains(s, want) {
				return resp, s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s without %q after 15s:\n%s\n%s", path, resp.Status, want, body, apptest.LogTail(d.log()))
			}
		}
	}
	if resp, body := waitBody("/readyz", "2 of 2 outlets failing"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with nothing ever fetched: %s %q, want 503", resp.Status, body)
	}
	_, page := waitBody("/", "2 of 2 outlets failing")
	for _, want := range []string{"Broken: the server answered HTTP 500 Internal Server Error", "Offline: the server 127.0.0.1:", "refused the connection"} {
		if !strings.Contains(page, want) {
			t.Errorf("front page without %q:\n%s", want, page)
		}
	}
	d.stop(t)
	if n := broken.Load(); n != 1 {
		t.Fatalf("first start: %d requests to the broken outlet, want 1", n)
	}

	d = startServe(t, cfg)
	for deadline := time.Now().Add(15 * time.Second); broken.Load() < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the restart did not poll the failing outlet again within 15s\n%s", apptest.LogTail(d.log()))
		}
	}
	d.stop(t)
}
