package parser

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"
)

const (
	atom03Namespace = "http://purl.org/atom/ns#"
	xhtmlNamespace  = "http://www.w3.org/1999/xhtml"
)

// atom03TextConstruct reports the Atom 0.3 elements whose content is
// governed by type and mode attributes.
func atom03TextConstruct(name string) bool {
	switch name {
	case "title", "tagline", "copyright", "info", "summary", "content":
		return true
	}
	return false
}

// isAtom03 reports whether a well-formed document's root is an Atom 0.3 feed.
func isAtom03(doc []byte) bool {
	head := doc[:min(len(doc), 4096)]
	i := bytes.Index(head, []byte("<feed"))
	if i < 0 {
		return false
	}
	tag := head[i:]
	if end := bytes.IndexByte(tag, '>'); end >= 0 {
		tag = tag[:end]
	}
	return bytes.Contains(tag, []byte(atom03Namespace)) || bytes.Contains(tag, []byte(`version="0.3"`))
}

// rewriteAtom03 restates Atom 0.3 text constructs in the one form gofeed
// reads faithfully: escaped text with type text/html or text/plain. Atom 0.3
// allows mode="base64" (which gofeed leaves encoded for text types) and
// mode="xml" inline markup, whose outer <div> is content in 0.3 (gofeed
// strips it, as Atom 1.0 requires for type="xhtml"). Relative URLs in the
// markup are resolved against the xml:base in scope, which gofeed does not do
// for text/html. It returns doc unchanged when there is nothing to rewrite or
// the document cannot be tokenized.
func rewriteAtom03(doc []byte) []byte {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	var out bytes.Buffer
	last := int64(0)
	var bases []*url.URL // xml:base in scope, per open element
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) && out.Len() > 0 {
				out.Write(doc[last:])
				return out.Bytes()
			}
			return doc
		}
		switch t := tok.(type) {
		case xml.StartElement:
			base := currentBase(bases)
			for _, a := range t.Attr {
				if a.Name.Space == "xml" && a.Name.Local == "base" {
					if u, err := url.Parse(strings.TrimSpace(a.Value)); err == nil {
						if base != nil {
							u = base.ResolveReference(u)
						}
						base = u
					}
				}
			}
			if t.Name.Space != "" || !atom03TextConstruct(t.Name.Local) || len(bases) < 1 {
				bases = append(bases, base)
				continue
			}
			value, markup, err := atom03Value(d, t, base)
			if err != nil {
				return doc
			}
			out.Write(doc[last:start])
			writeEscapedElement(&out, t, value, markup)
			last = d.InputOffset()
		case xml.EndElement:
			if len(bases) > 0 {
				bases = bases[:len(bases)-1]
			}
		}
	}
}

func currentBase(bases []*url.URL) *url.URL {
	if len(bases) == 0 {
		return nil
	}
	return bases[len(bases)-1]
}

// atom03Value reads a text construct's content (the decoder is just past its
// start tag) and returns its value and whether it is markup.
func atom03Value(d *xml.Decoder, start xml.StartElement, base *url.URL) (string, bool, error) {
	var typ, mode string
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "type":
			typ = strings.ToLower(strings.TrimSpace(a.Value))
		case "mode":
			mode = strings.ToLower(strings.TrimSpace(a.Value))
		}
	}
	markup := strings.Contains(typ, "html") || strings.Contains(typ, "xml")
	if mode == "" {
		mode = "xml"
	}
	if mode != "xml" {
		text, err := innerText(d)
		if err != nil {
			return "", false, err
		}
		if mode == "base64" {
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
			if err == nil {
				// It goes back into the document: keep it valid XML text.
				text = xmlSafe(string(b))
			}
		}
		if markup && base != nil {
			text = resolveHTMLURLs(text, base)
		}
		return text, markup, nil
	}
	var b, text strings.Builder
	sawElement, err := serializeInline(d, &b, &text, base)
	if err != nil {
		return "", false, err
	}
	if !markup && !sawElement {
		return text.String(), false, nil
	}
	// Markup, declared or not ("<title>Example <b>Atom</b></title>").
	return strings.TrimSpace(b.String()), true, nil
}

// innerText concatenates the character data up to the end of the current
// element.
func innerText(d *xml.Decoder) (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil
			}
			depth--
		}
	}
}

// serializeInline writes inline XHTML up to the end of the current element
// as HTML markup: no XHTML namespace declarations, void elements
// self-closed, text minimally escaped, relative URLs resolved.
// It also collects the plain text and reports whether there were elements.
func serializeInline(d *xml.Decoder, b, text *strings.Builder, base *url.URL) (bool, error) {
	depth := 0
	sawElement := false
	var pending string // a start tag not yet closed with '>'
	flush := func() {
		if pending != "" {
			b.WriteString(pending + ">")
			pending = ""
		}
	}
	for {
		tok, err := d.RawToken()
		if err != nil {
			return false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			depth++
			sawElement = true
			var tag strings.Builder
			tag.WriteString("<" + qname(t.Name))
			for _, a := range t.Attr {
				if a.Name.Space == "" && a.Name.Local == "xmlns" && a.Value == xhtmlNamespace {
					continue
				}
				v := a.Value
				if base != nil && urlAttr(qname(a.Name)) {
					v = resolveURL(base, v)
				}
				tag.WriteString(" " + qname(a.Name) + `="` + escapeAttr(v) + `"`)
			}
			pending = tag.String()
		case xml.EndElement:
			if depth == 0 {
				flush()
				return sawElement, nil
			}
			depth--
			if pending != "" && voidHTML(t.Name.Local) {
				b.WriteString(pending + " />")
				pending = ""
				continue
			}
			flush()
			b.WriteString("</" + qname(t.Name) + ">")
		case xml.CharData:
			flush()
			b.WriteString(escapeHTMLText(string(t)))
			text.Write(t)
		}
	}
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func escapeHTMLText(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	s = strings.ReplaceAll(s, "&", "&amp;")
	s = strings.ReplaceAll(s, "<", "&lt;")
	return strings.ReplaceAll(s, ">", "&gt;")
}

func escapeAttr(s string) string {
	return strings.ReplaceAll(escapeHTMLText(s), `"`, "&quot;")
}

// writeEscapedElement writes a text construct as escaped text with its value.
func writeEscapedElement(out *bytes.Buffer, start xml.StartElement, value string, markup bool) {
	typ := "text/plain"
	if markup {
		typ = "text/html"
	}
	out.WriteString("<" + qname(start.Name) + ` type="` + typ + `" mode="escaped"`)
	for _, a := range start.Attr {
		if a.Name.Space == "" && (a.Name.Local == "type" || a.Name.Local == "mode") {
			continue
		}
		out.WriteString(" " + qname(a.Name) + `="` + escapeAttr(a.Value) + `"`)
	}
	out.WriteString(">" + escapeHTMLText(value) + "</" + qname(start.Name) + ">")
}
