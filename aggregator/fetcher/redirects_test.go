package fetcher_test

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/aggregator/fetcher"
)

// redirectServer serves a feed at /feed and redirects by path:
// /{code}/{code}/.../feed redirects with the first code to the rest,
// /n/{k} redirects k more times, /loop/a and /loop/b redirect to each other.
func redirectServer(t *testing.T) string {
	t.Helper()
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/feed":
			if r.Header.Get("If-None-Match") == `"same"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"same"`)
			_, _ = w.Write([]byte(sampleRSS))
		case strings.HasPrefix(p, "/n/"):
			k, _ := strconv.Atoi(strings.TrimPrefix(p, "/n/"))
			if k == 0 {
				http.Redirect(w, r, "/feed", http.StatusFound)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/n/%d", k-1), http.StatusFound)
		case p == "/loop/a":
			http.Redirect(w, r, "/loop/b", http.StatusFound)
		case p == "/loop/b":
			http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
		case p == "/gone":
			w.WriteHeader(http.StatusGone)
		case p == "/self":
			http.Redirect(w, r, "/self", http.StatusMovedPermanently)
		case p == "/ftp":
			w.Header().Set("Location", "ftp://example.org/feed")
			w.WriteHeader(http.StatusMovedPermanently)
		default:
			first, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
			code, err := strconv.Atoi(first)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			http.Redirect(w, r, "/"+rest, code)
		}
	}))
	return srv.URL
}

func TestFetchRedirects(t *testing.T) {
	base := redirectServer(t)
	tests := []struct {
		name         string
		path         string
		etag         string
		wantMovedTo  bool
		wantNotModif bool
		wantErr      error
	}{
		{name: "no redirect", path: "/feed"},
		{name: "one 301", path: "/301/feed", wantMovedTo: true},
		{name: "one 308", path: "/308/feed", wantMovedTo: true},
		{name: "301 chain", path: "/301/308/301/feed", wantMovedTo: true},
		{name: "one 302", path: "/302/feed"},
		{name: "302 chain", path: "/302/302/feed"},
		{name: "307", path: "/307/feed"},
		{name: "303", path: "/303/feed"},
		{name: "301 then 302", path: "/301/302/feed"},
		{name: "302 then 301", path: "/302/301/feed"},
		{name: "301 then 304", path: "/301/feed", etag: `"same"`, wantMovedTo: true, wantNotModif: true},
		{name: "exactly the limit", path: "/n/4"}, // 5 redirects
		{name: "one past the limit", path: "/n/5", wantErr: fetcher.ErrTooManyRedirects},
		{name: "endless chain", path: "/n/1000", wantErr: fetcher.ErrTooManyRedirects},
		{name: "loop", path: "/loop/a", wantErr: fetcher.ErrTooManyRedirects},
		{name: "self redirect", path: "/self", wantErr: fetcher.ErrTooManyRedirects},
		{name: "redirect to ftp", path: "/ftp", wantErr: fetcher.ErrInvalidURL},
	}
	f := loopbackFetcher(t, fetcher.Options{MaxRedirects: 5})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := base + tt.path
			resp, err := f.Fetch(t.Context(), fetcher.Request{URL: url, ETag: tt.etag})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), url) {
					t.Errorf("error %q does not name %s", err, url)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if resp.URL != base+"/feed" {
				t.Errorf("URL = %q, want %q", resp.URL, base+"/feed")
			}
			wantMoved := ""
			if tt.wantMovedTo {
				wantMoved = base + "/feed"
			}
			if resp.MovedTo != wantMoved {
				t.Errorf("MovedTo = %q, want %q", resp.MovedTo, wantMoved)
			}
			if resp.NotModified != tt.wantNotModif {
				t.Errorf("NotModified = %v, want %v", resp.NotModified, tt.wantNotModif)
			}
		})
	}
}

func TestFetchNoRedirects(t *testing.T) {
	base := redirectServer(t)
	f := loopbackFetcher(t, fetcher.Options{MaxRedirects: -1})
	_, err := f.Fetch(t.Context(), fetcher.Request{URL: base + "/301/feed"})
	if !errors.Is(err, fetcher.ErrTooManyRedirects) {
		t.Fatalf("err = %v, want ErrTooManyRedirects", err)
	}
}

func TestFetchRedirectValidators(t *testing.T) {
	seen := make(chan string, 1)
	other := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("If-None-Match")
		_, _ = w.Write([]byte(sampleRSS))
	}))
	origin := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same-host":
			http.Redirect(w, r, "/final", http.StatusMovedPermanently)
		case "/other-host":
			http.Redirect(w, r, other.URL+"/final", http.StatusMovedPermanently)
		case "/final":
			seen <- r.Header.Get("If-None-Match")
			_, _ = w.Write([]byte(sampleRSS))
		}
	}))
	tests := []struct {
		path    string
		wantINM string
	}{
		{path: "/same-host", wantINM: `"old"`},
		{path: "/other-host", wantINM: ""},
	}
	f := loopbackFetcher(t, fetcher.Options{})
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if _, err := f.Fetch(t.Context(), fetcher.Request{URL: origin.URL + tt.path, ETag: `"old"`}); err != nil {
				t.Fatal(err)
			}
			if got := <-seen; got != tt.wantINM {
				t.Errorf("final hop got If-None-Match %q, want %q", got, tt.wantINM)
			}
		})
	}
}

func TestFetchRedirectToGone(t *testing.T) {
	base := redirectServer(t)
	f := loopbackFetcher(t, fetcher.Options{})
	_, err := f.Fetch(t.Context(), fetcher.Request{URL: base + "/301/gone"})
	var se *fetcher.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusGone {
		t.Fatalf("err = %v, want status 410", err)
	}
	if se.URL != base+"/301/gone" || se.FinalURL != base+"/gone" {
		t.Errorf("URL %q, FinalURL %q; want the requested and the final url", se.URL, se.FinalURL)
	}
	if !strings.Contains(err.Error(), "410 gone at "+base+"/gone") {
		t.Errorf("error %q does not say where the 410 came from", err)
	}
}
