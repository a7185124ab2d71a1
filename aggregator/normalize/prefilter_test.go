package normalize

import (
	"slices"
	"testing"
)

func TestPrefilterLiterals(t *testing.T) {
	tests := []struct {
		expr string
		want []string // nil: no prefilter
	}{
		{`^Support us$`, []string{"Support us"}},
		{`(?i)^(read more|continue reading)\b`, []string{"read more", "continue reading"}},
		{`(?i)^(once|monthly)\W*$`, []string{"once", "monthly"}},
		{`^(\p{Lu}{1,2}|[\p{P}]+)$`, nil},
		{`^a*b`, nil},
		{`(?i)^((…|\.\.\.) ?)?(we have|before you go)`, []string{"… we have", "… before you go", "…we have", "…before you go", "... we have", "... before you go", "...we have", "...before you go", "we have", "before you go"}},
		{`(?i)^(photo\s*:|©)`, []string{"photo", "©"}},
		{`(?i)\bdo(es)? not necessarily reflect the (views?|opinions?)`, []string{" not necessarily reflect the "}},
		{`([.!?])\s+(TASS|AP|AFP|Anadolu)$`, []string{"TASS", "AP", "AFP", "Anadolu"}},
		{`\[(…|\.\.\.)\]$`, []string{"[…]", "[...]"}},
		{`a|b.*`, []string{"a", "b"}},
		{`x*y?`, nil},
		{`(?i)пам`, nil}, // non-ASCII case folding: no prefilter
		{`(?i)([.!?])\s*(continue reading|read more)\b[^.!?]{0,40}$`, []string{"continue reading", "read more"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			p, ok := newPrefilter(tt.expr)
			if !ok {
				if tt.want != nil {
					t.Fatalf("no prefilter, want %q", tt.want)
				}
				return
			}
			if tt.want == nil || !slices.Equal(p.lits, tt.want) {
				t.Errorf("literals %q, want %q", p.lits, tt.want)
			}
		})
	}
}

// TestPrefilterNeverRejectsMatch checks on the seed paragraphs that a rule's
// prefilter never rejects a text its expression matches.
func TestPrefilterNeverRejectsMatch(t *testing.T) {
	r := DefaultRules()
	var texts []string
	for _, name := range goldenCases(t) {
		items, reps := loadCase(t, name)
		for i, it := range items {
			texts = append(texts, paragraphs(it.Text)...)
			for _, rm := range reps[i].Removed {
				texts = append(texts, rm.Text)
			}
		}
	}
	for _, rs := range append([]RuleSet{r.Generic}, mapValues(r.Outlets)...) {
		for _, rule := range rs.Rules {
			for _, s := range texts {
				lower := ""
				if rule.re.MatchString(s) && !rule.pre.pass(s, &lower) {
					t.Errorf("rule %s: prefilter rejects matching text %q", rule.Name, s)
				}
			}
		}
	}
}
