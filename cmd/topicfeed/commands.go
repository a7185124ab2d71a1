package main

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/topicfeed/topicfeed/app"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/metrics"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/publish"
	"github.com/topicfeed/topicfeed/storage"
)

// serve runs the scheduler and the HTTP server until ctx is done.
func (c *cli) serve(ctx context.Context, args []string) error {
	fs := c.flags("serve", "")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	m := metrics.New()
	a, err := c.openApp(ctx, app.Options{Observer: m, CPUWorkers: app.ServeCPUWorkers(), LimitMemory: true})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", a.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Listen, err)
	}
	return a.Serve(ctx, ln, m)
}

// poll runs one poll round of every outlet (with -due, of the outlets due
// by their stored state). Failing outlets are reported on stderr; only an
// unusable config or database is an error.
func (c *cli) poll(ctx context.Context, args []string) error {
	fs := c.flags("poll", "")
	onlyDue := fs.Bool("due", false, "poll only the outlets that are due (next poll time, Retry-After, back-off), as the daemon would: for cron")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	a, err := c.openApp(ctx, app.Options{LimitMemory: true, OneShot: true})
	if err != nil {
		return err
	}
	defer a.Close()
	results, skipped, err := a.Poll(ctx, *onlyDue)
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		fmt.Fprintf(c.stderr, "skipped %d outlets not yet due\n", len(skipped))
	}
	var total news.SaveStats
	failed := 0
	for _, r := range results {
		total = total.Add(r.Stats)
		if r.Err != nil {
			failed++
		}
	}
	fmt.Fprintf(c.stderr, "polled %d outlets (%d failed): %d new, %d updated, %d duplicate, %d unchanged\n",
		len(results), failed, total.New, total.Updated, total.Duplicate, total.Unchanged)
	return ctx.Err()
}

// retag re-evaluates every stored item against the configured rules,
// without refetching.
func (c *cli) retag(ctx context.Context, args []string) error {
	fs := c.flags("retag", "")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	a, err := c.openApp(ctx, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := a.RetagAll(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "retagged %d items: %d changed, %d on topic\n", st.Items, st.Changed, st.OnTopic)
	return nil
}

// backup writes a consistent copy of the database while the daemon may be
// running.
func (c *cli) backup(ctx context.Context, args []string) error {
	fs := c.flags("backup", "FILE")
	pos, err := parseFlags(fs, args, 1)
	if err != nil {
		return err
	}
	cfg, db, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	// Backup's errors say "backup to FILE: ..." already.
	if err := db.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "backed up %s to %s\n", storage.Redact(cfg.Database), pos[0])
	return nil
}

// outletsTable prints every outlet's health from the database.
func (c *cli) outletsTable(ctx context.Context, args []string) error {
	fs := c.flags("outlets", "")
	if _, err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	_, db, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Outlets(ctx)
	if err != nil {
		return fmt.Errorf("read outlets: %w", err)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTLET\tSTATUS\tITEMS\tLAST FETCH\tLAST SUCCESS\tNEXT POLL\tERRORS\tLAST ERROR")
	for _, o := range app.Health(time.Now(), list) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%d\t%s\n", o.Name, o.Status, o.Items, o.LastFetch, o.LastSuccess,
			o.NextPoll, o.Errors, o.LastError)
	}
	return tw.Flush()
}

// export writes the merged feed to stdout.
func (c *cli) export(ctx context.Context, args []string) error {
	fs := c.flags("export", "> FEED")
	format := fs.String("format", "atom", "feed `format`: atom, rss or json")
	limit := fs.Int("limit", -1, "number of entries; 0 for every stored topical item (default: feed.limit)")
	tag := fs.String("tag", "", "only items with this `tag`")
	per := fs.String("per", "", "one entry per `story` or per item (default: feed.per)")
	if _, err := parseFlags(fs, args, 0); err != nil {
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
	cfg, db, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	// as the server answers 404 for a tag no rule defines
	if *tag != "" && !slices.ContainsFunc(cfg.Tags, func(t config.Tag) bool { return t.Name == *tag }) {
		var names []string
		for _, t := range cfg.Tags {
			names = append(names, t.Name)
		}
		known := cmp.Or(strings.Join(names, ", "), "(none configured)")
		return usageError{fmt.Sprintf("export: unknown tag %q; the tags are %s", *tag, known)}
	}
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
	outlets, err := db.Outlets(ctx)
	if err != nil {
		return fmt.Errorf("read outlets: %w", err)
	}
	// described as the server describes the same feed
	d := publish.MergedFeed(cfg.Feed.Title)
	if *tag != "" {
		d = publish.TagFeed(cfg.Feed.Title, *tag)
	}
	d.Ext, d.PerStory = *format, *per == "story"
	site := publish.Site{Title: cfg.Feed.Title, Description: cfg.Feed.Description, Language: cfg.Feed.Language,
		BaseURL: cfg.BaseURL, HubURL: cfg.WebSubHub, TTL: cfg.PollInterval}
	m := publish.FeedMeta(site, d, outlets)
	if len(items) == 0 {
		m.Updated = time.Now() // an empty feed is dated when written, as the server dates it by its Last-Modified
	}
	out, err := render(m, items)
	if err != nil {
		return fmt.Errorf("render %s: %w", *format, err)
	}
	_, err = c.stdout.Write(out)
	return err
}
