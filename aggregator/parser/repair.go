package parser

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// repairs counts what repair changed; each non-zero count becomes a warning.
type repairs struct {
	strayAmp      int // '&' that starts no reference, escaped
	htmlEntities  int // HTML entities undefined in XML, replaced by their characters
	badCharRefs   int // character references to characters XML forbids, dropped
	strayLT       int // '<' that starts no markup, escaped
	attrLT        int // '<' inside attribute values, escaped
	mismatched    int // end tags that skipped open elements, which were closed
	strayEnd      int // end tags matching no open element, dropped
	truncatedTag  int // markup cut off by the end of the document, dropped
	truncatedSect int // comments and CDATA sections left open at the end, closed
	unclosed      int // elements left open at the end, closed
	multipleRoots int // content after the root element, dropped
	voidElements  int // HTML void elements (<br>) written as start tags, self-closed
	upperHexRefs  int // "&#X41;": XML only allows a lower-case x, lower-cased
	undeclaredNS  int // elements whose namespace prefix is not declared

	// Not ill-formedness, content fixes:
	c1Refs int // references to C1 controls (&#146;), mapped to windows-1252's characters
}

// illFormed reports whether the document was not well-formed as served.
func (r repairs) illFormed() bool {
	r.c1Refs = 0
	return r != repairs{}
}

// warnings describes the repairs; notes describes the content fixes.
func (r repairs) warnings() (w, notes []string) {
	add := func(n int, format string) {
		if n > 0 {
			w = append(w, fmt.Sprintf(format, n))
		}
	}
	add(r.strayAmp, "escaped %d stray '&'")
	add(r.htmlEntities, "replaced %d HTML entities undefined in XML")
	add(r.badCharRefs, "dropped %d character references to characters XML forbids")
	add(r.strayLT, "escaped %d stray '<' in text")
	add(r.attrLT, "escaped %d '<' in attribute values")
	add(r.mismatched, "closed elements skipped by %d mismatched end tags")
	add(r.strayEnd, "dropped %d end tags that matched no open element")
	add(r.truncatedTag, "dropped %d tags cut off by the end of the document")
	add(r.truncatedSect, "closed %d comments or CDATA sections left open at the end of the document")
	add(r.unclosed, "closed %d elements left open at the end of the document (truncated download?)")
	add(r.voidElements, "self-closed %d HTML void elements such as <br>")
	add(r.multipleRoots, "dropped %d pieces of content after the root element")
	add(r.upperHexRefs, "lower-cased the X of %d hexadecimal character references")
	add(r.undeclaredNS, "%d elements use undeclared namespace prefixes")
	if r.c1Refs > 0 {
		notes = append(notes, fmt.Sprintf("mapped %d references to C1 control characters to the windows-1252 punctuation they stand for", r.c1Refs))
	}
	return w, notes
}

// repairer rewrites a UTF-8 XML document into a well-formed one, copying on
// write: when nothing needs fixing, out stays nil and the input is used as is.
type repairer struct {
	src   []byte
	out   []byte
	last  int // src[last:] has not been copied to out yet
	stack []string
	n     repairs
	// entities declared in the document's internal DTD subset.
	entities map[string]string
	rootDone bool
	// prefixes are the namespace prefixes declared so far.
	prefixes map[string]bool
	extras   extras
	capture  *capture
}

// repair returns a well-formed version of doc (doc itself when it already was),
// what it changed, and the raw values it noticed that gofeed drops.
func repair(doc []byte) ([]byte, repairs, extras) {
	r := &repairer{src: doc}
	r.run()
	if r.out == nil {
		return doc, r.n, r.extras
	}
	r.out = append(r.out, r.src[r.last:]...)
	return r.out, r.n, r.extras
}

// replace substitutes src[from:to] with s in the output.
func (r *repairer) replace(from, to int, s string) {
	if r.out == nil {
		r.out = make([]byte, 0, len(r.src)+len(r.src)/16+64)
	}
	r.out = append(r.out, r.src[r.last:from]...)
	r.out = append(r.out, s...)
	r.last = to
}

// checkpoint is the output state at some point, to undo replacements made
// inside a construct that turns out to be cut off and is dropped whole.
type checkpoint struct {
	outLen, last int
	n            repairs
}

func (r *repairer) checkpoint() checkpoint { return checkpoint{len(r.out), r.last, r.n} }

// dropFrom undoes everything since c and drops src[i:] (which starts after
// c.last).
func (r *repairer) dropFrom(c checkpoint, i int) {
	if r.out != nil {
		r.out = r.out[:c.outLen]
	}
	r.last = c.last
	r.n = c.n
	r.n.truncatedTag++
	r.replace(i, len(r.src), "")
}

func (r *repairer) run() {
	src := r.src
	i := 0
	for i < len(src) {
		j := bytes.IndexAny(src[i:], "<&")
		if j < 0 {
			r.checkTrailing(i, len(src))
			break
		}
		r.checkTrailing(i, i+j)
		i += j
		if src[i] == '&' {
			i = r.reference(i, false)
			continue
		}
		i = r.markup(i)
	}
	if len(r.stack) > 0 {
		r.n.unclosed += len(r.stack)
		var b strings.Builder
		for k := len(r.stack) - 1; k >= 0; k-- {
			b.WriteString("</" + r.stack[k] + ">")
		}
		r.replace(len(src), len(src), b.String())
		r.stack = r.stack[:0]
	}
}

// checkTrailing drops non-whitespace text after the root element closed
// (e.g. a second document appended by a broken CMS).
func (r *repairer) checkTrailing(from, to int) {
	if !r.rootDone || from >= to {
		return
	}
	if len(bytes.TrimSpace(r.src[from:to])) > 0 {
		r.n.multipleRoots++
		r.replace(from, to, "")
	}
}

// reference handles '&' at i, in text or in an attribute value, and returns
// the index after it.
func (r *repairer) reference(i int, inAttr bool) int {
	src := r.src
	end := i + 1
	for end < len(src) && end-i <= 40 && isRefByte(src[end]) {
		end++
	}
	if end >= len(src) || src[end] != ';' || end == i+1 {
		if r.rootDone && !inAttr {
			r.replace(i, i+1, "") // text after the root is dropped
			return i + 1
		}
		r.n.strayAmp++
		r.replace(i, i+1, "&amp;")
		return i + 1
	}
	name := string(src[i+1 : end])
	if name[0] == '#' {
		v, ok := charRef(name[1:])
		switch {
		case !ok:
			r.n.badCharRefs++
			r.replace(i, end+1, "")
		case c1ToCP1252(v) != 0:
			r.n.c1Refs++
			r.replace(i, end+1, string(c1ToCP1252(v)))
		case name[1] == 'X':
			r.n.upperHexRefs++
			r.replace(i+2, i+3, "x")
		}
		return end + 1
	}
	switch name {
	case "amp", "lt", "gt", "quot", "apos":
		return end + 1
	}
	if v, ok := r.entities[name]; ok {
		r.replace(i, end+1, escapeText(v))
		return end + 1
	}
	if v, ok := htmlEntity(name); ok {
		r.n.htmlEntities++
		r.replace(i, end+1, escapeText(v))
		return end + 1
	}
	r.n.strayAmp++
	r.replace(i, i+1, "&amp;")
	return i + 1
}

func isRefByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '#' || c == '_' || c == '-' || c == '.' || c == ':'
}

// charRef decodes "123" or "x1F" and reports whether it names a character
// XML allows.
func charRef(ref string) (rune, bool) {
	base := 10
	if len(ref) > 0 && (ref[0] == 'x' || ref[0] == 'X') {
		base, ref = 16, ref[1:]
	}
	if ref == "" || len(ref) > 8 {
		return 0, false
	}
	v := 0
	for _, c := range []byte(ref) {
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = int(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = int(c-'A') + 10
		default:
			return 0, false
		}
		v = v*base + d
	}
	return rune(v), xmlChar(rune(v))
}

func xmlChar(c rune) bool {
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
		(c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF)
}

// htmlEntity resolves an HTML named character reference (the HTML5 set, as
// the standard library knows it). A name that only has a known entity as a
// prefix ("&notit;") is not one.
func htmlEntity(name string) (string, bool) {
	switch name {
	// XML documents that use HTML's entities take them from XHTML 1.0's
	// entity sets, where these two are U+2329/U+232A (HTML5 moved them).
	case "lang":
		return "\u2329", true
	case "rang":
		return "\u232A", true
	}
	ref := "&" + name + ";"
	v := html.UnescapeString(ref)
	if v == ref || (strings.HasSuffix(v, ";") && v != ";") {
		return "", false
	}
	return v, true
}

// escapeText escapes a replacement so that it reads as the characters it
// stands for.
func escapeText(s string) string {
	if !strings.ContainsAny(s, `<&>"`) {
		return s
	}
	s = strings.ReplaceAll(s, "&", "&amp;")
	s = strings.ReplaceAll(s, "<", "&lt;")
	s = strings.ReplaceAll(s, ">", "&gt;")
	return strings.ReplaceAll(s, `"`, "&quot;")
}

// markup handles '<' at i and returns the index after the construct.
func (r *repairer) markup(i int) int {
	src := r.src
	rest := src[i:]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return r.section(i, "<!--", "-->")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return r.section(i, "<![CDATA[", "]]>")
	case bytes.HasPrefix(rest, []byte("<!")):
		return r.doctype(i)
	case bytes.HasPrefix(rest, []byte("<?")):
		end := bytes.Index(rest, []byte("?>"))
		if end < 0 {
			r.n.truncatedTag++
			r.replace(i, len(src), "")
			return len(src)
		}
		return i + end + 2
	case len(rest) > 1 && rest[1] == '/':
		return r.endTag(i)
	case len(rest) > 1 && nameStart(rest[1:]):
		return r.startTag(i)
	}
	if r.rootDone {
		r.replace(i, i+1, "") // text after the root is dropped
		return i + 1
	}
	r.n.strayLT++
	r.replace(i, i+1, "&lt;")
	return i + 1
}

// section skips a comment or CDATA section, closing it at the end of a
// truncated document.
func (r *repairer) section(i int, open, closer string) int {
	body := r.src[i+len(open):]
	end := bytes.Index(body, []byte(closer))
	if end < 0 {
		r.n.truncatedSect++
		r.replace(len(r.src), len(r.src), closer)
		return len(r.src)
	}
	return i + len(open) + end + len(closer)
}

// doctype skips a <!DOCTYPE ...> declaration, with its internal subset, and
// records the internal general entities whose values are plain text (no
// references, so expansion can never amplify).
func (r *repairer) doctype(i int) int {
	src := r.src
	depth := 0
	for k := i + 2; k < len(src); k++ {
		switch src[k] {
		case '[':
			depth++
		case ']':
			depth--
		case '>':
			if depth <= 0 {
				r.internalEntities(src[i:k])
				return k + 1
			}
		}
	}
	r.n.truncatedTag++
	r.replace(i, len(src), "")
	return len(src)
}

func (r *repairer) internalEntities(decl []byte) {
	for {
		k := bytes.Index(decl, []byte("<!ENTITY"))
		if k < 0 {
			return
		}
		decl = decl[k+len("<!ENTITY"):]
		// A declaration is short: look at a bounded window so that many
		// declarations cost linear time.
		window := decl[:min(len(decl), 1024)]
		if end := bytes.IndexByte(window, '>'); end >= 0 {
			window = window[:end]
		}
		fields := bytes.Fields(window)
		if len(fields) < 2 || string(fields[0]) == "%" {
			continue
		}
		name := string(fields[0])
		rest := bytes.TrimLeft(window, " \t\r\n")[len(name):]
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			continue
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			continue
		}
		value := string(rest[1 : 1+end])
		if strings.ContainsAny(value, "&%<") {
			continue
		}
		if r.entities == nil {
			r.entities = map[string]string{}
		}
		r.entities[name] = value
	}
}

// voidHTML reports HTML elements that never have content and that outlets
// paste into unescaped descriptions without closing. Names that are also feed
// elements (link, source) are not among them.
func voidHTML(name string) bool {
	switch strings.ToLower(name) {
	case "br", "hr", "img", "wbr", "input", "area", "col", "basefont":
		return true
	}
	return false
}

// closesNext reports whether rest starts with the end tag of name.
func closesNext(rest []byte, name string) bool {
	return len(rest) >= len(name)+3 && rest[0] == '<' && rest[1] == '/' &&
		strings.EqualFold(string(rest[2:2+len(name)]), name) &&
		(rest[2+len(name)] == '>' || rest[2+len(name)] == ' ')
}

func nameStart(b []byte) bool {
	c := b[0]
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' {
		return true
	}
	if c < 0x80 {
		return false
	}
	ru, _ := utf8.DecodeRune(b)
	return ru != utf8.RuneError && ru >= 0xC0
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == ':' || c == '-' || c == '.' || c >= 0x80
}

// startTag checks a start tag's attributes and pushes its name.
func (r *repairer) startTag(i int) int {
	src := r.src
	k := i + 1
	for k < len(src) && nameByte(src[k]) {
		k++
	}
	name := string(src[i+1 : k])
	cp := r.checkpoint()
	if r.rootDone {
		// A second root element: drop it and everything after it.
		r.n.multipleRoots++
		r.replace(i, len(src), "")
		return len(src)
	}
	for k < len(src) {
		c := src[k]
		switch {
		case c == '>':
			if voidHTML(name) && !closesNext(src[k+1:], name) {
				// HTML's <br> inside an unescaped description: make it
				// self-closing rather than let it swallow what follows.
				r.n.voidElements++
				r.replace(k, k+1, "/>")
				return k + 1
			}
			r.onStart(name, src[i:k], false, k+1)
			r.stack = append(r.stack, name)
			return k + 1
		case c == '/' && k+1 < len(src) && src[k+1] == '>':
			r.onStart(name, src[i:k], true, k+2)
			if len(r.stack) == 0 {
				r.rootDone = true
			}
			return k + 2
		case c == '"' || c == '\'':
			k = r.attrValue(k)
			if k < 0 {
				r.dropFrom(cp, i)
				return len(src)
			}
		case c == '<':
			// A tag cut short ("<a href=x <b>"): close it here.
			r.n.truncatedTag++
			r.replace(k, k, ">")
			r.onStart(name, src[i:k], false, k)
			r.stack = append(r.stack, name)
			return k
		default:
			k++
		}
	}
	r.dropFrom(cp, i)
	return len(src)
}

// attrValue checks a quoted attribute value starting at the quote q and
// returns the index after its closing quote, or -1 if it never closes.
func (r *repairer) attrValue(q int) int {
	src := r.src
	quote := src[q]
	k := q + 1
	for k < len(src) {
		switch src[k] {
		case quote:
			return k + 1
		case '&':
			k = r.reference(k, true)
		case '<':
			r.n.attrLT++
			r.replace(k, k+1, "&lt;")
			k++
		default:
			k++
		}
	}
	return -1
}

// endTag pops the element it closes, closing any elements left open inside it;
// an end tag matching no open element is dropped.
func (r *repairer) endTag(i int) int {
	src := r.src
	k := i + 2
	for k < len(src) && nameByte(src[k]) {
		k++
	}
	name := string(src[i+2 : k])
	gt := bytes.IndexByte(src[k:], '>')
	if gt < 0 {
		r.n.truncatedTag++
		r.replace(i, len(src), "")
		return len(src)
	}
	end := k + gt + 1
	depth := -1
	for d := len(r.stack) - 1; d >= 0; d-- {
		if r.stack[d] == name {
			depth = d
			break
		}
	}
	if depth >= 0 {
		r.onEnd(depth, i)
	}
	switch {
	case depth < 0:
		r.n.strayEnd++
		r.replace(i, end, "")
	case depth < len(r.stack)-1:
		r.n.mismatched++
		var b strings.Builder
		for d := len(r.stack) - 1; d > depth; d-- {
			b.WriteString("</" + r.stack[d] + ">")
		}
		r.replace(i, i, b.String())
		r.stack = r.stack[:depth]
	default:
		r.stack = r.stack[:depth]
	}
	if len(r.stack) == 0 {
		r.rootDone = true
	}
	return end
}
