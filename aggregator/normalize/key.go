package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Key returns the comparison key of s: compatibility-decomposed (NFKD, so
// ligatures, full-width and other compatibility forms fold), case-folded,
// with diacritics removed from Latin, Greek, Cyrillic, Hebrew and
// Arabic-script letters, Arabic yeh/alef maksura, kaf and teh marbuta
// unified with their Persian forms, ZWNJ/ZWJ, bidi marks and tatweel
// removed, Arabic-Indic digits mapped to ASCII, apostrophe, quote and dash
// variants unified, and white space folded to single spaces. Two strings a
// reader would call the same text have the same key. Key is for comparison
// only; output text keeps its original characters.
func Key(s string) string {
	var k keyBuilder
	k.b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !keepASCII[c] && !isUpperASCII(c) {
				k.ascii(c)
				i++
				continue
			}
			// A run of characters the key keeps as they are, capitals
			// lowered and single spaces between them.
			k.flushSpace()
			start := i
		run:
			for i < len(s) {
				switch c := s[i]; {
				case keepASCII[c]:
					i++
				case isUpperASCII(c):
					k.b.WriteString(s[start:i])
					k.b.WriteByte(c + 'a' - 'A')
					i++
					start = i
				case c == ' ' && i+1 < len(s) && (keepASCII[s[i+1]] || isUpperASCII(s[i+1])):
					i++
				default:
					break run
				}
			}
			k.b.WriteString(s[start:i])
			last := s[i-1]
			if isUpperASCII(last) {
				last += 'a' - 'A'
			}
			k.base = rune(last)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < rune(len(plainLower)) {
			if l := plainLower[r]; l != 0 {
				k.flushSpace()
				k.base = r
				k.b.WriteRune(l)
				i += size
				continue
			}
		}
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
		switch {
		case dropRune(r), norm.NFKD.PropertiesString(string(r)).Decomposition() != nil,
			unicode.Is(unicode.Mn, r), unicode.IsSpace(r), foldVariant(r) != r,
			r == 'ß', r == 'ẞ', r == 'ς', r == 'ſ', r >= 0x1100 && r <= 0x11FF:
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
	if unicode.Is(unicode.Mn, r) {
		if stripMarksAfter(k.base) {
			return
		}
		k.recompose = true
		k.b.WriteRune(r)
		return
	}
	if unicode.IsSpace(r) {
		k.space = k.b.Len() > 0
		k.base = ' '
		return
	}
	r = foldVariant(r)
	if r < 0 {
		return
	}
	if r < utf8.RuneSelf {
		k.ascii(byte(r))
		return
	}
	k.flushSpace()
	k.base = r
	switch r {
	case 'ß', 'ẞ':
		k.b.WriteString("ss")
		return
	case 'ς':
		r = 'σ'
	case 'ſ':
		r = 's'
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

// stripMarksAfter reports whether combining marks following base are
// diacritics to drop: in alphabetic scripts they are; in abugidas (Devanagari
// and others) they carry vowels and stay.
func stripMarksAfter(base rune) bool {
	if base < utf8.RuneSelf {
		return true
	}
	return unicode.In(base, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Arabic, unicode.Hebrew)
}

// foldVariant maps one rune to its unified form; -1 drops it.
func foldVariant(r rune) rune {
	switch r {
	case 'ي', 'ى', 'ې', 'ۍ': // Arabic yeh, alef maksura (and Pashto forms) → Persian yeh
		return 'ی'
	case 'ك': // Arabic kaf → Persian kaf (keheh)
		return 'ک'
	case 'ة': // teh marbuta: written as heh in Persian
		return 'ه'
	case '\u200c', '\u200d', '\u0640', '\u200e', '\u200f', '\u2060', '\u061c': // ZWNJ, ZWJ, tatweel, bidi marks, word joiner
		return -1
	case '’', '‘', 'ʼ', 'ʻ', '´', '′', 'ʹ', '＇', '‛':
		return '\''
	case '“', '”', '„', '«', '»', '″', '‟':
		return '"'
	case '‐', '‑', '‒', '–', '—', '―', '−':
		return '-'
	}
	switch {
	case r >= '٠' && r <= '٩':
		return '0' + (r - '٠')
	case r >= '۰' && r <= '۹':
		return '0' + (r - '۰')
	}
	return r
}
