package cluster

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/topicfeed/topicfeed/textfold"
	"golang.org/x/text/unicode/norm"
)

// fold returns the comparison form of s with textfold's tables: compatibility
// decomposed, lower-cased, diacritics dropped after letters of alphabetic
// scripts, variants unified (Arabic and Persian letters, digits, ß → ss, ...),
// invisible characters and ZWNJ removed (a word's parts are joined: the
// tokeniser keeps ZWNJ inside a word), apostrophe variants unified.
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
	if norm.NFKD.QuickSpanString(s) != len(s) {
		s = norm.NFKD.String(s) // something decomposes
	}
	drops := true // whether a mark here is a diacritic, from the letter before it
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			dst = append(dst, byte(r))
			drops = true
			continue
		}
		dst, drops = appendFoldRune(dst, r, drops)
	}
	return dst
}

// appendFoldRune appends the fold of one non-ASCII rune of a decomposed text
// to dst; drops says whether a combining mark r is a diacritic, and the
// result whether a mark after r is.
func appendFoldRune(dst []byte, r rune, drops bool) ([]byte, bool) {
	switch textfold.Classify(r) {
	case textfold.Letter:
		if v, ok := textfold.Variant(r); ok {
			dst = append(dst, v...)
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		return dst, textfold.DropsMarksAfter(r)
	case textfold.Mark:
		if !drops {
			dst = utf8.AppendRune(dst, r)
		}
		return dst, drops
	case textfold.Invisible, textfold.Joiner:
		return dst, drops
	}
	if p := textfold.UnifyPunct(r); p != 0 {
		return append(dst, byte(p)), true
	}
	return utf8.AppendRune(dst, r), true
}
