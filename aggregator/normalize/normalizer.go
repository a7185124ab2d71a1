package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"golang.org/x/net/html"

	"github.com/topicfeed/topicfeed/news"
)

// Normalizer turns parsed feeds into news.Items. It is safe for concurrent
// use.
type Normalizer struct {
	generic RuleSet
	outlets map[string]*RuleSet // by Key(outlet name)
	hosted  []*RuleSet          // outlet rule sets with hosts
	urls    urlPolicy
	policy  *bluemonday.Policy
	// trackers is the union of every rule set's tracker hosts.
	trackers []string
	// contexts caches per-feed context for Item.
	contexts contextCache
	// maxItem is the cap on an item's raw content and description, its
	// Text and its ContentHTML, in bytes (Rules.MaxItemBytes).
	maxItem int
}

// Source describes where a feed came from.
type Source struct {
	// Outlet is the configured outlet name.
	Outlet string
	// FeedURL is the URL the feed was fetched from; relative links are
	// resolved against it.
	FeedURL string
	// Language is the outlet's configured language (BCP 47), used when the
	// feed names none.
	Language string
	// Location is the outlet's time zone, used for dates without a zone;
	// nil means UTC.
	Location *time.Location
}

const (
	summaryMax    = 300
	titleFromText = 100
	maxFuture     = 24 * time.Hour
	// titleMaxBytes caps a title, whatever Rules.MaxItemBytes; a raw
	// title (markup and entities included) is cut to titleRawMax before
	// it is cleaned.
	titleMaxBytes = 1000
	titleRawMax   = 4 * titleMaxBytes
)

// New returns a Normalizer applying rules r. Rules from DefaultRules or
// ParseRules are ready; hand-built ones are compiled here, and a hand-built
// rule whose expression does not compile is ignored (ParseRules reports
// such errors).
func New(r Rules) *Normalizer {
	n := &Normalizer{
		generic: r.Generic.compiled(),
		outlets: make(map[string]*RuleSet, len(r.Outlets)),
		maxItem: r.MaxItemBytes,
	}
	if n.maxItem <= 0 {
		n.maxItem = DefaultMaxItemBytes
	}
	extra := [][]string{r.Generic.TrackingParams}
	n.trackers = append(n.trackers, r.Generic.TrackerHosts...)
	// Sorted, so that when several outlets' hosts match, their rules apply
	// in a stable order.
	for _, name := range slices.Sorted(maps.Keys(r.Outlets)) {
		rs := r.Outlets[name].compiled()
		n.outlets[Key(name)] = &rs
		if len(rs.Hosts) > 0 {
			n.hosted = append(n.hosted, &rs)
		}
		extra = append(extra, rs.TrackingParams)
		n.trackers = append(n.trackers, rs.TrackerHosts...)
	}
	n.urls = newURLPolicy(extra...)
	n.policy = newPolicy()
	return n
}

// newPolicy is bluemonday's UGC policy, minus relative URLs (links are made
// absolute before sanitising), with links marked rel="nofollow noopener".
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow noopener$`)).OnElements("a")
	p.RequireNoFollowOnLinks(true)
	return p
}

// Feed normalises every item of f. Items with no link, no title and no
// content (neither text nor an image once sanitised) are skipped: nothing
// could identify or show them.
func (n *Normalizer) Feed(src Source, f *gofeed.Feed, now time.Time) []news.Item {
	if f == nil {
		return nil
	}
	fc := n.newFeedContext(src, f)
	out := make([]news.Item, 0, len(f.Items))
	for i := range f.Items {
		if f.Items[i] == nil {
			continue
		}
		if it, _, ok := n.item(fc, f, i, now, false); ok {
			out = append(out, it)
		}
	}
	return out
}

// Item normalises item i of f and reports what the boilerplate rules
// removed. ok is false for an item Feed would skip (no link, title or
// content) and for an index out of range. What the items of a feed share
// (base URL, rule sets, site names) is derived once per feed and reused
// while the feed and src are unchanged, so calling Item for every index of
// a feed costs no more than Feed.
func (n *Normalizer) Item(src Source, f *gofeed.Feed, i int, now time.Time) (item news.Item, rep Report, ok bool) {
	if f == nil || i < 0 || i >= len(f.Items) || f.Items[i] == nil {
		return news.Item{}, Report{}, false
	}
	return n.item(n.feedContext(src, f), f, i, now, false)
}

// ItemUnsanitized is Item without the sanitising: the item's content is
// left prepared in PendingHTML (NOT safe to publish) instead of sanitised
// into ContentHTML, for a caller that decides from the item's other
// fields (its title and Text, which do not depend on sanitising) whether
// the content will ever be published, and calls Sanitize only if so.
// Sanitize then gives the ContentHTML Item would have. An item that has
// neither link nor title is sanitised at once (whether it has content at
// all decides whether it is an item). rep.Truncated does not count a cut
// of the sanitised HTML.
func (n *Normalizer) ItemUnsanitized(src Source, f *gofeed.Feed, i int, now time.Time) (item news.Item, rep Report, ok bool) {
	if f == nil || i < 0 || i >= len(f.Items) || f.Items[i] == nil {
		return news.Item{}, Report{}, false
	}
	return n.item(n.feedContext(src, f), f, i, now, true)
}

// Sanitize sets it's ContentHTML from its PendingHTML (see
// ItemUnsanitized), the HTML Item would have given, and empties
// PendingHTML. An item without PendingHTML is left as it is.
func (n *Normalizer) Sanitize(it *news.Item) {
	if it.PendingHTML == "" {
		return
	}
	it.ContentHTML, _ = n.sanitizeRendered(it.PendingHTML)
	it.PendingHTML = ""
}

// maxPending caps, as a multiple of Rules.MaxItemBytes, the prepared HTML
// ItemUnsanitized leaves unsanitised (what storage keeps of an off-topic
// item); a larger one, never seen in practice (absolute links make the
// prepared HTML a little longer than the raw body, which is capped), is
// sanitised at once, as cutting it would change what sanitising gives.
const maxPending = 2

func (n *Normalizer) item(fc *feedContext, f *gofeed.Feed, i int, now time.Time, lazy bool) (item news.Item, rep Report, ok bool) {
	src := fc.src
	it := f.Items[i]
	now = now.UTC()
	feedBase := fc.base

	// Every field is cut to its cap before any work is done on it.
	rawTitleHTML, truncated := clipHTML(it.Title, titleRawMax)
	rawTitle := cleanLine(htmlToText(rawTitleHTML))
	if len(rawTitle) > titleMaxBytes {
		rawTitle, truncated = truncateBytes(rawTitle, titleMaxBytes), true
	}
	link := strings.TrimSpace(cleanString(it.Link))
	if link == "" && len(it.Links) > 0 {
		link = strings.TrimSpace(cleanString(it.Links[0]))
	}
	guid := cleanLine(it.GUID)
	if link == "" && isHTTPURL(guid) {
		link = guid
	}
	absLink := absoluteURL(link, feedBase)
	contentBase := feedBase
	if absLink != "" {
		if u, err := url.Parse(absLink); err == nil {
			contentBase = u
		}
	}
	ir := fc.rules(n, contentBase)
	sets := ir.sets

	// Body: the longer of content and description, each at most
	// n.maxItem bytes.
	content, cutContent := clipHTML(it.Content, n.maxItem)
	desc, cutDesc := clipHTML(it.Description, n.maxItem)
	truncated = truncated || cutContent || cutDesc
	body, other, bodyIsContent, rawBody := content, desc, true, it.Content
	if len(desc) > len(content) {
		body, other, bodyIsContent, rawBody = desc, content, false, it.Description
	}
	var titleKeys []string
	title := rawTitle
	if rawTitle != "" {
		titleKeys = []string{Key(rawTitle)}
		title = stripSiteAffixes(rawTitle, ir.siteKeys)
		if title != rawTitle {
			if k := Key(title); k != titleKeys[0] {
				titleKeys = append(titleKeys, k)
			}
		}
	}

	minRepeat := ir.minRepeat
	tree := parseContent(body)
	canonHint := prepareTree(tree, contentBase, n.trackers)
	paras, paraKeys, rep := applyRules(collectUnits(tree), ir.index, titleKeys, minRepeat)
	stripAltTexts(tree, sets)
	// Cleaning and joining can make the text longer than the raw body it
	// came from (plain text lines become paragraphs).
	var shortened bool
	if paras, paraKeys, shortened = cutParagraphs(paras, paraKeys, n.maxItem); shortened {
		truncated = true
	}
	text := strings.Join(paras, "\n\n")
	contentHTML, pendingHTML := "", ""
	if text != "" || firstImage(tree) != "" {
		rendered := renderChildren(tree, len(body))
		if lazy && (absLink != "" || rawTitle != "") && len(rendered) <= maxPending*n.maxItem {
			pendingHTML = rendered
		} else {
			var cut bool
			contentHTML, cut = n.sanitizeRendered(rendered)
			truncated = truncated || cut
		}
	}
	rep.Truncated = truncated

	if absLink == "" && rawTitle == "" && contentHTML == "" {
		return news.Item{}, rep, false
	}

	// URL: a canonical hint from the feed, else the item link.
	item.URL = n.canonical(feedCanonicalHint(f, i), fc.baseStr)
	if item.URL == "" {
		item.URL = n.canonical(link, fc.baseStr)
	}
	if canonHint != "" && (item.URL == "" || sameSite(canonHint, item.URL)) {
		if c := n.canonical(canonHint, fc.baseStr); c != "" {
			item.URL = c
		}
	}

	item.Outlet = fc.outlet
	item.Title = title
	if item.Title == "" {
		item.Title = firstSentence(strings.ReplaceAll(text, "\n\n", "\n"), titleFromText)
	}
	item.Text = text
	item.ContentHTML = contentHTML
	item.PendingHTML = pendingHTML
	item.Summary = n.summary(other, bodyIsContent, text, contentBase, ir.index, titleKeys, minRepeat)

	item.Authors = authors(it)
	item.Categories = categories(it.Categories)
	item.Language = itemLanguage(it, fc.lang)
	item.Enclosures = enclosures(it.Enclosures, contentBase)
	item.Image = itemImage(it, rawBody, contentBase, n.trackers)
	if item.Image == "" {
		item.Image = firstImage(tree)
	}

	item.FirstSeen = now
	item.Published, item.Updated = itemDates(it, src.Location, now)

	item.GUID = guid
	if item.GUID == "" {
		item.GUID = item.URL
	}
	// The keys of the kept paragraphs, already computed for deduplication,
	// stand for Key(text): the hash is of Key(title) NUL the keys joined by
	// newlines.
	titleKey := Key(item.Title)
	size := len(titleKey) + len(paraKeys)
	for _, k := range paraKeys {
		size += len(k)
	}
	h := make([]byte, 0, size)
	h = append(append(h, titleKey...), 0)
	for i, k := range paraKeys {
		if i > 0 {
			h = append(h, '\n')
		}
		h = append(h, k...)
	}
	sum := sha256.Sum256(h)
	item.ContentHash = hex.EncodeToString(sum[:])
	if item.GUID == "" {
		item.GUID = "urn:sha256:" + item.ContentHash
	}
	return item, rep, true
}

func containsSet(sets []*RuleSet, rs *RuleSet) bool {
	for _, s := range sets {
		if s == rs {
			return true
		}
	}
	return false
}

func (n *Normalizer) canonical(raw, base string) string {
	if strings.TrimSpace(raw) == "" {
		return ""
	}
	c, err := canonicalURL(raw, base, n.urls)
	if err != nil {
		return ""
	}
	return c
}

// summary is the cleaned other field (the description when the body came
// from content) or, failing that, the start of the text; at most summaryMax
// characters, without repeated sentences, ending at a sentence end or with
// "…" (see excerpt).
func (n *Normalizer) summary(other string, otherIsDesc bool, text string, base *url.URL, ix *ruleIndex, titleKeys []string, minRepeat int) string {
	if otherIsDesc && strings.TrimSpace(other) != "" {
		tree := parseContent(other)
		prepareTree(tree, base, n.trackers)
		paras, _, rep := applyRules(collectUnits(tree), ix, titleKeys, minRepeat)
		if len(paras) > 0 && !rep.KeptAll {
			return excerpt(strings.Join(paras, " "), text, summaryMax)
		}
	}
	return excerpt(strings.ReplaceAll(text, "\n\n", " "), "", summaryMax)
}

// feedCanonicalHint returns a canonical URL the feed gives for item i: an
// Atom link rel="canonical" (when the parser kept the original feed), an
// atom:link rel="canonical" inside an RSS item, or FeedBurner's origLink.
func feedCanonicalHint(f *gofeed.Feed, i int) string {
	if af, ok := f.OriginalFeed().(*atom.Feed); ok && af != nil && len(af.Entries) == len(f.Items) && af.Entries[i] != nil {
		for _, l := range af.Entries[i].Links {
			if l != nil && strings.EqualFold(l.Rel, "canonical") && l.Href != "" {
				return l.Href
			}
		}
	}
	it := f.Items[i]
	if it.Extensions != nil {
		for _, e := range it.Extensions["atom"]["link"] {
			if strings.EqualFold(e.Attrs["rel"], "canonical") && e.Attrs["href"] != "" {
				return e.Attrs["href"]
			}
		}
		for _, e := range it.Extensions["feedburner"]["origLink"] {
			if strings.TrimSpace(e.Value) != "" {
				return e.Value
			}
		}
	}
	return ""
}

// sameSite reports whether two absolute URLs share a registrable-ish host
// (equal hosts after dropping "www."), so an in-content canonical link can
// only move an item within its own site.
func sameSite(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	ha := strings.TrimPrefix(strings.ToLower(ua.Hostname()), "www.")
	hb := strings.TrimPrefix(strings.ToLower(ub.Hostname()), "www.")
	ha = strings.TrimPrefix(ha, "amp.")
	hb = strings.TrimPrefix(hb, "amp.")
	return ha != "" && ha == hb
}

func parseBase(candidates ...string) *url.URL {
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		u, err := url.Parse(c)
		if err == nil && u.IsAbs() && u.Host != "" {
			return u
		}
	}
	return nil
}

// collapseTagGaps turns white space holding a line break between two tags
// (what removed paragraphs leave behind) into a single newline.
func collapseTagGaps(s string) string {
	var b strings.Builder
	last := 0
	for i := strings.IndexByte(s, '>'); i >= 0; {
		j := i + 1
		nl := false
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			nl = nl || s[j] == '\n'
			j++
		}
		if nl && j < len(s) && s[j] == '<' && j-i > 2 {
			if last == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last : i+1])
			b.WriteByte('\n')
			last = j
		}
		// The next '>' at or after j (s[j] is not white space).
		k := strings.IndexByte(s[j:], '>')
		if k < 0 {
			break
		}
		i = j + k
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isTrackerURL(u string, trackers []string) bool {
	p, err := url.Parse(u)
	return err != nil || hostMatches(p.Hostname(), trackers)
}

func isHTTPURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// htmlToText returns the text of an HTML fragment (tags dropped, entities
// decoded, double-escaped entities too). Plain text passes through with its
// entities decoded.
func htmlToText(s string) string {
	if strings.IndexByte(s, '<') >= 0 && htmlTagRE.MatchString(s) {
		tree := parseContent(s)
		var b strings.Builder
		for _, u := range collectUnits(tree) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(u.text)
		}
		s = b.String()
	}
	return decodeEntities(s)
}

func authors(it *gofeed.Item) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p *gofeed.Person) {
		if p == nil {
			return
		}
		name := cleanLine(htmlToText(cleanString(p.Name)))
		if name == "" {
			name = cleanLine(p.Email)
		}
		name = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(name, "By "), "by "))
		if name == "" || len(name) > 200 || seen[Key(name)] {
			return
		}
		seen[Key(name)] = true
		out = append(out, name)
	}
	for _, p := range it.Authors {
		add(p)
	}
	return out
}

func categories(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range in {
		c = cleanLine(htmlToText(cleanString(c)))
		k := Key(c)
		if c == "" || len(c) > 200 || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	return out
}

// itemLanguage is the item's Dublin Core language if it parses, else the
// feed's (feedLang, see feedContext).
func itemLanguage(it *gofeed.Item, feedLang string) string {
	if it.DublinCoreExt != nil && len(it.DublinCoreExt.Language) > 0 {
		if l := parseLanguage(it.DublinCoreExt.Language[0]); l != "" {
			return l
		}
	}
	return feedLang
}

func enclosures(in []*gofeed.Enclosure, base *url.URL) []news.Enclosure {
	var out []news.Enclosure
	seen := map[string]bool{}
	for _, e := range in {
		if e == nil {
			continue
		}
		u := absoluteURL(cleanString(e.URL), base)
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		n, err := strconv.ParseInt(strings.TrimSpace(e.Length), 10, 64)
		if err != nil || n < 0 {
			n = 0
		}
		out = append(out, news.Enclosure{URL: u, Type: strings.ToLower(cleanLine(e.Type)), Length: n})
	}
	return out
}

// itemImage picks the lead image: media:content (image), media:thumbnail,
// an image enclosure, then the feed parser's item image.
func itemImage(it *gofeed.Item, body string, base *url.URL, trackers []string) string {
	var cands []string
	if media := it.Extensions["media"]; media != nil {
		var contents, thumbs []string
		var visit func(name string, es []gofeedExt)
		visit = func(name string, es []gofeedExt) {
			for _, e := range es {
				switch name {
				case "content":
					typ, medium := e.Attrs["type"], e.Attrs["medium"]
					if medium == "image" || strings.HasPrefix(typ, "image/") || medium == "" && typ == "" && looksLikeImage(e.Attrs["url"]) {
						contents = append(contents, e.Attrs["url"])
					}
					for _, t := range e.Children["thumbnail"] {
						thumbs = append(thumbs, t.Attrs["url"])
					}
				case "thumbnail":
					thumbs = append(thumbs, e.Attrs["url"])
				case "group":
					for cn, ces := range e.Children {
						visit(cn, ces)
					}
				}
			}
		}
		for _, name := range []string{"content", "group", "thumbnail"} {
			visit(name, media[name])
		}
		cands = append(cands, contents...)
		cands = append(cands, thumbs...)
	}
	for _, e := range it.Enclosures {
		if e != nil && (strings.HasPrefix(strings.ToLower(e.Type), "image/") || e.Type == "" && looksLikeImage(e.URL)) {
			cands = append(cands, e.URL)
		}
	}
	// gofeed's own item image may be the first <img> of the content, a
	// tracking pixel included: content images are taken from the cleaned
	// content instead.
	if it.Image != nil && !strings.Contains(body, it.Image.URL) {
		cands = append(cands, it.Image.URL)
	}
	for _, c := range cands {
		if u := absoluteURL(cleanString(c), base); u != "" && !strings.HasPrefix(u, "mailto:") && !isTrackerURL(u, trackers) {
			return u
		}
	}
	return ""
}

func looksLikeImage(u string) bool {
	l := strings.ToLower(u)
	if i := strings.IndexAny(l, "?#"); i >= 0 {
		l = l[:i]
	}
	for _, ext := range []string{".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"} {
		if strings.HasSuffix(l, ext) {
			return true
		}
	}
	return false
}

// itemDates returns the item's published and updated times in UTC: our own
// parse of the feed's date string (it knows zones gofeed reads as UTC, such
// as MSK and IRST), else gofeed's, else now. Dates more than a day in the
// future and dates before 1990 count as missing. Updated defaults to, and is
// never before, Published.
func itemDates(it *gofeed.Item, loc *time.Location, now time.Time) (pub, upd time.Time) {
	pick := func(raw string, parsed *time.Time) (time.Time, bool) {
		t, ok := parseDate(raw, loc)
		if !ok && parsed != nil {
			t, ok = *parsed, true
		}
		if !ok || t.Year() < 1990 || t.After(now.Add(maxFuture)) {
			return time.Time{}, false
		}
		return t.UTC(), true
	}
	pub, pok := pick(it.Published, it.PublishedParsed)
	upd, uok := pick(it.Updated, it.UpdatedParsed)
	if !pok && it.DublinCoreExt != nil && len(it.DublinCoreExt.Date) > 0 {
		pub, pok = pick(it.DublinCoreExt.Date[0], nil)
	}
	switch {
	case !pok && uok:
		pub = upd
	case !pok:
		pub = now
	}
	if !uok || upd.Before(pub) {
		upd = pub
	}
	return pub, upd
}

// SanitizeHTML returns fragment as safe HTML for republishing, the way Item
// sanitises content (without boilerplate rules): scripts, styles, frames,
// objects, forms, event handlers, javascript: and data: URLs and tracking
// pixels removed; links and images made absolute against base; links marked
// rel="nofollow noopener". Plain text becomes paragraphs.
func (n *Normalizer) SanitizeHTML(fragment, base string) string {
	tree := parseContent(cleanString(fragment))
	prepareTree(tree, parseBase(base), n.trackers)
	return n.sanitizeTree(tree, len(fragment))
}

// sanitizeTree renders a prepared tree through the bluemonday policy.
// sizeHint is the length of the HTML the tree was parsed from.
func (n *Normalizer) sanitizeTree(tree *html.Node, sizeHint int) string {
	return strings.TrimSpace(collapseTagGaps(cleanString(n.sanitize(renderChildren(tree, sizeHint)))))
}

// sanitizeRendered is an item's ContentHTML from its rendered prepared
// tree: sanitised and cut to n.maxItem (cut says whether it was).
func (n *Normalizer) sanitizeRendered(rendered string) (html string, cut bool) {
	html = strings.TrimSpace(collapseTagGaps(cleanString(n.sanitize(rendered))))
	if len(html) > n.maxItem {
		// Absolute links, rel attributes and escaping can make the
		// sanitised HTML longer than the raw body.
		return truncateHTML(html, n.maxItem), true
	}
	return html, false
}

// sanitize is n.policy.Sanitize(s), written into a buffer sized for s.
func (n *Normalizer) sanitize(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/16)
	if err := n.policy.SanitizeReaderToWriter(strings.NewReader(s), &b); err != nil {
		return "" // as Sanitize: an error gives an empty result
	}
	return b.String()
}
