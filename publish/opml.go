package publish

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// OPMLOutlet is one feed in an OPML subscription list.
type OPMLOutlet struct {
	// Name is the outline's title (or text, or the feed's host name).
	Name string
	// URL is the feed URL (the outline's xmlUrl).
	URL string
}

// maxOPMLBytes caps what ParseOPML reads.
const maxOPMLBytes = 10 << 20

type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    opmlHead `xml:"head"`
	Body    opmlBody `xml:"body"`
}

type opmlHead struct {
	Title string `xml:"title"`
	Docs  string `xml:"docs"`
}

type opmlBody struct {
	Outlines []opmlOutline `xml:"outline"`
}

type opmlOutline struct {
	Type    string `xml:"type,attr"`
	Text    string `xml:"text,attr"`
	Title   string `xml:"title,attr"`
	XMLURL  string `xml:"xmlUrl,attr"`
	HTMLURL string `xml:"htmlUrl,attr,omitempty"`
}

// OPML renders outlets as an OPML 2.0 subscription list, the format feed
// readers import and export. The output depends only on its input (no
// dateCreated), so it can be cached and hashed.
func OPML(title string, outlets []OPMLOutlet) ([]byte, error) {
	doc := opmlDoc{Version: "2.0", Head: opmlHead{Title: clean(title), Docs: "http://opml.org/spec2.opml"}}
	for _, o := range outlets {
		u := absURL(o.URL)
		if u == "" {
			continue
		}
		name := strings.Join(strings.Fields(clean(o.Name)), " ")
		if name == "" {
			name = hostOf(u)
		}
		doc.Body.Outlines = append(doc.Body.Outlines, opmlOutline{Type: "rss", Text: name, Title: name, XMLURL: u})
	}
	return marshalXML(doc, "opml")
}

// ParseOPML reads an OPML subscription list, as feed readers export it, and
// returns its feeds in document order, folders flattened and repeated URLs
// dropped (ReadOPML's Feeds).
func ParseOPML(r io.Reader) ([]OPMLOutlet, error) {
	l, err := ReadOPML(r)
	return l.Feeds, err
}

// OPMLList is what ReadOPML reads of a subscription list.
type OPMLList struct {
	// Feeds are the outlines' feeds, in document order, folders flattened
	// and repeated URLs dropped.
	Feeds []OPMLOutlet
	// Unusable are the outlines whose xmlUrl is not an absolute http(s)
	// URL (a relative one, another scheme), with the xmlUrl as written: no
	// feed can be read from them.
	Unusable []OPMLOutlet
}

// ReadOPML reads an OPML subscription list. Outlines without an xmlUrl
// (folders, links) are skipped. It is lenient about what readers get wrong
// (HTML entities, unescaped ampersands, any declared encoding) and fails
// only when the document is not OPML at all.
func ReadOPML(r io.Reader) (OPMLList, error) {
	d := xml.NewDecoder(io.LimitReader(r, maxOPMLBytes))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel

	var (
		out     OPMLList
		seen    = map[string]bool{}
		sawOPML bool
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if sawOPML && len(out.Feeds) > 0 {
				break // a truncated export: keep what was read
			}
			return OPMLList{}, fmt.Errorf("parse opml: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch strings.ToLower(se.Name.Local) {
		case "opml":
			sawOPML = true
		case "outline":
			if !sawOPML {
				return OPMLList{}, errors.New("parse opml: <outline> outside an <opml> document")
			}
			o, ok := outlineFeed(se.Attr)
			switch {
			case ok && !seen[o.URL]:
				seen[o.URL] = true
				out.Feeds = append(out.Feeds, o)
			case !ok && o.URL != "":
				out.Unusable = append(out.Unusable, o)
			}
		}
	}
	if !sawOPML {
		return OPMLList{}, errors.New("parse opml: no <opml> element")
	}
	return out, nil
}

// outlineFeed reads the feed an <outline> subscribes to, if any; when its
// xmlUrl is not an absolute http(s) URL, it returns false with the outline
// and its xmlUrl as written.
func outlineFeed(attrs []xml.Attr) (OPMLOutlet, bool) {
	var text, title, xmlURL string
	for _, a := range attrs {
		switch strings.ToLower(a.Name.Local) {
		case "text":
			text = a.Value
		case "title":
			title = a.Value
		case "xmlurl":
			xmlURL = strings.TrimSpace(a.Value)
		}
	}
	u := absURL(xmlURL)
	name := strings.Join(strings.Fields(clean(title)), " ")
	if name == "" {
		name = strings.Join(strings.Fields(clean(text)), " ")
	}
	if u == "" {
		return OPMLOutlet{Name: name, URL: xmlURL}, false
	}
	if name == "" {
		name = hostOf(u)
	}
	return OPMLOutlet{Name: name, URL: u}, true
}
