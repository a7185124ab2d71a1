package aggregator

import (
	"context"

	"github.com/topicfeed/topicfeed/aggregator/cluster"
	"github.com/topicfeed/topicfeed/news"
)

// Store is what the aggregator needs from storage. storage.DB satisfies it;
// storage knows nothing of the aggregator.
type Store interface {
	// OutletState returns the polling state of the outlet with that name.
	OutletState(ctx context.Context, name string) (news.OutletState, error)
	// SaveOutletState records polling state alone (a 304, an error).
	SaveOutletState(ctx context.Context, st news.OutletState) error
	// SaveFetch stores one fetched feed's items and the outlet's new state
	// in one transaction.
	SaveFetch(ctx context.Context, st news.OutletState, items []news.Item) (news.SaveStats, error)
}

// PollStore is the Store a Poller works with: it also tells which raw feed
// entries it holds, so that a poll skips those (storage.DB satisfies it).
type PollStore interface {
	Store
	// KnownRaw reports which of hashes (news.Item.RawHash values) are
	// stored for a source of the named outlet.
	KnownRaw(ctx context.Context, outlet string, hashes []uint64) (map[uint64]bool, error)
	StorySetter
}

// StorySetter moves stored items to other stories (storage.DB satisfies
// it).
type StorySetter interface {
	// SetStories records that the items with those uids (the keys) now
	// belong to those stories (the values), as story clustering decided
	// them again. Items not stored, or already in their story, are left
	// as they are; it returns how many moved.
	SetStories(ctx context.Context, stories map[string]string) (int, error)
}

// StoryIndex assigns on-topic items to stories; *cluster.Index is the
// real one.
type StoryIndex interface {
	// Assign decides the story of an on-topic item and records it.
	Assign(d cluster.Doc) cluster.Decision
	// StateVersion identifies the format of Decision.State, stored with
	// it (news.Item.StoryStateVersion).
	StateVersion() int64
	// StoryOf returns the story the index holds the item with that key in
	// now, and whether it holds it: a later decision may have moved it
	// (Decision.Moved).
	StoryOf(key string) (string, bool)
}

// Tagger decides whether an item is on topic and which tags it gets.
type Tagger interface {
	Tag(title, text string) news.Tagging
}
