package tagger

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/topicfeed/topicfeed/textfold"
	"golang.org/x/text/unicode/norm"
)

// Folding turns text into matching keys: words (runs of letters and digits)
// with textfold's tables (see that package): compatibility decomposed,
// lower-cased, diacritics dropped after letters of alphabetic scripts
// (é→e, ё→е, й→и, ї→і; the vowel signs of abugidas stay), the variants
// writers mix up unified (Arabic yeh, kaf, teh marbuta and heh forms to the
// Persian ones, hamza carriers to their base letter, ß→ss, ł→l, ς→σ, ґ→г,
// Arabic-Indic and Persian digits to ASCII), and invisible characters
// (ZWJ, soft hyphens, bidi marks, tatweel) dropped inside a word. What is
// the tagger's own:
//
//   - ZWNJ (Persian half-space) separates words like a space, so that
//     "هسته‌ای" and "هسته ای" fold alike.
//   - Apostrophes of every kind (' ’ ʼ `) separate words: "Russia's" →
//     "russia s", Ukrainian "об'єкт" → "об єкт" both in text and in terms.

// runeKind says what a rune is to the tokeniser.
type runeKind uint8

const (
	kindSep  runeKind = iota // ends a word
	kindDrop                 // vanishes without ending a word
	kindText                 // part of a word; the folded text follows
	kindMark                 // a combining mark: a diacritic after a letter whose drops is set, else kindText
)

// foldedRune is the folding of one rune.
type foldedRune struct {
	s     string
	kind  runeKind
	drops bool // kindText: a combining mark after this rune is a diacritic (textfold.DropsMarksAfter)
	// lead is the length of the combining marks s starts with (a vowel
	// sign that decomposes to a mark and a letter): like a mark of the
	// text, they are kept or dropped by the rune before them.
	lead int
}

// foldRune folds one rune. It is the reference definition of folding; the
// tokeniser uses a table built from it for the common scripts.
func foldRune(r rune) foldedRune {
	switch textfold.Classify(r) {
	case textfold.Letter:
	case textfold.Mark:
		return foldedRune{s: string(r), kind: kindMark}
	case textfold.Invisible:
		return foldedRune{kind: kindDrop}
	default: // punctuation, white space, ZWNJ
		return foldedRune{kind: kindSep}
	}
	var b strings.Builder
	d := norm.NFKD.String(string(r))
	lead := 0
	for _, c := range d {
		if textfold.Classify(c) != textfold.Mark {
			break
		}
		lead += utf8.RuneLen(c)
	}
	base, _ := utf8.DecodeRuneInString(d[lead:])
	if lead == len(d) {
		base, _ = utf8.DecodeRuneInString(d)
	}
	drops := textfold.DropsMarksAfter(base)
	b.WriteString(d[:lead])
	for _, c := range d[lead:] {
		switch textfold.Classify(c) {
		case textfold.Letter:
			if v, ok := textfold.Variant(c); ok {
				b.WriteString(v)
			} else {
				b.WriteRune(unicode.ToLower(c))
			}
		case textfold.Mark:
			if !drops {
				b.WriteRune(c)
			}
		}
		// anything else a letter decomposes to (a space, a dot) is no letter
	}
	if b.Len() == lead {
		if lead > 0 {
			return foldedRune{s: b.String(), kind: kindMark}
		}
		return foldedRune{kind: kindDrop}
	}
	return foldedRune{s: b.String(), kind: kindText, drops: drops, lead: lead}
}

// foldTableSize covers Latin, Greek, Cyrillic and Arabic (U+0000–U+06FF), the
// scripts of the outlets; other runes take the slower reference path.
const foldTableSize = 0x0700

// folder tokenises and folds text. It is immutable after newFolder and safe
// for concurrent use.
type folder struct {
	table []foldedRune
}

func newFolder() *folder {
	t := make([]foldedRune, foldTableSize)
	for r := rune(0); r < foldTableSize; r++ {
		t[r] = foldRune(r)
	}
	return &folder{table: t}
}

func (f *folder) fold(r rune) foldedRune {
	if r < rune(len(f.table)) {
		return f.table[r]
	}
	return foldRune(r)
}

// token is one word: its folded key is buf[fs:fe] of the tokenising call,
// its source text s[ss:se].
type token struct {
	fs, fe int32
	ss, se int32
}

// tokens appends the words of s to toks and their folded keys to buf.
func (f *folder) tokens(s string, buf []byte, toks []token) ([]byte, []token) {
	start, fstart := -1, 0
	drops := true // whether a combining mark here is a diacritic, from the rune before it
	closeAt := func(i int) {
		if start >= 0 && len(buf) > fstart {
			toks = append(toks, token{fs: int32(fstart), fe: int32(len(buf)), ss: int32(start), se: int32(i)})
		}
		start = -1
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			default:
				closeAt(i)
				drops = true
				i++
				continue
			}
			if start < 0 {
				start, fstart = i, len(buf)
			}
			buf = append(buf, c)
			drops = true
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		fr := f.fold(r)
		switch fr.kind {
		case kindSep:
			closeAt(i)
			drops = true
		case kindText:
			text := fr.s
			if fr.lead > 0 {
				if start >= 0 && !drops {
					buf = append(buf, text[:fr.lead]...)
				}
				text = text[fr.lead:]
			}
			if start < 0 {
				start, fstart = i, len(buf)
			}
			buf = append(buf, text...)
			drops = fr.drops
		case kindMark:
			if start >= 0 && !drops {
				buf = append(buf, fr.s...)
			}
		}
		i += size
	}
	closeAt(len(s))
	return buf, toks
}

// Fold returns the matching key of s: its words folded (see the package
// documentation) and joined by single spaces. Two texts that Fold maps to the
// same key match the same terms.
func Fold(s string) string {
	var f folder // no table: every rune takes the reference path
	buf, toks := f.tokens(s, nil, nil)
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = string(buf[t.fs:t.fe])
	}
	return strings.Join(words, " ")
}
