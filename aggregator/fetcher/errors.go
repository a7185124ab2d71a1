package fetcher

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, returned wrapped with the URL and details; test them with
// errors.Is.
var (
	// ErrBodyTooLarge: the (decompressed) body exceeds Options.MaxBodyBytes.
	ErrBodyTooLarge = errors.New("body too large")
	// ErrPrivateAddress: a connection to a loopback, private, link-local,
	// multicast, unspecified or otherwise reserved address was refused.
	ErrPrivateAddress = errors.New("refused non-public network address")
	// ErrTooManyRedirects: more than Options.MaxRedirects redirects, or a
	// redirect loop.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrTimeout: a time limit (dial, TLS handshake, response headers or
	// the whole fetch) was reached.
	ErrTimeout = errors.New("timed out")
	// ErrContentEncoding: the body's Content-Encoding is unsupported or its
	// compressed data is corrupt.
	ErrContentEncoding = errors.New("bad content encoding")
	// ErrInvalidURL: the URL is not an absolute http or https URL.
	ErrInvalidURL = errors.New("invalid feed url")
)

// StatusError is a response whose status is neither 2xx nor 304.
type StatusError struct {
	// URL is the requested URL.
	URL string
	// FinalURL is where redirects led, when it differs from URL.
	FinalURL   string
	StatusCode int
	// RetryAfter is the server's Retry-After (delay-seconds or an HTTP-date,
	// taken relative to the response's Date), 0 when absent or past.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fetch %s: http status %d", e.URL, e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + strings.ToLower(t))
	}
	if e.FinalURL != "" {
		fmt.Fprintf(&b, " at %s", e.FinalURL)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Temporary reports whether the status says to try again later: 408, 425,
// 429 and every 5xx except 501 and 505.
func (e *StatusError) Temporary() bool {
	switch e.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return e.StatusCode >= 500 && e.StatusCode <= 599
}

// maxRetryAfter bounds a parsed Retry-After so absurd values cannot overflow.
const maxRetryAfter = 365 * 24 * time.Hour

// retryAfter parses h's Retry-After: delay-seconds, or an HTTP-date taken
// relative to the response's Date header (see serverDate), so clock skew
// between server and client does not matter. It returns 0 when
// the header is absent, invalid or in the past.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	wait := at.Sub(serverDate(h, now))
	if wait <= 0 {
		return 0
	}
	return min(wait, maxRetryAfter)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxClockSkew is how far a server's Date may be from our clock and still
// be trusted as the base for its other dates.
const maxClockSkew = 24 * time.Hour

// serverDate is the response's Date when it is valid and within
// maxClockSkew of now, else now: relative dates (Retry-After, Expires) are
// best measured on the server's own clock, but a wildly wrong Date must not
// stretch them.
func serverDate(h http.Header, now time.Time) time.Time {
	d, err := http.ParseTime(h.Get("Date"))
	if err != nil || d.Sub(now).Abs() > maxClockSkew {
		return now
	}
	return d
}
