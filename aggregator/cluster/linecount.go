package cluster

import "math/bits"

// lineCounts counts, for each outlet+line hash, the indexed documents
// having that line (boilerplate learning, see dropBoilerplate). A window
// holds several lines per document, nearly all of them in that one
// document only, so those are a set of hashes, 8 bytes a cell, and only
// the lines of several documents (an outlet's boilerplate) have a count
// beside them. Where a map[uint64]int32 took about 36 bytes a line, this
// takes about 11.
type lineCounts struct {
	once hashCells // lines of one document
	more hashCells // lines of several, with their counts
	zero int32     // documents having the line whose hash is 0 (0 marks an empty cell)
}

// get returns the number of indexed documents having line h.
func (t *lineCounts) get(h uint64) int32 {
	if h == 0 {
		return t.zero
	}
	if i, ok := t.more.find(h); ok {
		return t.more.vals[i]
	}
	if _, ok := t.once.find(h); ok {
		return 1
	}
	return 0
}

// len returns the number of distinct lines counted.
func (t *lineCounts) len() int {
	n := t.once.n + t.more.n
	if t.zero > 0 {
		n++
	}
	return n
}

// inc counts one more document having line h.
func (t *lineCounts) inc(h uint64) {
	switch {
	case h == 0:
		t.zero++
	case t.more.n > 0 && t.more.has(h):
		i, _ := t.more.find(h)
		t.more.vals[i]++
	case t.once.remove(h):
		t.more.vals = t.more.withVals()
		t.more.add(h, 2)
	default:
		t.once.add(h, 0)
	}
}

// dec counts one document fewer having line h, forgetting it at none.
func (t *lineCounts) dec(h uint64) {
	if h == 0 {
		t.zero = max(0, t.zero-1)
		return
	}
	if i, ok := t.more.find(h); ok {
		if t.more.vals[i]--; t.more.vals[i] == 1 {
			t.more.remove(h)
			t.once.add(h, 0)
		}
		return
	}
	t.once.remove(h)
}

// hashCells is an open-addressing table of non-zero 64-bit hashes (linear
// probing, deletion by backward shift), with an int32 beside each when
// vals is set, at a load of 0.7–0.875. A cell's home is the hash scaled
// to the table's size (hashes are mixed already), so the size need not be
// a power of two and grows by a quarter.
type hashCells struct {
	keys []uint64 // 0: empty
	vals []int32  // nil, or one per cell
	n    int
}

// minHashCells is the initial size of a hashCells table.
const minHashCells = 64

// withVals returns the table's values, made when it has none yet.
func (t *hashCells) withVals() []int32 {
	if t.vals == nil {
		t.vals = make([]int32, len(t.keys))
	}
	return t.vals
}

func (t *hashCells) home(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(t.keys)))
	return int(hi)
}

// find returns the cell of h and true, or false when h is not there.
func (t *hashCells) find(h uint64) (int, bool) {
	if t.n == 0 {
		return 0, false
	}
	i := t.slot(h)
	return i, t.keys[i] == h
}

func (t *hashCells) has(h uint64) bool {
	_, ok := t.find(h)
	return ok
}

// slot returns the cell holding h, or the empty cell where it would go.
func (t *hashCells) slot(h uint64) int {
	i := t.home(h)
	for t.keys[i] != 0 && t.keys[i] != h {
		if i++; i == len(t.keys) {
			i = 0
		}
	}
	return i
}

// add puts h, not there yet, with value v (kept when vals is set).
func (t *hashCells) add(h uint64, v int32) {
	if (t.n+1)*8 > len(t.keys)*7 {
		t.resize(max(minHashCells, len(t.keys)+len(t.keys)/4))
	}
	i := t.slot(h)
	t.keys[i] = h
	if t.vals != nil {
		t.vals[i] = v
	}
	t.n++
}

// remove deletes h and reports whether it was there.
func (t *hashCells) remove(h uint64) bool {
	i, ok := t.find(h)
	if !ok {
		return false
	}
	t.keys[i] = 0
	t.n--
	// backward shift: move up every later cell of the run whose home does
	// not lie between the freed cell and it, so that no search stops early
	for j := i; ; {
		if j++; j == len(t.keys) {
			j = 0
		}
		if t.keys[j] == 0 {
			break
		}
		k := t.home(t.keys[j])
		if (j > i && (k <= i || k > j)) || (j < i && k <= i && k > j) {
			t.keys[i], t.keys[j] = t.keys[j], 0
			if t.vals != nil {
				t.vals[i] = t.vals[j]
			}
			i = j
		}
	}
	if len(t.keys) > minHashCells && t.n*4 < len(t.keys) {
		t.resize(max(minHashCells, t.n*2))
	}
	return true
}

// resize moves the table to n cells.
func (t *hashCells) resize(n int) {
	keys, vals := t.keys, t.vals
	t.keys = make([]uint64, n)
	if vals != nil || t.vals != nil {
		t.vals = make([]int32, n)
	}
	for i, h := range keys {
		if h != 0 {
			j := t.slot(h)
			t.keys[j] = h
			if vals != nil {
				t.vals[j] = vals[i]
			}
		}
	}
}
