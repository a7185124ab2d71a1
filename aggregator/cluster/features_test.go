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
// length up to maxFeatures, keys spread over the whole range or crowded
// at either end of it, in upperWords + ⌈n/4⌉ + ⌈26n/32⌉ words.
func TestFeatVec(t *testing.T) {
	for n := 0; n <= maxFeatures; n++ {
		for _, spread := range []func(i int) fkey{
			func(i int) fkey { return fkey(uint64(i) * (1<<32 - 1) / maxFeatures) },
			func(i int) fkey { return fkey(i*7919 + 3) },
			func(i int) fkey { return ^fkey(0) - fkey(n-1-i)*3 },
		} {
			fs := make([]feature, n)
			for i := range fs {
				fs[i] = feature{hash: spread(i), code: codeOf(kindEntity, int32(i*37%maxCount+1), i%3 == 0)}
			}
			v := newFeatVec(fs)
			if want := upperWords + (n+3)/4 + (n*lowBits+31)/32; v.len() != n || n > 0 && len(v) != want {
				t.Fatalf("n=%d: len %d in %d words", n, v.len(), len(v))
			}
			keys := v.keys([]fkey{42})
			if len(keys) != n+1 || keys[0] != 42 {
				t.Fatalf("n=%d: keys %v, want 42 and the %d keys", n, keys, n)
			}
			for i, h := range keys[1:] {
				if h != fs[i].hash || v.weight(i) != fs[i].w() {
					t.Fatalf("n=%d, feature %d: (%v, %v), want (%v, %v)", n, i, h, v.weight(i), fs[i].hash, fs[i].w())
				}
			}
		}
	}
}
