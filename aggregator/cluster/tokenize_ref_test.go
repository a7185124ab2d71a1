package cluster

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The tokeniser and fold as they were before the single-pass rewrite: the
// reference the fast paths must match token for token (stored SimHash
// fingerprints and the clustering decisions depend on them).

// tokenizeRef is the reference tokeniser.
func tokenizeRef(text string, dst []token, max int) []token {
	var (
		pending   = gapSentence
		quoteID   int32
		inQuote   bool
		openQuote rune
		nl        int
		newLine   = true
	)
	setGap := func(g gap) {
		if g > pending {
			pending = g
		}
	}
	closeQuote := func() {
		inQuote = false
		openQuote = 0
	}
	i := 0
	for i < len(text) {
		if max > 0 && len(dst) >= max {
			break
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) {
			start := i
			j := i
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if isWordRune(r2) || r2 == '\u200C' || r2 == '\u200D' {
					j += s2
					continue
				}
				// digit groups: 2,000 and 6.5
				if (r2 == ',' || r2 == '.') && j > start && isDigit(text[j-1]) && j+1 < len(text) && isDigit(text[j+1]) {
					j++
					continue
				}
				break
			}
			raw := text[start:j]
			first, _ := utf8.DecodeRuneInString(raw)
			var q int32
			if inQuote {
				q = quoteID
			}
			w := foldRef(raw)
			if hasGroupSep(w) {
				w = stripGroupSep(w)
			}
			dst = append(dst, token{word: w, hash: hashString(w), cap: unicode.IsUpper(first), gap: pending, quote: q, line: newLine})
			pending = gapSpace
			newLine = false
			nl = 0
			i = j
			continue
		}
		switch r {
		case '\n':
			nl++
			newLine = true
			if nl >= 2 {
				setGap(gapSentence)
				closeQuote()
			}
		case ' ', '\t', '\r', '\u00A0', '\u2009', '\u202F':
		case '-', '\u2010', '\u2011':
			if pending == gapSpace && len(dst) > 0 && i+size < len(text) {
				next, _ := utf8.DecodeRuneInString(text[i+size:])
				prev, _ := utf8.DecodeLastRuneInString(text[:i])
				if isWordRune(next) && isWordRune(prev) {
					setGap(gapHyphen)
					break
				}
			}
			setGap(gapPunct)
		case '.', '!', '?', ';', '…':
			setGap(gapSentence)
		case '"':
			setGap(gapPunct)
			if inQuote && openQuote == '"' {
				closeQuote()
			} else if !inQuote {
				inQuote, openQuote = true, '"'
				quoteID++
			}
		case '“', '«', '„', '‘', '”', '»', '’':
			setGap(gapPunct)
			switch {
			case inQuote && closes(openQuote, r):
				closeQuote()
			case !inQuote && r != '”' && r != '»' && r != '’':
				inQuote, openQuote = true, r
				quoteID++
			}
		default:
			setGap(gapPunct)
		}
		if r != '\n' {
			nl = 0
		}
		i += size
	}
	return dst
}

// foldRef is the reference fold: the whole text decomposed, then every
// rune through appendFoldRune.
func foldRef(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b []byte
	drops := true
	for _, r := range norm.NFKD.String(s) {
		if r < utf8.RuneSelf {
			b = append(b, byte(unicode.ToLower(r)))
			drops = true
			continue
		}
		b, drops = appendFoldRune(b, r, drops)
	}
	return string(b)
}

// stripGroupSep removes thousands separators: "2,000" → "2000".
func stripGroupSep(w string) string {
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		if w[i] != ',' {
			b = append(b, w[i])
		}
	}
	return string(b)
}

// refFeature is a feature as extractRef gives it: its weight computed by
// the formula.
type refFeature struct {
	hash fkey
	w    float32
}

// extractRef is extract as first written (sorted with comparison
// functions, weights computed by the formula rather than coded).
func extractRef(title, text []token, extra map[string]bool) []refFeature {
	s := &sink{counts: make(map[fkey]count, 256), extra: extra}
	walk(title, text, s)
	list := make([]refFeature, 0, len(s.counts))
	for h, c := range s.counts {
		w := kindWeight(c.kind) * (1 + math.Log(float64(c.n)))
		if c.title {
			w *= titleBoost
		}
		list = append(list, refFeature{hash: h, w: float32(w)})
	}
	if len(list) > maxFeatures {
		slices.SortFunc(list, func(a, b refFeature) int {
			switch {
			case a.w > b.w:
				return -1
			case a.w < b.w:
				return 1
			}
			return cmp.Compare(a.hash, b.hash)
		})
		list = slices.Clone(list[:maxFeatures])
	}
	slices.SortFunc(list, func(a, b refFeature) int { return cmp.Compare(a.hash, b.hash) })
	return list
}
