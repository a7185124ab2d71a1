package cluster

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// simHashRef is SimHash over the reference tokeniser with the per-bit
// vote: the fingerprint as first computed.
func simHashRef(text string) uint64 {
	toks := tokenizeRef(text, nil, 0)
	var hs []uint64
	for i := 0; i+shingleSize <= len(toks); i++ {
		hs = append(hs, mix64(hashString(toks[i].word)^rotl(hashString(toks[i+1].word), 21)^rotl(hashString(toks[i+2].word), 42)))
	}
	if len(hs) == 0 {
		for _, t := range toks {
			hs = append(hs, hashString(t.word))
		}
	}
	if len(hs) == 0 {
		return 0
	}
	var v [64]int
	for _, h := range hs {
		for b := range 64 {
			if h&(1<<b) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
	}
	var out uint64
	for b := range 64 {
		if v[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

func rotl(x uint64, k int) uint64 { return x<<k | x>>(64-k) }

// equivTexts are texts of every script and separator the tokeniser
// handles: the labelled set, the end-to-end feeds, and random mixes of
// awkward pieces.
func equivTexts(t testing.TB) []string {
	var texts []string
	for _, it := range loadLabelled(t) {
		texts = append(texts, it.Title, it.Text)
	}
	for _, it := range loadE2E(t) {
		texts = append(texts, it.doc.Title, it.doc.Text)
	}
	texts = append(texts, benchTexts(50, 3000)...)
	pieces := []string{"Iran", "RUSSIA", "Amir-Abdollahian", "2,000", "6.5", "1,2,3", "a,b", "9.", ",5", "“quote”", "«Кремль»",
		"„Zitat“", "‘single’", "\"", "Київ", "Ёлка", "ايران", "موسى", "می\u200cخواهد", "۱۴۰۲", "٢,٠٠٠", "إِيرَان", "Café", "ÉCOLE",
		"Straße", "defen\u00adse", "تـهران", "\u200d", "\n", "\n\n", " ", "\t", ". ", "! ", "…", "-", "\u2011", " - ", "\xff", "\xe2\x80",
		"ǅemal", "İstanbul", "ΣΟΦΙΑ", "x2,000y", "é2,000", "A1", "ﬁnal", "Ⅻ", "ﾃｽﾄ", "e\u0301", "\u0301x"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
			if r.IntN(3) == 0 {
				b.WriteByte(' ')
			}
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestTokenizeMatchesReference: the single-pass tokeniser gives the same
// tokens (words, hashes, capitalisation, gaps, quotations, lines) and the
// same SimHash as the reference, at every token limit.
func TestTokenizeMatchesReference(t *testing.T) {
	for i, text := range equivTexts(t) {
		for _, max := range []int{0, 1, 7, maxTokens} {
			got, want := tokenize(text, nil, max), tokenizeRef(text, nil, max)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("text %d %q (max %d):\ngot  %+v\nwant %+v", i, text, max, got, want)
			}
		}
		if got, want := SimHash(text), simHashRef(text); got != want {
			t.Fatalf("text %d %q: SimHash %016x, reference %016x", i, text, got, want)
		}
		if got, want := SimHash(text), simHashRef(text); got != want {
			t.Fatalf("text %d %q: SimHash %016x, reference %016x", i, text, got, want)
		}
		if got, want := fold(text), foldRef(text); got != want {
			t.Fatalf("text %d: fold %q, reference %q", i, got, want)
		}
	}
}

// TestExtractMatchesReference: features sorted as packed integers are the
// features sorted by comparison, capped at the same ones, and their coded
// weights are the formula's.
func TestExtractMatchesReference(t *testing.T) {
	texts := equivTexts(t)
	capped := 0
	for i := 0; i+1 < len(texts); i += 2 {
		title, text := tokenize(texts[i], nil, maxTokens), tokenize(texts[i+1], nil, maxTokens)
		feats, want := extract(title, text, nil), extractRef(title, text, nil)
		got := make([]refFeature, len(feats))
		for j, f := range feats {
			got[j] = refFeature{f.hash, f.w()}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("texts %d: features differ:\ngot  %v\nwant %v", i, got, want)
		}
		if len(got) == maxFeatures {
			capped++
		}
	}
	if capped == 0 {
		t.Error("no text reached maxFeatures: the cap is not compared")
	}
}

func FuzzTokenizeMatchesReference(f *testing.F) {
	f.Add("CIA Director William Burns “growing cooperation” 2,000 Київ ایران می\u200cخواهد")
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := tokenize(text, nil, 0), tokenizeRef(text, nil, 0); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\ngot  %+v\nwant %+v", text, got, want)
		}
		if got, want := SimHash(text), simHashRef(text); got != want {
			t.Fatalf("%q: SimHash %016x, reference %016x", text, got, want)
		}
		if got, want := fold(text), foldRef(text); got != want {
			t.Fatalf("fold %q, reference %q", got, want)
		}
	})
}
