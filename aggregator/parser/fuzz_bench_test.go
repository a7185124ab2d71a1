package parser

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// realisticRSS builds a WordPress-style RSS 2.0 feed of n items, each with a
// CDATA description, 2–3 KB of content:encoded HTML, categories, a creator and
// an enclosure, as the outlets topicfeed polls publish.
func realisticRSS(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
<title>Iran Front Page</title>
<atom:link href="https://ifpnews.com/feed/" rel="self" type="application/rss+xml"/>
<link>https://ifpnews.com</link>
<description>Iran News &amp; Analysis</description>
<lastBuildDate>Fri, 20 Nov 2026 09:12:44 +0000</lastBuildDate>
<language>en-US</language>
`)
	para := `<p>Iran and Russia expanded their defense partnership on Friday, officials in Tehran said, as Ukraine reported new waves of Shahed drones over Kyiv &amp; Odesa. The memorandum covers training, exchanges and “technical cooperation”.</p>
`
	for i := range n {
		fmt.Fprintf(&b, `<item>
<title>Iran, Russia sign defense memorandum – part %d</title>
<link>https://ifpnews.com/iran-russia-defense-%d/</link>
<dc:creator><![CDATA[IFP Editorial Staff]]></dc:creator>
<pubDate>Fri, 20 Nov 2026 %02d:%02d:00 +0330</pubDate>
<category><![CDATA[Politics]]></category>
<category><![CDATA[Russia]]></category>
<category><![CDATA[Ukraine war]]></category>
<guid isPermaLink="false">https://ifpnews.com/?p=%d</guid>
<description><![CDATA[Iran and Russia signed a memorandum on defense cooperation&#8230; <a href="https://ifpnews.com/iran-russia-defense-%d/">Read more</a>]]></description>
<content:encoded><![CDATA[`, i, i, i%24, i%60, 100000+i, i)
		for range 6 + i%3 {
			b.WriteString(para)
		}
		fmt.Fprintf(&b, `]]></content:encoded>
<enclosure url="https://ifpnews.com/wp-content/uploads/2026/11/photo-%d.jpg" length="48213" type="image/jpeg"/>
<media:content url="https://ifpnews.com/wp-content/uploads/2026/11/photo-%d.jpg" medium="image"/>
</item>
`, i, i)
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.Bytes()
}

// BenchmarkParse compares topicfeed's parsing layer with gofeed alone on the
// same 50-item feed: go test -run '^$' -bench Parse -benchtime 200x.
func BenchmarkParse(b *testing.B) {
	doc := realisticRSS(50)
	b.Run("topicfeed", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			res, err := Parse(doc, Options{ContentType: "application/rss+xml; charset=utf-8"})
			if err != nil || len(res.Feed.Items) != 50 {
				b.Fatalf("Parse: %v", err)
			}
		}
	})
	b.Run("gofeed", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
			if err != nil || len(f.Items) != 50 {
				b.Fatalf("gofeed: %v", err)
			}
		}
	})
}

// adversarialDocs are documents built to find super-linear paths in the
// repair layer: n repetitions of one construct each.
func adversarialDocs(n int) map[string]string {
	item := func(s string) string { return "<rss><channel><item>" + s + "</item></channel></rss>" }
	return map[string]string{
		"deep-nesting":      item("<description>" + strings.Repeat("<a>", n) + "</description>"),
		"stray-ampersands":  item("<title>" + strings.Repeat("&a", n) + "</title>"),
		"stray-less-thans":  item("<title>" + strings.Repeat("< ", n) + "</title>"),
		"stray-end-tags":    "<rss><channel>" + strings.Repeat("</x>", n) + "</channel></rss>",
		"mismatched-tags":   item(strings.Repeat("<b><i></b>", n)),
		"html-attributes":   item("<description>&lt;a " + strings.Repeat(`href="x" `, n) + "&gt;</description>"),
		"atom03-inline":     `<feed version="0.3" xmlns="http://purl.org/atom/ns#">` + strings.Repeat(`<entry><title mode="xml" type="application/xhtml+xml"><div><b>x</b></div></title></entry>`, n/10+1) + "</feed>",
		"mojibake":          item("<title>" + strings.Repeat("Ã©", n) + "</title>"),
		"open-cdata":        item("<title>" + strings.Repeat("<![CDATA[", n)),
		"dtd-entities":      "<!DOCTYPE rss [" + strings.Repeat(`<!ENTITY a "b">`, n) + "]><rss><channel><title>&a;</title></channel></rss>",
		"cut-attribute":     item("<title>" + strings.Repeat("<a b='c", n)),
		"cp1252-references": item("<description>" + strings.Repeat("&amp;#146;", n) + "</description>"),
	}
}

// BenchmarkParseAdversarial shows each adversarial construct costs time
// linear in its size: compare ns/op of the 1k and 10k variants.
func BenchmarkParseAdversarial(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for name, doc := range adversarialDocs(n) {
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				body := []byte(doc)
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					_, _ = Parse(body, Options{URL: "http://example.org/"})
				}
			})
		}
	}
}

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and whatever
// it returns must be valid UTF-8 and marshal as a report.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*", "*"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 64<<10 {
			f.Add(b, "")
		}
	}
	f.Add(realisticRSS(2), "text/xml; charset=koi8-r")
	f.Add([]byte(`<rss><channel><item><title>a & b <c</title><description><![CDATA[x`), "")
	f.Add([]byte("\xff\xfe<\x00r\x00s\x00s\x00>"), "")
	for _, doc := range adversarialDocs(20) {
		f.Add([]byte(doc), "")
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		res, err := Parse(body, Options{ContentType: contentType, URL: "https://example.org/feed"})
		if err != nil {
			if res != nil {
				t.Fatalf("Parse returned a result with error %v", err)
			}
			return
		}
		rep := res.Dump()
		out, err := json.Marshal(rep)
		if err != nil {
			t.Fatalf("marshal report: %v", err)
		}
		strs := []string{rep.Title, rep.Link, rep.Description, rep.Language}
		for _, it := range rep.Items {
			strs = append(strs, it.ID, it.Link, it.Title, it.Summary, it.Content)
			strs = append(strs, it.Categories...)
		}
		for _, s := range strs {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in output %q", s)
			}
			if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }) >= 0 {
				t.Fatalf("control character XML forbids in output %q", s)
			}
		}
		if !utf8.Valid(out) {
			t.Fatal("report JSON is not valid UTF-8")
		}
	})
}
