package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/publish"
)

const htmlType = "text/html; charset=utf-8"

// pageLimit caps the stories on one HTML page.
const pageLimit = 50

// htmlCSP allows the pages' inline CSS and remote images, and nothing else:
// the pages need no script.
const htmlCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func pathEscape(s string) string { return url.PathEscape(s) }

func (s *Server) site() publish.Site {
	return publish.Site{Title: s.o.Title, Description: s.o.Description, Language: s.o.Language, BaseURL: s.base, HubURL: s.o.HubURL,
		TTL: s.o.PollInterval, Tags: s.o.Tags}
}

// feedLinks are the <link rel="alternate"> of a page whose feeds live at
// path + ".atom" etc.
func feedLinks(path string) []publish.FeedLink {
	var out []publish.FeedLink
	for _, f := range feedFormats() {
		ct, _, _ := strings.Cut(f.contentType, ";")
		out = append(out, publish.FeedLink{Title: f.name, Type: ct, Href: path + "." + f.ext})
	}
	return out
}

// servePage serves an HTML document through the cache.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, kind revKind, render renderFunc) {
	s.serveCached(w, r, source{kind: kind, render: render})
}

// pages returns the HTML renderer, or why there is none.
func (s *Server) pages() (*publish.HTML, error) {
	if s.html == nil {
		return nil, fmt.Errorf("html templates: %w", s.htmlErr)
	}
	return s.html, nil
}

func (s *Server) frontPage(w http.ResponseWriter, r *http.Request) {
	spec := s.mergedSpec()
	// revAll, not revContent: the banner of failing outlets follows their
	// health.
	s.servePage(w, r, revAll, s.renderList(spec, "Latest stories", "", s.outletAlert))
}

// outletAlert reads the outlets' health for the front page's banner: nil
// when none is failing.
func (s *Server) outletAlert(ctx context.Context) (*publish.OutletAlert, error) {
	outlets, err := s.store.Outlets(ctx)
	if err != nil {
		return nil, fmt.Errorf("read outlets: %w", err)
	}
	return OutletAlert(outlets), nil
}

// renderList renders a page of the stories spec selects, with the banner
// alert returns, if alert is not nil.
func (s *Server) renderList(spec feedSpec, heading, intro string, alert func(context.Context) (*publish.OutletAlert, error)) renderFunc {
	return func(ctx context.Context, modified func() time.Time) ([]byte, string, error) {
		q := spec.query
		q.Limit = min(q.Limit, pageLimit)
		items, err := s.store.Items(ctx, q)
		if err != nil {
			return nil, "", fmt.Errorf("read items for %s: %w", spec.page, err)
		}
		var banner *publish.OutletAlert
		if alert != nil {
			if banner, err = alert(ctx); err != nil {
				return nil, "", err
			}
		}
		h, err := s.pages()
		if err != nil {
			return nil, "", err
		}
		b, err := h.List(publish.ListPage{Site: s.site(), Heading: heading, Intro: intro, Path: spec.page,
			Feeds: feedLinks(spec.path), Items: items, Alert: banner})
		if err != nil {
			return nil, "", err
		}
		return b, htmlType, nil
	}
}

// itemPage serves /items/{uid}: the item with the rest of its story.
func (s *Server) itemPage(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	s.servePage(w, r, revContent, func(ctx context.Context, modified func() time.Time) ([]byte, string, error) {
		it, err := s.store.ItemByUID(ctx, uid)
		if err != nil {
			if errors.Is(err, news.ErrNotFound) {
				return notFound("no such item: " + uid)
			}
			return nil, "", fmt.Errorf("read item %q: %w", uid, err)
		}
		return s.renderStory(ctx, it, "/items/"+pathEscape(uid))
	})
}

// storyPage serves /stories/{id}: the story's first item with the others.
func (s *Server) storyPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.servePage(w, r, revContent, func(ctx context.Context, modified func() time.Time) ([]byte, string, error) {
		items, err := s.store.Items(ctx, news.Query{StoryID: id, Limit: 1})
		if err != nil {
			return nil, "", fmt.Errorf("read story %q: %w", id, err)
		}
		if len(items) == 0 || id == "" {
			return notFound("no such story: " + id)
		}
		return s.renderStory(ctx, items[0], "/stories/"+pathEscape(id))
	})
}

func (s *Server) renderStory(ctx context.Context, it news.Item, path string) ([]byte, string, error) {
	var related []news.Item
	if it.StoryID != "" {
		all, err := s.store.Items(ctx, news.Query{StoryID: it.StoryID, Limit: pageLimit})
		if err != nil {
			return nil, "", fmt.Errorf("read story %q: %w", it.StoryID, err)
		}
		for _, o := range all {
			if o.UID != it.UID {
				related = append(related, o)
			}
		}
	}
	stories, err := s.relatedStories(ctx, it.StoryID)
	if err != nil {
		return nil, "", err
	}
	h, err := s.pages()
	if err != nil {
		return nil, "", err
	}
	b, err := h.Story(publish.StoryPage{Site: s.site(), Path: path, Feeds: feedLinks("/feed"), Item: it, Related: related,
		RelatedStories: stories})
	if err != nil {
		return nil, "", err
	}
	return b, htmlType, nil
}

// relatedStoriesLimit caps the related stories linked from one page.
const relatedStoriesLimit = 20

// relatedStories returns the stories related to story, each with the
// write-up the story's own page leads with, for its headline. Stories with
// no stored item left (pruned) are left out: their pages are 404.
func (s *Server) relatedStories(ctx context.Context, story string) ([]publish.RelatedStory, error) {
	if story == "" {
		return nil, nil
	}
	ids, err := s.store.RelatedStories(ctx, story)
	if err != nil {
		return nil, fmt.Errorf("read stories related to %q: %w", story, err)
	}
	var out []publish.RelatedStory
	seen := map[string]bool{story: true}
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		items, err := s.store.Items(ctx, news.Query{StoryID: id, Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("read story %q: %w", id, err)
		}
		if len(items) == 0 {
			continue
		}
		out = append(out, publish.RelatedStory{ID: id, Item: items[0]})
		if len(out) == relatedStoriesLimit {
			break
		}
	}
	return out, nil
}

func (s *Server) outletsPage(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, r, revAll, func(ctx context.Context, modified func() time.Time) ([]byte, string, error) {
		outlets, err := s.store.Outlets(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("read outlets: %w", err)
		}
		onTopic, err := s.store.OnTopicCounts(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("count on-topic items: %w", err)
		}
		h, err := s.pages()
		if err != nil {
			return nil, "", err
		}
		b, err := h.Outlets(publish.OutletsPage{Site: s.site(), Path: "/outlets", Feeds: feedLinks("/feed"), Outlets: redactOutlets(outlets),
			OnTopic: onTopic})
		if err != nil {
			return nil, "", err
		}
		return b, htmlType, nil
	})
}

// opml serves /outlets.opml: every enabled outlet's own feed, for a
// reader (and for `topicfeed opml import` to read back).
func (s *Server) opml(w http.ResponseWriter, r *http.Request) {
	s.serveOPML(w, r, s.o.Title+" outlets", func(o news.OutletState) publish.OPMLOutlet {
		return publish.OPMLOutlet{Name: o.Name, URL: cmp.Or(o.FeedURL, o.URL)}
	})
}

// topicalOPML serves /outlets-topical.opml: topicfeed's own feed of each
// enabled outlet (its on-topic items, /outlets/{slug}.atom), for a reader
// that wants each outlet's coverage of the topic rather than everything
// the outlet publishes (/outlets.opml).
func (s *Server) topicalOPML(w http.ResponseWriter, r *http.Request) {
	s.serveOPML(w, r, s.o.Title+": each outlet on topic", func(o news.OutletState) publish.OPMLOutlet {
		d := publish.OutletFeed(s.o.Title, o.Name, o.Slug)
		return publish.OPMLOutlet{Name: d.Title, URL: s.url(d.Path + ".atom")}
	})
}

// serveOPML serves an OPML list titled title of one feed per enabled
// outlet (their URLs redacted).
func (s *Server) serveOPML(w http.ResponseWriter, r *http.Request, title string, feed func(news.OutletState) publish.OPMLOutlet) {
	s.serveCached(w, r, source{kind: revAll, render: func(ctx context.Context, modified func() time.Time) ([]byte, string, error) {
		outlets, err := s.store.Outlets(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("read outlets: %w", err)
		}
		var list []publish.OPMLOutlet
		for _, o := range redactOutlets(outlets) {
			if !o.Disabled {
				list = append(list, feed(o))
			}
		}
		b, err := publish.OPML(title, list)
		if err != nil {
			return nil, "", err
		}
		return b, "text/x-opml; charset=utf-8", nil
	}})
}

// tagsIndex serves /tags: every tag, with its page, feeds and count.
func (s *Server) tagsIndex(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, r, revContent, s.renderIndex(tagFacet))
}

// topicsIndex serves /topics: every topic, with its page, feeds and count.
func (s *Server) topicsIndex(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, r, revContent, s.renderIndex(topicFacet))
}

func (s *Server) renderIndex(kind facetKind) renderFunc {
	return func(ctx context.Context, modified func() time.Time) ([]byte, string, error) {
		names, path := s.o.Tags, "/tags"
		heading, intro := "Tags", "Every tag, with its stories and feeds; the topics are at /topics."
		if kind == topicFacet {
			names, path = s.o.Topics, "/topics"
			heading, intro = "Topics", "Every topic, with its stories and feeds; the tags are at /tags."
		}
		topics, counts, err := s.store.FacetCounts(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("count items by %s: %w", heading, err)
		}
		if kind == topicFacet {
			counts = topics
		}
		if names == nil {
			var err error
			if names, err = s.facetNames(ctx, kind, counts); err != nil {
				return nil, "", err
			}
		}
		var entries []publish.IndexEntry
		for _, n := range names {
			e := publish.IndexEntry{Name: n, Path: path + "/" + pathEscape(n)}
			if counts != nil {
				e.Count, e.Counted = counts[n], true
			}
			entries = append(entries, e)
		}
		h, err := s.pages()
		if err != nil {
			return nil, "", err
		}
		b, err := h.Index(publish.IndexPage{Site: s.site(), Heading: heading, Intro: intro, Path: path,
			Feeds: feedLinks("/feed"), Entries: entries})
		if err != nil {
			return nil, "", err
		}
		return b, htmlType, nil
	}
}

// facetNames are the tags or topics the index lists when none are
// configured: those counted, else those of the latest on-topic items.
func (s *Server) facetNames(ctx context.Context, kind facetKind, counts map[string]int) ([]string, error) {
	var names []string
	if counts != nil {
		for n, c := range counts {
			if c > 0 {
				names = append(names, n)
			}
		}
	} else {
		items, err := s.store.Items(ctx, news.Query{OnTopic: true, Limit: pageLimit})
		if err != nil {
			return nil, fmt.Errorf("read items for the index: %w", err)
		}
		for _, it := range items {
			list := it.Tags
			if kind == topicFacet {
				list = it.Topics
			}
			for _, n := range list {
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
	}
	slices.Sort(names)
	return names, nil
}

// redactOutlets returns outlets with the credentials in their feed URLs
// hidden (news.RedactURL), for pages and feeds anyone can read.
func redactOutlets(outlets []news.OutletState) []news.OutletState {
	out := slices.Clone(outlets)
	for i := range out {
		o := &out[i]
		for _, u := range []*string{&o.URL, &o.FeedURL} {
			if r := news.RedactURL(*u); r != *u {
				// The fetcher redacts its errors; an error from elsewhere
				// that quotes the URL is redacted here.
				o.LastError = strings.ReplaceAll(o.LastError, *u, r)
				*u = r
			}
		}
	}
	return out
}
