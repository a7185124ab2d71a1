package parser

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// cp1252 maps the bytes 0x80–0x9F to the characters windows-1252 gives them
// (0 where it gives none).
var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// c1ToCP1252 returns the windows-1252 character a C1 control stands for in
// text produced by software that confused the two, or 0.
func c1ToCP1252(r rune) rune {
	if r < 0x80 || r > 0x9F {
		return 0
	}
	return cp1252[r-0x80]
}

// cp1252Byte is the inverse: the byte a character has in windows-1252 (or
// Latin-1), and whether it has one.
func cp1252Byte(r rune) (byte, bool) {
	if r >= 0xA0 && r <= 0xFF || r >= 0x80 && r <= 0x9F {
		return byte(r), true
	}
	for i, c := range cp1252 {
		if c == r && c != 0 {
			return byte(0x80 + i), true
		}
	}
	return 0, false
}

// mapC1 replaces C1 control characters with the windows-1252 punctuation they
// stand for ("don\u0092t" is "don’t"); it returns b itself when there are none.
func mapC1(b []byte) ([]byte, int) {
	// C1 controls are U+0080–U+009F: 0xC2 0x80–0x9F in UTF-8.
	i := 0
	for {
		j := bytes.IndexByte(b[i:], 0xC2)
		if j < 0 {
			return b, 0
		}
		i += j
		if i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9F && cp1252[b[i+1]-0x80] != 0 {
			break
		}
		i++
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	n := 0
	for i < len(b) {
		if b[i] == 0xC2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9F && cp1252[b[i+1]-0x80] != 0 {
			out = utf8.AppendRune(out, cp1252[b[i+1]-0x80])
			n++
			i += 2
			continue
		}
		out = append(out, b[i])
		i++
	}
	return out, n
}

// textFixes counts what fixText changed.
type textFixes struct {
	mojibake int // strings that were UTF-8 decoded as windows-1252
	htmlRefs int // HTML character references to 128–159
}

// fixText repairs double-encoded text (UTF-8 bytes decoded as windows-1252,
// "â€™" for "’") when every suspicious run in the string decodes to
// plausible characters, and rewrites HTML references &#128;–&#159;, which HTML
// reads as windows-1252, to the characters they mean.
func fixText(s string, n *textFixes) string {
	if strings.IndexByte(s, 0xC3) >= 0 || strings.IndexByte(s, 0xC2) >= 0 {
		if fixed, ok := undoMojibake(s); ok {
			s = fixed
			n.mojibake++
		}
	}
	if strings.Contains(s, "&#1") {
		s = rewriteCP1252Refs(s, n)
	}
	return s
}

// undoMojibake re-decodes runs of windows-1252-representable non-ASCII
// characters as UTF-8. It succeeds only if there is at least one such run and
// every run is valid UTF-8 of plausible characters.
func undoMojibake(s string) (string, bool) {
	var out strings.Builder
	var run []byte
	changed := false
	flush := func() bool {
		if len(run) == 0 {
			return true
		}
		if !utf8.Valid(run) {
			return false
		}
		for _, r := range string(run) {
			if r < 0x80 || !plausible(r) {
				return false
			}
		}
		if utf8.RuneCount(run) == len(run) {
			return false
		}
		out.Write(run)
		run = run[:0]
		changed = true
		return true
	}
	for _, r := range s {
		if r >= 0x80 {
			if b, ok := cp1252Byte(r); ok {
				run = append(run, b)
				continue
			}
		}
		if !flush() {
			return s, false
		}
		out.WriteRune(r)
	}
	if !flush() || !changed {
		return s, false
	}
	return out.String(), true
}

// plausible reports characters that double-encoded news text decodes to:
// Latin, Greek, Cyrillic, Hebrew, Arabic letters, general punctuation,
// currency and letter-like symbols.
func plausible(r rune) bool {
	switch {
	case r >= 0xA0 && r <= 0x24F, // Latin-1 supplement, Latin extended
		r >= 0x370 && r <= 0x52F, // Greek, Cyrillic
		r >= 0x590 && r <= 0x6FF, // Hebrew, Arabic
		r >= 0x1E00 && r <= 0x1EFF,
		r >= 0x2000 && r <= 0x206F, // general punctuation
		r >= 0x20A0 && r <= 0x20CF, // currency
		r >= 0x2100 && r <= 0x215F:
		return true
	}
	return false
}

// rewriteCP1252Refs turns "&#146;" into "&#x2019;".
func rewriteCP1252Refs(s string, n *textFixes) string {
	var b strings.Builder
	last := 0
	for i := 0; i+5 < len(s); i++ {
		if s[i] != '&' || s[i+1] != '#' {
			continue
		}
		j := i + 2
		for j < len(s) && j < i+6 && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j >= len(s) || s[j] != ';' {
			continue
		}
		v, err := strconv.Atoi(s[i+2 : j])
		if err != nil || v < 0x80 || v > 0x9F || cp1252[v-0x80] == 0 {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString("&#x" + strconv.FormatInt(int64(cp1252[v-0x80]), 16) + ";")
		last = j + 1
		n.htmlRefs++
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// xmlSafe returns s as valid UTF-8 without C0 controls other than tab, LF
// and CR; s itself when it already is.
func xmlSafe(s string) string {
	clean := utf8.ValidString(s)
	for i := 0; clean && i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			clean = false
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// fixFeedText applies fixText to every text field of the feed.
// Values are trimmed (CDATA sections keep the whitespace around them) and
// made valid UTF-8 without the control characters XML forbids, whatever
// gofeed decoded (base64 content can hold anything).
func fixFeedText(f *gofeed.Feed) textFixes {
	var n textFixes
	fix := func(s *string) { *s = strings.TrimSpace(fixText(xmlSafe(*s), &n)) }
	fix(&f.Title)
	fix(&f.Description)
	fix(&f.Copyright)
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		fix(&it.Title)
		fix(&it.Description)
		fix(&it.Content)
		for i := range it.Categories {
			fix(&it.Categories[i])
		}
		for _, a := range it.Authors {
			if a != nil {
				fix(&a.Name)
			}
		}
	}
	return n
}
