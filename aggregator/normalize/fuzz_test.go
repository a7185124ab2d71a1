package normalize

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/topicfeed/topicfeed/news"
)

// FuzzNormalize feeds arbitrary bytes through gofeed and Feed: it must not
// panic, and every string it outputs must be valid UTF-8 without control
// characters (Text may hold newlines between paragraphs).
func FuzzNormalize(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.xml"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<rss version="2.0"><channel><item><title>a&#1;b</title><description>&lt;p&gt;x&#x80;&lt;/p&gt;</description></item></channel></rss>`))
	f.Add([]byte("<rss version=\"2.0\"><channel><item><title>\xff\xfe</title><link>http://[::1</link></item></channel></rss>"))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","content_html":"<script>x</script><p>y</p>","date_published":"2099-01-01T00:00:00Z"}]}`))
	n := New(DefaultRules())
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := p.Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, it := range n.Feed(Source{Outlet: "Fuzz", FeedURL: "https://example.com/feed"}, feed, goldenNow) {
			checkItemStrings(t, it)
		}
	})
}

func checkItemStrings(t *testing.T, it news.Item) {
	t.Helper()
	fields := map[string]string{
		"Outlet": it.Outlet, "GUID": it.GUID, "URL": it.URL, "Title": it.Title, "Summary": it.Summary,
		"ContentHTML": it.ContentHTML, "Language": it.Language, "Image": it.Image, "ContentHash": it.ContentHash,
	}
	for i, a := range it.Authors {
		fields["Authors["+itoa(i)+"]"] = a
	}
	for i, c := range it.Categories {
		fields["Categories["+itoa(i)+"]"] = c
	}
	for i, e := range it.Enclosures {
		fields["Enclosures["+itoa(i)+"].URL"] = e.URL
		fields["Enclosures["+itoa(i)+"].Type"] = e.Type
	}
	allowedIn := map[string]string{"ContentHTML": "\t\n\r"}
	for name, v := range fields {
		if !utf8.ValidString(v) || hasControl(v, allowedIn[name]) {
			t.Errorf("%s = %q: invalid UTF-8 or control character", name, v)
		}
	}
	if !utf8.ValidString(it.Text) || hasControl(it.Text, "\n") {
		t.Errorf("Text = %q: invalid UTF-8 or control character", it.Text)
	}
	if it.Published.IsZero() || it.Updated.Before(it.Published) || it.Published.Location().String() != "UTC" {
		t.Errorf("dates: published %v updated %v", it.Published, it.Updated)
	}
}

// FuzzCanonicalURL: no panic; a canonical URL is valid UTF-8, absolute
// http(s), and canonical again (idempotent).
func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{"https://Example.com:443/a/amp/?utm_source=x&b=1#f", "/rel?amp", "http://amp.x.org/y.amp.html", "https://x.cdn.ampproject.org/c/s/x.org/a", "http://[::1]:80/", "https://пример.рф/а"} {
		f.Add(s, "https://example.com/feed/")
	}
	f.Fuzz(func(t *testing.T, raw, base string) {
		c, err := CanonicalURL(raw, base)
		if err != nil {
			return
		}
		if !utf8.ValidString(c) || !(strings.HasPrefix(c, "http://") || strings.HasPrefix(c, "https://")) {
			t.Fatalf("CanonicalURL(%q, %q) = %q", raw, base, c)
		}
		again, err := CanonicalURL(c, "")
		if err != nil || again != c {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", raw, c, again, err)
		}
	})
}

// FuzzKey: Key is idempotent and always valid UTF-8 without controls.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"Iran’s ایران ايران Ёлка", "ﬁ ＩＲＧＣ ß", "a\xffb\x00", "नमस्ते 한국어"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		if !utf8.ValidString(k) || hasControl(k, "") {
			t.Fatalf("Key(%q) = %q", s, k)
		}
		if k2 := Key(k); k2 != k {
			t.Fatalf("Key not idempotent: %q → %q → %q", s, k, k2)
		}
	})
}
