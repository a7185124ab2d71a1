package normalize

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed rules.yaml
var defaultRulesYAML []byte

// Rules is the data that drives boilerplate removal and title cleaning:
// generic rules for every outlet plus per-outlet rules keyed by outlet name.
// Build one with DefaultRules or ParseRules; the zero Rules removes nothing
// but exact repeats.
type Rules struct {
	// Generic applies to every outlet.
	Generic RuleSet
	// Outlets holds per-outlet rules by outlet name (as configured). An
	// outlet's rules also apply to items whose feed or link is on one of
	// its Hosts.
	Outlets map[string]RuleSet
	// MaxItemBytes caps the size of one item: its raw content and
	// description are cut to at most this many bytes before they are
	// parsed, and its Text and ContentHTML are each at most this long
	// (Report.Truncated says when anything was cut). 0 means
	// DefaultMaxItemBytes. It is part of the rules (and so of the raw
	// seed) because changing it changes what an entry normalises to.
	MaxItemBytes int
}

// DefaultMaxItemBytes is the cap on one item's size when
// Rules.MaxItemBytes is 0: 256 KiB, far beyond a long article.
const DefaultMaxItemBytes = 256 << 10

// RuleSet is one group of boilerplate rules.
type RuleSet struct {
	// Hosts lets an outlet's rules apply by feed/item host as well as by
	// name ("themoscowtimes.com" also matches "www.themoscowtimes.com").
	Hosts []string
	// SiteNames are extra names of the site that are removed when they
	// appear as a title suffix or prefix (" - MT").
	SiteNames []string
	// MinRepeatChars is the length from which a repeated paragraph is
	// dropped (0 means the default, 20 characters). Lines repeating the
	// title are dropped whatever their length.
	MinRepeatChars int
	// TrackerHosts are hosts whose images are tracking pixels and are
	// removed from content.
	TrackerHosts []string
	// TrackingParams are extra URL query parameters removed from canonical
	// URLs (a trailing "*" matches a prefix: "utm_*").
	TrackingParams []string
	// Rules are applied in order to each paragraph of an item's content:
	// the outlet's rules first, then the generic ones.
	Rules []Rule
}

// Rule is one boilerplate rule. Exactly one of Drop, Cut and Strip is set;
// each is a regular expression (RE2 syntax) matched against the plain text of
// one paragraph (white space folded).
type Rule struct {
	// Name identifies the rule in reports and errors.
	Name string
	// Drop removes a paragraph that matches.
	Drop string
	// Cut removes a matching paragraph and everything after it (trailing
	// blocks such as "Recent Posts" lists or donation appeals). A cut at the
	// very start of an item only drops that paragraph.
	Cut string
	// Strip deletes the matched text from a paragraph (photo credits);
	// Replace, if set, is the replacement ($1 expands groups). A Strip
	// expression anchored at the end ("...$") but not the start looks at
	// the paragraph's end only (at least its last 200 characters).
	Strip   string
	Replace string
	// MaxChars, when > 0, limits the rule to paragraphs of at most this
	// many characters, so a long article paragraph is never taken for
	// boilerplate.
	MaxChars int

	re   *regexp.Regexp
	pre  prefilter
	tail bool // strip rule matched against the paragraph's end only
	// rev, for a tail rule, matches the reversed text where re matches
	// at the end of the text (see reverseExpr); nil: match with re.
	rev *regexp.Regexp
}

// Action is what a rule does: "drop", "cut" or "strip".
func (r Rule) Action() string {
	switch {
	case r.Drop != "":
		return "drop"
	case r.Cut != "":
		return "cut"
	default:
		return "strip"
	}
}

// compiled returns a copy of rs whose rules all carry a compiled expression,
// leaving out hand-built rules that have none or an invalid one.
func (rs RuleSet) compiled() RuleSet {
	out := rs
	out.Rules = make([]Rule, 0, len(rs.Rules))
	for _, r := range rs.Rules {
		if r.re == nil {
			expr := r.Drop + r.Cut + r.Strip
			if n := btoi(r.Drop != "") + btoi(r.Cut != "") + btoi(r.Strip != ""); n != 1 {
				continue
			}
			re, err := regexp.Compile(expr)
			if err != nil {
				continue
			}
			r.re = re
			r.pre, _ = newPrefilter(expr)
			r.tail = r.Strip != "" && tailOnly(expr)
			if r.tail {
				r.rev = reverseExpr(expr)
			}
		}
		out.Rules = append(out.Rules, r)
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Merge returns r extended by o (typically user rules over DefaultRules):
// o's generic rules and each outlet's rules run before r's, o's hosts, site
// names, tracker hosts and tracking parameters are added, and o's
// MinRepeatChars and MaxItemBytes, when set, win.
func (r Rules) Merge(o Rules) Rules {
	out := Rules{Generic: r.Generic.merge(o.Generic), Outlets: make(map[string]RuleSet, len(r.Outlets)+len(o.Outlets))}
	for name, rs := range r.Outlets {
		out.Outlets[name] = rs
	}
	for name, rs := range o.Outlets {
		out.Outlets[name] = out.Outlets[name].merge(rs)
	}
	out.MaxItemBytes = r.MaxItemBytes
	if o.MaxItemBytes > 0 {
		out.MaxItemBytes = o.MaxItemBytes
	}
	return out
}

func (rs RuleSet) merge(o RuleSet) RuleSet {
	out := RuleSet{
		Hosts:          concat(rs.Hosts, o.Hosts),
		SiteNames:      concat(rs.SiteNames, o.SiteNames),
		MinRepeatChars: rs.MinRepeatChars,
		TrackerHosts:   concat(rs.TrackerHosts, o.TrackerHosts),
		TrackingParams: concat(rs.TrackingParams, o.TrackingParams),
		Rules:          concat(o.Rules, rs.Rules),
	}
	if o.MinRepeatChars > 0 {
		out.MinRepeatChars = o.MinRepeatChars
	}
	return out
}

func concat[T any](a, b []T) []T {
	out := make([]T, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// rulesFile is the on-disk (YAML or JSON) form of Rules.
type rulesFile struct {
	Generic ruleSetFile            `yaml:"generic"`
	Outlets map[string]ruleSetFile `yaml:"outlets"`
}

type ruleSetFile struct {
	Hosts          []string   `yaml:"hosts"`
	SiteNames      []string   `yaml:"site_names"`
	MinRepeatChars int        `yaml:"min_repeat_chars"`
	TrackerHosts   []string   `yaml:"tracker_hosts"`
	TrackingParams []string   `yaml:"tracking_params"`
	Rules          []ruleFile `yaml:"rules"`
}

type ruleFile struct {
	Name     string `yaml:"name"`
	Drop     string `yaml:"drop"`
	Cut      string `yaml:"cut"`
	Strip    string `yaml:"strip"`
	Replace  string `yaml:"replace"`
	MaxChars int    `yaml:"max_chars"`
}

// DefaultRules returns the rules embedded in the binary (rules.yaml). They
// are checked by the package's tests, so this never fails at run time; should
// the embedded file ever be broken, the zero Rules is returned.
func DefaultRules() Rules {
	r, err := ParseRules(bytes.NewReader(defaultRulesYAML))
	if err != nil {
		return Rules{}
	}
	return r
}

// ParseRules reads rules in YAML (or JSON, a subset of YAML). Unknown keys,
// invalid regular expressions and rules without exactly one action are
// errors naming the rule.
func ParseRules(r io.Reader) (Rules, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f rulesFile
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return Rules{}, fmt.Errorf("parse normalisation rules: %w", err)
	}
	var out Rules
	var err error
	if out.Generic, err = f.Generic.compile("generic"); err != nil {
		return Rules{}, err
	}
	out.Outlets = make(map[string]RuleSet, len(f.Outlets))
	for name, rs := range f.Outlets {
		if strings.TrimSpace(name) == "" {
			return Rules{}, errors.New("parse normalisation rules: outlets: empty outlet name")
		}
		if out.Outlets[name], err = rs.compile("outlets." + name); err != nil {
			return Rules{}, err
		}
	}
	return out, nil
}

func (f ruleSetFile) compile(where string) (RuleSet, error) {
	rs := RuleSet{
		Hosts:          f.Hosts,
		SiteNames:      f.SiteNames,
		MinRepeatChars: f.MinRepeatChars,
		TrackerHosts:   f.TrackerHosts,
		TrackingParams: f.TrackingParams,
	}
	if f.MinRepeatChars < 0 {
		return RuleSet{}, fmt.Errorf("parse normalisation rules: %s.min_repeat_chars: must not be negative", where)
	}
	for i, rf := range f.Rules {
		at := fmt.Sprintf("%s.rules[%d]", where, i)
		if rf.Name != "" {
			at += " (" + rf.Name + ")"
		}
		n := 0
		expr := ""
		for _, e := range []string{rf.Drop, rf.Cut, rf.Strip} {
			if e != "" {
				n++
				expr = e
			}
		}
		if n != 1 {
			return RuleSet{}, fmt.Errorf("parse normalisation rules: %s: need exactly one of drop, cut, strip", at)
		}
		if rf.Replace != "" && rf.Strip == "" {
			return RuleSet{}, fmt.Errorf("parse normalisation rules: %s: replace is only valid with strip", at)
		}
		if rf.MaxChars < 0 {
			return RuleSet{}, fmt.Errorf("parse normalisation rules: %s: max_chars must not be negative", at)
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return RuleSet{}, fmt.Errorf("parse normalisation rules: %s: %w", at, err)
		}
		name := rf.Name
		if name == "" {
			name = fmt.Sprintf("%s#%d", where, i)
		}
		pre, _ := newPrefilter(expr)
		r := Rule{
			Name: name, Drop: rf.Drop, Cut: rf.Cut, Strip: rf.Strip, Replace: rf.Replace,
			MaxChars: rf.MaxChars, re: re, pre: pre, tail: rf.Strip != "" && tailOnly(expr),
		}
		if r.tail {
			r.rev = reverseExpr(expr)
		}
		rs.Rules = append(rs.Rules, r)
	}
	return rs, nil
}
