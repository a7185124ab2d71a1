// Package aggregator runs topicfeed's ingest pipeline: for each outlet it
// fetches the feed (conditional GET), parses it, normalises its items, tags
// them and stores them, and it schedules those polls.
package aggregator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/sync/semaphore"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/aggregator/parser"
	"github.com/topicfeed/topicfeed/news"
)

// Outlet is one outlet to poll, as the configuration gives it.
type Outlet struct {
	news.Outlet
	// Interval is the outlet's regular poll interval.
	Interval time.Duration
	// MinInterval and MaxInterval bound the adaptive schedule (0: a
	// quarter of Interval, and four times Interval).
	MinInterval, MaxInterval time.Duration
	// Language is used for items whose feed names none.
	Language string
	// Location is the outlet's time zone, for dates without one (nil:
	// UTC).
	Location *time.Location
}

func (o Outlet) minInterval() time.Duration {
	if o.MinInterval > 0 {
		return min(o.MinInterval, o.Interval)
	}
	return o.Interval / 4
}

func (o Outlet) maxInterval() time.Duration {
	if o.MaxInterval > 0 {
		return max(o.MaxInterval, o.Interval)
	}
	return o.Interval * maxFreshnessFactor
}

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
	store   Store
	max     int
	budget  *semaphore.Weighted
	limit   int64
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
	Store   Store
	// MaxItems caps the items taken from one feed, newest first (0: no
	// cap).
	MaxItems int
	// ParseBudget bounds the bytes of feed documents parsed and
	// normalised at once (0: no bound). Parsing costs many times a
	// document's size, so a few large feeds arriving together must take
	// turns while small ones go on.
	ParseBudget int64
	// Now is the clock.
	Now func() time.Time
	// Log receives one line per poll.
	Log *slog.Logger
}

// NewPoller returns a Poller running d's stages.
func NewPoller(d PollerDeps) *Poller {
	p := &Poller{fetch: d.Fetcher, norm: d.Normalizer, tagger: d.Tagger, stories: d.Stories, store: d.Store, max: d.MaxItems, now: d.Now, log: d.Log}
	if d.ParseBudget > 0 {
		p.budget, p.limit = semaphore.NewWeighted(d.ParseBudget), d.ParseBudget
	}
	return p
}

// Poll fetches, parses, normalises, tags and stores one outlet's feed, and
// records the outlet's polling state. A failing outlet is reported in
// Result.Err (and logged); nothing already stored is touched.
func (p *Poller) Poll(ctx context.Context, o Outlet) Result {
	start := p.now()
	res := Result{Outlet: o.Name, FeedURL: o.URL}
	st, err := p.store.OutletState(ctx, o.Name)
	if err != nil {
		res.Outcome = OutcomeStoreError
		res.Err = fmt.Errorf("outlet %q: load state: %w", o.Name, err)
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
			st.LastError = err.Error()
			st.ConsecutiveErrors++
			st.NextPoll = nextAfterError(p.now(), o.Interval, st.ConsecutiveErrors, err)
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
			if se.StatusCode == http.StatusGone {
				st.Disabled = true
				st.DisabledReason = "feed is gone (HTTP 410)"
			}
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
			return fmt.Errorf("save outlet state: %w", err)
		}
		res.Outcome = OutcomeNotModified
		return nil
	}

	if p.budget != nil {
		weight := min(max(int64(len(resp.Body)), 1), p.limit)
		if err := p.budget.Acquire(ctx, weight); err != nil {
			res.Outcome = OutcomeParseError
			return fmt.Errorf("parse %s: %w", resp.URL, err)
		}
		defer p.budget.Release(weight)
	}
	parsed, err := parser.Parse(resp.Body, parser.Options{ContentType: resp.ContentType, URL: resp.URL,
		ContentLanguage: resp.Header.Get("Content-Language")})
	if err != nil {
		res.Outcome = OutcomeParseError
		return fmt.Errorf("parse %s: %w", resp.URL, err)
	}
	if len(parsed.Warnings) > 0 {
		p.log.Debug("feed repaired", "outlet", o.Name, "feed_url", resp.URL, "warnings", parsed.Warnings)
	}
	if p.max > 0 && len(parsed.Feed.Items) > p.max {
		res.Truncated = len(parsed.Feed.Items) - p.max
		keepNewest(parsed.Feed, p.max)
	}
	items := p.norm.Feed(normalize.Source{Outlet: o.Name, FeedURL: resp.URL, Language: o.Language, Location: o.Location}, parsed.Feed, now)
	for i := range items {
		it := &items[i]
		it.Tagging = p.tagger.Tag(it.Title, it.Text)
		it.SimHash = cluster.SimHash(it.Text)
		if p.stories != nil && it.OnTopic {
			d := p.stories.Assign(cluster.Doc{Key: news.ItemUID(o.Name, it.GUID), Outlet: o.Name, Title: it.Title, Text: it.Text, Published: it.Published})
			it.StoryID, it.DuplicateOf = d.StoryID, d.DuplicateOf
		}
	}
	res.Items = len(items)
	// Validators are stored only with a successful parse, so that a feed
	// that failed to parse is fetched in full next time.
	st.ETag = resp.ETag
	st.LastModified = resp.LastModified
	published := make([]time.Time, len(items))
	for i, it := range items {
		published[i] = it.Published
	}
	p.succeeded(st, resp, o, now, parsed.Hints, published)
	stats, err := p.store.SaveFetch(ctx, *st, items)
	if err != nil {
		res.Outcome = OutcomeStoreError
		return fmt.Errorf("store %d items: %w", len(items), err)
	}
	res.Stats = stats
	res.Outcome = OutcomeOK
	return nil
}

// succeeded records a successful fetch. published are the items'
// publication times; nil for a 304, which keeps the rate the last full
// fetch found.
func (p *Poller) succeeded(st *news.OutletState, resp *fetcher.Response, o Outlet, now time.Time, h parser.Hints, published []time.Time) {
	base := o.Interval
	if published != nil {
		base = adaptiveWait(now, o, published)
	} else if prev := st.NextPoll.Sub(st.LastSuccess); !st.LastSuccess.IsZero() && prev > 0 {
		base = min(max(prev, o.minInterval()), o.maxInterval())
	}
	st.LastSuccess = now
	st.LastError = ""
	st.ConsecutiveErrors = 0
	st.NextPoll = nextAfterSuccess(now, o, base, resp.FreshFor(now), h)
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
	p.log.Info("poll stored", append(attrs, "items", r.Items, "new", r.Stats.New, "updated", r.Stats.Updated,
		"duplicate", r.Stats.Duplicate, "unchanged", r.Stats.Unchanged)...)
}

// keepNewest keeps the n newest items of f (by publication, then update
// date; undated items count as newest, feeds list newest first).
func keepNewest(f *gofeed.Feed, n int) {
	date := func(it *gofeed.Item) time.Time {
		switch {
		case it.PublishedParsed != nil:
			return *it.PublishedParsed
		case it.UpdatedParsed != nil:
			return *it.UpdatedParsed
		}
		return time.Time{}
	}
	slices.SortStableFunc(f.Items, func(a, b *gofeed.Item) int {
		da, db := date(a), date(b)
		switch {
		case da.IsZero() && db.IsZero():
			return 0
		case da.IsZero():
			return -1
		case db.IsZero():
			return 1
		}
		return db.Compare(da)
	})
	clear(f.Items[n:])
	f.Items = f.Items[:n]
}
