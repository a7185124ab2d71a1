package config

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Topic is one topic the tagger recognises: the entities (actors, places,
// weapons) it is about and the combinations of them an item must be about to
// be on topic.
//
// Terms are matched on folded text (case, diacritics and script variants
// such as Arabic vs Persian yeh/kaf are ignored) at word boundaries; a term is
// a sequence of words ("Revolutionary Guards"), and a word ending in "*"
// matches any word it begins ("iran*" matches Iranian, Iranians; "росси*"
// matches России, российский).
type Topic struct {
	// Name identifies the topic in feeds and URLs (lower-case, digits and
	// dashes).
	Name string `yaml:"name"`
	// Title is the human-readable name.
	Title string `yaml:"title"`
	// Entities are the actors of the topic, each with its aliases.
	Entities []Entity `yaml:"entities"`
	// Require lists sets of entity names: an item is on topic only when
	// every entity of at least one set is present, i.e. has a strength of
	// at least MinEntityScore. Without sets, any one present entity (of
	// positive weight) will do.
	Require [][]string `yaml:"require"`
	// MinEntityScore is the strength an entity needs to count as present
	// (default 3: with the default weights, a mention in the title or the
	// lead, or three in the body). A passing mention in the body is not
	// enough.
	MinEntityScore float64 `yaml:"min_entity_score"`
	// MinScore is the topic score an item needs to be on topic. The score
	// is the sum of weight × strength over the present entities (counter
	// entities with a negative weight lower it). Default: MinEntityScore ×
	// the size of the smallest require set.
	MinScore float64 `yaml:"min_score"`
	// Weights are the field weights and caps used to compute strengths.
	Weights Weights `yaml:"weights"`
	// IgnoreAfter lists paragraphs that open boilerplate ("Recent Posts",
	// "Read more"): text from such a paragraph on is not read. The tagger
	// reads every item once, so the markers of all topics apply to every
	// topic and tag.
	IgnoreAfter []string `yaml:"ignore_after"`
}

// Entity is a named actor with its aliases in any script.
type Entity struct {
	Name string `yaml:"name"`
	// Terms are the entity's names, aliases, transliterations and
	// inflected forms (see Topic for the syntax).
	Terms []string `yaml:"terms"`
	// Except lists phrases in which a term does not name the entity
	// ("Moscow Times" for Moscow, "Kyiv Independent" for Kyiv): matches
	// inside them are not counted.
	Except []string `yaml:"except"`
	// Weight multiplies the entity's strength in the topic score; 0 means 1.
	// A negative weight makes a counter entity (e.g. sport) whose presence
	// lowers the score; counter entities may not appear in Require.
	Weight float64 `yaml:"weight"`
}

// Tag is a label given to items whose title and text match its terms
// strongly enough.
type Tag struct {
	// Name identifies the tag in feeds and URLs (/tags/{name}.atom):
	// lower-case letters, digits and dashes.
	Name string `yaml:"name"`
	// Title is the human-readable name.
	Title string `yaml:"title"`
	// Terms use the same syntax as entity terms.
	Terms []string `yaml:"terms"`
	// Except lists phrases in which a term does not count ("think tank").
	Except []string `yaml:"except"`
	// MinScore is the strength an item needs to get the tag (default 2:
	// with the default weights, a title or lead mention, or two body
	// mentions).
	MinScore float64 `yaml:"min_score"`
	// Weights are the field weights and caps; unset fields take the
	// defaults.
	Weights Weights `yaml:"weights"`
}

// Weights say how much one mention counts where it is found, and how many
// mentions count at most. A strength is
// title×min(n_title, title_cap) + lead×min(n_lead, lead_cap) + body×min(n_body, body_cap).
// Zero fields take the defaults (DefaultWeights).
type Weights struct {
	Title    float64 `yaml:"title"`
	Lead     float64 `yaml:"lead"`
	Body     float64 `yaml:"body"`
	TitleCap int     `yaml:"title_cap"`
	LeadCap  int     `yaml:"lead_cap"`
	// BodyCap bounds the body's contribution, so that a long text or a
	// boilerplate block repeating a name cannot outweigh title and lead.
	BodyCap int `yaml:"body_cap"`
}

// Defaults for the tagging settings a config leaves out.
const (
	DefaultMinEntityScore = 3
	DefaultTagMinScore    = 2
)

// DefaultWeights returns the field weights used where a config gives none.
func DefaultWeights() Weights {
	return Weights{Title: 4, Lead: 3, Body: 1, TitleCap: 1, LeadCap: 2, BodyCap: 3}
}

// WithDefaults returns w with every zero field set to its default.
func (w Weights) WithDefaults() Weights {
	d := DefaultWeights()
	if w.Title == 0 {
		w.Title = d.Title
	}
	if w.Lead == 0 {
		w.Lead = d.Lead
	}
	if w.Body == 0 {
		w.Body = d.Body
	}
	if w.TitleCap == 0 {
		w.TitleCap = d.TitleCap
	}
	if w.LeadCap == 0 {
		w.LeadCap = d.LeadCap
	}
	if w.BodyCap == 0 {
		w.BodyCap = d.BodyCap
	}
	return w
}

var nameRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func (c Config) validateTopics(v *validator) {
	if len(c.Topics) == 0 {
		v.addf("topics", "must define at least one topic")
	}
	topicNames := map[string]int{}
	for i, t := range c.Topics {
		p := fmt.Sprintf("topics[%d]", i)
		validateName(v, p+".name", t.Name, topicNames, "topics", i)
		if len(t.Entities) == 0 {
			v.addf(p+".entities", "must list at least one entity")
		}
		ents := map[string]int{}
		weights := map[string]float64{}
		for j, e := range t.Entities {
			ep := fmt.Sprintf("%s.entities[%d]", p, j)
			validateName(v, ep+".name", e.Name, ents, p+".entities", j)
			weights[e.Name] = e.Weight
			validateTerms(v, ep+".terms", e.Terms, true)
			validateTerms(v, ep+".except", e.Except, false)
		}
		for j, set := range t.Require {
			rp := fmt.Sprintf("%s.require[%d]", p, j)
			if len(set) == 0 {
				v.addf(rp, "must name at least one entity")
			}
			for _, name := range set {
				w, ok := weights[name]
				switch {
				case !ok:
					v.addf(rp, "names unknown entity %q", name)
				case w < 0:
					v.addf(rp, "names counter entity %q (negative weight)", name)
				}
			}
		}
		if t.MinEntityScore < 0 {
			v.addf(p+".min_entity_score", "must not be negative, got %g", t.MinEntityScore)
		}
		if t.MinScore < 0 {
			v.addf(p+".min_score", "must not be negative, got %g", t.MinScore)
		}
		validateWeights(v, p+".weights", t.Weights)
		validateTerms(v, p+".ignore_after", t.IgnoreAfter, false)
	}
	tagNames := map[string]int{}
	for i, t := range c.Tags {
		p := fmt.Sprintf("tags[%d]", i)
		validateName(v, p+".name", t.Name, tagNames, "tags", i)
		validateTerms(v, p+".terms", t.Terms, true)
		validateTerms(v, p+".except", t.Except, false)
		if t.MinScore < 0 {
			v.addf(p+".min_score", "must not be negative, got %g", t.MinScore)
		}
		validateWeights(v, p+".weights", t.Weights)
	}
}

// validateName checks that name is a non-empty identifier unique among its
// siblings (seen maps names to their index).
func validateName(v *validator, field, name string, seen map[string]int, list string, i int) {
	switch {
	case name == "":
		v.addf(field, "must not be empty")
		return
	case !nameRe.MatchString(name):
		v.addf(field, "%q must be lower-case letters, digits and single dashes", name)
	}
	if j, dup := seen[name]; dup {
		v.addf(field, "%q is already the name of %s[%d]", name, list, j)
		return
	}
	seen[name] = i
}

func validateWeights(v *validator, field string, w Weights) {
	if w.Title < 0 || w.Lead < 0 || w.Body < 0 {
		v.addf(field, "weights must not be negative, got title %g, lead %g, body %g", w.Title, w.Lead, w.Body)
	}
	if w.TitleCap < 0 || w.LeadCap < 0 || w.BodyCap < 0 {
		v.addf(field, "caps must not be negative, got title_cap %d, lead_cap %d, body_cap %d", w.TitleCap, w.LeadCap, w.BodyCap)
	}
}

// validateTerms checks the syntax of match terms: each must hold a letter or
// digit, and "*" may only end a word. The tagger checks the rest when it
// compiles them (e.g. prefixes too short to be safe).
func validateTerms(v *validator, field string, terms []string, required bool) {
	if required && len(terms) == 0 {
		v.addf(field, "must list at least one term")
	}
	seen := map[string]int{}
	for k, term := range terms {
		tp := fmt.Sprintf("%s[%d]", field, k)
		if !strings.ContainsFunc(term, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			v.addf(tp, "term %q has no letter or digit", term)
			continue
		}
		rs := []rune(term)
		for i, r := range rs {
			if r != '*' {
				continue
			}
			prevWord := i > 0 && (unicode.IsLetter(rs[i-1]) || unicode.IsNumber(rs[i-1]) || unicode.IsMark(rs[i-1]))
			nextWord := i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || unicode.IsNumber(rs[i+1]) || rs[i+1] == '*')
			if !prevWord || nextWord {
				v.addf(tp, "term %q: \"*\" may only end a word", term)
				break
			}
		}
		key := strings.ToLower(strings.TrimSpace(term))
		if j, dup := seen[key]; dup {
			v.addf(tp, "term %q repeats %s[%d]", term, field, j)
		}
		seen[key] = k
	}
}
