package cluster

import (
	"slices"
	"testing"
)

// TestPostings: a feature's documents through additions and removals,
// held inline, in a list, and in a list reused from the slab.
func TestPostings(t *testing.T) {
	type step struct {
		add, drop uint32 // one of them; 0: none
		feature   fkey
		want      []uint32 // the feature's documents afterwards
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"one document inline", []step{
			{add: 7, feature: 1, want: []uint32{7}},
			{drop: 7, feature: 1, want: nil},
		}},
		{"a second document makes a list", []step{
			{add: 7, feature: 1, want: []uint32{7}},
			{add: 9, feature: 1, want: []uint32{7, 9}},
			{drop: 7, feature: 1, want: []uint32{9}},
			{drop: 9, feature: 1, want: nil},
		}},
		{"a freed list is reused", []step{
			{add: 1, feature: 1}, {add: 2, feature: 1},
			{drop: 1, feature: 1, want: []uint32{2}}, {drop: 2, feature: 1, want: nil},
			{add: 3, feature: 2}, {add: 4, feature: 2, want: []uint32{3, 4}},
		}},
		{"ids from listBit up are listed", []step{
			{add: uint32(listBit) + 5, feature: 1, want: []uint32{uint32(listBit) + 5}},
			{add: 6, feature: 1, want: []uint32{uint32(listBit) + 5, 6}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := newPostings(0)
			docs := map[uint32]bool{}
			for i, s := range tc.steps {
				if s.add != 0 {
					docs[s.add] = true
					ps.add(s.feature, s.add)
				}
				if s.drop != 0 {
					delete(docs, s.drop)
					ps.drop(s.feature, func(id uint32) bool { return docs[id] })
				}
				if s.want == nil && s.drop == 0 {
					continue
				}
				var one [1]uint32
				var live []uint32
				for _, id := range ps.ids(s.feature, &one) {
					if docs[id] {
						live = append(live, id)
					}
				}
				if !slices.Equal(live, s.want) || ps.live(s.feature) != len(s.want) {
					t.Errorf("step %d: documents %v (live %d), want %v", i, live, ps.live(s.feature), s.want)
				}
			}
			if len(ps.lists)-len(ps.free) < 0 || len(ps.lists) > 1 {
				t.Errorf("slab of %d lists (%d free): lists are not reused", len(ps.lists), len(ps.free))
			}
		})
	}
}

// TestPostingsSlidingMemory: a feature's list in a sliding window (each
// new document has it, the oldest goes) keeps its ids, and its array stays
// within twice the live ids and a quarter more: dead ids are compacted
// away into a smaller array, not kept as capacity.
func TestPostingsSlidingMemory(t *testing.T) {
	for _, window := range []int{3, 40, 1000} {
		ps := newPostings(0)
		docs := map[uint32]bool{}
		alive := func(id uint32) bool { return docs[id] }
		const k fkey = 5
		for id := uint32(1); id <= uint32(20*window); id++ {
			docs[id] = true
			ps.add(k, id)
			if id > uint32(window) {
				delete(docs, id-uint32(window))
				ps.drop(k, alive)
			}
			if live := ps.live(k); live != min(int(id), window) {
				t.Fatalf("window %d, after %d: %d live", window, id, live)
			}
		}
		var one [1]uint32
		ids := ps.ids(k, &one)
		for i, id := range ids[len(ids)-window:] {
			if want := uint32(19*window + i + 1); id != want {
				t.Fatalf("window %d: id %d is %d, want %d", window, i, id, want)
			}
		}
		if c := cap(ids); c > 2*window+window/2+8 {
			t.Errorf("window %d: list array of %d ids for %d live (%d listed)", window, c, window, len(ids))
		}
	}
}
