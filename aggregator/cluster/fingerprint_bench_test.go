package cluster

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// simHashVote is SimHash as first written, one branch per bit: the
// reference the branch-free count must match bit for bit (stored
// fingerprints must not change).
func simHashVote(text string) uint64 {
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
	var v [64]int32
	for _, h := range hs {
		for b := 0; b < 64; b++ {
			if h&(1<<b) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
	}
	var out uint64
	for b := 0; b < 64; b++ {
		if v[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

// benchTexts returns n news-sized texts (about size bytes) of random words.
func benchTexts(n, size int) []string {
	r := rand.New(rand.NewPCG(7, 7))
	words := strings.Fields(`Iran Russia Ukraine drones Shahed Kyiv Moscow Tehran sanctions missiles Kremlin
		defence ministry talks oil energy nuclear deal war front attack strike officials said according
		report week statement minister foreign president meeting agreement Москва Киев беспилотники تهران`)
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for b.Len() < size {
			b.WriteString(words[r.IntN(len(words))])
			if r.IntN(15) == 0 {
				b.WriteString(". ")
			} else {
				b.WriteByte(' ')
			}
		}
		out[i] = b.String()
	}
	return out
}

func TestSimHashMatchesVote(t *testing.T) {
	texts := append(benchTexts(200, 2000), "", "one", "two words", "three words here", "Iran’s DRONES")
	for i, text := range texts {
		if got, want := SimHash(text), simHashVote(text); got != want {
			t.Fatalf("text %d: SimHash %016x, bit vote %016x", i, got, want)
		}
	}
}

// BenchmarkSimHash measures the fingerprint the poller computes for every
// item, on 4 KB texts: the branch-free count and the per-bit-branch
// reference.
func BenchmarkSimHash(b *testing.B) {
	texts := benchTexts(64, 4096)
	for _, c := range []struct {
		name string
		f    func(string) uint64
	}{{"branch-free", SimHash}, {"bit-vote", simHashVote}} {
		b.Run(fmt.Sprintf("%s/4KB", c.name), func(b *testing.B) {
			b.SetBytes(4096)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c.f(texts[i%len(texts)])
				i++
			}
		})
	}
}
