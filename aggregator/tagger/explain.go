package tagger

import (
	"fmt"
	"strings"

	"github.com/topicfeed/topicfeed/news"
)

// Explanation is a tagging decision with its reasons, for people tuning the
// rules (`topicfeed explain`). It marshals to JSON.
type Explanation struct {
	OnTopic  bool            `json:"on_topic"`
	Topics   []string        `json:"topics"`
	Tags     []string        `json:"tags"`
	Score    float64         `json:"score"`
	Evidence []news.Evidence `json:"evidence"`
	// TopicDetails explain each topic's decision.
	TopicDetails []TopicDetail `json:"topic_details"`
	// TagDetails give each tag's strength and threshold.
	TagDetails []TagDetail `json:"tag_details"`
	// IgnoredFrom is the boilerplate marker paragraph ("Recent Posts") at
	// which reading stopped, if any.
	IgnoredFrom string `json:"ignored_from,omitempty"`
}

// TopicDetail explains the decision about one topic.
type TopicDetail struct {
	Topic    string  `json:"topic"`
	OnTopic  bool    `json:"on_topic"`
	Score    float64 `json:"score"`
	MinScore float64 `json:"min_score"`
	// MinEntityScore is the strength an entity needs to be present.
	MinEntityScore float64        `json:"min_entity_score"`
	Entities       []EntityDetail `json:"entities"`
	// Require is the require set the item met, if any.
	Require []string `json:"require,omitempty"`
	// Reason says in words why the item is or is not on the topic.
	Reason string `json:"reason"`
}

// EntityDetail is one entity's strength in an item.
type EntityDetail struct {
	Entity   string  `json:"entity"`
	Strength float64 `json:"strength"`
	Weight   float64 `json:"weight"`
	Present  bool    `json:"present"`
}

// TagDetail is one tag's strength in an item.
type TagDetail struct {
	Tag      string  `json:"tag"`
	Strength float64 `json:"strength"`
	MinScore float64 `json:"min_score"`
	Tagged   bool    `json:"tagged"`
}

// Explain decides about one item like Tag and says why: every topic's
// entities with their strengths, the require set met or missed, every tag's
// strength against its threshold, and the matched terms.
func (t *Tagger) Explain(title, text string) Explanation {
	a := t.analyse(title, text)
	tg := a.tagging(t)
	ex := Explanation{
		OnTopic:      tg.OnTopic,
		Topics:       nonNil(tg.Topics),
		Tags:         nonNil(tg.Tags),
		Score:        tg.Score,
		Evidence:     tg.Evidence,
		TopicDetails: make([]TopicDetail, 0, len(t.topics)),
		TagDetails:   make([]TagDetail, 0, len(t.tags)),
		IgnoredFrom:  a.ignoredFrom,
	}
	if ex.Evidence == nil {
		ex.Evidence = []news.Evidence{}
	}
	for _, tr := range t.topics {
		res := t.decideTopic(a, tr)
		d := TopicDetail{
			Topic: tr.name, OnTopic: res.onTopic, Score: res.score,
			MinScore: tr.minScore, MinEntityScore: tr.minEntity,
		}
		for i, ri := range tr.entities {
			d.Entities = append(d.Entities, EntityDetail{
				Entity: t.rules[ri].name, Strength: res.strength[i], Weight: tr.weight[i], Present: res.present[i],
			})
		}
		for _, i := range res.met {
			d.Require = append(d.Require, t.rules[tr.entities[i]].name)
		}
		d.Reason = t.reason(tr, res)
		ex.TopicDetails = append(ex.TopicDetails, d)
	}
	for _, tr := range t.tags {
		s := a.strength(t, tr.rule)
		ex.TagDetails = append(ex.TagDetails, TagDetail{Tag: tr.name, Strength: s, MinScore: tr.minScore, Tagged: s >= tr.minScore && s > 0})
	}
	return ex
}

func (t *Tagger) reason(tr topicRule, res topicResult) string {
	name := func(i int) string { return t.rules[tr.entities[i]].name }
	if res.met != nil {
		names := make([]string, len(res.met))
		for k, i := range res.met {
			names[k] = fmt.Sprintf("%s %g", name(i), res.strength[i])
		}
		if res.onTopic {
			return fmt.Sprintf("on topic: %s present (each needs %g); score %g, needs %g",
				strings.Join(names, " + "), tr.minEntity, res.score, tr.minScore)
		}
		return fmt.Sprintf("off topic: %s present, but score %g, needs %g", strings.Join(names, " + "), res.score, tr.minScore)
	}
	// Name the require set that came closest: the fewest missing entities.
	var closest []int
	bestMissing := -1
	for _, set := range tr.require {
		missing := 0
		for _, i := range set {
			if !res.present[i] {
				missing++
			}
		}
		if bestMissing < 0 || missing < bestMissing {
			bestMissing, closest = missing, set
		}
	}
	var miss []string
	for _, i := range closest {
		if !res.present[i] {
			miss = append(miss, fmt.Sprintf("%s %g (needs %g)", name(i), res.strength[i], tr.minEntity))
		}
	}
	return "off topic: no require set met; the closest lacks " + strings.Join(miss, ", ")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
