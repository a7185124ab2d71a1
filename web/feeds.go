package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/publish"
)

// feedFormat is one published feed format.
type feedFormat struct {
	ext         string
	name        string // for <link rel=alternate title>
	contentType string
	render      func(publish.Meta, []news.Item) ([]byte, error)
}

// feedFormats lists the published formats, in the order pages offer them.
func feedFormats() []feedFormat {
	return []feedFormat{
		{"atom", "Atom", "application/atom+xml; charset=utf-8", publish.Atom},
		{"rss", "RSS", "application/rss+xml; charset=utf-8", publish.RSS},
		{"json", "JSON Feed", "application/feed+json; charset=utf-8", publish.JSON},
	}
}

func formatByExt(ext string) (feedFormat, bool) {
	for _, f := range feedFormats() {
		if f.ext == ext {
			return f, true
		}
	}
	return feedFormat{}, false
}

// feedSpec describes one feed: which items, under which title and page.
type feedSpec struct {
	query news.Query
	title string
	page  string // site path of the HTML page it belongs to
	path  string // site path of the feed document, without extension
}

func (s *Server) mergedSpec() feedSpec {
	return feedSpec{query: news.Query{OnTopic: true, PerStory: !s.o.PerItem, Limit: s.o.Limit}, title: s.o.Title, page: "/", path: "/feed"}
}

// mergedFeed serves the merged feed in format f; its source is built once,
// not per request.
func (s *Server) mergedFeed(f feedFormat) http.HandlerFunc {
	src := s.mergedSource(f)
	return func(w http.ResponseWriter, r *http.Request) {
		s.serveCached(w, r, src)
	}
}

// mergedSource is how the merged feed in format f is rendered.
func (s *Server) mergedSource(f feedFormat) source {
	return source{kind: revContent, topic: true, render: s.renderFeed(f, s.mergedSpec())}
}

// renderFeed renders one feed document.
func (s *Server) renderFeed(f feedFormat, spec feedSpec) renderFunc {
	return func(ctx context.Context, modified func() time.Time) ([]byte, string, error) {
		items, err := s.store.Items(ctx, spec.query)
		if err != nil {
			return nil, "", fmt.Errorf("read items for %s.%s: %w", spec.path, f.ext, err)
		}
		outlets, err := s.store.Outlets(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("read outlets for %s.%s: %w", spec.path, f.ext, err)
		}
		m := s.meta(spec, f, outlets)
		if len(items) == 0 {
			// No entry to take the feed's date from: it is when its
			// content last changed, the document's Last-Modified.
			m.Updated = modified()
		}
		b, err := f.render(m, items)
		if err != nil {
			return nil, "", fmt.Errorf("render %s.%s: %w", spec.path, f.ext, err)
		}
		return b, f.contentType, nil
	}
}

// meta describes a feed for the renderers.
func (s *Server) meta(spec feedSpec, f feedFormat, outlets []news.OutletState) publish.Meta {
	d := publish.FeedDoc{Title: spec.title, Page: spec.page, Path: spec.path, Ext: f.ext, PerStory: spec.query.PerStory}
	return publish.FeedMeta(s.site(), d, outlets)
}

// splitExt splits "drones.atom" into "drones" and its feed format; a name
// without a known extension is a page.
func splitExt(name string) (string, feedFormat, bool) {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if f, ok := formatByExt(name[i+1:]); ok {
			return name[:i], f, true
		}
	}
	return name, feedFormat{}, false
}

// tag serves /tags/{tag}.atom|.rss|.json and the tag's page /tags/{tag}.
func (s *Server) tag(w http.ResponseWriter, r *http.Request) {
	s.facet(w, r, tagFacet)
}

// topic serves /topics/{topic}.atom|.rss|.json and the topic's page
// /topics/{topic}: where the feeds' topic categories point (their scheme
// is base_url + "/topics/").
func (s *Server) topic(w http.ResponseWriter, r *http.Request) {
	s.facet(w, r, topicFacet)
}

// facetKind is a way the feeds categorise items: tags or topics.
type facetKind int

const (
	tagFacet facetKind = iota
	topicFacet
)

func (s *Server) facet(w http.ResponseWriter, r *http.Request, kind facetKind) {
	name, f, isFeed := splitExt(r.PathValue("name"))
	q := news.Query{OnTopic: true, PerStory: !s.o.PerItem, Limit: s.o.Limit}
	var (
		d                    publish.FeedDoc
		known                []string
		heading, intro, what string
	)
	switch kind {
	case topicFacet:
		q.Topic = name
		d = publish.TopicFeed(s.o.Title, name)
		known, what = s.o.Topics, "topic"
		heading, intro = "Topic: "+name, "Stories on the topic “"+name+"”."
	default:
		q.Tag = name
		d = publish.TagFeed(s.o.Title, name)
		known, what = s.o.Tags, "tag"
		heading, intro = "Tag: "+name, "Stories tagged “"+name+"”."
	}
	spec := feedSpec{query: q, title: d.Title, page: d.Page, path: d.Path}
	var render renderFunc
	if isFeed {
		render = s.renderFeed(f, spec)
	} else {
		render = s.renderList(spec, heading, intro, nil)
	}
	s.serveCached(w, r, source{kind: revContent, topic: isFeed, render: s.requireKnown(what, name, known, spec, render)})
}

// requireKnown answers 404 for a tag or topic (what) that is neither
// configured (known, when not nil) nor carried by any item.
func (s *Server) requireKnown(what, name string, known []string, spec feedSpec, render renderFunc) renderFunc {
	return func(ctx context.Context, modified func() time.Time) ([]byte, string, error) {
		if name == "" {
			return notFound("no such " + what)
		}
		if known != nil {
			if !slices.Contains(known, name) {
				return notFound("no such " + what + ": " + name)
			}
			return render(ctx, modified)
		}
		q := spec.query
		q.Limit = 1
		items, err := s.store.Items(ctx, q)
		if err != nil {
			return nil, "", fmt.Errorf("look up %s %q: %w", what, name, err)
		}
		if len(items) == 0 {
			return notFound("no such " + what + ": " + name)
		}
		return render(ctx, modified)
	}
}

// outlet serves /outlets/{slug}.atom|.rss|.json and the outlet's page.
func (s *Server) outlet(w http.ResponseWriter, r *http.Request) {
	slug, f, isFeed := splitExt(r.PathValue("name"))
	render := func(ctx context.Context, modified func() time.Time) ([]byte, string, error) {
		outlets, err := s.store.Outlets(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("read outlets: %w", err)
		}
		i := slices.IndexFunc(outlets, func(o news.OutletState) bool { return o.Slug == slug })
		if i < 0 {
			return notFound("no such outlet: " + slug)
		}
		o := outlets[i]
		d := publish.OutletFeed(s.o.Title, o.Name, slug)
		spec := feedSpec{
			query: news.Query{OnTopic: true, PerStory: !s.o.PerItem, Outlet: o.Name, Limit: s.o.Limit},
			title: d.Title, page: d.Page, path: d.Path,
		}
		if isFeed {
			return s.renderFeed(f, spec)(ctx, modified)
		}
		return s.renderList(spec, o.Name, "On-topic stories from "+o.Name+".", nil)(ctx, modified)
	}
	s.serveCached(w, r, source{kind: revAll, topic: isFeed, render: render})
}

// notFound renders a small plain-text 404 body.
func notFound(msg string) ([]byte, string, error) {
	return []byte(msg + "\n"), "text/plain; charset=utf-8", errNotFound
}
