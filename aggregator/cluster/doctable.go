package cluster

import "math/bits"

// docTable holds the indexed documents by id. Ids grow with each
// insertion and documents leave roughly in the order they came (eviction
// takes the oldest first), so the live ids of a window lie in one range: a
// directory of pages of 256 pointers over it takes about 8 bytes a
// document, where a map[uint32]*entry took 24. A page is freed when its
// last document leaves; a document that stays long (published out of
// order) keeps only its own page, and the directory costs a pointer per
// 256 ids between.
type docTable struct {
	pages  []*[pageSize]*entry // pages[i]: ids from (first+i)·pageSize
	counts []uint16            // documents in each page
	first  uint32              // page number of pages[0]
	n      int
}

const (
	pageBits = 8
	pageSize = 1 << pageBits
)

// get returns the document with id, nil when none is indexed.
func (t *docTable) get(id uint32) *entry {
	p := int64(id>>pageBits) - int64(t.first)
	if p < 0 || p >= int64(len(t.pages)) || t.pages[p] == nil {
		return nil
	}
	return t.pages[p][id&(pageSize-1)]
}

// len returns the number of documents.
func (t *docTable) len() int { return t.n }

// put adds e, whose id is larger than any added before.
func (t *docTable) put(e *entry) {
	pg := e.id >> pageBits
	if len(t.pages) == 0 {
		t.first = pg
	}
	for int64(pg)-int64(t.first) >= int64(len(t.pages)) {
		t.pages = append(t.pages, nil)
		t.counts = append(t.counts, 0)
	}
	p := pg - t.first
	if t.pages[p] == nil {
		t.pages[p] = new([pageSize]*entry)
	}
	if t.pages[p][e.id&(pageSize-1)] == nil {
		t.counts[p]++
		t.n++
	}
	t.pages[p][e.id&(pageSize-1)] = e
}

// del removes the document with id, if indexed.
func (t *docTable) del(id uint32) {
	if t.get(id) == nil {
		return
	}
	p := id>>pageBits - t.first
	t.pages[p][id&(pageSize-1)] = nil
	t.n--
	if t.counts[p]--; t.counts[p] > 0 {
		return
	}
	t.pages[p] = nil
	for len(t.pages) > 0 && t.pages[0] == nil {
		t.pages, t.counts = t.pages[1:], t.counts[1:]
		t.first++
	}
	for len(t.pages) > 0 && t.pages[len(t.pages)-1] == nil {
		t.pages, t.counts = t.pages[:len(t.pages)-1], t.counts[:len(t.counts)-1]
	}
}

// each calls fn for every document, in the order of their ids.
func (t *docTable) each(fn func(*entry)) {
	for _, pg := range t.pages {
		if pg == nil {
			continue
		}
		for _, e := range pg {
			if e != nil {
				fn(e)
			}
		}
	}
}

// keyTable files non-zero 32-bit values under 32-bit hashes: an
// open-addressing table (linear probing, deletion by backward shift) of
// 8-byte cells, each a hash and a value, at a load of 0.7–0.875 (it grows by a quarter). Cells
// filed under one hash are told apart by the caller (match). It holds a
// document's id by the identity of its key (Options.Identity; a
// map[string]uint32 took about 35 bytes a document), each feature's
// postings (the key is the hash) and each story's members.
type keyTable struct {
	cells []uint64 // hash<<32 | id; id 0: empty
	n     int
}

// minKeyCells is the initial size of a keyTable.
const minKeyCells = 64

// identHash is the hash keyTable files an identity under.
func identHash(ident string) uint32 { return uint32(hashString(ident) >> 32) }

// home is the first cell tried for h: h scaled to the table's size, after
// a multiplication that spreads it (feature keys are not uniform: of the
// features tied on weight, a document keeps those of the lowest keys).
func (t *keyTable) home(h uint32) int {
	hi, _ := bits.Mul64(uint64(h*0x9e3779b1)<<32, uint64(len(t.cells)))
	return int(hi)
}

// find returns the cell of the document filed under h that match accepts,
// or the empty cell where one would go.
func (t *keyTable) find(h uint32, match func(id uint32) bool) int {
	i := t.home(h)
	for c := t.cells[i]; uint32(c) != 0; c = t.cells[i] {
		if uint32(c>>32) == h && match(uint32(c)) {
			return i
		}
		if i++; i == len(t.cells) {
			i = 0
		}
	}
	return i
}

// lookup returns the id of the document filed under h that match accepts.
func (t *keyTable) lookup(h uint32, match func(id uint32) bool) (uint32, bool) {
	if t.n == 0 {
		return 0, false
	}
	id := uint32(t.cells[t.find(h, match)])
	return id, id != 0
}

// set files id under h, in place of the document match accepts if any.
func (t *keyTable) set(h, id uint32, match func(id uint32) bool) {
	if (t.n+1)*8 > len(t.cells)*7 {
		t.resize(max(minKeyCells, len(t.cells)+len(t.cells)/4))
	}
	i := t.find(h, match)
	if uint32(t.cells[i]) == 0 {
		t.n++
	}
	t.cells[i] = uint64(h)<<32 | uint64(id)
}

// del removes id, filed under h, if it is.
func (t *keyTable) del(h, id uint32) {
	if t.n == 0 {
		return
	}
	i := t.find(h, func(c uint32) bool { return c == id })
	if uint32(t.cells[i]) == 0 {
		return
	}
	t.cells[i] = 0
	t.n--
	for j := i; ; { // backward shift, as in lineCounts.dec
		if j++; j == len(t.cells) {
			j = 0
		}
		c := t.cells[j]
		if uint32(c) == 0 {
			break
		}
		k := t.home(uint32(c >> 32))
		if (j > i && (k <= i || k > j)) || (j < i && k <= i && k > j) {
			t.cells[i], t.cells[j] = c, 0
			i = j
		}
	}
	if len(t.cells) > minKeyCells && t.n*4 < len(t.cells) {
		t.resize(max(minKeyCells, t.n*2))
	}
}

// resize moves the table to n cells.
func (t *keyTable) resize(n int) {
	old := t.cells
	t.cells = make([]uint64, n)
	for _, c := range old {
		if uint32(c) != 0 {
			i := t.home(uint32(c >> 32))
			for uint32(t.cells[i]) != 0 {
				if i++; i == n {
					i = 0
				}
			}
			t.cells[i] = c
		}
	}
}
