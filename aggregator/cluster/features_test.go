package cluster

import (
	"math"
	"testing"
)

// TestWeightCodes: every code's weight is the formula's float32, and
// codeOfWeight finds a code of the same weight (what restoring a stored
// state relies on).
func TestWeightCodes(t *testing.T) {
	for _, title := range []bool{false, true} {
		for _, kind := range []byte{kindTerm, kindEntity, kindQuote, kindNumber} {
			for n := int32(1); n <= maxCount; n++ {
				want := kindWeight(kind) * (1 + math.Log(float64(n)))
				if title {
					want *= titleBoost
				}
				c := codeOf(kind, n, title)
				if got := c.weight(); got != float32(want) {
					t.Fatalf("kind %c, count %d, title %v: weight %v, want %v", kind, n, title, got, float32(want))
				}
				back, ok := codeOfWeight(c.weight())
				if !ok || back.weight() != c.weight() {
					t.Fatalf("codeOfWeight(%v) = %v, %v", c.weight(), back, ok)
				}
			}
		}
	}
	if got := codeOf(kindTerm, maxCount+100, false); got.weight() != codeOf(kindTerm, maxCount, false).weight() {
		t.Errorf("a count above maxCount is not clamped: %v", got.weight())
	}
	for _, w := range []float32{0, 0.5, 1.2345, float32(math.NaN()), float32(math.Inf(1))} {
		if c, ok := codeOfWeight(w); ok {
			t.Errorf("codeOfWeight(%v) = %v, want none", w, c)
		}
	}
}

// TestFeatVec: a featVec gives back the features it was made of, at every
// length up to maxFeatures, in n + ⌈n/2⌉ words.
func TestFeatVec(t *testing.T) {
	for n := 0; n <= maxFeatures; n++ {
		fs := make([]feature, n)
		for i := range fs {
			fs[i] = feature{hash: fkey(i*7919 + 3), code: codeOf(kindEntity, int32(i*37%maxCount+1), i%3 == 0)}
		}
		v := newFeatVec(fs)
		if v.len() != n || len(v) != n+(n+1)/2 {
			t.Fatalf("n=%d: len %d in %d words", n, v.len(), len(v))
		}
		for i, h := range v.keys() {
			if h != fs[i].hash || v.weight(n, i) != fs[i].w() {
				t.Fatalf("n=%d, feature %d: (%v, %v), want (%v, %v)", n, i, h, v.weight(n, i), fs[i].hash, fs[i].w())
			}
		}
	}
}
