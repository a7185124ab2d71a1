package cluster

import (
	"math/bits"
	"sync"
)

const (
	// shingleSize is the number of words in a shingle.
	shingleSize = 3
	// numHashes is the MinHash signature length; numBands × bandRows.
	numHashes = 96
	numBands  = 32
	bandRows  = numHashes / numBands
	// minShingles: texts with fewer shingles get no signature (too short
	// to tell a copy from a coincidence).
	minShingles = 8
)

// hashString is 64-bit FNV-1a followed by a finaliser that spreads the bits.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix64(h)
}

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// shingles appends the hashes of the word 3-shingles of toks to dst.
func shingles(toks []token, dst []uint64) []uint64 {
	for i := 0; i+shingleSize <= len(toks); i++ {
		dst = append(dst, shingle(toks[i].hash, toks[i+1].hash, toks[i+2].hash))
	}
	return dst
}

// shingle is the hash of a word 3-shingle, from its words' hashes.
func shingle(a, b, c uint64) uint64 {
	return mix64(a ^ bits.RotateLeft64(b, 21) ^ bits.RotateLeft64(c, 42))
}

// SimHash returns a 64-bit fingerprint of text (Charikar's SimHash over the
// word 3-shingles of the folded text): near-identical texts differ in few
// bits (bits.OnesCount64(a^b)). It is stable across versions of the process,
// so storage may keep it. Texts shorter than three words hash their words.
func SimHash(text string) uint64 {
	buf := tokenPool.Get().(*[]token)
	toks := tokenize(text, (*buf)[:0], 0)
	h := simHash(toks)
	if cap(toks) <= maxPooledTokens {
		clear(toks) // drop the words, which point into the text
		*buf = toks[:0]
		tokenPool.Put(buf)
	}
	return h
}

// tokenPool recycles SimHash's token buffers: one per item was a tenth of
// all the bytes a poll allocated (a 5 KB text makes ~850 tokens of 40
// bytes).
var tokenPool = sync.Pool{New: func() any { return new([]token) }}

// maxPooledTokens bounds the buffers kept for reuse, so that one huge text
// does not pin its buffer.
const maxPooledTokens = 1 << 14

// simHash is SimHash of a whole text's tokens.
func simHash(toks []token) uint64 {
	// Bit b of the fingerprint is set when more than half of the shingles
	// have it set. The count of each bit is kept bit-sliced: plane k holds
	// bit k of the 64 counts, so adding a hash is a ripple-carry over the
	// planes (two steps on average) instead of 64 additions.
	var (
		planes [33]uint64
		n      int
	)
	add := func(h uint64) {
		for k := 0; h != 0; k++ {
			h, planes[k] = planes[k]&h, planes[k]^h
		}
		n++
	}
	if len(toks) >= shingleSize {
		for i := 0; i+shingleSize <= len(toks); i++ {
			add(shingle(toks[i].hash, toks[i+1].hash, toks[i+2].hash))
		}
	} else {
		for _, t := range toks {
			add(t.hash)
		}
	}
	if n == 0 {
		return 0
	}
	var out uint64
	for b := range 64 {
		ones := 0
		for k := range bits.Len(uint(n)) {
			ones |= int(planes[k]>>b&1) << k
		}
		if 2*ones > n {
			out |= 1 << b
		}
	}
	return out
}

// hasher holds the MinHash permutations: h_i(x) = high 32 bits of
// a_i·x + b_i (a_i odd), deterministic from a fixed seed.
type hasher struct {
	a, b [numHashes]uint64
}

func newHasher() *hasher {
	h := &hasher{}
	s := uint64(0x746f706963666564) // "topicfed"
	next := func() uint64 {
		s += 0x9e3779b97f4a7c15
		return mix64(s)
	}
	for i := range numHashes {
		h.a[i] = next() | 1
		h.b[i] = next()
	}
	return h
}

// signature is a b-bit MinHash signature (Li and König): the low 8 bits
// of each 32-bit minimum. Two different minima agree on them once in 256
// times; jaccard corrects its estimate for that (a shift of at most 0.004
// near the duplicate threshold), and a signature costs 96 bytes per indexed
// document instead of 384 for whole minima. (The high bits would not do:
// minima are small numbers, alike in their high bits.)
type signature [numHashes]uint8

// chance is the probability that the b-bit values of two different minima
// agree.
const chance = 1.0 / 256

// sign returns the MinHash signature of a set of shingle hashes.
func (h *hasher) sign(shs []uint64) *signature {
	var mins [numHashes]uint32
	for i := range mins {
		mins[i] = ^uint32(0)
	}
	for _, x := range shs {
		for i := range numHashes {
			if v := uint32((h.a[i]*x + h.b[i]) >> 32); v < mins[i] {
				mins[i] = v
			}
		}
	}
	var sig signature
	for i, v := range mins {
		sig[i] = uint8(v)
	}
	return &sig
}

// bandKeys returns the LSH bucket key of each band of sig. 32 bits are
// plenty: two bands that collide only share a chain, and every document
// found through it is compared by its whole signature.
func (sig *signature) bandKeys() [numBands]uint32 {
	var keys [numBands]uint32
	for b := range numBands {
		k := uint64(b+1) * 0x9e3779b97f4a7c15
		for r := range bandRows {
			k = mix64(k ^ uint64(sig[b*bandRows+r]))
		}
		keys[b] = uint32(k)
	}
	return keys
}

// jaccard estimates the Jaccard similarity of the sets behind two
// signatures, less the agreements expected by chance.
func (sig *signature) jaccard(o *signature) float64 {
	n := 0
	for i := range sig {
		if sig[i] == o[i] {
			n++
		}
	}
	return max(0, (float64(n)/numHashes-chance)/(1-chance))
}
