package cluster

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSignatureEstimatesJaccard: 16-bit signatures still estimate the
// Jaccard similarity: 1 for the same set, about 1/3 for two sets sharing
// half their members, and about 0 for disjoint sets even when the sets are
// large (their minima are small numbers, so keeping the high bits of them
// would make unrelated documents agree on several values).
func TestSignatureEstimatesJaccard(t *testing.T) {
	h := newHasher()
	rng := rand.New(rand.NewPCG(11, 12))
	set := func(n int) []uint64 {
		s := make([]uint64, n)
		for i := range s {
			s[i] = rng.Uint64()
		}
		return s
	}
	const pairs = 40
	var same, half, disjoint float64
	for range pairs {
		a, b := set(5000), set(5000)
		same += h.sign(a).jaccard(h.sign(a))
		disjoint += h.sign(a).jaccard(h.sign(b))
		// a and c share 2,500 members: |a∩c| / |a∪c| = 2500/7500
		c := append(append([]uint64{}, a[:2500]...), b[:2500]...)
		half += h.sign(a).jaccard(h.sign(c))
	}
	same, half, disjoint = same/pairs, half/pairs, disjoint/pairs
	if same != 1 {
		t.Errorf("same set: estimate %.4f, want 1", same)
	}
	if math.Abs(half-1.0/3) > 0.03 {
		t.Errorf("half shared: mean estimate %.4f, want about 0.333", half)
	}
	if disjoint > 0.005 {
		t.Errorf("disjoint sets: mean estimate %.4f, want about 0", disjoint)
	}
	t.Logf("mean estimates: same %.4f, half shared %.4f, disjoint %.5f", same, half, disjoint)
}
