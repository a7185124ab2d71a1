package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// doc is one rendered document as served: immutable once built.
type doc struct {
	status       int // 200, or 404 for a rendered "not found" page
	contentType  string
	body         []byte
	gz           []byte // nil when gzip does not pay
	etag, gzETag string
	lastModified time.Time
	rev          int64 // store revision it was rendered at

	// The header values it is served with, built once (see withHeaders):
	// a request assigns these slices to its header map. Each has length
	// and capacity 1, so that a handler adding a value copies it.
	hType, hETag, hGzETag, hModified, hLength, hGzLength []string
}

// withHeaders fills in d's header values and returns d.
func (d *doc) withHeaders() *doc {
	d.hType = []string{d.contentType}
	d.hETag = []string{d.etag}
	d.hModified = []string{d.lastModified.Format(http.TimeFormat)}
	d.hLength = []string{itoa(len(d.body))}
	if d.gz != nil {
		d.hGzETag = []string{d.gzETag}
		d.hGzLength = []string{itoa(len(d.gz))}
	}
	return d
}

// Header values the same for every document.
var (
	hCSP            = []string{htmlCSP}
	hReferrerPolicy = []string{"strict-origin-when-cross-origin"}
	hVary           = []string{"Accept-Encoding"}
	hGzip           = []string{"gzip"}
)

// source says how to build one route's document and what it depends on.
type source struct {
	kind   revKind
	render renderFunc
	// topic marks a feed the WebSub hub is told about when it changes.
	topic bool
}

// slot caches one route's document; its mutex makes concurrent requests at a
// new revision wait for one render instead of rendering each.
type slot struct {
	mu  sync.Mutex
	src source
	doc *doc
	// pub is doc, readable without mu: what requests get while another
	// request renders the next document.
	pub atomic.Pointer[doc]
}

// renderFunc builds a document's bytes. errNotFound renders a 404.
// modified returns the Last-Modified the document is served with; a
// document that shows it (the date of a feed without entries) calls it, so
// that its date and the header agree.
type renderFunc func(ctx context.Context, modified func() time.Time) (body []byte, contentType string, err error)

// errNotFound marks a request for something that does not exist; body and
// content type returned with it are served with status 404.
var errNotFound = errors.New("not found")

func (s *Server) slot(key string, src source) *slot {
	if sl, ok := s.slots.Load(key); ok {
		return sl.(*slot)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl, ok := s.slots.Load(key); ok {
		return sl.(*slot)
	}
	if s.nslot >= s.o.MaxCached {
		s.slots.Range(func(k, _ any) bool { // evict an arbitrary entry
			s.slots.Delete(k)
			s.nslot--
			return false
		})
	}
	sl := &slot{src: src}
	s.slots.Store(key, sl)
	s.nslot++
	return sl
}

// forget drops a slot that holds no document (a 404 or a failure), so that
// requests for things that do not exist cannot crowd out real documents.
func (s *Server) forget(key string, sl *slot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl.pub.Load() == nil && s.slots.CompareAndDelete(key, sl) {
		s.nslot--
	}
}

// topics returns the cached feeds the WebSub hub is told about, by path.
func (s *Server) topics() map[string]source {
	out := map[string]source{}
	s.slots.Range(func(k, v any) bool {
		if sl := v.(*slot); sl.src.topic {
			out[k.(string)] = sl.src
		}
		return true
	})
	return out
}

// cached returns the document for key at the store's current revision,
// rendering it when the revision moved. While the store or the renderer
// fails, the last good document is returned; nil when there is none.
//
// A request for a document already rendered at the current revision (a
// 304, a cached 200) takes no lock: a map read and two atomic loads.
func (s *Server) cached(ctx context.Context, key string, src source) (*doc, error) {
	rev, revErr := s.revision(ctx, src.kind)
	sl := s.slot(key, src)
	if d := sl.pub.Load(); d != nil && revErr == nil && d.rev == rev {
		return d, nil
	}
	if !sl.mu.TryLock() {
		// Another request holds the slot, maybe rendering the next
		// document: serve the current one rather than wait (a reader gets
		// the new one on its next request, as with RevisionTTL).
		if d := sl.pub.Load(); d != nil {
			return d, nil
		}
		sl.mu.Lock()
	}
	d, err := s.refresh(ctx, key, sl, rev, revErr)
	sl.pub.Store(sl.doc)
	sl.mu.Unlock()
	if d == nil || d.status != http.StatusOK {
		s.forget(key, sl)
	}
	return d, err
}

// refresh brings a locked slot to revision rev.
func (s *Server) refresh(ctx context.Context, key string, sl *slot, rev int64, revErr error) (*doc, error) {
	cur := sl.doc
	if revErr != nil {
		if cur != nil {
			return cur, nil
		}
		return nil, revErr
	}
	if cur != nil && cur.rev == rev {
		return cur, nil
	}
	// The document's Last-Modified if it changed: now, and always later
	// than the last one, even within one second or with a clock that went
	// back. A render first sees the current one, so that a document that
	// shows it and did not change keeps its bytes.
	next := s.now().UTC().Truncate(time.Second)
	modified := next
	if cur != nil {
		if !next.After(cur.lastModified) {
			next = cur.lastModified.Add(time.Second)
		}
		modified = cur.lastModified
	}
	shown := false
	body, ctype, err := sl.src.render(ctx, func() time.Time { shown = true; return modified })
	if err == nil && cur != nil && shown && cur.etag != etagOfBody(body) {
		// Changed, and it shows its Last-Modified: render it with the new one.
		body, ctype, err = sl.src.render(ctx, func() time.Time { return next })
	}
	switch {
	case errors.Is(err, errNotFound):
		// Not kept: the next request asks the store again.
		return (&doc{status: http.StatusNotFound, contentType: ctype, body: body, rev: rev}).withHeaders(), nil
	case err != nil:
		if cur != nil {
			s.log.Warn("render failed; serving the last good document", "path", key, "error", err)
			return cur, nil
		}
		return nil, err
	}
	etag := etagOfBody(body)
	if cur != nil && cur.etag == etag {
		// The revision moved but this document did not change: keep its
		// validators so pollers keep getting 304.
		same := *cur
		same.rev = rev
		sl.doc = &same
		return sl.doc, nil
	}
	d := &doc{
		status:       http.StatusOK,
		contentType:  ctype,
		body:         body,
		etag:         etag,
		lastModified: next,
		rev:          rev,
	}
	if gz := gzipBytes(body); gz != nil {
		d.gz = gz
		d.gzETag = strings.TrimSuffix(d.etag, `"`) + `-gzip"`
	}
	sl.doc = d.withHeaders()
	return d, nil
}

// etagOfBody is a strong ETag of a document's bytes.
func etagOfBody(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// gzipBytes compresses b, or returns nil when that does not save bytes.
func gzipBytes(b []byte) []byte {
	if len(b) < 256 {
		return nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil
	}
	if _, err := zw.Write(b); err != nil {
		return nil
	}
	if err := zw.Close(); err != nil {
		return nil
	}
	if buf.Len() >= len(b) {
		return nil
	}
	return buf.Bytes()
}

// serveCached renders (or reuses) the document for the request path and
// writes it with validators, honouring conditional requests, gzip and HEAD.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, src source) {
	key := r.URL.Path
	d, err := s.cached(r.Context(), key, src)
	if err != nil {
		if !s.storeFailing() { // a failing store is logged once, when it starts
			s.log.Error("cannot serve document", "path", key, "error", err)
		}
		w.Header().Set("Retry-After", "30")
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	s.writeDoc(w, r, d)
}

// writeDoc writes d with its validators, or a 304 when the request's
// validators match. Its header values are d's and s's, built once.
func (s *Server) writeDoc(w http.ResponseWriter, r *http.Request, d *doc) {
	h := w.Header()
	body, etag, length := d.body, d.hETag, d.hLength
	useGzip := d.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding"))
	if useGzip {
		body, etag, length = d.gz, d.hGzETag, d.hGzLength
	}
	// The keys are canonical (textproto.CanonicalMIMEHeaderKey), as
	// Header.Set would store them.
	h["Content-Type"] = d.hType
	if strings.HasPrefix(d.contentType, "text/html") {
		h["Content-Security-Policy"] = hCSP
		h["Referrer-Policy"] = hReferrerPolicy
	}
	if d.gz != nil {
		h["Vary"] = hVary
	}
	if d.status == http.StatusOK {
		h["Cache-Control"] = s.cacheControl
		h["Etag"] = etag
		h["Last-Modified"] = d.hModified
		if notModified(r, d) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else {
		h["Cache-Control"] = s.cacheControlMiss
	}
	if useGzip {
		h["Content-Encoding"] = hGzip
	}
	h["Content-Length"] = length
	w.WriteHeader(d.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// notModified evaluates If-None-Match (weak comparison, either encoding's
// ETag) or, when absent, If-Modified-Since.
func notModified(r *http.Request, d *doc) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for more := true; more; {
			var t string
			t, inm, more = strings.Cut(inm, ",")
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == d.etag || (d.gzETag != "" && t == d.gzETag) {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !d.lastModified.After(t)
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(ae string) bool {
	for more := true; more; {
		var part string
		part, ae, more = strings.Cut(ae, ",")
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if strings.HasPrefix(q, "q=0") && strings.Trim(strings.TrimPrefix(q, "q="), "0.") == "" {
			return false // q=0, q=0.0, q=0.000
		}
		return true
	}
	return false
}
