package parser

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// Dump is the parsed feed's values as parsed, before normalisation, in a
// fixed JSON shape: what `topicfeed inspect` prints for one feed. Every key
// is always present so that scripts can rely on the shape; absent values are
// empty strings or empty lists.
type Dump struct {
	Format      string     `json:"format"`
	Version     string     `json:"version"`
	Encoding    string     `json:"encoding"`
	Title       string     `json:"title"`
	Link        string     `json:"link"`
	Description string     `json:"description"`
	Language    string     `json:"language"`
	Updated     string     `json:"updated"`
	Items       []DumpItem `json:"items"`
	// WellFormed is false when the document had to be repaired to parse.
	WellFormed bool     `json:"well_formed"`
	Warnings   []string `json:"warnings"`
}

// DumpItem is one item of a Dump. Dates are RFC 3339 when they could be
// parsed and the feed's own text otherwise (with a warning).
type DumpItem struct {
	ID         string          `json:"id"`
	Link       string          `json:"link"`
	Title      string          `json:"title"`
	Summary    string          `json:"summary"`
	Content    string          `json:"content"`
	Authors    []DumpAuthor    `json:"authors"`
	Published  string          `json:"published"`
	Updated    string          `json:"updated"`
	Categories []string        `json:"categories"`
	Enclosures []DumpEnclosure `json:"enclosures"`
}

// DumpAuthor is an item's author.
type DumpAuthor struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// DumpEnclosure is an item's enclosure; Length is 0 when the feed gives
// none or gives something that is not a number.
type DumpEnclosure struct {
	URL    string `json:"url"`
	Type   string `json:"type"`
	Length int64  `json:"length"`
}

// Dump gives the parsed feed's values for inspection. Dates the feed gives
// but gofeed could not parse are given as written and add a warning.
func (r *Result) Dump() Dump {
	rep := Dump{
		Format:     r.Format,
		Version:    r.Version,
		Encoding:   r.Encoding,
		Items:      []DumpItem{},
		WellFormed: r.WellFormed,
		Warnings:   append([]string{}, r.Warnings...),
	}
	f := r.Feed
	if f == nil {
		return rep
	}
	rep.Title = f.Title
	rep.Link = f.Link
	rep.Description = f.Description
	rep.Language = f.Language
	rep.Updated = dumpDate(f.UpdatedParsed, f.Updated, "updated", &rep.Warnings)
	for i, it := range f.Items {
		if it == nil {
			continue
		}
		field := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		ri := DumpItem{
			ID:         it.GUID,
			Link:       it.Link,
			Title:      it.Title,
			Summary:    it.Description,
			Content:    it.Content,
			Authors:    []DumpAuthor{},
			Published:  dumpDate(it.PublishedParsed, it.Published, field("published"), &rep.Warnings),
			Updated:    dumpDate(it.UpdatedParsed, it.Updated, field("updated"), &rep.Warnings),
			Categories: append([]string{}, it.Categories...),
			Enclosures: []DumpEnclosure{},
		}
		for _, a := range itemAuthors(it) {
			ri.Authors = append(ri.Authors, DumpAuthor{Name: a.Name, Email: a.Email})
		}
		for _, e := range it.Enclosures {
			if e == nil {
				continue
			}
			n, _ := strconv.ParseInt(strings.TrimSpace(e.Length), 10, 64)
			ri.Enclosures = append(ri.Enclosures, DumpEnclosure{URL: e.URL, Type: e.Type, Length: max(n, 0)})
		}
		rep.Items = append(rep.Items, ri)
	}
	return rep
}

func itemAuthors(it *gofeed.Item) []*gofeed.Person {
	if len(it.Authors) > 0 {
		return it.Authors
	}
	if it.Author != nil {
		return []*gofeed.Person{it.Author}
	}
	return nil
}

func dumpDate(parsed *time.Time, raw, field string, warnings *[]string) string {
	if parsed != nil {
		return parsed.Format(time.RFC3339)
	}
	raw = strings.TrimSpace(raw)
	if raw != "" {
		*warnings = append(*warnings, fmt.Sprintf("%s: could not parse date %q", field, raw))
	}
	return raw
}
