package publish

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/url"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/topicfeed/topicfeed/news"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Site is what every HTML page shows about the site.
type Site struct {
	Title       string
	Description string
	Language    string
	// BaseURL is the public root, for canonical links.
	BaseURL string
	// HubURL is the WebSub hub, advertised with <link rel="hub">.
	HubURL string
	// TTL is the poll interval its feeds announce (Meta.TTL).
	TTL time.Duration
	// Tags are the site's tags, listed in every page's navigation.
	Tags []string
}

// FeedLink is a feed a page advertises with <link rel="alternate">.
type FeedLink struct {
	Title string // "Atom", "RSS", "JSON Feed"
	Type  string // "application/atom+xml", ...
	Href  string
}

// ListPage is a page of stories: the front page, a tag or an outlet.
type ListPage struct {
	Site    Site
	Heading string
	Intro   string
	// Path is the page's path on the site ("/", "/tags/drones").
	Path  string
	Feeds []FeedLink
	Items []news.Item
	// Alert, if set, is a banner saying that outlets are failing.
	Alert *OutletAlert
}

// OutletAlert is the banner of a page whose outlets are failing: how
// many of how many, and a few of their last errors.
type OutletAlert struct {
	Failing, Total int
	Errors         []OutletError
}

// OutletError is one failing outlet's last error, in words, with any
// credentials of its URL already redacted.
type OutletError struct {
	Outlet, Error string
}

// StoryPage shows one item in full with the rest of its story's coverage.
type StoryPage struct {
	Site  Site
	Path  string
	Feeds []FeedLink
	Item  news.Item
	// Related are the other stored items of the same story.
	Related []news.Item
	// RelatedStories are other stories this one is related to but that
	// are not part of it (replies, reactions, follow-ups), either way.
	RelatedStories []RelatedStory
}

// RelatedStory is a story a story page links to at /stories/{ID}.
type RelatedStory struct {
	ID string
	// Item is one of its write-ups, whose headline, outlet and time the
	// link shows; without one (the zero Item) the link shows the id.
	Item news.Item
}

// OutletsPage shows each outlet's polling health.
type OutletsPage struct {
	Site    Site
	Path    string
	Feeds   []FeedLink
	Outlets []news.OutletState
	// OnTopic is the number of on-topic items each outlet carried (what its
	// page and feeds select from), by outlet name; nil when not counted.
	OnTopic map[string]int
}

// IndexPage lists the site's tags or topics (/tags, /topics).
type IndexPage struct {
	Site    Site
	Heading string
	Intro   string
	Path    string
	Feeds   []FeedLink
	Entries []IndexEntry
}

// IndexEntry is one tag or topic of an index: its page is at Path, its
// feeds at Path + ".atom" etc.
type IndexEntry struct {
	Name string
	Path string
	// Count is the number of on-topic items it has, when Counted.
	Count   int
	Counted bool
}

// HTML renders topicfeed's server-side pages. It is safe for concurrent use.
type HTML struct {
	pages  map[string]*template.Template
	policy *bluemonday.Policy
}

// NewHTML parses the page templates.
func NewHTML() (*HTML, error) {
	h := &HTML{pages: map[string]*template.Template{}, policy: bluemonday.UGCPolicy()}
	h.policy.RequireNoFollowOnLinks(true)
	h.policy.RequireNoReferrerOnLinks(true)
	base, err := template.New("layout.html").Funcs(h.funcs()).ParseFS(templateFiles, "templates/layout.html", "templates/alert.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout template: %w", err)
	}
	for _, name := range []string{"list", "story", "outlets", "index"} {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone layout for %s: %w", name, err)
		}
		if _, err := t.ParseFS(templateFiles, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("parse %s template: %w", name, err)
		}
		h.pages[name] = t
	}
	return h, nil
}

// pageData is what the layout reads, whatever the page.
type pageData struct {
	Site      Site
	Heading   string
	Canonical string
	Feeds     []FeedLink
	Intro     string
	Items     []news.Item
	Item      *news.Item
	Related   []news.Item
	Outlets   []news.OutletState
	OnTopic   map[string]int
	Entries   []IndexEntry
	Alert     *OutletAlert

	RelatedStories []storyLink
}

// storyLink is a link to another story's page, for the templates.
type storyLink struct {
	Path  string
	Title string
	// Item is the write-up the link shows, or nil.
	Item *news.Item
}

// List renders a page of stories.
func (h *HTML) List(p ListPage) ([]byte, error) {
	return h.render("list", pageData{Site: p.Site, Heading: p.Heading, Canonical: canonical(p.Site, p.Path),
		Feeds: p.Feeds, Intro: p.Intro, Items: cleanItems(p.Items), Alert: p.Alert})
}

// Story renders one story's page.
func (h *HTML) Story(p StoryPage) ([]byte, error) {
	it := cleanItem(p.Item)
	return h.render("story", pageData{Site: p.Site, Heading: it.Title, Canonical: canonical(p.Site, p.Path),
		Feeds: p.Feeds, Item: &it, Related: cleanItems(p.Related), RelatedStories: storyLinks(p.RelatedStories)})
}

// storyLinks returns the links to related stories, skipping any without
// an id.
func storyLinks(stories []RelatedStory) []storyLink {
	var out []storyLink
	for _, r := range stories {
		id := clean(r.ID)
		if id == "" {
			continue
		}
		l := storyLink{Path: "/stories/" + url.PathEscape(id), Title: id}
		if !isZeroItem(r.Item) {
			it := cleanItem(r.Item)
			l.Title, l.Item = it.Title, &it
		}
		out = append(out, l)
	}
	return out
}

// isZeroItem reports whether it carries nothing a link could show.
func isZeroItem(it news.Item) bool {
	return it.Title == "" && it.Summary == "" && it.Text == "" && it.Outlet == "" && it.Published.IsZero()
}

// cleanItem returns a copy of it with the strings pages show cleaned of
// control characters and invalid UTF-8, and a title when it has none.
func cleanItem(it news.Item) news.Item {
	it.Title = clean(it.Title)
	it.Summary = clean(it.Summary)
	it.Outlet = clean(it.Outlet)
	it.StoryWhy = clean(it.StoryWhy)
	if it.Title == "" {
		it.Title = untitled(it.Summary, clean(it.Text))
	}
	it.Tags = cleanSet(it.Tags)
	srcs := make([]news.Source, len(it.Sources))
	for i, s := range it.Sources {
		s.Outlet = clean(s.Outlet)
		srcs[i] = s
	}
	it.Sources = srcs
	return it
}

func cleanItems(items []news.Item) []news.Item {
	out := make([]news.Item, len(items))
	for i, it := range items {
		out[i] = cleanItem(it)
	}
	return out
}

// Outlets renders the outlets' health page.
func (h *HTML) Outlets(p OutletsPage) ([]byte, error) {
	return h.render("outlets", pageData{Site: p.Site, Heading: "Outlets", Canonical: canonical(p.Site, p.Path),
		Feeds: p.Feeds, Outlets: p.Outlets, OnTopic: p.OnTopic})
}

// Index renders an index of tags or topics.
func (h *HTML) Index(p IndexPage) ([]byte, error) {
	entries := make([]IndexEntry, 0, len(p.Entries))
	for _, e := range p.Entries {
		if e.Name = clean(e.Name); e.Name != "" {
			entries = append(entries, e)
		}
	}
	return h.render("index", pageData{Site: p.Site, Heading: p.Heading, Canonical: canonical(p.Site, p.Path),
		Feeds: p.Feeds, Intro: p.Intro, Entries: entries})
}

func (h *HTML) render(page string, d pageData) ([]byte, error) {
	if d.Site.Title == "" {
		d.Site.Title = Generator
	}
	d.Site.Tags = cleanSet(d.Site.Tags)
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", d); err != nil {
		return nil, fmt.Errorf("render %s page: %w", page, err)
	}
	return buf.Bytes(), nil
}

func canonical(s Site, path string) string {
	if s.BaseURL == "" || path == "" {
		return ""
	}
	return absURL(trimSlash(s.BaseURL) + path)
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// source is a link to one outlet's copy, for the templates.
type source struct {
	Outlet string
	URL    string
}

func (h *HTML) funcs() template.FuncMap {
	return template.FuncMap{
		"date": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
		"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"after": func(a, b time.Time) bool {
			return a.Truncate(time.Minute).After(b.Truncate(time.Minute))
		},
		"itemPath":   func(it news.Item) string { return "/items/" + url.PathEscape(entryKey(it)) },
		"tagPath":    func(tag string) string { return "/tags/" + url.PathEscape(tag) },
		"outletPath": func(slug string) string { return "/outlets/" + url.PathEscape(slug) },
		"link": func(it news.Item) string {
			if u := absURL(it.URL); u != "" {
				return u
			}
			return "/items/" + url.PathEscape(entryKey(it))
		},
		// content re-sanitises stored HTML: it is sanitised at ingest, and
		// this page is on our own origin, so a second, strict pass costs
		// little and guards against a rule that let something through.
		"content": func(s string) template.HTML {
			return template.HTML(h.policy.Sanitize(clean(s))) // #nosec G203 -- sanitised just above
		},
		"others": func(it news.Item) []source {
			own := source{Outlet: clean(it.Outlet), URL: absURL(it.URL)}
			seen := map[source]bool{own: true}
			var out []source
			for _, s := range it.Sources {
				u := absURL(s.URL)
				if u == "" {
					continue
				}
				src := source{Outlet: clean(s.Outlet), URL: u}
				if src.Outlet == "" {
					src.Outlet = hostOf(u)
				}
				if seen[src] {
					continue
				}
				seen[src] = true
				out = append(out, src)
			}
			return out
		},
	}
}
