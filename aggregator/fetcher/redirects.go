package fetcher

import (
	"fmt"
	"net/http"
)

// redirectChain follows one fetch's redirects: it bounds their number,
// stops loops, and records whether every hop was permanent.
type redirectChain struct {
	max       int
	hops      int
	permanent bool // every redirect so far was 301 or 308
}

// check is an http.Client CheckRedirect. Every hop dials anew (or reuses a
// connection dialed under the same guard), so the dial guard re-checks
// each redirect target's address.
func (c *redirectChain) check(req *http.Request, via []*http.Request) error {
	if len(via) > c.max {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, c.max)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: redirect to scheme %q", ErrInvalidURL, req.URL.Scheme)
	}
	target := req.URL.String()
	for _, v := range via {
		if v.URL.String() == target {
			return fmt.Errorf("%w: redirect loop back to %s", ErrTooManyRedirects, req.URL.Redacted())
		}
	}
	c.hops++
	if req.Response != nil {
		switch req.Response.StatusCode {
		case http.StatusMovedPermanently, http.StatusPermanentRedirect:
		default:
			c.permanent = false
		}
	}
	// Validators belong to the resource on the original host; another host
	// has its own.
	if req.URL.Host != via[0].URL.Host {
		req.Header.Del("If-None-Match")
		req.Header.Del("If-Modified-Since")
	}
	return nil
}
