package parser

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// decoded is a document transcoded to UTF-8.
type decoded struct {
	body     []byte
	encoding string // canonical lower-case name of the encoding the bytes were read as
	// warnings say how the document was not as served: mislabelled, not
	// valid in its encoding, carrying characters XML forbids.
	warnings []string
	// notes say what was changed in content that was valid as served.
	notes []string
}

// bom is a byte-order mark and the encoding it announces.
type bom struct {
	mark []byte
	name string
}

// boms is ordered so that UTF-32LE's mark is tried before UTF-16LE's, which is
// its prefix.
var boms = []bom{
	{[]byte{0x00, 0x00, 0xFE, 0xFF}, "utf-32be"},
	{[]byte{0xFF, 0xFE, 0x00, 0x00}, "utf-32le"},
	{[]byte{0xEF, 0xBB, 0xBF}, "utf-8"},
	{[]byte{0xFE, 0xFF}, "utf-16be"},
	{[]byte{0xFF, 0xFE}, "utf-16le"},
}

// nullPatterns recognise UTF-16 and UTF-32 documents without a BOM by the
// way they spell their first '<' (XML 1.0 appendix F).
var nullPatterns = []bom{
	{[]byte{0x00, 0x00, 0x00, '<'}, "utf-32be"},
	{[]byte{'<', 0x00, 0x00, 0x00}, "utf-32le"},
	{[]byte{0x00, '<', 0x00, '?'}, "utf-16be"},
	{[]byte{'<', 0x00, '?', 0x00}, "utf-16le"},
}

// decodeToUTF8 works out the encoding of an XML or JSON feed and transcodes it
// to UTF-8. The order of authority is: byte-order mark, then the HTTP charset,
// then the XML prolog's encoding attribute, each accepted only when the bytes
// are consistent with it; when none fits, the bytes are sniffed. Invalid byte
// sequences become U+FFFD and control characters that XML forbids are removed.
func decodeToUTF8(body []byte, contentType string) decoded {
	d := decoded{}
	httpLabel, mediaType := contentTypeCharset(contentType)
	if mediaType == "text/plain" || mediaType == "text/html" {
		d.warn("served as %s, not as an XML or feed media type", mediaType)
	}

	for _, b := range boms {
		if bytes.HasPrefix(body, b.mark) {
			d.encoding = b.name
			d.body = transcode(body[len(b.mark):], b.name)
			if declared := firstKnown(httpLabel, prologEncoding(d.body)); declared != "" && !sameUnicodeFamily(declared, b.name) {
				d.warn("byte-order mark says %s, ignored the declared %s", b.name, declared)
			}
			d.finish()
			return d
		}
	}
	for _, p := range nullPatterns {
		if bytes.HasPrefix(body, p.mark) {
			d.encoding = p.name
			d.body = transcode(body, p.name)
			d.finish()
			return d
		}
	}

	prologLabel := prologEncoding(body)
	candidates := make([]string, 0, 2)
	for _, label := range []string{httpLabel, prologLabel} {
		if label == "" {
			continue
		}
		name := canonicalName(label)
		if name == "" {
			d.warn("unknown encoding %q declared", label)
			continue
		}
		candidates = append(candidates, name)
	}

	for i, name := range candidates {
		if !fits(body, name) {
			continue
		}
		if i > 0 {
			d.warn("bytes do not match the HTTP charset %s; decoded as %s from the XML prolog", candidates[0], name)
		}
		d.encoding = name
		d.body = transcode(body, name)
		d.finish()
		return d
	}

	name := sniff(body)
	switch {
	case len(candidates) > 0:
		d.warn("bytes do not match the declared encoding %s; decoded as %s by sniffing", candidates[0], name)
	case name != "utf-8":
		d.warn("no encoding declared and the bytes are not UTF-8; decoded as %s by sniffing", name)
	}
	if name == "utf-8" && !utf8.Valid(body) {
		_, invalid := utf8Shape(body)
		d.warn("replaced %d invalid UTF-8 bytes with U+FFFD", invalid)
	}
	d.encoding = name
	d.body = transcode(body, name)
	d.finish()
	return d
}

func (d *decoded) warn(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

// finish removes forbidden control characters and makes the prolog say UTF-8.
func (d *decoded) finish() {
	var removed int
	d.body, removed = stripControls(d.body)
	if removed > 0 {
		d.warn("removed %d control characters", removed)
	}
	var mapped int
	d.body, mapped = mapC1(d.body)
	if mapped > 0 {
		d.notes = append(d.notes, fmt.Sprintf("mapped %d C1 control characters to the windows-1252 punctuation they stand for", mapped))
	}
	d.body = rewritePrologEncoding(d.body)
}

// contentTypeCharset returns the charset parameter of a Content-Type header and
// its media type, both lower-cased. It is lenient about quotes and spaces, as
// servers are.
func contentTypeCharset(contentType string) (label, mediaType string) {
	parts := strings.Split(contentType, ";")
	mediaType = strings.ToLower(strings.TrimSpace(parts[0]))
	for _, p := range parts[1:] {
		key, value, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "charset") {
			continue
		}
		value = strings.Trim(strings.TrimSpace(value), `"'`)
		return strings.ToLower(strings.TrimSpace(value)), mediaType
	}
	return "", mediaType
}

// prologEncoding returns the encoding attribute of a leading XML declaration,
// read as ASCII.
func prologEncoding(body []byte) string {
	start, end := prologBounds(body)
	if start < 0 {
		return ""
	}
	decl := body[start:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	j := bytes.IndexByte(rest[1:], q)
	if j < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(string(rest[1 : 1+j])))
}

// prologBounds locates "<?xml ... ?>" at the start of body (after
// whitespace); start is -1 when there is none.
func prologBounds(body []byte) (start, end int) {
	s := len(body) - len(bytes.TrimLeft(body, " \t\r\n"))
	if !bytes.HasPrefix(body[s:], []byte("<?xml")) || len(body) < s+6 {
		return -1, -1
	}
	if c := body[s+5]; c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '?' {
		return -1, -1
	}
	limit := min(len(body), s+512)
	e := bytes.Index(body[s:limit], []byte("?>"))
	if e < 0 {
		return -1, -1
	}
	return s, s + e + 2
}

// rewritePrologEncoding replaces the prolog's encoding attribute, if any, with
// UTF-8 so that the XML parser does not transcode a second time.
func rewritePrologEncoding(body []byte) []byte {
	start, end := prologBounds(body)
	if start < 0 {
		return body
	}
	decl := body[start:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return body
	}
	rest := decl[i+len("encoding"):]
	eq := bytes.IndexByte(rest, '=')
	if eq < 0 {
		return body
	}
	q := bytes.IndexAny(rest[eq:], `"'`)
	if q < 0 {
		return body
	}
	qc := rest[eq+q]
	valStart := i + len("encoding") + eq + q + 1
	valEnd := bytes.IndexByte(decl[valStart:], qc)
	if valEnd < 0 {
		return body
	}
	if strings.EqualFold(string(decl[valStart:valStart+valEnd]), "utf-8") {
		return body
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:start+valStart]...)
	out = append(out, "UTF-8"...)
	out = append(out, body[start+valStart+valEnd:]...)
	return out
}

// canonicalName maps a charset label to the canonical name topicfeed decodes
// with, or "" when the label is unknown. ASCII is kept as its own name (it is
// decoded as UTF-8, of which it is a subset).
func canonicalName(label string) string {
	switch label {
	case "us-ascii", "ascii", "ansi_x3.4-1968", "iso-646-us", "us":
		return "us-ascii"
	case "utf-32", "utf32", "ucs-4":
		return "utf-32be"
	case "utf-32be", "utf-32le":
		return label
	case "utf-16", "utf16", "ucs-2", "iso-10646-ucs-2":
		return "utf-16"
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "iso_8859-1", "l1":
		// Decoded as its superset windows-1252, as browsers do; the name
		// reported is the declared one.
		return "iso-8859-1"
	}
	_, name := charset.Lookup(label)
	if name == "gbk" {
		// Decoded as its superset GB18030, as feedparser names it.
		return "gb18030"
	}
	return name
}

// lookup returns the decoder for a canonical name.
func lookup(name string) encoding.Encoding {
	switch name {
	case "utf-8", "us-ascii":
		return nil
	case "utf-16":
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	case "utf-16be":
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case "utf-16le":
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case "utf-32be":
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)
	case "utf-32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	case "iso-8859-1":
		name = "windows-1252"
	}
	e, _ := charset.Lookup(name)
	return e
}

// fits reports whether the bytes are consistent with an encoding: UTF-8 (and
// ASCII) must be valid UTF-8; a single-byte legacy encoding is refused when the
// bytes are valid UTF-8 with multi-byte sequences (a UTF-8 document mislabelled
// as Latin-1 or windows-1251, which is common); a multi-byte legacy encoding
// must decode without errors.
func fits(body []byte, name string) bool {
	switch name {
	case "utf-8", "us-ascii":
		return utf8.Valid(body)
	case "utf-16", "utf-16be", "utf-16le", "utf-32be", "utf-32le":
		// Without a BOM or a null-byte pattern the document is not UTF-16/32
		// (its prolog was readable as ASCII), whatever it claims.
		return false
	}
	if isASCII(body) {
		return true
	}
	if utf8.Valid(body) {
		return false
	}
	e := lookup(name)
	if e == nil {
		return false
	}
	if singleByte(name) {
		// A single-byte encoding decodes anything; refuse the common
		// mislabels: Cyrillic served as Latin-1 (Apache's default charset)
		// and windows-1251 and KOI8-R mistaken for each other.
		c := cyrillic(body)
		switch name {
		case "windows-1252", "iso-8859-1", "iso-8859-15":
			return c == ""
		case "windows-1251", "koi8-r", "koi8-u":
			return c == "" || c == name || name == "koi8-u" && c == "koi8-r"
		}
		return true
	}
	out, err := e.NewDecoder().Bytes(body)
	return err == nil && !bytes.ContainsRune(out, utf8.RuneError)
}

func singleByte(name string) bool {
	return strings.HasPrefix(name, "windows-") || strings.HasPrefix(name, "iso-8859") ||
		strings.HasPrefix(name, "koi8") || name == "ibm866" || name == "macintosh" || name == "x-mac-cyrillic"
}

func sameUnicodeFamily(declared, bomName string) bool {
	d := canonicalName(declared)
	return d == bomName || (d == "utf-16" && strings.HasPrefix(bomName, "utf-16")) ||
		(d == "utf-32be" && strings.HasPrefix(bomName, "utf-32")) || d == ""
}

func firstKnown(labels ...string) string {
	for _, l := range labels {
		if l != "" {
			return l
		}
	}
	return ""
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// sniff guesses the encoding of undeclared or misdeclared bytes: UTF-8 when
// valid (or nearly so), else Cyrillic (windows-1251 or KOI8-R, told apart by
// where the lower-case letters fall) when non-ASCII bytes come in runs, as
// Cyrillic words do, else windows-1252.
func sniff(body []byte) string {
	if utf8.Valid(body) {
		return "utf-8"
	}
	if valid, invalid := utf8Shape(body); valid > invalid {
		// UTF-8 with a few corrupt bytes (a bad copy-paste, a truncated
		// sequence): keep it UTF-8 and replace the corrupt bytes.
		return "utf-8"
	}
	if c := cyrillic(body); c != "" {
		return c
	}
	return "windows-1252"
}

// cyrillic tells whether single-byte text is Cyrillic and in which
// encoding: "windows-1251", "koi8-r", or "" when it does not look Cyrillic.
// Cyrillic words are runs of bytes >= 0xC0, where accented Latin letters
// mostly stand alone ("für", "été"); a handful of bytes proves nothing.
// Russian and Ukrainian text is mostly lower case, which windows-1251 puts at
// 0xE0–0xFF and KOI8-R at 0xC0–0xDF.
func cyrillic(body []byte) string {
	var high, paired, lowC0, highE0 int
	for i, c := range body {
		if c < 0x80 {
			continue
		}
		high++
		if i > 0 && body[i-1] >= 0xC0 && c >= 0xC0 {
			paired++
		}
		switch {
		case c >= 0xE0:
			highE0++
		case c >= 0xC0:
			lowC0++
		}
	}
	if high < 6 || paired*10 < high*6 {
		return ""
	}
	if lowC0 > highE0 {
		return "koi8-r"
	}
	return "windows-1251"
}

// utf8Shape counts valid multi-byte UTF-8 sequences and invalid bytes.
func utf8Shape(body []byte) (valid, invalid int) {
	for i := 0; i < len(body); {
		if body[i] < 0x80 {
			i++
			continue
		}
		r, w := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && w <= 1 {
			invalid++
			i++
			continue
		}
		valid++
		i += w
	}
	return valid, invalid
}

// transcode converts body from the named encoding to UTF-8; invalid sequences
// become U+FFFD.
func transcode(body []byte, name string) []byte {
	e := lookup(name)
	if e == nil {
		if utf8.Valid(body) {
			return body
		}
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	out, err := e.NewDecoder().Bytes(body)
	if err != nil {
		// x/text decoders replace invalid input rather than fail; this is a
		// last resort that keeps the promise of valid UTF-8.
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return out
}

// stripControls removes the characters XML 1.0 forbids (C0 controls other
// than tab, LF and CR; U+FFFE and U+FFFF). It returns body itself when there is
// nothing to remove.
func stripControls(body []byte) ([]byte, int) {
	first := -1
	for i, c := range body {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xEF && forbiddenWidth(body, i) > 0 {
			first = i
			break
		}
	}
	if first < 0 {
		return body, 0
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:first]...)
	removed := 0
	for i := first; i < len(body); {
		if w := forbiddenWidth(body, i); w > 0 {
			removed++
			i += w
			continue
		}
		out = append(out, body[i])
		i++
	}
	return out, removed
}

// forbiddenWidth is the width of a character XML forbids at body[i], or 0.
func forbiddenWidth(body []byte, i int) int {
	c := body[i]
	if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
		return 1
	}
	if c == 0xEF && i+2 < len(body) && body[i+1] == 0xBF && (body[i+2] == 0xBE || body[i+2] == 0xBF) {
		return 3
	}
	return 0
}
