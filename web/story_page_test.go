package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// relatedStore is a fakeStore that also knows related stories, as
// storage.DB does: from the items' RelatedStory, both ways.
type relatedStore struct {
	*fakeStore
	extra []string // more ids every answer carries (stories with no items)
	err   error
}

func (r *relatedStore) RelatedStories(_ context.Context, story string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return nil, r.err
	}
	var out []string
	add := func(id string) {
		if id != "" && id != story && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, it := range r.items {
		switch {
		case it.StoryID == story:
			add(it.RelatedStory)
		case it.RelatedStory == story:
			add(it.StoryID)
		}
	}
	for _, id := range r.extra {
		add(id)
	}
	return out, nil
}

// groupedItems are sampleItems with grouping explanations, a second
// write-up of the Burns story and the Blinken story related to it.
func groupedItems(tb testing.TB) []news.Item {
	tb.Helper()
	items := sampleItems(tb)
	for i := range items {
		switch items[i].UID {
		case "u-burns":
			items[i].StoryWhy = "new story: no candidate"
		case "u-blinken":
			items[i].StoryWhy = `new story: best story s-burns: same event 0.31 < 0.60 (mean over 1 write-ups): e:<script>alert(1)</script>`
			items[i].RelatedStory = "s-burns"
		}
	}
	second := news.Item{
		UID: "u-burns-2", Outlet: "The Moscow Times", URL: "https://moscowtimes.example/burns-2",
		Title: "Burns: Iran and Russia deepen defense ties", Published: mustTime(tb, "2023-02-26T11:00:00Z"), StoryID: "s-burns",
		StoryWhy: "joins story s-burns: same event 0.83 ≥ 0.60 (mean over 1 write-ups; 17 shared, 2 specific): e:williamburns",
		Tagging:  news.Tagging{OnTopic: true, Topics: []string{"iran-russia-ukraine"}, Score: 5},
	}
	return append([]news.Item{second}, items...)
}

func newGroupedServer(tb testing.TB, st Store) *Server {
	tb.Helper()
	return NewServer(st, Options{BaseURL: "http://feeds.test", Title: "Iran–Russia–Ukraine", Language: "en",
		Clock: func() time.Time { return mustTime(tb, "2023-03-01T12:00:00Z") }})
}

func TestStoryPageGroupingAndRelated(t *testing.T) {
	base := &fakeStore{items: groupedItems(t), outlets: sampleOutlets(t), rev: 1}
	withRelated := &relatedStore{fakeStore: base, extra: []string{"s-pruned"}}
	tests := []struct {
		name    string
		store   Store
		path    string
		want    []string
		notWant []string
	}{
		{"story page explains each write-up and links the story replying to it", withRelated, "/stories/s-burns", []string{
			`<p class="meta grouping">Grouped because: joins story s-burns: same event 0.83 ≥ 0.60`,
			`<p class="meta grouping">Grouped because: new story: no candidate</p>`,
			`<h2>Related stories</h2>`,
			`<a href="/stories/s-blinken">Blinken: Russia&#39;s use of Iranian drones`,
		}, []string{`/stories/s-pruned`, `href="/stories/s-burns"`, `/stories/s-aawsat`}},
		{"item page of the reply links the story it replies to, reason escaped", withRelated, "/items/u-blinken", []string{
			`Grouped because: new story: best story s-burns: same event 0.31 &lt; 0.60 (mean over 1 write-ups): e:&lt;script&gt;alert(1)&lt;/script&gt;</p>`,
			`<h2>Related stories</h2>`,
			`<a href="/stories/s-burns">Burns: Iran and Russia deepen defense ties</a>`,
		}, []string{`<script>`}},
		{"a story without explanation or relations", withRelated, "/stories/s-aawsat", nil,
			[]string{"Grouped because", "Related stories"}},
		{"a store that knows no relations", base, "/stories/s-burns",
			[]string{`Grouped because: new story: no candidate`}, []string{"Related stories", `href="/stories/`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, newGroupedServer(t, tt.store), http.MethodGet, tt.path)
			b := body(t, res)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", res.StatusCode, b)
			}
			for _, w := range tt.want {
				if !strings.Contains(b, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(b, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}

	t.Run("the JSON feed carries grouping and related story", func(t *testing.T) {
		b := body(t, do(t, newGroupedServer(t, withRelated), http.MethodGet, "/feed.json"))
		for _, w := range []string{`"grouping": "new story: no candidate"`, `"related": "s-burns"`} {
			if !strings.Contains(b, w) {
				t.Errorf("feed lacks %s", w)
			}
		}
	})

	t.Run("a failing relation lookup fails the page", func(t *testing.T) {
		failing := &relatedStore{fakeStore: &fakeStore{items: groupedItems(t), rev: 1}, err: errors.New("database is locked")}
		if res := do(t, newGroupedServer(t, failing), http.MethodGet, "/stories/s-burns"); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503", res.StatusCode)
		}
	})
}
