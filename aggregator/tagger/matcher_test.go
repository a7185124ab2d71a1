package tagger

import (
	"slices"
	"strings"
	"testing"
)

// matchTerms compiles terms (one rule each; a term starting with "!" is an
// exception phrase of the rule before it) and returns the rule indices
// found in s, after resolve, with their source text.
func matchTerms(tb testing.TB, terms []string, s string) []string {
	tb.Helper()
	f := newFolder()
	var m matcher
	rule := int32(-1)
	for _, term := range terms {
		ref := termRef{}
		if strings.HasPrefix(term, "!") {
			ref = termRef{rule: rule, except: true}
			term = term[1:]
		} else {
			rule++
			ref.rule = rule
		}
		if err := m.add(f, term, ref); err != nil {
			tb.Fatalf("add %q: %v", term, err)
		}
	}
	buf, toks := f.tokens(s, nil, nil)
	ms := resolve(m.scan(buf, toks, 1, fieldBody, nil))
	var got []string
	for _, mt := range ms {
		got = append(got, s[mt.ss:mt.se])
	}
	return got
}

func TestMatcher(t *testing.T) {
	tests := []struct {
		name  string
		terms []string
		text  string
		want  []string
	}{
		{"word boundary", []string{"Oman"}, "A woman in Oman, Omani ports", []string{"Oman"}},
		{"prefix", []string{"iran*"}, "Iran and the Iranians, Iranian-made; Iraq is not", []string{"Iran", "Iranians", "Iranian"}},
		{"possessive", []string{"Russia"}, "Russia's war, RUSSIA’S army", []string{"Russia", "RUSSIA"}},
		{"multi-word", []string{"Revolutionary Guards"}, "the Revolutionary  Guards; revolutionary guard", []string{"Revolutionary  Guards"}},
		{"hyphen or space", []string{"Amir-Abdollahian"}, "Amir Abdollahian and Amir-Abdollahian", []string{"Amir Abdollahian", "Amir-Abdollahian"}},
		{"cyrillic inflection", []string{"росси*"}, "России, российского и Россия", []string{"России", "российского", "Россия"}},
		{"persian arabic letters", []string{"رئیسی"}, "رئيسي گفت", []string{"رئيسي"}},
		{"persian zwnj", []string{"هسته ای"}, "برنامه هسته\u200cای ایران", []string{"هسته\u200cای"}},
		{"longest wins", []string{"Iran", "!Tehran Times"}, "Iran", []string{"Iran"}},
		{"except phrase", []string{"Moscow", "!Moscow Times"}, "The Moscow Times reports from Moscow", []string{"Moscow"}},
		{"except around", []string{"Kiev", "!chicken Kiev"}, "chicken Kiev in Kiev", []string{"Kiev"}},
		{"overlap in one rule counts once", []string{"Islamic Republic", "Iran*"}, "the Islamic Republic of Iran", []string{"Islamic Republic", "Iran"}},
		{"prefix mid word", []string{"human right*"}, "human rights groups", []string{"human rights"}},
		{"no partial prefix", []string{"кремл*"}, "Кремль и кремлёвский", []string{"Кремль", "кремлёвский"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := matchTerms(t, tc.terms, tc.text)
			if !slices.Equal(got, tc.want) {
				t.Errorf("matches in %q = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestMatcherSameRuleLongestAtStart(t *testing.T) {
	f := newFolder()
	var m matcher
	for _, term := range []string{"Islamic Republic", "Islamic Republic of Iran", "Iran"} {
		if err := m.add(f, term, termRef{rule: 0}); err != nil {
			t.Fatal(err)
		}
	}
	s := "the Islamic Republic of Iran said"
	buf, toks := f.tokens(s, nil, nil)
	ms := resolve(m.scan(buf, toks, 1, fieldBody, nil))
	if len(ms) != 1 || s[ms[0].ss:ms[0].se] != "Islamic Republic of Iran" {
		var got []string
		for _, mt := range ms {
			got = append(got, s[mt.ss:mt.se])
		}
		t.Fatalf("got %q, want the one longest match", got)
	}
}

func TestMatcherAddErrors(t *testing.T) {
	tests := []struct{ term, want string }{
		{"ir*", "shorter than 3"},
		{"—", "no word"},
	}
	for _, tc := range tests {
		t.Run(tc.term, func(t *testing.T) {
			var m matcher
			err := m.add(newFolder(), tc.term, termRef{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("add(%q) = %v, want an error containing %q", tc.term, err, tc.want)
			}
		})
	}
}
