// Package aggregator runs topicfeed's ingest pipeline: for each outlet it
// fetches the feed (conditional GET), parses it, normalises its items, tags
// them and stores them, and it schedules those polls.
package aggregator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/parser"
	"github.com/topicfeed/topicfeed/news"
)

// Result is what one poll of one outlet did.
type Result struct {
	Outlet      string
	FeedURL     string
	Status      int // HTTP status, 0 when no response
	NotModified bool
	Items       int   // items in the fetched feed
	Truncated   int   // items dropped over the per-feed cap
	Bytes       int64 // bytes received on the wire
	Stats       news.SaveStats
	// Moved counts the stored items this poll moved to another story
	// (see StorySettler). Polls whose fetches were stored in one
	// transaction settle their stories together: the batch's count is in
	// its first poll's result, 0 in the others', so that the sum over
	// polls is the number of moves.
	Moved int
	// Outcome classifies the poll for metrics: "ok", "not_modified",
	// "http_error", "fetch_error", "parse_error", "store_error" or
	// "disabled".
	Outcome  string
	NextPoll time.Time
	Duration time.Duration
	Err      error
}

// Poll outcomes (Result.Outcome).
const (
	OutcomeOK          = "ok"
	OutcomeNotModified = "not_modified"
	OutcomeHTTPError   = "http_error"
	OutcomeFetchError  = "fetch_error"
	OutcomeParseError  = "parse_error"
	OutcomeStoreError  = "store_error"
	OutcomeDisabled    = "disabled"
)

// Poller polls one outlet at a time through the whole pipeline.
type Poller struct {
	fetch   *fetcher.Fetcher
	norm    *normalize.Normalizer
	tagger  Tagger
	stories StoryIndex
	settler *StorySettler
	store   PollStore
	max     int
	budget  *semaphore.Weighted
	limit   int64
	cpu     *semaphore.Weighted
	writer  *fetchWriter // nil: each poll stores its own fetch
	seed    uint64
	now     func() time.Time
	log     *slog.Logger
}

// PollerDeps are the stages a Poller runs.
type PollerDeps struct {
	Fetcher    *fetcher.Fetcher
	Normalizer *normalize.Normalizer
	Tagger     Tagger
	// Stories groups on-topic items into stories and finds near-duplicate
	// copies; nil leaves every item a story of its own.
	Stories StoryIndex
	// Settler stores the stories Stories moves items to. Pollers that
	// share Stories and Store must share one; nil: the Poller's own, which
	// is enough when this Poller runs every poll (a Scheduler runs all its
	// polls through one).
	Settler *StorySettler
	Store   PollStore
	// MaxItems caps the items taken from one feed, newest first (0: no
	// cap).
	MaxItems int
	// ParseBudget bounds the bytes of feed documents parsed and
	// normalised at once (0: no bound). Parsing costs many times a
	// document's size, so a few large feeds arriving together must take
	// turns while small ones go on.
	ParseBudget int64
	// CPUWorkers bounds the polls in their CPU-heavy part (parse,
	// normalise, tag, fingerprint, cluster) at once (0: no bound).
	// Fetches and stores are not bounded: a server that reads feeds while
	// it polls keeps a core for its readers with GOMAXPROCS−1. The parse
	// budget is always taken first, then a CPU slot.
	CPUWorkers int
	// WriteBatch is the most fetches stored in one transaction (see
	// fetchWriter) when Store is also a BatchStore; 0 or 1: each poll
	// stores its fetch in a transaction of its own.
	WriteBatch int
	// WriteQueueBytes bounds the item content of the fetches waiting for
	// the writer (0: DefaultWriteQueueBytes).
	WriteQueueBytes int64
	// RawSeed fingerprints what, besides a raw feed entry, decides what it
	// normalises to: the normaliser's rules and the build (see
	// normalize.RawSeed).
	// Entries whose raw hash is already stored for the outlet are not
	// processed again; a new seed reprocesses every entry once.
	RawSeed uint64
	// Now is the clock.
	Now func() time.Time
	// Log receives one line per poll.
	Log *slog.Logger
}

// NewPoller returns a Poller running d's stages.
func NewPoller(d PollerDeps) *Poller {
	p := &Poller{fetch: d.Fetcher, norm: d.Normalizer, tagger: d.Tagger, stories: d.Stories, settler: d.Settler, store: d.Store,
		max: d.MaxItems, seed: d.RawSeed, now: d.Now, log: d.Log}
	if p.settler == nil && d.Stories != nil {
		p.settler = NewStorySettler(d.Stories, d.Store)
	}
	if d.ParseBudget > 0 {
		p.budget, p.limit = semaphore.NewWeighted(d.ParseBudget), d.ParseBudget
	}
	if d.CPUWorkers > 0 {
		p.cpu = semaphore.NewWeighted(int64(d.CPUWorkers))
	}
	if bs, ok := d.Store.(BatchStore); ok && d.WriteBatch > 1 {
		qb := d.WriteQueueBytes
		if qb <= 0 {
			qb = DefaultWriteQueueBytes
		}
		p.writer = newFetchWriter(p, bs, d.WriteBatch, qb)
	}
	return p
}

// DefaultWriteQueueBytes bounds the item content waiting for the writer
// (PollerDeps.WriteQueueBytes): a few dozen feeds of 50 full-text items,
// more than the polls a scheduler runs at once parse meanwhile.
const DefaultWriteQueueBytes = 32 << 20

// Poll fetches, parses, normalises, tags and stores one outlet's feed, and
// records the outlet's polling state. A failing outlet is reported in
// Result.Err (and logged); nothing already stored is touched.
func (p *Poller) Poll(ctx context.Context, o Outlet) Result {
	start := p.now()
	res := Result{Outlet: o.Name, FeedURL: o.URL}
	st, err := p.store.OutletState(ctx, o.Name)
	if err != nil {
		res.Outcome = OutcomeStoreError
		res.Err = storeError{fmt.Errorf("outlet %q: load state: %w", o.Name, err)}
		res.NextPoll = nextPoll(start, o, news.OutletState{}, pollEnd{Err: res.Err})
		p.logResult(res)
		return res
	}
	if st.FeedURL == "" {
		st.FeedURL = o.URL
	}
	res.FeedURL = st.FeedURL
	if st.Disabled {
		res.Outcome = OutcomeDisabled
		res.Err = fmt.Errorf("outlet %q is disabled: %s", o.Name, st.DisabledReason)
		return res
	}

	err = p.poll(ctx, o, &st, &res)
	res.Duration = p.now().Sub(start)
	res.NextPoll = st.NextPoll
	if err != nil {
		res.Err = err
		if ctx.Err() == nil || !errors.Is(err, context.Canceled) {
			st.NextPoll = nextPoll(p.now(), o, st, pollEnd{Err: err})
			st.LastError = err.Error()
			st.ConsecutiveErrors++
			if reason := disables(err); reason != "" {
				st.Disabled, st.DisabledReason = true, reason
			}
			res.NextPoll = st.NextPoll
			if saveErr := p.store.SaveOutletState(context.WithoutCancel(ctx), st); saveErr != nil {
				res.Err = errors.Join(err, fmt.Errorf("save outlet state: %w", saveErr))
			}
		}
	}
	p.logResult(res)
	return res
}

func (p *Poller) poll(ctx context.Context, o Outlet, st *news.OutletState, res *Result) error {
	now := p.now()
	st.LastFetch = now
	resp, err := p.fetch.Fetch(ctx, fetcher.Request{URL: st.FeedURL, ETag: st.ETag, LastModified: st.LastModified})
	if err != nil {
		res.Outcome = OutcomeFetchError
		var se *fetcher.StatusError
		if errors.As(err, &se) {
			res.Outcome = OutcomeHTTPError
			st.LastStatus = se.StatusCode
			res.Status = se.StatusCode
		} else {
			st.LastStatus = 0
		}
		return err
	}
	st.LastStatus = resp.StatusCode
	res.Status = resp.StatusCode
	res.Bytes = resp.WireBytes
	if resp.MovedTo != "" && resp.MovedTo != st.FeedURL {
		p.log.Info("outlet moved permanently", "outlet", o.Name, "feed_url", st.FeedURL, "new_url", resp.MovedTo)
		st.FeedURL = resp.MovedTo
		res.FeedURL = resp.MovedTo
	}
	if resp.NotModified {
		res.NotModified = true
		p.succeeded(st, resp, o, now, parser.Hints{}, nil)
		if err := p.store.SaveOutletState(ctx, *st); err != nil {
			res.Outcome = OutcomeStoreError
			return storeError{fmt.Errorf("save outlet state: %w", err)}
		}
		res.Outcome = OutcomeNotModified
		return nil
	}

	var weight int64
	if p.budget != nil {
		weight = min(max(int64(len(resp.Body)), 1), p.limit)
		if err := p.budget.Acquire(ctx, weight); err != nil {
			res.Outcome = OutcomeParseError
			return fmt.Errorf("parse %s: %w", resp.URL, err)
		}
	}
	if p.cpu != nil {
		// after the parse budget, always: see PollerDeps.CPUWorkers
		if err := p.cpu.Acquire(ctx, 1); err != nil {
			if p.budget != nil {
				p.budget.Release(weight)
			}
			res.Outcome = OutcomeParseError
			return fmt.Errorf("parse %s: %w", resp.URL, err)
		}
	}
	out, err := p.process(ctx, o, resp, res, now)
	if p.cpu != nil {
		p.cpu.Release(1)
	}
	// The parsed document is garbage now; what waits for the store is
	// the items, bounded by the writer's queue.
	if p.budget != nil {
		p.budget.Release(weight)
	}
	if err != nil {
		return err
	}
	items := out.items
	res.Items = len(items) + out.skipped
	// Validators are stored only with a successful parse, so that a feed
	// that failed to parse is fetched in full next time.
	etag, lastModified := st.ETag, st.LastModified
	st.ETag = resp.ETag
	st.LastModified = resp.LastModified
	p.succeeded(st, resp, o, now, out.hints, out.published)
	var stats news.SaveStats
	if p.writer != nil {
		stats, res.Moved, err = p.writer.save(ctx, o.Name, *st, &out)
	} else {
		p.currentStories(items, out.keys)
		stats, err = p.store.SaveFetch(ctx, *st, items)
		res.Moved = p.settle(ctx, o.Name, out, err == nil)
	}
	if err != nil {
		res.Outcome = OutcomeStoreError
		// The items are not stored: the state saved with the error keeps
		// the validators from before, or the next poll would get a 304
		// and never the items.
		st.ETag, st.LastModified = etag, lastModified
		return storeError{fmt.Errorf("store %d items: %w", len(items), err)}
	}
	stats.Unchanged += out.skipped
	res.Stats = stats
	res.Outcome = OutcomeOK
	return nil
}

// processed is what the CPU-heavy part of a poll produced.
type processed struct {
	items []news.Item // to store
	// keys are the story index's keys of items, "" for those it was not
	// given (off topic).
	keys []string
	// moved are the keys of the items the index moved to another story
	// while it assigned items (Decision.Moved).
	moved []string
	// skipped counts the entries whose raw hash the store already holds
	// for the outlet: they would normalise to what is stored.
	skipped int
	// published holds the publication times of every entry, skipped ones
	// included, for the adaptive schedule.
	published []time.Time
	hints     parser.Hints
}

// process parses a fetched feed and runs the CPU-heavy stages over its
// entries: normalise, tag, fingerprint and cluster, skipping the entries
// already stored.
func (p *Poller) process(ctx context.Context, o Outlet, resp *fetcher.Response, res *Result, now time.Time) (processed, error) {
	parsed, err := parser.Parse(resp.Body, parser.Options{ContentType: resp.ContentType, URL: resp.URL,
		ContentLanguage: resp.Header.Get("Content-Language")})
	if err != nil {
		res.Outcome = OutcomeParseError
		return processed{}, fmt.Errorf("parse %s: %w", resp.URL, err)
	}
	if len(parsed.Warnings) > 0 {
		p.log.Debug("feed repaired", "outlet", o.Name, "feed_url", resp.URL, "warnings", parsed.Warnings)
	}
	f := parsed.Feed
	src := normalize.Source{Outlet: o.Name, FeedURL: resp.URL, Language: o.Language, Location: o.Location}
	if p.max > 0 && len(f.Items) > p.max {
		res.Truncated = len(f.Items) - p.max
		p.norm.KeepNewest(src, f, p.max, now)
	}
	hashes := p.norm.RawHashes(p.seed, src, f)
	known := p.knownRaw(ctx, o.Name, hashes)
	out := processed{items: make([]news.Item, 0, len(f.Items)), keys: make([]string, 0, len(f.Items)),
		published: make([]time.Time, 0, len(f.Items)), hints: parsed.Hints}
	for i := range f.Items {
		if hashes[i] != 0 && known[hashes[i]] {
			out.skipped++
			out.published = append(out.published, p.norm.Published(src, f, i, now))
			continue
		}
		// Each item costs about a millisecond of CPU. Yielding between
		// items lets HTTP handlers waiting for a core run now rather than
		// at the Go scheduler's next 10 ms preemption, which keeps the
		// server's latency low while it ingests; when nothing else waits
		// it costs nothing measurable.
		runtime.Gosched()
		// The topic is decided from the title and text, which do not
		// depend on sanitising; off-topic items, most of a general
		// outlet's feed, are never published, so their content is
		// sanitised only if a retag puts them on topic (PendingHTML).
		it, _, ok := p.norm.ItemUnsanitized(src, f, i, now)
		if !ok {
			continue
		}
		it.RawHash = hashes[i]
		it.Tagging = p.tagger.Tag(it.Title, it.Text)
		if it.OnTopic {
			p.norm.Sanitize(&it)
			// the fingerprint tokenises the whole text: off-topic items,
			// most of a general outlet's feed, are never published or
			// compared, so they go without (news.Item.SimHash 0)
			it.SimHash = cluster.SimHash(it.Text)
		}
		doc := cluster.Doc{Outlet: o.Name, Title: it.Title, Text: it.Text, Published: it.Published}
		if p.stories != nil && it.OnTopic {
			doc.Key = news.ItemUID(o.Name, it.GUID, it.Published)
			d := p.stories.Assign(doc)
			it.StoryID, it.DuplicateOf = d.StoryID, d.DuplicateOf
			it.StoryWhy, it.RelatedStory = d.Reason, d.Related
			if d.State != nil {
				it.StoryState, it.StoryStateVersion = d.State, p.stories.StateVersion()
			}
			for _, m := range d.Moved {
				out.moved = append(out.moved, m.Key)
			}
		}
		out.items = append(out.items, it)
		out.keys = append(out.keys, doc.Key)
		out.published = append(out.published, it.Published)
	}
	return out, nil
}

// currentStories sets each item's StoryID to the story the index holds it
// in now: assigning a later item of the batch, or another poll's, may have
// moved it since it was assigned.
func (p *Poller) currentStories(items []news.Item, keys []string) {
	if p.stories == nil {
		return
	}
	for i, k := range keys {
		if k == "" {
			continue
		}
		if story, ok := p.stories.StoryOf(k); ok && story != "" {
			items[i].StoryID = story
		}
	}
}

// settle stores the stories the index holds the items this poll moved in
// now, and its own on-topic items' when it stored them (saved), and
// returns how many stored items moved (see StorySettler). Moves of other
// polls' items are settled whatever became of this poll's batch, and even
// when the poll is being cancelled. A failure is logged: the items stay in
// the stories they had, and the outlet's poll did not fail.
func (p *Poller) settle(ctx context.Context, outlet string, out processed, saved bool) int {
	if p.settler == nil {
		return 0
	}
	keys := out.moved
	if saved {
		for _, k := range out.keys {
			if k != "" {
				keys = append(keys, k)
			}
		}
	}
	n, err := p.settleKeys(ctx, keys)
	if err != nil {
		p.log.Warn("stories of moved items not stored", "outlet", outlet, "items", len(keys), "error", err.Error())
		return 0
	}
	return n
}

// settleKeys settles the stories of the items with those keys (see
// StorySettler), even when ctx is being cancelled, and returns how many
// stored items moved.
func (p *Poller) settleKeys(ctx context.Context, keys []string) (int, error) {
	if p.settler == nil {
		return 0, nil
	}
	return p.settler.Settle(context.WithoutCancel(ctx), keys)
}

// knownRaw returns which of hashes the store holds for the outlet. When
// the store cannot tell (an error), every entry is processed: skipping is
// an optimisation, and processing all is what a poll did before it;
// failing the poll instead would lose the new entries and back the outlet
// off over a read that storing does not need (a store that is really
// broken fails SaveFetch, and the poll with it).
func (p *Poller) knownRaw(ctx context.Context, outlet string, hashes []uint64) map[uint64]bool {
	ask := make([]uint64, 0, len(hashes))
	for _, h := range hashes {
		if h != 0 {
			ask = append(ask, h)
		}
	}
	if len(ask) == 0 {
		return nil
	}
	known, err := p.store.KnownRaw(ctx, outlet, ask)
	if err != nil {
		p.log.Debug("known raw entries unavailable: processing every entry", "outlet", outlet, "error", err.Error())
		return nil
	}
	return known
}

// succeeded records a successful fetch. published are the items'
// publication times; nil for a 304, which keeps the rate the last full
// fetch found. When the next poll is due is the policy's (schedule.go).
func (p *Poller) succeeded(st *news.OutletState, resp *fetcher.Response, o Outlet, now time.Time, h parser.Hints, published []time.Time) {
	st.NextPoll = nextPoll(now, o, *st, pollEnd{Fresh: resp.FreshFor(now), Hints: h, Published: published})
	st.LastSuccess = now
	st.LastError = ""
	st.ConsecutiveErrors = 0
}

func (p *Poller) logResult(r Result) {
	attrs := []any{"outlet", r.Outlet, "feed_url", r.FeedURL, "status", r.Status, "duration", r.Duration.Round(time.Millisecond)}
	if r.Err != nil {
		p.log.Warn("poll failed", append(attrs, "error", r.Err.Error(), "next_poll", r.NextPoll.Format(time.RFC3339))...)
		return
	}
	if r.NotModified {
		p.log.Info("poll not modified", attrs...)
		return
	}
	if r.Truncated > 0 {
		attrs = append(attrs, "dropped_over_cap", r.Truncated)
	}
	if r.Moved > 0 {
		attrs = append(attrs, "moved", r.Moved)
	}
	p.log.Info("poll stored", append(attrs, "items", r.Items, "new", r.Stats.New, "updated", r.Stats.Updated,
		"duplicate", r.Stats.Duplicate, "unchanged", r.Stats.Unchanged)...)
}
