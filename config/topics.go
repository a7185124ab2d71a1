package config

import "fmt"

// Topic is one topic the tagger recognises. (First version; the tagging
// work extends it.)
type Topic struct {
	Name  string `yaml:"name"`
	Title string `yaml:"title"`
	// Entities are the actors of the topic, each with its aliases.
	Entities []Entity `yaml:"entities"`
	// Require lists sets of entity names: an item is on topic when it
	// mentions every entity of at least one set.
	Require [][]string `yaml:"require"`
	// MinScore is the score an item needs to be on topic.
	MinScore float64 `yaml:"min_score"`
}

// Entity is a named actor with its aliases in any script.
type Entity struct {
	Name  string   `yaml:"name"`
	Terms []string `yaml:"terms"`
}

// Tag is a label given to items whose text matches one of its terms.
type Tag struct {
	Name  string   `yaml:"name"`
	Terms []string `yaml:"terms"`
}

func (c Config) validateTopics(v *validator) {
	if len(c.Topics) == 0 {
		v.addf("topics", "must define at least one topic")
	}
	for i, t := range c.Topics {
		p := fmt.Sprintf("topics[%d]", i)
		if t.Name == "" {
			v.addf(p+".name", "must not be empty")
		}
		ents := map[string]bool{}
		for j, e := range t.Entities {
			ep := fmt.Sprintf("%s.entities[%d]", p, j)
			if e.Name == "" {
				v.addf(ep+".name", "must not be empty")
			}
			if len(e.Terms) == 0 {
				v.addf(ep+".terms", "must list at least one term")
			}
			ents[e.Name] = true
		}
		for j, set := range t.Require {
			for _, name := range set {
				if !ents[name] {
					v.addf(fmt.Sprintf("%s.require[%d]", p, j), "names unknown entity %q", name)
				}
			}
		}
	}
	for i, t := range c.Tags {
		p := fmt.Sprintf("tags[%d]", i)
		if t.Name == "" {
			v.addf(p+".name", "must not be empty")
		}
		if len(t.Terms) == 0 {
			v.addf(p+".terms", "must list at least one term")
		}
	}
}
