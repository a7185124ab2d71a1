package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"time"
)

// Document renders outlet n's feed in the current round, in format (rss,
// atom or json), with its validators.
func (s *Sim) Document(n int, format string) (body []byte, etag string, lastModified time.Time, err error) {
	v := s.state(n)
	etag, lastModified = s.validators(n, v, format)
	body, err = s.render(n, s.itemsAt(n, v), format, lastModified)
	return body, etag, lastModified, err
}

func (s *Sim) render(n int, items []Item, format string, updated time.Time) ([]byte, error) {
	switch format {
	case "rss":
		return s.renderRSS(n, items, updated), nil
	case "atom":
		return s.renderAtom(n, items, updated), nil
	case "json":
		return s.renderJSON(n, items)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// esc escapes text for XML character data and attribute values.
func esc(t string) string { return html.EscapeString(t) }

// renderRSS writes RSS 2.0 the way WordPress does: the lead as
// description, the full HTML in content:encoded.
func (s *Sim) renderRSS(n int, items []Item, updated time.Time) []byte {
	var b bytes.Buffer
	b.Grow(len(items) * (s.opts.MinBytes + s.opts.MaxBytes) / 2)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">` + "\n<channel>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<link>%s/</link>\n<description>Synthetic outlet %d</description>\n<language>%s</language>\n<lastBuildDate>%s</lastBuildDate>\n",
		esc(OutletName(n)), siteOf(n), n, languages[s.langOf(n)].code, updated.Format(time.RFC1123Z))
	for _, it := range items {
		fmt.Fprintf(&b, "<item>\n<title>%s</title>\n<link>%s</link>\n<guid isPermaLink=\"true\">%s</guid>\n<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n<category>%s</category>\n<description>%s</description>\n<content:encoded><![CDATA[%s]]></content:encoded>\n</item>\n",
			esc(it.Title), esc(it.Link), esc(it.GUID), it.Published.Format(time.RFC1123Z), esc(it.Author), esc(it.Category), esc(it.Lead), it.HTML)
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.Bytes()
}

// renderAtom writes Atom 1.0 with the HTML as escaped content.
func (s *Sim) renderAtom(n int, items []Item, updated time.Time) []byte {
	var b bytes.Buffer
	b.Grow(len(items) * (s.opts.MinBytes + s.opts.MaxBytes) * 6 / 10)
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	fmt.Fprintf(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n<title>%s</title>\n<id>%s/</id>\n<link rel=\"alternate\" href=\"%s/\"/>\n<updated>%s</updated>\n",
		languages[s.langOf(n)].code, esc(OutletName(n)), siteOf(n), siteOf(n), updated.Format(time.RFC3339))
	for _, it := range items {
		fmt.Fprintf(&b, "<entry>\n<title>%s</title>\n<id>%s</id>\n<link rel=\"alternate\" href=\"%s\"/>\n<published>%s</published>\n<updated>%s</updated>\n<author><name>%s</name></author>\n<category term=\"%s\"/>\n<summary>%s</summary>\n<content type=\"html\">%s</content>\n</entry>\n",
			esc(it.Title), esc(it.GUID), esc(it.Link), it.Published.Format(time.RFC3339), it.Published.Format(time.RFC3339), esc(it.Author), esc(it.Category), esc(it.Lead), esc(it.HTML))
	}
	b.WriteString("</feed>\n")
	return b.Bytes()
}

type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url"`
	Language    string     `json:"language"`
	Items       []jsonItem `json:"items"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url"`
	Title         string       `json:"title"`
	Summary       string       `json:"summary"`
	ContentHTML   string       `json:"content_html"`
	DatePublished string       `json:"date_published"`
	Authors       []jsonAuthor `json:"authors"`
	Tags          []string     `json:"tags"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

// renderJSON writes JSON Feed 1.1.
func (s *Sim) renderJSON(n int, items []Item) ([]byte, error) {
	f := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: OutletName(n), HomePageURL: siteOf(n) + "/",
		Language: languages[s.langOf(n)].code, Items: make([]jsonItem, len(items))}
	for i, it := range items {
		f.Items[i] = jsonItem{ID: it.GUID, URL: it.Link, Title: it.Title, Summary: it.Lead, ContentHTML: it.HTML,
			DatePublished: it.Published.Format(time.RFC3339), Authors: []jsonAuthor{{it.Author}}, Tags: []string{it.Category}}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("render json feed of outlet %d: %w", n, err)
	}
	return b, nil
}
