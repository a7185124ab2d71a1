// Package textfold holds the rune tables of text folding: what a rune is to
// a folder (part of a word, a diacritic, invisible, a separator) and which
// variants writers use interchangeably. The dedupe keys of normalize, the
// matching keys of tagger and the words of cluster all fold with these
// tables, so that two texts one of them calls the same, the others do too.
//
// The tables apply to runes after compatibility decomposition (NFKD): a
// precomposed letter is its base letter followed by combining marks, a
// ligature or full-width form its plain letters. Callers decompose, walk
// the runes and choose what differs by purpose: whether ZWNJ joins or
// separates word parts (Joiner), and what punctuation and white space
// become.
package textfold

import (
	"unicode"
	"unicode/utf8"
)

// ZWNJ is the zero-width non-joiner, the Persian half-space between the
// parts of one word ("می‌خواهم", "هسته‌ای").
const ZWNJ = '\u200C'

// Class is what a rune is to folding.
type Class uint8

const (
	// Letter is a letter, a digit or another number, or a spacing vowel
	// sign of an abugida: part of a word. Its folded form is Variant's, or
	// else its lower case.
	Letter Class = iota
	// Mark is a combining mark: a diacritic, dropped, after a letter of an
	// alphabetic script (DropsMarksAfter); otherwise it writes a vowel or a
	// consonant and stays (Devanagari vowel signs, Japanese voicing marks).
	Mark
	// Invisible vanishes without ending a word: format characters (ZWJ,
	// soft hyphen, BOM, word joiner, bidi marks and controls) and tatweel.
	Invisible
	// Joiner is ZWNJ: the caller chooses whether it vanishes ("می‌خواهم"
	// is "میخواهم") or separates like a space ("هسته‌ای" is "هسته ای").
	Joiner
	// Space is white space and the zero-width space.
	Space
	// Punct is punctuation, symbols and control characters: anything else.
	// Apostrophes are Punct even where Unicode calls them letters (ʼ ʻ):
	// UnifyPunct gives the unified form of apostrophe, quote and dash variants.
	Punct
)

// Classify says what r is to folding.
func Classify(r rune) Class {
	if r >= 0 && r < tableSize {
		return table[r] & classMask
	}
	return classify(r)
}

// DropsMarksAfter reports whether combining marks following base are
// diacritics to drop: after ASCII, white space and letters of alphabetic
// scripts (Latin, Greek, Cyrillic, Arabic, Hebrew) they are; in abugidas
// (Devanagari and others) and syllabaries they carry sounds and stay.
func DropsMarksAfter(base rune) bool {
	if base >= 0 && base < tableSize {
		return table[base]&dropsMarks != 0
	}
	return dropsMarksAfter(base)
}

// Variant returns the folded form of a letter or digit that writers
// exchange for another, in lower case, and whether there is one; for
// other runes the fold is unicode.ToLower. r has no decomposition (it is
// a rune of an NFKD-decomposed text).
func Variant(r rune) (string, bool) {
	switch {
	case r >= '٠' && r <= '٩': // Arabic-Indic digits
		return digits[r-'٠' : r-'٠'+1], true
	case r >= '۰' && r <= '۹': // Persian digits
		return digits[r-'۰' : r-'۰'+1], true
	}
	switch r {
	// Arabic script: the Arabic forms of letters → their Persian forms,
	// as Persian writers and keyboards mix them.
	case 'ي', 'ى', 'ې', 'ۍ': // Arabic yeh, alef maksura, Pashto yeh forms → Persian yeh
		return "ی", true
	case 'ك': // Arabic kaf → Persian kaf (keheh)
		return "ک", true
	case 'ة', 'ہ', 'ھ', 'ە': // teh marbuta (written as heh in Persian), heh goal, heh doachashmee, ae → heh
		return "ه", true
	case 'ٱ': // alef wasla → alef
		return "ا", true
	// Latin letters without a decomposition that writers replace by their
	// plain letters, as they drop accents.
	case 'ß', 'ẞ':
		return "ss", true
	case 'ſ':
		return "s", true
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
	// Greek final sigma is sigma (a final capital lowers to σ).
	case 'ς':
		return "σ", true
	// Ukrainian ghe with upturn, long written as ghe.
	case 'ґ', 'Ґ':
		return "г", true
	}
	return "", false
}

const digits = "0123456789"

// UnifyPunct returns the unified form of an apostrophe ('), a quotation mark (")
// or a dash (-) variant, and 0 for every other rune.
func UnifyPunct(r rune) rune {
	switch r {
	case '\'', '`', '´', 'ʹ', 'ʻ', 'ʼ', 'ʽ', '‘', '’', '‛', '′', '＇':
		return '\''
	case '"', '“', '”', '„', '«', '»', '″', '‟':
		return '"'
	case '-', '‐', '‑', '‒', '–', '—', '―', '−':
		return '-'
	}
	return 0
}

func classify(r rune) Class {
	switch {
	case r == ZWNJ:
		return Joiner
	case r == '\u200B' || unicode.IsSpace(r): // zero-width space: a word break
		return Space
	case UnifyPunct(r) != 0:
		return Punct
	case r == '\u0640': // tatweel: stretches a word, a letter to Unicode
		return Invisible
	case unicode.Is(unicode.Cf, r):
		if unicode.Is(unicode.Prepended_Concatenation_Mark, r) {
			return Punct // visible signs spanning the digits that follow
		}
		return Invisible
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		return Mark
	case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mc, r):
		return Letter
	}
	return Punct
}

func dropsMarksAfter(base rune) bool {
	if base < utf8.RuneSelf || unicode.IsSpace(base) {
		return true
	}
	return unicode.In(base, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Arabic, unicode.Hebrew)
}

// tableSize covers the one- and two-byte runes (U+0000–U+07FF: Latin,
// Greek, Cyrillic, Hebrew, Arabic), the scripts of most outlets.
const tableSize = 0x800

const (
	classMask  = 0x0F
	dropsMarks = 0x10
)

var table = func() (t [tableSize]Class) {
	for r := rune(0); r < tableSize; r++ {
		t[r] = classify(r)
		if dropsMarksAfter(r) {
			t[r] |= dropsMarks
		}
	}
	return t
}()
