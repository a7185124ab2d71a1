package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

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

func (s *Server) mergedFeed(f feedFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.serveCached(w, r, source{kind: revContent, topic: true, render: s.renderFeed(f, s.mergedSpec())})
	}
}

// renderFeed renders one feed document.
func (s *Server) renderFeed(f feedFormat, spec feedSpec) renderFunc {
	return func(ctx context.Context) ([]byte, string, error) {
		items, err := s.store.Items(ctx, spec.query)
		if err != nil {
			return nil, "", fmt.Errorf("read items for %s.%s: %w", spec.path, f.ext, err)
		}
		outlets, err := s.store.Outlets(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("read outlets for %s.%s: %w", spec.path, f.ext, err)
		}
		b, err := f.render(s.meta(spec, f, outlets), items)
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
	name, f, isFeed := splitExt(r.PathValue("name"))
	d := publish.TagFeed(s.o.Title, name)
	spec := feedSpec{
		query: news.Query{OnTopic: true, PerStory: !s.o.PerItem, Tag: name, Limit: s.o.Limit},
		title: d.Title, page: d.Page, path: d.Path,
	}
	var render renderFunc
	if isFeed {
		render = s.renderFeed(f, spec)
	} else {
		render = s.renderList(spec, "Tag: "+name, "Stories tagged “"+name+"”.", nil)
	}
	s.serveCached(w, r, source{kind: revContent, topic: isFeed, render: s.requireTag(name, spec, render)})
}

// requireTag answers 404 for a tag that is neither configured nor carried
// by any item.
func (s *Server) requireTag(name string, spec feedSpec, render renderFunc) renderFunc {
	return func(ctx context.Context) ([]byte, string, error) {
		if name == "" {
			return notFound("no such tag")
		}
		if s.o.Tags != nil {
			if !slices.Contains(s.o.Tags, name) {
				return notFound("no such tag: " + name)
			}
			return render(ctx)
		}
		q := spec.query
		q.Limit = 1
		items, err := s.store.Items(ctx, q)
		if err != nil {
			return nil, "", fmt.Errorf("look up tag %q: %w", name, err)
		}
		if len(items) == 0 {
			return notFound("no such tag: " + name)
		}
		return render(ctx)
	}
}

// outlet serves /outlets/{slug}.atom|.rss|.json and the outlet's page.
func (s *Server) outlet(w http.ResponseWriter, r *http.Request) {
	slug, f, isFeed := splitExt(r.PathValue("name"))
	render := func(ctx context.Context) ([]byte, string, error) {
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
			return s.renderFeed(f, spec)(ctx)
		}
		return s.renderList(spec, o.Name, "On-topic stories from "+o.Name+".", nil)(ctx)
	}
	s.serveCached(w, r, source{kind: revAll, topic: isFeed, render: render})
}

// notFound renders a small plain-text 404 body.
func notFound(msg string) ([]byte, string, error) {
	return []byte(msg + "\n"), "text/plain; charset=utf-8", errNotFound
}
