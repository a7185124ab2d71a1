package normalize

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// hugeParagraphs returns distinct paragraphs in script lang ("en" or
// "ru") until their total size reaches size bytes.
func hugeParagraphs(lang string, size int) []string {
	var out []string
	total := 0
	for k := 0; total < size; k++ {
		var p string
		switch lang {
		case "ru":
			p = fmt.Sprintf("Абзац %d: иранские беспилотники достигли фронта под Харьковом в день %d, сообщили чиновники, и санкции снова обсуждались в Брюсселе.", k, k)
		default:
			p = fmt.Sprintf("Paragraph %d of the report: Iranian drones reached the front near Kharkiv on day %d, officials said, and sanctions were discussed again in Brussels.", k, k)
		}
		out = append(out, p)
		total += len(p)
	}
	return out
}

// paragraphsHTML renders paragraphs as <p> elements, one a line.
func paragraphsHTML(paras []string) string {
	var b strings.Builder
	for _, p := range paras {
		b.WriteString("<p>" + p + "</p>\n")
	}
	return b.String()
}

// rssWith returns an RSS feed of one item whose content:encoded (field
// "content") or description (field "description") is body.
func rssWith(field, title, body string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Huge</title><link>https://huge.example.org/</link><description>d</description><item>`)
	b.WriteString("<title>" + title + "</title><link>https://huge.example.org/news/1</link>")
	switch field {
	case "content":
		b.WriteString("<description>A short summary of the report.</description><content:encoded><![CDATA[" + body + "]]></content:encoded>")
	default:
		b.WriteString("<description><![CDATA[" + body + "]]></description>")
	}
	b.WriteString("</item></channel></rss>")
	return b.String()
}

// wellFormedHTML checks that s parses as an HTML fragment and that its
// tags are balanced: every end tag closes the innermost open element and
// every non-void element is closed.
func wellFormedHTML(s string) error {
	if _, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}); err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var open []string
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		name, _ := z.TagName()
		switch n := string(name); {
		case tt == html.StartTagToken && !voidElements[n]:
			open = append(open, n)
		case tt == html.EndTagToken:
			if len(open) == 0 || open[len(open)-1] != n {
				return fmt.Errorf("</%s> closes %v", n, open)
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("left open: %v", open)
	}
	return nil
}

// TestMaxItemBytes: an item larger than Rules.MaxItemBytes is kept, cut to
// the cap (Text and ContentHTML each, in bytes) on rune boundaries, with
// well-formed HTML and its first paragraphs intact, and reported as
// truncated; an item of exactly the cap passes untouched.
func TestMaxItemBytes(t *testing.T) {
	const huge = 2 << 20
	tests := []struct {
		name  string
		lang  string
		field string // "content" (content:encoded) or "description"
		plain bool   // the body is plain text lines, not HTML
		limit int    // Rules.MaxItemBytes; 0: the default
	}{
		{"english content default cap", "en", "content", false, 0},
		{"english description default cap", "en", "description", false, 0},
		{"cyrillic content default cap", "ru", "content", false, 0},
		{"cyrillic description odd cap", "ru", "description", false, 65_537},
		{"cyrillic content small odd cap", "ru", "content", false, 1_025},
		{"english plain text description", "en", "description", true, 100_003},
		{"cyrillic plain text description", "ru", "description", true, 4_099},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			paras := hugeParagraphs(tc.lang, huge)
			body := paragraphsHTML(paras)
			if tc.plain {
				body = strings.Join(paras, "\n")
			}
			limit := tc.limit
			if limit == 0 {
				limit = DefaultMaxItemBytes
			}
			f := parseFeed(t, rssWith(tc.field, "Iran sends drones to Russia", body))
			it, rep, ok := New(Rules{MaxItemBytes: tc.limit}).Item(Source{Outlet: "Huge", FeedURL: "https://huge.example.org/feed"}, f, 0, goldenNow)
			if !ok {
				t.Fatal("the huge item was dropped")
			}
			checkItemStrings(t, it)
			if !rep.Truncated {
				t.Error("Report.Truncated is false")
			}
			if len(it.Text) > limit || len(it.ContentHTML) > limit {
				t.Errorf("Text %d bytes, ContentHTML %d bytes, want at most %d each", len(it.Text), len(it.ContentHTML), limit)
			}
			if len(it.Text) < limit/4 || len(it.ContentHTML) < limit/4 {
				t.Errorf("Text %d bytes, ContentHTML %d bytes: far less kept than the cap %d", len(it.Text), len(it.ContentHTML), limit)
			}
			if !utf8.ValidString(it.Text) || !utf8.ValidString(it.ContentHTML) || !utf8.ValidString(it.Summary) {
				t.Error("invalid UTF-8 after the cut")
			}
			if want := paras[0] + "\n\n" + paras[1]; !strings.HasPrefix(it.Text, want) {
				t.Errorf("Text does not start with the first paragraphs: %.200q", it.Text)
			}
			if want := "<p>" + paras[0] + "</p>"; !strings.HasPrefix(it.ContentHTML, want) {
				t.Errorf("ContentHTML does not start with the first paragraph: %.200q", it.ContentHTML)
			}
			if err := wellFormedHTML(it.ContentHTML); err != nil {
				t.Errorf("ContentHTML is not well-formed: %v\n…%s", err, it.ContentHTML[max(0, len(it.ContentHTML)-300):])
			}
			if it.Title != "Iran sends drones to Russia" {
				t.Errorf("Title = %q", it.Title)
			}
		})
	}
}

// TestMaxItemBytesExact: an item whose raw body, Text and ContentHTML fit
// in the cap exactly is left as it is; one byte less cuts it.
func TestMaxItemBytesExact(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		for _, field := range []string{"content", "description"} {
			t.Run(lang+"_"+field, func(t *testing.T) {
				body := paragraphsHTML(hugeParagraphs(lang, 20_000))
				f := parseFeed(t, rssWith(field, "Iran sends drones to Russia", body))
				src := Source{Outlet: "Exact", FeedURL: "https://huge.example.org/feed"}
				whole, rep, ok := New(Rules{MaxItemBytes: 1 << 30}).Item(src, f, 0, goldenNow)
				if !ok || rep.Truncated {
					t.Fatalf("uncapped: ok %v, truncated %v", ok, rep.Truncated)
				}
				size := max(len(body), len(whole.Text), len(whole.ContentHTML))
				got, rep, ok := New(Rules{MaxItemBytes: size}).Item(src, f, 0, goldenNow)
				if !ok || rep.Truncated || got.Text != whole.Text || got.ContentHTML != whole.ContentHTML || got.ContentHash != whole.ContentHash {
					t.Errorf("cap of exactly the size %d changed the item (truncated %v)", size, rep.Truncated)
				}
				less, rep, ok := New(Rules{MaxItemBytes: size - 1}).Item(src, f, 0, goldenNow)
				if !ok || !rep.Truncated || len(less.Text) > size-1 || len(less.ContentHTML) > size-1 {
					t.Errorf("cap of size-1: truncated %v, Text %d, ContentHTML %d bytes", rep.Truncated, len(less.Text), len(less.ContentHTML))
				}
			})
		}
	}
}

// TestMaxItemBytesGrowth: a body under the cap whose text or sanitised
// HTML grows past it (links made absolute and marked, entities escaped,
// plain-text lines becoming paragraphs) is cut after sanitising.
func TestMaxItemBytesGrowth(t *testing.T) {
	const limit = 4_001
	// each repeats format (with the repetition's number) while the body
	// stays under size bytes.
	each := func(format string, size int) string {
		var b strings.Builder
		for k := 0; ; k++ {
			p := fmt.Sprintf(format, k)
			if b.Len()+len(p) > size {
				return b.String()
			}
			b.WriteString(p)
		}
	}
	tests := []struct {
		name, body string
	}{
		{"relative links", each(`<p>See <a href="/n/%[1]d">Иран %[1]d</a> and <b><i>Россия</i></b> &amp; more.</p>`, limit)},
		{"quotes escaped", each(`<p>%d "Москва" 'Тегеран' "Kyiv" 'Kharkiv' — «drones».</p>`, limit)},
		{"plain lines", each("Иран %d\n", 2*limit)},
		{"one long paragraph", "<p>" + each("Иранские беспилотники <a href=\"/x/%d\">над</a> Киевом. ", limit-10) + "</p>"},
	}
	n := New(Rules{MaxItemBytes: limit})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := feedOf(itemOf("Growth", "https://huge.example.org/news/2", tc.body))
			src := Source{Outlet: "Growth", FeedURL: "https://huge.example.org/feed"}
			whole, _, _ := New(Rules{MaxItemBytes: 1 << 30}).Item(src, f, 0, goldenNow)
			if len(whole.Text) <= limit && len(whole.ContentHTML) <= limit {
				t.Fatalf("uncapped: Text %d, ContentHTML %d bytes: nothing grew past the cap %d", len(whole.Text), len(whole.ContentHTML), limit)
			}
			it, rep, ok := n.Item(src, f, 0, goldenNow)
			if !ok || !rep.Truncated {
				t.Fatalf("ok %v, truncated %v", ok, rep.Truncated)
			}
			checkItemStrings(t, it)
			if len(it.Text) > limit || len(it.ContentHTML) > limit {
				t.Errorf("Text %d, ContentHTML %d bytes, want at most %d", len(it.Text), len(it.ContentHTML), limit)
			}
			if it.Text == "" || it.ContentHTML == "" {
				t.Errorf("nothing kept: Text %q, ContentHTML %q", it.Text, it.ContentHTML)
			}
			if err := wellFormedHTML(it.ContentHTML); err != nil {
				t.Errorf("ContentHTML is not well-formed: %v\n%s", err, it.ContentHTML)
			}
		})
	}
}

// TestTitleCap: a huge title is cut to titleMaxBytes on a rune boundary.
func TestTitleCap(t *testing.T) {
	tests := []struct{ name, title string }{
		{"english", strings.Repeat("Iran sends drones to Russia ", 10_000)},
		{"cyrillic", strings.Repeat("Иран отправил беспилотники ", 10_000)},
		{"one word", strings.Repeat("я", 100_000)},
		{"markup", strings.Repeat("<b>Иран</b> &amp; ", 10_000)},
	}
	n := New(DefaultRules())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := feedOf(itemOf(tc.title, "https://huge.example.org/news/3", "<p>Body.</p>"))
			it, rep, ok := n.Item(Source{Outlet: "Titles"}, f, 0, goldenNow)
			if !ok {
				t.Fatal("item dropped")
			}
			if len(it.Title) > titleMaxBytes || len(it.Title) < titleMaxBytes/2 || !utf8.ValidString(it.Title) || !rep.Truncated {
				t.Errorf("title of %d bytes (valid %v, truncated %v): %.80q", len(it.Title), utf8.ValidString(it.Title), rep.Truncated, it.Title)
			}
		})
	}
}

// TestTruncateHTML cuts sanitised HTML directly.
func TestTruncateHTML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string // "" : only the invariants are checked
	}{
		{"fits", "<p>a</p>", 8, "<p>a</p>"},
		{"after a block", "<p>one two</p><p>three four</p>", 20, "<p>one two</p>"},
		{"nested open elements closed", "<div><p>one <b>two three four five</b></p></div>", 36, "<div><p>one <b>two</b></p></div>"},
		{"no partial reference", "<p>aaaaaaaaaa &amp;&amp;&amp;</p>", 20, "<p>aaaaaaaaaa</p>"},
		{"rune boundary", "<p>" + strings.Repeat("я", 50) + "</p>", 40, ""},
		{"br is a block end", "<p>one two<br/>three four five six</p>", 24, "<p>one two<br/></p>"},
		{"void elements", `<p><img src="https://x.example/a.jpg"/> text text text text</p>`, 50, ""},
		{"nothing fits", "<blockquote><p>x</p></blockquote>", 10, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := truncateHTML(tc.in, tc.max)
			if len(got) > tc.max || !utf8.ValidString(got) {
				t.Errorf("truncateHTML(%q, %d) = %q: %d bytes", tc.in, tc.max, got, len(got))
			}
			if err := wellFormedHTML(got); err != nil {
				t.Errorf("truncateHTML(%q, %d) = %q: %v", tc.in, tc.max, got, err)
			}
			if tc.want != "" && got != tc.want {
				t.Errorf("truncateHTML(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

// TestCutParagraphs: whole paragraphs while they fit; the first one left
// out fills the rest when less than half is kept.
func TestCutParagraphs(t *testing.T) {
	tests := []struct {
		name  string
		paras []string
		max   int
		want  []string
	}{
		{"fits", []string{"aaaa", "bbbb"}, 10, []string{"aaaa", "bbbb"}},
		{"whole paragraphs", []string{"aaaa", "bbbb", "cccc"}, 11, []string{"aaaa", "bbbb"}},
		{"first too long", []string{"Иран и Россия подписали договор"}, 20, []string{"Иран и…"}},
		{"second fills the rest", []string{"ab", "one two three four five"}, 20, []string{"ab", "one two three…"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys := make([]string, len(tc.paras))
			for i, p := range tc.paras {
				keys[i] = Key(p)
			}
			got, gotKeys, cut := cutParagraphs(tc.paras, keys, tc.max)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(gotKeys) != len(got) {
				t.Errorf("cutParagraphs = %q (%d keys), want %q", got, len(gotKeys), tc.want)
			}
			if n := len(strings.Join(got, "\n\n")); n > tc.max || cut != (len(tc.want) != len(tc.paras) || got[len(got)-1] != tc.paras[len(got)-1]) {
				t.Errorf("%d bytes, cut %v", n, cut)
			}
		})
	}
}
