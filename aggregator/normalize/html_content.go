package normalize

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// unit is one paragraph of content: a run of inline nodes (text and inline
// elements) inside one block container, ended by a block element or <br>.
// Boilerplate rules, deduplication and the plain text all work on units.
type unit struct {
	nodes []*html.Node // siblings under one parent, in order (incl. a trailing <br>)
	text  string       // plain text, white space folded
}

// skipElements are removed with their content before anything else: they are
// never article text and never safe to republish.
var skipElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Iframe: true,
	atom.Frame: true, atom.Frameset: true, atom.Object: true, atom.Embed: true, atom.Applet: true,
	atom.Form: true, atom.Button: true, atom.Input: true, atom.Select: true, atom.Textarea: true,
	atom.Svg: true, atom.Math: true, atom.Canvas: true, atom.Head: true, atom.Title: true,
	atom.Meta: true, atom.Link: true, atom.Base: true, atom.Nav: true, atom.Dialog: true,
}

// inlineElements continue a paragraph; every other element starts a new one.
var inlineElements = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.Acronym: true, atom.B: true, atom.Bdi: true, atom.Bdo: true,
	atom.Big: true, atom.Cite: true, atom.Code: true, atom.Data: true, atom.Del: true, atom.Dfn: true,
	atom.Em: true, atom.Font: true, atom.I: true, atom.Img: true, atom.Ins: true, atom.Kbd: true,
	atom.Label: true, atom.Mark: true, atom.Q: true, atom.S: true, atom.Samp: true, atom.Small: true,
	atom.Span: true, atom.Strike: true, atom.Strong: true, atom.Sub: true, atom.Sup: true,
	atom.Time: true, atom.Tt: true, atom.U: true, atom.Var: true, atom.Wbr: true, atom.Picture: true,
	atom.Source: true,
}

var htmlTagRE = regexp.MustCompile(`(?i)<(/?(p|br|div|a|img|span|b|i|em|strong|h[1-6]|ul|ol|li|figure|figcaption|blockquote|table|tr|td|section|article|iframe|script|style|pre|hr|font|small|sup|sub|picture|video|audio)\b|!--)`)

// parseContent parses an HTML fragment (or plain text, whose lines become
// paragraphs) into a detached <body> element.
func parseContent(s string) *html.Node {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	if !htmlTagRE.MatchString(s) {
		// Plain text: each non-empty line is a paragraph. Entities are still
		// decoded by the HTML parser; "<" not starting a tag stays text.
		var b strings.Builder
		for _, line := range strings.Split(s, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			b.WriteString("<p>")
			b.WriteString(line)
			b.WriteString("</p>")
		}
		s = b.String()
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		// The tokenizer only fails on reader errors; strings.Reader has none.
		return body
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	return body
}

// prepareTree removes dangerous and non-content elements, tracking pixels and
// comments; makes links and images absolute against base; marks links
// rel="nofollow noopener"; and returns the canonical URL hint of a
// <link rel="canonical"> in the content, if any.
func prepareTree(root *html.Node, base *url.URL, trackerHosts []string) (canonical string) {
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			switch c.Type {
			case html.CommentNode, html.DoctypeNode, html.RawNode, html.ErrorNode:
				n.RemoveChild(c)
			case html.ElementNode:
				if c.DataAtom == atom.Link && canonical == "" && hasToken(attr(c, "rel"), "canonical") {
					canonical = absoluteURL(attr(c, "href"), base)
				}
				if skipElements[c.DataAtom] || c.DataAtom == 0 && strings.Contains(c.Data, ":") {
					n.RemoveChild(c)
					break
				}
				switch c.DataAtom {
				case atom.A:
					if h := absoluteURL(attr(c, "href"), base); h != "" {
						setAttr(c, "href", h)
						setAttr(c, "rel", "nofollow noopener")
					} else {
						delAttr(c, "href")
						delAttr(c, "rel")
					}
				case atom.Img:
					src := attr(c, "src")
					if src == "" {
						src = attr(c, "data-src")
					}
					src = absoluteURL(src, base)
					if src == "" || isTrackingPixel(c, src, trackerHosts) {
						n.RemoveChild(c)
						break
					}
					setAttr(c, "src", src)
					delAttr(c, "srcset")
				case atom.Blockquote, atom.Q, atom.Del, atom.Ins:
					if ci := absoluteURL(attr(c, "cite"), base); ci != "" {
						setAttr(c, "cite", ci)
					} else {
						delAttr(c, "cite")
					}
				}
				walk(c)
			}
			c = next
		}
	}
	walk(root)
	return canonical
}

// isTrackingPixel reports whether an image is a tracker: 1×1 (or smaller)
// images and images served from a known tracker host.
func isTrackingPixel(img *html.Node, src string, trackerHosts []string) bool {
	w, h := attr(img, "width"), attr(img, "height")
	if tiny(w) && (tiny(h) || h == "") || tiny(h) && w == "" {
		return true
	}
	u, err := url.Parse(src)
	if err != nil {
		return true
	}
	return hostMatches(u.Hostname(), trackerHosts)
}

func tiny(dim string) bool {
	dim = strings.TrimSuffix(strings.TrimSpace(dim), "px")
	n, err := strconv.Atoi(dim)
	return err == nil && n <= 2
}

// hostMatches reports whether host is one of hosts or a subdomain of one.
func hostMatches(host string, hosts []string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range hosts {
		h = strings.ToLower(h)
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// collectUnits splits the tree into paragraphs in document order.
func collectUnits(root *html.Node) []*unit {
	var units []*unit
	var run []*html.Node
	flush := func() {
		if len(run) == 0 {
			return
		}
		var b strings.Builder
		for _, n := range run {
			appendText(&b, n)
		}
		if t := foldSpace(cleanString(b.String())); t != "" {
			units = append(units, &unit{nodes: run, text: t})
		}
		run = nil
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				run = append(run, c)
			case c.Type != html.ElementNode:
			case c.DataAtom == atom.Br:
				run = append(run, c)
				flush()
			case inlineElements[c.DataAtom] && !hasBlockDescendant(c):
				run = append(run, c)
			default:
				flush()
				walk(c)
				flush()
			}
		}
	}
	walk(root)
	flush()
	return units
}

func hasBlockDescendant(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == atom.Br || !inlineElements[c.DataAtom] || hasBlockDescendant(c)) {
			return true
		}
	}
	return false
}

func appendText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(n.Data)
	case html.ElementNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			appendText(b, c)
		}
	}
}

// textNodes returns the text nodes of a unit in order.
func (u *unit) textNodes() []*html.Node {
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			out = append(out, n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range u.nodes {
		walk(n)
	}
	return out
}

// remove detaches a unit's nodes and prunes ancestors left empty.
func (u *unit) remove() {
	for _, n := range u.nodes {
		if p := n.Parent; p != nil {
			p.RemoveChild(n)
			pruneEmpty(p)
		}
	}
}

// removeFollowing detaches everything after n in document order.
func removeFollowing(n *html.Node) {
	for cur := n; cur != nil && cur.Parent != nil; cur = cur.Parent {
		for s := cur.NextSibling; s != nil; {
			next := s.NextSibling
			cur.Parent.RemoveChild(s)
			s = next
		}
		if cur.Parent.DataAtom == atom.Body && cur.Parent.Parent == nil {
			break
		}
	}
}

// pruneEmpty removes n, and then its ancestors, while they hold no text and
// no image.
func pruneEmpty(n *html.Node) {
	for n != nil && n.Type == html.ElementNode && n.Parent != nil && !hasContent(n) {
		p := n.Parent
		p.RemoveChild(n)
		n = p
	}
}

func hasContent(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				return true
			}
		case html.ElementNode:
			if c.DataAtom == atom.Img || c.DataAtom == atom.Hr || hasContent(c) {
				return true
			}
		}
	}
	return false
}

// firstImage returns the src of the first <img> left in the tree.
func firstImage(n *html.Node) string {
	if n.Type == html.ElementNode && n.DataAtom == atom.Img {
		return attr(n, "src")
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if s := firstImage(c); s != "" {
			return s
		}
	}
	return ""
}

func renderChildren(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		_ = html.Render(&b, c) // strings.Builder never fails
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func delAttr(n *html.Node, key string) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if !strings.EqualFold(a.Key, key) {
			out = append(out, a)
		}
	}
	n.Attr = out
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
