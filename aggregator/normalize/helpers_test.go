package normalize

import (
	"os"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

func itemOf(title, link, content string) *gofeed.Item {
	return &gofeed.Item{Title: title, Link: link, Content: content}
}

func feedOf(items ...*gofeed.Item) *gofeed.Feed {
	return &gofeed.Feed{Title: "Feed", Items: items}
}

// hasControl reports whether s holds a control character other than those
// in allowed (e.g. "\n" between paragraphs of Text; "\t\n\r", valid in XML,
// in HTML).
func hasControl(s, allowed string) bool {
	for _, r := range s {
		if strings.ContainsRune(allowed, r) {
			continue
		}
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
			return true
		}
	}
	return false
}

func mustRead(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
