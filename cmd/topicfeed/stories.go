package main

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/topicfeed/topicfeed/aggregator"
	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/storage"
)

// storyFields is what `explain` and `inspect -normalized` print of an
// on-topic item's story grouping.
type storyFields struct {
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

// groupStories runs docs through a fresh story index with the daemon's
// options, in publication order (docs published at the same time in the
// order given), and returns each one's grouping, in the order of docs,
// with the story each ends in once all are grouped. The index re-decides
// indexed documents when one published before them arrives, which
// publication order avoids; the final story is still read from the index,
// which has the last word.
func groupStories(cfg config.Config, docs []cluster.Doc, now func() time.Time) []storyFields {
	ix := cluster.New(storyOptions(now))
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return docs[a].Published.Compare(docs[b].Published) })
	out := make([]storyFields, len(docs))
	for _, i := range order {
		d := ix.Assign(docs[i])
		out[i] = storyFields{UID: docs[i].Key, Story: d.StoryID, StoryWhy: d.Reason, RelatedStory: d.Related}
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
func (a *app) runAssigner(ctx context.Context) (stop func()) {
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
