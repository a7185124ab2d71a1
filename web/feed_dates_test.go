package web

import (
	"encoding/xml"
	"net/http"
	"testing"
	"time"
)

// TestEmptyFeedDate: a feed without entries is dated when its content last
// changed, the Last-Modified it is served with, in Atom and RSS alike; the
// date stays while it stays empty and moves with the header when it
// becomes empty again.
func TestEmptyFeedDate(t *testing.T) {
	s, st, clk := newTestServer(t)
	all := st.items
	st.set(nil)
	dates := func(path string) (header, doc string) {
		t.Helper()
		res := do(t, s, http.MethodGet, path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", path, res.Status)
		}
		var f struct {
			Updated string `xml:"updated"`
			PubDate string `xml:"channel>pubDate"`
			Build   string `xml:"channel>lastBuildDate"`
		}
		if err := xml.Unmarshal([]byte(body(t, res)), &f); err != nil {
			t.Fatal(err)
		}
		lm, err := http.ParseTime(res.Header.Get("Last-Modified"))
		if err != nil {
			t.Fatal(err)
		}
		d := f.Updated
		if f.PubDate != "" {
			pd, err := time.Parse(time.RFC1123Z, f.PubDate)
			if err != nil {
				t.Fatal(err)
			}
			if f.Build != f.PubDate {
				t.Errorf("%s: lastBuildDate %s, pubDate %s", path, f.Build, f.PubDate)
			}
			d = pd.UTC().Format(time.RFC3339)
		}
		return lm.UTC().Format(time.RFC3339), d
	}
	check := func(when string) {
		t.Helper()
		for _, p := range []string{"/feed.atom", "/feed.rss"} {
			lm, d := dates(p)
			if d != lm || d != when {
				t.Errorf("%s: document dated %s, Last-Modified %s, want both %s", p, d, lm, when)
			}
		}
	}
	check("2023-03-01T12:00:00Z")

	clk.add(time.Hour) // still empty at a new revision: same date, same bytes
	st.bump()
	check("2023-03-01T12:00:00Z")

	clk.add(time.Hour) // entries, then none again
	st.set(all)
	dates("/feed.atom")
	dates("/feed.rss")
	clk.add(time.Hour)
	st.set(nil)
	check("2023-03-01T15:00:00Z")
}
