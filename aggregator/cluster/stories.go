package cluster

// storyMembers maps each story to its indexed documents, in publication
// order. Most stories of a window have one document: its id is held in the
// map's value, as postings does (a pslot); stories of several documents
// have a list in a slab. A map[string][]uint32 took a 40-byte slot and an
// allocation per story, this a 24-byte slot.
type storyMembers struct {
	m     map[string]pslot
	lists [][]uint32
	free  []uint32 // unused slab indexes
}

func newStoryMembers() storyMembers { return storyMembers{m: make(map[string]pslot)} }

// get returns story's documents, none when it has none; one is scratch
// space for a single document. The caller may change the slice it gets
// and hand it back to set.
func (s *storyMembers) get(story string, one *[1]uint32) []uint32 {
	v, ok := s.m[story]
	if !ok {
		return nil
	}
	if i, isList := v.list(); isList {
		return s.lists[i]
	}
	one[0] = uint32(v)
	return one[:]
}

// has reports whether story has documents.
func (s *storyMembers) has(story string) bool {
	_, ok := s.m[story]
	return ok
}

// len returns the number of stories.
func (s *storyMembers) len() int { return len(s.m) }

// set makes ids story's documents (none: the story is forgotten); a list
// of several is kept as it is, not copied.
func (s *storyMembers) set(story string, ids []uint32) {
	v, ok := s.m[story]
	i, isList := v.list()
	if ok && isList && len(ids) > 1 {
		s.lists[i] = ids
		return
	}
	if ok && isList {
		s.lists[i] = nil
		s.free = append(s.free, uint32(i))
	}
	switch {
	case len(ids) == 0:
		delete(s.m, story)
	case len(ids) == 1 && pslot(ids[0]) < listBit:
		s.m[story] = pslot(ids[0])
	default:
		var j int
		if n := len(s.free); n > 0 {
			j, s.free = int(s.free[n-1]), s.free[:n-1]
			s.lists[j] = ids
		} else {
			j = len(s.lists)
			s.lists = append(s.lists, ids)
		}
		s.m[story] = pslot(j) | listBit
	}
}
