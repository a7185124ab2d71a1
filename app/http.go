package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/topicfeed/topicfeed/metrics"
	"github.com/topicfeed/topicfeed/web"
)

// Serve runs the scheduler, the story assigner, the retention loop and the
// HTTP server on ln (the site, /readyz and /metrics, counted by m) until
// ctx is done, then shuts them down in order. m should be the Observer the
// App was opened with.
func (a *App) Serve(ctx context.Context, ln net.Listener, m *metrics.Metrics) error {
	m.RegisterStore(a.storeStats, a.Log)
	site := a.siteServer()
	srv := &http.Server{
		Handler:           a.handler(m, site),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	a.Log.Info("serving", "listen", ln.Addr().String(), "base_url", a.Config.BaseURL, "outlets", len(a.Config.Outlets), "database", a.Config.Database)

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	stopAssigner := a.runAssigner(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = a.scheduler.Run(ctx) }) // returns ctx's error on shutdown
	wg.Go(func() { _ = site.Run(ctx) })        // WebSub pings; returns ctx's error
	wg.Go(func() { a.prune(ctx, time.Hour) })

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-srvErr:
		serveErr = fmt.Errorf("http server: %w", serveErr)
	}
	a.Log.Info("shutting down")
	stop()
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && serveErr == nil {
		serveErr = fmt.Errorf("http shutdown: %w", err)
	}
	wg.Wait()
	stopAssigner() // after the last polls: it assigns what other processes stored meanwhile
	a.Log.Info("stopped")
	return serveErr
}

// siteServer returns the web server of the merged feed and its pages.
func (a *App) siteServer() *web.Server {
	tags := make([]string, len(a.Config.Tags))
	for i, t := range a.Config.Tags {
		tags[i] = t.Name
	}
	topics := make([]string, len(a.Config.Topics))
	for i, t := range a.Config.Topics {
		topics[i] = t.Name
	}
	return web.NewServer(a.db, web.Options{
		BaseURL:      a.Config.BaseURL,
		Title:        a.Config.Feed.Title,
		Description:  a.Config.Feed.Description,
		Language:     a.Config.Feed.Language,
		Limit:        a.Config.Feed.Limit,
		PerItem:      a.Config.Feed.Per == "item",
		PollInterval: a.Config.PollInterval,
		HubURL:       a.Config.WebSubHub,
		Logger:       a.Log,
		Tags:         tags,
		Topics:       topics,
		// One revision read serves a second of requests: the feeds stay
		// cheap to poll under load and are at most a second stale.
		RevisionTTL: time.Second,
	})
}

// handler composes the HTTP surface: the site, /readyz and /metrics, all
// counted by the metrics middleware.
func (a *App) handler(m *metrics.Metrics, site http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("/", site)
	return m.Middleware(mux)
}

// readyz answers 200 once the database is usable and a first poll round
// is done, 503 before.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
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
func (a *App) prune(ctx context.Context, every time.Duration) {
	if a.Config.Retention <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		cutoff := time.Now().Add(-a.Config.Retention)
		start := time.Now()
		n, err := a.db.Prune(ctx, cutoff)
		switch {
		case err != nil && ctx.Err() == nil:
			a.Log.Error("prune old items", "error", err.Error(), "older_than", cutoff.Format(time.RFC3339))
		case n > 0:
			a.Log.Info("pruned old items", "items", n, "older_than", cutoff.Format(time.RFC3339), "duration", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
