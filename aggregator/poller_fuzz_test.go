package aggregator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/topicfeed/topicfeed/news"
)

// FuzzPoll drives the whole fetch-to-store path with arbitrary response
// bodies and content types: no panic, every stored string valid UTF-8,
// and a failing poll loses nothing already stored.
func FuzzPoll(f *testing.F) {
	f.Add([]byte(rssFeed), "application/rss+xml")
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>Iran</title><id>x</id><link href="/a"/></entry></feed>`), "application/atom+xml")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","url":"https://x.example/1","content_html":"<p>Iran</p>"}]}`), "application/feed+json")
	f.Add([]byte("<rss><channel><item><title>Iran &amp; Russia\xff\xfe</title></item></channel></rss>"), "text/xml; charset=windows-1251")
	f.Add([]byte("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"koi8-r\"?><rss version=\"2.0\"><channel><item><title>\xf2\xcf\xd3\xd3\xc9\xd1</title></item></channel></rss>"), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		var served atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if served.Add(1) == 1 {
				w.Header().Set("Content-Type", "application/rss+xml")
				w.Write([]byte(rssFeed))
				return
			}
			if utf8.ValidString(contentType) {
				w.Header().Set("Content-Type", contentType)
			}
			w.Write(body)
		}))
		defer srv.Close()
		fx := newPollerFixture(t, srv.URL+"/feed")
		ctx := context.Background()
		if r := fx.poller.Poll(ctx, fx.outlet); r.Err != nil {
			t.Fatal(r.Err)
		}
		fx.now = fx.now.Add(fx.outlet.Interval)
		r := fx.poller.Poll(ctx, fx.outlet) // may fail; must not panic
		items, err := fx.db.Items(ctx, news.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) < 2 {
			t.Fatalf("%d items after a second poll (err %v), want the 2 stored before", len(items), r.Err)
		}
		for _, it := range items {
			for _, s := range []string{it.Title, it.Text, it.Summary, it.ContentHTML, it.URL, it.GUID} {
				if !utf8.ValidString(s) {
					t.Fatalf("stored invalid UTF-8: %q", s)
				}
			}
		}
	})
}
