package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/topicfeed/topicfeed/metrics"
	"github.com/topicfeed/topicfeed/web"
)

// siteServer returns the web server of the merged feed and its pages.
func (a *app) siteServer() *web.Server {
	tags := make([]string, len(a.cfg.Tags))
	for i, t := range a.cfg.Tags {
		tags[i] = t.Name
	}
	return web.NewServer(a.db, web.Options{
		BaseURL:      a.cfg.BaseURL,
		Title:        a.cfg.Feed.Title,
		Description:  a.cfg.Feed.Description,
		Language:     a.cfg.Feed.Language,
		Limit:        a.cfg.Feed.Limit,
		PerItem:      a.cfg.Feed.Per == "item",
		PollInterval: a.cfg.PollInterval,
		HubURL:       a.cfg.WebSubHub,
		Logger:       a.log,
		Tags:         tags,
		// One revision read serves a second of requests: the feeds stay
		// cheap to poll under load and are at most a second stale.
		RevisionTTL: time.Second,
	})
}

// handler composes the HTTP surface: the site, /readyz and /metrics, all
// counted by the metrics middleware.
func (a *app) handler(m *metrics.Metrics, site http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("/", site)
	return m.Middleware(mux)
}

// readyz answers 200 once the database is usable and a first poll round
// is done, 503 before.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := a.db.Revision(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready: database: %v\n", err)
		return
	}
	select {
	case <-a.scheduler.FirstRound():
	default:
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready: the first poll round is not done")
		return
	}
	fmt.Fprintln(w, "ready")
}

// prune deletes items older than the retention period every hour until ctx
// is done.
func (a *app) prune(ctx context.Context, every time.Duration) {
	if a.cfg.Retention <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		cutoff := time.Now().Add(-a.cfg.Retention)
		start := time.Now()
		n, err := a.db.Prune(ctx, cutoff)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("prune old items", "error", err.Error(), "older_than", cutoff.Format(time.RFC3339))
		case n > 0:
			a.log.Info("pruned old items", "items", n, "older_than", cutoff.Format(time.RFC3339), "duration", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
