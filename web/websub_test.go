package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeHub records WebSub publish pings.
type fakeHub struct {
	mu     sync.Mutex
	topics []string
	bad    []string // malformed requests
	status int
	got    chan string
}

func newFakeHub(tb testing.TB) (*fakeHub, *httptest.Server) {
	tb.Helper()
	h := &fakeHub{status: http.StatusNoContent, got: make(chan string, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.PostForm.Get("hub.mode") != "publish" {
			h.bad = append(h.bad, r.Method+" "+r.Header.Get("Content-Type")+" "+r.PostForm.Encode())
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.topics = append(h.topics, r.PostForm["hub.url"]...)
		for _, t := range r.PostForm["hub.url"] {
			h.got <- t
		}
		w.WriteHeader(h.status)
	}))
	tb.Cleanup(srv.Close)
	return h, srv
}

func (h *fakeHub) take() (topics, bad []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	topics, bad = h.topics, h.bad
	h.topics, h.bad = nil, nil
	slices.Sort(topics)
	return topics, bad
}

func newHubServer(tb testing.TB, hubURL string, client *http.Client) (*Server, *fakeStore) {
	tb.Helper()
	st := &fakeStore{items: sampleItems(tb), outlets: sampleOutlets(tb), rev: 1}
	s := NewServer(st, Options{BaseURL: "http://feeds.test", Title: "t", HubURL: hubURL, HTTPClient: client,
		HubCheckInterval: 10 * time.Millisecond})
	return s, st
}

func TestWebSubPingsOnChange(t *testing.T) {
	hub, hubSrv := newFakeHub(t)
	s, st := newHubServer(t, hubSrv.URL+"/hub", hubSrv.Client())
	etags := map[string]string{}
	ctx := context.Background()

	if got := s.notifyChanges(ctx, etags); len(got) != 0 {
		t.Errorf("baseline pinged %v", got)
	}
	// A reader subscribes to a tag feed: it becomes a topic too.
	if res := do(t, s, http.MethodGet, "/tags/sanctions.atom"); res.StatusCode != 200 {
		t.Fatalf("tag feed: %d", res.StatusCode)
	}
	s.notifyChanges(ctx, etags)

	// A revision bump without a content change pings nothing.
	st.bump()
	if got := s.notifyChanges(ctx, etags); len(got) != 0 {
		t.Errorf("unchanged content pinged %v", got)
	}
	if topics, _ := hub.take(); len(topics) != 0 {
		t.Errorf("hub got %v", topics)
	}

	// A change to a drones item changes the merged feeds, not the sanctions
	// feed.
	items := sampleItems(t)
	items[1].Title = "Blinken: new headline"
	st.set(items)
	s.notifyChanges(ctx, etags)
	topics, bad := hub.take()
	want := []string{"http://feeds.test/feed.atom", "http://feeds.test/feed.json", "http://feeds.test/feed.rss"}
	if !slices.Equal(topics, want) || len(bad) != 0 {
		t.Errorf("pinged %v (bad %v), want %v", topics, bad, want)
	}

	// Changing the sanctions item pings its tag feed as well.
	items[3].Summary = "Washington urged Tehran again."
	st.set(items)
	s.notifyChanges(ctx, etags)
	topics, _ = hub.take()
	if !slices.Contains(topics, "http://feeds.test/tags/sanctions.atom") || len(topics) != 4 {
		t.Errorf("pinged %v", topics)
	}
}

func TestWebSubRun(t *testing.T) {
	hub, hubSrv := newFakeHub(t)
	s, st := newHubServer(t, hubSrv.URL, hubSrv.Client())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	// Wait until Run has its baseline (the merged feeds are cached).
	deadline := time.After(5 * time.Second)
	for len(s.topics()) < 3 {
		select {
		case <-deadline:
			t.Fatal("Run did not render the merged feeds")
		case <-time.After(5 * time.Millisecond):
		}
	}
	items := sampleItems(t)
	items = items[1:]
	st.set(items)
	select {
	case topic := <-hub.got:
		if !strings.HasPrefix(topic, "http://feeds.test/feed.") {
			t.Errorf("pinged %q", topic)
		}
	case <-deadline:
		t.Fatal("no ping after a change")
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}

func TestWebSubHubFailure(t *testing.T) {
	hub, hubSrv := newFakeHub(t)
	hub.status = http.StatusInternalServerError
	s, _ := newHubServer(t, hubSrv.URL, hubSrv.Client())
	err := s.ping(context.Background(), "http://feeds.test/feed.atom")
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("ping error %v", err)
	}
	noHub := NewServer(&fakeStore{}, Options{})
	if err := noHub.Run(context.Background()); err != nil {
		t.Errorf("Run without a hub: %v", err)
	}
}

func TestHubAdvertised(t *testing.T) {
	s, _ := newHubServer(t, "https://hub.example.net/", nil)
	tests := []struct{ path, want string }{
		{"/feed.atom", `<link href="https://hub.example.net/" rel="hub"></link>`},
		{"/feed.rss", `<atom:link href="https://hub.example.net/" rel="hub"></atom:link>`},
		{"/feed.json", `"url": "https://hub.example.net/"`},
		{"/tags/drones.atom", `rel="hub"`},
		{"/", `<link rel="hub" href="https://hub.example.net/">`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if b := body(t, do(t, s, http.MethodGet, tt.path)); !strings.Contains(b, tt.want) {
				t.Errorf("no hub link %q in\n%s", tt.want, b)
			}
		})
	}
}
