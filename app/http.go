package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/topicfeed/topicfeed/metrics"
	"github.com/topicfeed/topicfeed/storage"
	"github.com/topicfeed/topicfeed/web"
)

// Serve runs the scheduler, the story assigner, the retention loop and the
// HTTP server on ln (the site, /readyz and /metrics, counted by m) until
// ctx is done, then shuts them down in order. m should be the Observer the
// App was opened with.
func (a *App) Serve(ctx context.Context, ln net.Listener, m *metrics.Metrics) error {
	m.RegisterStore(a.storeStats, a.Log)
	m.RegisterNode(a.nodeStats)
	site := a.siteServer()
	srv := &http.Server{
		Handler:           a.handler(m, site),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	a.Log.Info("serving", "listen", ln.Addr().String(), "base_url", a.Config.BaseURL, "outlets", len(a.Config.Outlets), "database", storage.Redact(a.Config.Database), "node", a.node)

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

// readyz answers whether the daemon is ready to be sent readers (a
// load balancer's or an orchestrator's readiness probe): 200 when
//   - the database answers (within readyPingTimeout), and
//   - every outlet has been polled at least once (since this start, or
//     before it, as the stored state says), and
//   - there is something to serve: an item is stored, or an outlet has
//     been fetched successfully (its feed may just have nothing on topic).
//
// Otherwise 503, the body saying why in words. A daemon that ever fetched
// an outlet stays ready however its outlets fail afterwards: its feeds go
// on answering with the last good content, and the front page says which
// outlets are failing. One that never fetched anything (no network, every
// URL wrong) is not ready: it has nothing to serve. /healthz, by contrast,
// answers 200 while the process runs.
//
// The answer is decided at most once per readyTTL (probes from every
// load balancer stay cheap) and so may be that much old.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ready, why, err := a.ready.get(r.Context(), a.readinessPinged)
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready: the database does not answer: %v\n", err)
		return
	}
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready: %s\n", why)
		return
	}
	fmt.Fprintf(w, "ready: %s\n", why)
}

// Readiness probes: the database must answer a ping within
// readyPingTimeout; an answer serves the probes of readyTTL.
const (
	readyPingTimeout = time.Second
	readyTTL         = time.Second
)

// readinessPinged pings the database with a short timeout, then decides
// readiness.
func (a *App) readinessPinged(ctx context.Context) (bool, string, error) {
	pctx, cancel := context.WithTimeout(ctx, readyPingTimeout)
	_, err := a.db.Revision(pctx) // one indexed read of one row
	cancel()
	if err != nil {
		return false, "", err
	}
	ctx, cancel = context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return a.readiness(ctx)
}

// readyCache keeps the last readiness answer for readyTTL; concurrent
// probes wait for one decision.
type readyCache struct {
	mu    sync.Mutex
	at    time.Time
	ready bool
	why   string
	err   error
}

func (c *readyCache) get(ctx context.Context, decide func(context.Context) (bool, string, error)) (bool, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < readyTTL {
		return c.ready, c.why, c.err
	}
	// the decision outlives a probe that gave up: the next probe reuses it
	c.ready, c.why, c.err = decide(context.WithoutCancel(ctx))
	c.at = time.Now()
	return c.ready, c.why, c.err
}

// nodeStats is this node's leases for /metrics.
func (a *App) nodeStats() metrics.NodeStats {
	l := a.scheduler.LeaseStats()
	return metrics.NodeStats{HostLeases: l.Held, Refused: l.Refused, Lost: l.Lost, Assigner: a.assigner.Holds()}
}

// readiness decides /readyz (see readyz) and says why in words.
func (a *App) readiness(ctx context.Context) (ready bool, why string, err error) {
	outlets, err := a.db.Outlets(ctx)
	if err != nil {
		return false, "", err
	}
	var enabled, polled, items int
	var succeeded bool
	for _, o := range outlets {
		items += o.ItemCount
		succeeded = succeeded || !o.LastSuccess.IsZero()
		if !o.Disabled {
			enabled++
			if !o.LastFetch.IsZero() {
				polled++
			}
		}
	}
	alert := web.OutletAlert(outlets)
	failures := ""
	if alert != nil {
		failures = fmt.Sprintf("; %d of %d outlets failing (see /outlets)", alert.Failing, alert.Total)
	}
	select {
	case <-a.scheduler.FirstRound():
	default:
		return false, fmt.Sprintf("the first poll round is not done: %d of %d outlets polled%s", polled, enabled, failures), nil
	}
	switch {
	case items > 0:
		return true, fmt.Sprintf("%d items stored%s", items, failures), nil
	case succeeded || alert == nil:
		return true, "outlets fetched, nothing stored yet" + failures, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "no outlet has been fetched successfully, nothing to serve: %d of %d outlets failing", alert.Failing, alert.Total)
	for _, e := range alert.Errors {
		fmt.Fprintf(&b, "; %s: %s", e.Outlet, e.Error)
	}
	if more := alert.Failing - len(alert.Errors); more > 0 {
		fmt.Fprintf(&b, "; %d more on /outlets", more)
	}
	return false, b.String(), nil
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
