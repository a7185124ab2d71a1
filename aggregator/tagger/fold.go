package tagger

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Folding turns text into matching keys: words (runs of letters and digits)
// lower-cased, with diacritics and compatibility variants removed and the
// script variants that writers mix up unified:
//
//   - Latin, Cyrillic: case; accents (é→e, ё→е, й→и, ї→і); ґ→г; ß→ss.
//   - Arabic script: Arabic yeh/alef maksura → Persian yeh (ي ى → ی), Arabic
//     kaf → Persian kaf (ك → ک), teh marbuta → heh (ة → ه), hamza carriers and
//     alef variants → their base letter (أ إ آ ٱ → ا, ئ → ی, ؤ → و), harakat
//     and tatweel dropped; Arabic-Indic and Persian digits → ASCII digits.
//   - ZWNJ (Persian half-space) separates words like a space, so that
//     "هسته‌ای" and "هسته ای" fold alike; zero-width joiners, soft hyphens
//     and combining marks inside a word are dropped.
//   - Apostrophes of every kind (' ’ ʼ `) separate words: "Russia's" →
//     "russia s", Ukrainian "об'єкт" → "об єкт" both in text and in terms.

// runeKind says what a rune is to the tokeniser.
type runeKind uint8

const (
	kindSep  runeKind = iota // ends a word
	kindDrop                 // vanishes without ending a word
	kindText                 // part of a word; the folded text follows
)

// foldedRune is the folding of one rune.
type foldedRune struct {
	s    string
	kind runeKind
}

// foldRune folds one rune. It is the reference definition of folding; the
// tokeniser uses a table built from it for the common scripts.
func foldRune(r rune) foldedRune {
	if k := classify(r); k != kindText {
		return foldedRune{kind: k}
	}
	if s, ok := specialFold(r); ok {
		return foldedRune{s: s, kind: kindText}
	}
	var b strings.Builder
	for _, d := range norm.NFKD.String(string(r)) {
		if classify(d) != kindText {
			continue // marks, and anything a letter decomposes to that is no letter
		}
		d = unicode.ToLower(d)
		if s, ok := specialFold(d); ok {
			b.WriteString(s)
			continue
		}
		b.WriteRune(d)
	}
	if b.Len() == 0 {
		return foldedRune{kind: kindDrop}
	}
	return foldedRune{s: b.String(), kind: kindText}
}

// classify says whether r separates words, vanishes, or is part of a word.
func classify(r rune) runeKind {
	switch r {
	case '\'', '`', 0x00B4, 0x02B9, 0x02BB, 0x02BC, 0x02BD, 0x2018, 0x2019, 0x201B, 0x2032, 0xFF07,
		0x200C, // ZWNJ: a half-space between Persian word parts
		0x200B: // zero-width space
		return kindSep
	case 0x200D, 0x00AD, 0x0640, 0xFEFF, 0x2060: // ZWJ, soft hyphen, tatweel, BOM, word joiner
		return kindDrop
	}
	if unicode.IsMark(r) {
		return kindDrop
	}
	if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
		return kindSep
	}
	return kindText
}

// specialFold handles the letters that decomposition and lower-casing leave
// apart although writers use them interchangeably.
func specialFold(r rune) (string, bool) {
	switch {
	case r >= 0x0660 && r <= 0x0669: // Arabic-Indic digits
		return string('0' + (r - 0x0660)), true
	case r >= 0x06F0 && r <= 0x06F9: // Persian digits
		return string('0' + (r - 0x06F0)), true
	}
	switch r {
	case 0x064A, 0x0649, 0x06D0, 0x06CD: // Arabic yeh, alef maksura, yeh variants
		return "\u06CC", true
	case 0x0643: // Arabic kaf
		return "\u06A9", true
	case 0x0629, 0x06C1, 0x06BE, 0x06D5: // teh marbuta, heh goal, heh doachashmee, ae
		return "\u0647", true
	case 0x0671: // alef wasla
		return "\u0627", true
	case 'ґ', 'Ґ':
		return "г", true
	case 'ß', 'ẞ':
		return "ss", true
	case 'ı':
		return "i", true
	case 'ł', 'Ł':
		return "l", true
	case 'đ', 'Đ':
		return "d", true
	case 'ø', 'Ø':
		return "o", true
	case 'æ', 'Æ':
		return "ae", true
	case 'œ', 'Œ':
		return "oe", true
	case 'ſ':
		return "s", true
	}
	return "", false
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
				i++
				continue
			}
			if start < 0 {
				start, fstart = i, len(buf)
			}
			buf = append(buf, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		fr := f.fold(r)
		switch fr.kind {
		case kindSep:
			closeAt(i)
		case kindText:
			if start < 0 {
				start, fstart = i, len(buf)
			}
			buf = append(buf, fr.s...)
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
