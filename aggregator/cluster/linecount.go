package cluster

import "math/bits"

// lineCounts counts, for each outlet+line hash, the indexed documents
// having that line (boilerplate learning, see dropBoilerplate). A window
// holds several lines per document, so the table is an open-addressing
// one (linear probing, deletion by backward shift) of 12 bytes a cell at a
// load of 0.58–0.875, where a map[uint64]int32 took about 36 bytes a line.
// A cell's home is the hash scaled to the table's size (hashes are mixed
// already), so the size need not be a power of two and grows by half.
type lineCounts struct {
	keys   []uint64
	counts []int32 // 0: empty cell
	n      int
}

// minLineCells is the initial size of a lineCounts table.
const minLineCells = 64

// home is the first cell tried for h.
func (t *lineCounts) home(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(t.keys)))
	return int(hi)
}

// find returns the cell holding h, or the empty cell where it would go.
func (t *lineCounts) find(h uint64) int {
	i := t.home(h)
	for t.counts[i] != 0 && t.keys[i] != h {
		if i++; i == len(t.keys) {
			i = 0
		}
	}
	return i
}

// get returns the number of indexed documents having line h.
func (t *lineCounts) get(h uint64) int32 {
	if t.n == 0 {
		return 0
	}
	return t.counts[t.find(h)]
}

// len returns the number of distinct lines counted.
func (t *lineCounts) len() int { return t.n }

// inc counts one more document having line h.
func (t *lineCounts) inc(h uint64) {
	if (t.n+1)*8 > len(t.keys)*7 {
		t.resize(max(minLineCells, len(t.keys)+len(t.keys)/2))
	}
	i := t.find(h)
	if t.counts[i] == 0 {
		t.keys[i] = h
		t.n++
	}
	t.counts[i]++
}

// dec counts one document fewer having line h, forgetting it at none.
func (t *lineCounts) dec(h uint64) {
	if t.n == 0 {
		return
	}
	i := t.find(h)
	if t.counts[i] == 0 {
		return
	}
	if t.counts[i]--; t.counts[i] > 0 {
		return
	}
	t.n--
	// backward shift: move up every later cell of the run whose home does
	// not lie between the freed cell and it, so that no search stops early
	for j := i; ; {
		if j++; j == len(t.keys) {
			j = 0
		}
		if t.counts[j] == 0 {
			break
		}
		k := t.home(t.keys[j])
		if (j > i && (k <= i || k > j)) || (j < i && k <= i && k > j) {
			t.keys[i], t.counts[i] = t.keys[j], t.counts[j]
			t.counts[j] = 0
			i = j
		}
	}
	if len(t.keys) > minLineCells && t.n*4 < len(t.keys) {
		t.resize(max(minLineCells, t.n*2))
	}
}

// resize moves the table to n cells.
func (t *lineCounts) resize(n int) {
	keys, counts := t.keys, t.counts
	t.keys, t.counts = make([]uint64, n), make([]int32, n)
	for i, c := range counts {
		if c != 0 {
			j := t.find(keys[i])
			t.keys[j], t.counts[j] = keys[i], c
		}
	}
}
