package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/topicfeed/topicfeed/aggregator"
	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/storage"
)

// StoryFields is what `explain` and `inspect -normalized` print of an
// on-topic item's story grouping.
type StoryFields struct {
	// UID is the id the item is known by to the story index (the uid
	// storage would give it); reasons name write-ups and stories by it.
	UID          string `json:"uid,omitempty"`
	Story        string `json:"story,omitempty"`
	StoryWhy     string `json:"story_why,omitempty"`
	RelatedStory string `json:"related_story,omitempty"`
	// MovedFrom is the story the item was first put in, which StoryWhy
	// explains, when the grouping of a later item moved it to Story
	// (Decision.Moved).
	MovedFrom string `json:"moved_from,omitempty"`
}

// GroupStories runs docs through a fresh story index with the daemon's
// options, in publication order (docs published at the same time in the
// order given), and returns each one's grouping, in the order of docs,
// with the story each ends in once all are grouped. The index re-decides
// indexed documents when one published before them arrives, which
// publication order avoids; the final story is still read from the index,
// which has the last word.
func GroupStories(docs []cluster.Doc, now func() time.Time) []StoryFields {
	ix := cluster.New(storyOptions(now))
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return docs[a].Published.Compare(docs[b].Published) })
	out := make([]StoryFields, len(docs))
	for _, i := range order {
		d := ix.Assign(docs[i])
		out[i] = StoryFields{UID: docs[i].Key, Story: d.StoryID, StoryWhy: d.Reason, RelatedStory: d.Related}
	}
	for i, d := range docs {
		if final, ok := ix.StoryOf(d.Key); ok && final != out[i].Story {
			out[i].MovedFrom, out[i].Story = out[i].Story, final
		}
	}
	return out
}

// runAssigner runs the story assigner until the returned stop is called:
// the process that holds the database's assigner lease decides the stories
// of the items other processes (serve, polls from cron) store in it (see
// aggregator.Assigner). stop runs a last round, taking the lease if it is
// free, and releases it.
func (a *App) runAssigner(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { a.assigner.Run(ctx) })
	return func() {
		cancel()
		wg.Wait()
		// a shutdown cancels ctx: the last round and the release get
		// their own time
		stopCtx, cancelStop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancelStop()
		a.assigner.Stop(stopCtx)
	}
}

// assignerStore is the database as the story assigner reads it.
type assignerStore struct{ *storage.DB }

// NewStoryDocs is storage's StoryDocsAfter in the assigner's terms.
func (s assignerStore) NewStoryDocs(ctx context.Context, after, stateVersion int64, limit int) ([]aggregator.StoredDoc, int64, error) {
	docs, next, err := s.StoryDocsAfter(ctx, after, stateVersion, limit)
	out := make([]aggregator.StoredDoc, len(docs))
	for i, d := range docs {
		out[i] = aggregator.StoredDoc{ID: d.ID, UID: d.UID, Outlet: d.Outlet, Published: d.Published, State: d.State}
	}
	return out, next, err
}

// restoreStories builds the story index over the on-topic items stored in
// its time window, oldest first, as they were assigned.
func restoreStories(ctx context.Context, db *storage.DB, now func() time.Time) (*cluster.Index, error) {
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
