package web

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// fakeStore is an in-memory Store whose revision, content and failures the
// tests control.
type fakeStore struct {
	mu         sync.Mutex
	items      []news.Item // newest first
	outlets    []news.OutletState
	rev        int64
	err        error // returned by every method while set
	itemsCalls int
	revCalls   int // Revision and ContentRevision calls
}

var errStoreDown = errors.New("database is locked")

func (f *fakeStore) Items(_ context.Context, q news.Query) ([]news.Item, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.itemsCalls++
	if f.err != nil {
		return nil, f.err
	}
	var out []news.Item
	for _, it := range f.items {
		switch {
		case q.OnTopic && !it.OnTopic,
			q.Tag != "" && !slices.Contains(it.Tags, q.Tag),
			q.Topic != "" && !slices.Contains(it.Topics, q.Topic),
			q.Outlet != "" && it.Outlet != q.Outlet,
			q.StoryID != "" && it.StoryID != q.StoryID:
			continue
		}
		out = append(out, it)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

func (f *fakeStore) ItemByUID(_ context.Context, uid string) (news.Item, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return news.Item{}, f.err
	}
	for _, it := range f.items {
		if it.UID == uid {
			return it, nil
		}
	}
	return news.Item{}, fmt.Errorf("item %q: %w", uid, news.ErrNotFound)
}

// RelatedStories knows no related stories; relatedStore does.
func (f *fakeStore) RelatedStories(context.Context, string) ([]string, error) {
	return nil, nil
}

func (f *fakeStore) Outlets(context.Context) ([]news.OutletState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return slices.Clone(f.outlets), nil
}

func (f *fakeStore) Revision(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revCalls++
	if f.err != nil {
		return 0, f.err
	}
	return f.rev, nil
}

// ContentRevision is Revision: the fake counts every change as content.
func (f *fakeStore) ContentRevision(ctx context.Context) (int64, error) {
	return f.Revision(ctx)
}

// OnTopicCounts counts the on-topic items by outlet.
func (f *fakeStore) OnTopicCounts(context.Context) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	out := map[string]int{}
	for _, it := range f.items {
		if it.OnTopic {
			out[it.Outlet]++
		}
	}
	return out, nil
}

// FacetCounts counts the on-topic items by topic and by tag.
func (f *fakeStore) FacetCounts(context.Context) (topics, tags map[string]int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, nil, f.err
	}
	topics, tags = map[string]int{}, map[string]int{}
	for _, it := range f.items {
		if !it.OnTopic {
			continue
		}
		for _, t := range it.Topics {
			topics[t]++
		}
		for _, t := range it.Tags {
			tags[t]++
		}
	}
	return topics, tags, nil
}

// set replaces the items and bumps the revision.
func (f *fakeStore) set(items []news.Item) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = items
	f.rev++
}

func (f *fakeStore) bump() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rev++
}

func (f *fakeStore) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// revisionReads counts the revision reads so far.
func (f *fakeStore) revisionReads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.revCalls
}

func (f *fakeStore) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.itemsCalls
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("bad fixture time %q: %v", s, err)
	}
	return t
}

// sampleItems: three on-topic items (one story covered by three outlets)
// and one off-topic item, newest first.
func sampleItems(tb testing.TB) []news.Item {
	tb.Helper()
	topic := []string{"iran-russia-ukraine"}
	return []news.Item{
		{
			UID: "u-burns", Outlet: "Iran Front Page", URL: "https://ifpnews.example/burns",
			Title: "CIA director says Iran-Russia cooperation “worrying”", Summary: "Burns on a full-fledged defense partnership.",
			ContentHTML: "<p>Burns told PBS <b>Iran</b> supplies drones.</p>", Language: "en",
			Published: mustTime(tb, "2023-02-26T09:30:00Z"), Updated: mustTime(tb, "2023-02-26T10:00:00Z"),
			StoryID: "s-burns",
			Tagging: news.Tagging{OnTopic: true, Topics: topic, Tags: []string{"drones", "diplomacy"}, Score: 6.5},
			Sources: []news.Source{
				{Outlet: "Iran Front Page", URL: "https://ifpnews.example/burns"},
				{Outlet: "Al Mayadeen English", URL: "https://almayadeen.example/burns-partnership"},
				{Outlet: "The Moscow Times", URL: "https://moscowtimes.example/2023/02/27/iran-wont-seek-permission"},
			},
		},
		{
			UID: "u-blinken", Outlet: "The Moscow Times", URL: "https://moscowtimes.example/2022/10/21/blinken",
			Title: "Blinken: Russia's use of Iranian drones \"appalling\"", Summary: "The US secretary of state on Shahed drones.",
			Published: mustTime(tb, "2022-10-21T14:00:00Z"), StoryID: "s-blinken",
			Tagging: news.Tagging{OnTopic: true, Topics: topic, Tags: []string{"drones"}, Score: 4},
		},
		{
			UID: "u-offtopic", Outlet: "Asharq Al-Awsat", URL: "https://aawsat.example/football",
			Title: "Football results", Published: mustTime(tb, "2022-10-20T10:00:00Z"),
		},
		{
			UID: "u-aawsat", Outlet: "Asharq Al-Awsat", URL: "https://aawsat.example/us-asks-iran-stop-selling-drones",
			Title: "US Asks Iran to Stop Selling Drones to Russia", Summary: "Washington urged Tehran.",
			Published: mustTime(tb, "2022-10-19T08:00:00Z"), StoryID: "s-aawsat",
			Tagging: news.Tagging{OnTopic: true, Topics: topic, Tags: []string{"drones", "sanctions"}, Score: 5},
		},
	}
}

func sampleOutlets(tb testing.TB) []news.OutletState {
	tb.Helper()
	return []news.OutletState{
		{Outlet: news.Outlet{Name: "Iran Front Page", Slug: "iran-front-page", URL: "https://ifpnews.example/feed/"},
			FeedURL: "https://ifpnews.example/feed/", LastStatus: 200, ItemCount: 1,
			LastFetch: mustTime(tb, "2023-02-26T10:00:00Z"), LastSuccess: mustTime(tb, "2023-02-26T10:00:00Z")},
		{Outlet: news.Outlet{Name: "The Moscow Times", Slug: "the-moscow-times", URL: "https://moscowtimes.example/rss/news"},
			FeedURL: "https://moscowtimes.example/rss/news", LastStatus: 200, ItemCount: 1,
			LastFetch: mustTime(tb, "2023-02-26T10:00:00Z"), LastSuccess: mustTime(tb, "2023-02-26T10:00:00Z")},
		{Outlet: news.Outlet{Name: "Asharq Al-Awsat", Slug: "asharq-al-awsat", URL: "https://aawsat.example/feed"},
			FeedURL: "https://aawsat.example/feed", LastStatus: 503, ConsecutiveErrors: 3, ItemCount: 2,
			LastError: "503 Service Unavailable", LastFetch: mustTime(tb, "2023-02-26T10:00:00Z"),
			LastSuccess: mustTime(tb, "2023-02-25T08:00:00Z")},
	}
}
