package publish

import (
	"strconv"
	"time"

	"github.com/gorilla/feeds"

	"github.com/topicfeed/topicfeed/news"
)

// atomFeed adds xml:lang, several links (alternate, self, hub) and a
// generator to gorilla's AtomFeed, and replaces its entries with atomEntry.
type atomFeed struct {
	*feeds.AtomFeed
	Lang      string         `xml:"xml:lang,attr,omitempty"`
	Links     []xmlLink      `xml:"link"`
	Generator *atomGenerator `xml:"generator"`
	Entries   []*atomEntry   `xml:"entry"`
}

type atomGenerator struct {
	Name string `xml:",chardata"`
}

// atomEntry adds what gorilla's AtomEntry cannot express: xml:lang, several
// categories with term and scheme, several authors, links with titles
// (related coverage) and a structured <source>.
type atomEntry struct {
	*feeds.AtomEntry
	Lang       string              `xml:"xml:lang,attr,omitempty"`
	Categories []atomCategory      `xml:"category"`
	Links      []xmlLink           `xml:"link"`
	Authors    []*feeds.AtomAuthor `xml:"author"`
	Source     *atomSource         `xml:"source"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
}

type atomSource struct {
	ID    string    `xml:"id,omitempty"`
	Title string    `xml:"title"`
	Links []xmlLink `xml:"link"`
}

// Atom renders items as an Atom 1.0 feed.
func Atom(m Meta, items []news.Item) ([]byte, error) {
	es := entries(m, items)
	f := &atomFeed{
		AtomFeed: &feeds.AtomFeed{
			Xmlns:    nsAtom,
			Title:    feedTitle(m),
			Id:       feedID(m),
			Updated:  atomDate(m.updated(es)),
			Subtitle: clean(m.Description),
			Author:   &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: feedTitle(m), Uri: absURL(m.Link)}},
		},
		Lang:      clean(m.Language),
		Generator: &atomGenerator{Name: Generator},
	}
	if u := absURL(m.Link); u != "" {
		f.Links = append(f.Links, xmlLink{Href: u, Rel: "alternate", Type: "text/html"})
	}
	f.Links = append(f.Links, feedLinks(m, "application/atom+xml")...)
	for _, e := range es {
		f.Entries = append(f.Entries, newAtomEntry(e))
	}
	return marshalXML(f, "atom")
}

// feedID is the Atom feed id: its own URL, else the page it belongs to.
func feedID(m Meta) string {
	if u := absURL(m.SelfURL); u != "" {
		return u
	}
	if u := absURL(m.Link); u != "" {
		return u
	}
	return "urn:topicfeed:feed"
}

func newAtomEntry(e entry) *atomEntry {
	ae := &atomEntry{
		AtomEntry: &feeds.AtomEntry{
			Title:     e.title,
			Id:        e.id,
			Updated:   atomDate(e.updated),
			Published: atomDate(e.published),
		},
		Lang:  e.language,
		Links: []xmlLink{{Href: e.link, Rel: "alternate", Type: "text/html"}},
	}
	if e.summary != "" {
		ae.Summary = &feeds.AtomSummary{Content: e.summary, Type: "text"}
	}
	if e.content != "" {
		ae.Content = &feeds.AtomContent{Content: e.content, Type: "html"}
	}
	for _, r := range e.related {
		ae.Links = append(ae.Links, xmlLink{Href: r.url, Rel: "related", Type: "text/html", Title: r.outlet})
	}
	for _, enc := range e.enclosure {
		l := xmlLink{Href: enc.URL, Rel: "enclosure", Type: enc.Type}
		if enc.Length > 0 {
			l.Length = strconv.FormatInt(enc.Length, 10)
		}
		ae.Links = append(ae.Links, l)
	}
	for _, c := range e.cats {
		ae.Categories = append(ae.Categories, atomCategory{Term: c.term, Scheme: c.scheme})
	}
	names := e.authors
	if len(names) == 0 {
		names = []string{e.outlet}
	}
	for _, n := range names {
		ae.Authors = append(ae.Authors, &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: n}})
	}
	src := &atomSource{Title: e.outlet}
	if e.outletURL != "" {
		src.ID = e.outletURL
		src.Links = []xmlLink{{Href: e.outletURL, Rel: "self"}}
	}
	ae.Source = src
	return ae
}

// atomDate formats t as RFC 3339 in UTC.
func atomDate(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
