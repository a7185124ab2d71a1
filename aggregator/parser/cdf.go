package parser

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// isCDF reports whether the root element is Microsoft's Channel Definition
// Format <CHANNEL>, the push-channel format of 1997 that feedparser reads.
func isCDF(doc []byte) bool {
	tag, _, ok := rootTag(doc)
	return ok && strings.EqualFold(rootName(tag), "channel")
}

// cdfToAtom restates a CDF document as Atom 1.0 so that gofeed can read it:
// CHANNEL and ITEM become feed and entry, their HREF and LASTMOD attributes
// link and updated, TITLE and ABSTRACT title and summary.
func cdfToAtom(doc []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	var out strings.Builder
	out.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom">`)
	var stack []string
	var text strings.Builder
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			stack = append(stack, name)
			text.Reset()
			if name != "channel" && name != "item" {
				continue
			}
			if name == "item" {
				out.WriteString("<entry>")
			}
			for _, a := range t.Attr {
				switch strings.ToLower(a.Name.Local) {
				case "href":
					out.WriteString(`<link rel="alternate" href="` + escapeAttr(a.Value) + `"/>`)
				case "lastmod":
					out.WriteString("<updated>" + escapeHTMLText(a.Value) + "</updated>")
				}
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			v := escapeHTMLText(strings.TrimSpace(text.String()))
			switch name {
			case "item":
				out.WriteString("</entry>")
			case "title":
				out.WriteString("<title>" + v + "</title>")
			case "abstract":
				if len(stack) > 0 && stack[len(stack)-1] == "item" {
					out.WriteString("<summary>" + v + "</summary>")
				} else {
					out.WriteString("<subtitle>" + v + "</subtitle>")
				}
			}
			text.Reset()
		}
	}
	out.WriteString("</feed>")
	return []byte(out.String()), nil
}
