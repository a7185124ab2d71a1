package parser

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// NotFeedError is the error for a document that is not a feed. It matches
// ErrNotFeed with errors.Is. When the document is an HTML page that
// advertises feeds (<link rel="alternate" type="application/rss+xml">, as an
// outlet's home page does when a feed URL is mistyped or redirected), their
// absolute URLs are in Alternates.
type NotFeedError struct {
	// What describes what the document is instead ("root element <html>").
	What       string
	Alternates []string
}

func (e *NotFeedError) Error() string {
	msg := ErrNotFeed.Error() + ": " + e.What
	if len(e.Alternates) > 0 {
		msg += fmt.Sprintf("; the page advertises %s", strings.Join(e.Alternates, ", "))
	}
	return msg
}

// Is makes errors.Is(err, ErrNotFeed) true.
func (e *NotFeedError) Is(target error) bool { return target == ErrNotFeed }

// feedAlternates returns the feeds an HTML page links to in its head,
// resolved against base (when it is an absolute http(s) URL).
func feedAlternates(doc []byte, base *url.URL) []string {
	z := html.NewTokenizer(bytes.NewReader(doc[:min(len(doc), 256<<10)]))
	var out []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.Body:
				return out
			case atom.Link:
			default:
				continue
			}
			var rel, typ, href string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "type":
					typ = strings.ToLower(strings.TrimSpace(string(v)))
				case "href":
					href = strings.TrimSpace(string(v))
				}
			}
			if href == "" || !strings.Contains(" "+rel+" ", " alternate ") {
				continue
			}
			switch typ {
			case "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "application/rdf+xml":
			default:
				continue
			}
			if base != nil {
				href = resolveURL(base, href)
			}
			out = append(out, href)
		}
	}
}
