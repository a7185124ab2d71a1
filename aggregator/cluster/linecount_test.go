package cluster

import (
	"math/rand/v2"
	"testing"
)

// TestLineCounts: a lineCounts table agrees with a map after every one of
// many random increments and decrements, through growth, shrinking,
// deletions in the middle of probe runs (few distinct hashes, many of them
// homed near each other), lines passing between one document and several,
// and the hash 0.
func TestLineCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tab lineCounts
	want := map[uint64]int32{}
	hashes := make([]uint64, 3000)
	for i := range hashes {
		hashes[i] = rng.Uint64()
		if i%3 == 0 {
			hashes[i] = hashes[i/2] ^ 1 // same home as another: long runs
		}
	}
	hashes[0] = 0 // the hash that marks an empty cell
	if got := tab.get(0); got != 0 {
		t.Fatalf("empty table counts %d of line 0", got)
	}
	for step := range 200_000 {
		h := hashes[rng.IntN(len(hashes))]
		grow := step < 100_000 && rng.IntN(3) > 0 || step >= 100_000 && rng.IntN(3) == 0
		if grow {
			tab.inc(h)
			want[h]++
		} else if want[h] > 0 {
			tab.dec(h)
			if want[h]--; want[h] == 0 {
				delete(want, h)
			}
		}
		if step%997 == 0 || step == 199_999 {
			if tab.len() != len(want) {
				t.Fatalf("step %d: %d lines counted, want %d", step, tab.len(), len(want))
			}
			for _, h := range hashes {
				if got := tab.get(h); got != want[h] {
					t.Fatalf("step %d: line %x counted %d, want %d", step, h, got, want[h])
				}
			}
		}
	}
}
