package web

import (
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/news"
)

// TestFailureInWords: the stored errors of failed polls read as a reader
// would put them, never with the credentials of the outlet's URL.
func TestFailureInWords(t *testing.T) {
	secret := "https://user:hunter2@feeds.example.org/rss?token=s3cr3t"
	tests := []struct {
		name string
		st   news.OutletState
		want string
	}{
		{"no such host", news.OutletState{LastError: "fetch https://meduza.io/rss/en/all: dial tcp: lookup meduza.io on 10.255.255.53:53: no such host"},
			"the host name meduza.io could not be resolved: no network, no DNS, or a typo in the URL"},
		{"refused", news.OutletState{LastError: "fetch http://127.0.0.1:9/feed: dial tcp 127.0.0.1:9: connect: connection refused"},
			"the server 127.0.0.1:9 refused the connection: nothing listens there, or no network"},
		{"404", news.OutletState{LastStatus: 404, LastError: "fetch https://x.example/feed: http status 404 not found"},
			"the server answered HTTP 404 Not Found: the feed is not at this address (moved, or a typo in the URL)"},
		{"503", news.OutletState{LastStatus: 503, LastError: "fetch https://x.example/feed: http status 503 service unavailable"},
			"the server answered HTTP 503 Service Unavailable: a fault on the outlet's side, tried again later"},
		{"timeout", news.OutletState{LastError: "fetch https://x.example/feed: timed out after 30s: context deadline exceeded"},
			"the server did not answer in time"},
		{"parse", news.OutletState{LastError: "parse https://x.example/feed: not a feed: html document"},
			"the response is not a feed topicfeed can read"},
		{"other, redacted", news.OutletState{Outlet: news.Outlet{URL: secret}, LastError: "store 3 items at " + secret + ": disk full"},
			"store 3 items at https://user:xxxxx@feeds.example.org/rss?token=xxxxx: disk full"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := FailureInWords(tc.st)
			if got != tc.want {
				t.Errorf("FailureInWords = %q, want %q", got, tc.want)
			}
			if strings.Contains(got, "hunter2") || strings.Contains(got, "s3cr3t") {
				t.Errorf("credentials shown: %q", got)
			}
		})
	}
}

// TestOutletAlert: enabled outlets whose last poll failed are counted
// against the enabled outlets, and the errors of at most three, those
// failing longest first, are named; no banner when none fails.
func TestOutletAlert(t *testing.T) {
	fail := func(name string, n int) news.OutletState {
		return news.OutletState{Outlet: news.Outlet{Name: name}, LastStatus: 500, LastError: "x", ConsecutiveErrors: n}
	}
	ok := news.OutletState{Outlet: news.Outlet{Name: "Ok"}}
	gone := news.OutletState{Outlet: news.Outlet{Name: "Gone"}, Disabled: true, LastError: "x", ConsecutiveErrors: 9}
	if a := OutletAlert([]news.OutletState{ok, gone}); a != nil {
		t.Errorf("banner with no enabled outlet failing: %+v", a)
	}
	a := OutletAlert([]news.OutletState{fail("A", 1), fail("B", 3), gone, fail("C", 1), fail("D", 2), ok})
	if a == nil || a.Failing != 4 || a.Total != 5 {
		t.Fatalf("alert %+v, want 4 of 5 failing", a)
	}
	var names []string
	for _, e := range a.Errors {
		names = append(names, e.Outlet)
	}
	if got := strings.Join(names, ","); got != "B,D,A" {
		t.Errorf("outlets named %s, want B,D,A", got)
	}
}
