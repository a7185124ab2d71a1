package normalize

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/aggregator/parser/conformancetest"
)

// feedparserCorpus is the peer test suite beside the repository (CI has it).
const feedparserCorpus = "../../../shared/conformance/feedparser"

// TestFeedparserSanitizeCorpus runs every case of the feedparser corpus's
// sanitize folder whose expectation is about removing dangerous markup
// (script, event handlers, javascript: URLs, style expressions, embedded
// objects) through topicfeed's sanitiser: none of it may survive.
func TestFeedparserSanitizeCorpus(t *testing.T) {
	if _, err := os.Stat(feedparserCorpus); errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") != "" {
			t.Fatalf("feedparser corpus not found at %s", feedparserCorpus)
		}
		t.Skipf("feedparser corpus not found at %s (it lives in ../shared/conformance)", feedparserCorpus)
	}
	cases, skipped, err := conformancetest.SanitizeCases(feedparserCorpus)
	if err != nil {
		t.Fatal(err)
	}
	n := New(DefaultRules())
	counted := map[string]int{}
	dangerous := 0
	for _, c := range cases {
		if len(c.Dangerous) == 0 {
			continue
		}
		dangerous++
		for _, k := range c.Dangerous {
			counted[k]++
		}
		out := n.SanitizeHTML(c.Content, "http://example.com/")
		if left := conformancetest.DangerousIn(out); len(left) > 0 {
			t.Errorf("%s: %s survived sanitising:\n in: %s\nout: %s", c.Path, strings.Join(left, ", "), c.Content, out)
		}
	}
	// The corpus has hundreds of such cases; far fewer means the extraction
	// broke and this test would pass vacuously.
	if dangerous < 300 {
		t.Fatalf("only %d cases about dangerous markup (of %d extracted, %d skipped)", dangerous, len(cases), skipped)
	}
	t.Logf("%d of %d sanitize cases are about dangerous markup (%d not extracted); none survived: %v", dangerous, len(cases), skipped, counted)
}
