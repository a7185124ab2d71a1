package aggregator

import (
	"context"
	"fmt"
	"sync"
)

// StorySettler stores the stories the story index holds items in now.
//
// An item that arrives after items published later than it makes the index
// decide those again, and some move to another story (Decision.Moved). A
// moved item may be stored already, be in the batch of the poll that moved
// it, or be in the batch of another poll running at the same time, not
// stored yet. So each poll, before it stores its batch, takes each item's
// story from the index again, and after storing it settles the keys of its
// own on-topic items and of every item its decisions moved: under one
// mutex, the settler reads each item's story from the index and stores
// those that differ. Settles are serialised and each writes what the index
// holds at that moment, so an item's last written story is the index's
// latest: a move of an item not yet stored is settled by the poll that
// stores it, after storing it.
//
// The Pollers that share a story index and store must share one settler.
//
// When processes share the database, an Assigner gates the settler (see
// Assigner): while this process does not hold the assigner lease, its
// story index is not the authority, so Settle writes nothing and keeps the
// keys for when the process takes the lease.
type StorySettler struct {
	mu      sync.Mutex
	stories StoryIndex
	store   StorySetter
	// assigns, when set, tells whether this process decides the stored
	// stories now; while it does not, Settle adds its keys to pending.
	assigns func() bool
	pending map[string]bool
}

// NewStorySettler returns a settler of the stories stories holds items in,
// stored in store.
func NewStorySettler(stories StoryIndex, store StorySetter) *StorySettler {
	return &StorySettler{stories: stories, store: store}
}

// Settle stores the story the index holds each of the items with those
// keys in now, where the stored one differs, and returns how many items
// moved. Keys are the items' uids (news.ItemUID), as the poller gives
// them to the index; items the index or the store do not hold are left
// out.
//
// While an Assigner gates the settler and this process does not hold the
// lease, nothing is written: the keys wait for the Assigner (settleAll).
func (s *StorySettler) Settle(ctx context.Context, keys []string) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.assigns != nil && !s.assigns() {
		if s.pending == nil {
			s.pending = map[string]bool{}
		}
		for _, k := range keys {
			s.pending[k] = true
		}
		return 0, nil
	}
	return s.write(ctx, keys)
}

// gate makes Settle write only while assigns reports true (see Assigner).
func (s *StorySettler) gate(assigns func() bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assigns = assigns
}

// settleAll settles keys and every key Settle kept while it was not
// writing, whether or not the gate is open: the Assigner calls it while it
// holds the lease. On an error every one of those keys is kept for the
// next call.
func (s *StorySettler) settleAll(ctx context.Context, keys []string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.pending {
		keys = append(keys, k)
	}
	s.pending = nil
	if len(keys) == 0 {
		return 0, nil
	}
	n, err := s.write(ctx, keys)
	if err != nil {
		s.pending = make(map[string]bool, len(keys))
		for _, k := range keys {
			s.pending[k] = true
		}
		return 0, err
	}
	return n, nil
}

// write stores the index's story of each of keys where the stored one
// differs; s.mu is held.
func (s *StorySettler) write(ctx context.Context, keys []string) (int, error) {
	stories := make(map[string]string, len(keys))
	for _, k := range keys {
		if story, ok := s.stories.StoryOf(k); ok && story != "" {
			stories[k] = story
		}
	}
	if len(stories) == 0 {
		return 0, nil
	}
	n, err := s.store.SetStories(ctx, stories)
	if err != nil {
		return 0, fmt.Errorf("store the stories of %d items: %w", len(stories), err)
	}
	return n, nil
}
