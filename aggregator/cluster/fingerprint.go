package cluster

import (
	"math/bits"
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
	if len(toks) < shingleSize {
		return dst
	}
	hs := make([]uint64, len(toks))
	for i, t := range toks {
		hs[i] = hashString(t.word)
	}
	for i := 0; i+shingleSize <= len(hs); i++ {
		dst = append(dst, mix64(hs[i]^bits.RotateLeft64(hs[i+1], 21)^bits.RotateLeft64(hs[i+2], 42)))
	}
	return dst
}

// SimHash returns a 64-bit fingerprint of text (Charikar's SimHash over the
// word 3-shingles of the folded text): near-identical texts differ in few
// bits (bits.OnesCount64(a^b)). It is stable across versions of the process,
// so storage may keep it. Texts shorter than three words hash their words.
func SimHash(text string) uint64 {
	toks := tokenize(text, nil, 0)
	hs := shingles(toks, nil)
	if len(hs) == 0 {
		for _, t := range toks {
			hs = append(hs, hashString(t.word))
		}
	}
	if len(hs) == 0 {
		return 0
	}
	// Bit b of the fingerprint is set when more shingles have it set than
	// not. Counting the set bits without a branch matters: the bits are
	// random, so a branch per bit is mispredicted half the time.
	var ones [64]int32
	for _, h := range hs {
		for b := range 64 {
			ones[b] += int32(h >> b & 1)
		}
	}
	var out uint64
	n := int32(len(hs))
	for b := range 64 {
		if 2*ones[b] > n {
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

// signature is a MinHash signature.
type signature [numHashes]uint32

// sign returns the MinHash signature of a set of shingle hashes.
func (h *hasher) sign(shs []uint64) *signature {
	var sig signature
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	for _, x := range shs {
		for i := range numHashes {
			if v := uint32((h.a[i]*x + h.b[i]) >> 32); v < sig[i] {
				sig[i] = v
			}
		}
	}
	return &sig
}

// bandKeys returns the LSH bucket key of each band of sig.
func (sig *signature) bandKeys() [numBands]uint64 {
	var keys [numBands]uint64
	for b := range numBands {
		k := uint64(b+1) * 0x9e3779b97f4a7c15
		for r := range bandRows {
			k = mix64(k ^ uint64(sig[b*bandRows+r]))
		}
		keys[b] = k
	}
	return keys
}

// jaccard estimates the Jaccard similarity of the sets behind two
// signatures.
func (sig *signature) jaccard(o *signature) float64 {
	n := 0
	for i := range sig {
		if sig[i] == o[i] {
			n++
		}
	}
	return float64(n) / numHashes
}
