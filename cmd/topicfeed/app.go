package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/topicfeed/topicfeed/aggregator"
	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/metrics"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// app is the wired pipeline of one configuration.
type app struct {
	cfg       config.Config
	log       *slog.Logger
	db        *storage.DB
	tagger    *tagger.Tagger
	poller    *aggregator.Poller
	scheduler *aggregator.Scheduler
	assigner  *aggregator.Assigner // see runAssigner
	stopGC    func()               // stops the collector's pacing (startGCTuning); nil when none runs
}

func (e *env) loadConfig() (config.Config, error) {
	return config.LoadEnv(e.configPath, os.LookupEnv)
}

func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// outlets converts the configured outlets for the aggregator.
func outlets(cfg config.Config) []aggregator.Outlet {
	out := make([]aggregator.Outlet, len(cfg.Outlets))
	for i, o := range cfg.Outlets {
		var loc *time.Location
		if o.TimeZone != "" {
			loc, _ = time.LoadLocation(o.TimeZone) // validated with the config
		}
		out[i] = aggregator.Outlet{
			Outlet:      news.Outlet{Name: o.Name, Slug: config.Slug(o.Name), URL: o.URL},
			Interval:    cfg.Interval(o),
			MinInterval: cfg.MinPollInterval,
			MaxInterval: cfg.MaxPollInterval,
			Language:    o.Language,
			Location:    loc,
		}
	}
	return out
}

// openApp loads the configuration, opens the database, records the
// configured outlets and wires the pipeline.
// obs, if not nil, observes the scheduler's polls (metrics).
func (e *env) openApp(ctx context.Context, obs aggregator.Observer) (*app, error) {
	return e.openAppWith(ctx, obs, appOptions{})
}

// appOptions are the command-specific settings of the pipeline.
type appOptions struct {
	// cpuWorkers bounds the polls parsing and processing at once (0: no
	// bound); see aggregator.PollerDeps.CPUWorkers.
	cpuWorkers int
	// limitMemory sets a Go memory limit from the container's (see
	// limitMemory): for the commands that hold the story index.
	limitMemory bool
}

// serveCPUWorkers is the bound on polls processing at once while serving:
// one core is left to the readers (at least one poll still runs).
func serveCPUWorkers() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// openAppWith is openApp with command-specific settings.
func (e *env) openAppWith(ctx context.Context, obs aggregator.Observer, opts appOptions) (*app, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	log := newLogger(e.stderr, cfg.Log)
	tg, err := tagger.New(cfg.Topics, cfg.Tags)
	if err != nil {
		return nil, fmt.Errorf("%s: topics: %w", e.configPath, err)
	}
	db, err := storage.Open(ctx, cfg.Database, storage.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", cfg.Database, err)
	}
	var stopGC func()
	if opts.limitMemory {
		// before the story index is restored: the largest allocation
		limitMemory(log, memlimit.FromCgroup, db.CacheBytes())
		stopGC = startGCTuning(log)
	}
	built := false
	defer func() {
		if !built && stopGC != nil {
			stopGC()
		}
	}()
	outs := outlets(cfg)
	list := make([]news.Outlet, len(outs))
	for i, o := range outs {
		list[i] = o.Outlet
	}
	if err := db.SyncOutlets(ctx, list); err != nil {
		db.Close()
		return nil, fmt.Errorf("record outlets in %s: %w", cfg.Database, err)
	}
	now := func() time.Time { return time.Now().UTC() }
	// Items stored after this id (by other processes) are the story
	// assigner's to decide; it is read before the restore, so that none is
	// missed (those the restore reads too are skipped).
	synced := now()
	lastID, err := db.LastItemID(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	stories, err := restoreStories(ctx, db, cfg, now)
	if err != nil {
		db.Close()
		return nil, err
	}
	settler := aggregator.NewStorySettler(stories, db)
	f := fetcher.New(fetcher.Options{
		UserAgent:            cfg.UserAgent,
		Timeout:              cfg.Fetch.Timeout,
		MaxBodyBytes:         cfg.Fetch.MaxBodyBytes,
		AllowPrivateNetworks: cfg.AllowPrivateNetworks,
		Now:                  now,
	})
	rules := normalizeRules(cfg)
	seed, err := normalize.RawSeed(rules)
	if err != nil {
		db.Close()
		return nil, err
	}
	p := aggregator.NewPoller(aggregator.PollerDeps{
		Fetcher:    f,
		Normalizer: normalize.New(rules),
		Tagger:     tg,
		Stories:    stories,
		Settler:    settler,
		Store:      db,
		MaxItems:   cfg.Fetch.MaxItems,
		// One maximal feed at a time: parsing costs up to ~25× the bytes.
		ParseBudget: cfg.Fetch.MaxBodyBytes,
		CPUWorkers:  opts.cpuWorkers,
		RawSeed:     seed,
		Now:         now,
		Log:         log,
	})
	s := aggregator.NewScheduler(p, db, outs, aggregator.SchedulerOptions{
		Workers:  cfg.Fetch.Concurrency,
		PerHost:  1,
		Grace:    5 * time.Second, // in-flight polls on shutdown: well within docker stop's 10s
		Jitter:   0.1,
		Observer: obs,
	}, now, log)
	assigner := aggregator.NewAssigner(stories, settler, assignerStore{db}, aggregator.AssignerOptions{
		After: lastID, Synced: synced, Now: now, Log: log})
	a := &app{cfg: cfg, log: log, db: db, tagger: tg, poller: p, scheduler: s, assigner: assigner, stopGC: stopGC}
	if err := a.syncRules(ctx); err != nil {
		db.Close()
		return nil, err
	}
	built = true
	return a, nil
}

// normalizeRules are the normaliser's rules under cfg: the embedded
// boilerplate rules with the configured cap on an item's size. Every
// command that normalises items uses them, so that `inspect -normalized`
// and `explain` show what poll and serve store.
func normalizeRules(cfg config.Config) normalize.Rules {
	r := normalize.DefaultRules()
	r.MaxItemBytes = cfg.Fetch.MaxItemBytes
	return r
}

// rulesSetting stores the fingerprint of the tagging rules the stored
// items were tagged with.
const rulesSetting = "tagging_rules"

// syncRules re-tags the stored items when the configured rules differ from
// the ones they were tagged with, so that a changed config.yaml takes
// effect on the next start without refetching.
func (a *app) syncRules(ctx context.Context) error {
	fp := a.tagger.Fingerprint()
	old, err := a.db.Setting(ctx, rulesSetting)
	if err != nil {
		return err
	}
	if old == fp {
		return nil
	}
	seen, changed, onTopic, err := a.retagAll(ctx)
	if err != nil {
		return err
	}
	if seen > 0 {
		a.log.Info("tagging rules changed: re-tagged stored items", "items", seen, "changed", changed, "on_topic", onTopic)
	}
	return nil
}

// retagAll re-evaluates every stored item against the configured rules and
// records the rules' fingerprint.
func (a *app) retagAll(ctx context.Context) (seen, changed, onTopic int, err error) {
	err = a.db.EachItem(ctx, func(it news.Item) error {
		seen++
		t := a.tagger.Tag(it.Title, it.Text)
		if t.OnTopic {
			onTopic++
		}
		if sameTagging(t, it.Tagging) {
			return nil
		}
		changed++
		if err := a.db.UpdateTagging(ctx, it.ID, t); err != nil {
			return fmt.Errorf("item %s: %w", it.UID, err)
		}
		return nil
	})
	if err != nil {
		return seen, changed, onTopic, fmt.Errorf("retag: %w", err)
	}
	if err := a.db.SetSetting(ctx, rulesSetting, a.tagger.Fingerprint()); err != nil {
		return seen, changed, onTopic, err
	}
	return seen, changed, onTopic, nil
}

func (a *app) Close() error {
	if a.stopGC != nil {
		a.stopGC()
	}
	return a.db.Close()
}

// storeStats reads the stored-items gauges for /metrics.
func (a *app) storeStats(ctx context.Context) (metrics.Stats, error) {
	s, err := a.db.Stats(ctx)
	if err != nil {
		return metrics.Stats{}, err
	}
	return metrics.Stats{Items: s.Items, OnTopic: s.OnTopic, Stories: s.Stories, ByTopic: s.ByTopic, ByTag: s.ByTag}, nil
}

// openStore loads the configuration and opens its database alone, for
// commands that need no pipeline.
func (e *env) openStore(ctx context.Context) (config.Config, *storage.DB, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return config.Config{}, nil, err
	}
	db, err := storage.Open(ctx, cfg.Database, storage.WithLogger(newLogger(e.stderr, cfg.Log)))
	if err != nil {
		return config.Config{}, nil, fmt.Errorf("open database %s: %w", cfg.Database, err)
	}
	return cfg, db, nil
}

// restoreStories builds the story index over the on-topic items stored in
// its time window, oldest first, as they were assigned.
func restoreStories(ctx context.Context, db *storage.DB, cfg config.Config, now func() time.Time) (*cluster.Index, error) {
	o := storyOptions(now)
	ix, err := restoreIndex(ctx, db, o, now, true)
	if errors.Is(err, errBadState) {
		// a stored state that cannot be read: analyse every text instead,
		// which also rewrites the states
		ix, err = restoreIndex(ctx, db, o, now, false)
	}
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// storyOptions are the options of the story index: keys are uids, whose
// publication hour an edit may move. The topics' entity terms are not
// passed as Options.Common: the window's own document frequencies already
// make the actors every item names weigh little, while a place or a person
// that only some of the topic's stories name (Rafah, a minister) is
// evidence of the event; the story model was fitted that way
// (aggregator/cluster NOTES.md).
func storyOptions(now func() time.Time) cluster.Options {
	return cluster.Options{Window: cluster.DefaultWindow, Now: now, Identity: news.UIDIdentity}
}

// errBadState marks a stored story state RestoreState refused.
var errBadState = errors.New("unreadable story state")

// restoreIndex builds the story index over the stored on-topic items of
// its window, streamed one at a time (memory is the index's, not the
// items'). With useStates, items stored with a state of the index's
// version are restored from it; the others (stored before states were
// kept, or under other rules) are analysed from their text, and their
// states written back so that the next start reads them.
func restoreIndex(ctx context.Context, db *storage.DB, o cluster.Options, now func() time.Time, useStates bool) (*cluster.Index, error) {
	ix := cluster.New(o)
	version := ix.StateVersion()
	read := version
	if !useStates {
		read = 0 // no state has version 0
	}
	analysed := map[int64]string{} // item id → key
	err := db.EachStoryDoc(ctx, now().Add(-cluster.DefaultWindow), read, func(d storage.StoryDoc) error {
		doc := cluster.Doc{Key: d.UID, Outlet: d.Outlet, Title: d.Title, Text: d.Text, Published: d.Published}
		if d.State != nil {
			if err := ix.RestoreState(doc, d.StoryID, d.State); err != nil {
				return fmt.Errorf("%w: item %d: %w", errBadState, d.ID, err)
			}
			return nil
		}
		ix.Restore(doc, d.StoryID)
		analysed[d.ID] = d.UID
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read recent items for story clustering: %w", err)
	}
	if len(analysed) > 0 {
		states := make(map[int64][]byte, len(analysed))
		for id, key := range analysed {
			if st := ix.State(key); st != nil {
				states[id] = st
			}
		}
		if err := db.SaveStoryStates(ctx, version, states); err != nil {
			return nil, fmt.Errorf("store story states: %w", err)
		}
	}
	return ix, nil
}
