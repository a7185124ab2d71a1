package news

import "testing"

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/feed", "https://example.org/feed"},
		{"https://example.org/feed?page=2&lang=en", "https://example.org/feed?page=2&lang=en"},
		{"https://user:hunter2@example.org/feed", "https://user:xxxxx@example.org/feed"},
		{"https://example.org/rss?api_key=s3cr3t&cat=world", "https://example.org/rss?api_key=xxxxx&cat=world"},
		{"https://example.org/rss?cat=world&Token=abc", "https://example.org/rss?cat=world&Token=xxxxx"},
		{"https://example.org/rss?x-amz-signature=abc&id=1", "https://example.org/rss?x-amz-signature=xxxxx&id=1"},
		{"https://example.org/rss?monkey=banana", "https://example.org/rss?monkey=banana"},
		{"https://example.org/rss?key", "https://example.org/rss?key"},
		{"https://u:p@exa mple.org/%zz?token=abc", "https://exa mple.org/%zz"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
