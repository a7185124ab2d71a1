package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/topicfeed/topicfeed/aggregator"
	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/metrics"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/publish"
)

// serve runs the scheduler and the HTTP server until ctx is done.
func (e *env) serve(ctx context.Context, args []string) error {
	fs := e.flags("serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	m := metrics.New()
	a, err := e.openAppWith(ctx, m, appOptions{cpuWorkers: serveCPUWorkers(), limitMemory: true})
	if err != nil {
		return err
	}
	defer a.Close()
	m.RegisterStore(a.storeStats, a.log)
	site := a.siteServer()
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Listen, err)
	}
	srv := &http.Server{
		Handler:           a.handler(m, site),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	a.log.Info("serving", "listen", ln.Addr().String(), "base_url", a.cfg.BaseURL, "outlets", len(a.cfg.Outlets), "database", a.cfg.Database)

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
	a.log.Info("shutting down")
	stop()
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && serveErr == nil {
		serveErr = fmt.Errorf("http shutdown: %w", err)
	}
	wg.Wait()
	stopAssigner() // after the last polls: it assigns what other processes stored meanwhile
	a.log.Info("stopped")
	return serveErr
}

// poll runs one poll round of every outlet (with -due, of the outlets due
// by their stored state). Failing outlets are reported on stderr; only an
// unusable config or database is an error.
func (e *env) poll(ctx context.Context, args []string) error {
	fs := e.flags("poll")
	onlyDue := fs.Bool("due", false, "poll only the outlets that are due (next poll time, Retry-After, back-off), as the daemon would: for cron")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := e.openAppWith(ctx, nil, appOptions{limitMemory: true})
	if err != nil {
		return err
	}
	defer a.Close()
	// Holding the assigner lease (no serve runs), this run decides the
	// stories of what other polls store meanwhile; else serve corrects
	// the stories this run gives its items.
	stopAssigner := a.runAssigner(ctx)
	var results []aggregator.Result
	if *onlyDue {
		var skipped []string
		if results, skipped, err = a.scheduler.RunDue(ctx); err != nil {
			stopAssigner()
			return err
		}
		if len(skipped) > 0 {
			fmt.Fprintf(e.stderr, "skipped %d outlets not yet due\n", len(skipped))
		}
	} else {
		results = a.scheduler.RunOnce(ctx)
	}
	stopAssigner()
	var total news.SaveStats
	failed := 0
	for _, r := range results {
		total = total.Add(r.Stats)
		if r.Err != nil {
			failed++
		}
	}
	fmt.Fprintf(e.stderr, "polled %d outlets (%d failed): %d new, %d updated, %d duplicate, %d unchanged\n",
		len(results), failed, total.New, total.Updated, total.Duplicate, total.Unchanged)
	return ctx.Err()
}

// export writes the merged feed to stdout.
func (e *env) export(ctx context.Context, args []string) error {
	fs := e.flags("export")
	format := fs.String("format", "atom", "feed `format`: atom, rss or json")
	limit := fs.Int("limit", -1, "number of entries; 0 for every stored topical item (default: feed.limit)")
	tag := fs.String("tag", "", "only items with this `tag`")
	per := fs.String("per", "", "one entry per `story` or per item (default: feed.per)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *per != "" && *per != "story" && *per != "item" {
		return usageError{fmt.Sprintf("export: -per must be story or item, got %q", *per)}
	}
	render, ok := map[string]func(publish.Meta, []news.Item) ([]byte, error){
		"atom": publish.Atom, "rss": publish.RSS, "json": publish.JSON,
	}[*format]
	if !ok {
		return usageError{fmt.Sprintf("export: -format must be atom, rss or json, got %q", *format)}
	}
	cfg, db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if *limit < 0 {
		*limit = cfg.Feed.Limit
	}
	if *per == "" {
		*per = cfg.Feed.Per
	}
	items, err := db.Items(ctx, news.Query{OnTopic: true, Tag: *tag, Limit: *limit, PerStory: *per == "story"})
	if err != nil {
		return fmt.Errorf("read items: %w", err)
	}
	self := strings.TrimRight(cfg.BaseURL, "/") + "/feed." + *format
	if *tag != "" {
		self = strings.TrimRight(cfg.BaseURL, "/") + "/tags/" + *tag + "." + *format
	}
	outlets, err := db.Outlets(ctx)
	if err != nil {
		return fmt.Errorf("read outlets: %w", err)
	}
	m := feedMeta(cfg, self, items, outlets)
	m.PerStory = *per == "story"
	out, err := render(m, items)
	if err != nil {
		return fmt.Errorf("render %s: %w", *format, err)
	}
	_, err = e.stdout.Write(out)
	return err
}

// feedMeta describes an exported feed as the server describes the same
// feed.
func feedMeta(cfg config.Config, self string, items []news.Item, outlets []news.OutletState) publish.Meta {
	base := strings.TrimRight(cfg.BaseURL, "/")
	m := publish.Meta{
		Title:       cfg.Feed.Title,
		Description: cfg.Feed.Description,
		Link:        base + "/",
		SelfURL:     self,
		Language:    cfg.Feed.Language,
		HubURL:      cfg.WebSubHub,
		BaseURL:     base,
		OutletFeeds: map[string]string{},
		TTL:         cfg.PollInterval,
	}
	for _, o := range outlets {
		m.OutletFeeds[o.Name] = o.FeedURL
	}
	for _, it := range items {
		if it.Updated.After(m.Updated) {
			m.Updated = it.Updated
		}
	}
	return m
}

// check validates the configuration and prints what would be polled.
func (e *env) check(ctx context.Context, args []string) error {
	fs := e.flags("check")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	if _, err := tagger.New(cfg.Topics, cfg.Tags); err != nil {
		return fmt.Errorf("%s: topics: %w", e.configPath, err)
	}
	fmt.Fprintf(e.stdout, "%s: ok\n", e.configPath)
	fmt.Fprintf(e.stdout, "database %s, listening on %s, publishing at %s\n\n", cfg.Database, cfg.Listen, cfg.BaseURL)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTLET\tSLUG\tEVERY\tURL")
	for _, o := range cfg.Outlets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Name, config.Slug(o.Name), cfg.Interval(o), o.URL)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var topics []string
	for _, t := range cfg.Topics {
		topics = append(topics, t.Name)
	}
	var tags []string
	for _, t := range cfg.Tags {
		tags = append(tags, t.Name)
	}
	fmt.Fprintf(e.stdout, "\ntopics: %s\ntags: %s\n", strings.Join(topics, ", "), strings.Join(tags, ", "))
	if cfg.AllowPrivateNetworks {
		fmt.Fprintln(e.stdout, "warning: allow_private_networks is on: outlets may reach loopback and private addresses")
	}
	return nil
}
