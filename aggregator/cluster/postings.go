package cluster

// postings maps each feature to the indexed documents having it. Most
// features of a window (names, numbers, quotations, rare words) belong to
// a single document: such a feature costs one 8-byte cell of a keyTable
// (its key and a pslot), its document held inline. Lists of several documents live in a slab,
// addressed by index. Evicted documents are removed lazily from lists:
// dead counts them until the list is compacted, so live = len(ids) - dead
// is exact at all times. A list that grows past maxListed live documents
// keeps only their count from then on: a feature that common finds no
// candidates (Options.MaxPostings) but still weighs by its frequency, and
// its ids were most of the postings' memory.
type postings struct {
	m         keyTable // feature key → its pslot (never 0: ids start at 1, list slots have listBit)
	lists     []posting
	free      []uint32 // unused slab indexes
	maxListed int
}

// pslot is a feature's documents: a document id, or with listBit set the
// index of their list in the slab.
type pslot uint32

// listBit marks a pslot that indexes the slab. Document ids from listBit
// up (after two billion insertions) are always kept in lists.
const listBit pslot = 1 << 31

func (s pslot) list() (int, bool) { return int(s &^ listBit), s&listBit != 0 }

// posting lists the documents having a feature (see postings): ids, dead
// of them evicted; or, once counted, only the number of live ones in dead.
type posting struct {
	ids     []uint32
	dead    int32
	counted bool
}

// newPostings returns empty postings whose lists keep at most maxListed
// live ids (0: no bound).
func newPostings(maxListed int) postings {
	return postings{maxListed: maxListed}
}

// anyCell accepts the only cell filed under a feature's key (keyTable).
func anyCell(uint32) bool { return true }

// slot returns feature k's pslot.
func (ps *postings) slot(k fkey) (pslot, bool) {
	s, ok := ps.m.lookup(uint32(k), anyCell)
	return pslot(s), ok
}

// each calls fn with every feature held.
func (ps *postings) each(fn func(k fkey)) {
	for _, c := range ps.m.cells {
		if uint32(c) != 0 {
			fn(fkey(c >> 32))
		}
	}
}

// live returns the number of indexed documents having feature k.
func (ps *postings) live(k fkey) int {
	s, ok := ps.slot(k)
	if !ok {
		return 0
	}
	i, isList := s.list()
	if !isList {
		return 1
	}
	l := &ps.lists[i]
	if l.counted {
		return int(l.dead)
	}
	return len(l.ids) - int(l.dead)
}

// ids returns the documents listed for feature k, dead ones included (none
// once counted); one is scratch space for a single document.
func (ps *postings) ids(k fkey, one *[1]uint32) []uint32 {
	s, ok := ps.slot(k)
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
	s, ok := ps.slot(k)
	if ok {
		if i, isList := s.list(); isList {
			l := &ps.lists[i]
			switch {
			case l.counted:
				l.dead++
				return
			case ps.maxListed > 0 && len(l.ids)-int(l.dead) >= ps.maxListed:
				*l = posting{dead: int32(len(l.ids)-int(l.dead)) + 1, counted: true}
				return
			}
			if len(l.ids) == cap(l.ids) {
				l.ids = resize(l.ids, len(l.ids)+1)
			}
			l.ids = append(l.ids, id)
			return
		}
	} else if pslot(id) < listBit {
		ps.m.set(uint32(k), id, anyCell)
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
	ps.m.set(uint32(k), uint32(pslot(i)|listBit), anyCell)
}

// drop records that one document having feature k is gone, compacting a
// list once half of it is dead (amortised O(1) per removal); alive tells
// which documents remain.
func (ps *postings) drop(k fkey, alive func(id uint32) bool) {
	s, ok := ps.slot(k)
	if !ok {
		return
	}
	i, isList := s.list()
	if !isList {
		ps.m.del(uint32(k), uint32(s))
		return
	}
	l := &ps.lists[i]
	if l.counted {
		l.dead--
		if l.dead <= 0 {
			ps.m.del(uint32(k), uint32(s))
			ps.lists[i] = posting{}
			ps.free = append(ps.free, uint32(i))
		}
		return
	}
	l.dead++
	if len(l.ids)-int(l.dead) <= 0 {
		ps.m.del(uint32(k), uint32(s))
		ps.lists[i] = posting{}
		ps.free = append(ps.free, uint32(i))
		return
	}
	if int(l.dead)*2 >= len(l.ids) {
		// into a new array sized for the live ids: compacting in
		// place kept the old capacity, so that in a sliding window the
		// lists took three times the memory of a fresh index's
		// (BenchmarkAssign/sliding: 3,768 heap B per indexed
		// document, 3,356 with this)
		live := resize(nil, len(l.ids)-int(l.dead))
		for _, id := range l.ids {
			if alive(id) {
				live = append(live, id)
			}
		}
		l.ids = live
		l.dead = 0
	}
}

// resize returns ids in a new array with room for n ids and a quarter
// more: lists grow by a quarter at a time, where append would double
// short ones (a third of a list's memory went unused on average). The
// capacity is rounded up to the allocator's size class, which append
// from nil does.
func resize(ids []uint32, n int) []uint32 {
	out := append([]uint32(nil), make([]uint32, n+n/4+1)...)
	return out[:copy(out, ids)]
}
