package aggregator

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/semaphore"

	"github.com/topicfeed/topicfeed/news"
)

// BatchStore stores several fetched feeds in one transaction
// (storage.DB satisfies it). A Poller whose store has it writes through a
// fetchWriter (PollerDeps.WriteBatch).
type BatchStore interface {
	// SaveFetches stores each fetch as SaveFetch would, in one
	// transaction, and returns what each did, in order: a fetch that
	// fails leaves the others stored.
	SaveFetches(ctx context.Context, fetches []news.Fetch) []news.FetchResult
}

// fetchWriter hands finished fetches to the store's one writer, several
// per transaction.
//
// The database has one writer, so a poll's store is the one part of a poll
// that cannot run beside another's. Stored one transaction per fetch, each
// poll also paid a commit of its own and a second write transaction to
// settle its stories, and the polls waiting for the writer were polls not
// parsing, so a cold start kept about one core busy. Here a poll that has
// parsed, normalised, tagged and clustered its feed queues the result and
// waits; one goroutine, running while the queue is not empty, takes up to
// max queued fetches at a time, refreshes their items' stories from the
// index, stores them in one transaction (storage's SaveFetches: a fetch
// that fails does not fail the others) and settles the stories of the
// whole batch at once, then reports each fetch's outcome to its poll.
// While it writes, the other polls go on parsing, and the fetches that
// finish meanwhile form the next batch: there is no waiting to fill a
// batch, since a poll waits for its outcome and the writer is only worth
// batching for when it is busy.
//
// Memory: queued fetches hold their items, so the queue is bounded in
// bytes of item content (a fetch larger than the bound waits for an empty
// queue); a poll that finds it full waits before queueing, and with it its
// scheduler worker, so a cold start of a large fleet does not parse every
// feed ahead of the writer.
type fetchWriter struct {
	p     *Poller
	store BatchStore
	max   int
	room  *semaphore.Weighted
	limit int64

	mu      sync.Mutex
	queue   []*queuedFetch
	running bool
}

// queuedFetch is one poll's fetch waiting for the writer, and, once done
// is closed, its outcome.
type queuedFetch struct {
	ctx    context.Context
	outlet string
	fetch  news.Fetch
	out    *processed
	weight int64
	done   chan struct{}

	stats news.SaveStats
	moved int
	err   error
}

func newFetchWriter(p *Poller, store BatchStore, maxFetches int, maxBytes int64) *fetchWriter {
	return &fetchWriter{p: p, store: store, max: maxFetches, room: semaphore.NewWeighted(maxBytes), limit: maxBytes}
}

// save queues one poll's fetch and waits until it is stored or has
// failed. It returns what the store counted, the stored items the settle
// of its batch moved (see Result.Moved) and the store's error.
func (w *fetchWriter) save(ctx context.Context, outlet string, st news.OutletState, out *processed) (news.SaveStats, int, error) {
	q := &queuedFetch{ctx: ctx, outlet: outlet, fetch: news.Fetch{State: st, Items: out.items}, out: out,
		weight: min(max(itemBytes(out.items), 1), w.limit), done: make(chan struct{})}
	if err := w.room.Acquire(ctx, q.weight); err != nil {
		return news.SaveStats{}, 0, err
	}
	w.mu.Lock()
	w.queue = append(w.queue, q)
	if !w.running {
		w.running = true
		go w.run()
	}
	w.mu.Unlock()
	<-q.done
	return q.stats, q.moved, q.err
}

// run writes the queue, a batch at a time, until it is empty.
func (w *fetchWriter) run() {
	for {
		w.mu.Lock()
		if len(w.queue) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		n := min(len(w.queue), w.max)
		batch := w.queue[:n:n]
		w.queue = append([]*queuedFetch(nil), w.queue[n:]...)
		w.mu.Unlock()
		w.write(batch)
		for _, q := range batch {
			w.room.Release(q.weight)
			close(q.done)
		}
	}
}

// write stores one batch and settles its stories. A fetch whose poll was
// cancelled while it waited is not stored, as SaveFetch with a cancelled
// context stores nothing; the batch itself runs to its end whatever
// becomes of its polls, so that its outcome is known to each of them.
func (w *fetchWriter) write(batch []*queuedFetch) {
	live := make([]*queuedFetch, 0, len(batch))
	fetches := make([]news.Fetch, 0, len(batch))
	for _, q := range batch {
		if err := q.ctx.Err(); err != nil {
			q.err = err
			continue
		}
		// as late as possible: other polls' assignments may have moved
		// these items since they were assigned
		w.p.currentStories(q.fetch.Items, q.out.keys)
		live = append(live, q)
		fetches = append(fetches, q.fetch)
	}
	var results []news.FetchResult
	if len(fetches) > 0 {
		results = w.store.SaveFetches(context.Background(), fetches)
	}
	if got := len(results); got != len(live) {
		// a store that breaks its contract: no fetch counts as stored
		results = make([]news.FetchResult, len(live))
		for i := range results {
			results[i].Err = fmt.Errorf("store answered %d results for %d fetches", got, len(live))
		}
	}
	// One settle for the batch: the moves every decision of the batch
	// made (of whatever became of the fetches), and the stories of the
	// items stored.
	var keys []string
	for _, q := range batch {
		keys = append(keys, q.out.moved...)
	}
	for i, q := range live {
		q.stats, q.err = results[i].Stats, results[i].Err
		if q.err == nil {
			for _, k := range q.out.keys {
				if k != "" {
					keys = append(keys, k)
				}
			}
		}
	}
	moved, err := w.p.settleKeys(context.Background(), keys)
	if err != nil {
		w.p.log.Warn("stories of moved items not stored", "outlets", len(batch), "items", len(keys), "error", err.Error())
	}
	// the batch's moves are counted once, in its first poll's result
	batch[0].moved = moved
}

// itemBytes estimates the memory items hold: their text and markup.
func itemBytes(items []news.Item) int64 {
	var n int64
	for i := range items {
		it := &items[i]
		n += int64(len(it.Title) + len(it.Summary) + len(it.Text) + len(it.ContentHTML) + len(it.PendingHTML) + len(it.StoryState))
	}
	return n
}
