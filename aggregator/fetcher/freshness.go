package fetcher

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxFreshness bounds a freshness lifetime, as RFC 9111 §1.2.2 bounds
// delta-seconds.
const maxFreshness = (1<<31 - 1) * time.Second

// FreshFor is how much longer the server says the response stays fresh at
// now, a hint for when to poll next: the freshness lifetime from
// Cache-Control max-age or else Expires (RFC 9111: max-age wins when both
// are present; Expires counts from the response's Date, so clock skew does
// not matter), minus the response's age (its Age header plus the time since
// it was fetched). It is 0 when the response has no lifetime, says
// no-store or no-cache, or is already stale.
func (r *Response) FreshFor(now time.Time) time.Duration {
	if r == nil || r.Header == nil {
		return 0
	}
	cc := parseCacheControl(r.Header.Values("Cache-Control"))
	if cc.noStore || cc.noCache {
		return 0
	}
	received := r.Fetched
	if received.IsZero() {
		received = now
	}
	var lifetime time.Duration
	switch {
	case cc.maxAge >= 0:
		lifetime = cc.maxAge
	case r.Header.Get("Expires") != "":
		exp, err := http.ParseTime(r.Header.Get("Expires"))
		if err != nil {
			return 0 // an invalid Expires means already expired
		}
		lifetime = exp.Sub(serverDate(r.Header, received))
	default:
		return 0
	}
	age := max(now.Sub(received), 0)
	if v := strings.TrimSpace(r.Header.Get("Age")); isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxFreshness/time.Second) {
			return 0
		}
		age += time.Duration(secs) * time.Second
	}
	if fresh := lifetime - age; fresh > 0 {
		return min(fresh, maxFreshness)
	}
	return 0
}

// cacheControl holds the Cache-Control directives FreshFor uses.
type cacheControl struct {
	maxAge  time.Duration // -1 when absent or invalid
	noStore bool
	noCache bool
}

// parseCacheControl reads Cache-Control header values. A repeated or
// invalid max-age makes the response stale (max-age 0), as RFC 9111 §4.2.1
// advises.
func parseCacheControl(values []string) cacheControl {
	cc := cacheControl{maxAge: -1}
	seen := false
	for _, v := range values {
		for d := range strings.SplitSeq(v, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store":
				cc.noStore = true
			case "no-cache":
				// A qualified no-cache="field" concerns only those fields.
				cc.noCache = cc.noCache || arg == ""
			case "max-age":
				arg = strings.Trim(strings.TrimSpace(arg), `"`)
				if seen || !isDigits(arg) {
					cc.maxAge = 0
					seen = true
					continue
				}
				seen = true
				secs, err := strconv.ParseInt(arg, 10, 64)
				if err != nil || secs > int64(maxFreshness/time.Second) {
					secs = int64(maxFreshness / time.Second)
				}
				cc.maxAge = time.Duration(secs) * time.Second
			}
		}
	}
	return cc
}
