package parser

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("read testdata: %v", err)
	}
	return b
}

// mustParse parses and fails the test on error.
func mustParse(tb testing.TB, body []byte, o Options) *Result {
	tb.Helper()
	res, err := Parse(body, o)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	if res.Feed == nil {
		tb.Fatal("Parse returned no feed")
	}
	return res
}

const (
	ruTitle = `Иранские беспилотники "Шахед" над Киевом`
	frTitle = "Café à Téhéran : l'accord nucléaire"
)

func TestParseEncodings(t *testing.T) {
	tests := []struct {
		file        string
		contentType string
		encoding    string
		itemTitle   string
		warning     string // substring of one warning; "" means no warnings at all
	}{
		{"windows1251_prolog.xml", "application/rss+xml", "windows-1251", ruTitle, ""},
		{"windows1251_http_only.xml", "text/xml; charset=windows-1251", "windows-1251", ruTitle, ""},
		{"windows1251_http_only.xml", "application/xml; charset='Windows-1251'", "windows-1251", ruTitle, ""},
		{"windows1251_undeclared.xml", "", "windows-1251", ruTitle, "decoded as windows-1251 by sniffing"},
		{"koi8r_prolog.xml", "", "koi8-r", ruTitle, ""},
		{"koi8r_undeclared.xml", "application/rss+xml", "koi8-r", ruTitle, "decoded as koi8-r by sniffing"},
		{"koi8r_declared_utf8.xml", "", "koi8-r", ruTitle, "do not match the declared encoding utf-8"},
		// HTTP says UTF-8, the prolog says koi8-r, the bytes agree with the prolog.
		{"koi8r_prolog.xml", "text/xml; charset=utf-8", "koi8-r", ruTitle, "decoded as koi8-r from the XML prolog"},
		// HTTP overrides the prolog when the bytes fit it (RFC 7303).
		{"latin1_german_undeclared.xml", "text/xml; charset=iso-8859-15", "iso-8859-15", "", ""},
		{"utf8_declared_windows1251.xml", "", "utf-8", ruTitle, "do not match the declared encoding windows-1251"},
		// Apache's default Latin-1 charset on a Russian site.
		{"windows1251_http_only.xml", "text/xml; charset=ISO-8859-1", "windows-1251", ruTitle, "do not match the declared encoding iso-8859-1; decoded as windows-1251 by sniffing"},
		{"windows1251_prolog.xml", "text/xml; charset=ISO-8859-1", "windows-1251", ruTitle, "do not match the HTTP charset iso-8859-1; decoded as windows-1251 from the XML prolog"},
		{"koi8r_undeclared.xml", "text/xml; charset=windows-1251", "koi8-r", ruTitle, "do not match the declared encoding windows-1251; decoded as koi8-r by sniffing"},
		{"utf8_bom.xml", "", "utf-8", ruTitle, ""},
		{"utf8_bom.xml", "text/xml; charset=windows-1251", "utf-8", ruTitle, "byte-order mark says utf-8"},
		{"utf16le_bom.xml", "", "utf-16le", ruTitle, ""},
		{"utf16be_bom.xml", "", "utf-16be", ruTitle, ""},
		{"utf16le_nobom.xml", "", "utf-16le", ruTitle, ""},
		{"latin1_undeclared.xml", "", "windows-1252", frTitle, "decoded as windows-1252 by sniffing"},
		{"latin1_german_undeclared.xml", "", "windows-1252", "Größere Sanktionen für Iran: Moskau äußert sich über Drohnen", "decoded as windows-1252 by sniffing"},
		{"windows1252_prolog.xml", "", "windows-1252", "Café à Téhéran : l’accord nucléaire", ""},
		{"invalid_utf8.xml", "", "utf-8", "B\uFFFDad bytes", "invalid UTF-8 bytes"},
		{"control_chars.xml", "", "utf-8", "Bell and vtab", "removed 3 control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.contentType, func(t *testing.T) {
			res := mustParse(t, readTestdata(t, "encoding/"+tt.file), Options{ContentType: tt.contentType})
			if res.Encoding != tt.encoding {
				t.Errorf("Encoding = %q, want %q", res.Encoding, tt.encoding)
			}
			if len(res.Feed.Items) != 1 {
				t.Fatalf("got %d items, want 1", len(res.Feed.Items))
			}
			got := res.Feed.Items[0].Title
			if tt.itemTitle != "" && got != tt.itemTitle {
				t.Errorf("item title = %q, want %q", got, tt.itemTitle)
			}
			if !utf8.ValidString(got) || !utf8.ValidString(res.Feed.Items[0].Description) {
				t.Errorf("item text is not valid UTF-8: %q", got)
			}
			checkWarnings(t, res.Warnings, tt.warning)
		})
	}
}

func checkWarnings(t *testing.T, warnings []string, want string) {
	t.Helper()
	if want == "" {
		if len(warnings) != 0 {
			t.Errorf("warnings = %q, want none", warnings)
		}
		return
	}
	for _, w := range warnings {
		if strings.Contains(w, want) {
			return
		}
	}
	t.Errorf("warnings = %q, want one containing %q", warnings, want)
}

func TestParseRecovery(t *testing.T) {
	const head = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>`
	tests := []struct {
		name    string
		doc     string
		titles  []string // item titles
		desc    string   // last item's description, if checked
		warning string
	}{
		{
			name:   "well-formed",
			doc:    head + `<item><title>A &amp; B</title></item></channel></rss>`,
			titles: []string{"A & B"},
		},
		{
			name:    "stray ampersand keeps every item",
			doc:     head + `<item><title>Q&A</title><link>http://x/?a=1&b=2</link></item><item><title>Two</title></item></channel></rss>`,
			titles:  []string{"Q&A", "Two"},
			warning: "escaped 2 stray '&'",
		},
		{
			name:    "ampersand that looks like an unknown entity",
			doc:     head + `<item><title>R&D; costs &foo;</title></item></channel></rss>`,
			titles:  []string{"R&D; costs &foo;"},
			warning: "escaped 2 stray '&'",
		},
		{
			name:    "HTML entities undefined in XML",
			doc:     head + `<item><title>Kyiv&nbsp;&mdash; talks &laquo;fail&raquo; &hellip;</title></item></channel></rss>`,
			titles:  []string{"Kyiv\u00a0— talks «fail» …"},
			warning: "replaced 5 HTML entities",
		},
		{
			name:    "HTML entity standing for markup characters stays text",
			doc:     head + `<item><title>a &AMP; b &LT; c</title></item></channel></rss>`,
			titles:  []string{"a & b < c"},
			warning: "replaced 2 HTML entities",
		},
		{
			name:    "stray less-than",
			doc:     head + `<item><title>1 < 2 and 3 <= 4</title></item></channel></rss>`,
			titles:  []string{"1 < 2 and 3 <= 4"},
			warning: "escaped 2 stray '<'",
		},
		{
			name:    "forbidden character reference",
			doc:     head + `<item><title>nul&#0;x&#x1F;y&#65;</title></item></channel></rss>`,
			titles:  []string{"nulxyA"},
			warning: "dropped 2 character references",
		},
		{
			name:    "truncated download",
			doc:     head + `<item><title>One</title></item><item><title>Two</title><description>cut he`,
			titles:  []string{"One", "Two"},
			desc:    "cut he",
			warning: "closed 4 elements left open",
		},
		{
			name:    "truncated inside a tag",
			doc:     head + `<item><title>One</title></item><item><title>Two</title><link href="http://`,
			titles:  []string{"One", "Two"},
			warning: "dropped 1 tags cut off",
		},
		{
			name:    "truncated CDATA",
			doc:     head + `<item><title>One</title><description><![CDATA[<p>Body`,
			titles:  []string{"One"},
			desc:    "<p>Body",
			warning: "closed 1 comments or CDATA",
		},
		{
			name:    "unescaped HTML in description",
			doc:     head + `<item><title>One</title><description><p>Para<br>next</p><img src="a.jpg"></description></item></channel></rss>`,
			titles:  []string{"One"},
			desc:    `<p>Para<br/>next</p><img src="a.jpg"/>`,
			warning: "self-closed 2 HTML void elements",
		},
		{
			name:    "mismatched end tag",
			doc:     head + `<item><title>One</title><description><b>bold</description></item></channel></rss>`,
			titles:  []string{"One"},
			warning: "mismatched end tags",
		},
		{
			name:    "stray end tag",
			doc:     head + `<item><title>One</title></p></item></channel></rss>`,
			titles:  []string{"One"},
			warning: "dropped 1 end tags",
		},
		{
			name:    "ampersand and less-than in attribute values",
			doc:     head + `<item><title>One</title><enclosure url="http://x/a.mp3?a=1&b=2<" type="audio/mpeg" length="1"/></item></channel></rss>`,
			titles:  []string{"One"},
			warning: "escaped 1 '<' in attribute values",
		},
		{
			name:    "internal DTD entity",
			doc:     `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY org "IRNA">]><rss version="2.0"><channel><title>T</title><item><title>&org; reports</title></item></channel></rss>`,
			titles:  []string{"IRNA reports"},
			warning: "",
		},
		{
			name:    "server messages before the document",
			doc:     "<br />\n<b>Warning</b>: mysql_connect() in /var/www/feed.php on line 3<br />\n" + head + `<item><title>One</title></item></channel></rss>`,
			titles:  []string{"One"},
			warning: "dropped 76 bytes before the document",
		},
		{
			name:    "server messages before a document without declaration",
			doc:     "Notice: Undefined index\n" + `<rss version="2.0"><channel><item><title>One</title></item></channel></rss>`,
			titles:  []string{"One"},
			warning: "dropped 24 bytes before the document",
		},
		{
			name:    "garbage after the root",
			doc:     head + `<item><title>One</title></item></channel></rss><rss>junk & more</rss>`,
			titles:  []string{"One"},
			warning: "after the root element",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustParse(t, []byte(tt.doc), Options{})
			var titles []string
			for _, it := range res.Feed.Items {
				titles = append(titles, it.Title)
			}
			if strings.Join(titles, "|") != strings.Join(tt.titles, "|") {
				t.Errorf("item titles = %q, want %q", titles, tt.titles)
			}
			if res.WellFormed != (tt.warning == "") {
				t.Errorf("WellFormed = %v with warnings %q", res.WellFormed, res.Warnings)
			}
			if n := len(res.Feed.Items); tt.desc != "" && n > 0 && strings.TrimSpace(res.Feed.Items[n-1].Description) != tt.desc {
				t.Errorf("description = %q, want %q", res.Feed.Items[n-1].Description, tt.desc)
			}
			checkWarnings(t, res.Warnings, tt.warning)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"empty", "", "empty document"},
		{"whitespace", " \n\t", "empty document"},
		{"html page", "<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>", "root element <html>"},
		{"plain text", "Service Unavailable", `starts with "Service Unavailable"`},
		{"broken json", `{"version": "https://jsonfeed.org/version/1.1", "items": [`, "parse feed"},
		{"json api error", `{"error": "rate limited"}`, "without JSON Feed's version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse([]byte(tt.doc), Options{URL: "https://example.org/feed"})
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want an error", res)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "https://example.org/feed") {
				t.Errorf("error %q does not name %q and the URL", err, tt.want)
			}
		})
	}
	if _, err := Parse([]byte("<html><body/></html>"), Options{}); !errors.Is(err, ErrNotFeed) {
		t.Errorf("error for an HTML page = %v, want ErrNotFeed", err)
	}
}

// TestParseHTMLPageNamesItsFeeds: a feed URL that answers with the outlet's
// home page is an error that says where the feeds are.
func TestParseHTMLPageNamesItsFeeds(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>Outlet</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="News" href="/rss/news">
<link rel="Alternate" type="application/atom+xml" href="https://cdn.example.org/atom.xml">
<link rel="alternate" hreflang="ru" href="/ru/">
</head><body><link rel="alternate" type="application/rss+xml" href="/not-in-head"></body></html>`
	_, err := Parse([]byte(page), Options{URL: "https://example.org/feed"})
	var nf *NotFeedError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNotFeed) {
		t.Fatalf("error = %v, want a *NotFeedError", err)
	}
	want := []string{"https://example.org/rss/news", "https://cdn.example.org/atom.xml"}
	if strings.Join(nf.Alternates, " ") != strings.Join(want, " ") {
		t.Errorf("Alternates = %q, want %q", nf.Alternates, want)
	}
	if !strings.Contains(err.Error(), "root element <html>; the page advertises https://example.org/rss/news") {
		t.Errorf("error %q does not name the advertised feeds", err)
	}
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name, doc, format, version string
	}{
		{"rss 2.0", `<rss version="2.0"><channel><title>t</title></channel></rss>`, "rss", "2.0"},
		{"rss 0.91", `<rss version="0.91"><channel><title>t</title></channel></rss>`, "rss", "0.91"},
		{"rss 1.0", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>t</title></channel></rdf:RDF>`, "rss", "1.0"},
		{"rss 0.90", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>t</title></channel></rdf:RDF>`, "rss", "0.9"},
		{"atom 1.0", `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>`, "atom", "1.0"},
		{"atom 0.3", `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>t</title></feed>`, "atom", "0.3"},
		{"json 1.1", `{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[]}`, "json", "1.1"},
		{"json 1.0", `{"version":"https://jsonfeed.org/version/1","title":"t","items":[]}`, "json", "1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustParse(t, []byte(tt.doc), Options{})
			if res.Format != tt.format || res.Version != tt.version {
				t.Errorf("format, version = %q, %q; want %q, %q", res.Format, res.Version, tt.format, tt.version)
			}
			if res.Feed.Title != "t" {
				t.Errorf("title = %q, want t", res.Feed.Title)
			}
			if !res.WellFormed {
				t.Error("WellFormed = false for a clean document")
			}
			checkWarnings(t, res.Warnings, "")
		})
	}
}

func TestParseAtomCategoryTerm(t *testing.T) {
	doc := `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<category term="world" label="World news"/>
<entry><title>e</title><category term="iran" scheme="http://x/tags" label="Iran (country)"/><category term="drones"/><category label="only a label"/></entry></feed>`
	res := mustParse(t, []byte(doc), Options{})
	if got := strings.Join(res.Feed.Categories, "|"); got != "world" {
		t.Errorf("feed categories = %q, want world", got)
	}
	if got := strings.Join(res.Feed.Items[0].Categories, "|"); got != "iran|drones|only a label" {
		t.Errorf("entry categories = %q, want iran|drones|only a label", got)
	}
}

func TestParseResolvesRelativeLinks(t *testing.T) {
	doc := `<rss version="2.0"><channel><title>t</title><link>/</link>
<item><title>a</title><link>/news/1?x=1</link><enclosure url="media/a.mp3" type="audio/mpeg" length="5"/></item>
<item><title>b</title><link>https://other.example/2</link></item></channel></rss>`
	res := mustParse(t, []byte(doc), Options{URL: "https://example.org/feeds/rss.xml"})
	checks := []struct{ got, want string }{
		{res.Feed.Link, "https://example.org/"},
		{res.Feed.Items[0].Link, "https://example.org/news/1?x=1"},
		{res.Feed.Items[0].Enclosures[0].URL, "https://example.org/feeds/media/a.mp3"},
		{res.Feed.Items[1].Link, "https://other.example/2"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("link = %q, want %q", c.got, c.want)
		}
	}
}
