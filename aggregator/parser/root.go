package parser

import (
	"bytes"
	"net/url"
	"strings"
)

const atom10Namespace = "http://www.w3.org/2005/Atom"

// rootTag locates the root element's start tag in a well-formed document,
// skipping the prolog, comments, processing instructions and DOCTYPE. ok is
// false when there is none.
func rootTag(doc []byte) (tag []byte, start int, ok bool) {
	limit := len(doc)
	i := 0
	for i < limit {
		j := bytes.IndexByte(doc[i:limit], '<')
		if j < 0 {
			return nil, 0, false
		}
		i += j
		rest := doc[i:limit]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest, []byte("-->"))
			if end < 0 {
				return nil, 0, false
			}
			i += end + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest, []byte("?>"))
			if end < 0 {
				return nil, 0, false
			}
			i += end + 2
		case bytes.HasPrefix(rest, []byte("<!")):
			depth := 0
			k := 2
			for ; k < len(rest); k++ {
				if rest[k] == '[' {
					depth++
				} else if rest[k] == ']' {
					depth--
				} else if rest[k] == '>' && depth <= 0 {
					break
				}
			}
			i += k + 1
		default:
			end := bytes.IndexByte(rest, '>')
			if end < 0 {
				return nil, 0, false
			}
			return rest[:end+1], i, true
		}
	}
	return nil, 0, false
}

// rootAttr returns an attribute of a start tag ("xmlns", "xml:base").
func rootAttr(tag []byte, name string) (string, bool) {
	for off := 0; ; {
		i := bytes.Index(tag[off:], []byte(name))
		if i < 0 {
			return "", false
		}
		i += off
		off = i + len(name)
		if i == 0 || !isSpace(tag[i-1]) {
			continue
		}
		rest := bytes.TrimLeft(tag[off:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '=' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			continue
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return "", false
		}
		return string(rest[1 : 1+end]), true
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// rootName returns the root element's name without prefix.
func rootName(tag []byte) string {
	end := bytes.IndexAny(tag, " \t\r\n/>")
	if end < 1 {
		return ""
	}
	name := string(tag[1:end])
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// fixAtomNamespace reads a <feed> root in an unknown default namespace (a
// draft's, a typo's) as Atom: 0.3 when it says version="0.3", else 1.0.
// gofeed would otherwise treat every element as a foreign extension and lose
// them all.
func fixAtomNamespace(doc []byte) ([]byte, string) {
	tag, start, ok := rootTag(doc)
	if !ok || rootName(tag) != "feed" || bytes.HasPrefix(tag, []byte("<feed:")) {
		return doc, ""
	}
	ns, ok := rootAttr(tag, "xmlns")
	if !ok || ns == atom10Namespace || ns == atom03Namespace {
		return doc, ""
	}
	want := atom10Namespace
	if v, _ := rootAttr(tag, "version"); v == "0.3" {
		want = atom03Namespace
	}
	i := bytes.Index(tag, []byte(ns))
	if i < 0 {
		return doc, ""
	}
	out := make([]byte, 0, len(doc)+len(want))
	out = append(out, doc[:start+i]...)
	out = append(out, want...)
	out = append(out, doc[start+i+len(ns):]...)
	return out, ns
}

// documentBase is the base URL for links in the document: the root's
// xml:base resolved against the URL the document came from. Only http and
// https bases are used.
func documentBase(doc []byte, docURL string) *url.URL {
	var base *url.URL
	if u, err := url.Parse(strings.TrimSpace(docURL)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		base = u
	}
	if tag, _, ok := rootTag(doc); ok && len(doc) > 0 {
		if b, ok := rootAttr(tag, "xml:base"); ok {
			if u, err := url.Parse(strings.TrimSpace(b)); err == nil {
				if base != nil {
					u = base.ResolveReference(u)
				}
				if u.Scheme == "http" || u.Scheme == "https" {
					base = u
				}
			}
		}
	}
	return base
}

// dropLongPreamble removes what stands between the XML declaration and the
// root element (comments, a DOCTYPE whose entities the repairer has already
// expanded) when it is long enough to hide the root from gofeed's format
// detection, which reads the first 4 KB.
func dropLongPreamble(doc []byte) []byte {
	_, start, ok := rootTag(doc)
	if !ok || start < 2048 {
		return doc
	}
	prolog := []byte{}
	if ps, pe := prologBounds(doc); ps >= 0 && pe <= start {
		prolog = doc[ps:pe]
	}
	out := make([]byte, 0, len(prolog)+1+len(doc)-start)
	out = append(out, prolog...)
	out = append(out, '\n')
	return append(out, doc[start:]...)
}

// dropLeadingJunk removes what a broken server printed before the document
// (PHP warnings, a stray HTML line): everything before the XML declaration,
// or, without one, before the first feed root element. It returns doc
// itself and 0 when the document starts as it should.
func dropLeadingJunk(doc []byte) ([]byte, int) {
	s := len(doc) - len(bytes.TrimLeft(doc, " \t\r\n"))
	if bytes.HasPrefix(doc[s:], []byte("<?xml")) {
		return doc, 0
	}
	head := doc[:min(len(doc), 64<<10)]
	if i := bytes.Index(head, []byte("<?xml")); i > s {
		return doc[i:], i
	}
	lt := bytes.IndexByte(doc, '<')
	if tag, _, ok := rootTag(doc); ok && feedRoot(rootName(tag)) && lt == s {
		return doc, 0
	}
	first := -1
	for _, root := range []string{"<rss", "<feed", "<rdf:RDF", "<RDF"} {
		if i := bytes.Index(head, []byte(root)); i > s && (first < 0 || i < first) {
			first = i
		}
	}
	if first < 0 {
		return doc, 0
	}
	return doc[first:], first
}

func feedRoot(name string) bool {
	switch name {
	case "rss", "feed", "RDF", "channel", "CHANNEL":
		return true
	}
	return false
}
