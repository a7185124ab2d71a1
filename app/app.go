// Package app is topicfeed's application layer: it opens a configuration's
// database and wires the pipeline (fetcher, parser, normaliser, tagger,
// story index, scheduler), and runs what the commands run: a poll round,
// the daemon's HTTP surface with its retention loop, re-tagging and the
// story index's warm start. cmd/topicfeed parses flags and prints; the
// rest is here, so that it can be tested without a binary.
package app

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
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/metrics"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// App is the wired pipeline of one configuration.
type App struct {
	// Config is the configuration the pipeline was built from.
	Config config.Config
	// Log is the logger every stage logs to.
	Log       *slog.Logger
	db        *storage.DB
	tagger    *tagger.Tagger
	norm      *normalize.Normalizer // sanitises what a retag puts on topic
	poller    *aggregator.Poller
	scheduler *aggregator.Scheduler
	assigner  *aggregator.Assigner // see runAssigner
	node      string               // this process among the nodes sharing the database (nodes.go)
	ready     readyCache           // the last /readyz answer
	stopGC    func()               // stops the collector's pacing (startGCTuning); nil when none runs
}

// LoadConfig loads the configuration file at path, with the TOPICFEED_*
// environment variables over it.
func LoadConfig(path string) (config.Config, error) {
	return config.LoadEnv(path, os.LookupEnv)
}

// NewLogger returns the logger c configures, writing to w.
func NewLogger(w io.Writer, c config.Log) *slog.Logger {
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

// infoAsDebug logs its INFO records at DEBUG.
type infoAsDebug struct{ slog.Handler }

func (h infoAsDebug) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Handler.Enabled(ctx, demote(l))
}

func (h infoAsDebug) Handle(ctx context.Context, r slog.Record) error {
	r.Level = demote(r.Level)
	return h.Handler.Handle(ctx, r)
}

func (h infoAsDebug) WithAttrs(attrs []slog.Attr) slog.Handler {
	return infoAsDebug{h.Handler.WithAttrs(attrs)}
}

func (h infoAsDebug) WithGroup(name string) slog.Handler {
	return infoAsDebug{h.Handler.WithGroup(name)}
}

func demote(l slog.Level) slog.Level {
	if l == slog.LevelInfo {
		return slog.LevelDebug
	}
	return l
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

// Options are the command-specific settings of the pipeline.
type Options struct {
	// Observer, if not nil, observes the scheduler's polls (metrics).
	Observer aggregator.Observer
	// CPUWorkers bounds the polls parsing and processing at once (0: no
	// bound); see aggregator.PollerDeps.CPUWorkers.
	CPUWorkers int
	// LimitMemory sets a Go memory limit from the container's (see
	// limitMemory) and paces the collector (startGCTuning): for the
	// commands that hold the story index.
	LimitMemory bool
	// OneShot is for a command that runs once and exits, as `poll` from
	// cron: the runtime settings Open decides (memory limit, collector's
	// pace), the same every run, are logged at DEBUG rather than INFO, and
	// the round reads the outlets' states at once (roundStates).
	OneShot bool
}

// ServeCPUWorkers is the bound on polls processing at once while serving:
// one core is left to the readers (at least one poll still runs).
func ServeCPUWorkers() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// Open opens cfg's database, records the configured outlets, restores the
// story index and wires the pipeline; stored items tagged under other
// rules are re-tagged. path is the configuration file's, for errors. The
// caller closes the App.
func Open(ctx context.Context, path string, cfg config.Config, log *slog.Logger, opts Options) (_ *App, err error) {
	tg, err := tagger.New(cfg.Topics, cfg.Tags)
	if err != nil {
		return nil, fmt.Errorf("%s: topics: %w", path, err)
	}
	db, err := storage.Open(ctx, cfg.Database, storage.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", storage.Redact(cfg.Database), err)
	}
	a := &App{Config: cfg, Log: log, db: db, tagger: tg}
	// From here on, a failure closes what is open: the database and the
	// collector's pacing.
	defer func() {
		if err != nil {
			err = errors.Join(err, a.Close())
		}
	}()
	if opts.LimitMemory {
		// before the story index is restored: the largest allocation
		settingsLog := log
		if opts.OneShot {
			settingsLog = slog.New(infoAsDebug{log.Handler()})
		}
		limitMemory(settingsLog, memlimit.FromCgroup, db.CacheBytes())
		a.stopGC = startGCTuning(settingsLog)
	}
	outs := outlets(cfg)
	list := make([]news.Outlet, len(outs))
	for i, o := range outs {
		list[i] = o.Outlet
	}
	if err := db.SyncOutlets(ctx, list); err != nil {
		return nil, fmt.Errorf("record outlets in %s: %w", storage.Redact(cfg.Database), err)
	}
	now := func() time.Time { return time.Now().UTC() }
	a.node = aggregator.NewNodeName()
	if err := releaseDeadNodes(ctx, db, a.node, now, log); err != nil {
		return nil, err
	}
	// Items stored after this id (by other processes) are the story
	// assigner's to decide; it is read before the restore, so that none is
	// missed (those the restore reads too are skipped).
	synced := now()
	lastID, err := db.LastItemID(ctx)
	if err != nil {
		return nil, err
	}
	stories, err := restoreStories(ctx, db, now)
	if err != nil {
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
	rules := NormalizeRules(cfg)
	seed, err := normalize.RawSeed(rules)
	if err != nil {
		return nil, err
	}
	a.norm = normalize.New(rules)
	var store aggregator.PollStore = db
	if opts.OneShot {
		store = &roundStates{DB: db}
	}
	a.poller = aggregator.NewPoller(aggregator.PollerDeps{
		Fetcher:    f,
		Normalizer: a.norm,
		Tagger:     tg,
		Stories:    stories,
		Settler:    settler,
		Store:      store,
		MaxItems:   cfg.Fetch.MaxItems,
		// One maximal feed at a time: parsing costs up to ~25× the bytes.
		ParseBudget: cfg.Fetch.MaxBodyBytes,
		CPUWorkers:  opts.CPUWorkers,
		RawSeed:     seed,
		Now:         now,
		Log:         log,

		// Up to 16 fetches per write transaction: more than the polls
		// that finish while one transaction is written at the default
		// concurrency, so a batch is whatever queued meanwhile.
		WriteBatch: 16,
	})
	a.scheduler = aggregator.NewScheduler(a.poller, store, outs, aggregator.SchedulerOptions{
		Workers:  cfg.Fetch.Concurrency,
		PerHost:  1,
		Grace:    5 * time.Second, // in-flight polls on shutdown: well within docker stop's 10s
		Jitter:   0.1,
		Observer: opts.Observer,
		Leaser:   hostLeaser{db},
		Node:     a.node,
		LeaseTTL: leaseTTL(cfg.Fetch),
	}, now, log)
	a.assigner = aggregator.NewAssigner(stories, settler, assignerStore{db}, aggregator.AssignerOptions{
		Holder: a.node, After: lastID, Synced: synced, Now: now, Log: log})
	if err := a.syncRules(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// NormalizeRules are the normaliser's rules under cfg: the embedded
// boilerplate rules with the configured cap on an item's size. Every
// command that normalises items uses them, so that `inspect -normalized`
// and `explain` show what poll and serve store.
func NormalizeRules(cfg config.Config) normalize.Rules {
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
func (a *App) syncRules(ctx context.Context) error {
	fp := a.tagger.Fingerprint()
	old, err := a.db.Setting(ctx, rulesSetting)
	if err != nil {
		return err
	}
	if old == fp {
		return nil
	}
	st, err := a.RetagAll(ctx)
	if err != nil {
		return err
	}
	if st.Items > 0 {
		a.Log.Info("tagging rules changed: re-tagged stored items", "items", st.Items, "changed", st.Changed, "on_topic", st.OnTopic)
	}
	return nil
}

// RetagStats counts what RetagAll did.
type RetagStats struct {
	Items   int // stored items re-evaluated
	Changed int // of which tagged differently than before
	OnTopic int // of which on topic now
}

// RetagAll re-evaluates every stored item against the configured rules,
// without refetching, and records the rules' fingerprint.
func (a *App) RetagAll(ctx context.Context) (RetagStats, error) {
	var st RetagStats
	err := a.db.EachItem(ctx, func(it news.Item) error {
		st.Items++
		t := a.tagger.Tag(it.Title, it.Text)
		if t.OnTopic {
			st.OnTopic++
		}
		if sameTagging(t, it.Tagging) {
			return nil
		}
		st.Changed++
		if t.OnTopic && it.PendingHTML != "" {
			// stored off topic, unsanitised: sanitised before it is
			// published
			a.norm.Sanitize(&it)
			if err := a.db.SetContentHTML(ctx, it.ID, it.ContentHTML); err != nil {
				return fmt.Errorf("item %s: %w", it.UID, err)
			}
		}
		if err := a.db.UpdateTagging(ctx, it.ID, t); err != nil {
			return fmt.Errorf("item %s: %w", it.UID, err)
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("retag: %w", err)
	}
	if err := a.db.SetSetting(ctx, rulesSetting, a.tagger.Fingerprint()); err != nil {
		return st, err
	}
	return st, nil
}

// Close stops the collector's pacing and closes the database.
func (a *App) Close() error {
	if a.stopGC != nil {
		a.stopGC()
	}
	return a.db.Close()
}

// storeStats reads the stored-items gauges for /metrics.
func (a *App) storeStats(ctx context.Context) (metrics.Stats, error) {
	s, err := a.db.Stats(ctx)
	if err != nil {
		return metrics.Stats{}, err
	}
	return metrics.Stats{Items: s.Items, OnTopic: s.OnTopic, Stories: s.Stories, ByTopic: s.ByTopic, ByTag: s.ByTag}, nil
}

// OpenStore opens cfg's database alone, for commands that need no
// pipeline.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*storage.DB, error) {
	db, err := storage.Open(ctx, cfg.Database, storage.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", storage.Redact(cfg.Database), err)
	}
	return db, nil
}

// Poll runs one poll round of every outlet, or with onlyDue of the outlets
// due by their stored state (next poll time, Retry-After, back-off), and
// returns each poll's result and the names of the outlets skipped as not
// yet due. Holding the assigner lease (no serve runs), the App decides the
// stories of what other polls store meanwhile; else serve corrects the
// stories this round gives its items.
func (a *App) Poll(ctx context.Context, onlyDue bool) (results []aggregator.Result, skipped []string, err error) {
	a.Log.Debug("polling", "node", a.node)
	stopAssigner := a.runAssigner(ctx)
	defer stopAssigner()
	if onlyDue {
		return a.scheduler.RunDue(ctx)
	}
	return a.scheduler.RunOnce(ctx), nil, nil
}
