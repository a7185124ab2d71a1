package fetcher

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// Defaults used for the zero values of Options.
const (
	DefaultUserAgent             = "topicfeed/1.0 (+https://github.com/topicfeed/topicfeed)"
	DefaultTimeout               = 30 * time.Second
	DefaultDialTimeout           = 10 * time.Second
	DefaultTLSHandshakeTimeout   = 10 * time.Second
	DefaultResponseHeaderTimeout = 20 * time.Second
	DefaultMaxBodyBytes          = 10 << 20
	DefaultMaxRedirects          = 5
)

// acceptHeader prefers feed formats, then generic XML/JSON, then anything.
const acceptHeader = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.9, */*;q=0.8"

// maxBodyLimit bounds Options.MaxBodyBytes so size arithmetic cannot
// overflow.
const maxBodyLimit = 1 << 40

// maxResponseHeaderBytes caps the size of a response's header block.
const maxResponseHeaderBytes = 256 << 10

// Options configure a Fetcher. The zero value of each field selects its
// default.
type Options struct {
	// UserAgent is sent on every request; the default names topicfeed.
	UserAgent string
	// Timeout bounds a whole fetch: dial, TLS handshake, headers, redirects
	// and reading the body, so a slow-drip body is cut off (default 30s).
	Timeout time.Duration
	// DialTimeout bounds one TCP connect (default 10s, at most Timeout).
	DialTimeout time.Duration
	// TLSHandshakeTimeout bounds one TLS handshake (default 10s, at most
	// Timeout).
	TLSHandshakeTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for a response's headers once
	// the request is sent (default 20s, at most Timeout).
	ResponseHeaderTimeout time.Duration
	// MaxBodyBytes caps the decompressed body (default 10 MiB). The
	// compressed bytes on the wire are capped slightly above it too.
	MaxBodyBytes int64
	// MaxRedirects is the number of redirects followed (default 5); a
	// negative value follows none.
	MaxRedirects int
	// AllowPrivateNetworks lets fetches connect to loopback, private,
	// link-local, multicast, unspecified and other reserved addresses.
	// When false such connections are refused with ErrPrivateAddress. The
	// check runs on the resolved address at dial time, so DNS rebinding and
	// redirects to such addresses are caught too.
	AllowPrivateNetworks bool
	// TLSClientConfig, when set, is used for HTTPS (e.g. to trust a private
	// CA); it is cloned, and its MinVersion raised to TLS 1.2 if lower.
	TLSClientConfig *tls.Config
	// Now is the clock (default time.Now); it dates responses and resolves
	// Retry-After dates.
	Now func() time.Time
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	o.DialTimeout = limit(o.DialTimeout, DefaultDialTimeout, o.Timeout)
	o.TLSHandshakeTimeout = limit(o.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout, o.Timeout)
	o.ResponseHeaderTimeout = limit(o.ResponseHeaderTimeout, DefaultResponseHeaderTimeout, o.Timeout)
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	o.MaxBodyBytes = min(o.MaxBodyBytes, maxBodyLimit)
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	} else if o.MaxRedirects < 0 {
		o.MaxRedirects = 0
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// limit returns v, or def when v is not positive, and at most max.
func limit(v, def, max time.Duration) time.Duration {
	if v <= 0 {
		v = def
	}
	return min(v, max)
}

// Fetcher fetches feeds. It keeps idle connections for reuse and is safe for
// concurrent use.
type Fetcher struct {
	opts      Options
	dialer    *net.Dialer // guarded unless AllowPrivateNetworks
	transport *http.Transport
}

// New returns a Fetcher configured by o.
func New(o Options) *Fetcher {
	o = o.withDefaults()
	dialer := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second}
	if !o.AllowPrivateNetworks {
		dialer.ControlContext = guardControl
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.TLSClientConfig != nil {
		tlsConf = o.TLSClientConfig.Clone()
		if tlsConf.MinVersion < tls.VersionTLS12 {
			tlsConf.MinVersion = tls.VersionTLS12
		}
	}
	t := &http.Transport{
		// No proxy, whatever the environment says: through a proxy the dial
		// guard would see the proxy's address, not the feed's.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    o.TLSHandshakeTimeout,
		ResponseHeaderTimeout:  o.ResponseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true, // decoded here, so the size cap applies after decompression
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	return &Fetcher{opts: o, dialer: dialer, transport: t}
}

// CloseIdleConnections closes the connections kept for reuse.
func (f *Fetcher) CloseIdleConnections() { f.transport.CloseIdleConnections() }

// Request is one feed to fetch, with the validators of the copy the caller
// already has.
type Request struct {
	URL string
	// ETag is sent as If-None-Match when set (verbatim, weak or strong).
	ETag string
	// LastModified is sent as If-Modified-Since when set.
	LastModified string
}

// Response is a fetched feed.
type Response struct {
	// URL is the final URL after redirects.
	URL        string
	StatusCode int
	// NotModified is set on 304: Body is empty and nothing needs parsing.
	NotModified bool
	// Body is the decoded (decompressed) body, at most Options.MaxBodyBytes.
	Body []byte
	// WireBytes is the size of the body as transferred (compressed), for
	// metrics.
	WireBytes   int64
	ContentType string
	// ETag and LastModified are the response's validators. On a 304 that
	// carries none, they are the request's.
	ETag         string
	LastModified string
	// MovedTo is set when the request was redirected and every redirect in
	// the chain was permanent (301 or 308): it is the feed's new URL.
	MovedTo string
	Header  http.Header
	// Fetched is when the response headers arrived (by Options.Now).
	Fetched  time.Time
	Duration time.Duration
}

// Fetch GETs r.URL, conditionally when r carries validators. It returns a
// *StatusError for any status other than 2xx and 304, and errors wrapping
// ErrBodyTooLarge, ErrPrivateAddress, ErrTooManyRedirects, ErrTimeout,
// ErrContentEncoding or ErrInvalidURL for those failures. Every error names
// the URL, redacted (see news.RedactURL).
func (f *Fetcher) Fetch(ctx context.Context, r Request) (*Response, error) {
	start := f.opts.Now()
	u, err := parseFeedURL(r.URL)
	if err != nil {
		return nil, fmt.Errorf("fetch %q: %w", news.RedactURL(r.URL), err)
	}
	name := news.RedactURL(u.String())

	fctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(fctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w: %w", name, ErrInvalidURL, err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}

	chain := &redirectChain{max: f.opts.MaxRedirects, permanent: true}
	client := &http.Client{Transport: f.transport, CheckRedirect: chain.check}
	resp, err := client.Do(req)
	if err != nil {
		return nil, f.fail(ctx, fctx, name, err)
	}
	defer resp.Body.Close()

	out := &Response{
		URL:          resp.Request.URL.String(),
		StatusCode:   resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		Header:       resp.Header,
		Fetched:      f.opts.Now(),
	}
	if chain.hops > 0 && chain.permanent {
		out.MovedTo = out.URL
	}

	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		if out.ETag == "" {
			out.ETag = r.ETag
		}
		if out.LastModified == "" {
			out.LastModified = r.LastModified
		}
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		body, wire, err := readBody(resp, f.opts.MaxBodyBytes)
		if err != nil {
			return nil, f.fail(ctx, fctx, name, fmt.Errorf("read body: %w", err))
		}
		out.Body = body
		out.WireBytes = wire
	default:
		// The error body is not read: a slow or endless one must not hold
		// the fetch, and losing the connection costs a feed poller nothing.
		se := &StatusError{
			URL:        name,
			StatusCode: resp.StatusCode,
			RetryAfter: retryAfter(resp.Header, out.Fetched),
		}
		if out.URL != u.String() {
			se.FinalURL = news.RedactURL(resp.Request.URL.String())
		}
		return nil, se
	}
	out.Duration = f.opts.Now().Sub(start)
	return out, nil
}

// fail wraps a failed fetch's error with the URL and classifies timeouts.
// parent is the caller's context and fctx the fetch's own (with Timeout).
func (f *Fetcher) fail(parent, fctx context.Context, name string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		at := news.RedactURL(ue.URL)
		err = ue.Err
		if at != name {
			err = fmt.Errorf("at %s: %w", at, err)
		}
	}
	switch {
	case parent.Err() != nil:
		// The caller gave up (shutdown); not the outlet's fault.
		if !errors.Is(err, parent.Err()) {
			err = fmt.Errorf("%w: %w", parent.Err(), err)
		}
		return fmt.Errorf("fetch %s: %w", name, err)
	case errors.Is(fctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("fetch %s: %w after %s: %w", name, ErrTimeout, f.opts.Timeout, err)
	case isTimeout(err):
		return fmt.Errorf("fetch %s: %w: %w", name, ErrTimeout, err)
	}
	return fmt.Errorf("fetch %s: %w", name, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// parseFeedURL accepts absolute http and https URLs with a host.
func parseFeedURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q is not http or https", ErrInvalidURL, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	return u, nil
}
