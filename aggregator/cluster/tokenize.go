package cluster

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// gap describes what separates a token from the one before it.
type gap uint8

const (
	gapSpace    gap = iota // only white space
	gapHyphen              // a hyphen between words (Amir-Abdollahian)
	gapPunct               // other punctuation (comma, colon, quotes, brackets)
	gapSentence            // start of text, sentence end (. ! ?) or paragraph break
)

// token is one word of a text.
type token struct {
	word  string // folded form
	hash  uint64 // hashString(word)
	quote int32  // id of the quotation span it lies in, 0 outside quotes
	cap   bool   // the original starts with an upper-case letter
	gap   gap    // separation from the previous token
	line  bool   // first token of a line (a paragraph, in normalised text)
}

// tokenize splits text into words (runs of letters, digits and marks; digit
// groups such as "2,000" and "6.5" stay one token), folding each word and
// recording capitalisation, separators and quotation spans. Straight double
// quotes toggle a quotation; “…”, «…», „…“ and ‘…’ open and close one; a
// paragraph break ends any open quotation. It stops after max tokens
// (max ≤ 0: no limit).
func tokenize(text string, dst []token, max int) []token {
	var (
		pending   = gapSentence
		quoteID   int32
		inQuote   bool
		openQuote rune
		nl        int
		newLine   = true
		buf       []byte // folded words (see foldASCII)
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
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if isWordRune(r) {
			// Scan the word, noting whether it is ASCII, has upper-case
			// letters or digit-group commas: most words need no folding
			// and are a substring of text.
			start := i
			j := i
			ascii, upper, comma := true, false, false
			for j < len(text) {
				if c := text[j]; c < utf8.RuneSelf {
					switch {
					case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
						j++
						continue
					case 'A' <= c && c <= 'Z':
						upper = true
						j++
						continue
					case (c == ',' || c == '.') && j > start && isDigit(text[j-1]) && j+1 < len(text) && isDigit(text[j+1]):
						// digit groups: 2,000 and 6.5
						comma = comma || c == ','
						j++
						continue
					}
					break
				}
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if isWordRune(r2) || r2 == '\u200C' || r2 == '\u200D' {
					ascii = false
					j += s2
					continue
				}
				break
			}
			raw := text[start:j]
			var q int32
			if inQuote {
				q = quoteID
			}
			var w string
			switch {
			case ascii && !upper && !comma:
				w = raw
			case ascii:
				w, buf = foldASCII(buf, raw, len(text)-start)
			default:
				w, buf = foldWord(buf, raw, len(text)-start)
			}
			isCap := 'A' <= r && r <= 'Z' || r >= utf8.RuneSelf && unicode.IsUpper(r)
			dst = append(dst, token{word: w, hash: hashString(w), cap: isCap, gap: pending, quote: q, line: newLine})
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

// closes reports whether r closes a quotation opened with open. A ’ inside
// a “…” quotation is an apostrophe (What’s), not a closing mark.
func closes(open, r rune) bool {
	switch open {
	case '“':
		return r == '”'
	case '„':
		return r == '“' || r == '”'
	case '«':
		return r == '»'
	case '‘':
		return r == '’'
	}
	return false
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// foldASCII appends the fold of an ASCII word to buf (lower case, without
// digit-group commas) and returns it as a string sharing buf's memory,
// with buf grown past it. Bytes of buf are never written once returned
// as part of a string, so the string stays immutable: one allocation
// serves every folded word of a text. hint sizes the first allocation
// (the bytes of text left).
func foldASCII(buf []byte, raw string, hint int) (string, []byte) {
	buf = reserve(buf, len(raw), hint)
	start := len(buf)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == ',':
			continue
		}
		buf = append(buf, c)
	}
	return frozen(buf[start:]), buf
}

// foldWord is foldASCII for a word with other runes: fold, then the
// digit-group commas removed.
func foldWord(buf []byte, raw string, hint int) (string, []byte) {
	buf = reserve(buf, len(raw)+8, hint)
	start := len(buf)
	buf = appendFold(buf, raw)
	if hasGroupSep(frozen(buf[start:])) {
		k := start
		for _, c := range buf[start:] {
			if c != ',' {
				buf[k] = c
				k++
			}
		}
		buf = buf[:k]
	}
	return frozen(buf[start:]), buf
}

// reserve makes room for n more bytes in buf without moving what it holds:
// a full buffer is replaced (the strings made from the old one keep it).
func reserve(buf []byte, n, hint int) []byte {
	if cap(buf)-len(buf) >= n {
		return buf
	}
	return make([]byte, 0, max(n, hint, 2*cap(buf)))
}

// frozen returns b as a string without copying; b must never be written
// again.
func frozen(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func hasGroupSep(w string) bool {
	return strings.IndexByte(w, ',') >= 0
}
