package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// excerpt makes a summary of s, cleaned text of one or more paragraphs
// joined by spaces: sentences that repeat an earlier one (a photo caption
// given twice) are dropped, and the result is at most max runes, ending at
// a sentence end or, after a word, with "…". An outlet's description often
// ends where the outlet cut it, mid-word ("the Iranian Presiden"): article,
// the item's cleaned text when s is not taken from it, shows whether it
// did.
func excerpt(s, article string, max int) string {
	s = dropRepeatedSentences(s)
	if utf8.RuneCountInString(s) > max {
		return truncateText(s, max)
	}
	switch cutState(s, article) {
	case cutMidWord:
		return ellipsis(dropLastWord(s))
	case cutAfterWord:
		return ellipsis(s)
	}
	return s
}

// ellipsis ends s, cut after a word, with "…".
func ellipsis(s string) string {
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '"' && r != '”' && r != ')'
	})
	if s == "" {
		return ""
	}
	return s + "…"
}

// dropLastWord removes the last word of s (a word the outlet cut).
func dropLastWord(s string) string {
	if i := strings.LastIndexFunc(s, unicode.IsSpace); i > 0 {
		return s[:i]
	}
	return s
}

type cut int

const (
	notCut       cut = iota
	cutMidWord       // the last word is the start of a longer one
	cutAfterWord     // the text goes on after the last word
)

// cutState says whether s, a summary, stops where its source was cut, as
// the article text shows; without one it cannot tell a cut from an ending
// without a full stop ("… Mail the desk"), and says notCut.
func cutState(s, article string) cut {
	if s == "" || article == "" || endsSentence(s) {
		return notCut
	}
	return cutAgainst(s, article)
}

// cutAgainst finds the end of s in article and says how article goes on
// after it (notCut when article does not contain it).
func cutAgainst(s, article string) cut {
	words := strings.Fields(s)
	tail := strings.Join(words[max(len(words)-6, 0):], " ")
	text := strings.Join(strings.Fields(article), " ")
	i := strings.Index(text, tail)
	if i < 0 {
		return notCut
	}
	rest := text[i+len(tail):]
	if rest == "" {
		return notCut
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '-' {
		return cutMidWord
	}
	return cutAfterWord
}

// endsSentence reports whether s ends with a sentence end (closing quotes
// and brackets included) or an ellipsis.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, `"”’')»`)
	r, _ := utf8.DecodeLastRuneInString(s)
	switch r {
	case '.', '!', '?', '…', '。', '؟', ':', ';':
		return true
	}
	return false
}

// dropRepeatedSentences removes every sentence of s that repeats an
// earlier one (compared by Key).
func dropRepeatedSentences(s string) string {
	sentences := splitSentences(s)
	if len(sentences) < 2 {
		return s
	}
	seen := make(map[string]bool, len(sentences))
	kept := sentences[:0]
	for _, sn := range sentences {
		k := Key(sn)
		if k != "" && seen[k] {
			continue
		}
		seen[k] = true
		kept = append(kept, sn)
	}
	return strings.Join(kept, " ")
}

// splitSentences splits s after every sentence end lastSentenceEnd
// recognises, trimming the space between sentences.
func splitSentences(s string) []string {
	var out []string
	for s != "" {
		end := firstSentenceEnd(s)
		if end < 0 || end == len(s) {
			out = append(out, strings.TrimSpace(s))
			break
		}
		out = append(out, strings.TrimSpace(s[:end]))
		s = strings.TrimLeft(s[end:], " ")
	}
	return out
}

// firstSentenceEnd returns the byte offset just after the first sentence
// end of s (as lastSentenceEnd recognises them: closing quotes and
// brackets included, followed by a space or the end), or -1.
func firstSentenceEnd(s string) int {
	for from := 0; from < len(s); {
		i := strings.IndexAny(s[from:], ".!?…。؟")
		if i < 0 {
			return -1
		}
		_, size := utf8.DecodeRuneInString(s[from+i:])
		j := from + i + size
		for j < len(s) {
			q, qs := utf8.DecodeRuneInString(s[j:])
			if !strings.ContainsRune(`"”’')»`, q) {
				break
			}
			j += qs
		}
		if (j == len(s) || s[j] == ' ') && lastSentenceEnd(s[:j]) == j {
			return j
		}
		from = j
	}
	return -1
}
