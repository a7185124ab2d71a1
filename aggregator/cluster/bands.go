package cluster

import "slices"

// bandTable maps each LSH band bucket to the newest document in it; older
// documents of the bucket follow through entry.lsh.next. Each band has an
// array of chain heads indexed by the bucket key's low bits rather than a
// map: two buckets of a band that share a slot share a chain, which costs
// a few more signature comparisons (every document found is compared by
// its whole signature, see bandKeys) and saves most of a map's memory:
// 4 bytes per slot, one slot per band for every two signed documents or
// more, where a map[uint32]uint32 took about 21 bytes per bucket. (At one
// slot per document the table was a tenth of the index's memory; at two,
// a chain holds one more document of another bucket on average, a few
// signature comparisons.) Bands never share a chain: a chain is linked
// through one band's next.
type bandTable struct {
	heads  []uint32 // numBands arrays of perBand slots
	signed int      // indexed documents with a signature
}

// minBandSlots is the initial number of slots per band.
const minBandSlots = 1 << 6

func (t *bandTable) perBand() int { return len(t.heads) / numBands }

// slot is the chain head of band b's bucket k; the table is not empty.
func (t *bandTable) slot(b int, k uint32) *uint32 {
	n := t.perBand()
	return &t.heads[b*n+int(k&uint32(n-1))]
}

// head returns the newest document of band b's bucket k, 0 for none.
func (t *bandTable) head(b int, k uint32) uint32 {
	if t.heads == nil {
		return 0
	}
	return *t.slot(b, k)
}

// push makes e, just indexed with a signature, the head of its buckets'
// chains; docs are the indexed documents, e among them. When the table
// holds more than two signed documents per slot it doubles and relinks
// every chain.
func (t *bandTable) push(e *entry, keys []uint32, docs *docTable) {
	t.signed++
	if t.signed > loadPerSlot*t.perBand() {
		t.grow(docs) // links e too
		return
	}
	for b, k := range keys {
		h := t.slot(b, k)
		e.lsh.next[b] = *h
		*h = e.id
	}
}

// unlink removes e, being evicted, where it heads a chain; in the middle
// of one (a re-indexed key, an item published out of order) the chain ends
// there, and older documents are no longer found through that band.
// alive reports whether a document is still indexed.
func (t *bandTable) unlink(e *entry, alive func(uint32) bool) {
	t.signed--
	for b, k := range e.lsh.sig.bandKeys() {
		h := t.slot(b, k)
		if *h != e.id {
			continue
		}
		if next := e.lsh.next[b]; next != 0 && alive(next) {
			*h = next
		} else {
			*h = 0
		}
	}
}

// loadPerSlot is the number of signed documents per slot the table grows at.
const loadPerSlot = 2

// grow doubles the table until each band has a slot per loadPerSlot signed
// documents, and relinks the chains oldest document first, so that each
// chain stays newest first.
func (t *bandTable) grow(docs *docTable) {
	n := minBandSlots
	for n*loadPerSlot < t.signed {
		n *= 2
	}
	t.heads = make([]uint32, numBands*n)
	ids := make([]uint32, 0, t.signed)
	docs.each(func(e *entry) {
		if e.lsh != nil {
			ids = append(ids, e.id)
		}
	})
	slices.Sort(ids) // ids grow with insertion (each gives them in order already)
	for _, id := range ids {
		e := docs.get(id)
		for b, k := range e.lsh.sig.bandKeys() {
			h := t.slot(b, k)
			e.lsh.next[b] = *h
			*h = id
		}
	}
}
