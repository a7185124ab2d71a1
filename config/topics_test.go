package config

import (
	"strconv"
	"strings"
	"testing"
)

const outletsYAML = `outlets:
  - name: "The Moscow Times"
    url: "https://www.themoscowtimes.com/rss/news"
`

func TestTopicsValidation(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error; nil: valid
	}{
		{"valid", `topics:
  - name: iru
    entities:
      - name: iran
        terms: ["Iran*", "Tehran"]
        except: ["Tehran Times"]
      - name: russia
        terms: ["Russia*"]
      - name: sport
        weight: -2
        terms: [football]
    require: [[iran, russia]]
    weights: {title: 4, body_cap: 2}
tags:
  - name: human-rights
    terms: ["human rights"]
`, nil},
		{"no topics", "topics: []\n", []string{"topics", "at least one topic"}},
		{"bad topic name", "topics:\n  - name: Iran Russia\n    entities: [{name: iran, terms: [Iran]}]\n", []string{"2:", "topics[0].name", "lower-case"}},
		{"no entities", "topics:\n  - name: t\n", []string{"2:", "topics[0].entities", "at least one entity"}},
		{"no terms", "topics:\n  - name: t\n    entities:\n      - name: iran\n", []string{"4:", "topics[0].entities[0].terms", "at least one term"}},
		{"duplicate entity", "topics:\n  - name: t\n    entities:\n      - {name: iran, terms: [Iran]}\n      - {name: iran, terms: [Tehran]}\n",
			[]string{"5:", "topics[0].entities[1].name", "already"}},
		{"unknown entity in require", "topics:\n  - name: t\n    entities: [{name: iran, terms: [Iran]}]\n    require: [[iran, china]]\n",
			[]string{"4:", "topics[0].require[0]", `unknown entity "china"`}},
		{"counter entity in require", "topics:\n  - name: t\n    entities: [{name: sport, weight: -1, terms: [football]}]\n    require: [[sport]]\n",
			[]string{"topics[0].require[0]", "counter entity"}},
		{"star inside a word", "topics:\n  - name: t\n    entities:\n      - name: iran\n        terms: [\"Ir*an\"]\n",
			[]string{"topics[0].entities[0].terms[0]", "may only end a word"}},
		{"lone star", "topics:\n  - name: t\n    entities:\n      - name: iran\n        terms: [\"Iran\", \"* x\"]\n",
			[]string{"topics[0].entities[0].terms[1]", "may only end a word"}},
		{"wordless term", "topics:\n  - name: t\n    entities:\n      - name: iran\n        terms: [\"—\"]\n",
			[]string{"5:", "topics[0].entities[0].terms[0]", "no letter"}},
		{"repeated term", "topics:\n  - name: t\n    entities:\n      - name: iran\n        terms: [Iran, iran]\n",
			[]string{"topics[0].entities[0].terms[1]", "repeats"}},
		{"negative weights", "topics:\n  - name: t\n    entities: [{name: iran, terms: [Iran]}]\n    weights: {body: -1}\n    min_score: -2\n",
			[]string{"topics[0].weights", "topics[0].min_score"}},
		{"duplicate tag", "topics:\n  - name: t\n    entities: [{name: iran, terms: [Iran]}]\ntags:\n  - {name: drones, terms: [drone]}\n  - {name: drones, terms: [UAV]}\n",
			[]string{"6:", "tags[1].name", "already"}},
		{"tag without terms", "topics:\n  - name: t\n    entities: [{name: iran, terms: [Iran]}]\ntags:\n  - name: drones\n",
			[]string{"5:", "tags[0].terms"}},
		{"unknown topic key", "topics:\n  - name: t\n    entitys: []\n", []string{"3:", "entitys"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(outletsYAML + tc.yaml))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("valid config: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				// Lines are counted from the topics YAML, after the outlets.
				if strings.HasSuffix(w, ":") && strings.Trim(w, "0123456789:") == "" {
					n, _ := strconv.Atoi(w[:len(w)-1])
					w = strconv.Itoa(n+strings.Count(outletsYAML, "\n")) + ":"
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestWeightsWithDefaults(t *testing.T) {
	got := Weights{Title: 5, BodyCap: 1}.WithDefaults()
	want := DefaultWeights()
	want.Title, want.BodyCap = 5, 1
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
