package normalize

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanString makes s safe for every output field: invalid UTF-8 becomes
// U+FFFD, and control characters (C0 except tab/newline/CR, DEL, C1),
// noncharacters, BOMs, soft hyphens and zero-width spaces are removed. Tabs,
// newlines and CRs are kept for the caller's whitespace folding.
func cleanString(s string) string {
	if isClean(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if dropRune(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isClean reports whether cleanString would return s unchanged.
func isClean(s string) bool {
	for i := 0; i < len(s); {
		// Eight printable ASCII characters at a time.
		for i+8 <= len(s) && printableASCII8(s[i:i+8]) {
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		if c >= 0xC3 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			i += 2 // U+00C0–U+07FF (Latin, Greek, Cyrillic, Hebrew, Arabic): kept
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || dropRune(r) {
			return false
		}
		i += size
	}
	return true
}

// printableASCII8 reports whether the eight bytes of s are all printable
// ASCII (0x20–0x7E).
func printableASCII8(s string) bool {
	_ = s[7]
	w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if w&highs != 0 {
		return false // a byte >= 0x80
	}
	// With every byte < 0x80: a byte < 0x20, or a byte 0x7F (zero after
	// XOR), sets its high bit here.
	below := (w - 0x20*ones) &^ w & highs
	del := ((w ^ 0x7F*ones) - ones) &^ (w ^ 0x7F*ones) & highs
	return below|del == 0
}

// spaces8 returns, for eight ASCII bytes of s, a word whose byte k has its
// high bit set where s[k] is a space and is zero elsewhere.
func spaces8(s string) uint64 {
	_ = s[7]
	w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const low7, highs = 0x7F7F7F7F7F7F7F7F, 0x8080808080808080
	x := w ^ 0x2020202020202020 // zero bytes where spaces were
	// Bytes below 0x80: adding 0x7F to the low seven bits sets the high
	// bit of every non-zero byte, without carrying into the next.
	nonZero := ((x & low7) + low7) | x
	return ^nonZero & highs
}

func dropRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r == 0xAD || r == 0xFEFF || r == 0x200B: // soft hyphen, BOM, zero-width space
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // noncharacters
		return true
	case r >= 0xE000 && r <= 0xF8FF: // private use: never meaningful in news text
		return true
	}
	return false
}

// foldSpace collapses every run of Unicode white space (including NBSP,
// newlines and tabs) into one ASCII space and trims both ends.
func foldSpace(s string) string {
	if isFolded(s) {
		return s
	}
	// Often only the ends need trimming: that is a substring.
	if t := strings.TrimFunc(s, isSpace); isFolded(t) {
		return t
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	start := -1 // where the run of non-space characters being copied starts
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isSpace(r) {
			if start >= 0 {
				b.WriteString(s[start:i])
				start = -1
			}
			space = b.Len() > 0
		} else if start < 0 {
			if space {
				b.WriteByte(' ')
				space = false
			}
			start = i
		}
		i += size
	}
	if start >= 0 {
		b.WriteString(s[start:])
	}
	return b.String()
}

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r >= '\t' && r <= '\r'
	}
	return unicode.IsSpace(r)
}

// isFolded reports whether foldSpace would return s unchanged.
func isFolded(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ':
				if prevSpace {
					return false
				}
				prevSpace = true
			case c >= '\t' && c <= '\r':
				return false
			default:
				prevSpace = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return false
		}
		prevSpace = false
		i += size
	}
	return !prevSpace || s == ""
}

// cleanLine is cleanString followed by foldSpace: the form of every
// single-line output field (titles, authors, categories).
func cleanLine(s string) string {
	// Most lines are clean and folded once their ends are trimmed: one scan.
	if t := strings.Trim(s, asciiSpace); isCleanFolded(t) {
		return t
	}
	return foldSpace(cleanString(s))
}

// asciiSpace is the ASCII white space foldSpace folds. Where it ends a
// line, cleanLine may trim it first: cleanString drops the \v and \f
// among it, and foldSpace trims the rest.
const asciiSpace = " \t\n\v\f\r"

// isCleanFolded reports whether s is both clean (isClean) and folded
// (isFolded), so that cleanLine(s) == s.
func isCleanFolded(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); {
		// Eight printable ASCII characters at a time, none a space after
		// a space.
		for i+8 <= len(s) && printableASCII8(s[i:i+8]) {
			sp := spaces8(s[i : i+8])
			if sp&(sp<<8) != 0 || prevSpace && sp&0x80 != 0 {
				return false
			}
			prevSpace = sp>>63 != 0
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ':
				if prevSpace {
					return false
				}
				prevSpace = true
			case c < 0x20 || c == 0x7f:
				return false // a control character, or white space to fold
			default:
				prevSpace = false
			}
			i++
			continue
		}
		if c >= 0xC3 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			// U+00C0–U+07FF: kept, and none is white space.
			prevSpace = false
			i += 2
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || dropRune(r) || unicode.IsSpace(r) {
			return false
		}
		prevSpace = false
		i += size
	}
	return !prevSpace || s == ""
}

var entityRE = regexp.MustCompile(`&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});`)

// decodeEntities decodes HTML character references, twice at most, so that
// double-escaped feed text ("&amp;#8217;") comes out right.
func decodeEntities(s string) string {
	for i := 0; i < 2 && strings.IndexByte(s, '&') >= 0 && entityRE.MatchString(s); i++ {
		s = html.UnescapeString(s)
	}
	return s
}

// truncateText shortens s to at most max runes, preferring to end at a
// sentence boundary in the second half, else at a word boundary (adding an
// ellipsis).
func truncateText(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	// Byte offset of the max-th rune.
	cut := len(s)
	n := 0
	for i := range s {
		if n == max {
			cut = i
			break
		}
		n++
	}
	head := s[:cut]
	if i := lastSentenceEnd(head); i >= len(head)/2 {
		return strings.TrimSpace(head[:i])
	}
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i > len(head)/3 {
		head = head[:i]
	}
	head = strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '"' && r != '”' && r != ')'
	})
	return head + "…"
}

// lastSentenceEnd returns the byte offset just after the last sentence end
// (".", "!", "?", "…", or "。" followed by space or the end), or -1.
func lastSentenceEnd(s string) int {
	best := -1
	for i, r := range s {
		switch r {
		case '.', '!', '?', '…', '。', '؟':
		default:
			continue
		}
		j := i + utf8.RuneLen(r)
		// Closing quotes and brackets belong to the sentence.
		for j < len(s) {
			q, size := utf8.DecodeRuneInString(s[j:])
			if q != '"' && q != '”' && q != '’' && q != '\'' && q != ')' && q != '»' {
				break
			}
			j += size
		}
		if j == len(s) || s[j] == ' ' {
			if r == '.' && abbreviationBefore(s[:i]) {
				continue
			}
			best = j
		}
	}
	return best
}

// abbreviationBefore reports whether the word ending at the end of s is a
// short abbreviation ("U.S", "Dr", "Oct") rather than a sentence's last word.
func abbreviationBefore(s string) bool {
	i := strings.LastIndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) }) + 1
	w := s[i:]
	if w == "" {
		return false
	}
	if strings.Contains(w, ".") { // U.S, e.g
		return true
	}
	r, _ := utf8.DecodeRuneInString(w)
	return utf8.RuneCountInString(w) <= 3 && unicode.IsUpper(r)
}

// firstSentence returns the first sentence of s, at most max runes.
func firstSentence(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	head := s
	if utf8.RuneCountInString(head) > max {
		head = truncateText(head, max)
		return head
	}
	for i, r := range head {
		if r != '.' && r != '!' && r != '?' && r != '؟' && r != '。' {
			continue
		}
		j := i + utf8.RuneLen(r)
		if (j == len(head) || head[j] == ' ') && !(r == '.' && abbreviationBefore(head[:i])) {
			if r == '.' {
				return strings.TrimSpace(head[:i])
			}
			return strings.TrimSpace(head[:j])
		}
	}
	return strings.TrimSpace(head)
}

// runeFloor returns the largest offset i <= n in s at which no UTF-8
// sequence is split (n itself when n >= len(s)).
func runeFloor(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	if n < 0 {
		return 0
	}
	// A sequence is at most utf8.UTFMax bytes: look back no further.
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	if n < utf8.UTFMax {
		return 0
	}
	return n // s[n-3:n+1] are all continuation bytes: invalid, any cut will do
}

// truncateBytes shortens s to at most max bytes (not runes, unlike
// truncateText), on a rune boundary, preferring a word boundary in the
// second half, and marks the cut with an ellipsis.
func truncateBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const ellipsis = "…"
	if max <= len(ellipsis) {
		return s[:runeFloor(s, max)]
	}
	head := s[:runeFloor(s, max-len(ellipsis))]
	if next, _ := utf8.DecodeRuneInString(s[len(head):]); !unicode.IsSpace(next) {
		// The cut splits a word: end at the one before, if that keeps half.
		if i := strings.LastIndexFunc(head, unicode.IsSpace); i >= len(head)/2 {
			head = head[:i]
		}
	}
	head = strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '"' && r != '”' && r != ')'
	})
	if head == "" {
		return ""
	}
	return head + ellipsis
}

// cutParagraphs keeps the leading paragraphs (and their keys, see
// applyRules) that fit in max bytes once joined by blank lines. When the
// paragraphs kept fill less than half of max, the first one left out is
// cut to fill the rest (see truncateBytes). cut reports whether anything
// was left out.
func cutParagraphs(paras, keys []string, max int) (keptParas, keptKeys []string, cut bool) {
	size := 0
	for i, p := range paras {
		sep := 0
		if i > 0 {
			sep = len("\n\n")
		}
		if size+sep+len(p) <= max {
			size += sep + len(p)
			continue
		}
		keptParas, keptKeys = paras[:i:i], keys[:i:i]
		if room := max - size - sep; size < max/2 && room > 0 {
			if t := truncateBytes(p, room); t != "" {
				keptParas = append(keptParas, t)
				keptKeys = append(keptKeys, Key(t))
			}
		}
		return keptParas, keptKeys, true
	}
	return paras, keys, false
}
