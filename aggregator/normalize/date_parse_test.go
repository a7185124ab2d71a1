package normalize

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// TestDates runs feed dates through gofeed and then Item, and checks the
// UTC result. gofeedRight records whether gofeed's own PublishedParsed is
// already right, documenting which fallbacks this package adds (named zones
// such as MSK and IRST, which gofeed reads as UTC; zone-less and odd forms it
// cannot parse).
func TestDates(t *testing.T) {
	tehran := time.FixedZone("IRST", 3*3600+1800)
	tests := []struct {
		name, raw   string
		want        time.Time
		gofeedRight bool
	}{
		{"rfc1123z", "Thu, 27 Oct 2022 22:46:00 +0300", time.Date(2022, 10, 27, 19, 46, 0, 0, time.UTC), true},
		{"rfc1123 gmt", "Sat, 17 Dec 2022 18:10:21 GMT", time.Date(2022, 12, 17, 18, 10, 21, 0, time.UTC), true},
		{"tehran offset", "Sat, 17 Dec 2022 14:05:00 +0330", time.Date(2022, 12, 17, 10, 35, 0, 0, time.UTC), true},
		{"rfc3339", "2022-12-17T14:05:00+03:30", time.Date(2022, 12, 17, 10, 35, 0, 0, time.UTC), true},
		{"rfc3339 fraction z", "2022-12-17T10:35:00.250Z", time.Date(2022, 12, 17, 10, 35, 0, 250e6, time.UTC), true},
		{"est", "Mon, 16 Jan 2023 08:00:00 EST", time.Date(2023, 1, 16, 13, 0, 0, 0, time.UTC), true},
		{"msk named zone", "Thu, 27 Oct 2022 22:46:00 MSK", time.Date(2022, 10, 27, 19, 46, 0, 0, time.UTC), false},
		{"irst named zone", "Sat, 17 Dec 2022 14:05:00 IRST", time.Date(2022, 12, 17, 10, 35, 0, 0, time.UTC), false},
		{"irst in parentheses", "Saturday, 17 December 2022 14:05 (IRST)", time.Date(2022, 12, 17, 10, 35, 0, 0, time.UTC), false},
		{"offset with colon in rfc822", "Sat, 17 Dec 2022 14:05:00 +03:30", time.Date(2022, 12, 17, 10, 35, 0, 0, time.UTC), true},
		{"gmt plus hours", "Thu, 27 Oct 2022 22:46:00 GMT+3", time.Date(2022, 10, 27, 19, 46, 0, 0, time.UTC), false},
		{"missing zone", "2022-12-17 14:05:00", time.Date(2022, 12, 17, 14, 5, 0, 0, time.UTC), true},
		{"missing zone rfc822", "Sat, 17 Dec 2022 14:05", time.Date(2022, 12, 17, 14, 5, 0, 0, time.UTC), true},
		{"single-digit day no seconds", "Sat, 7 Jan 2023 9:05 +0000", time.Date(2023, 1, 7, 9, 5, 0, 0, time.UTC), true},
		{"month name comma am pm", "January 7, 2023 9:05 PM EST", time.Date(2023, 1, 8, 2, 5, 0, 0, time.UTC), false},
		{"sept", "Mon, 12 Sept 2022 10:00:00 +0000", time.Date(2022, 9, 12, 10, 0, 0, 0, time.UTC), false},
		{"date only", "2022-12-17", time.Date(2022, 12, 17, 0, 0, 0, 0, time.UTC), true},
		{"wrong weekday", "Mon, 17 Dec 2022 14:05:00 +0000", time.Date(2022, 12, 17, 14, 5, 0, 0, time.UTC), true},
	}
	n := New(DefaultRules())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseRSS(t, fmt.Sprintf(`<item><title>T</title><link>https://example.com/a</link><pubDate>%s</pubDate></item>`, tt.raw))
			it := f.Items[0]
			gofeedOK := it.PublishedParsed != nil && it.PublishedParsed.Equal(tt.want)
			if gofeedOK != tt.gofeedRight {
				t.Errorf("gofeed alone: got %v, right = %v; the table says %v", it.PublishedParsed, gofeedOK, tt.gofeedRight)
			}
			got := n.Feed(Source{Outlet: "X"}, f, goldenNow)[0]
			if !got.Published.Equal(tt.want) || got.Published.Location() != time.UTC {
				t.Errorf("Published = %v, want %v", got.Published, tt.want)
			}
		})
	}
	t.Run("missing zone in outlet time zone", func(t *testing.T) {
		f := parseRSS(t, `<item><title>T</title><link>https://example.com/a</link><pubDate>2022-12-17 14:05:00</pubDate></item>`)
		got := n.Feed(Source{Outlet: "X", Location: tehran}, f, goldenNow)[0]
		if want := time.Date(2022, 12, 17, 10, 35, 0, 0, time.UTC); !got.Published.Equal(want) {
			t.Errorf("Published = %v, want %v", got.Published, want)
		}
	})
}

func TestDatesFallbacks(t *testing.T) {
	n := New(DefaultRules())
	now := goldenNow
	tests := []struct {
		name, item     string
		wantPub, wantU time.Time
	}{
		{"missing is now", `<pubDate></pubDate>`, now, now},
		{"garbage is now", `<pubDate>yesterday-ish</pubDate>`, now, now},
		{"far future clamped", `<pubDate>Sat, 01 Jan 2099 00:00:00 +0000</pubDate>`, now, now},
		{"hours ahead accepted", `<pubDate>Sat, 01 Feb 2025 20:00:00 +0000</pubDate>`, time.Date(2025, 2, 1, 20, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 20, 0, 0, 0, time.UTC)},
		{"ancient is now", `<pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate>`, now, now},
		{"dc:date", `<dc:date>2024-05-01T10:00:00+03:00</dc:date>`, time.Date(2024, 5, 1, 7, 0, 0, 0, time.UTC), time.Date(2024, 5, 1, 7, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseRSS(t, `<item><title>T</title><link>https://example.com/a</link>`+tt.item+`</item>`)
			got := n.Feed(Source{Outlet: "X"}, f, now)[0]
			if !got.Published.Equal(tt.wantPub) || !got.Updated.Equal(tt.wantU) || !got.FirstSeen.Equal(now) {
				t.Errorf("Published %v Updated %v FirstSeen %v; want %v %v %v", got.Published, got.Updated, got.FirstSeen, tt.wantPub, tt.wantU, now)
			}
		})
	}
}

func TestAtomUpdatedDefaults(t *testing.T) {
	n := New(DefaultRules())
	f := parseFeed(t, `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><id>urn:1</id><title>only updated</title><link href="https://example.com/1"/><updated>2024-05-01T10:00:00Z</updated></entry>
<entry><id>urn:2</id><title>both</title><link href="https://example.com/2"/><published>2024-05-01T10:00:00Z</published><updated>2024-05-02T10:00:00+02:00</updated></entry>
<entry><id>urn:3</id><title>updated before published</title><link href="https://example.com/3"/><published>2024-05-03T10:00:00Z</published><updated>2024-05-01T10:00:00Z</updated></entry>
</feed>`)
	items := n.Feed(Source{Outlet: "X"}, f, goldenNow)
	want := [][2]time.Time{
		{time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC)},
		{time.Date(2024, 5, 3, 10, 0, 0, 0, time.UTC), time.Date(2024, 5, 3, 10, 0, 0, 0, time.UTC)},
	}
	if len(items) != len(want) {
		t.Fatalf("got %d items", len(items))
	}
	for i, w := range want {
		if !items[i].Published.Equal(w[0]) || !items[i].Updated.Equal(w[1]) {
			t.Errorf("item %d: published %v updated %v, want %v %v", i, items[i].Published, items[i].Updated, w[0], w[1])
		}
	}
}

func parseRSS(tb testing.TB, items string) *gofeed.Feed {
	tb.Helper()
	return parseFeed(tb, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Feed</title><link>https://example.com/</link>`+items+`</channel></rss>`)
}

func parseFeed(tb testing.TB, doc string) *gofeed.Feed {
	tb.Helper()
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	f, err := p.Parse(strings.NewReader(doc))
	if err != nil {
		tb.Fatalf("parse test feed: %v", err)
	}
	return f
}
