package publish

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// benchItems makes n items of about 3 KB of HTML each, with three sources.
func benchItems(n int) []news.Item {
	body := strings.Repeat("<p>Iranian Shahed drones struck Kyiv overnight, officials said, as Moscow and Tehran deepened their defense partnership.</p>", 25)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	items := make([]news.Item, n)
	for i := range items {
		items[i] = news.Item{
			UID: fmt.Sprintf("u%06d", i), Outlet: "The Moscow Times", URL: fmt.Sprintf("https://www.themoscowtimes.com/2026/11/01/story-%d", i),
			Title: fmt.Sprintf("Story %d about Iran and Russia", i), Summary: "Iranian drones and the war in Ukraine.",
			ContentHTML: body, Language: "en", Published: t0.Add(-time.Duration(i) * time.Minute), StoryID: fmt.Sprintf("s%d", i),
			Tagging: news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Tags: []string{"drones", "military"}, Score: 5},
			Sources: []news.Source{
				{Outlet: "The Moscow Times", URL: fmt.Sprintf("https://www.themoscowtimes.com/2026/11/01/story-%d", i)},
				{Outlet: "Meduza", URL: fmt.Sprintf("https://meduza.io/en/news/%d", i)},
				{Outlet: "Kyiv Independent", URL: fmt.Sprintf("https://kyivindependent.com/%d", i)},
			},
		}
	}
	return items
}

// BenchmarkRender renders a 100-entry feed (the default feed.limit).
func BenchmarkRender(b *testing.B) {
	items := benchItems(100)
	for _, r := range renderers {
		b.Run(r.name, func(b *testing.B) {
			m := testMeta(r.file)
			b.ReportAllocs()
			var size int
			for b.Loop() {
				out, err := r.render(m, items)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.SetBytes(int64(size))
		})
	}
}

func BenchmarkHTMLList(b *testing.B) {
	h, err := NewHTML()
	if err != nil {
		b.Fatal(err)
	}
	items := benchItems(50)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.List(ListPage{Site: Site{Title: "t"}, Heading: "Latest", Path: "/", Items: items}); err != nil {
			b.Fatal(err)
		}
	}
}
