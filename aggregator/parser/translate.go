package parser

import (
	"net/mail"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
	"github.com/mmcdole/gofeed/rss"
)

// atomTranslator is gofeed's Atom translator with corrections:
//   - categories are their term, not their label: gofeed reports a
//     category's label in place of its term, but the term is the category
//     (RFC 4287 §4.2.2.1: the label is only for display), the one feedparser
//     and other readers use, and the stable one for tagging;
//   - the generator is its text, without the version and URI gofeed appends.
type atomTranslator struct {
	gofeed.DefaultAtomTranslator
}

// Translate implements gofeed.Translator.
func (t *atomTranslator) Translate(feed interface{}) (*gofeed.Feed, error) {
	f, err := t.DefaultAtomTranslator.Translate(feed)
	if err != nil {
		return nil, err
	}
	af, ok := feed.(*atom.Feed)
	if !ok {
		return f, nil
	}
	f.Categories = atomTerms(af.Categories)
	for i, e := range af.Entries {
		if i < len(f.Items) && e != nil {
			f.Items[i].Categories = atomTerms(e.Categories)
		}
	}
	if af.Generator != nil {
		f.Generator = strings.TrimSpace(af.Generator.Value)
	}
	return f, nil
}

func atomTerms(cats []*atom.Category) []string {
	if len(cats) == 0 {
		return nil
	}
	out := make([]string, 0, len(cats))
	for _, c := range cats {
		if c == nil {
			continue
		}
		term := strings.TrimSpace(c.Term)
		if term == "" {
			term = strings.TrimSpace(c.Label)
		}
		if term != "" {
			out = append(out, term)
		}
	}
	return out
}

// rssTranslator is gofeed's RSS translator with what it leaves out:
//   - an item without <link> whose <guid> is a permalink (the RSS 2.0
//     default) links to its guid;
//   - "Name <email>" authors are split like "email (Name)" ones;
//   - every dc:creator is an author, not only the first;
//   - dcterms:modified/issued/created date items and channels that give no
//     other date.
type rssTranslator struct {
	gofeed.DefaultRSSTranslator
	hints Hints // the channel's polling hints, read while translating
}

// Translate implements gofeed.Translator.
func (t *rssTranslator) Translate(feed interface{}) (*gofeed.Feed, error) {
	f, err := t.DefaultRSSTranslator.Translate(feed)
	if err != nil {
		return nil, err
	}
	rf, ok := feed.(*rss.Feed)
	if !ok {
		return f, nil
	}
	t.hints = rssHints(rf)
	fillDCTerms(rf.Extensions, &f.Updated, &f.UpdatedParsed, &f.Published, &f.PublishedParsed)
	for i, ri := range rf.Items {
		if i >= len(f.Items) || ri == nil {
			continue
		}
		it := f.Items[i]
		if it.Link == "" && ri.GUID != nil && !strings.EqualFold(strings.TrimSpace(ri.GUID.IsPermalink), "false") {
			if g := strings.TrimSpace(ri.GUID.Value); strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://") {
				it.Link = g
			}
		}
		if a := strings.TrimSpace(ri.Author); a != "" {
			if p := parsePerson(a); p != nil {
				it.Author = p
				it.Authors = []*gofeed.Person{p}
			}
		} else if ri.DublinCoreExt != nil && len(ri.DublinCoreExt.Creator) > 1 {
			it.Authors = it.Authors[:0]
			for _, c := range ri.DublinCoreExt.Creator {
				if p := parsePerson(c); p != nil {
					it.Authors = append(it.Authors, p)
				}
			}
			if len(it.Authors) > 0 {
				it.Author = it.Authors[0]
			}
		}
		var updated, published string
		fillDCTerms(ri.Extensions, &updated, &it.UpdatedParsed, &published, &it.PublishedParsed)
		if it.Updated == "" {
			it.Updated = updated
		}
		if it.Published == "" {
			it.Published = published
		}
	}
	return f, nil
}

// fillDCTerms sets empty dates from DCMI terms (dcterms:modified, issued,
// created).
func fillDCTerms(exts ext.Extensions, updated *string, updatedParsed **time.Time, published *string, publishedParsed **time.Time) {
	terms := exts["dcterms"]
	if terms == nil {
		return
	}
	first := func(names ...string) string {
		for _, n := range names {
			for _, e := range terms[n] {
				if v := strings.TrimSpace(e.Value); v != "" {
					return v
				}
			}
		}
		return ""
	}
	if *updated == "" {
		if v := first("modified"); v != "" {
			*updated = v
			*updatedParsed = parseDate(v)
		}
	}
	if *published == "" {
		if v := first("issued", "created"); v != "" {
			*published = v
			*publishedParsed = parseDate(v)
		}
	}
}

func parseDate(s string) *time.Time {
	for _, layout := range []string{time.RFC3339Nano, time.RFC1123Z, time.RFC1123, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			u := t.UTC()
			return &u
		}
	}
	return nil
}

// parsePerson splits an RSS author: "me@x.org (Name)", "Name (me@x.org)",
// "Name <me@x.org>", a bare address or a bare name.
func parsePerson(s string) *gofeed.Person {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if a, err := mail.ParseAddress(s); err == nil {
		return &gofeed.Person{Name: a.Name, Email: a.Address}
	}
	if open := strings.LastIndexByte(s, '('); open > 0 && strings.HasSuffix(s, ")") {
		outside := strings.TrimSpace(s[:open])
		inside := strings.TrimSpace(s[open+1 : len(s)-1])
		switch {
		case isEmail(outside):
			return &gofeed.Person{Name: inside, Email: outside}
		case isEmail(inside):
			return &gofeed.Person{Name: outside, Email: inside}
		}
	}
	if isEmail(s) {
		return &gofeed.Person{Email: s}
	}
	return &gofeed.Person{Name: s}
}

func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " <>()")
}

// fillFromExtensions completes what gofeed leaves empty from the iTunes and
// Media RSS extensions outlets use, then tidies categories (trimmed, no
// duplicates) and language tags ("en_US" is "en-US").
func fillFromExtensions(f *gofeed.Feed) {
	if f.Image == nil {
		if u := extAttr(f.Extensions, "itunes", "image", "href", "url"); u != "" {
			f.Image = &gofeed.Image{URL: u}
		} else {
			for _, l := range f.Extensions["itunes"]["link"] {
				if l.Attrs["rel"] == "image" && l.Attrs["href"] != "" {
					f.Image = &gofeed.Image{URL: l.Attrs["href"]}
					break
				}
			}
		}
	}
	if f.Description == "" {
		f.Description = extText(f.Extensions, "itunes", "subtitle", "summary")
	}
	f.Categories = tidyCategories(f.Categories)
	f.Language = strings.ReplaceAll(strings.TrimSpace(f.Language), "_", "-")
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		if it.Title == "" {
			it.Title = extText(it.Extensions, "media", "title")
		}
		if it.Content == "" {
			it.Content = strings.TrimSpace(it.Custom["fullitem"])
		}
		if tags := it.Custom["tags"]; tags != "" {
			// A CMS's comma-separated <tags> before its <category>s.
			it.Categories = append(strings.Split(tags, ","), it.Categories...)
		}
		for _, c := range it.Extensions["media"]["category"] {
			it.Categories = append(it.Categories, c.Value)
		}
		for _, c := range it.Extensions["itunes"]["category"] {
			it.Categories = append(it.Categories, itunesCategories(c)...)
		}
		it.Categories = tidyCategories(it.Categories)
	}
}

// itunesCategories flattens nested <itunes:category text="..."> elements.
func itunesCategories(e ext.Extension) []string {
	var out []string
	if t := e.Attrs["text"]; t != "" {
		out = append(out, t)
	}
	for _, c := range e.Children["category"] {
		out = append(out, itunesCategories(c)...)
	}
	return out
}

func extText(exts ext.Extensions, prefix string, names ...string) string {
	for _, n := range names {
		for _, e := range exts[prefix][n] {
			if v := strings.TrimSpace(e.Value); v != "" {
				return v
			}
		}
	}
	return ""
}

func extAttr(exts ext.Extensions, prefix, name string, attrs ...string) string {
	for _, e := range exts[prefix][name] {
		for _, a := range attrs {
			if v := strings.TrimSpace(e.Attrs[a]); v != "" {
				return v
			}
		}
	}
	return ""
}

// tidyCategories trims categories and drops empty and repeated ones, keeping
// the first occurrence's order.
func tidyCategories(cats []string) []string {
	if len(cats) == 0 {
		return cats
	}
	out := cats[:0]
	seen := make(map[string]bool, len(cats))
	for _, c := range cats {
		c = strings.TrimSpace(c)
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return out
}
