package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves a Sim over HTTP:
//
//	GET  /o/{n}.rss|.atom|.json   outlet n's feed, with ETag and Last-Modified (304 when unchanged)
//	POST /control/next-round      advance one round; answers {"round":…, "changed":…}
//	GET  /control/stats           the round and request counters, as JSON
//
// Rendered documents are cached per outlet and format until the outlet
// changes, so a request costs no generation once its document is warm.
type Server struct {
	sim *Sim
	log *slog.Logger

	mu    sync.Mutex
	cache map[docKey]*doc

	ok, notModified, notFound atomic.Int64
	bytesOut                  atomic.Int64
}

type docKey struct {
	outlet int
	format string
}

type doc struct {
	version      int
	body         []byte
	etag         string
	lastModified time.Time
}

// NewServer returns a Server for sim.
func NewServer(sim *Sim, log *slog.Logger) *Server {
	return &Server{sim: sim, log: log, cache: map[docKey]*doc{}}
}

// Stats are the server's counters.
type Stats struct {
	Round       int   `json:"round"`
	Outlets     int   `json:"outlets"`
	Changed     int   `json:"changed_last_round"`
	OK          int64 `json:"responses_200"`
	NotModified int64 `json:"responses_304"`
	NotFound    int64 `json:"responses_404"`
	Bytes       int64 `json:"bytes"`
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	return Stats{Round: s.sim.Round(), Outlets: s.sim.opts.Outlets, Changed: s.sim.ChangedLastRound(),
		OK: s.ok.Load(), NotModified: s.notModified.Load(), NotFound: s.notFound.Load(), Bytes: s.bytesOut.Load()}
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /o/{file}", s.serveFeed)
	mux.HandleFunc("POST /control/next-round", s.serveNextRound)
	mux.HandleFunc("GET /control/stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Stats()) })
	return mux
}

// NextRound advances the simulation and re-renders the changed outlets'
// cached documents.
func (s *Server) NextRound(workers int) (round, changed int) {
	round, outs := s.sim.Advance()
	s.Prerender(outs, workers)
	return round, len(outs)
}

// Prerender renders the current documents of outlets (each in its own
// format) with workers goroutines, so that serving them costs no
// generation.
func (s *Server) Prerender(outlets []int, workers int) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				if _, err := s.document(n, Format(n)); err != nil {
					s.log.Error("prerender", "outlet", n, "error", err.Error())
				}
			}
		}()
	}
	for _, n := range outlets {
		next <- n
	}
	close(next)
	wg.Wait()
}

// document returns outlet n's current document in format, from the cache
// when the outlet has not changed since it was rendered.
func (s *Server) document(n int, format string) (*doc, error) {
	k := docKey{n, format}
	v := s.sim.state(n)
	s.mu.Lock()
	d := s.cache[k]
	s.mu.Unlock()
	if d != nil && d.version == v {
		return d, nil
	}
	etag, lm := s.sim.validators(n, v, format)
	body, err := s.sim.render(n, s.sim.itemsAt(n, v), format, lm)
	if err != nil {
		return nil, err
	}
	d = &doc{version: v, body: body, etag: etag, lastModified: lm}
	s.mu.Lock()
	if old := s.cache[k]; old == nil || old.version < v {
		s.cache[k] = d
	}
	s.mu.Unlock()
	return d, nil
}

var contentTypes = map[string]string{
	"rss":  "application/rss+xml; charset=utf-8",
	"atom": "application/atom+xml; charset=utf-8",
	"json": "application/feed+json; charset=utf-8",
}

func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request) {
	name, format, _ := strings.Cut(r.PathValue("file"), ".")
	n, err := strconv.Atoi(name)
	ct, known := contentTypes[format]
	if err != nil || !known || n < 0 || n >= s.sim.opts.Outlets {
		s.notFound.Add(1)
		http.NotFound(w, r)
		return
	}
	// The validators need no rendering: a 304 costs nothing.
	etag, lm := s.sim.validators(n, s.sim.state(n), format)
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", lm.UTC().Format(http.TimeFormat))
	if notModified(r, etag, lm) {
		s.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	d, err := s.document(n, format)
	if err != nil {
		s.log.Error("render feed", "outlet", n, "format", format, "error", err.Error())
		http.Error(w, "render failed", http.StatusInternalServerError)
		return
	}
	h.Set("ETag", d.etag)
	h.Set("Last-Modified", d.lastModified.UTC().Format(http.TimeFormat))
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(d.body)))
	s.ok.Add(1)
	if r.Method == http.MethodHead {
		return
	}
	nw, _ := w.Write(d.body)
	s.bytesOut.Add(int64(nw))
}

// notModified applies RFC 9110's conditional GET: If-None-Match decides
// when present, If-Modified-Since otherwise.
func notModified(r *http.Request, etag string, lm time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !lm.Truncate(time.Second).After(t)
	}
	return false
}

func (s *Server) serveNextRound(w http.ResponseWriter, r *http.Request) {
	round, changed := s.NextRound(2)
	s.log.Info("next round", "round", round, "changed", changed)
	writeJSON(w, map[string]int{"round": round, "changed": changed})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
