// Package web serves what topicfeed publishes over HTTP: the merged feed in
// RSS, Atom and JSON Feed, per-tag and per-outlet feeds, OPML, the HTML
// pages and /healthz.
//
// Every document is rendered once per store revision and cached (plain and
// gzipped) with a strong ETag, so a poll costs a hash lookup; conditional
// requests get 304. While the store fails, the last good bytes are served.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/publish"
)

// Store is what the web server reads; *storage.DB satisfies it.
type Store interface {
	// Items returns the stored items q asks for, newest first.
	Items(ctx context.Context, q news.Query) ([]news.Item, error)
	// ItemByUID returns the item with that uid, or an error wrapping
	// news.ErrNotFound when there is none (the page is then a 404; other
	// errors are failures, a 503).
	ItemByUID(ctx context.Context, uid string) (news.Item, error)
	// RelatedStories returns the ids of the stories related to the story
	// with that id without being one story (a reply, a reaction, a
	// follow-up), whichever of the two named the other.
	RelatedStories(ctx context.Context, storyID string) ([]string, error)
	// Outlets returns every outlet's polling state.
	Outlets(ctx context.Context) ([]news.OutletState, error)
	// Revision changes whenever anything the feeds or pages show changes,
	// outlet health included.
	Revision(ctx context.Context) (int64, error)
	// ContentRevision changes whenever items, their sources or their
	// tagging change, but not for polling state alone: feeds re-render
	// only when content changes.
	ContentRevision(ctx context.Context) (int64, error)
	// OnTopicCounts returns the number of on-topic items each outlet
	// carried, by outlet name.
	OnTopicCounts(ctx context.Context) (map[string]int, error)
	// FacetCounts returns the number of on-topic items of each topic and
	// of each tag.
	FacetCounts(ctx context.Context) (topics, tags map[string]int, err error)
}

// Options configures the server.
type Options struct {
	// BaseURL is the public root of the site; every published link is
	// absolute against it.
	BaseURL     string
	Title       string
	Description string
	// Language is the feeds' BCP 47 language, e.g. "en".
	Language string
	// Limit is the number of entries per feed and page (default 100).
	Limit int
	// PerItem publishes one entry per item; by default the feeds and pages
	// publish one entry per story (its earliest item, crediting every
	// outlet that covered it).
	PerItem bool
	// PollInterval sets the Cache-Control max-age and RSS <ttl>.
	PollInterval time.Duration
	// HubURL is the WebSub hub to advertise and ping; optional.
	HubURL string
	Logger *slog.Logger

	// Clock returns the current time (default time.Now).
	Clock func() time.Time
	// RevisionTTL lets one Store.Revision answer serve the requests of that
	// long (default 0: ask the store on every request).
	RevisionTTL time.Duration
	// HTTPClient sends the WebSub hub pings (default: a client with a
	// 10 s timeout).
	HTTPClient *http.Client
	// MaxCached bounds the number of cached documents (default 1024).
	MaxCached int
	// HubCheckInterval is how often Run looks for changes to ping the hub
	// about (default 10 s).
	HubCheckInterval time.Duration
	// Tags lists the configured tag names: /tags/{tag} feeds of other names
	// are 404, these are served even while empty. When nil, a tag is known
	// once some item carries it.
	Tags []string
	// Topics lists the configured topic names, as Tags does for
	// /topics/{topic}.
	Topics []string
}

// Server is the topicfeed HTTP handler.
type Server struct {
	store  Store
	o      Options
	base   string
	log    *slog.Logger
	now    func() time.Time
	mux    *http.ServeMux
	maxAge int // seconds

	html    *publish.HTML
	htmlErr error

	mu    sync.Mutex // serialises adding and dropping slots
	slots sync.Map   // path → *slot: read without a lock on every request
	nslot int        // slots held, under mu

	revs       [2]revCache // by revKind
	storeFails atomic.Bool // the store failed on the last revision check

	// Headers every cached document is served with, built once: a request
	// assigns these slices rather than formatting its own.
	cacheControl, cacheControlMiss []string
}

// revKind selects which store revision a document depends on.
type revKind int

const (
	// revAll changes with anything stored, outlet health included.
	revAll revKind = iota
	// revContent changes with items, sources and tagging only.
	revContent
)

// revCache is the last answer of one kind of revision read, shared by the
// requests of RevisionTTL without a lock: a request loads it, and only the
// one that finds it stale (and wins reading) asks the store.
type revCache struct {
	last    atomic.Pointer[revAnswer]
	reading atomic.Bool // a request is asking the store for a newer answer
}

// revAnswer is one revision the store gave, and when.
type revAnswer struct {
	v  int64
	at time.Time
}

// NewServer returns the server; call Run to have it ping the WebSub hub on
// every change.
func NewServer(store Store, o Options) *Server {
	if o.Limit <= 0 {
		o.Limit = 100
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.MaxCached <= 0 {
		o.MaxCached = 1024
	}
	if o.Title == "" {
		o.Title = publish.Generator
	}
	s := &Server{
		store:  store,
		o:      o,
		base:   strings.TrimRight(o.BaseURL, "/"),
		log:    o.Logger,
		now:    o.Clock,
		maxAge: maxAge(o.PollInterval),
	}
	s.cacheControl = []string{"public, max-age=" + itoa(s.maxAge)}
	s.cacheControlMiss = []string{"public, max-age=60"}
	// A template error (they are embedded and tested, so it cannot happen
	// in a release) surfaces as a 503 with a logged error on every page.
	s.html, s.htmlErr = publish.NewHTML()
	s.routes()
	return s
}

// maxAge is the Cache-Control max-age: half the poll interval, between one
// minute and one hour, so caches and readers that honour it see a new item
// at most half a poll interval after topicfeed stored it.
func maxAge(poll time.Duration) int {
	if poll <= 0 {
		poll = 15 * time.Minute
	}
	return int(min(max(poll/2, time.Minute), time.Hour) / time.Second)
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /healthz", s.healthz)
	for _, f := range feedFormats() {
		m.HandleFunc("GET /feed."+f.ext, s.mergedFeed(f))
	}
	m.HandleFunc("GET /tags", s.tagsIndex)
	m.HandleFunc("GET /tags/{$}", redirect("/tags"))
	m.HandleFunc("GET /tags/{name}", s.tag)
	m.HandleFunc("GET /topics", s.topicsIndex)
	m.HandleFunc("GET /topics/{$}", redirect("/topics"))
	m.HandleFunc("GET /topics/{name}", s.topic)
	m.HandleFunc("GET /outlets/{name}", s.outlet)
	m.HandleFunc("GET /outlets.opml", s.opml)
	m.HandleFunc("GET /outlets-topical.opml", s.topicalOPML)
	m.HandleFunc("GET /outlets", s.outletsPage)
	m.HandleFunc("GET /items/{uid}", s.itemPage)
	m.HandleFunc("GET /stories/{id}", s.storyPage)
	m.HandleFunc("GET /{$}", s.frontPage)
	s.mux = m
}

// ServeHTTP serves GET and HEAD; other methods get 405.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header()["X-Content-Type-Options"] = hNosniff
	s.mux.ServeHTTP(w, r)
}

var hNosniff = []string{"nosniff"}

// redirect answers with a permanent redirect to path: the categories'
// schemes name /tags/ and /topics/, whose indexes are /tags and /topics.
func redirect(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, path, http.StatusMovedPermanently)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", "3")
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte("ok\n"))
	}
}

// revision returns the store's revision of that kind, reusing an answer
// younger than RevisionTTL. A failure is logged once when the store starts
// failing.
//
// With a RevisionTTL, one request at a time asks the store once the answer
// is stale; the others meanwhile reuse the stale answer rather than queue
// behind the query (a store busy with ingestion can take a while). Within
// the TTL a request reads one atomic pointer: no lock, no store.
func (s *Server) revision(ctx context.Context, kind revKind) (int64, error) {
	c := &s.revs[kind]
	if s.o.RevisionTTL <= 0 {
		return s.readRevision(ctx, c, s.now(), kind)
	}
	now := s.now()
	if last := c.last.Load(); last != nil {
		if now.Sub(last.at) < s.o.RevisionTTL || !c.reading.CompareAndSwap(false, true) {
			return last.v, nil
		}
		defer c.reading.Store(false)
	}
	return s.readRevision(ctx, c, now, kind)
}

// readRevision reads the store's revision of that kind and records the
// answer in c, saying when the store starts failing and when it recovers.
func (s *Server) readRevision(ctx context.Context, c *revCache, now time.Time, kind revKind) (int64, error) {
	var rev int64
	var err error
	if kind == revContent {
		rev, err = s.store.ContentRevision(ctx)
	} else {
		rev, err = s.store.Revision(ctx)
	}
	if err != nil {
		if !s.storeFails.Swap(true) {
			s.log.Warn("store failing; serving the last good documents", "error", err)
		}
		return 0, err
	}
	if s.storeFails.Swap(false) {
		s.log.Info("store recovered", "revision", rev)
	}
	c.last.Store(&revAnswer{v: rev, at: now})
	return rev, nil
}

// url returns the absolute URL of a path on the site.
func (s *Server) url(path string) string { return s.base + path }

func itoa(n int) string { return strconv.Itoa(n) }

// storeFailing reports whether the last revision check failed.
func (s *Server) storeFailing() bool { return s.storeFails.Load() }
