package conformancetest

import (
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// Parsed is what the harness knows about one parse, from topicfeed's layer
// or from stock gofeed.
type Parsed struct {
	Feed *gofeed.Feed // nil when nothing could be parsed
	// Format and Version as parser.Result gives them ("rss", "2.0").
	Format, Version string
	// Encoding is the encoding the bytes were read as.
	Encoding string
	// Bozo is feedparser's flag: the document was not well-formed or not
	// correctly labelled, and had to be recovered (or could not be parsed).
	Bozo bool
}

// Schema returns the names and keys the harness maps to feedparser's, and
// nothing else: an expectation that reads any other key is not applicable.
func Schema() map[string]*Shape {
	leaf := func() *Shape { return &Shape{} }
	dict := func(keys ...string) *Shape {
		s := &Shape{Keys: map[string]*Shape{}}
		for _, k := range keys {
			s.Keys[k] = leaf()
		}
		return s
	}
	list := func(elem *Shape) *Shape { return &Shape{Elem: elem} }
	person := func() *Shape { return dict("name", "email") }

	feed := dict("title", "link", "subtitle", "tagline", "description", "language",
		"updated", "updated_parsed", "modified", "modified_parsed", "date", "date_parsed",
		"published", "published_parsed", "issued", "issued_parsed",
		"author", "rights", "copyright", "generator", "category")
	feed.Keys["title_detail"] = dict("value")
	feed.Keys["subtitle_detail"] = dict("value")
	feed.Keys["tagline_detail"] = dict("value")
	feed.Keys["author_detail"] = person()
	feed.Keys["authors"] = list(person())
	feed.Keys["tags"] = list(dict("term"))
	feed.Keys["image"] = dict("href", "title")

	entry := dict("title", "link", "id", "guid", "summary", "description",
		"updated", "updated_parsed", "modified", "modified_parsed", "date", "date_parsed",
		"published", "published_parsed", "issued", "issued_parsed",
		"author", "category")
	entry.Keys["title_detail"] = dict("value")
	entry.Keys["summary_detail"] = dict("value")
	entry.Keys["content"] = list(dict("value"))
	entry.Keys["author_detail"] = person()
	entry.Keys["authors"] = list(person())
	entry.Keys["tags"] = list(dict("term"))
	entry.Keys["enclosures"] = list(dict("href", "type", "length"))

	return map[string]*Shape{
		"feed":     feed,
		"entries":  list(entry),
		"bozo":     leaf(),
		"encoding": leaf(),
		"version":  leaf(),
	}
}

// Env maps a parse to feedparser's result keys. Keys whose value is absent
// are left out, as feedparser leaves them out, so reading them is a KeyError.
func Env(p Parsed) map[string]any {
	feed := Dict{}
	entries := List{}
	if f := p.Feed; f != nil {
		setText(feed, "title", f.Title)
		set(feed, "link", f.Link)
		setText(feed, "subtitle", f.Description)
		set(feed, "tagline", f.Description)
		set(feed, "tagline_detail", detail(f.Description))
		set(feed, "description", f.Description)
		set(feed, "language", f.Language)
		setDate(feed, "updated", f.Updated, f.UpdatedParsed, "modified", "date")
		setDate(feed, "published", f.Published, f.PublishedParsed, "issued")
		setPeople(feed, f.Authors, f.Author)
		set(feed, "rights", f.Copyright)
		set(feed, "copyright", f.Copyright)
		set(feed, "generator", f.Generator)
		setTags(feed, f.Categories)
		if f.Image != nil && (f.Image.URL != "" || f.Image.Title != "") {
			img := Dict{}
			set(img, "href", f.Image.URL)
			set(img, "title", f.Image.Title)
			feed["image"] = img
		}
		for _, it := range f.Items {
			if it == nil {
				continue
			}
			e := Dict{}
			setText(e, "title", it.Title)
			set(e, "link", it.Link)
			set(e, "id", it.GUID)
			set(e, "guid", it.GUID)
			// feedparser's summary falls back to the first content.
			summary := it.Description
			if summary == "" {
				summary = it.Content
			}
			setText(e, "summary", summary)
			set(e, "description", summary)
			if it.Content != "" {
				e["content"] = List{Dict{"value": it.Content}}
			}
			setDate(e, "updated", it.Updated, it.UpdatedParsed, "modified", "date")
			setDate(e, "published", it.Published, it.PublishedParsed, "issued")
			setPeople(e, it.Authors, it.Author)
			setTags(e, it.Categories)
			if len(it.Enclosures) > 0 {
				encs := List{}
				for _, enc := range it.Enclosures {
					if enc == nil {
						continue
					}
					d := Dict{}
					set(d, "href", enc.URL)
					set(d, "type", enc.Type)
					set(d, "length", enc.Length)
					encs = append(encs, d)
				}
				e["enclosures"] = encs
			}
			entries = append(entries, e)
		}
	}
	return map[string]any{
		"feed":     feed,
		"entries":  entries,
		"bozo":     p.Bozo,
		"encoding": p.Encoding,
		"version":  feedparserVersion(p.Format, p.Version),
	}
}

func set(d Dict, key string, v any) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return
		}
	case Dict:
		if x == nil {
			return
		}
	}
	d[key] = v
}

// setText sets key and key_detail.value.
func setText(d Dict, key, v string) {
	if v == "" {
		return
	}
	d[key] = v
	d[key+"_detail"] = detail(v)
}

func detail(v string) Dict {
	if v == "" {
		return nil
	}
	return Dict{"value": v}
}

// setDate sets the raw date, its parsed 9-tuple, and feedparser's aliases.
func setDate(d Dict, key, raw string, parsed *time.Time, aliases ...string) {
	raw = strings.TrimSpace(raw)
	for _, k := range append([]string{key}, aliases...) {
		set(d, k, raw)
		if parsed != nil {
			d[k+"_parsed"] = timeTuple(*parsed)
		}
	}
}

// timeTuple is Python's time.struct_time in UTC, as feedparser gives dates.
func timeTuple(t time.Time) Tuple {
	t = t.UTC()
	wd := (int64(t.Weekday()) + 6) % 7 // Monday = 0
	return Tuple{int64(t.Year()), int64(t.Month()), int64(t.Day()), int64(t.Hour()),
		int64(t.Minute()), int64(t.Second()), wd, int64(t.YearDay()), int64(0)}
}

// setPeople sets author ("name (email)" as feedparser joins them),
// author_detail and authors.
func setPeople(d Dict, people []*gofeed.Person, first *gofeed.Person) {
	if len(people) == 0 && first != nil {
		people = []*gofeed.Person{first}
	}
	var list List
	for _, p := range people {
		if p == nil || p.Name == "" && p.Email == "" {
			continue
		}
		pd := Dict{}
		set(pd, "name", p.Name)
		set(pd, "email", p.Email)
		list = append(list, pd)
	}
	if len(list) == 0 {
		return
	}
	d["authors"] = list
	d["author_detail"] = list[0]
	p := people[0]
	switch {
	case p.Name != "" && p.Email != "":
		d["author"] = p.Name + " (" + p.Email + ")"
	case p.Name != "":
		d["author"] = p.Name
	default:
		d["author"] = p.Email
	}
}

func setTags(d Dict, cats []string) {
	var tags List
	for _, c := range cats {
		if c != "" {
			tags = append(tags, Dict{"term": c})
		}
	}
	if len(tags) == 0 {
		return
	}
	d["tags"] = tags
	d["category"] = cats[0]
}

// feedparserVersion spells a format and version as feedparser's `version`.
func feedparserVersion(format, version string) string {
	switch format {
	case "rss":
		switch version {
		case "0.90", "0.9":
			return "rss090"
		case "0.91":
			return "rss091u" // feedparser's rss091n needs Netscape's DOCTYPE, not modelled
		case "1.0":
			return "rss10"
		}
		if strings.HasPrefix(version, "2.") {
			return "rss20" // feedparser reads 2.01, 2.1 ... as 2.0
		}
		return "rss" + strings.ReplaceAll(version, ".", "")
	case "atom":
		return "atom" + strings.ReplaceAll(version, ".", "")
	case "cdf":
		return "cdf"
	case "json":
		return "json" + strings.TrimSuffix(strings.ReplaceAll(version, ".", ""), "0")
	}
	return ""
}
