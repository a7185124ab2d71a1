package normalize

import (
	"net/url"
	"strings"
	"sync"
	"weak"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/language"
)

// feedContext is what normalising an item needs from its feed and source
// that is the same for every item of the feed: the base URL, the outlet's
// rule sets, the site names and the feed's language. Item builds it once
// per feed (see contextCache) instead of once per item.
type feedContext struct {
	// What the context was derived from: a cached context is used again
	// only while these are unchanged.
	src                              Source
	title, feedLink, link, feedLang0 string
	feedDCLang                       string

	base    *url.URL // nil when the feed gives no absolute URL
	baseStr string   // base.String(), "" for nil
	outlet  string   // cleanLine(src.Outlet)
	lang    string   // the language of items that name none

	named     *RuleSet   // the outlet's rule set by name, or nil
	feedNames []string   // Keys of the outlet name, feed title and its segments
	hosted    []*RuleSet // every rule set with hosts (the Normalizer's)

	mu     sync.Mutex
	byHost map[string]*itemRules // by the hostname of the item's content base
}

// itemRules is the rule selection for the items of a feed whose content
// base has one host.
type itemRules struct {
	sets      []*RuleSet
	index     *ruleIndex
	siteKeys  []string // Keys of every site name (stripSiteAffixes)
	minRepeat int
}

// feedDCLanguage is the feed's first Dublin Core language, "" if none.
func feedDCLanguage(f *gofeed.Feed) string {
	if f.DublinCoreExt != nil && len(f.DublinCoreExt.Language) > 0 {
		return f.DublinCoreExt.Language[0]
	}
	return ""
}

func (n *Normalizer) newFeedContext(src Source, f *gofeed.Feed) *feedContext {
	fc := &feedContext{
		src: src, title: f.Title, feedLink: f.FeedLink, link: f.Link, feedLang0: f.Language,
		feedDCLang: feedDCLanguage(f),
		base:       parseBase(src.FeedURL, f.FeedLink, f.Link),
		outlet:     cleanLine(src.Outlet),
		named:      n.outlets[Key(src.Outlet)],
		hosted:     n.hosted,
		byHost:     make(map[string]*itemRules, 1),
	}
	if fc.base != nil {
		fc.baseStr = fc.base.String()
	}
	fc.lang = parseLanguage(f.Language, fc.feedDCLang, src.Language)
	names := []string{src.Outlet}
	if t := cleanLine(htmlToText(cleanString(f.Title))); t != "" {
		names = append(names, t)
		names = append(names, splitAffixes(t)...)
	}
	fc.feedNames = siteKeys(nil, names)
	return fc
}

// matches reports whether fc was derived from src and f as they are now.
func (fc *feedContext) matches(src Source, f *gofeed.Feed) bool {
	return fc.src == src && fc.title == f.Title && fc.feedLink == f.FeedLink && fc.link == f.Link &&
		fc.feedLang0 == f.Language && fc.feedDCLang == feedDCLanguage(f)
}

// rules returns the rule selection for an item whose content base is
// contentBase: the outlet's set (by name), the sets whose hosts match the
// feed's or the item's host, then the generic set.
func (fc *feedContext) rules(n *Normalizer, contentBase *url.URL) *itemRules {
	host := ""
	if contentBase != nil {
		host = contentBase.Hostname()
	}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if ir, ok := fc.byHost[host]; ok {
		return ir
	}
	var sets []*RuleSet
	if fc.named != nil {
		sets = append(sets, fc.named)
	}
	for _, rs := range fc.hosted {
		if containsSet(sets, rs) {
			continue
		}
		for _, b := range []*url.URL{fc.base, contentBase} {
			if b != nil && hostMatches(b.Hostname(), rs.Hosts) {
				sets = append(sets, rs)
				break
			}
		}
	}
	sets = append(sets, &n.generic)
	ir := &itemRules{sets: sets, index: newRuleIndex(sets), minRepeat: defaultMinRepeatChars}
	ir.siteKeys = append([]string(nil), fc.feedNames...)
	for _, rs := range sets {
		ir.siteKeys = siteKeys(ir.siteKeys, rs.SiteNames)
	}
	for _, rs := range sets {
		if rs.MinRepeatChars > 0 {
			ir.minRepeat = rs.MinRepeatChars
			break
		}
	}
	if len(fc.byHost) >= maxHostsPerFeed {
		clear(fc.byHost)
	}
	fc.byHost[host] = ir
	return ir
}

// maxHostsPerFeed bounds the rule selections a feed context keeps (a feed
// linking to many hosts recomputes them).
const maxHostsPerFeed = 16

// siteKeys appends the non-empty Keys of names to keys.
func siteKeys(keys, names []string) []string {
	for _, n := range names {
		if k := Key(n); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// parseLanguage returns the first candidate that parses as a BCP 47 tag
// (underscores read as hyphens), canonicalised, or "".
func parseLanguage(cands ...string) string {
	for _, c := range cands {
		c = strings.TrimSpace(cleanString(c))
		if c == "" {
			continue
		}
		if tag, err := language.Parse(strings.ReplaceAll(c, "_", "-")); err == nil {
			return tag.String()
		}
	}
	return ""
}

// contextCache keeps the feed contexts of the feeds being normalised, so
// that Item called for each index of one feed derives the context once. It
// holds the feeds weakly: a context never keeps a feed alive, and an entry
// whose feed was collected is never matched again.
type contextCache struct {
	mu sync.Mutex
	m  map[weak.Pointer[gofeed.Feed]]*feedContext
}

// maxCachedFeeds bounds the cache; the poller normalises a few feeds at a
// time (one per worker).
const maxCachedFeeds = 64

func (n *Normalizer) feedContext(src Source, f *gofeed.Feed) *feedContext {
	key := weak.Make(f)
	c := &n.contexts
	c.mu.Lock()
	fc, ok := c.m[key]
	c.mu.Unlock()
	if ok && fc.matches(src, f) {
		return fc
	}
	fc = n.newFeedContext(src, f)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[weak.Pointer[gofeed.Feed]]*feedContext)
	}
	if len(c.m) >= maxCachedFeeds {
		for k := range c.m {
			if k.Value() == nil {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxCachedFeeds {
			clear(c.m)
		}
	}
	c.m[key] = fc
	return fc
}
