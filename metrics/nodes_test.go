package metrics

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestNodeMetrics: /metrics shows the node's host leases, its misses by
// reason and its story assigner role as the node reports them at each
// scrape.
func TestNodeMetrics(t *testing.T) {
	m := New()
	var mu sync.Mutex
	s := NodeStats{HostLeases: 3, Refused: 2, Lost: 1}
	m.RegisterNode(func() NodeStats {
		mu.Lock()
		defer mu.Unlock()
		return s
	})
	scrape := func() string {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		return rec.Body.String()
	}
	for _, tc := range []struct {
		name  string
		set   NodeStats
		lines []string
	}{
		{"a follower holding three hosts", NodeStats{HostLeases: 3, Refused: 2, Lost: 1}, []string{
			"topicfeed_host_leases 3",
			`topicfeed_host_lease_misses_total{reason="refused"} 2`,
			`topicfeed_host_lease_misses_total{reason="lost"} 1`,
			"topicfeed_story_assigner 0",
		}},
		{"the assigner, holding none", NodeStats{Refused: 5, Lost: 1, Assigner: true}, []string{
			"topicfeed_host_leases 0",
			`topicfeed_host_lease_misses_total{reason="refused"} 5`,
			"topicfeed_story_assigner 1",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			s = tc.set
			mu.Unlock()
			body := scrape()
			for _, l := range tc.lines {
				if !strings.Contains(body, "\n"+l+"\n") {
					t.Errorf("no line %q in:\n%s", l, grepTopicfeed(body))
				}
			}
		})
	}
}

func grepTopicfeed(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "topicfeed_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
