package parser

import (
	"bytes"
	"html"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
)

// extras are values the repairer notices on its way through the document
// that gofeed drops or alters.
type extras struct {
	// channelAuthor is RSS's non-standard <channel><author>.
	channelAuthor string
	// atomIDs are the entries' <id> texts as written (gofeed normalises
	// them as URLs, lower-casing "HTTP:"), by entry index.
	atomIDs []string
	// rdfAbout are the rdf:about attributes of RSS 1.0 items, by index.
	rdfAbout []string
	// bodies are items' XHTML <body> contents, by item index.
	bodies map[int]string
	// atomTextLinks are entries' alternate links written as element text
	// (<link rel="alternate">http://...</link>) rather than href, by entry.
	atomTextLinks map[int]string
	// channelItems and rootItems count items under <channel> and under the
	// root (RSS 1.0); gofeed lists the channel's first.
	channelItems, rootItems int
	// itemKeys are the (root?, index) of the items in document order.
	itemKeys []itemKey
}

type itemKey struct {
	root bool
	idx  int
}

// capture is an element whose raw content is being recorded.
type capture struct {
	depth int // stack depth of the element
	start int // offset of its content in src
	kind  string
	index int
}

func localName(name string) string {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// onStart sees every start tag: it records namespace declarations, flags
// undeclared prefixes, counts items and starts captures.
func (r *repairer) onStart(name string, tag []byte, selfClosing bool, contentStart int) {
	if bytes.Contains(tag, []byte("xmlns:")) {
		if r.prefixes == nil {
			r.prefixes = map[string]bool{}
		}
		for rest := tag; ; {
			k := bytes.Index(rest, []byte("xmlns:"))
			if k < 0 {
				break
			}
			rest = rest[k+len("xmlns:"):]
			end := bytes.IndexAny(rest, "= \t\r\n")
			if end < 0 {
				break
			}
			r.prefixes[string(rest[:end])] = true
		}
	}
	if p, _, ok := strings.Cut(name, ":"); ok && p != "xml" && p != "xmlns" && !r.prefixes[p] {
		r.n.undeclaredNS++
	}

	depth := len(r.stack)
	local := localName(name)
	parent := ""
	if depth > 0 {
		parent = localName(r.stack[depth-1])
	}
	root := ""
	if depth > 0 {
		root = localName(r.stack[0])
	}
	x := &r.extras
	switch {
	case local == "item" && depth == 2 && parent == "channel":
		x.itemKeys = append(x.itemKeys, itemKey{false, x.channelItems})
		x.channelItems++
	case local == "item" && depth == 1 && (root == "rss" || root == "RDF"):
		x.itemKeys = append(x.itemKeys, itemKey{true, x.rootItems})
		x.rootItems++
		about, _ := rootAttr(tag, "rdf:about")
		x.rdfAbout = append(x.rdfAbout, about)
	case local == "entry" && depth == 1 && root == "feed":
		x.atomIDs = append(x.atomIDs, "")
	}
	if selfClosing || r.capture != nil {
		return
	}
	switch {
	case name == "author" && depth == 2 && parent == "channel" && root == "rss":
		r.capture = &capture{depth: depth, start: contentStart, kind: "channelAuthor"}
	case name == "id" && depth == 2 && parent == "entry" && root == "feed":
		r.capture = &capture{depth: depth, start: contentStart, kind: "atomID", index: len(x.atomIDs) - 1}
	case local == "body" && parent == "item" && len(x.itemKeys) > 0:
		r.capture = &capture{depth: depth, start: contentStart, kind: "body", index: len(x.itemKeys) - 1}
	case name == "link" && depth == 2 && parent == "entry" && root == "feed":
		if _, ok := rootAttr(tag, "href"); ok {
			return
		}
		if rel, ok := rootAttr(tag, "rel"); ok && rel != "alternate" {
			return
		}
		r.capture = &capture{depth: depth, start: contentStart, kind: "atomTextLink", index: len(x.atomIDs) - 1}
	}
}

// onEnd sees the end tag of the element at stack depth, starting at src[i].
func (r *repairer) onEnd(depth, i int) {
	c := r.capture
	if c == nil || depth > c.depth {
		return
	}
	r.capture = nil
	if depth < c.depth || i < c.start {
		return
	}
	raw := string(r.src[c.start:i])
	x := &r.extras
	switch c.kind {
	case "channelAuthor":
		x.channelAuthor = strings.TrimSpace(html.UnescapeString(raw))
	case "atomID":
		if c.index >= 0 && c.index < len(x.atomIDs) && !strings.Contains(raw, "<") {
			x.atomIDs[c.index] = strings.TrimSpace(html.UnescapeString(raw))
		}
	case "atomTextLink":
		if x.atomTextLinks == nil {
			x.atomTextLinks = map[int]string{}
		}
		if _, seen := x.atomTextLinks[c.index]; !seen && !strings.Contains(raw, "<") {
			x.atomTextLinks[c.index] = strings.TrimSpace(html.UnescapeString(raw))
		}
	case "body":
		if x.bodies == nil {
			x.bodies = map[int]string{}
		}
		x.bodies[c.index] = strings.TrimSpace(raw)
	}
}

// onlyEscaped reports whether got is raw as url.URL would print it: gofeed
// reformatted the id as a URL without resolving it against an xml:base.
func onlyEscaped(raw, got string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.String() == got
}

// apply puts the extras into the translated feed where gofeed left gaps.
func (x *extras) apply(f *gofeed.Feed) {
	if f.Author == nil && x.channelAuthor != "" {
		if p := parsePerson(x.channelAuthor); p != nil {
			f.Author = p
			f.Authors = []*gofeed.Person{p}
		}
	}
	if f.FeedType == "atom" {
		for i, id := range x.atomIDs {
			if i < len(f.Items) && f.Items[i] != nil && id != "" && (hasScheme(id) || onlyEscaped(id, f.Items[i].GUID)) {
				f.Items[i].GUID = id
			}
		}
		for i, l := range x.atomTextLinks {
			if i >= 0 && i < len(f.Items) && f.Items[i] != nil && f.Items[i].Link == "" && l != "" {
				f.Items[i].Link = l
			}
		}
		return
	}
	// gofeed lists channel items first, then root-level ones.
	order := func(k itemKey) int {
		if k.root {
			return x.channelItems + k.idx
		}
		return k.idx
	}
	for i, about := range x.rdfAbout {
		j := x.channelItems + i
		if about != "" && j < len(f.Items) && f.Items[j] != nil && f.Items[j].GUID == "" {
			f.Items[j].GUID = about
		}
	}
	for i, body := range x.bodies {
		if i >= len(x.itemKeys) {
			continue
		}
		j := order(x.itemKeys[i])
		if j < len(f.Items) && f.Items[j] != nil && f.Items[j].Content == "" {
			f.Items[j].Content = body
		}
	}
}
