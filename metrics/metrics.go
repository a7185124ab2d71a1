// Package metrics exposes topicfeed's Prometheus metrics: polls by outlet
// and outcome, fetch latency and bytes, items stored, scheduler lag, HTTP
// requests by route, format and status, stored items by topic and tag, and
// the Go runtime.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/topicfeed/topicfeed/aggregator"
)

// Metrics holds topicfeed's collectors in their own registry.
type Metrics struct {
	reg *prometheus.Registry

	polls       *prometheus.CounterVec
	pollSeconds *prometheus.HistogramVec
	fetchBytes  *prometheus.CounterVec
	items       *prometheus.CounterVec
	lag         prometheus.Histogram
	requests    *prometheus.CounterVec
	reqSeconds  *prometheus.HistogramVec
}

// New returns Metrics registered in a new registry, with the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "topicfeed_fetches_total",
			Help: "Polls of outlets by outlet and outcome (ok, not_modified, http_error, fetch_error, parse_error, store_error, disabled).",
		}, []string{"outlet", "result"}),
		pollSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "topicfeed_fetch_duration_seconds",
			Help:    "Time to poll one outlet: fetch, parse, normalise, tag and store.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"outlet"}),
		fetchBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "topicfeed_fetch_bytes_total",
			Help: "Bytes received from outlets, as sent on the wire.",
		}, []string{"outlet"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "topicfeed_items_total",
			Help: "Items seen in fetched feeds by outcome (new, updated, duplicate, unchanged).",
		}, []string{"outlet", "result"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "topicfeed_scheduler_lag_seconds",
			Help:    "How late polls start after they are due (scheduler queue lag).",
			Buckets: []float64{.001, .01, .1, .5, 1, 5, 15, 60, 300},
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "topicfeed_http_requests_total",
			Help: "HTTP requests by route, format and status.",
		}, []string{"route", "format", "status"}),
		reqSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "topicfeed_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.polls, m.pollSeconds, m.fetchBytes, m.items, m.lag, m.requests, m.reqSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObservePoll records one poll; it satisfies aggregator.Observer.
func (m *Metrics) ObservePoll(r aggregator.Result) {
	result := r.Outcome
	if result == "" {
		result = "unknown"
	}
	m.polls.WithLabelValues(r.Outlet, result).Inc()
	if result == aggregator.OutcomeDisabled {
		return
	}
	m.pollSeconds.WithLabelValues(r.Outlet).Observe(r.Duration.Seconds())
	m.fetchBytes.WithLabelValues(r.Outlet).Add(float64(r.Bytes))
	for result, n := range map[string]int{"new": r.Stats.New, "updated": r.Stats.Updated, "duplicate": r.Stats.Duplicate, "unchanged": r.Stats.Unchanged} {
		m.items.WithLabelValues(r.Outlet, result).Add(float64(n))
	}
}

// ObserveLag records how late a poll started; it satisfies
// aggregator.Observer.
func (m *Metrics) ObserveLag(_ string, lag time.Duration) { m.lag.Observe(lag.Seconds()) }

// Route classifies a request path into a bounded set of route and format
// labels (never the raw path, which would let clients create series).
func Route(path string) (route, format string) {
	format = "html"
	switch {
	case strings.HasSuffix(path, ".atom"):
		format = "atom"
	case strings.HasSuffix(path, ".rss"):
		format = "rss"
	case strings.HasSuffix(path, ".json"):
		format = "json"
	case strings.HasSuffix(path, ".opml"):
		format = "opml"
	}
	switch {
	case path == "/":
		return "front", format
	case strings.HasPrefix(path, "/feed."):
		return "feed", format
	case path == "/tags", path == "/topics":
		return strings.TrimPrefix(path, "/"), format
	case strings.HasPrefix(path, "/tags/"):
		return "tag", format
	case strings.HasPrefix(path, "/topics/"):
		return "topic", format
	case path == "/outlets.opml", path == "/outlets-topical.opml":
		return "opml", format
	case path == "/outlets":
		return "outlets", format
	case strings.HasPrefix(path, "/outlets/"):
		return "outlet", format
	case strings.HasPrefix(path, "/items/"):
		return "item", format
	case strings.HasPrefix(path, "/stories/"):
		return "story", format
	case path == "/healthz", path == "/readyz":
		return strings.TrimPrefix(path, "/"), "text"
	case path == "/metrics":
		return "metrics", "text"
	}
	return "other", "other"
}

// Stats is a snapshot of what is stored, for the stored-items gauges.
type Stats struct {
	Items   int
	OnTopic int
	Stories int
	ByTopic map[string]int
	ByTag   map[string]int
}

// StatsFunc reads Stats; it is called on every scrape.
type StatsFunc func(ctx context.Context) (Stats, error)

// RegisterStore adds gauges of the stored items, read by f at scrape time.
func (m *Metrics) RegisterStore(f StatsFunc, log *slog.Logger) {
	m.reg.MustRegister(&storeCollector{stats: f, log: log})
}

var (
	itemsDesc   = prometheus.NewDesc("topicfeed_stored_items", "Items stored.", nil, nil)
	onTopicDesc = prometheus.NewDesc("topicfeed_stored_items_on_topic", "Stored items judged on topic.", nil, nil)
	storiesDesc = prometheus.NewDesc("topicfeed_stories", "Stories (groups of items reporting one event) stored.", nil, nil)
	topicDesc   = prometheus.NewDesc("topicfeed_items_by_topic", "Stored items by topic.", []string{"topic"}, nil)
	tagDesc     = prometheus.NewDesc("topicfeed_items_by_tag", "Stored items by tag.", []string{"tag"}, nil)
	upDesc      = prometheus.NewDesc("topicfeed_store_up", "1 when the stored-items gauges could be read.", nil, nil)
)

type storeCollector struct {
	stats StatsFunc
	log   *slog.Logger
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{itemsDesc, onTopicDesc, storiesDesc, topicDesc, tagDesc, upDesc} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.stats(ctx)
	if err != nil {
		c.log.Warn("read store statistics for metrics", "error", err.Error())
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(itemsDesc, prometheus.GaugeValue, float64(s.Items))
	ch <- prometheus.MustNewConstMetric(onTopicDesc, prometheus.GaugeValue, float64(s.OnTopic))
	ch <- prometheus.MustNewConstMetric(storiesDesc, prometheus.GaugeValue, float64(s.Stories))
	for topic, n := range s.ByTopic {
		ch <- prometheus.MustNewConstMetric(topicDesc, prometheus.GaugeValue, float64(n), topic)
	}
	for tag, n := range s.ByTag {
		ch <- prometheus.MustNewConstMetric(tagDesc, prometheus.GaugeValue, float64(n), tag)
	}
}
