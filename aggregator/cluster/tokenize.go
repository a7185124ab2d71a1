package cluster

import (
	"unicode"
	"unicode/utf8"
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
	cap   bool   // the original starts with an upper-case letter
	gap   gap    // separation from the previous token
	quote int32  // id of the quotation span it lies in, 0 outside quotes
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
			w := fold(raw)
			if hasGroupSep(w) {
				w = stripGroupSep(w)
			}
			dst = append(dst, token{word: w, cap: unicode.IsUpper(first), gap: pending, quote: q, line: newLine})
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

func hasGroupSep(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] == ',' {
			return true
		}
	}
	return false
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
