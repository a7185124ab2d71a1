package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/app/apptest"
	"github.com/topicfeed/topicfeed/news"
)

// TestPollBesideServeSharesStories: a poll round (`poll` from cron) and a
// serving App (`serve`) share one database, each with its own App as two
// processes have, and each stores one write-up of the Burns
// interview that the other's story index never saw: serve's fetch of Iran
// Front Page is held until the poll, which stores Al Mayadeen's, has
// exited. The outlets are on two hosts (127.0.0.1, localhost): the poll
// leaves Iran Front Page's host to serve, which holds its lease while the
// fetch is in flight, and polls Al Mayadeen's once serve released it.
// serve holds the story assigner lease, the poll follows; within
// seconds both write-ups are in one story, as one process alone would
// group them.
func TestPollBesideServeSharesStories(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(apptest.Root(), "testdata", "e2e", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ifp, almayadeen := read("iran-front-page.rss"), read("al-mayadeen.json")
	const (
		emptyRSS  = `<?xml version="1.0"?><rss version="2.0"><channel><title>Iran Front Page</title><link>https://ifpnews.com</link><description>d</description></channel></rss>`
		emptyJSON = `{"version": "https://jsonfeed.org/version/1.1", "title": "Al Mayadeen English", "items": []}`
	)
	// phase 0: serve's first round; 1: the poll runs; 2: after it
	var phase atomic.Int32
	held, release := make(chan struct{}, 1), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/ifp/feed/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		if phase.Load() != 0 {
			w.Write([]byte(emptyRSS))
			return
		}
		select {
		case held <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Write(ifp)
	})
	mux.HandleFunc("/almayadeen/feed.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json")
		if phase.Load() == 0 {
			w.Write([]byte(emptyJSON))
			return
		}
		w.Write(almayadeen)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})
	cfg := apptest.WriteOutletsConfig(t, t.TempDir(), []apptest.Outlet{{"Iran Front Page", srv.URL + "/ifp/feed/"},
		{"Al Mayadeen English", strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/almayadeen/feed.json"}},
		"listen: \"127.0.0.1:0\"\nallow_private_networks: true\n")

	d := startServe(t, cfg)
	select {
	case <-held:
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not fetch Iran Front Page:\n%s", d.log())
	}
	for deadline := time.Now().Add(20 * time.Second); d.App.scheduler.LeaseStats().Held != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve holds %d host leases, want Iran Front Page's alone:\n%s", d.App.scheduler.LeaseStats().Held, d.log())
		}
	}
	phase.Store(1)
	_, _, plog := pollRound(t, cfg, false)
	if !strings.Contains(plog, `msg="story assigner" role=follower`) {
		t.Errorf("the poll did not follow serve's story assigner:\n%s", apptest.LogTail(plog))
	}
	phase.Store(2)
	close(release)
	released = true

	start := time.Now()
	var story map[string]string
	for {
		story = storedStories(t, d.App)
		a, b := story[apptest.BurnsStory[0]], story[apptest.BurnsStory[1]]
		if a != "" && a == b {
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("after 15s the Burns write-ups are in stories %q and %q, want one\n%s", a, b, d.log())
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("one story %.1fs after serve's fetch was released", time.Since(start).Seconds())
	if story[apptest.ReplyStory] == story[apptest.BurnsStory[0]] {
		t.Errorf("Iran's reply %s is in the interview's story", apptest.ReplyStory)
	}
	if !strings.Contains(d.log(), `msg="story assigner" role=assigner`) {
		t.Errorf("serve did not log its role as the story assigner:\n%s", d.log())
	}
	d.shutdown(t)
}

// storedStories reads the story of every stored on-topic item, by URL.
func storedStories(t *testing.T, a *App) map[string]string {
	t.Helper()
	items, err := a.db.Items(context.Background(), news.Query{OnTopic: true})
	if err != nil {
		t.Fatal(err)
	}
	story := map[string]string{}
	for _, it := range items {
		story[it.URL] = it.StoryID
	}
	return story
}
