package cluster

import (
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
