package cluster

// postings maps each feature to the indexed documents having it. Most
// features of a window (names, numbers, quotations, rare words) belong to
// a single document: such a feature costs one map slot of 8 bytes, its
// document held inline. Lists of several documents live in a slab,
// addressed by index. Evicted documents are removed lazily from lists:
// dead counts them until the list is compacted, so live = len(ids) - dead
// is exact at all times.
type postings struct {
	m     map[fkey]pslot
	lists []posting
	free  []uint32 // unused slab indexes
}

// pslot is a feature's documents: a document id, or with listBit set the
// index of their list in the slab.
type pslot uint32

// listBit marks a pslot that indexes the slab. Document ids from listBit
// up (after two billion insertions) are always kept in lists.
const listBit pslot = 1 << 31

func (s pslot) list() (int, bool) { return int(s &^ listBit), s&listBit != 0 }

// posting lists the documents having a feature (see postings).
type posting struct {
	ids  []uint32
	dead int32
}

func newPostings() postings { return postings{m: make(map[fkey]pslot)} }

// live returns the number of indexed documents having feature k.
func (ps *postings) live(k fkey) int {
	s, ok := ps.m[k]
	if !ok {
		return 0
	}
	i, isList := s.list()
	if !isList {
		return 1
	}
	l := &ps.lists[i]
	return len(l.ids) - int(l.dead)
}

// ids returns the documents listed for feature k, dead ones included;
// one is scratch space for a single document.
func (ps *postings) ids(k fkey, one *[1]uint32) []uint32 {
	s, ok := ps.m[k]
	if !ok {
		return nil
	}
	i, isList := s.list()
	if !isList {
		one[0] = uint32(s)
		return one[:]
	}
	return ps.lists[i].ids
}

// add records that document id has feature k.
func (ps *postings) add(k fkey, id uint32) {
	s, ok := ps.m[k]
	if ok {
		if i, isList := s.list(); isList {
			ps.lists[i].ids = append(ps.lists[i].ids, id)
			return
		}
	} else if pslot(id) < listBit {
		ps.m[k] = pslot(id)
		return
	}
	ids := []uint32{id}
	if ok {
		ids = []uint32{uint32(s), id}
	}
	var i int
	if n := len(ps.free); n > 0 {
		i, ps.free = int(ps.free[n-1]), ps.free[:n-1]
		ps.lists[i] = posting{ids: ids}
	} else {
		i = len(ps.lists)
		ps.lists = append(ps.lists, posting{ids: ids})
	}
	ps.m[k] = pslot(i) | listBit
}

// drop records that one document having feature k is gone, compacting a
// list once half of it is dead (amortised O(1) per removal); alive tells
// which documents remain.
func (ps *postings) drop(k fkey, alive func(id uint32) bool) {
	s, ok := ps.m[k]
	if !ok {
		return
	}
	i, isList := s.list()
	if !isList {
		delete(ps.m, k)
		return
	}
	l := &ps.lists[i]
	l.dead++
	if len(l.ids)-int(l.dead) <= 0 {
		delete(ps.m, k)
		ps.lists[i] = posting{}
		ps.free = append(ps.free, uint32(i))
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
