package publish

import (
	"html"
	"strings"
	"unicode/utf8"
)

// clean returns s without invalid UTF-8, control characters (C0 except tab,
// line feed and carriage return; DEL; C1) and the code points XML 1.0 does
// not allow (U+FFFE, U+FFFF). Strings that need no change are returned as
// they are, without allocating.
func clean(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !keep(r, size) {
			return cleanSlow(s)
		}
		i += size
	}
	return s
}

func cleanSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if keep(r, size) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func keep(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size <= 1:
		return false // invalid byte
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return false
	case r == 0xFFFE || r == 0xFFFF:
		return false
	}
	return true
}

// contentWithCoverage appends an "Also reported by" paragraph linking every
// other outlet's copy to the entry's HTML content.
func contentWithCoverage(content string, related []link) string {
	if len(related) == 0 {
		return content
	}
	var b strings.Builder
	b.WriteString(content)
	if content != "" {
		b.WriteString("\n")
	}
	b.WriteString(`<p class="topicfeed-coverage">Also reported by: `)
	for i, r := range related {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`<a href="`)
		b.WriteString(html.EscapeString(r.url))
		b.WriteString(`">`)
		b.WriteString(html.EscapeString(r.outlet))
		b.WriteString(`</a>`)
	}
	b.WriteString(`</p>`)
	return b.String()
}
