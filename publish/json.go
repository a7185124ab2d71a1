package publish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gorilla/feeds"

	"github.com/topicfeed/topicfeed/news"
)

// jsonFeedVersion is the JSON Feed version topicfeed writes.
const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonFeed replaces gorilla's items (omitted when empty, which JSON Feed
// forbids) with jsonItem.
type jsonFeed struct {
	*feeds.JSONFeed
	Items []*jsonItem `json:"items"`
}

// jsonItem adds the item language (JSON Feed 1.1) and the `_topicfeed`
// extension object to gorilla's JSONItem.
type jsonItem struct {
	*feeds.JSONItem
	Language  string         `json:"language,omitempty"`
	Topicfeed *JSONExtension `json:"_topicfeed"`
}

// JSONExtension is the `_topicfeed` object of every JSON Feed item.
type JSONExtension struct {
	// About documents the extension (JSON Feed recommends it).
	About string `json:"about"`
	// Story is the stable id of the story the item belongs to (the item's
	// own UID when storage has not grouped it).
	Story string `json:"story"`
	// Outlet is the outlet this entry's copy comes from.
	Outlet string `json:"outlet"`
	// Sources lists every outlet's copy, this one included.
	Sources []JSONSource `json:"sources"`
	Topics  []string     `json:"topics"`
	Tags    []string     `json:"tags"`
	// Score is the tagger's on-topic score, rounded to three decimals.
	Score float64 `json:"score"`
	// Grouping says why story clustering put the item in its story (or
	// started one with it); omitted when unknown.
	Grouping string `json:"grouping,omitempty"`
	// Related is the id of a story the item is related to but not part
	// of (a reply, a reaction, a follow-up); omitted when none.
	Related string `json:"related,omitempty"`
}

// JSONSource is one outlet's copy of an item.
type JSONSource struct {
	Outlet string `json:"outlet"`
	URL    string `json:"url"`
}

// JSON renders items as a JSON Feed 1.1 document.
func JSON(m Meta, items []news.Item) ([]byte, error) {
	es := entries(m, items)
	author := &feeds.JSONAuthor{Name: feedTitle(m), Url: absURL(m.Link)}
	f := &jsonFeed{
		JSONFeed: &feeds.JSONFeed{
			Version:     jsonFeedVersion,
			Title:       feedTitle(m),
			Language:    clean(m.Language),
			HomePageUrl: absURL(m.Link),
			FeedUrl:     absURL(m.SelfURL),
			Description: clean(m.Description),
			Authors:     []*feeds.JSONAuthor{author},
			Author:      author, // JSON Feed 1.0 readers
		},
		Items: make([]*jsonItem, 0, len(es)),
	}
	if u := absURL(m.HubURL); u != "" {
		f.Hubs = []*feeds.JSONHub{{Type: "WebSub", Url: u}}
	}
	for _, e := range es {
		f.Items = append(f.Items, newJSONItem(e))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("marshal json feed: %w", err)
	}
	return buf.Bytes(), nil
}

func newJSONItem(e entry) *jsonItem {
	published, updated := e.published, e.updated
	ji := &jsonItem{
		JSONItem: &feeds.JSONItem{
			Id:            e.id,
			Url:           e.link,
			Title:         e.title,
			ContentHTML:   e.content,
			Summary:       e.summary,
			Image:         e.image,
			PublishedDate: &published,
			ModifiedDate:  &updated,
			Tags:          append(append([]string{}, e.tags...), e.topics...),
		},
		Language: e.language,
		Topicfeed: &JSONExtension{
			About:   ExtensionAbout,
			Story:   e.story,
			Outlet:  e.outlet,
			Sources: make([]JSONSource, 0, len(e.sources)),
			Topics:  nonNil(e.topics),
			Tags:    nonNil(e.tags),
			Score:   e.score,
		},
	}
	ji.Topicfeed.Grouping, ji.Topicfeed.Related = e.grouping, e.relatedStory
	if ji.ContentHTML == "" {
		// JSON Feed requires content_html or content_text.
		ji.ContentText = strings.TrimSpace(e.summary + "\n\n" + e.title)
	}
	names := e.authors
	if len(names) == 0 {
		names = []string{e.outlet}
	}
	for _, n := range names {
		ji.Authors = append(ji.Authors, &feeds.JSONAuthor{Name: n})
	}
	ji.Author = ji.Authors[0] // JSON Feed 1.0 readers
	for _, enc := range e.enclosure {
		if enc.Type == "" {
			continue // JSON Feed requires mime_type
		}
		ji.Attachments = append(ji.Attachments, feeds.JSONAttachment{Url: enc.URL, MIMEType: enc.Type, Size: int32(min(enc.Length, 1<<31-1))})
	}
	for _, s := range e.sources {
		ji.Topicfeed.Sources = append(ji.Topicfeed.Sources, JSONSource{Outlet: s.outlet, URL: s.url})
	}
	return ji
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
