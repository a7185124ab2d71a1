package normalize

import (
	"sort"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRuleCost(t *testing.T) {
	r := DefaultRules()
	var texts []string
	for _, name := range []string{"seed_aawsat", "seed_ifp", "seed_moscowtimes", "seed_almayadeen"} {
		f := parseFeed(t, mustRead(t, "testdata/golden/"+name+".xml"))
		for _, it := range f.Items {
			for _, u := range collectUnits(parseContent(it.Content)) {
				texts = append(texts, u.text)
			}
		}
	}
	type c struct {
		name        string
		d           time.Duration
		pass, match int
	}
	var cs []c
	for _, rs := range append([]RuleSet{r.Generic}, mapValues(r.Outlets)...) {
		for _, rule := range rs.Rules {
			x := c{name: rule.Name}
			start := time.Now()
			for k := 0; k < 20; k++ {
				for _, s := range texts {
					lower := ""
					n := utf8.RuneCountInString(s)
					if rule.MaxChars > 0 && n > rule.MaxChars {
						continue
					}
					if rule.pre.pass(s, &lower) {
						x.pass++
						if rule.re.MatchString(s) {
							x.match++
						}
					}
				}
			}
			x.d = time.Since(start) / 20
			cs = append(cs, x)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].d > cs[j].d })
	for _, x := range cs {
		t.Log(x.name, x.d, x.pass/20, x.match/20)
	}
	t.Log(len(texts), "paragraphs")
}
