package cluster

import (
	"strings"
	"testing"
	"time"
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

func TestEvidentMatch(t *testing.T) {
	ix := New(Options{})
	at := time.Date(2022, 12, 18, 10, 0, 0, 0, time.UTC)
	p := &prepared{doc: Doc{Published: at}}
	cases := []struct {
		name     string
		specific int
		apart    time.Duration
		cos      float64
		want     bool
	}{
		{"specific evidence, days apart", 1, 40 * time.Hour, 0.15, true},
		{"topic only, same news cycle", 0, 3 * time.Hour, 0.15, true},
		{"topic only, at the gap", 0, topicOnlyGap, 0.15, true},
		{"topic only, a day apart", 0, 28 * time.Hour, 0.15, false},
		{"topic only, earlier by a day", 0, -28 * time.Hour, 0.15, false},
		{"topic only but twice the threshold", 0, 28 * time.Hour, 2 * DefaultStoryThreshold, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := storyMatch{e: &entry{published: at.Add(-tc.apart)}, cos: tc.cos, specific: tc.specific}
			if got := ix.evident(p, m); got != tc.want {
				t.Errorf("evident = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSameOutletReaction: Iran Front Page runs the Burns interview and,
// hours later, a wire copy of Iran's reaction quoting it; with other
// reports of the same actors already indexed (a young index, where the
// topic's words still weigh), the reaction joins the interview's story
// although both come from one outlet, because they share a name of
// several words and a quotation.
func TestSameOutletReaction(t *testing.T) {
	items := make(map[string]Doc)
	for _, it := range loadE2E(t) {
		items[it.name] = it.doc
	}
	ix := New(Options{})
	for _, name := range []string{"000a-talks", "000b-azov"} {
		ix.Assign(items[name])
	}
	first := ix.Assign(items["001-ifp"])
	d := ix.Assign(items["003-ifp-wire"])
	if d.StoryID != first.StoryID {
		t.Fatalf("the reaction from the same outlet started %s, want the interview's story %s: %s", d.StoryID, first.StoryID, d.Reason)
	}
	if !strings.Contains(d.Reason, "williamburns") && !strings.Contains(d.Reason, "poses real threats") {
		t.Errorf("reason %q names neither the shared name nor the quotation", d.Reason)
	}
}
