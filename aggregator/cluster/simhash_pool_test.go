package cluster

import "testing"

// TestSimHashBufferReuse: SimHash recycles its token buffers; a text
// fingerprinted in a buffer that longer and shorter texts used before gets
// the fingerprint a fresh buffer gives. A buffer not cleared, or handed
// back while in use, would mix one text's tokens into another's.
func TestSimHashBufferReuse(t *testing.T) {
	c := newCorpus(7)
	texts := make([]string, 400)
	want := make([]uint64, len(texts))
	for i := range texts {
		texts[i] = c.next().Text
		if i%5 == 0 {
			texts[i] = texts[i][:len(texts[i])/7] // shorter than the buffer
		}
		want[i] = simHash(tokenize(texts[i], nil, 0))
	}
	for round := range 2 {
		for i, text := range texts {
			if got := SimHash(text); got != want[i] {
				t.Fatalf("round %d, text %d: SimHash %016x, fresh %016x", round, i, got, want[i])
			}
		}
	}
}
