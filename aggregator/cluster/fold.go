package cluster

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fold returns the comparison form of s: lower-cased, diacritics (combining
// marks) stripped, Arabic yeh/alef maksura and kaf unified with their Persian
// forms, Arabic-Indic digits mapped to ASCII, zero-width joiners, soft
// hyphens and tatweel removed, typographic apostrophes unified.
func fold(s string) string {
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
	return string(appendFold(make([]byte, 0, len(s)), s))
}

// appendFold appends the fold of s (see fold) to dst.
func appendFold(dst []byte, s string) []byte {
	if norm.NFD.QuickSpanString(s) != len(s) {
		s = norm.NFD.String(s) // something decomposes
	}
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			dst = append(dst, byte(r))
			continue
		}
		if r2, keep := foldRune(r); keep {
			dst = utf8.AppendRune(dst, r2)
		}
	}
	return dst
}

// foldRune maps one decomposed rune to its folded form; keep is false for
// runes that are dropped.
func foldRune(r rune) (out rune, keep bool) {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A'), true
		}
		return r, true
	case unicode.Is(unicode.Mn, r):
		return 0, false
	}
	switch r {
	case '\u064A', '\u0649': // Arabic yeh, alef maksura
		return '\u06CC', true // Persian yeh
	case '\u0643': // Arabic kaf
		return '\u06A9', true // Persian keheh
	case '\u200C', '\u200D', '\u00AD', '\u0640', '\uFEFF': // ZWNJ, ZWJ, soft hyphen, tatweel, BOM
		return 0, false
	case '\u2018', '\u2019', '\u02BC', '\u2032': // typographic apostrophes
		return '\'', true
	case 'ß':
		return 's', true
	}
	if '\u0660' <= r && r <= '\u0669' { // Arabic-Indic digits
		return '0' + (r - '\u0660'), true
	}
	if '\u06F0' <= r && r <= '\u06F9' { // Persian digits
		return '0' + (r - '\u06F0'), true
	}
	return unicode.ToLower(r), true
}
