package cluster

// postings maps each feature to the indexed documents having it. Most
// features of a window (names, numbers, quotations, rare words) belong to
// a single document: such a feature costs one map slot, its document held
// inline. Lists of several documents live in a slab, addressed by index.
// Evicted documents are removed lazily from lists: dead counts them until
// the list is compacted, so live = len(ids) - dead is exact at all times.
type postings struct {
	m     map[fkey]pslot
	lists []posting
	free  []uint32 // unused slab indexes
}

// pslot is a feature's documents: the document one when list is 0, else
// lists[list-1].
type pslot struct {
	one  uint32
	list uint32
}

// posting lists the documents having a feature (see postings).
type posting struct {
	ids  []uint32
	dead int32
}

func newPostings() postings { return postings{m: make(map[fkey]pslot)} }

// live returns the number of indexed documents having feature k.
func (ps *postings) live(k fkey) int {
	s, ok := ps.m[k]
	switch {
	case !ok:
		return 0
	case s.list == 0:
		return 1
	}
	l := &ps.lists[s.list-1]
	return len(l.ids) - int(l.dead)
}

// ids returns the documents listed for feature k, dead ones included;
// one is scratch space for a single document.
func (ps *postings) ids(k fkey, one *[1]uint32) []uint32 {
	s, ok := ps.m[k]
	switch {
	case !ok:
		return nil
	case s.list == 0:
		one[0] = s.one
		return one[:]
	}
	return ps.lists[s.list-1].ids
}

// add records that document id has feature k.
func (ps *postings) add(k fkey, id uint32) {
	s, ok := ps.m[k]
	switch {
	case !ok:
		ps.m[k] = pslot{one: id}
	case s.list == 0:
		var i uint32
		if n := len(ps.free); n > 0 {
			i, ps.free = ps.free[n-1], ps.free[:n-1]
			ps.lists[i] = posting{ids: []uint32{s.one, id}}
		} else {
			i = uint32(len(ps.lists))
			ps.lists = append(ps.lists, posting{ids: []uint32{s.one, id}})
		}
		ps.m[k] = pslot{list: i + 1}
	default:
		l := &ps.lists[s.list-1]
		l.ids = append(l.ids, id)
	}
}

// drop records that one document having feature k is gone, compacting a
// list once half of it is dead (amortised O(1) per removal); alive tells
// which documents remain.
func (ps *postings) drop(k fkey, alive func(id uint32) bool) {
	s, ok := ps.m[k]
	switch {
	case !ok:
		return
	case s.list == 0:
		delete(ps.m, k)
		return
	}
	l := &ps.lists[s.list-1]
	l.dead++
	if len(l.ids)-int(l.dead) <= 0 {
		delete(ps.m, k)
		ps.lists[s.list-1] = posting{}
		ps.free = append(ps.free, s.list-1)
		return
	}
	if int(l.dead)*2 >= len(l.ids) {
		live := l.ids[:0]
		for _, id := range l.ids {
			if alive(id) {
				live = append(live, id)
			}
		}
		clear(l.ids[len(live):])
		l.ids = live
		l.dead = 0
	}
}
