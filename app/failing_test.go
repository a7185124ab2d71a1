package app

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

// failingOutlets serves outlets on loopback: Wire (a good feed), Broken
// (500), Moved (404) and Offline (connection refused: nobody listens),
// counting the requests each server gets.
type failingOutlets struct {
	wire, broken, moved atomic.Int32
	base, offline       string
}

func newFailingOutlets(t *testing.T) *failingOutlets {
	t.Helper()
	f := &failingOutlets{}
	feed := apptest.ServeFeed(apptest.OnTopicRSS("wire", 3), "application/rss+xml")
	mux := http.NewServeMux()
	mux.HandleFunc("/wire", func(w http.ResponseWriter, r *http.Request) {
		f.wire.Add(1)
		feed.ServeHTTP(w, r)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		f.broken.Add(1)
		http.Error(w, "oops", http.StatusInternalServerError)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		f.moved.Add(1)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f.base = srv.URL
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.offline = "http://" + l.Addr().String() + "/feed"
	l.Close()
	return f
}

func (f *failingOutlets) config(t *testing.T, withWire bool) string {
	t.Helper()
	outlets := []apptest.Outlet{{"Broken", f.base + "/broken"}, {"Moved", f.base + "/moved"}, {"Offline", f.offline}}
	if withWire {
		outlets = append([]apptest.Outlet{{"Wire", f.base + "/wire"}}, outlets...)
	}
	return apptest.WriteOutletsConfig(t, t.TempDir(), outlets, "listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
}

// waitFor fetches path until its body contains want (the front page is
// rendered once per revision and second), for up to 15 s, and returns the
// last response.
func (s *served) waitFor(t *testing.T, path, want string) (*http.Response, string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, body := s.get(t, path)
		if strings.Contains(html.UnescapeString(string(body)), want) {
			return resp, html.UnescapeString(string(body))
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s without %q after 15s:\n%s\n%s", path, resp.Status, want, body, apptest.LogTail(s.log()))
		}
	}
}

// TestFrontPageSaysOutletsFail: when outlets fail (500, 404, connection
// refused), the front page says how many of how many and why, in words,
// both with no stories and above the stories; with every outlet well, it
// shows no banner. /readyz is 503, saying why, while nothing could ever be
// fetched, and 200 once something was.
func TestFrontPageSaysOutletsFail(t *testing.T) {
	f := newFailingOutlets(t)
	errorsInWords := []string{
		"Broken: the server answered HTTP 500 Internal Server Error",
		"Moved: the server answered HTTP 404 Not Found: the feed is not at this address",
		"Offline: the server 127.0.0.1:",
		"refused the connection",
	}

	t.Run("every outlet failing", func(t *testing.T) {
		d := startServe(t, f.config(t, false))
		resp, body := d.waitFor(t, "/readyz", "no outlet has been fetched successfully")
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "3 of 3 outlets failing") {
			t.Errorf("/readyz with nothing ever fetched: %s %q, want 503 saying 3 of 3 outlets failing", resp.Status, body)
		}
		_, page := d.waitFor(t, "/", "3 of 3 outlets failing")
		for _, want := range append(errorsInWords, "see <a href=\"/outlets\">Outlets</a>", "No stories yet: no outlet could be fetched") {
			if !strings.Contains(page, want) {
				t.Errorf("front page without %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "as soon as the outlets publish") {
			t.Errorf("front page promises stories while every outlet fails:\n%s", page)
		}
		if resp, _ := d.get(t, "/feed.atom"); resp.StatusCode != http.StatusOK {
			t.Errorf("/feed.atom while every outlet fails: %s", resp.Status)
		}
		d.shutdown(t)
	})

	t.Run("some outlets failing", func(t *testing.T) {
		d := startServe(t, f.config(t, true))
		d.waitReady(t)
		if _, body := d.get(t, "/readyz"); !strings.Contains(string(body), "3 of 4 outlets failing") {
			t.Errorf("/readyz does not say what fails: %q", body)
		}
		_, page := d.waitFor(t, "/", "3 of 4 outlets failing")
		for _, want := range append(errorsInWords, "says Iran sent Shahed drones") {
			if !strings.Contains(page, want) {
				t.Errorf("front page without %q:\n%s", want, page)
			}
		}
		d.shutdown(t)
	})

	t.Run("all well", func(t *testing.T) {
		srv := httptest.NewServer(apptest.ServeFeed(apptest.OnTopicRSS("well", 2), "application/rss+xml"))
		t.Cleanup(srv.Close)
		cfg := apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Well", srv.URL + "/feed"}},
			"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")
		d := startServe(t, cfg)
		d.waitReady(t)
		_, page := d.waitFor(t, "/", "says Iran sent Shahed drones")
		if strings.Contains(page, "role=\"status\"") || strings.Contains(page, "outlets failing") {
			t.Errorf("front page has a banner with every outlet well:\n%s", page)
		}
		d.shutdown(t)
	})
}

// TestRestartRetriesOutletsNeverFetched: a restart polls at once the
// outlets that have never been fetched successfully (their stored next
// poll is an error back-off), while an outlet fetched a moment ago waits
// for its next poll; the daemon is ready at once and serves what it has.
func TestRestartRetriesOutletsNeverFetched(t *testing.T) {
	f := newFailingOutlets(t)
	cfg := f.config(t, true)
	d := startServe(t, cfg)
	d.waitReady(t) // every outlet polled once
	d.shutdown(t)
	if w, b, m := f.wire.Load(), f.broken.Load(), f.moved.Load(); w != 1 || b != 1 || m != 1 {
		t.Fatalf("first start: requests wire %d, broken %d, moved %d; want 1 each", w, b, m)
	}

	d = startServe(t, cfg)
	for deadline := time.Now().Add(15 * time.Second); f.broken.Load() < 2 || f.moved.Load() < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after the restart, the failing outlets were not polled again within 15s: broken %d, moved %d requests\n%s",
				f.broken.Load(), f.moved.Load(), apptest.LogTail(d.log()))
		}
	}
	d.waitReady(t)
	d.waitFor(t, "/", "says Iran sent Shahed drones")
	time.Sleep(300 * time.Millisecond)
	if n := f.wire.Load(); n != 1 {
		t.Errorf("the outlet fetched a moment ago was polled again at the restart: %d requests, want 1", n)
	}
	d.shutdown(t)
}
