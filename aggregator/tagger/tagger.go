// Package tagger decides whether a news item is on one of the configured
// topics and which tags it gets, and says why.
//
// Rules are data (config.Topic, config.Tag): entities and tags with terms
// in any script. New compiles every term into one trie over folded words
// (see Fold), so tagging an item is one pass over its words whatever the
// number of terms.
//
// An item is read as three fields: the title, the lead (the first paragraph
// of the text, unless it merely repeats the title) and the body (the rest,
// up to a boilerplate marker such as "Recent Posts"). Each entity and tag
// gets a strength: the weighted mentions per field, capped per field so that
// a long body or a sidebar cannot outweigh the title and lead. An entity is
// present when its strength reaches the topic's min_entity_score; an item is
// on topic when every entity of one of the topic's require sets is present
// and the topic score (weight × strength summed over present entities)
// reaches min_score. A tag is given when its strength reaches its min_score.
package tagger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/news"
)

// field is where in an item a term was found.
type field uint8

const (
	fieldTitle field = iota
	fieldLead
	fieldBody
	numFields
)

var fieldNames = [numFields]string{"title", "lead", "body"}

func (f field) String() string { return fieldNames[f] }

// Evidence kinds.
const (
	KindEntity = "entity"
	KindTag    = "tag"
)

// leadMaxBytes bounds the lead: when the first paragraph is longer (a text
// without paragraph breaks), only its first sentences are the lead.
const leadMaxBytes = 600

// markerMaxBytes bounds the paragraphs checked against ignore_after markers;
// linkMaxBytes those checked as a marker-led link line ("Read more: ...").
const (
	markerMaxBytes = 80
	linkMaxBytes   = 300
	// markerMaxWords bounds the words of a marker.
	markerMaxWords = 8
)

// rule is one entity or tag: what its terms count towards.
type rule struct {
	kind    string
	name    string
	weights config.Weights
	// factor multiplies the rule's evidence weights: the entity weight
	// (negative for counter entities), 1 for tags.
	factor float64
}

type topicRule struct {
	name      string
	entities  []int     // rule indices
	weight    []float64 // per entity
	require   [][]int   // indices into entities
	minEntity float64
	minScore  float64
}

type tagRule struct {
	name     string
	rule     int
	minScore float64
}

// Tagger tags items by the compiled rules. It is safe for concurrent use.
type Tagger struct {
	folder  *folder
	matcher matcher
	rules   []rule
	topics  []topicRule
	tags    []tagRule
	// markers are the folded ignore_after paragraphs.
	markers map[string]bool
	scratch sync.Pool
	// fingerprint identifies the rules (see Fingerprint).
	fingerprint string
}

// New compiles the topics and tags. Its errors name the topic, entity or tag
// and the term at fault.
func New(topics []config.Topic, tags []config.Tag) (*Tagger, error) {
	t := &Tagger{folder: newFolder(), markers: map[string]bool{}, fingerprint: fingerprint(topics, tags)}
	t.scratch.New = func() any { return &scratch{} }
	var errs []error
	addTerms := func(ri int, what string, terms, excepts []string) {
		for _, term := range terms {
			if err := t.matcher.add(t.folder, term, termRef{rule: int32(ri)}); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", what, err))
			}
		}
		for _, term := range excepts {
			if err := t.matcher.add(t.folder, term, termRef{rule: int32(ri), except: true}); err != nil {
				errs = append(errs, fmt.Errorf("%s: except: %w", what, err))
			}
		}
	}
	for _, tp := range topics {
		tr := topicRule{name: tp.Name, minEntity: tp.MinEntityScore, minScore: tp.MinScore}
		if tr.minEntity == 0 {
			tr.minEntity = config.DefaultMinEntityScore
		}
		byName := map[string]int{}
		for _, e := range tp.Entities {
			ri := len(t.rules)
			w := e.Weight
			if w == 0 {
				w = 1
			}
			t.rules = append(t.rules, rule{kind: KindEntity, name: e.Name, weights: tp.Weights.WithDefaults(), factor: w})
			byName[e.Name] = len(tr.entities)
			tr.entities = append(tr.entities, ri)
			tr.weight = append(tr.weight, w)
			if len(e.Terms) == 0 {
				errs = append(errs, fmt.Errorf("topic %q: entity %q: no terms", tp.Name, e.Name))
			}
			addTerms(ri, fmt.Sprintf("topic %q: entity %q", tp.Name, e.Name), e.Terms, e.Except)
		}
		if len(tp.Require) == 0 {
			// Without sets, any one entity of positive weight will do.
			for i, w := range tr.weight {
				if w > 0 {
					tr.require = append(tr.require, []int{i})
				}
			}
		}
		for _, set := range tp.Require {
			var idx []int
			for _, name := range set {
				i, ok := byName[name]
				if !ok {
					errs = append(errs, fmt.Errorf("topic %q: require names unknown entity %q", tp.Name, name))
					continue
				}
				if tr.weight[i] < 0 {
					errs = append(errs, fmt.Errorf("topic %q: require names counter entity %q", tp.Name, name))
					continue
				}
				idx = append(idx, i)
			}
			if len(idx) > 0 {
				tr.require = append(tr.require, idx)
			}
		}
		if tr.minScore == 0 && len(tr.require) > 0 {
			// Default: every entity of the smallest require set present.
			smallest := len(tr.require[0])
			for _, set := range tr.require {
				smallest = min(smallest, len(set))
			}
			tr.minScore = tr.minEntity * float64(smallest)
		}
		for _, mk := range tp.IgnoreAfter {
			key := Fold(mk)
			if key == "" {
				errs = append(errs, fmt.Errorf("topic %q: ignore_after %q has no word", tp.Name, mk))
				continue
			}
			if n := strings.Count(key, " ") + 1; n > markerMaxWords {
				errs = append(errs, fmt.Errorf("topic %q: ignore_after %q has %d words, more than %d", tp.Name, mk, n, markerMaxWords))
				continue
			}
			t.markers[key] = true
		}
		t.topics = append(t.topics, tr)
	}
	for _, tg := range tags {
		ri := len(t.rules)
		t.rules = append(t.rules, rule{kind: KindTag, name: tg.Name, weights: tg.Weights.WithDefaults(), factor: 1})
		minScore := tg.MinScore
		if minScore == 0 {
			minScore = config.DefaultTagMinScore
		}
		t.tags = append(t.tags, tagRule{name: tg.Name, rule: ri, minScore: minScore})
		if len(tg.Terms) == 0 {
			errs = append(errs, fmt.Errorf("tag %q: no terms", tg.Name))
		}
		addTerms(ri, fmt.Sprintf("tag %q", tg.Name), tg.Terms, tg.Except)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("compile tagging rules: %w", err)
	}
	return t, nil
}

// Fingerprint identifies the rules the tagger was built from: it changes
// whenever a topic or tag changes, and only then. Storing it with each
// tagged item lets `topicfeed retag` find the items tagged by other rules.
func (t *Tagger) Fingerprint() string { return t.fingerprint }

func fingerprint(topics []config.Topic, tags []config.Tag) string {
	h := sha256.New()
	// Marshalling plain structs of strings, numbers and slices cannot fail.
	b, _ := json.Marshal(struct {
		Topics []config.Topic
		Tags   []config.Tag
	}{topics, tags})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// scratch holds the buffers of one tagging call, reused across calls.
type scratch struct {
	buf     []byte
	toks    []token
	matches []match
	seen    map[string]bool
}

// Tag decides about one item. text is the normalised plain text with
// paragraphs separated by a blank line; its first paragraph is the lead.
func (t *Tagger) Tag(title, text string) news.Tagging {
	a := t.analyse(title, text)
	return a.tagging(t)
}

// analysis is what one item's reading found.
type analysis struct {
	// hits are the occurrences per field of the rules that matched, in
	// order of first match; rules without a hit have none.
	hits   []ruleHits
	groups []group
	// ignoredFrom is the boilerplate marker at which reading stopped.
	ignoredFrom string
}

// ruleHits counts one rule's occurrences per field.
type ruleHits struct {
	rule   int
	counts [numFields]int
}

// group is the evidence of one spelling of one rule in one field.
type group struct {
	rule  int
	field field
	term  string
	count int
}

func (t *Tagger) analyse(title, text string) *analysis {
	s := t.scratch.Get().(*scratch)
	defer t.scratch.Put(s)
	ms := s.matches[:0]
	buf, toks := t.folder.tokens(title, s.buf[:0], s.toks[:0])
	titleKey := string(buf) // words of the title, concatenated: to spot a repeated title
	ms = t.matcher.scan(buf, toks, 0, fieldTitle, ms)
	srcs := []string{title}

	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	clear(s.seen)
	a := &analysis{}
	para := int32(0)
	haveLead := false
	if strings.Contains(text, "\r") {
		text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	}
	for rest := text; rest != ""; {
		var p string
		if i := strings.Index(rest, "\n\n"); i >= 0 {
			p, rest = rest[:i], rest[i+2:]
		} else {
			p, rest = rest, ""
		}
		p = strings.TrimSpace(p)
		if p == "" || s.seen[p] {
			continue // empty, or a repeated paragraph (caption, scraped twice)
		}
		s.seen[p] = true
		buf, toks = t.folder.tokens(p, buf[:0], toks[:0])
		if len(toks) == 0 {
			continue
		}
		if !haveLead && string(buf) == titleKey {
			continue // the title repeated as the first paragraph
		}
		switch t.marker(p, buf, toks) {
		case markerBlock:
			if !haveLead {
				continue // a marker before the article (a donation banner) is skipped
			}
			a.ignoredFrom = p
		case markerLink:
			continue // "Read more: <another story>" is skipped
		}
		if a.ignoredFrom != "" {
			break
		}
		para++
		srcs = append(srcs, p)
		if haveLead {
			ms = t.matcher.scan(buf, toks, para, fieldBody, ms)
			continue
		}
		haveLead = true
		n := leadWords(p, toks)
		ms = t.matcher.scan(buf, toks[:n], para, fieldLead, ms)
		if n < len(toks) {
			// The rest of an overlong first paragraph is body; number it
			// apart so that no term spans the cut.
			para++
			srcs = append(srcs, p)
			ms = t.matcher.scan(buf, toks[n:], para, fieldBody, ms)
		}
	}
	ms = resolve(ms)

	a.groups = make([]group, 0, len(ms))
	a.hits = make([]ruleHits, 0, min(len(ms), 16))
	for _, m := range ms {
		r := int(m.ref.rule)
		h := a.hit(r)
		if h == nil {
			a.hits = append(a.hits, ruleHits{rule: r})
			h = &a.hits[len(a.hits)-1]
		}
		h.counts[m.field]++
		term := srcs[m.para][m.ss:m.se]
		found := false
		for i := range a.groups {
			g := &a.groups[i]
			if g.rule == r && g.field == m.field && g.term == term {
				g.count++
				found = true
				break
			}
		}
		if !found {
			a.groups = append(a.groups, group{rule: r, field: m.field, term: term, count: 1})
		}
	}
	s.buf, s.toks, s.matches = buf, toks, ms[:0]
	clear(s.seen) // drop the references to this item's text
	return a
}

// leadWords returns how many of the first paragraph's words are the lead:
// all of them, or for an overlong paragraph those up to the first sentence
// end after leadMaxBytes/3 (or up to leadMaxBytes).
func leadWords(p string, toks []token) int {
	if len(p) <= leadMaxBytes {
		return len(toks)
	}
	cut := leadMaxBytes
	if i := strings.IndexAny(p[leadMaxBytes/3:leadMaxBytes], ".!?؟"); i >= 0 {
		cut = leadMaxBytes/3 + i
	}
	for n, tk := range toks {
		if int(tk.ss) >= cut {
			return n
		}
	}
	return len(toks)
}

type markerKind uint8

const (
	markerNone  markerKind = iota
	markerBlock            // the paragraph is a marker: boilerplate follows
	markerLink             // the paragraph is a marker, a colon and a link text
)

// marker says whether paragraph p (its words folded in buf, toks) is an
// ignore_after marker ("Recent Posts") or starts with one and a colon
// ("Read more: Iran says ...").
func (t *Tagger) marker(p string, buf []byte, toks []token) markerKind {
	if len(t.markers) == 0 || len(p) > linkMaxBytes {
		return markerNone
	}
	var kb [128]byte
	key := kb[:0]
	for i, tk := range toks {
		if i == markerMaxWords {
			break
		}
		if i > 0 {
			key = append(key, ' ')
		}
		key = append(key, buf[tk.fs:tk.fe]...)
		if !t.markers[string(key)] {
			continue
		}
		if i == len(toks)-1 && len(p) <= markerMaxBytes {
			return markerBlock
		}
		if rest := strings.TrimLeft(p[tk.se:], " \t"); strings.HasPrefix(rest, ":") && i < len(toks)-1 {
			return markerLink
		}
	}
	return markerNone
}

// hit returns the rule's occurrences, or nil when it has none. Items match
// few rules, so a linear search beats any index.
func (a *analysis) hit(r int) *ruleHits {
	for i := range a.hits {
		if a.hits[i].rule == r {
			return &a.hits[i]
		}
	}
	return nil
}

// strength is a rule's weighted, capped count of mentions.
func (a *analysis) strength(t *Tagger, r int) float64 {
	h := a.hit(r)
	if h == nil {
		return 0
	}
	w := t.rules[r].weights
	c := h.counts
	return w.Title*float64(min(c[fieldTitle], w.TitleCap)) +
		w.Lead*float64(min(c[fieldLead], w.LeadCap)) +
		w.Body*float64(min(c[fieldBody], w.BodyCap))
}

// topicResult is the decision about one topic.
type topicResult struct {
	onTopic  bool
	score    float64
	strength []float64 // per entity
	present  []bool
	met      []int // the require set met, or nil
}

func (t *Tagger) decideTopic(a *analysis, tr topicRule) topicResult {
	res := topicResult{strength: make([]float64, len(tr.entities)), present: make([]bool, len(tr.entities))}
	for i, ri := range tr.entities {
		s := a.strength(t, ri)
		res.strength[i] = s
		if s >= tr.minEntity && s > 0 {
			res.present[i] = true
			res.score += tr.weight[i] * s
		}
	}
	for _, set := range tr.require {
		all := true
		for _, i := range set {
			all = all && res.present[i]
		}
		if all {
			res.met = set
			break
		}
	}
	res.onTopic = res.met != nil && res.score >= tr.minScore
	return res
}

func (a *analysis) tagging(t *Tagger) news.Tagging {
	var tg news.Tagging
	results := make([]topicResult, len(t.topics))
	for i, tr := range t.topics {
		results[i] = t.decideTopic(a, tr)
		if results[i].onTopic {
			tg.Topics = append(tg.Topics, tr.name)
			tg.OnTopic = true
		}
	}
	tg.Score = bestScore(results)
	tg.Tags = a.tags(t)
	tg.Evidence = a.evidence(t)
	return tg
}

// bestScore is the item's score: the highest score of a topic it is on, or
// when it is on none, the highest score of any topic.
func bestScore(results []topicResult) float64 {
	best, on := 0.0, false
	for i, r := range results {
		switch {
		case r.onTopic && (!on || r.score > best):
			best, on = r.score, true
		case !on && (i == 0 || r.score > best):
			best = r.score
		}
	}
	return best
}

func (a *analysis) tags(t *Tagger) []string {
	var tags []string
	for _, tr := range t.tags {
		if s := a.strength(t, tr.rule); s >= tr.minScore && s > 0 {
			tags = append(tags, tr.name)
		}
	}
	return tags
}

// evidence lists the matched terms by rule (in config order), field and
// first occurrence, each with the weight it added to the rule's strength
// (0 for mentions beyond the field's cap).
func (a *analysis) evidence(t *Tagger) []news.Evidence {
	if len(a.groups) == 0 {
		return nil
	}
	gs := a.groups
	slices.SortStableFunc(gs, func(x, y group) int {
		if x.rule != y.rule {
			return x.rule - y.rule
		}
		return int(x.field) - int(y.field)
	})
	ev := make([]news.Evidence, 0, len(gs))
	left, lastRule, lastField := 0, -1, numFields
	for _, g := range gs {
		r := t.rules[g.rule]
		fw, cap := r.weights.Title, r.weights.TitleCap
		switch g.field {
		case fieldLead:
			fw, cap = r.weights.Lead, r.weights.LeadCap
		case fieldBody:
			fw, cap = r.weights.Body, r.weights.BodyCap
		}
		if g.rule != lastRule || g.field != lastField {
			left, lastRule, lastField = cap, g.rule, g.field
		}
		n := min(g.count, left)
		left -= n
		ev = append(ev, news.Evidence{
			Rule: r.name, Kind: r.kind, Term: g.term,
			Field: g.field.String(), Count: g.count, Weight: r.factor * fw * float64(n),
		})
	}
	return ev
}
