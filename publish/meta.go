// Package publish renders stored news items as the documents topicfeed
// serves: RSS 2.0, Atom 1.0 and JSON Feed 1.1 (built from gorilla/feeds'
// exported structs, adjusted before marshalling), HTML pages and OPML.
//
// Every renderer is a pure function of its input: the same items and Meta
// give the same bytes, so callers can cache and hash the output. Strings are
// cleaned of control characters and invalid UTF-8 before marshalling, so the
// XML is well-formed whatever the outlets sent.
package publish

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// Generator names topicfeed in the feeds it writes.
const Generator = "topicfeed"

// ExtensionAbout documents the `_topicfeed` JSON Feed extension object.
const ExtensionAbout = "https://github.com/topicfeed/topicfeed/blob/main/publish/README.md#json-feed-extension-_topicfeed"

// Meta describes one published feed document.
type Meta struct {
	Title       string
	Description string
	// Link is the absolute URL of the HTML page the feed belongs to, e.g.
	// base_url + "/".
	Link string
	// SelfURL is the absolute URL of this feed document (atom:link rel="self",
	// Atom feed id, JSON feed_url).
	SelfURL string
	// Language is the feed's BCP 47 language ("en"); optional.
	Language string
	// HubURL is the WebSub hub advertised with rel="hub"; optional.
	HubURL string
	// Updated is the feed's date. When zero it is the newest entry's
	// update, which is what it should be for a feed with entries. A feed
	// without entries has no such date: the caller gives when the feed's
	// content last changed (the web server gives the document's
	// Last-Modified), never time.Now at each render, so that an unchanged
	// feed keeps its bytes; without it, the Unix epoch.
	Updated time.Time

	// BaseURL is the site root that entry ids and item pages hang off
	// (base_url + "/items/" + UID). When empty it is Link without its
	// trailing slash.
	BaseURL string
	// OutletFeeds maps an outlet name to the URL of its feed, used for the
	// RSS <source url> and Atom <source> of each entry; optional.
	OutletFeeds map[string]string
	// TTL is the poll interval announced in RSS <ttl>; optional.
	TTL time.Duration
	// PerStory says that each item stands for its whole story (news.Query
	// PerStory): an entry's id is then its story's (base + "/stories/" +
	// StoryID), which stays the same when an earlier report of the story
	// turns up later and becomes the story's representative item. Items
	// without a story keep their own id.
	PerStory bool
}

// FeedDoc is one of the site's feed documents: which feed, in which
// format.
type FeedDoc struct {
	// Title is the feed's title.
	Title string
	// Page is the site path of the HTML page the feed belongs to ("/",
	// "/tags/drones"); Path is the document's, without its extension
	// ("/feed", "/tags/drones"). Both are escaped.
	Page, Path string
	// Ext is the format's extension: "atom", "rss" or "json".
	Ext string
	// PerStory: one entry per story (Meta.PerStory).
	PerStory bool
}

// MergedFeed is the site's merged feed, titled title, whose page is the
// front page.
func MergedFeed(title string) FeedDoc {
	return FeedDoc{Title: title, Page: "/", Path: "/feed"}
}

// TagFeed is the feed of one tag, titled after the site's; the tag is
// escaped in its paths.
func TagFeed(siteTitle, tag string) FeedDoc {
	p := "/tags/" + url.PathEscape(tag)
	return FeedDoc{Title: siteTitle + ": " + tag, Page: p, Path: p}
}

// TopicFeed is the feed of one topic, titled after the site's; the topic
// is escaped in its paths, which its entries' topic categories name
// (scheme base_url + "/topics/", term the topic).
func TopicFeed(siteTitle, topic string) FeedDoc {
	p := "/topics/" + url.PathEscape(topic)
	return FeedDoc{Title: siteTitle + ": " + topic, Page: p, Path: p}
}

// OutletFeed is the feed of one outlet, titled after the site's and known
// by its slug in its paths.
func OutletFeed(siteTitle, outlet, slug string) FeedDoc {
	p := "/outlets/" + url.PathEscape(slug)
	return FeedDoc{Title: siteTitle + ": " + outlet, Page: p, Path: p}
}

// FeedMeta describes the feed document d of site for the renderers. It is
// the one description of a feed: the web server's feeds and `topicfeed
// export` both use it, so that an export is the document the server
// publishes. The outlets' feed URLs (an outlet's own URL when it has no
// feed URL) credit each entry's source; they are redacted with
// news.RedactURL, because a configured URL may carry a credential
// (?token=, user:password@) that must not be published. Meta.Updated is
// left to the renderers, which take the newest entry's.
func FeedMeta(site Site, d FeedDoc, outlets []news.OutletState) Meta {
	base := strings.TrimRight(site.BaseURL, "/")
	feeds := make(map[string]string, len(outlets))
	for _, o := range outlets {
		feeds[o.Name] = news.RedactURL(cmp.Or(o.FeedURL, o.URL))
	}
	return Meta{
		Title:       d.Title,
		Description: site.Description,
		Link:        base + d.Page,
		SelfURL:     base + d.Path + "." + d.Ext,
		Language:    site.Language,
		HubURL:      site.HubURL,
		BaseURL:     base,
		OutletFeeds: feeds,
		TTL:         site.TTL,
		PerStory:    d.PerStory,
	}
}

// base returns the site root without a trailing slash, or "" when Meta
// gives no absolute one.
func (m Meta) base() string {
	b := m.BaseURL
	if b == "" {
		b = m.Link
	}
	return strings.TrimRight(absURL(b), "/")
}

// updated returns the feed's update time: Meta.Updated, else the newest
// entry date, else the Unix epoch (a stable value for an empty feed whose
// caller gave none).
func (m Meta) updated(entries []entry) time.Time {
	u := m.Updated
	if u.IsZero() {
		for _, e := range entries {
			if e.updated.After(u) {
				u = e.updated
			}
		}
	}
	if u.IsZero() {
		u = time.Unix(0, 0)
	}
	return u.UTC().Truncate(time.Second)
}

// itemURL returns the absolute URL of an item's page on the site (also the
// entry id in every feed format).
func itemURL(base, uid string) string {
	return strings.TrimRight(base, "/") + "/items/" + url.PathEscape(uid)
}

// category is one entry category: a tag or a topic.
type category struct {
	term   string
	scheme string // base_url + "/tags/" or "/topics/"
}

// link is another outlet's coverage of the entry's story.
type link struct {
	outlet string
	url    string
}

// entry is the format-independent view of one item that every renderer
// writes out. All strings are already cleaned.
type entry struct {
	id        string
	link      string
	title     string
	summary   string // plain text
	content   string // sanitised HTML, with the other coverage appended
	published time.Time
	updated   time.Time
	authors   []string
	outlet    string
	outletURL string // the outlet's feed URL, when known
	language  string
	image     string
	enclosure []news.Enclosure
	tags      []string
	topics    []string
	cats      []category
	related   []link // other outlets' copies (not this entry's own URL)
	sources   []link // every copy, this one included
	story     string
	score     float64

	// grouping says why the item is in its story (news.Item.StoryWhy);
	// relatedStory is a story related to the item's (news.Item.RelatedStory).
	grouping, relatedStory string
}

// entries turns items into cleaned entries, in the given order.
func entries(m Meta, items []news.Item) []entry {
	out := make([]entry, 0, len(items))
	base := m.base()
	for _, it := range items {
		out = append(out, newEntry(m, base, it))
	}
	return out
}

func newEntry(m Meta, base string, it news.Item) entry {
	key := entryKey(it)
	id := entryID(base, key)
	if story := clean(it.StoryID); m.PerStory && story != "" {
		id = storyID(base, story)
	}
	e := entry{
		id:       id,
		title:    clean(it.Title),
		summary:  clean(it.Summary),
		outlet:   clean(it.Outlet),
		language: clean(it.Language),
		image:    absURL(it.Image),
		story:    clean(it.StoryID),
		score:    float64(int64(it.Score*1000+0.5)) / 1000,
	}
	if it.Score < 0 {
		e.score = 0
	}
	e.grouping, e.relatedStory = clean(it.StoryWhy), clean(it.RelatedStory)
	e.link = absURL(it.URL)
	if e.link == "" {
		e.link = e.id
	}
	if e.title == "" {
		e.title = untitled(e.summary, clean(it.Text))
	}
	if e.outlet == "" {
		e.outlet = clean(m.Title)
	}
	if e.story == "" {
		e.story = key // a story of one
	}
	if fu, ok := m.OutletFeeds[it.Outlet]; ok {
		e.outletURL = absURL(fu)
	}
	e.published = firstNonZero(it.Published, it.FirstSeen, it.Updated).UTC().Truncate(time.Second)
	e.updated = firstNonZero(it.Updated, e.published).UTC().Truncate(time.Second)
	if e.updated.Before(e.published) {
		e.updated = e.published
	}
	for _, a := range it.Authors {
		if a = clean(a); a != "" {
			e.authors = append(e.authors, a)
		}
	}
	for _, enc := range it.Enclosures {
		if u := absURL(enc.URL); u != "" {
			e.enclosure = append(e.enclosure, news.Enclosure{URL: u, Type: clean(enc.Type), Length: max(enc.Length, 0)})
		}
	}
	e.tags = cleanSet(it.Tags)
	e.topics = cleanSet(it.Topics)
	for _, t := range e.tags {
		e.cats = append(e.cats, category{term: t, scheme: scheme(base, "/tags/")})
	}
	for _, t := range e.topics {
		e.cats = append(e.cats, category{term: t, scheme: scheme(base, "/topics/")})
	}

	// Every outlet's copy is credited, even one at the same URL (a
	// syndicated article carried by two feeds).
	seen := map[link]bool{}
	own := link{outlet: e.outlet, url: e.link}
	addSource := func(outlet, u string) {
		u = absURL(u)
		if u == "" {
			return
		}
		l := link{outlet: cmp.Or(clean(outlet), hostOf(u)), url: u}
		if seen[l] {
			return
		}
		seen[l] = true
		e.sources = append(e.sources, l)
		if l != own {
			e.related = append(e.related, l)
		}
	}
	addSource(it.Outlet, it.URL)
	for _, s := range it.Sources {
		addSource(s.Outlet, s.URL)
	}
	if len(e.sources) == 0 {
		// No absolute URL from the outlet: its copy is our item page.
		e.sources = []link{{outlet: e.outlet, url: e.link}}
	}
	e.content = contentWithCoverage(clean(it.ContentHTML), e.related)
	return e
}

// storyID is the permanent id of a per-story entry: its story's page on
// the site, or a URN when no absolute site URL is configured.
func storyID(base, story string) string {
	if base == "" {
		return "urn:topicfeed:story:" + url.PathEscape(story)
	}
	return strings.TrimRight(base, "/") + "/stories/" + url.PathEscape(story)
}

// entryID is the entry's permanent id: its page on the site, or, when no
// absolute site URL is configured, a URN that is just as stable.
func entryID(base, key string) string {
	if base == "" {
		return "urn:topicfeed:item:" + url.PathEscape(key)
	}
	return itemURL(base, key)
}

func scheme(base, path string) string {
	if base == "" {
		return ""
	}
	return base + path
}

// entryKey is the key of the entry's permanent id (the item's page on the
// site): the UID storage assigned. An item without a UID (not stored yet)
// gets a hash of its outlet, GUID and URL instead, which is just as stable.
func entryKey(it news.Item) string {
	if uid := clean(it.UID); uid != "" {
		return uid
	}
	sum := sha256.Sum256([]byte(it.Outlet + "\x00" + it.GUID + "\x00" + it.URL))
	return "h-" + hex.EncodeToString(sum[:12])
}

// absURL returns u cleaned if it is an absolute http(s) URL, else "".
func absURL(u string) string {
	u = strings.TrimSpace(clean(u))
	if u == "" {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Hostname() == "" {
		return ""
	}
	return p.String()
}

func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Hostname() == "" {
		return u
	}
	if h := strings.TrimPrefix(p.Hostname(), "www."); h != "" {
		return h
	}
	return p.Hostname() // "www." itself
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Unix(0, 0)
}

// untitled makes a title from the start of the text when the item has none.
func untitled(summary, text string) string {
	s := cmp.Or(summary, text)
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(untitled)"
	}
	const limit = 80
	if r := []rune(s); len(r) > limit {
		s = strings.TrimSpace(string(r[:limit])) + "…"
	}
	return s
}

// cleanSet cleans a list of names, dropping empty ones and repeats.
func cleanSet(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(clean(s))
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}
