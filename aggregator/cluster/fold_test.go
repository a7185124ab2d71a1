package cluster

import (
	"slices"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"ascii", "Zelenskyy", "zelenskyy"},
		{"latin diacritics", "Café Naïve", "cafe naive"},
		{"cyrillic case", "КРЕМЛЬ", "кремль"},
		{"ukrainian yi keeps its base", "Київ", "киів"},
		{"russian yo", "Ёлка", "елка"},
		{"arabic yeh to persian yeh", "ايران", "ایران"},
		{"alef maksura to persian yeh", "موسى", "موسی"},
		{"arabic kaf to persian kaf", "كرملين", "کرملین"},
		{"zwnj removed", "می\u200cخواهم", "میخواهم"},
		{"persian digits", "۱۴۰۲", "1402"},
		{"arabic-indic digits", "٢٠٢٥", "2025"},
		{"harakat stripped", "إِيرَان", "ایران"},
		{"typographic apostrophe", "Iran’s", "iran's"},
		{"soft hyphen and tatweel", "defen\u00adse تـهران", "defense تهران"},
		// textfold's tables, shared with normalize's keys and the tagger:
		{"sharp s is ss", "Straße STRAẞE", "strasse strasse"},
		{"teh marbuta and heh variants to heh", "الطاقة خانۀ ہ ھ", "الطاقه خانه ه ه"},
		{"pashto yeh forms", "ېۍ", "یی"},
		{"alef wasla", "ٱلله", "الله"},
		{"compatibility forms", "ﬁnal ＩＲＧＣ ﻻ", "final irgc لا"},
		{"latin letters without decomposition", "Łódź Øresund Æsir ı đ œ ſ", "lodz oresund aesir i d oe s"},
		{"greek final sigma", "ΣΟΦΙΑΣ σοφίας", "σοφιασ σοφιασ"},
		{"ukrainian ghe with upturn", "Ґрунт", "грунт"},
		{"other apostrophes", "Iranʻs Iran＇s", "iran's iran's"},
		{"bidi marks vanish", "Ira\u200en", "iran"},
		{"abugida vowel signs stay", "नमस्ते", "नमस्ते"},
		{"japanese voicing marks stay", "が", "か\u3099"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := fold(tc.in); got != tc.want {
				t.Errorf("fold(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func words(toks []token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.word
	}
	return out
}

func TestTokenize(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		words  []string
		quoted []string // words inside quotations
	}{
		{
			name:  "digit groups and decimals",
			in:    "Moscow ordered around 2,000 drones, 6.5 tons.",
			words: []string{"moscow", "ordered", "around", "2000", "drones", "6.5", "tons"},
		},
		{
			name:   "curly quotes with an apostrophe inside",
			in:     "Burns said: “What’s beginning to emerge is a full-fledged defense partnership,” he said.",
			words:  []string{"burns", "said", "what", "s", "beginning", "to", "emerge", "is", "a", "full", "fledged", "defense", "partnership", "he", "said"},
			quoted: []string{"what", "s", "beginning", "to", "emerge", "is", "a", "full", "fledged", "defense", "partnership"},
		},
		{
			name:   "straight quotes",
			in:     `Blinken called it "appalling" in Ottawa.`,
			words:  []string{"blinken", "called", "it", "appalling", "in", "ottawa"},
			quoted: []string{"appalling"},
		},
		{
			name:   "guillemets",
			in:     "Захарова назвала соглашение «бесполезным».",
			words:  []string{"захарова", "назвала", "соглашение", "бесполезным"},
			quoted: []string{"бесполезным"},
		},
		{
			name:   "paragraph break closes an unbalanced quote",
			in:     "He said \"this never closes\n\nNext paragraph here.",
			words:  []string{"he", "said", "this", "never", "closes", "next", "paragraph", "here"},
			quoted: []string{"this", "never", "closes"},
		},
		{
			name:  "persian with zwnj",
			in:    "ایران می\u200cخواهد",
			words: []string{"ایران", "میخواهد"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			toks := tokenize(tc.in, nil, 0)
			if got := words(toks); !slices.Equal(got, tc.words) {
				t.Errorf("words = %q, want %q", got, tc.words)
			}
			var quoted []string
			for _, tk := range toks {
				if tk.quote != 0 {
					quoted = append(quoted, tk.word)
				}
			}
			if !slices.Equal(quoted, tc.quoted) {
				t.Errorf("quoted = %q, want %q", quoted, tc.quoted)
			}
		})
	}
}

func TestTokenizeGapsAndLimit(t *testing.T) {
	toks := tokenize("Hossein Amir-Abdollahian spoke. Then, Kyiv", nil, 0)
	want := []gap{gapSentence, gapSpace, gapHyphen, gapSpace, gapSentence, gapPunct}
	for i, tk := range toks {
		if tk.gap != want[i] {
			t.Errorf("token %d %q: gap %d, want %d", i, tk.word, tk.gap, want[i])
		}
	}
	if !toks[0].cap || toks[3].cap {
		t.Errorf("capitalisation: %+v", toks)
	}
	if got := tokenize(strings.Repeat("word ", 100), nil, 10); len(got) != 10 {
		t.Errorf("limit 10: got %d tokens", len(got))
	}
}

// featureNames lists the names of every feature of a text.
func featureNames(title, text string) map[string]bool {
	tt, xt := tokenize(title, nil, 0), tokenize(text, nil, 0)
	wanted := make(map[fkey]bool)
	for _, f := range extract(tt, xt, nil) {
		wanted[f.hash] = true
	}
	out := make(map[string]bool)
	for _, n := range names(tt, xt, wanted, nil) {
		out[n] = true
	}
	return out
}

func TestExtractFeatures(t *testing.T) {
	text := "CIA Director William Burns told PBS’s Judy Woodruff that “what’s beginning to emerge is a full-fledged defense partnership.”\n\n" +
		"Foreign Minister Hossein Amir-Abdollahian denied it. The Sea of Azov and 2,000 drones were mentioned on Monday."
	got := featureNames("Burns warns of drones", text)
	for _, want := range []string{
		"e:williamburns", "e:ciadirectorwilliamburns", "e:judywoodruff", // names
		"t:amirabdollahian",                                       // hyphenated name joined, as Amirabdollahian is spelt
		"e:seaazov",                                               // "of" inside a name
		"q:full fledged defense", "q:fledged defense partnership", // quote trigrams
		"n:2000",             // numbers
		"t:burns", "t:drone", // terms; plurals folded, names not
		"t:denied", "t:mentioned", // content words
	} {
		if !got[want] {
			t.Errorf("missing feature %q", want)
		}
	}
	for _, unwanted := range []string{"t:the", "t:that", "e:monday", "t:monday", "e:themonday", "t:burn"} {
		if got[unwanted] {
			t.Errorf("unexpected feature %q", unwanted)
		}
	}
	// one spelling meets the other
	if !featureNames("", "Minister Amirabdollahian spoke.")["t:amirabdollahian"] {
		t.Error("Amirabdollahian does not yield t:amirabdollahian")
	}
}

func TestFeatureHashMatchesName(t *testing.T) {
	if featureHash(kindQuote, " ", "full", "fledged", "defense") != uint32(hashString("q:full fledged defense")>>32) {
		t.Error("featureHash differs from hashString of the name")
	}
}

func TestStem(t *testing.T) {
	cases := map[string]string{"drones": "drone", "sanctions": "sanction", "countries": "country", "crisis": "crisis",
		"press": "press", "status": "status", "marches": "march", "boxes": "box", "gas": "gas", "talks": "talk"}
	for in, want := range cases {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}
