// Package parser turns the bytes of an RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON
// Feed document into a gofeed.Feed. It wraps github.com/mmcdole/gofeed with the
// layer real outlets need: encoding detection and transcoding to UTF-8,
// recovery of documents that are not well-formed (stray '&' and '<', HTML
// entities, truncated downloads, control characters) and fixes for gofeed's
// own mistakes. Every repair is reported in Result.Warnings.
package parser

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// Options describe where a document came from.
type Options struct {
	// ContentType is the HTTP Content-Type header; its charset, if any, is
	// weighed against the XML prolog and the bytes themselves.
	ContentType string
	// URL is where the feed came from; relative links are resolved against it
	// when the document gives no base of its own.
	URL string
	// ContentLanguage is the HTTP Content-Language header, the feed's
	// language when the document names none.
	ContentLanguage string
}

// Result is a parsed feed and what it took to parse it.
type Result struct {
	Feed *gofeed.Feed
	// Format is "rss", "atom" or "json" (or "cdf" for Microsoft's Channel
	// Definition Format, read as Atom).
	Format string
	// Version is the format's version as the document declares it: "2.0",
	// "0.91", "1.0" (RSS 1.0/RDF), "0.3", "1.0" (Atom), "1.1" (JSON Feed).
	Version string
	// Encoding is the character encoding the bytes were read as ("utf-8",
	// "windows-1251", ...).
	Encoding string
	// Warnings lists what had to be recovered or was corrected; it is
	// empty for a clean document.
	Warnings []string
	// WellFormed is false when the document was not well-formed XML (or
	// JSON) in a correctly declared encoding as served, and had to be
	// repaired: feedparser's "bozo". Content fixes in a well-formed document
	// (double-encoded text, C1 controls) add warnings but keep it true.
	WellFormed bool
	// Hints are the feed's own polling hints (ttl, skipHours, skipDays,
	// sy:updatePeriod).
	Hints Hints
}

// ErrNotFeed is returned (wrapped) when a document is neither RSS, Atom nor
// JSON Feed.
var ErrNotFeed = errors.New("not an rss, atom or json feed")

// Parse parses one feed document. Documents that are not well-formed are
// repaired where that can be done without guessing at content; a document
// that cannot be parsed at all is an error naming why.
func Parse(body []byte, o Options) (*Result, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("parse feed %s: empty document", where(o))
	}
	d := decodeToUTF8(body, o.ContentType)
	res := &Result{Encoding: d.encoding, Warnings: d.warnings, WellFormed: len(d.warnings) == 0}
	notes := d.notes

	doc := d.body
	var x extras
	format := "" // set when the document is translated before gofeed reads it
	if !isJSON(doc) {
		if rest, junk := dropLeadingJunk(doc); junk > 0 {
			doc = rest
			res.Warnings = append(res.Warnings, fmt.Sprintf("dropped %d bytes before the document (server messages?)", junk))
			res.WellFormed = false
		}
		var n repairs
		doc, n, x = repair(doc)
		w, rn := n.warnings()
		res.Warnings = append(res.Warnings, w...)
		notes = append(notes, rn...)
		if n.illFormed() {
			res.WellFormed = false
		}
		doc = dropLongPreamble(doc)
		var ns string
		if doc, ns = fixAtomNamespace(doc); ns != "" {
			notes = append(notes, fmt.Sprintf("read the root <feed> in the unknown namespace %q as Atom", ns))
		}
		if isAtom03(doc) {
			doc = rewriteAtom03(doc)
		}
		if isCDF(doc) {
			atomDoc, err := cdfToAtom(doc)
			if err != nil {
				return nil, fmt.Errorf("parse feed %s: read cdf channel: %w", where(o), err)
			}
			doc, format = atomDoc, "cdf"
		}
	}

	p := gofeed.NewParser()
	// The normaliser reads what gofeed's universal feed drops, such as an
	// Atom entry's link rel="canonical", from the original.
	p.KeepOriginalFeed = true
	rt := &rssTranslator{}
	p.AtomTranslator = &atomTranslator{}
	p.RSSTranslator = rt
	feed, err := p.Parse(bytes.NewReader(doc))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			nf := &NotFeedError{What: describeRoot(doc), Alternates: feedAlternates(doc, documentBase(nil, o.URL))}
			return nil, fmt.Errorf("parse feed %s: %w", where(o), nf)
		}
		return nil, fmt.Errorf("parse feed %s: %w", where(o), err)
	}
	res.Feed = feed
	res.Format = feed.FeedType
	res.Version = feed.FeedVersion
	switch {
	case format != "":
		res.Format, res.Version = format, ""
	case res.Format == "json":
		res.Version = jsonFeedVersion(feed.FeedVersion)
		if feed.FeedVersion == "" {
			if len(feed.Items) == 0 && feed.Title == "" {
				// {"error": "rate limited"} and other API answers.
				return nil, fmt.Errorf("parse feed %s: %w", where(o), &NotFeedError{What: "a json object without JSON Feed's version, title or items"})
			}
			res.Warnings = append(res.Warnings, "JSON Feed without a version")
			res.WellFormed = false
		}
	}
	x.apply(feed)
	res.Hints = feedHints(rt.hints, feed)
	fillFromExtensions(feed)
	if feed.Language == "" {
		lang, _, _ := strings.Cut(o.ContentLanguage, ",")
		feed.Language = strings.TrimSpace(lang)
	}
	resolveLinks(feed, documentBase(doc, o.URL))
	tf := fixFeedText(feed)
	if tf.mojibake > 0 {
		notes = append(notes, fmt.Sprintf("repaired %d double-encoded texts (UTF-8 read as windows-1252)", tf.mojibake))
	}
	if tf.htmlRefs > 0 {
		notes = append(notes, fmt.Sprintf("rewrote %d HTML references to windows-1252 code points (&#146;)", tf.htmlRefs))
	}
	res.Warnings = append(res.Warnings, notes...)
	return res, nil
}

// jsonFeedVersion turns JSON Feed's version URL into a version number.
func jsonFeedVersion(v string) string {
	i := strings.LastIndex(v, "/version/")
	if i < 0 {
		return v
	}
	n := v[i+len("/version/"):]
	if !strings.Contains(n, ".") {
		n += ".0"
	}
	return n
}

func where(o Options) string {
	if o.URL == "" {
		return "(no url)"
	}
	return o.URL
}

func isJSON(doc []byte) bool {
	t := bytes.TrimLeft(doc, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// describeRoot names what the document starts with, for error messages.
func describeRoot(doc []byte) string {
	t := bytes.TrimLeft(doc, " \t\r\n")
	for len(t) > 0 {
		switch {
		case bytes.HasPrefix(t, []byte("<?")) || bytes.HasPrefix(t, []byte("<!")):
			end := bytes.IndexByte(t, '>')
			if end < 0 {
				return "no root element"
			}
			t = bytes.TrimLeft(t[end+1:], " \t\r\n")
			continue
		case t[0] == '<':
			end := bytes.IndexAny(t[1:], " \t\r\n/>")
			if end < 0 {
				end = len(t) - 1
			}
			return fmt.Sprintf("root element <%s>", t[1:1+min(end, 40)])
		}
		break
	}
	if len(t) == 0 {
		return "no root element"
	}
	return fmt.Sprintf("starts with %q", t[:min(len(t), 20)])
}

// resolveLinks makes the feed's and items' links absolute against the URL the
// document came from, and with them the relative URLs inside their HTML
// (href, src, ...). gofeed resolves xml:base where the document gives one;
// the document URL is the base of last resort (RFC 3986 §5.1.3).
func resolveLinks(f *gofeed.Feed, b *url.URL) {
	if b == nil {
		return
	}
	abs := func(s string) string { return resolveURL(b, s) }
	html := func(s string) string { return resolveHTMLURLs(s, b) }
	f.Link = abs(f.Link)
	for i := range f.Links {
		f.Links[i] = abs(f.Links[i])
	}
	f.FeedLink = abs(f.FeedLink)
	if f.Image != nil {
		f.Image.URL = abs(f.Image.URL)
	}
	f.Title = html(f.Title)
	f.Description = html(f.Description)
	f.Copyright = html(f.Copyright)
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		it.Link = abs(it.Link)
		for i := range it.Links {
			it.Links[i] = abs(it.Links[i])
		}
		for _, e := range it.Enclosures {
			if e != nil {
				e.URL = abs(e.URL)
			}
		}
		if it.Image != nil {
			it.Image.URL = abs(it.Image.URL)
		}
		// Ids are not resolved against the document URL: an id must not
		// change when the feed moves.
		it.Title = html(it.Title)
		it.Description = html(it.Description)
		it.Content = html(it.Content)
	}
}

// resolveURL resolves a relative reference; absolute ones, fragments and
// unparseable ones are returned as they are.
func resolveURL(base *url.URL, s string) string {
	t := strings.TrimSpace(s)
	if t == "" || t[0] == '#' || hasScheme(t) {
		return s
	}
	u, err := url.Parse(t)
	if err != nil {
		return s
	}
	r := base.ResolveReference(u).String()
	if !isASCII([]byte(t)) {
		// Keep an IRI an IRI: undo the percent-encoding of its characters.
		r = unescapeNonASCII(r)
	}
	return r
}

// unescapeNonASCII decodes the percent-encoded runs of s that are UTF-8 of
// non-ASCII characters, leaving %2F and the like alone.
func unescapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '%' && i+2 < len(s) {
			var run []byte
			j := i
			for j+2 < len(s) && s[j] == '%' {
				v, err := strconv.ParseUint(s[j+1:j+3], 16, 8)
				if err != nil || v < 0x80 {
					break
				}
				run = append(run, byte(v))
				j += 3
			}
			if len(run) > 0 && utf8.Valid(run) {
				b.Write(run)
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// hasScheme reports whether s starts with "scheme:".
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// resolveHTMLURLs rewrites relative URLs in the URL-valued attributes of the
// tags in an HTML fragment, leaving everything else byte for byte. It returns
// s itself when nothing is relative.
func resolveHTMLURLs(s string, base *url.URL) string {
	if strings.IndexByte(s, '<') < 0 || strings.IndexByte(s, '=') < 0 {
		return s
	}
	var b strings.Builder
	last := 0
	inTag := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			inTag = i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/')
		case c == '>':
			inTag = false
		case c == '"' || c == '\'':
			if inTag { // skip a quoted value not preceded by a URL attribute
				if j := strings.IndexByte(s[i+1:], c); j >= 0 {
					i += j + 1
				}
			}
		case c == '=' && inTag:
			name := attrNameBefore(s, i)
			if !urlAttr(name) {
				continue
			}
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
				j++
			}
			if j >= len(s) {
				continue
			}
			start, end := j, j
			if q := s[j]; q == '"' || q == '\'' {
				k := strings.IndexByte(s[j+1:], q)
				if k < 0 {
					continue
				}
				start, end = j+1, j+1+k
			} else {
				for end < len(s) && s[end] != ' ' && s[end] != '>' && s[end] != '\t' && s[end] != '\n' {
					end++
				}
			}
			val := s[start:end]
			if r := resolveURL(base, val); r != val {
				b.WriteString(s[last:start])
				b.WriteString(r)
				last = end
			}
			i = end
			if i < len(s) && (s[i] == '"' || s[i] == '\'') {
				// i is the closing quote; the loop moves past it
			} else {
				i--
			}
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// attrNameBefore returns the attribute name ending just before s[eq] ('='),
// skipping spaces.
func attrNameBefore(s string, eq int) string {
	end := eq
	for end > 0 && (s[end-1] == ' ' || s[end-1] == '\t' || s[end-1] == '\n') {
		end--
	}
	start := end
	for start > 0 && (isASCIILetter(s[start-1]) || s[start-1] == '-' || s[start-1] == ':') {
		start--
	}
	return s[start:end]
}

// urlAttr reports the HTML attributes whose value is a URL.
func urlAttr(name string) bool {
	switch strings.ToLower(name) {
	case "href", "src", "cite", "action", "background", "longdesc", "poster", "usemap",
		"formaction", "icon", "manifest", "codebase", "profile", "xlink:href":
		return true
	}
	return false
}
