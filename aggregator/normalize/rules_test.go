package normalize

import (
	"bytes"
	"strings"
	"testing"
)

func TestDefaultRulesParse(t *testing.T) {
	r, err := ParseRules(bytes.NewReader(defaultRulesYAML))
	if err != nil {
		t.Fatalf("embedded rules.yaml: %v", err)
	}
	if len(r.Generic.Rules) == 0 {
		t.Fatal("embedded rules have no generic rules")
	}
	for _, outlet := range []string{"The Moscow Times", "Iran Front Page", "Asharq Al-Awsat", "Al Mayadeen English"} {
		if _, ok := r.Outlets[outlet]; !ok {
			t.Errorf("embedded rules have no rules for seed outlet %q", outlet)
		}
	}
	d := DefaultRules()
	if len(d.Generic.Rules) != len(r.Generic.Rules) || len(d.Outlets) != len(r.Outlets) {
		t.Errorf("DefaultRules() = %d generic/%d outlets, ParseRules = %d/%d", len(d.Generic.Rules), len(d.Outlets), len(r.Generic.Rules), len(r.Outlets))
	}
	names := map[string]bool{}
	for _, rs := range append([]RuleSet{r.Generic}, mapValues(r.Outlets)...) {
		for _, rule := range rs.Rules {
			if names[rule.Name] {
				t.Errorf("duplicate rule name %q", rule.Name)
			}
			names[rule.Name] = true
		}
	}
}

func mapValues(m map[string]RuleSet) []RuleSet {
	var out []RuleSet
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"unknown key", "generic:\n  rulez: []\n", "rulez"},
		{"no action", "generic:\n  rules:\n    - name: x\n", "(x): need exactly one of drop, cut, strip"},
		{"two actions", "generic:\n  rules:\n    - {name: x, drop: a, cut: b}\n", "need exactly one"},
		{"bad regexp", "outlets:\n  Foo:\n    rules:\n      - {name: bad, drop: '(['}\n", "outlets.Foo.rules[0] (bad)"},
		{"replace without strip", "generic:\n  rules:\n    - {drop: a, replace: b}\n", "replace is only valid with strip"},
		{"negative max", "generic:\n  rules:\n    - {drop: a, max_chars: -1}\n", "max_chars"},
		{"not yaml", "generic: [", "parse normalisation rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseRules error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseRulesJSONAndEmpty(t *testing.T) {
	r, err := ParseRules(strings.NewReader(`{"generic": {"rules": [{"name": "x", "drop": "^Ad$"}]}, "outlets": {"Foo": {"hosts": ["foo.example"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Generic.Rules) != 1 || r.Generic.Rules[0].Action() != "drop" || r.Outlets["Foo"].Hosts[0] != "foo.example" {
		t.Errorf("JSON rules parsed as %+v", r)
	}
	if _, err := ParseRules(strings.NewReader("")); err != nil {
		t.Errorf("empty rules: %v", err)
	}
}

// TestRulesApply runs small HTML items through user rules: drop, cut,
// strip, max_chars, per-outlet by name and by host, and the guarantee that
// rules never empty an item.
func TestRulesApply(t *testing.T) {
	rules, err := ParseRules(strings.NewReader(`
generic:
  rules:
    - {name: ad, drop: '^Advertisement$'}
    - {name: more, cut: '^More news$', max_chars: 20}
    - {name: credit, strip: '\s*\(Photo: [^)]*\)$'}
    - {name: long-only, drop: 'secret', max_chars: 10}
outlets:
  Foo:
    hosts: [foo.example]
    rules:
      - {name: foo-promo, drop: '^Foo promo$'}
`))
	if err != nil {
		t.Fatal(err)
	}
	n := New(rules)
	tests := []struct {
		name, outlet, link, html, want string
		keptAll                        bool
	}{
		{"drop", "X", "https://x.example/a", "<p>One.</p><p>Advertisement</p><p>Two.</p>", "One.\n\nTwo.", false},
		{"cut", "X", "https://x.example/a", "<p>One.</p><h3>More news</h3><p>Other story.</p><ul><li>Third</li></ul>", "One.", false},
		{"cut at start only drops", "X", "https://x.example/a", "<h3>More news</h3><p>Body.</p>", "Body.", false},
		{"strip", "X", "https://x.example/a", "<p>A caption. (Photo: AFP)</p><p>Body.</p>", "A caption.\n\nBody.", false},
		{"strip across elements", "X", "https://x.example/a", "<p>A caption. <span>(Photo: <b>AFP</b>)</span></p><p>Body.</p>", "A caption.\n\nBody.", false},
		{"max_chars protects long paragraphs", "X", "https://x.example/a", "<p>secret</p><p>The secret talks went on for hours.</p>", "The secret talks went on for hours.", false},
		{"outlet by name", "Foo", "https://x.example/a", "<p>Foo promo</p><p>Body.</p>", "Body.", false},
		{"outlet by host", "Other name", "https://www.foo.example/a", "<p>Foo promo</p><p>Body.</p>", "Body.", false},
		{"outlet rules stay with their outlet", "X", "https://x.example/a", "<p>Foo promo</p><p>Body.</p>", "Foo promo\n\nBody.", false},
		{"never emptied", "X", "https://x.example/a", "<p>Advertisement</p><p>Advertisement</p>", "Advertisement", true},
		{"repeats dropped", "X", "https://x.example/a", "<p>A paragraph long enough to count.</p><p>A  paragraph long enough to count.</p>", "A paragraph long enough to count.", false},
		{"short repeats kept", "X", "https://x.example/a", "<p>Yes.</p><p>No.</p><p>Yes.</p>", "Yes.\n\nNo.\n\nYes.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := feedOf(itemOf("Headline", tt.link, tt.html))
			it, rep, ok := n.Item(Source{Outlet: tt.outlet, FeedURL: "https://feeds.example/rss"}, f, 0, goldenNow)
			if !ok {
				t.Fatal("item skipped")
			}
			if it.Text != tt.want {
				t.Errorf("Text = %q, want %q (report %+v)", it.Text, tt.want, rep)
			}
			if rep.KeptAll != tt.keptAll {
				t.Errorf("KeptAll = %v, want %v", rep.KeptAll, tt.keptAll)
			}
		})
	}
}

func TestRulesMerge(t *testing.T) {
	user, err := ParseRules(strings.NewReader(`
generic:
  rules:
    - {name: user-promo, drop: '^Promo: '}
outlets:
  The Moscow Times:
    site_names: [TMT]
  New Outlet:
    hosts: [new.example]
    rules:
      - {name: new-footer, cut: '^Footer$'}
`))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultRules()
	m := def.Merge(user)
	if m.Generic.Rules[0].Name != "user-promo" || len(m.Generic.Rules) != len(def.Generic.Rules)+1 {
		t.Errorf("merged generic rules: first %q, %d rules", m.Generic.Rules[0].Name, len(m.Generic.Rules))
	}
	mt := m.Outlets["The Moscow Times"]
	if len(mt.Rules) != len(def.Outlets["The Moscow Times"].Rules) || mt.SiteNames[len(mt.SiteNames)-1] != "TMT" {
		t.Errorf("merged Moscow Times rules: %+v", mt)
	}
	if len(m.Outlets["New Outlet"].Rules) != 1 {
		t.Error("new outlet missing after merge")
	}
	if len(def.Generic.Rules) == len(m.Generic.Rules) {
		t.Error("Merge modified nothing or aliased the default rules")
	}
	it, _, ok := New(m).Item(Source{Outlet: "X"}, feedOf(itemOf("T", "https://x.example/a", "<p>Promo: buy</p><p>Body.</p>")), 0, goldenNow)
	if !ok || it.Text != "Body." {
		t.Errorf("merged rules not applied: %q", it.Text)
	}
}

// TestHandBuiltRules: rules built as Go values (not parsed) work, and broken
// ones are ignored rather than panicking.
func TestHandBuiltRules(t *testing.T) {
	r := Rules{Generic: RuleSet{Rules: []Rule{
		{Name: "ok", Drop: "^Advert$"},
		{Name: "bad regexp", Drop: "(["},
		{Name: "no action"},
		{Name: "two actions", Drop: "a", Cut: "b"},
	}}}
	it, rep, ok := New(r).Item(Source{Outlet: "X"}, feedOf(itemOf("T", "https://x.example/a", "<p>Advert</p><p>Body.</p>")), 0, goldenNow)
	if !ok || it.Text != "Body." || len(rep.Removed) != 1 || rep.Removed[0].Rule != "ok" {
		t.Errorf("Text %q, report %+v", it.Text, rep)
	}
}
