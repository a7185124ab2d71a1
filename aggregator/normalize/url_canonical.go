package normalize

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/net/idna"
)

// trackingParams are query parameters that identify a campaign or a click,
// never the article. A name ending in "*" is a prefix.
var trackingParams = []string{
	"utm_*", "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid",
	"yclid", "ysclid", "_ga", "_gl", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking",
	"ref", "ref_src", "ref_url", "referrer", "igshid", "si", "spm", "ocid", "cmpid", "cmp", "icid",
	"ncid", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "at_medium",
	"at_campaign", "at_custom*", "s_cid", "sr_share", "share", "xtor", "oly_anon_id", "oly_enc_id",
	"vero_id", "wt_mc", "wt.mc_id", "rss", "from_rss", "feed_id", "__twitter_impression", "amp",
	"outputtype", "amp_js_v", "usqp", "_amp", "mkt_tok", "trk", "trkcampaign", "sc_cid",
}

// urlPolicy is what canonicalisation removes from URLs.
type urlPolicy struct {
	exact  map[string]bool
	prefix []string
}

func newURLPolicy(extra ...[]string) urlPolicy {
	p := urlPolicy{exact: map[string]bool{}}
	add := func(names []string) {
		for _, n := range names {
			n = strings.ToLower(strings.TrimSpace(n))
			if n == "" {
				continue
			}
			if strings.HasSuffix(n, "*") {
				p.prefix = append(p.prefix, strings.TrimSuffix(n, "*"))
				continue
			}
			p.exact[n] = true
		}
	}
	add(trackingParams)
	for _, e := range extra {
		add(e)
	}
	return p
}

func (p urlPolicy) tracking(name string) bool {
	n := strings.ToLower(name)
	if p.exact[n] {
		return true
	}
	for _, pre := range p.prefix {
		if strings.HasPrefix(n, pre) {
			return true
		}
	}
	return false
}

// CanonicalURL returns the canonical form of raw, resolved against base when
// raw is relative, for use as an article's identity: scheme and host
// lower-cased (IDN hosts in ASCII), default ports, user info and fragments
// dropped, tracking parameters (utm_*, fbclid, gclid, mc_cid, ...) removed,
// the remaining parameters sorted, and AMP variants (/amp/ path segments,
// /amp and .amp suffixes, ?amp, amp. subdomains, Google AMP cache URLs)
// mapped to the article. Only http and https URLs are accepted.
func CanonicalURL(raw, base string) (string, error) {
	return canonicalURL(raw, base, newURLPolicy())
}

var errNoURL = errors.New("empty url")

func canonicalURL(raw, base string, p urlPolicy) (string, error) {
	raw = strings.TrimSpace(cleanString(raw))
	if raw == "" {
		return "", errNoURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("canonical url %q: %w", raw, err)
	}
	if !u.IsAbs() || u.Host == "" {
		if base == "" {
			return "", fmt.Errorf("canonical url %q: relative url without a base", raw)
		}
		b, err := url.Parse(strings.TrimSpace(base))
		if err != nil {
			return "", fmt.Errorf("canonical url %q: base %q: %w", raw, base, err)
		}
		u = b.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("canonical url %q: scheme %q is not http(s)", raw, u.Scheme)
	}
	host, port := u.Hostname(), u.Port()
	host = strings.TrimRight(strings.ToLower(host), ".")
	if a, err := idna.Lookup.ToASCII(host); err == nil {
		host = a
	}
	if !validHost(host) {
		return "", fmt.Errorf("canonical url %q: invalid host %q", raw, host)
	}
	path := u.EscapedPath()
	for strings.HasPrefix(path, "//") {
		path = path[1:]
	}
	// Dot segments and AMP markers, to a fixed point ("/x.amp/amp" needs
	// two passes), so that canonicalisation is idempotent.
	for i := 0; i < 8; i++ {
		next := stripAMPPath(resolveDots(path))
		if next == path {
			break
		}
		path = next
	}
	if path == "" {
		path = "/"
	}
	if pu, err := url.Parse(path); err == nil {
		u.Path, u.RawPath = pu.Path, pu.RawPath
	}

	// Google AMP cache: https://www-example-com.cdn.ampproject.org/c/s/www.example.com/path
	if strings.HasSuffix(host, ".cdn.ampproject.org") || host == "cdn.ampproject.org" {
		if inner, ok := ampCacheTarget(u); ok {
			return canonicalURL(inner, "", p)
		}
	}
	for {
		h, ok := strings.CutPrefix(host, "amp.")
		if !ok || !strings.Contains(h, ".") {
			break
		}
		host = h
	}
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.ForceQuery = false

	if u.RawQuery != "" {
		u.RawQuery = cleanQuery(u.RawQuery, p)
	}
	return u.String(), nil
}

// validHost reports whether host is an IP address or an ASCII domain name
// (letters, digits, hyphens, underscores, dots; no empty labels).
func validHost(host string) bool {
	if host == "" {
		return false
	}
	if net.ParseIP(host) != nil {
		return true
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// resolveDots removes "." and ".." segments from an escaped absolute path.
func resolveDots(path string) string {
	for strings.HasPrefix(path, "//") {
		path = path[1:]
	}
	pu, err := url.Parse(path)
	if err != nil {
		return path
	}
	return (&url.URL{Scheme: "http", Host: "h"}).ResolveReference(pu).EscapedPath()
}

// ampCacheTarget extracts the publisher URL from a Google AMP cache URL.
func ampCacheTarget(u *url.URL) (string, bool) {
	rest, ok := strings.CutPrefix(u.Path, "/c/")
	if !ok {
		return "", false
	}
	scheme := "http://"
	if r, ok := strings.CutPrefix(rest, "s/"); ok {
		scheme, rest = "https://", r
	}
	if rest == "" {
		return "", false
	}
	target := scheme + rest
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	return target, true
}

// stripAMPPath removes AMP markers from an escaped path: "/amp/" segments,
// a trailing "/amp" segment and a ".amp" or ".amp.html" suffix.
func stripAMPPath(p string) string {
	segs := strings.Split(p, "/")
	out := segs[:0]
	for i, s := range segs {
		if strings.EqualFold(s, "amp") && i > 0 {
			continue
		}
		out = append(out, s)
	}
	p = strings.Join(out, "/")
	for _, suf := range []string{".amp.html", ".amp"} {
		if len(p) > len(suf) && strings.EqualFold(p[len(p)-len(suf):], suf) {
			p = p[:len(p)-len(suf)]
			if suf == ".amp.html" {
				p += ".html"
			}
			break
		}
	}
	return p
}

// cleanQuery drops tracking parameters and sorts the rest by name (stable, so
// repeated names keep their order). The raw encoding of kept pairs is kept.
func cleanQuery(q string, p urlPolicy) string {
	pairs := strings.FieldsFunc(q, func(r rune) bool { return r == '&' || r == ';' })
	kept := pairs[:0]
	for _, pair := range pairs {
		name, _, _ := strings.Cut(pair, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if strings.TrimSpace(name) == "" || p.tracking(name) {
			continue
		}
		kept = append(kept, strings.ReplaceAll(pair, " ", "%20"))
	}
	sort.SliceStable(kept, func(i, j int) bool {
		a, _, _ := strings.Cut(kept[i], "=")
		b, _, _ := strings.Cut(kept[j], "=")
		return a < b
	})
	return strings.Join(kept, "&")
}

// absoluteURL resolves ref against base for links and images inside content;
// unlike canonicalURL it keeps query and fragment (they address the
// resource). It returns "" when the result is not http(s) (javascript:,
// data:, or unresolvable relative references).
func absoluteURL(ref string, base *url.URL) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return ""
		}
		return u.String()
	case "mailto":
		return u.String()
	}
	return ""
}
