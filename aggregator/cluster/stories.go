package cluster

// storyMembers maps each story to its indexed documents, in publication
// order. Most stories of a window have one document: its id is held in the
// table's cell, as postings does (a pslot); stories of several documents
// have a list in a slab. The table is a keyTable of the story ids' hashes:
// a cell is told from another with the same hash by the story of its
// first document (storyOf), so the table holds no strings, 8 bytes a
// story where a map[string][]uint32 took a 40-byte slot and an allocation.
// Every document listed must have the story it is listed under.
type storyMembers struct {
	m       keyTable
	lists   [][]uint32
	free    []uint32 // unused slab indexes
	storyOf func(id uint32) string
}

// newStoryMembers returns empty story members; storyOf gives the story
// of an indexed document.
func newStoryMembers(storyOf func(id uint32) string) storyMembers {
	return storyMembers{storyOf: storyOf}
}

// is returns whether a cell holds story.
func (s *storyMembers) is(story string) func(v uint32) bool {
	return func(v uint32) bool {
		id := v
		if i, isList := pslot(v).list(); isList {
			id = s.lists[i][0]
		}
		return s.storyOf(id) == story
	}
}

// get returns story's documents, none when it has none; one is scratch
// space for a single document. The caller may change the slice it gets
// and hand it back to set.
func (s *storyMembers) get(story string, one *[1]uint32) []uint32 {
	c, ok := s.m.lookup(identHash(story), s.is(story))
	if !ok {
		return nil
	}
	v := pslot(c)
	if i, isList := v.list(); isList {
		return s.lists[i]
	}
	one[0] = uint32(v)
	return one[:]
}

// has reports whether story has documents.
func (s *storyMembers) has(story string) bool {
	_, ok := s.m.lookup(identHash(story), s.is(story))
	return ok
}

// len returns the number of stories.
func (s *storyMembers) len() int { return s.m.n }

// set makes ids story's documents (none: the story is forgotten); a list
// of several is kept as it is, not copied. The story's documents listed
// before may have been changed in place (ids), but not their stories.
func (s *storyMembers) set(story string, ids []uint32) {
	h, is := identHash(story), s.is(story)
	c, ok := s.m.lookup(h, is)
	i, wasList := pslot(c).list()
	if ok && wasList && len(ids) > 1 {
		s.lists[i] = ids
		return
	}
	var v uint32
	switch {
	case len(ids) == 0:
	case len(ids) == 1 && pslot(ids[0]) < listBit:
		v = ids[0]
	default:
		var j int
		if n := len(s.free); n > 0 {
			j, s.free = int(s.free[n-1]), s.free[:n-1]
			s.lists[j] = ids
		} else {
			j = len(s.lists)
			s.lists = append(s.lists, ids)
		}
		v = uint32(pslot(j) | listBit)
	}
	// the old cell goes first (found by its value), then the new one
	// (finding its place reads the other stories' lists), then the old list
	if ok {
		s.m.del(h, c)
	}
	if v != 0 {
		s.m.set(h, v, is)
	}
	if ok && wasList {
		s.lists[i] = nil
		s.free = append(s.free, uint32(i))
	}
}
