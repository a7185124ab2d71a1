package normalize

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// unit is one paragraph of content: a run of inline nodes (text and inline
// elements) inside one block container, ended by a block element or <br>.
// Boilerplate rules, deduplication and the plain text all work on units.
type unit struct {
	nodes []*html.Node // siblings under one parent, in order (incl. a trailing <br>)
	text  string       // plain text, white space folded
	key   string       // Key(text), once computed
}

// skipElements are removed with their content before anything else: they are
// never article text and never safe to republish.
var skipElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Frame: true, atom.Frameset: true,
	atom.Embed: true, atom.Applet: true, atom.Param: true, atom.Form: true, atom.Button: true,
	atom.Input: true, atom.Select: true, atom.Textarea: true, atom.Svg: true, atom.Math: true,
	atom.Canvas: true, atom.Head: true, atom.Title: true, atom.Meta: true, atom.Link: true,
	atom.Base: true, atom.Nav: true, atom.Dialog: true,
}

// maxReparses bounds how many raw-text elements one item may re-parse.
const maxReparses = 8

// unwrapElements are removed but their content is kept: fallback content
// (<object>, <noscript> images of lazy-loading pages) and what follows a
// self-closed <iframe/>, which HTML parses as the iframe's text.
var unwrapElements = map[atom.Atom]bool{
	atom.Object: true, atom.Noscript: true, atom.Iframe: true, atom.Noembed: true, atom.Noframes: true,
}

// blockElements start a new paragraph; every other element (known inline
// ones, obsolete ones such as <blink>, custom ones) continues it.
var blockElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Caption: true,
	atom.Center: true, atom.Dd: true, atom.Details: true, atom.Dir: true, atom.Div: true, atom.Dl: true,
	atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true, atom.Footer: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hgroup: true, atom.Hr: true, atom.Legend: true, atom.Li: true, atom.Listing: true,
	atom.Main: true, atom.Menu: true, atom.Ol: true, atom.P: true, atom.Plaintext: true, atom.Pre: true,
	atom.Section: true, atom.Summary: true, atom.Table: true, atom.Tbody: true, atom.Td: true,
	atom.Tfoot: true, atom.Th: true, atom.Thead: true, atom.Tr: true, atom.Ul: true, atom.Xmp: true,
	atom.Body: true, atom.Html: true, atom.Video: true, atom.Audio: true,
}

func isInline(a atom.Atom) bool { return !blockElements[a] }

var htmlTagRE = regexp.MustCompile(`(?i)<(/?(p|br|div|a|img|span|b|i|em|strong|h[1-6]|ul|ol|li|figure|figcaption|blockquote|table|tr|td|section|article|iframe|script|style|pre|hr|font|small|sup|sub|picture|video|audio)\b|!--)`)

// parseContent parses an HTML fragment (or plain text, whose lines become
// paragraphs) into a detached <body> element.
func parseContent(s string) *html.Node {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	if !htmlTagRE.MatchString(s) {
		// Plain text: each non-empty line is a paragraph. Entities are still
		// decoded by the HTML parser; "<" not starting a tag stays text.
		if !strings.ContainsAny(s, "<&\r\x00") {
			// Nothing the HTML parser would read as markup, a character
			// reference or a line end to normalise: build the paragraphs
			// it would build.
			for line := range strings.SplitSeq(s, "\n") {
				if strings.TrimSpace(line) == "" {
					continue
				}
				p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
				p.AppendChild(&html.Node{Type: html.TextNode, Data: line})
				body.AppendChild(p)
			}
			return body
		}
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
	// Scripting off: <noscript> content is parsed as markup (lazy-loaded
	// images keep their real <img> there).
	nodes, err := html.ParseFragmentWithOptions(strings.NewReader(s), body, html.ParseOptionEnableScripting(false))
	if err != nil {
		// The parser refuses pathological documents (elements nested
		// hundreds deep): keep their text as one paragraph.
		p := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
		p.AppendChild(&html.Node{Type: html.TextNode, Data: tokenText(s)})
		body.AppendChild(p)
		return body
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	return body
}

// tokenText returns the text tokens of s, without the content of script and
// style elements.
func tokenText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "script" || string(name) == "style" {
				skip++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); (string(name) == "script" || string(name) == "style") && skip > 0 {
				skip--
			}
		}
	}
}

// prepareTree removes dangerous and non-content elements, tracking pixels and
// comments; makes links and images absolute against base; marks links
// rel="nofollow noopener"; and returns the canonical URL hint of a
// <link rel="canonical"> in the content, if any.
func prepareTree(root *html.Node, base *url.URL, trackerHosts []string) (canonical string) {
	var seenImg map[string]bool // a lazy-loaded image and its <noscript> copy appear once
	reparses := 0
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
				if unwrapElements[c.DataAtom] {
					reparse := reparses < maxReparses
					if reparse {
						reparses++
					}
					next = unwrap(n, c, reparse)
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
					if src == "" || isTrackingPixel(c, src, trackerHosts) || seenImg[src] {
						n.RemoveChild(c)
						break
					}
					if seenImg == nil {
						seenImg = make(map[string]bool)
					}
					seenImg[src] = true
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

// unwrap replaces element c (a child of parent) by its children and returns
// the node to continue with. The text content of raw-text elements
// (<iframe>, <noembed>) is parsed as HTML first, so the content of a
// self-closed <iframe/> is recovered, and then sanitised like any other.
// At most maxReparses raw texts are parsed per item (a chain of self-closed
// iframes would otherwise cost quadratic time); beyond that they are dropped.
func unwrap(parent, c *html.Node, reparse bool) *html.Node {
	if rawText := c.FirstChild != nil && c.FirstChild == c.LastChild && c.FirstChild.Type == html.TextNode && c.DataAtom != atom.Noscript && c.DataAtom != atom.Object; rawText && !reparse {
		c.RemoveChild(c.FirstChild)
	}
	if c.FirstChild != nil && c.FirstChild == c.LastChild && c.FirstChild.Type == html.TextNode && c.DataAtom != atom.Noscript && c.DataAtom != atom.Object {
		ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
		if nodes, err := html.ParseFragmentWithOptions(strings.NewReader(c.FirstChild.Data), ctx, html.ParseOptionEnableScripting(false)); err == nil {
			c.RemoveChild(c.FirstChild)
			for _, k := range nodes {
				// Stray end tags in the raw text ("</p>") parse as empty
				// elements: leave those out.
				if k.Type == html.ElementNode && k.DataAtom != atom.Img && k.DataAtom != atom.Br && k.DataAtom != atom.Hr && !hasContent(k) {
					continue
				}
				c.AppendChild(k)
			}
		}
	}
	first := c.FirstChild
	for k := c.FirstChild; k != nil; {
		next := k.NextSibling
		c.RemoveChild(k)
		parent.InsertBefore(k, c)
		k = next
	}
	after := c.NextSibling
	parent.RemoveChild(c)
	if first != nil {
		return first
	}
	return after
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
	var slab []unit      // the units, allocated a chunk at a time
	var all []*html.Node // every unit's nodes, back to back
	start := 0           // where the current run begins in all
	flush := func() {
		run := all[start:len(all):len(all)]
		start = len(all)
		if len(run) == 0 {
			return
		}
		var t string
		if len(run) == 1 && run[0].Type == html.TextNode {
			t = run[0].Data
		} else {
			var b strings.Builder
			for _, n := range run {
				appendText(&b, n)
			}
			t = b.String()
		}
		if t = cleanLine(t); t != "" {
			if len(slab) == cap(slab) {
				slab = make([]unit, 0, max(8, 2*cap(slab)))
			}
			slab = append(slab, unit{nodes: run, text: t})
			units = append(units, &slab[len(slab)-1])
		}
	}
	blocky := blockContainers(root)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				all = append(all, c)
			case c.Type != html.ElementNode:
			case c.DataAtom == atom.Br:
				all = append(all, c)
				flush()
			case isInline(c.DataAtom) && !blocky[c]:
				all = append(all, c)
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

// blockContainers returns the inline elements that hold a block element or
// a <br> somewhere below them (<a><p>…</p></a>): they are walked into like
// blocks. One bottom-up pass, so deep nesting stays linear.
func blockContainers(root *html.Node) map[*html.Node]bool {
	var out map[*html.Node]bool       // allocated for the first one
	var visit func(n *html.Node) bool // reports whether n is or holds a block
	visit = func(n *html.Node) bool {
		holds := false
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && visit(c) {
				holds = true
			}
		}
		if holds && isInline(n.DataAtom) {
			if out == nil {
				out = make(map[*html.Node]bool)
			}
			out[n] = true
		}
		return holds || n.Type == html.ElementNode && (n.DataAtom == atom.Br || !isInline(n.DataAtom))
	}
	visit(root)
	return out
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

// renderChildren renders the children of n; sizeHint is the expected size.
func renderChildren(n *html.Node, sizeHint int) string {
	var b strings.Builder
	b.Grow(sizeHint + sizeHint/8)
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

// clipHTML cuts an item's raw HTML (or text) to at most max bytes before it
// is parsed (see cutRawHTML) and cleans it (cleanString); cut reports
// whether anything was cut. The cut comes first, so that a huge field costs
// no more than max bytes of work; cleaning may lengthen what is left
// (invalid bytes become U+FFFD), so the result is cut again if need be.
func clipHTML(s string, max int) (out string, cut bool) {
	if len(s) > max {
		s, cut = cutRawHTML(s, max), true
	}
	s = cleanString(s)
	if len(s) > max {
		s, cut = cutRawHTML(s, max), true
	}
	return s, cut
}

// cutRawHTML returns s cut to at most max bytes: on a rune boundary, never
// inside a tag, and preferably just after the end of a block element or a
// <br> (in plain text, at a line end) in the second half of what fits,
// else at white space there. The HTML parser closes the elements the cut
// leaves open, so what is made of the result is well-formed.
func cutRawHTML(s string, max int) string {
	if len(s) <= max {
		return s
	}
	head := s[:runeFloor(s, max)]
	if lt := strings.LastIndexByte(head, '<'); lt > strings.LastIndexByte(head, '>') {
		head = head[:lt] // a tag the cut would split
	}
	half := len(head) / 2
	if i := lastBlockEnd(head, half); i >= 0 {
		return head[:i]
	}
	if i := strings.LastIndexAny(head, " \t\n\r"); i >= half {
		return head[:i]
	}
	return head
}

// lastBlockEnd returns the offset just after the last end tag of a block
// element or <br> in s that ends at or after from; where s is plain text
// (no tag parseContent would see), just after its last line end at or
// after from. -1 if there is none.
func lastBlockEnd(s string, from int) int {
	// Only a short tag ("</blockquote>", "<br />") counts, so each '>'
	// costs a bounded look back.
	const maxTag = 16
	for i := len(s) - 1; i >= from; i-- {
		if s[i] != '>' {
			continue
		}
		lt := strings.LastIndexByte(s[max(0, i-maxTag):i], '<')
		if lt < 0 {
			continue
		}
		tag := s[max(0, i-maxTag)+lt+1 : i]
		end := strings.HasPrefix(tag, "/")
		tag = strings.TrimPrefix(tag, "/")
		if j := strings.IndexAny(tag, " \t\n\r/"); j >= 0 {
			tag = tag[:j]
		}
		a := atom.Lookup([]byte(strings.ToLower(tag)))
		if a == atom.Br || end && blockElements[a] {
			return i + 1
		}
	}
	if !htmlTagRE.MatchString(s) {
		if i := strings.LastIndexByte(s, '\n'); i >= from {
			return i + 1
		}
	}
	return -1
}

// voidElements are the HTML elements without an end tag.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true, "input": true,
	"keygen": true, "link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// truncateHTML cuts s, sanitised HTML, to at most max bytes and keeps it
// well-formed: it keeps whole tokens up to the last point where they and
// the end tags of the elements still open there fit, preferably just after
// the end of a block element (or a <br>) in the second half, else with the
// text that fits of the first text that does not (cut at a word boundary,
// on a rune boundary, never inside a character reference); then it closes
// the elements left open.
func truncateHTML(s string, max int) string {
	if len(s) <= max {
		return s
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string // names of the elements open at pos
	closing, pos := 0, 0
	fit, block := 0, -1 // the last cut that fits, and the last after a block end
	closeTo := func(name string) {
		for k := len(open) - 1; k >= 0; k-- {
			if open[k] == name {
				for _, o := range open[k:] {
					closing -= len(o) + 3
				}
				open = open[:k]
				return
			}
		}
	}
scan:
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		next := pos + len(raw)
		blockEnd := false
		switch tt {
		case html.StartTagToken:
			name, _ := z.TagName()
			if n := string(name); !voidElements[n] {
				open = append(open, n)
				closing += len(n) + 3
			} else {
				blockEnd = n == "br"
			}
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			blockEnd = string(name) == "br"
		case html.EndTagToken:
			name, _ := z.TagName()
			closeTo(string(name))
			blockEnd = blockElements[atom.Lookup(name)]
		case html.TextToken:
			if room := max - closing - pos; next+closing > max && room > 0 {
				fit = pos + cutText(string(raw), room)
				break scan
			}
		}
		if next+closing > max {
			break
		}
		pos, fit = next, next
		if blockEnd {
			block = next
		}
	}
	cut := fit
	if block >= max/2 {
		cut = block
	}
	// The elements open at the cut, closed in reverse order.
	head := strings.TrimRightFunc(s[:cut], unicode.IsSpace)
	open = open[:0]
	z = html.NewTokenizer(strings.NewReader(head))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		name, _ := z.TagName()
		switch n := string(name); {
		case tt == html.StartTagToken && !voidElements[n]:
			open = append(open, n)
		case tt == html.EndTagToken:
			closeTo(n)
		}
	}
	var b strings.Builder
	b.Grow(cut + 64)
	b.WriteString(head)
	for k := len(open) - 1; k >= 0; k-- {
		b.WriteString("</" + open[k] + ">")
	}
	return b.String()
}

// cutText returns the length of the longest prefix of raw, the source of an
// HTML text token, that fits in room bytes and ends at a word boundary (in
// its second half; else at a rune boundary), outside a character
// reference.
func cutText(raw string, room int) int {
	c := runeFloor(raw, room)
	if i := strings.LastIndexAny(raw[:c], " \t\n\r"); i >= c/2 {
		c = i
	}
	if amp := strings.LastIndexByte(raw[:c], '&'); amp >= 0 && !strings.Contains(raw[amp:c], ";") {
		c = amp
	}
	return c
}
