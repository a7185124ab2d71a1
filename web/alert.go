package web

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/topicfeed/topicfeed/news"
	"github.com/topicfeed/topicfeed/publish"
)

// alertErrors is how many failing outlets the front page's banner names
// with their last error; /outlets lists them all.
const alertErrors = 3

// OutletAlert returns the front page's banner for outlets, nil when no
// enabled outlet is failing. An outlet is failing when its last
// poll failed; outlets never polled yet and disabled ones (gone, or
// removed from the configuration) are not counted. The errors named are
// those of the outlets failing longest in a row, by name among equals.
func OutletAlert(outlets []news.OutletState) *publish.OutletAlert {
	var a publish.OutletAlert
	var failing []news.OutletState
	for _, o := range outlets {
		if o.Disabled {
			continue
		}
		a.Total++
		if o.ConsecutiveErrors > 0 || o.LastError != "" {
			failing = append(failing, o)
		}
	}
	if len(failing) == 0 {
		return nil
	}
	a.Failing = len(failing)
	// Outlets come sorted by name; the sort keeps that order among equals.
	slices.SortStableFunc(failing, func(a, b news.OutletState) int { return b.ConsecutiveErrors - a.ConsecutiveErrors })
	for _, o := range failing[:min(len(failing), alertErrors)] {
		a.Errors = append(a.Errors, publish.OutletError{Outlet: o.Name, Error: FailureInWords(o)})
	}
	return &a
}

var (
	lookupHost = regexp.MustCompile(`lookup ([^\s:]+)`)
	dialAddr   = regexp.MustCompile(`dial tcp ([^\s:]+(?::\d+)?|\[[^\]]+\](?::\d+)?):`)
)

// FailureInWords says why outlet o's last poll failed as a reader of the
// front page would put it, from its stored status and error: the host not
// found, the connection refused, an HTTP status in words, ... The stored
// error, with the credentials of the outlet's URLs redacted, is the
// fallback.
func FailureInWords(o news.OutletState) string {
	e := redactOutlets([]news.OutletState{o})[0].LastError
	host := func(re *regexp.Regexp) string {
		if m := re.FindStringSubmatch(e); m != nil {
			return " " + m[1]
		}
		return ""
	}
	switch {
	case o.LastStatus >= 400:
		text := http.StatusText(o.LastStatus)
		msg := fmt.Sprintf("the server answered HTTP %d %s", o.LastStatus, text)
		switch {
		case o.LastStatus == http.StatusNotFound:
			return msg + ": the feed is not at this address (moved, or a typo in the URL)"
		case o.LastStatus == http.StatusUnauthorized || o.LastStatus == http.StatusForbidden:
			return msg + ": the server refuses to serve the feed to topicfeed"
		case o.LastStatus == http.StatusTooManyRequests:
			return msg + ": the server asks to be polled less often"
		case o.LastStatus >= 500:
			return msg + ": a fault on the outlet's side, tried again later"
		}
		return msg
	case strings.Contains(e, "no such host"), strings.Contains(e, "server misbehaving"):
		return "the host name" + host(lookupHost) + " could not be resolved: no network, no DNS, or a typo in the URL"
	case strings.Contains(e, "connection refused"):
		return "the server" + host(dialAddr) + " refused the connection: nothing listens there, or no network"
	case strings.Contains(e, "network is unreachable"), strings.Contains(e, "no route to host"):
		return "the server" + host(dialAddr) + " cannot be reached: no network"
	case strings.Contains(e, "connection reset"), strings.Contains(e, "EOF"):
		return "the server closed the connection before answering"
	case strings.Contains(e, "refused non-public network address"):
		return "the feed's address is on a private network, which allow_private_networks forbids"
	case strings.Contains(e, "timed out"), strings.Contains(e, "deadline exceeded"):
		return "the server did not answer in time"
	case strings.Contains(e, "x509:"), strings.Contains(e, "tls:"), strings.Contains(e, "certificate"):
		return "the server's TLS certificate was not accepted"
	case strings.Contains(e, "too many redirects"):
		return "the feed's address redirects in a loop or too many times"
	case strings.Contains(e, "body too large"):
		return "the feed is larger than topicfeed accepts (fetch.max_body_bytes)"
	case strings.HasPrefix(e, "parse "):
		return "the response is not a feed topicfeed can read"
	case e == "":
		return "the last poll failed"
	}
	return truncate(e, 160)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
