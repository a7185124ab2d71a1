package publish

import (
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// testMeta is the Meta the golden files are rendered with.
func testMeta(self string) Meta {
	return Meta{
		Title:       "Iran–Russia–Ukraine watch",
		Description: "Iranian drones, the Iran–Russia partnership, sanctions & diplomacy",
		Link:        "https://feeds.example.org/",
		SelfURL:     "https://feeds.example.org/" + self,
		Language:    "en",
		HubURL:      "https://hub.example.net/",
		OutletFeeds: map[string]string{
			"Iran Front Page":  "https://ifpnews.com/feed/",
			"The Moscow Times": "https://www.themoscowtimes.com/rss/news",
		},
		TTL: 15 * time.Minute,
	}
}

func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("bad fixture time %q: %v", s, err)
	}
	return t
}

// testItems are modelled on the seed articles, newest first, with the
// problems a renderer must survive: control characters, invalid UTF-8, a
// CDATA terminator, markup in plain text, several sources, no UID, no URL.
func testItems(tb testing.TB) []news.Item {
	tb.Helper()
	return []news.Item{
		{
			UID:         "01J8IFPBURNS",
			Outlet:      "Iran Front Page",
			GUID:        "https://ifpnews.com/?p=12345",
			URL:         "https://ifpnews.com/cia-director-says-iran-russia-cooperation-worrying/",
			Title:       "CIA director says Iran-Russia cooperation “worrying”",
			Summary:     "CIA Director William Burns has expressed concern over the “growing cooperation between Tehran and Moscow” amid the Ukraine war.",
			Text:        "CIA Director William Burns has expressed concern.\n\nBoth Tehran and Moscow have repeatedly denied claims.",
			ContentHTML: "<p>CIA Director William Burns has expressed concern over the “growing cooperation between Tehran and Moscow”.</p><p>A <a href=\"https://www.pbs.org/newshour\">PBS</a> interview.</p>",
			Authors:     []string{"IFP Editorial Staff"},
			Language:    "en",
			Image:       "https://ifpnews.com/wp-content/uploads/burns.jpg",
			Enclosures:  []news.Enclosure{{URL: "https://ifpnews.com/wp-content/uploads/burns.jpg", Type: "image/jpeg", Length: 48213}},
			Published:   at(tb, "2023-02-26T09:30:00Z"),
			Updated:     at(tb, "2023-02-26T10:05:00Z"),
			// the outlet's own update, which pages show
			OutletUpdated: at(tb, "2023-02-26T10:05:00Z"),
			FirstSeen:     at(tb, "2023-02-26T09:45:00Z"),
			StoryID:       "s-burns-interview",
			StoryWhy:      "new story: best story s-blinken-drones: same event 0.12 < 0.60 (1 write-up: title 0.05, lead 0.10, text 0.08, 3 shared, 0 specific): t:drones",
			Tagging:       news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Tags: []string{"drones", "military", "diplomacy"}, Score: 7.25},
			Sources: []news.Source{
				{Outlet: "Iran Front Page", URL: "https://ifpnews.com/cia-director-says-iran-russia-cooperation-worrying/"},
				{Outlet: "Al Mayadeen English", URL: "https://english.almayadeen.net/news/politics/possible-russia-iran-defense-partnership"},
				{Outlet: "The Moscow Times", URL: "https://www.themoscowtimes.com/2023/02/27/iran-wont-seek-permission-a80345"},
			},
		},
		{
			UID:          "01J8MTBLINKEN",
			Outlet:       "The Moscow Times",
			GUID:         "https://www.themoscowtimes.com/2022/10/21/blinken-a79150",
			URL:          "https://www.themoscowtimes.com/2022/10/21/blinken-a79150",
			Title:        "Blinken: Russia's use of Iranian drones \"appalling\" \x07<b>not bold</b>",
			Summary:      "Plain text with <markup> & ampersands\x00 and a bad byte \xff here.",
			ContentHTML:  "<p>Russia’s use of Iranian drones is “appalling”.</p><pre>a ]]> b</pre>\x1b",
			Authors:      nil,
			Language:     "en",
			Published:    at(tb, "2022-10-21T14:00:00Z"),
			StoryID:      "s-blinken-drones",
			StoryWhy:     "joins story s-blinken-drones: same event 0.83 ≥ 0.60 <b>\x07 (best 01J8MTOTHER 0.91: 17 shared, 2 specific): e:antonyblinken, q:use of iranian",
			RelatedStory: "s-burns-interview",
			Tagging:      news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Tags: []string{"drones", "drones", ""}, Score: 4.0004},
		},
		{
			UID:       "01J8AAWDRONES",
			Outlet:    "Asharq Al-Awsat",
			URL:       "https://english.aawsat.com/home/article/4027991/us-asks-iran-stop-selling-drones-russia",
			Title:     "США просят Иран прекратить продажу дронов России — ایران",
			Summary:   "Вашингтон призвал Тегеран. تهران\u200cمسکو",
			Language:  "ru",
			Published: at(tb, "2022-10-19T08:00:00+03:30"),
			Updated:   at(tb, "2022-10-19T04:00:00Z"), // before Published: clamped
			Tagging:   news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Tags: []string{"drones", "sanctions"}, Score: 3},
		},
		{
			// Not stored yet (no UID), no usable URL, no title, no dates but
			// FirstSeen.
			Outlet:    "Al Mayadeen English",
			GUID:      "almayadeen-8841",
			URL:       "/relative/only",
			Summary:   "Possible Russia-Iran defense partnership has US, Britain on edge, according to a report.",
			FirstSeen: at(tb, "2022-10-18T12:00:00Z"),
			Tagging:   news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Tags: []string{"diplomacy"}, Score: 2.5},
		},
	}
}
