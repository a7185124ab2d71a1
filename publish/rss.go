package publish

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"strconv"
	"time"

	"github.com/gorilla/feeds"

	"github.com/topicfeed/topicfeed/news"
)

// Namespaces declared on the RSS root.
const (
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsAtom    = "http://www.w3.org/2005/Atom"
)

// rssDoc wraps gorilla's <rss> root to declare the dc and atom namespaces.
type rssDoc struct {
	*feeds.RssFeedXml
	NSDC    string      `xml:"xmlns:dc,attr"`
	NSAtom  string      `xml:"xmlns:atom,attr"`
	Channel *rssChannel `xml:"channel"`
}

// rssChannel adds atom:link (self, hub) to gorilla's channel and replaces its
// items with rssItem.
type rssChannel struct {
	*feeds.RssFeed
	Links []xmlLink  `xml:"atom:link"`
	Items []*rssItem `xml:"item"`
}

// rssItem adds what gorilla's RssItem cannot express: several categories,
// dc:creator instead of an e-mail-only <author>, <source url>, and
// atom:link rel="related" to the other coverage.
type rssItem struct {
	*feeds.RssItem
	Categories []rssCategory `xml:"category"`
	Creators   []string      `xml:"dc:creator"`
	Source     *rssSource    `xml:"source"`
	Related    []xmlLink     `xml:"atom:link"`
}

type rssCategory struct {
	Domain string `xml:"domain,attr,omitempty"`
	Name   string `xml:",chardata"`
}

type rssSource struct {
	URL  string `xml:"url,attr"`
	Name string `xml:",chardata"`
}

// xmlLink is an Atom link element (also used as atom:link inside RSS).
type xmlLink struct {
	Href   string `xml:"href,attr"`
	Rel    string `xml:"rel,attr,omitempty"`
	Type   string `xml:"type,attr,omitempty"`
	Title  string `xml:"title,attr,omitempty"`
	Length string `xml:"length,attr,omitempty"`
}

// RSS renders items as an RSS 2.0 document.
func RSS(m Meta, items []news.Item) ([]byte, error) {
	es := entries(m, items)
	updated := rssDate(m.updated(es))
	ch := &rssChannel{
		RssFeed: &feeds.RssFeed{
			Title:         feedTitle(m),
			Link:          absURL(m.Link),
			Description:   feedDescription(m),
			Language:      clean(m.Language),
			PubDate:       updated,
			LastBuildDate: updated,
			Generator:     Generator,
			Docs:          "https://www.rssboard.org/rss-specification",
			Ttl:           int(m.TTL / time.Minute),
		},
		Links: feedLinks(m, "application/rss+xml"),
	}
	for _, e := range es {
		ch.Items = append(ch.Items, newRSSItem(e))
	}
	doc := &rssDoc{
		RssFeedXml: &feeds.RssFeedXml{Version: "2.0", ContentNamespace: nsContent},
		NSDC:       nsDC,
		NSAtom:     nsAtom,
		Channel:    ch,
	}
	return marshalXML(doc, "rss")
}

func newRSSItem(e entry) *rssItem {
	it := &rssItem{
		RssItem: &feeds.RssItem{
			Title:       e.title,
			Link:        e.link,
			Description: html.EscapeString(e.summary),
			Guid:        &feeds.RssGuid{Id: e.id, IsPermaLink: "false"},
			PubDate:     rssDate(e.published),
		},
		Creators: e.authors,
	}
	if e.content != "" {
		it.Content = &feeds.RssContent{Content: e.content}
	}
	if it.Description == "" {
		it.Description = html.EscapeString(e.title)
	}
	if len(it.Creators) == 0 {
		it.Creators = []string{e.outlet}
	}
	// RSS allows one enclosure per item.
	for _, enc := range e.enclosure {
		if enc.Type != "" {
			it.Enclosure = &feeds.RssEnclosure{Url: enc.URL, Type: enc.Type, Length: strconv.FormatInt(enc.Length, 10)}
			break
		}
	}
	for _, c := range e.cats {
		it.Categories = append(it.Categories, rssCategory{Domain: c.scheme, Name: c.term})
	}
	if e.outletURL != "" {
		it.Source = &rssSource{URL: e.outletURL, Name: e.outlet}
	}
	for _, r := range e.related {
		it.Related = append(it.Related, xmlLink{Href: r.url, Rel: "related", Type: "text/html", Title: r.outlet})
	}
	return it
}

// feedLinks returns the atom:link elements of a feed: self and hub.
func feedLinks(m Meta, selfType string) []xmlLink {
	var ls []xmlLink
	if u := absURL(m.SelfURL); u != "" {
		ls = append(ls, xmlLink{Href: u, Rel: "self", Type: selfType})
	}
	if u := absURL(m.HubURL); u != "" {
		ls = append(ls, xmlLink{Href: u, Rel: "hub"})
	}
	return ls
}

func feedTitle(m Meta) string {
	if t := clean(m.Title); t != "" {
		return t
	}
	return Generator
}

func feedDescription(m Meta) string {
	if d := clean(m.Description); d != "" {
		return d
	}
	return feedTitle(m)
}

// rssDate formats t as RFC 822 (with a four-digit year, as RSS 2.0 uses it).
func rssDate(t time.Time) string {
	return t.UTC().Format(time.RFC1123Z)
}

// marshalXML writes v as an indented XML document with a declaration.
func marshalXML(v any, what string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("marshal %s: %w", what, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
