package parser

import (
	"slices"
	"testing"
	"time"
)

func TestHints(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want Hints
	}{
		{"rss ttl, skipHours, skipDays", `<rss version="2.0"><channel><title>t</title><ttl>60</ttl>
			<skipHours><hour>0</hour><hour>1</hour><hour>24</hour></skipHours>
			<skipDays><day>Saturday</day><day>sunday</day><day>Someday</day></skipDays>
			<item><title>a</title></item></channel></rss>`,
			Hints{TTL: time.Hour, SkipHours: []int{0, 1, 0}, SkipDays: []time.Weekday{time.Saturday, time.Sunday}}},
		{"wordpress sy", `<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>t</title>
			<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency><item><title>a</title></item></channel></rss>`,
			Hints{UpdatePeriod: 12 * time.Hour}},
		{"absurd ttl is capped", `<rss version="2.0"><channel><title>t</title><ttl>9999999</ttl><item><title>a</title></item></channel></rss>`,
			Hints{TTL: maxHint}},
		{"atom has none", `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>a</title></entry></feed>`, Hints{}},
		{"bad values ignored", `<rss version="2.0"><channel><title>t</title><ttl>soon</ttl><skipHours><hour>x</hour></skipHours><item><title>a</title></item></channel></rss>`, Hints{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Parse([]byte(tc.doc), Options{URL: "https://example.org/feed"})
			if err != nil {
				t.Fatal(err)
			}
			h := res.Hints
			if h.TTL != tc.want.TTL || h.UpdatePeriod != tc.want.UpdatePeriod || !slices.Equal(h.SkipHours, tc.want.SkipHours) || !slices.Equal(h.SkipDays, tc.want.SkipDays) {
				t.Errorf("hints %+v, want %+v", h, tc.want)
			}
		})
	}
}
