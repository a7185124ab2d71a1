package cluster

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// TestEntrySize: an indexed document's entry fits the allocator's 128-byte
// size class (the next one up is 144); a field added to entry must pay for
// itself elsewhere.
func TestEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n > 128 {
		t.Fatalf("entry takes %d bytes, more than 128", n)
	}
}

// TestStoryMembers: stories keep the documents set for them through the
// changes between one document (held inline) and several (a list in the
// slab, whose freed slots are reused), and forget a story set to none.
func TestStoryMembers(t *testing.T) {
	storyOf := map[uint32]string{}
	s := newStoryMembers(func(id uint32) string { return storyOf[id] })
	set := func(story string, ids []uint32) {
		for _, id := range ids {
			storyOf[id] = story
		}
		s.set(story, ids)
	}
	var one [1]uint32
	set("a", []uint32{1})
	set("b", []uint32{2, 3})
	set("c", []uint32{4, 5, 6})
	set("b", []uint32{3})          // list → inline: frees a slot
	set("d", []uint32{7, 8})       // reuses it
	set("a", []uint32{1, 9})       // inline → list
	set("c", nil)                  // forgotten, its slot freed
	set("e", []uint32{10, 11, 12}) // reuses it
	want := map[string][]uint32{"a": {1, 9}, "b": {3}, "d": {7, 8}, "e": {10, 11, 12}}
	if s.len() != len(want) || s.has("c") {
		t.Fatalf("%d stories (c held: %v), want %d", s.len(), s.has("c"), len(want))
	}
	for story, ids := range want {
		if got := s.get(story, &one); !slices.Equal(got, ids) {
			t.Errorf("story %s: documents %v, want %v", story, got, ids)
		}
	}
	if len(s.lists) != 3 {
		t.Errorf("slab of %d lists for 3 stories with several documents", len(s.lists))
	}
	// many stories, so that hashes share homes and cells move on removal
	for i := range uint32(3000) {
		set(fmt.Sprintf("s%d", i), []uint32{100 + 2*i, 101 + 2*i}[:1+i%2])
	}
	for i := uint32(0); i < 3000; i += 3 {
		s.set(fmt.Sprintf("s%d", i), nil)
	}
	for i := range uint32(3000) {
		got := s.get(fmt.Sprintf("s%d", i), &one)
		if want := []uint32{100 + 2*i, 101 + 2*i}[:1+i%2]; i%3 == 0 && got != nil || i%3 != 0 && !slices.Equal(got, want) {
			t.Fatalf("story s%d: documents %v", i, got)
		}
	}
}

// TestDocTableAndKeyTable: the document and key tables agree with maps
// through a sliding window of insertions and evictions, with documents
// that stay long (pages kept alone), keys re-indexed under new ids, and
// identities whose hashes collide (every tenth key is filed under one
// hash, as a fake identHash would).
func TestDocTableAndKeyTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var docs docTable
	var keys keyTable
	wantDocs := map[uint32]*entry{}
	wantKeys := map[string]uint32{}
	hash := func(k string) uint32 {
		if len(k)%10 == 0 {
			return 7
		}
		return identHash(k)
	}
	match := func(k string) func(uint32) bool {
		return func(id uint32) bool { e := docs.get(id); return e != nil && e.key == k }
	}
	remove := func(e *entry) {
		docs.del(e.id)
		delete(wantDocs, e.id)
		keys.del(hash(e.key), e.id)
		delete(wantKeys, e.key)
	}
	var live []*entry
	next := uint32(0)
	for step := range 20_000 {
		next++
		k := fmt.Sprintf("k%d%s", rng.IntN(5000), strings.Repeat("x", rng.IntN(10)))
		if id, ok := wantKeys[k]; ok {
			remove(wantDocs[id]) // re-indexed: the old entry leaves
		}
		e := &entry{id: next, key: k}
		docs.put(e)
		wantDocs[e.id] = e
		keys.set(hash(k), e.id, match(k))
		wantKeys[k] = e.id
		live = append(live, e)
		if len(live) > 1500 { // the window slides; one in 200 stays long
			old := live[0]
			live = live[1:]
			if wantDocs[old.id] == old && old.id%200 != 0 {
				remove(old)
			}
		}
		if step%500 == 0 || step == 19_999 {
			if docs.len() != len(wantDocs) || keys.n != len(wantKeys) {
				t.Fatalf("step %d: %d documents and %d keys, want %d and %d", step, docs.len(), keys.n, len(wantDocs), len(wantKeys))
			}
			for id := uint32(0); id <= next+300; id++ {
				if got := docs.get(id); got != wantDocs[id] {
					t.Fatalf("step %d: document %d is %v, want %v", step, id, got, wantDocs[id])
				}
			}
			for k, id := range wantKeys {
				if got, ok := keys.lookup(hash(k), match(k)); !ok || got != id {
					t.Fatalf("step %d: key %s found as %d (%v), want %d", step, k, got, ok, id)
				}
			}
			prev := uint32(0)
			docs.each(func(e *entry) {
				if e.id <= prev || wantDocs[e.id] != e {
					t.Fatalf("step %d: each gave %d after %d", step, e.id, prev)
				}
				prev = e.id
			})
		}
	}
	if len(docs.pages) > 3*(len(wantDocs)/pageSize+1)+len(wantDocs)/10 {
		t.Errorf("%d pages for %d documents", len(docs.pages), len(wantDocs))
	}
}

// TestKeyTableSkewedKeys: keys crowded at the low end of the range (as the
// features a document keeps are) still find their cells within a few
// probes: the table spreads them before scaling.
func TestKeyTableSkewedKeys(t *testing.T) {
	var kt keyTable
	const n = 100_000
	for i := range uint32(n) {
		kt.set(i<<4, i+1, anyCell)
	}
	total := 0
	for i, c := range kt.cells {
		if uint32(c) != 0 {
			total += (i - kt.home(uint32(c>>32)) + len(kt.cells)) % len(kt.cells)
		}
	}
	if mean := float64(total) / n; mean > 8 {
		t.Errorf("cells lie %.1f cells from their homes on average", mean)
	}
}
