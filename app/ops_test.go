package app

import (
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// TestHealthSaysErrorsInWords: `topicfeed outlets` says why an outlet
// fails as the front page does, without the credentials of its URL.
func TestHealthSaysErrorsInWords(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	list := []news.OutletState{
		{Outlet: news.Outlet{Name: "Gone", URL: "https://gone.example/feed?token=secret"}, LastFetch: now.Add(-time.Minute),
			LastError: `fetch https://gone.example/feed?token=secret: dial tcp: lookup gone.example: no such host`, ConsecutiveErrors: 3},
		{Outlet: news.Outlet{Name: "Fine", URL: "https://fine.example/feed"}, LastFetch: now.Add(-time.Minute), LastStatus: 200},
	}
	h := Health(now, list)
	if got := h[0].LastError; !strings.Contains(got, "could not be resolved") || strings.Contains(got, "secret") {
		t.Errorf("last error of a host not found: %q", got)
	}
	if h[0].Status != "failing" || h[1].LastError != "" || h[1].Status != "200" {
		t.Errorf("health %+v", h)
	}
}
