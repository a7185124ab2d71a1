package normalize

import "testing"

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		name, raw, base, want string
	}{
		{"lower-case scheme and host", "HTTPS://WWW.Example.COM/Path/To", "", "https://www.example.com/Path/To"},
		{"default ports", "http://example.com:80/a", "", "http://example.com/a"},
		{"default https port", "https://example.com:443/a", "", "https://example.com/a"},
		{"other port kept", "https://example.com:8443/a", "", "https://example.com:8443/a"},
		{"fragment dropped", "https://example.com/a#comments", "", "https://example.com/a"},
		{"user info dropped", "https://user:pw@example.com/a", "", "https://example.com/a"},
		{"empty path", "https://example.com", "", "https://example.com/"},
		{"tracking params removed", "https://example.com/a?utm_source=rss&utm_medium=feed&id=7&fbclid=x&gclid=y&mc_cid=1&mc_eid=2&yclid=3&_ga=4&ref=home", "", "https://example.com/a?id=7"},
		{"params sorted", "https://example.com/a?z=1&b=2&a=3", "", "https://example.com/a?a=3&b=2&z=1"},
		{"only tracking params", "https://example.com/a?utm_campaign=x", "", "https://example.com/a"},
		{"relative against base", "/2022/10/27/story-a79205", "https://www.themoscowtimes.com/rss/news", "https://www.themoscowtimes.com/2022/10/27/story-a79205"},
		{"dot segments", "https://example.com/a/../b/./c", "", "https://example.com/b/c"},
		{"amp segment", "https://ifpnews.com/amp/cia-director-says/", "", "https://ifpnews.com/cia-director-says/"},
		{"amp suffix segment", "https://ifpnews.com/cia-director-says/amp/", "", "https://ifpnews.com/cia-director-says/"},
		{"amp suffix no slash", "https://example.com/news/story/amp", "", "https://example.com/news/story"},
		{"amp query", "https://example.com/news/story?amp", "", "https://example.com/news/story"},
		{"amp query value", "https://example.com/news/story?amp=1&p=2", "", "https://example.com/news/story?p=2"},
		{"amp subdomain", "https://amp.example.com/news/story", "", "https://example.com/news/story"},
		{"amp html suffix", "https://example.com/news/story.amp.html", "", "https://example.com/news/story.html"},
		{"google amp cache", "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/story?utm_source=x", "", "https://www.example.com/news/story"},
		{"idn host", "https://Пример.рф/новости", "", "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"},
		{"trailing dot host", "https://example.com./a", "", "https://example.com/a"},
		{"surrounding space", "  https://example.com/a  ", "", "https://example.com/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalURL(tt.raw, tt.base)
			if err != nil {
				t.Fatalf("CanonicalURL(%q, %q): %v", tt.raw, tt.base, err)
			}
			if got != tt.want {
				t.Errorf("CanonicalURL(%q, %q) = %q, want %q", tt.raw, tt.base, got, tt.want)
			}
		})
	}
}

func TestCanonicalURLRejects(t *testing.T) {
	for _, raw := range []string{"", "javascript:alert(1)", "mailto:a@example.com", "/relative/without/base", "https://", "http://[::1", "data:text/html,hi"} {
		t.Run(raw, func(t *testing.T) {
			if got, err := CanonicalURL(raw, ""); err == nil {
				t.Errorf("CanonicalURL(%q) = %q, want an error", raw, got)
			}
		})
	}
}

func TestCanonicalURLIdempotent(t *testing.T) {
	for _, raw := range []string{"https://Example.com:443/a/amp/?utm_source=x&b=1&a=2#x", "http://amp.example.org/x.amp"} {
		once, err := CanonicalURL(raw, "")
		if err != nil {
			t.Fatal(err)
		}
		twice, err := CanonicalURL(once, "")
		if err != nil || twice != once {
			t.Errorf("CanonicalURL not idempotent: %q → %q → %q (%v)", raw, once, twice, err)
		}
	}
}
