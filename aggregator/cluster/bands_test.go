package cluster

import (
	"math/rand/v2"
	"testing"
)

// TestBandTable: every signed document is found through each of its bands,
// chains run newest first, across the table's growth and after the oldest
// half is evicted.
func TestBandTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var docs docTable
	var tab bandTable
	const n = 3000
	for id := uint32(1); id <= n; id++ {
		e := &entry{id: id, lsh: &lsh{}}
		for i := range e.lsh.sig {
			e.lsh.sig[i] = uint8(rng.Uint32N(64)) // small values: buckets shared by many documents
		}
		docs.put(e)
		keys := e.lsh.sig.bandKeys()
		tab.push(e, keys[:], &docs)
	}
	if got, want := len(tab.heads), numBands<<11; got != want { // 3,000 documents ≤ 2 × 2^11 slots per band
		t.Errorf("table has %d slots, want %d", got, want)
	}
	alive := func(id uint32) bool { return docs.get(id) != nil }
	check := func(stage string) {
		t.Helper()
		docs.each(func(e *entry) {
			id := e.id
			for b, k := range e.lsh.sig.bandKeys() {
				found := false
				prev := uint32(0)
				for c := tab.head(b, k); c != 0 && alive(c); c = docs.get(c).lsh.next[b] {
					if prev != 0 && c >= prev {
						t.Fatalf("%s: band %d chain not newest first: %d after %d", stage, b, c, prev)
					}
					prev = c
					if c == id {
						found = true
						break
					}
				}
				if !found {
					t.Fatalf("%s: document %d not found through band %d", stage, id, b)
				}
			}
		})
	}
	check("after growth")
	for id := uint32(1); id <= n/2; id++ {
		e := docs.get(id)
		docs.del(id)
		tab.unlink(e, alive)
	}
	if tab.signed != n/2 {
		t.Errorf("signed = %d after evicting half of %d, want %d", tab.signed, n, n/2)
	}
	check("after eviction")
}
