package parser

import (
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// TestParseQuirks covers what topicfeed's layer adds to gofeed, one quirk
// of real (or historical) feeds per case.
func TestParseQuirks(t *testing.T) {
	const rssHead = `<rss version="2.0"><channel><title>T</title>`
	tests := []struct {
		name       string
		doc        string
		opts       Options
		wellFormed bool
		warning    string // substring of a warning ("" = no check)
		check      func(t *testing.T, r *Result)
	}{
		{
			name:       "atom 0.3 base64 content",
			doc:        `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><content type="text/html" mode="base64">PHA+SGk8L3A+</content></entry></feed>`,
			wellFormed: true,
			check:      func(t *testing.T, r *Result) { eq(t, "content", r.Feed.Items[0].Content, "<p>Hi</p>") },
		},
		{
			name:       "atom 0.3 base64 of binary stays valid text",
			doc:        `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title>t</title><summary type="text/plain" mode="base64">AAFh/2I=</summary></entry></feed>`,
			wellFormed: true,
			check:      func(t *testing.T, r *Result) { eq(t, "summary", r.Feed.Items[0].Description, "a\uFFFDb") },
		},
		{
			name:       "atom 0.3 inline xhtml keeps its div, resolves xml:base",
			doc:        `<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:base="http://example.com/a/"><entry><title type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>&#38;</b> <a href="b.html">l</a><br/></div></title></entry></feed>`,
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "title", r.Feed.Items[0].Title, `<div>A <b>&amp;</b> <a href="http://example.com/a/b.html">l</a><br /></div>`)
			},
		},
		{
			name:       "atom 0.3 markup without a type",
			doc:        `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Example <b>Atom</b></title><entry><title>plain &amp; simple</title></entry></feed>`,
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "feed title", r.Feed.Title, "Example <b>Atom</b>")
				eq(t, "entry title", r.Feed.Items[0].Title, "plain & simple")
			},
		},
		{
			name:       "atom in an unknown namespace",
			doc:        `<feed xmlns="http://www.w3.org/2005/Atom/"><title>T</title><entry><title>E</title></entry></feed>`,
			wellFormed: true,
			warning:    `unknown namespace "http://www.w3.org/2005/Atom/" as Atom`,
			check: func(t *testing.T, r *Result) {
				eq(t, "title", r.Feed.Title, "T")
				eq(t, "entry", r.Feed.Items[0].Title, "E")
			},
		},
		{
			name:       "atom ids as written",
			doc:        `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>HTTP://Example.org/A B</id></entry><entry><id>urn:uuid:1</id></entry></feed>`,
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "id 0", r.Feed.Items[0].GUID, "HTTP://Example.org/A B")
				eq(t, "id 1", r.Feed.Items[1].GUID, "urn:uuid:1")
			},
		},
		{
			name:       "atom link as element text",
			doc:        `<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="enclosure">http://x/e.mp3</link><link rel="alternate">http://x/a</link></entry></feed>`,
			wellFormed: true,
			check:      func(t *testing.T, r *Result) { eq(t, "link", r.Feed.Items[0].Link, "http://x/a") },
		},
		{
			name:       "cdf channel",
			doc:        `<CHANNEL HREF="http://x/" LASTMOD="2004-04-06T23:05:43-05:00"><TITLE>C</TITLE><ABSTRACT>About</ABSTRACT><ITEM HREF="http://x/1"><TITLE>I</TITLE><ABSTRACT>S</ABSTRACT></ITEM></CHANNEL>`,
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "format", r.Format, "cdf")
				eq(t, "title", r.Feed.Title, "C")
				eq(t, "description", r.Feed.Description, "About")
				eq(t, "link", r.Feed.Link, "http://x/")
				eq(t, "updated", r.Feed.UpdatedParsed.Format("2006-01-02T15:04:05Z07:00"), "2004-04-07T04:05:43Z")
				eq(t, "item", r.Feed.Items[0].Title+" "+r.Feed.Items[0].Link+" "+r.Feed.Items[0].Description, "I http://x/1 S")
			},
		},
		{
			name:       "rss guid permalink, authors, dcterms",
			doc:        `<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><channel><title>T</title><item><guid>https://x/1</guid><author>Jane Roe &lt;jane@x.org&gt;</author><dcterms:modified>2003-12-31T10:14:55Z</dcterms:modified></item><item><guid isPermaLink="false">https://x/2</guid><dc:creator>A</dc:creator><dc:creator>B</dc:creator></item></channel></rss>`,
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				a, b := r.Feed.Items[0], r.Feed.Items[1]
				eq(t, "link from guid", a.Link, "https://x/1")
				eq(t, "author", a.Author.Name+" "+a.Author.Email, "Jane Roe jane@x.org")
				eq(t, "updated", a.Updated, "2003-12-31T10:14:55Z")
				if a.UpdatedParsed == nil {
					t.Error("dcterms:modified not parsed")
				}
				eq(t, "no link from a non-permalink guid", b.Link, "")
				eq(t, "authors", names(b.Authors), "A,B")
			},
		},
		{
			name:       "rss channel author, xhtml body, rdf about",
			doc:        rssHead + `<author>Ed (ed@x.org)</author><item><body xmlns="http://www.w3.org/1999/xhtml"><p>Body</p></body></item></channel></rss>`,
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "feed author", r.Feed.Author.Email, "ed@x.org")
				eq(t, "content", r.Feed.Items[0].Content, "<p>Body</p>")
			},
		},
		{
			name:       "rdf item about",
			doc:        `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://x/"><title>T</title></channel><item rdf:about="http://x/1"><title>A</title></item><item rdf:about="http://x/2"><title>B</title></item></rdf:RDF>`,
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "ids", r.Feed.Items[0].GUID+" "+r.Feed.Items[1].GUID, "http://x/1 http://x/2")
			},
		},
		{
			name:       "itunes and media fallbacks, tidy categories",
			doc:        `<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:media="http://search.yahoo.com/mrss/"><channel><language>en_US</language><itunes:subtitle>Sub</itunes:subtitle><itunes:image href="http://x/i.png"/><item><media:title>M</media:title><category> a </category><category>a</category><media:category>b</media:category></item></channel></rss>`,
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "description", r.Feed.Description, "Sub")
				eq(t, "image", r.Feed.Image.URL, "http://x/i.png")
				eq(t, "language", r.Feed.Language, "en-US")
				eq(t, "title", r.Feed.Items[0].Title, "M")
				eq(t, "categories", strings.Join(r.Feed.Items[0].Categories, ","), "a,b")
			},
		},
		{
			name:       "content-language when the feed names none",
			doc:        rssHead + `</channel></rss>`,
			opts:       Options{ContentLanguage: "fa, en"},
			wellFormed: true,
			check:      func(t *testing.T, r *Result) { eq(t, "language", r.Feed.Language, "fa") },
		},
		{
			name:       "relative links against the document URL and xml:base",
			doc:        `<rss version="2.0" xml:base="/news/"><channel><title>T</title><item><link>1.html</link><description>&lt;a href="2.html"&gt;x&lt;/a&gt; &lt;img src='//cdn.x/i.jpg'&gt; &lt;a href="#top"&gt;t&lt;/a&gt; &lt;a href="mailto:a@b"&gt;m&lt;/a&gt;</description></item></channel></rss>`,
			opts:       Options{URL: "https://outlet.example/feed.xml"},
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				it := r.Feed.Items[0]
				eq(t, "link", it.Link, "https://outlet.example/news/1.html")
				eq(t, "description", it.Description, `<a href="https://outlet.example/news/2.html">x</a> <img src='https://cdn.x/i.jpg'> <a href="#top">t</a> <a href="mailto:a@b">m</a>`)
			},
		},
		{
			name:       "a non-http base is ignored, IRIs stay IRIs",
			doc:        rssHead + `<item><link>/a</link><description>&lt;a href="Ж"&gt;x&lt;/a&gt;</description></item></channel></rss>`,
			opts:       Options{URL: "javascript:alert(1)"},
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "link", r.Feed.Items[0].Link, "/a")
				eq(t, "description", r.Feed.Items[0].Description, `<a href="Ж">x</a>`)
			},
		},
		{
			name:       "IRI resolved",
			doc:        rssHead + `<item><description>&lt;a href="Ж?q=%2F"&gt;x&lt;/a&gt;</description></item></channel></rss>`,
			opts:       Options{URL: "http://x.test/"},
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "description", r.Feed.Items[0].Description, `<a href="http://x.test/Ж?q=%2F">x</a>`)
			},
		},
		{
			name:       "double-encoded text",
			doc:        rssHead + "<item><title>Ð˜Ñ€Ð°Ð½ Ð¸ Ð\u00a0Ð¾Ñ\u0081Ñ\u0081Ð¸Ñ\u008f, donâ€™t</title><description>Straße“ stays</description></item></channel></rss>",
			wellFormed: true,
			warning:    "repaired 1 double-encoded texts",
			check: func(t *testing.T, r *Result) {
				eq(t, "title", r.Feed.Items[0].Title, "Иран и Россия, don’t")
				eq(t, "description", r.Feed.Items[0].Description, "Straße“ stays")
			},
		},
		{
			name:       "C1 controls and references stand for windows-1252",
			doc:        rssHead + "<item><title>don\u0092t &#147;q&#148;</title><description>&amp;#146;</description></item></channel></rss>",
			wellFormed: true,
			warning:    "C1 control characters",
			check: func(t *testing.T, r *Result) {
				eq(t, "title", r.Feed.Items[0].Title, "don’t “q”")
				eq(t, "description", r.Feed.Items[0].Description, "&#x2019;")
			},
		},
		{
			name:    "undeclared namespace prefix",
			doc:     rssHead + `<item><title>A</title><media:content url="http://x/a.jpg"/></item></channel></rss>`,
			warning: "1 elements use undeclared namespace prefixes",
			check:   func(t *testing.T, r *Result) { eq(t, "title", r.Feed.Items[0].Title, "A") },
		},
		{
			name:    "upper-case X in a character reference",
			doc:     rssHead + `<item><title>&#X41;</title></item></channel></rss>`,
			warning: "lower-cased the X",
			check:   func(t *testing.T, r *Result) { eq(t, "title", r.Feed.Items[0].Title, "A") },
		},
		{
			name:       "a DOCTYPE longer than gofeed's 4 KB detection window",
			doc:        `<?xml version="1.0"?><!DOCTYPE rss [` + strings.Repeat(`<!ENTITY e "x">`, 500) + `<!ENTITY org "IRNA">]><!-- c --><rss version="2.0"><channel><title>&org;</title></channel></rss>`,
			wellFormed: true,
			check: func(t *testing.T, r *Result) {
				eq(t, "title", r.Feed.Title, "IRNA")
				eq(t, "format", r.Format+" "+r.Version, "rss 2.0")
			},
		},
		{
			name:       "XHTML 1.0 values of lang and rang",
			doc:        rssHead + `<item><title>&lang;x&rang;</title></item></channel></rss>`,
			wellFormed: false,
			check:      func(t *testing.T, r *Result) { eq(t, "title", r.Feed.Items[0].Title, "\u2329x\u232a") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustParse(t, []byte(tt.doc), tt.opts)
			if r.WellFormed != tt.wellFormed {
				t.Errorf("WellFormed = %v, want %v (warnings %q)", r.WellFormed, tt.wellFormed, r.Warnings)
			}
			if tt.warning != "" {
				checkWarnings(t, r.Warnings, tt.warning)
			}
			if len(r.Feed.Items) == 0 && strings.Contains(tt.doc, "<item") {
				t.Fatal("no items")
			}
			tt.check(t, r)
		})
	}
}

func eq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func names(ps []*gofeed.Person) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return strings.Join(out, ",")
}
