package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/topicfeed/topicfeed/aggregator"
	"github.com/topicfeed/topicfeed/news"
)

func TestRoute(t *testing.T) {
	tests := []struct{ path, route, format string }{
		{"/", "front", "html"},
		{"/feed.atom", "feed", "atom"},
		{"/feed.json", "feed", "json"},
		{"/tags/drones.rss", "tag", "rss"},
		{"/tags/drones", "tag", "html"},
		{"/tags", "tags", "html"},
		{"/topics", "topics", "html"},
		{"/topics/iran-russia-ukraine.atom", "topic", "atom"},
		{"/outlets.opml", "opml", "opml"},
		{"/outlets-topical.opml", "opml", "opml"},
		{"/outlets", "outlets", "html"},
		{"/outlets/tass.atom", "outlet", "atom"},
		{"/items/0123abcd", "item", "html"},
		{"/stories/s-1", "story", "html"},
		{"/healthz", "healthz", "text"},
		{"/metrics", "metrics", "text"},
		{"/wp-login.php", "other", "other"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			if r, f := Route(tc.path); r != tc.route || f != tc.format {
				t.Errorf("Route(%q) = %q, %q; want %q, %q", tc.path, r, f, tc.route, tc.format)
			}
		})
	}
}

func TestObservePollAndMiddleware(t *testing.T) {
	m := New()
	m.ObservePoll(aggregator.Result{Outlet: "TASS", Outcome: aggregator.OutcomeOK, Bytes: 1000, Duration: 20 * time.Millisecond,
		Stats: news.SaveStats{New: 3, Duplicate: 1}})
	m.ObservePoll(aggregator.Result{Outlet: "TASS", Outcome: aggregator.OutcomeNotModified, Bytes: 100})
	m.ObservePoll(aggregator.Result{Outlet: "TASS", Outcome: aggregator.OutcomeDisabled})
	if got := testutil.ToFloat64(m.polls.WithLabelValues("TASS", "ok")); got != 1 {
		t.Errorf("ok polls = %v", got)
	}
	if got := testutil.ToFloat64(m.items.WithLabelValues("TASS", "new")); got != 3 {
		t.Errorf("new items = %v", got)
	}
	if got := testutil.ToFloat64(m.fetchBytes.WithLabelValues("TASS")); got != 1100 {
		t.Errorf("bytes = %v", got)
	}
	if got := testutil.CollectAndCount(m.pollSeconds); got != 1 {
		t.Errorf("%d latency series, want 1 (disabled polls are not timed)", got)
	}

	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.rss" && r.URL.RawQuery != "full" {
			w.WriteHeader(http.StatusNotModified)
		}
	}))
	for _, p := range []string{"/feed.rss", "/feed.rss", "/", "/feed.rss?full", "/feed.rss"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("feed", "rss", "304")); got != 3 {
		t.Errorf("304 feed requests = %v, want 3", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("feed", "rss", "200")); got != 1 {
		t.Errorf("200 feed requests = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("front", "html", "200")); got != 1 {
		t.Errorf("front page requests = %v", got)
	}
	mfs, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, mf := range mfs {
		if mf.GetName() != "topicfeed_http_request_duration_seconds" {
			continue
		}
		for _, series := range mf.GetMetric() {
			for _, l := range series.GetLabel() {
				if l.GetName() == "route" {
					got[l.GetValue()] += series.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	if want := map[string]uint64{"feed": 4, "front": 1}; !maps.Equal(got, want) {
		t.Errorf("latency observations by route = %v, want %v", got, want)
	}
}

func TestStoreGauges(t *testing.T) {
	m := New()
	fail := false
	m.RegisterStore(func(context.Context) (Stats, error) {
		if fail {
			return Stats{}, errors.New("database is locked")
		}
		return Stats{Items: 10, OnTopic: 6, Stories: 4, ByTopic: map[string]int{"iru": 6}, ByTag: map[string]int{"drones": 3}}, nil
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	want := `
# HELP topicfeed_items_by_tag Stored items by tag.
# TYPE topicfeed_items_by_tag gauge
topicfeed_items_by_tag{tag="drones"} 3
# HELP topicfeed_stored_items_on_topic Stored items judged on topic.
# TYPE topicfeed_stored_items_on_topic gauge
topicfeed_stored_items_on_topic 6
# HELP topicfeed_store_up 1 when the stored-items gauges could be read.
# TYPE topicfeed_store_up gauge
topicfeed_store_up 1
`
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), "topicfeed_items_by_tag", "topicfeed_stored_items_on_topic", "topicfeed_store_up"); err != nil {
		t.Error(err)
	}
	fail = true
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader("# HELP topicfeed_store_up 1 when the stored-items gauges could be read.\n# TYPE topicfeed_store_up gauge\ntopicfeed_store_up 0\n"), "topicfeed_store_up", "topicfeed_stored_items"); err != nil {
		t.Error(err)
	}
}
