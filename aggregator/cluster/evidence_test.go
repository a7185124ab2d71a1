package cluster

import (
	"testing"
)

func TestSpecificFeatures(t *testing.T) {
	text := "CIA Director William Burns told PBS that the “full-fledged defense partnership” grew in 2022 with 1,700 drones. " +
		"It was denied by Hossein Amir-Abdollahian; Amir-Abdollahian spoke to the United Nations."
	tt, xt := tokenize("Burns warns Iran", nil, 0), tokenize(text, nil, 0)
	feats := extract(tt, xt, nil)
	wanted := make(map[fkey]bool, len(feats))
	for _, f := range feats {
		wanted[f.hash] = true
	}
	byName := make(map[string]fkey)
	for h, name := range names(tt, xt, wanted, nil) {
		byName[name] = h
	}
	cases := []struct {
		name             string
		specific, common bool
	}{
		{"e:williamburns", true, false},            // a name of several words
		{"e:ciadirectorwilliamburns", true, false}, //
		{"q:full fledged defense", true, false},    // a quotation
		{"n:1700", true, false},                    // a number
		{"n:2022", false, false},                   // a year: not evidence of one event
		{"t:burns", false, false},                  // one word, even a name
		{"t:amirabdollahian", false, false},        // a hyphenated name is one word
		{"e:hosseinamirabdollahian", true, false},  // the whole name
		{"t:iran", false, true},                    // background model
		{"e:unitednations", false, true},           // background model
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, ok := byName[tc.name]
			if !ok {
				t.Fatalf("feature %s not extracted", tc.name)
			}
			if h.specific() != tc.specific || h.common() != tc.common {
				t.Errorf("%s: specific %v common %v, want %v %v", tc.name, h.specific(), h.common(), tc.specific, tc.common)
			}
		})
	}
	// "Amir-Abdollahian" alone is a term, not a name of several words
	if _, ok := byName["e:amirabdollahian"]; ok {
		t.Error("a hyphenated single name yields an entity feature e:amirabdollahian")
	}
}
