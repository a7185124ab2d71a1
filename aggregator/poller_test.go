package aggregator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// termTagger puts items mentioning "Iran" on topic; the real rules are
// tested in aggregator/tagger.
type termTagger struct{}

func (termTagger) Tag(title, text string) news.Tagging {
	if strings.Contains(title+" "+text, "Iran") {
		return news.Tagging{OnTopic: true, Topics: []string{"t"}, Tags: []string{"iran"}, Score: 1}
	}
	return news.Tagging{}
}

const rssFeed = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Outlet</title><link>https://outlet.example/</link>
<item><title>Iran and Russia sign a deal</title><link>https://outlet.example/a</link><guid>a</guid>
<pubDate>Mon, 02 Jan 2023 10:00:00 +0000</pubDate><description>Tehran and Moscow signed a deal on Monday.</description></item>
<item><title>Local weather</title><link>https://outlet.example/b</link><guid>b</guid>
<pubDate>Mon, 02 Jan 2023 11:00:00 +0000</pubDate><description>Rain is expected.</description></item>
</channel></rss>`

// route is one canned answer of the test outlet server.
type route struct {
	status int
	header map[string]string
	body   string
}

type testServer struct {
	*httptest.Server
	mu       sync.Mutex
	routes   map[string]route
	requests []*http.Request
}

func newTestServer(t *testing.T) *testServer {
	s := &testServer{routes: map[string]route{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		rt, ok := s.routes[r.URL.Path]
		s.requests = append(s.requests, r.Clone(context.Background()))
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range rt.header {
			w.Header().Set(k, v)
		}
		if etag := rt.header["ETag"]; etag != "" && r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.WriteHeader(rt.status)
		w.Write([]byte(rt.body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) set(path string, rt route) {
	s.mu.Lock()
	s.routes[path] = rt
	s.mu.Unlock()
}

func (s *testServer) lastRequest() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[len(s.requests)-1]
}

type pollerFixture struct {
	db     *storage.DB
	poller *Poller
	outlet Outlet
	now    time.Time
}

func newPollerFixture(t *testing.T, feedURL string) *pollerFixture {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "topicfeed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	o := Outlet{Outlet: news.Outlet{Name: "Outlet", Slug: "outlet", URL: feedURL}, Interval: 15 * time.Minute}
	if err := db.SyncOutlets(ctx, []news.Outlet{o.Outlet}); err != nil {
		t.Fatal(err)
	}
	f := &pollerFixture{db: db, outlet: o, now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	fetch := fetcher.New(fetcher.Options{AllowPrivateNetworks: true, Timeout: 5 * time.Second, Now: clock})
	f.poller = NewPoller(PollerDeps{Fetcher: fetch, Normalizer: normalize.New(normalize.DefaultRules()), Tagger: termTagger{},
		Stories: cluster.New(cluster.Options{Now: clock}), Store: db, Now: clock, Log: discard()})
	return f
}

func (f *pollerFixture) state(t *testing.T) news.OutletState {
	t.Helper()
	st, err := f.db.OutletState(context.Background(), f.outlet.Name)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *pollerFixture) items(t *testing.T) []news.Item {
	t.Helper()
	items, err := f.db.Items(context.Background(), news.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestPollConditionalGet(t *testing.T) {
	srv := newTestServer(t)
	srv.set("/feed", route{status: 200, header: map[string]string{"ETag": `"v1"`, "Last-Modified": "Mon, 02 Jan 2023 11:00:00 GMT"}, body: rssFeed})
	f := newPollerFixture(t, srv.URL+"/feed")
	ctx := context.Background()

	r := f.poller.Poll(ctx, f.outlet)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.Stats.New != 2 || r.Items != 2 || r.Outcome != OutcomeOK || r.Bytes == 0 {
		t.Errorf("first poll: %+v, want 2 new items", r)
	}
	st := f.state(t)
	// The feed's items are two years old: a quiet outlet, polled at four
	// times its interval.
	if st.ETag != `"v1"` || st.LastStatus != 200 || !st.LastSuccess.Equal(f.now) || !st.NextPoll.Equal(f.now.Add(time.Hour)) {
		t.Errorf("state after first poll: %+v", st)
	}
	items := f.items(t)
	var onTopic int
	for _, it := range items {
		if it.OnTopic {
			onTopic++
		}
	}
	if onTopic != 1 {
		t.Errorf("%d items on topic, want 1 (tagging must run before storing)", onTopic)
	}

	f.now = f.now.Add(20 * time.Minute)
	r = f.poller.Poll(ctx, f.outlet)
	if r.Err != nil || !r.NotModified || r.Stats.New != 0 || r.Outcome != OutcomeNotModified {
		t.Errorf("second poll: %+v, want a 304", r)
	}
	if got := srv.lastRequest().Header.Get("If-None-Match"); got != `"v1"` {
		t.Errorf("second poll sent If-None-Match %q", got)
	}
	if got := srv.lastRequest().Header.Get("If-Modified-Since"); got == "" {
		t.Error("second poll sent no If-Modified-Since")
	}
	if st := f.state(t); st.LastStatus != 304 || !st.LastSuccess.Equal(f.now) || !st.NextPoll.Equal(f.now.Add(time.Hour)) {
		t.Errorf("state after 304 (the rate of the last full fetch kept): %+v", st)
	}
	if n := len(f.items(t)); n != 2 {
		t.Errorf("%d items after the 304, want 2", n)
	}
}

func TestPollFailuresKeepStoredItems(t *testing.T) {
	tests := []struct {
		name       string
		fail       route
		wantStatus int
		wantErr    string
		outcome    string
		check      func(t *testing.T, f *pollerFixture, st news.OutletState)
	}{
		{
			name:       "unparseable body",
			fail:       route{status: 200, header: map[string]string{"ETag": `"html"`, "Content-Type": "text/html"}, body: "<html><body><h1>503 Service Unavailable</h1></body></html>"},
			wantStatus: 200,
			wantErr:    "parse",
			outcome:    OutcomeParseError,
			check: func(t *testing.T, f *pollerFixture, st news.OutletState) {
				if st.ETag == `"html"` {
					t.Error("the validators of an unparseable response were stored: the next poll would 304 on it")
				}
			},
		},
		{
			name:       "service unavailable with retry-after",
			fail:       route{status: 503, header: map[string]string{"Retry-After": "7200"}},
			wantStatus: 503,
			wantErr:    "503",
			outcome:    OutcomeHTTPError,
			check: func(t *testing.T, f *pollerFixture, st news.OutletState) {
				if st.NextPoll.Before(f.now.Add(2 * time.Hour)) {
					t.Errorf("next poll %s ignores Retry-After: 2h", st.NextPoll.Sub(f.now))
				}
			},
		},
		{
			name:       "gone",
			fail:       route{status: 410},
			wantStatus: 410,
			wantErr:    "410",
			outcome:    OutcomeHTTPError,
			check: func(t *testing.T, f *pollerFixture, st news.OutletState) {
				if !st.Disabled || !strings.Contains(st.DisabledReason, "410") {
					t.Errorf("410 did not disable the outlet: %+v", st)
				}
				r := f.poller.Poll(context.Background(), f.outlet)
				if r.Err == nil || !strings.Contains(r.Err.Error(), "disabled") {
					t.Errorf("polling a disabled outlet: %v", r.Err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t)
			srv.set("/feed", route{status: 200, body: rssFeed})
			f := newPollerFixture(t, srv.URL+"/feed")
			ctx := context.Background()
			if r := f.poller.Poll(ctx, f.outlet); r.Err != nil {
				t.Fatal(r.Err)
			}
			srv.set("/feed", tc.fail)
			f.now = f.now.Add(time.Hour)
			r := f.poller.Poll(ctx, f.outlet)
			if r.Err == nil || !strings.Contains(r.Err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one mentioning %q", r.Err, tc.wantErr)
			}
			if r.Outcome != tc.outcome {
				t.Errorf("outcome %q, want %q", r.Outcome, tc.outcome)
			}
			if !strings.Contains(r.Err.Error(), srv.URL) {
				t.Errorf("error %q does not name the feed URL", r.Err)
			}
			st := f.state(t)
			if st.LastStatus != tc.wantStatus || st.ConsecutiveErrors != 1 || st.LastError == "" || !st.LastFetch.Equal(f.now) {
				t.Errorf("state after failure: %+v", st)
			}
			if n := len(f.items(t)); n != 2 {
				t.Errorf("%d items after the failure, want the 2 stored before", n)
			}
			tc.check(t, f, st)
		})
	}
}

// TestPollBacksOffByErrorClass: consecutive failed polls wait the
// outlet's interval (15 minutes), then twice as long for each further
// temporary error (a 503, a 429, no connection) and four times as long
// for each further permanent one (404, 401): a feed that is not there is
// not asked for again as often as one that is busy.
func TestPollBacksOffByErrorClass(t *testing.T) {
	tests := []struct {
		name  string
		fail  route
		waits []time.Duration // after the 1st, 2nd, ... failure in a row
	}{
		{"503 service unavailable", route{status: 503}, []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour}},
		{"429 too many requests", route{status: 429}, []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour}},
		{"404 not found", route{status: 404}, []time.Duration{15 * time.Minute, time.Hour, 4 * time.Hour, 12 * time.Hour}},
		{"401 unauthorized", route{status: 401}, []time.Duration{15 * time.Minute, time.Hour, 4 * time.Hour, 12 * time.Hour}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t)
			srv.set("/feed", tc.fail)
			f := newPollerFixture(t, srv.URL+"/feed")
			for i, want := range tc.waits {
				r := f.poller.Poll(context.Background(), f.outlet)
				if r.Err == nil {
					t.Fatalf("poll %d succeeded", i+1)
				}
				if got := f.state(t).NextPoll.Sub(f.now); got != want {
					t.Errorf("after failure %d: next poll in %v, want %v", i+1, got, want)
				}
				f.now = f.state(t).NextPoll
			}
		})
	}
}

func TestPollPermanentRedirectMovesOutlet(t *testing.T) {
	srv := newTestServer(t)
	srv.set("/old", route{status: 301, header: map[string]string{"Location": "/new"}})
	srv.set("/new", route{status: 200, body: rssFeed})
	f := newPollerFixture(t, srv.URL+"/old")
	r := f.poller.Poll(context.Background(), f.outlet)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if st := f.state(t); st.FeedURL != srv.URL+"/new" {
		t.Errorf("feed URL after a 301: %q, want %q", st.FeedURL, srv.URL+"/new")
	}
	if r := f.poller.Poll(context.Background(), f.outlet); r.Err != nil || srv.lastRequest().URL.Path != "/new" {
		t.Errorf("the next poll went to %s (err %v), want /new", srv.lastRequest().URL.Path, r.Err)
	}
}

func TestPollCapsItemsPerFeed(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>https://big.example/</link>`)
	for i := range 30 {
		fmt.Fprintf(&b, `<item><title>Iran item %d</title><link>https://big.example/%d</link><guid>%d</guid><pubDate>%s</pubDate><description>Text %d.</description></item>`,
			i, i, i, time.Date(2025, 2, 1, 0, i, 0, 0, time.UTC).Format(time.RFC1123Z), i)
	}
	b.WriteString(`</channel></rss>`)
	srv := newTestServer(t)
	srv.set("/feed", route{status: 200, body: b.String()})
	f := newPollerFixture(t, srv.URL+"/feed")
	f.poller.max = 10
	r := f.poller.Poll(context.Background(), f.outlet)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.Items != 10 || r.Truncated != 20 || r.Stats.New != 10 {
		t.Errorf("poll of 30 items capped at 10: %+v", r)
	}
	items := f.items(t)
	if len(items) != 10 || items[len(items)-1].Title != "Iran item 20" || items[0].Title != "Iran item 29" {
		t.Errorf("kept %v, want the 10 newest (29 down to 20)", titlesOf(items))
	}
}

func titlesOf(items []news.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Title)
	}
	return out
}

// TestPollFingerprintsOnTopicItemsOnly: the text fingerprint, a
// tokenisation of the whole text, is computed for on-topic items; off-topic
// items, most of a general outlet's feed, are stored without it.
func TestPollFingerprintsOnTopicItemsOnly(t *testing.T) {
	feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>Mixed</title><link>https://mixed.example/</link>` +
		`<item><title>Iran ships drones</title><link>https://mixed.example/1</link><guid>1</guid><description>Iran shipped drones to Russia on Tuesday, officials said.</description></item>` +
		`<item><title>Council debates budget</title><link>https://mixed.example/2</link><guid>2</guid><description>The council debated the budget for schools on Tuesday.</description></item>` +
		`</channel></rss>`
	srv := newTestServer(t)
	srv.set("/feed", route{status: 200, body: feed})
	f := newPollerFixture(t, srv.URL+"/feed")
	if r := f.poller.Poll(context.Background(), f.outlet); r.Err != nil {
		t.Fatal(r.Err)
	}
	items := f.items(t)
	if len(items) != 2 {
		t.Fatalf("stored %v, want both items", titlesOf(items))
	}
	for _, it := range items {
		if it.OnTopic != (it.SimHash != 0) {
			t.Errorf("%q: on topic %v, fingerprint %#x", it.Title, it.OnTopic, it.SimHash)
		}
	}
}

// failingStore is a PollStore whose reads of outlet states or whose
// SaveFetch fail while told to, as while the database restarts.
type failingStore struct {
	PollStore
	failState, failSave bool
}

var errDatabaseDown = errors.New("connection refused")

func (s *failingStore) OutletState(ctx context.Context, name string) (news.OutletState, error) {
	if s.failState {
		return news.OutletState{}, errDatabaseDown
	}
	return s.PollStore.OutletState(ctx, name)
}

func (s *failingStore) SaveFetch(ctx context.Context, st news.OutletState, items []news.Item) (news.SaveStats, error) {
	if s.failSave {
		return news.SaveStats{}, errDatabaseDown
	}
	return s.PollStore.SaveFetch(ctx, st, items)
}

// TestPollStoreFailure: a poll the database fails (its state unreadable,
// or its items not stored) is retried within seconds, not an interval
// later, and a fetch whose items were not stored leaves no validators
// behind: the retry asks for the feed in full and stores its items.
func TestPollStoreFailure(t *testing.T) {
	srv := newTestServer(t)
	srv.set("/feed", route{status: 200, header: map[string]string{"ETag": `"v1"`, "Last-Modified": "Mon, 02 Jan 2023 11:00:00 GMT"}, body: rssFeed})
	f := newPollerFixture(t, srv.URL+"/feed")
	store := &failingStore{PollStore: f.db}
	clock := func() time.Time { return f.now }
	p := NewPoller(PollerDeps{Fetcher: fetcher.New(fetcher.Options{AllowPrivateNetworks: true, Timeout: 5 * time.Second, Now: clock}),
		Normalizer: normalize.New(normalize.DefaultRules()), Tagger: termTagger{},
		Stories: cluster.New(cluster.Options{Now: clock}), Store: store, Now: clock, Log: discard()})
	ctx := context.Background()

	store.failState = true
	r := p.Poll(ctx, f.outlet)
	if r.Outcome != OutcomeStoreError || !errors.Is(r.Err, errDatabaseDown) || !r.NextPoll.Equal(f.now.Add(storeRetry)) {
		t.Errorf("state unreadable: %s, %v, next poll in %v; want a store error retried in %v", r.Outcome, r.Err, r.NextPoll.Sub(f.now), storeRetry)
	}
	srv.mu.Lock()
	asked := len(srv.requests)
	srv.mu.Unlock()
	if asked != 0 {
		t.Error("the outlet was asked without its state")
	}

	store.failState, store.failSave = false, true
	r = p.Poll(ctx, f.outlet)
	if r.Outcome != OutcomeStoreError || !errors.Is(r.Err, errDatabaseDown) || !r.NextPoll.Equal(f.now.Add(storeRetry)) {
		t.Errorf("items not stored: %s, %v, next poll in %v; want a store error retried in %v", r.Outcome, r.Err, r.NextPoll.Sub(f.now), storeRetry)
	}
	if st := f.state(t); st.ETag != "" || st.LastModified != "" || st.ConsecutiveErrors != 1 {
		t.Errorf("state after a fetch whose items were not stored: ETag %q, Last-Modified %q, %d errors; want no validators, 1 error", st.ETag, st.LastModified, st.ConsecutiveErrors)
	}

	store.failSave = false
	f.now = f.now.Add(storeRetry)
	r = p.Poll(ctx, f.outlet)
	if r.Err != nil || r.Stats.New != 2 {
		t.Errorf("retry: %+v, want the 2 items stored", r)
	}
	if got := srv.lastRequest().Header.Get("If-None-Match"); got != "" {
		t.Errorf("the retry sent If-None-Match %q: the items not stored would never come", got)
	}
	if n := len(f.items(t)); n != 2 {
		t.Errorf("%d items stored, want 2", n)
	}
}
