package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/topicfeed/topicfeed/textfold"
	"golang.org/x/text/unicode/norm"
)

// Key returns the comparison key of s: compatibility-decomposed (NFKD, so
// ligatures, full-width and other compatibility forms fold), case-folded,
// with textfold's tables (diacritics dropped after letters of alphabetic
// scripts, the variants writers mix up unified: Arabic and Persian letter
// forms, Arabic-Indic digits, ß, ł, ς, ...; invisible characters and ZWNJ
// removed; apostrophe, quote and dash variants unified), and white space
// folded to single spaces. Two strings a reader would call the same text
// have the same key. Key is for comparison only; output text keeps its
// original characters.
func Key(s string) string {
	var k keyBuilder
	k.b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if !startsPlain(s, i) {
			if c < utf8.RuneSelf {
				k.ascii(c)
				i++
				continue
			}
		} else {
			// A run of characters the key keeps as they are or only
			// lower-cases (ASCII and two-byte letters), with single
			// spaces between them: copied in chunks.
			k.flushSpace()
			start := i
			var base rune
		run:
			for i < len(s) {
				switch c := s[i]; {
				case keepASCII[c]:
					base = rune(c)
					i++
				case isUpperASCII(c):
					k.b.WriteString(s[start:i])
					k.b.WriteByte(c + 'a' - 'A')
					base = rune(c + 'a' - 'A')
					i++
					start = i
				case c == ' ' && i+1 < len(s) && startsPlain(s, i+1):
					i++
				default:
					r, l, ok := plain2(s, i)
					if !ok {
						break run
					}
					if l != r {
						k.b.WriteString(s[start:i])
						k.b.WriteRune(l)
						start = i + 2
					}
					base = r
					i += 2
				}
			}
			k.b.WriteString(s[start:i])
			k.base = base
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || dropRune(r) {
			i += size
			continue
		}
		if d := norm.NFKD.PropertiesString(s[i:]).Decomposition(); d != nil {
			for _, dr := range string(d) {
				k.rune(dr)
			}
		} else {
			k.rune(r)
		}
		i += size
	}
	out := k.b.String()
	if k.recompose {
		out = norm.NFC.String(out)
	}
	return out
}

func isUpperASCII(c byte) bool { return 'A' <= c && c <= 'Z' }

// plain2 decodes the two-byte character at s[i], if there is one, and
// returns it with its plainLower entry (ok: the entry is not 0).
func plain2(s string, i int) (r, lower rune, ok bool) {
	if i+1 >= len(s) || s[i] < 0xC2 || s[i] > 0xDF || s[i+1]&0xC0 != 0x80 {
		return 0, 0, false
	}
	r = rune(s[i]&0x1F)<<6 | rune(s[i+1]&0x3F)
	lower = plainLower[r]
	return r, lower, lower != 0
}

// startsPlain reports whether s[i] starts a character Key copies or only
// lower-cases: kept ASCII, an ASCII capital, or a plainLower character.
func startsPlain(s string, i int) bool {
	if c := s[i]; keepASCII[c] || isUpperASCII(c) {
		return true
	}
	_, _, ok := plain2(s, i)
	return ok
}

// keepASCII marks the ASCII characters that keyBuilder.ascii writes
// unchanged: everything printable but white space, capitals and "`".
var keepASCII = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = !(c >= 'A' && c <= 'Z') && c != '`'
	}
	return t
}()

// plainLower maps the two-byte runes (U+0080–U+07FF: Latin, Greek,
// Cyrillic, Hebrew, Arabic, ...) that Key simply lower-cases (no
// decomposition, not a mark, not white space, no variant folding, not
// dropped) to their lower case, and every other to 0.
var plainLower = func() (t [0x800]rune) {
	for r := rune(utf8.RuneSelf); r < rune(len(t)); r++ {
		if dropRune(r) || norm.NFKD.PropertiesString(string(r)).Decomposition() != nil || textfold.UnifyPunct(r) != 0 {
			continue
		}
		switch textfold.Classify(r) {
		case textfold.Mark, textfold.Space, textfold.Invisible, textfold.Joiner:
			continue
		}
		if _, ok := textfold.Variant(r); ok {
			continue
		}
		t[r] = unicode.ToLower(r)
	}
	return t
}()

type keyBuilder struct {
	b         strings.Builder
	space     bool
	base      rune // last letter written, decides whether a mark is dropped
	recompose bool // marks or jamo were kept: recompose at the end
}

func (k *keyBuilder) ascii(c byte) {
	switch {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		k.space = k.b.Len() > 0
		k.base = ' '
		return
	case c < 0x20 || c == 0x7f:
		return
	case c >= 'A' && c <= 'Z':
		c += 'a' - 'A'
	case c == '`':
		c = '\''
	}
	k.flushSpace()
	k.base = rune(c)
	k.b.WriteByte(c)
}

func (k *keyBuilder) rune(r rune) {
	if r < utf8.RuneSelf {
		k.ascii(byte(r))
		return
	}
	switch textfold.Classify(r) {
	case textfold.Mark:
		if textfold.DropsMarksAfter(k.base) {
			return
		}
		k.recompose = true
		k.b.WriteRune(r)
		return
	case textfold.Space:
		k.space = k.b.Len() > 0
		k.base = ' '
		return
	case textfold.Invisible, textfold.Joiner:
		return
	case textfold.Punct:
		if p := textfold.UnifyPunct(r); p != 0 {
			k.ascii(byte(p))
			return
		}
	}
	k.flushSpace()
	k.base = r
	if v, ok := textfold.Variant(r); ok {
		k.b.WriteString(v)
		return
	}
	if r >= 0x1100 && r <= 0x11FF {
		k.recompose = true // Hangul jamo from a decomposed syllable
	}
	k.b.WriteRune(unicode.ToLower(r))
}

func (k *keyBuilder) flushSpace() {
	if k.space {
		k.b.WriteByte(' ')
		k.space = false
	}
}
