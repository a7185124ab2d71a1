package parser

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
)

const atom10Namespace = "http://www.w3.org/2005/Atom"

// rootTag locates the root element's start tag in a well-formed document,
// skipping the prolog, comments, processing instructions and DOCTYPE. ok is
// false when there is none in the first 64 KB.
func rootTag(doc []byte) (tag []byte, start int, ok bool) {
	limit := min(len(doc), 64<<10)
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

// rootAttr returns an attribute of the root start tag ("xmlns", "xml:base").
func rootAttr(tag []byte, name string) (string, bool) {
	re := regexp.MustCompile(`\s` + regexp.QuoteMeta(name) + `\s*=\s*("([^"]*)"|'([^']*)')`)
	m := re.FindSubmatch(tag)
	if m == nil {
		return "", false
	}
	if m[2] != nil {
		return string(m[2]), true
	}
	return string(m[3]), true
}

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
	if tag, _, ok := rootTag(doc); ok {
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
