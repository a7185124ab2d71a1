package cluster

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Stories must not depend on the order in which items arrive: outlets are
// polled concurrently and on their own schedules, so the report published
// first often arrives last. The index decides documents as if they had
// arrived in publication order. A document that arrives after documents
// published later than it is decided, and then those of the later ones
// that it could have changed are decided again, in publication order,
// against the stories formed by the documents before each: the documents
// it was compared with and the members of their stories, published after
// it. Documents that move get the story their decision gives; a story
// started again by its earliest document keeps that document's id
// (NewStoryID), so story ids follow the earliest item of each story.
//
// Every one of those documents is decided in full, even when none of the
// documents and stories it is compared with changed: a decision reads the
// idf of the index's size and of its features' counts, which every arrival
// changes, and the candidates it finds. On synthetic cold arrivals, a third
// of the documents decided again whose candidates did not change (not the
// new document, not moved, not in a story that gained or lost a member)
// still changed story. The documents decided again only for their story
// skip the explanation and reason their decision would give.

// maxRecluster bounds the documents decided again per arrival.
const maxRecluster = 256

// recluster decides again p (just inserted with dec) and the documents
// published after it that its decision could change, and returns p's
// decision with the documents that moved.
func (ix *Index) recluster(p *analysis, dec Decision) Decision {
	self := ix.docs.get(ix.mustLookup(p.doc.Key))
	if self == nil {
		return dec
	}
	affected := map[uint32]*entry{self.id: self}
	add := func(e *entry) {
		if e != nil && e.flags&entryCopy == 0 && len(e.feats) > 0 && after(e, self) && len(affected) < maxRecluster {
			affected[e.id] = e
		}
	}
	for _, id := range p.cands {
		e := ix.docs.get(id)
		if e == nil {
			continue
		}
		add(e)
		var one [1]uint32
		for _, m := range ix.stories.get(e.story, &one) {
			add(ix.docs.get(m))
		}
	}
	if len(affected) == 1 {
		return dec
	}
	order := make([]*entry, 0, len(affected))
	before := make(map[uint32]string, len(affected))
	for _, e := range affected {
		order = append(order, e)
		before[e.id] = e.story
	}
	slices.SortFunc(order, func(a, b *entry) int {
		if c := cmp.Compare(a.published, b.published); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	for _, e := range order {
		ix.detach(e)
		e.setPending(true)
		ix.pending++
	}
	for _, e := range order {
		var story string
		if e == self {
			m, _ := ix.bestStory(p, true)
			d := ix.storyDecision(p, m)
			d.DuplicateOf, d.State = dec.DuplicateOf, dec.State
			if d.StoryID == dec.StoryID {
				d.Reason = dec.Reason
			}
			dec, story = d, d.StoryID
		} else {
			// only its story is wanted: neither reason nor explanation
			q := ix.asAnalysis(e)
			q.storyOnly = true
			m, _ := ix.bestStory(q, true)
			if ix.joins(m) {
				story = m.e.story
			} else {
				story = ix.freeStoryID(e.key)
			}
		}
		e.setPending(false)
		ix.pending--
		ix.attach(e, story)
	}
	// a story started again here by an earlier document keeps the id its
	// later members had, when no other document holds that id any more: its
	// entry, links and related stories stay valid
	for _, f := range order {
		started := f.story
		if !strings.HasPrefix(started, NewStoryID(f.key)) || f.key == "" {
			continue
		}
		for _, m := range order {
			old := before[m.id]
			if m == self || m.story != started || old == started || old == "" || ix.stories.has(old) {
				continue
			}
			var one [1]uint32
			members := ix.stories.get(started, &one)
			if slices.ContainsFunc(members, func(id uint32) bool { return affected[id] == nil }) {
				break // it holds documents not decided again here
			}
			ix.stories.set(started, nil)
			for _, id := range members {
				ix.docs.get(id).story = old
			}
			ix.stories.set(old, members)
			if self.story == old {
				dec.StoryID = old
				dec.Reason += fmt.Sprintf(" (then joined by %s, published after it, whose story %s keeps its id)", m.key, old)
			}
			break
		}
	}
	// copies follow their originals
	for _, e := range order {
		if e.story == before[e.id] {
			continue
		}
		for _, c := range ix.copiesOf(e, before[e.id]) {
			ix.detach(c)
			ix.attach(c, e.story)
			dec.Moved = append(dec.Moved, Move{Key: c.key, From: before[e.id], To: e.story})
		}
		if e != self {
			dec.Moved = append(dec.Moved, Move{Key: e.key, From: before[e.id], To: e.story})
		}
	}
	return dec
}

// after reports whether e comes after self in publication order.
func after(e, self *entry) bool {
	if c := cmp.Compare(e.published, self.published); c != 0 {
		return c > 0
	}
	return e.key > self.key
}

// copiesOf returns the near-duplicate copies of e still in its old story.
func (ix *Index) copiesOf(e *entry, story string) []*entry {
	var out []*entry
	var one [1]uint32
	for _, id := range ix.stories.get(story, &one) {
		if c := ix.docs.get(id); c != nil && c != e && ix.rootOf(c) == e.key {
			out = append(out, c)
		}
	}
	return out
}

// detach removes e from its story's members.
func (ix *Index) detach(e *entry) {
	var one [1]uint32
	ix.stories.set(e.story, slices.DeleteFunc(ix.stories.get(e.story, &one), func(id uint32) bool { return id == e.id }))
}

// attach makes e a member of story, keeping members in publication order.
func (ix *Index) attach(e *entry, story string) {
	e.story = story
	var one [1]uint32
	members := ix.stories.get(story, &one)
	i, _ := slices.BinarySearchFunc(members, e, func(id uint32, e *entry) int {
		o := ix.docs.get(id)
		if c := cmp.Compare(o.published, e.published); c != 0 {
			return c
		}
		return cmp.Compare(o.key, e.key)
	})
	ix.stories.set(story, slices.Insert(members, i, e.id))
}

// asAnalysis is the indexed document as bestStory reads it.
func (ix *Index) asAnalysis(e *entry) *analysis {
	keys := e.feats.keys(nil)
	feats := make([]feature, len(keys))
	for j, h := range keys {
		feats[j] = feature{hash: h, code: e.feats.code(j)}
	}
	return &analysis{doc: Doc{Key: e.key, Outlet: ix.outletOf(e), Published: e.publishedAt()}, feats: feats, reaction: e.reaction(), speaker: e.speaker}
}

// StoryOf returns the story the index holds the document with key in, and
// whether it is indexed. Decisions of later documents may move a document
// (Decision.Moved); this is its story now.
func (ix *Index) StoryOf(key string) (string, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	id, ok := ix.lookup(key)
	if !ok {
		return "", false
	}
	return ix.docs.get(id).story, true
}
