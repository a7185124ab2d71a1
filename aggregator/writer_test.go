package aggregator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
	"github.com/topicfeed/topicfeed/aggregator/normalize"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// batchStore is the database, storing through SaveFetches; it records
// each batch's outlets, holds the first batch until release is closed, and
// stores the fetches of outlet "Bad" under a name the database does not
// know, so that that fetch alone fails.
type batchStore struct {
	*storage.DB
	release chan struct{}
	first   sync.Once
	mu      sync.Mutex
	batches [][]string
}

func (s *batchStore) SaveFetches(ctx context.Context, fetches []news.Fetch) []news.FetchResult {
	s.first.Do(func() { <-s.release })
	var names []string
	for i := range fetches {
		names = append(names, fetches[i].State.Name)
		if fetches[i].State.Name == "Bad" {
			fetches[i].State.Name = "Bad (not in the database)"
		}
	}
	s.mu.Lock()
	s.batches = append(s.batches, names)
	s.mu.Unlock()
	return s.DB.SaveFetches(ctx, fetches)
}

// pollAllBatched polls every outlet of e at once through a Poller that
// writes up to 16 fetches per transaction with a queue of queueBytes. The
// first batch is held until every other poll has queued its fetch or, when
// the queue cannot take them all, until the polls have had time to. It
// returns the results by outlet and the batches written.
func pollAllBatched(t *testing.T, e *storyEnv, stories StoryIndex, queueBytes int64) (map[string]Result, [][]string) {
	t.Helper()
	store := &batchStore{DB: e.db, release: make(chan struct{})}
	clock := func() time.Time { return settleNow }
	p := NewPoller(PollerDeps{Fetcher: fetcher.New(fetcher.Options{AllowPrivateNetworks: true, Timeout: 5 * time.Second, Now: clock}),
		Normalizer: normalize.New(normalize.DefaultRules()), Tagger: termTagger{}, Stories: stories, Store: store,
		WriteBatch: 16, WriteQueueBytes: queueBytes, Now: clock, Log: discard()})
	if p.writer == nil {
		t.Fatal("a store with SaveFetches and WriteBatch 16: the poller does not batch")
	}
	var (
		mu      sync.Mutex
		results = map[string]Result{}
		wg      sync.WaitGroup
	)
	for name, o := range e.outlets {
		wg.Go(func() {
			r := p.Poll(t.Context(), o)
			mu.Lock()
			results[name] = r
			mu.Unlock()
		})
	}
	// Every poll but the one being written queues its fetch, if the
	// queue has room; give them up to two seconds.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		p.writer.mu.Lock()
		n := len(p.writer.queue)
		p.writer.mu.Unlock()
		if n == len(e.outlets)-1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(store.release)
	wg.Wait()
	return results, store.batches
}

// TestBatchedWritesReportEachFetch: polls that finish while the writer is
// busy are stored in one transaction, and each poll still gets its own
// outcome: the fetch the database refuses fails its poll alone.
func TestBatchedWritesReportEachFetch(t *testing.T) {
	names := []string{"A", "B", "C", "D", "E", "Bad"}
	e := newStoryEnv(t, names...)
	at := func(h int) time.Time { return settleNow.Add(time.Duration(-h) * time.Hour) }
	for _, n := range names {
		e.serve(n, storyEntry{guid: n + "-1", title: "Iran report one from " + n, text: "Iran, first report by " + n + ".", at: at(1)},
			storyEntry{guid: n + "-2", title: "Weather in " + n, text: "Sun, says " + n + ".", at: at(2)},
			storyEntry{guid: n + "-3", title: "Iran report three from " + n, text: "Iran, third report by " + n + ".", at: at(3)})
	}
	results, batches := pollAllBatched(t, e, nil, 0)

	if len(batches) != 2 || len(batches[0]) != 1 || len(batches[1]) != len(names)-1 {
		t.Errorf("batches %v, want the held one alone, then the %d others in one", batches, len(names)-1)
	}
	for _, n := range names {
		r := results[n]
		if n == "Bad" {
			if r.Outcome != OutcomeStoreError || !errors.Is(r.Err, news.ErrNotFound) {
				t.Errorf("Bad: outcome %q, error %v; want store_error, not found", r.Outcome, r.Err)
			}
			continue
		}
		if r.Err != nil || r.Outcome != OutcomeOK || r.Stats != (news.SaveStats{New: 3}) {
			t.Errorf("%s: outcome %q, stats %+v, error %v; want ok, 3 new", n, r.Outcome, r.Stats, r.Err)
		}
	}
	items, err := e.db.Items(t.Context(), news.Query{})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, it := range items {
		per[it.Outlet]++
	}
	for _, n := range names {
		want := 3
		if n == "Bad" {
			want = 0
		}
		if per[n] != want {
			t.Errorf("%s: %d items stored, want %d", n, per[n], want)
		}
	}
	// the failed fetch's poll recorded its error, as a failed SaveFetch's
	st, err := e.db.OutletState(t.Context(), "Bad")
	if err != nil {
		t.Fatal(err)
	}
	if st.ConsecutiveErrors != 1 || st.LastError == "" || st.ItemCount != 0 {
		t.Errorf("Bad's state after its failed fetch: %+v", st)
	}
}

// TestBatchedWritesSettleStories: outlets whose items share stories,
// stored in one batch, end with every item stored in the story the index
// holds it in, and the batch's moves are counted once.
func TestBatchedWritesSettleStories(t *testing.T) {
	names := []string{"Late", "Mid", "Early"}
	e := newStoryEnv(t, names...)
	at := func(h int) time.Time { return settleNow.Add(time.Duration(-h) * time.Hour) }
	for i, n := range names {
		e.serve(n, storyEntry{guid: n + "-a", title: "Azov report " + n, text: "Iran and the Sea of Azov, " + n + ".", at: at(i + 1)},
			storyEntry{guid: n + "-b", title: "Tanker report " + n, text: "Iran and a tanker, " + n + ".", at: at(i + 2)})
	}
	stories := newLabelStories()
	results, _ := pollAllBatched(t, e, stories, 0)
	for n, r := range results {
		if r.Err != nil {
			t.Fatalf("%s: %v", n, r.Err)
		}
	}
	got := e.agree(t, stories)
	if len(got) != 6 {
		t.Errorf("%d on-topic items stored, want 6: %v", len(got), got)
	}
	for _, label := range []string{"Azov", "Tanker"} {
		stories := map[string]bool{}
		for _, n := range names {
			stories[got[n+"-"+fmt.Sprint(map[string]string{"Azov": "a", "Tanker": "b"}[label])]] = true
		}
		if len(stories) != 1 {
			t.Errorf("%s items in stories %v, want one", label, stories)
		}
	}
}

// TestWriteQueueBound: with room in the writer's queue for one fetch's
// items, no poll queues a fetch while another waits or is written, so each
// transaction holds one fetch however many polls are ready.
func TestWriteQueueBound(t *testing.T) {
	names := []string{"A", "B", "C", "D"}
	e := newStoryEnv(t, names...)
	for _, n := range names {
		e.serve(n, storyEntry{guid: n + "-1", title: "Iran report from " + n, text: "Iran, reported by " + n + ".", at: settleNow.Add(-time.Hour)})
	}
	results, batches := pollAllBatched(t, e, nil, 1)
	for n, r := range results {
		if r.Err != nil || r.Stats.New != 1 {
			t.Errorf("%s: %+v", n, r)
		}
	}
	if len(batches) != len(names) {
		t.Errorf("batches %v, want %d of one fetch each", batches, len(names))
	}
}
