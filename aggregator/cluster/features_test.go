package cluster

import (
	"math"
	"testing"
)

// TestWeightCodes: every code's weight is the formula's float32, and the
// code remembers whether the feature is in the title.
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
				if !c.valid() || c.title() != title {
					t.Fatalf("code %v: valid %v, title %v", c, c.valid(), c.title())
				}
			}
		}
	}
	if got := codeOf(kindTerm, maxCount+100, false); got.weight() != codeOf(kindTerm, maxCount, false).weight() {
		t.Errorf("a count above maxCount is not clamped: %v", got.weight())
	}
	for _, c := range []wcode{0, titleCode, entityCode | titleCode} {
		if c.valid() {
			t.Errorf("code %#x is valid, want not", c)
		}
	}
}

// TestFeatVec: a featVec gives back the features it was made of, at every
// length up to maxFeatures, in n + ⌈n/4⌉ words.
func TestFeatVec(t *testing.T) {
	for n := 0; n <= maxFeatures; n++ {
		fs := make([]feature, n)
		for i := range fs {
			fs[i] = feature{hash: fkey(i*7919 + 3), code: codeOf(kindEntity, int32(i*37%maxCount+1), i%3 == 0)}
		}
		v := newFeatVec(fs)
		if v.len() != n || len(v) != n+(n+3)/4 {
			t.Fatalf("n=%d: len %d in %d words", n, v.len(), len(v))
		}
		for i, h := range v.keys() {
			if h != fs[i].hash || v.weight(n, i) != fs[i].w() {
				t.Fatalf("n=%d, feature %d: (%v, %v), want (%v, %v)", n, i, h, v.weight(n, i), fs[i].hash, fs[i].w())
			}
		}
	}
}
