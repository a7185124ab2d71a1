package cluster

import (
	"slices"
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
	s := newStoryMembers()
	var one [1]uint32
	s.set("a", []uint32{1})
	s.set("b", []uint32{2, 3})
	s.set("c", []uint32{4, 5, 6})
	s.set("b", []uint32{3})          // list → inline: frees a slot
	s.set("d", []uint32{7, 8})       // reuses it
	s.set("a", []uint32{1, 9})       // inline → list
	s.set("c", nil)                  // forgotten, its slot freed
	s.set("e", []uint32{10, 11, 12}) // reuses it
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
}
