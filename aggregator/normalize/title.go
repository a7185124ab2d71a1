package normalize

import (
	"strings"

	ext "github.com/mmcdole/gofeed/extensions"
)

type gofeedExt = ext.Extension

// titleSeparators split a site name from a headline.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " » "}

// stripSiteAffixes removes a leading or trailing title segment that names the
// site ("Headline - The Moscow Times", "Asharq Al-Awsat | Headline"). A
// segment is removed only when its Key is one of keys (the Keys of the site
// names, see siteKeys), and only when something is left.
func stripSiteAffixes(title string, keys []string) string {
	for changed := true; changed; {
		changed = false
		for _, sep := range titleSeparators {
			if i := strings.LastIndex(title, sep); i > 0 {
				if rest := strings.TrimSpace(title[:i]); rest != "" && containsString(keys, Key(title[i+len(sep):])) {
					title, changed = rest, true
				}
			}
			if i := strings.Index(title, sep); i > 0 {
				if rest := strings.TrimSpace(title[i+len(sep):]); rest != "" && containsString(keys, Key(title[:i])) {
					title, changed = rest, true
				}
			}
		}
	}
	return title
}

// splitAffixes returns the segments of a feed title ("The Moscow Times -
// Independent News from Russia" → both parts), each a candidate site name.
func splitAffixes(t string) []string {
	var out []string
	for _, sep := range titleSeparators {
		if strings.Contains(t, sep) {
			for _, p := range strings.Split(t, sep) {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}
