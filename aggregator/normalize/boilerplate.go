package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Report says what normalisation removed from one item.
type Report struct {
	// Removed lists the paragraphs removed, in document order.
	Removed []Removal `json:"removed,omitempty"`
	// KeptAll is true when the rules would have removed every paragraph,
	// so the item kept its text (only exact repeats were dropped).
	KeptAll bool `json:"kept_all,omitempty"`
}

// Removal is one paragraph removed by a rule.
type Removal struct {
	// Rule is the rule's name, "repeat" (a paragraph seen before in the
	// item), "title-repeat" (the title repeated in the body) or
	// "after:<rule>" (removed by an earlier cut rule).
	Rule string `json:"rule"`
	Text string `json:"text"`
}

const defaultMinRepeatChars = 20

// applyRules decides which units are boilerplate, removes them from the tree
// and returns the kept paragraphs' text. Strip rules edit text nodes in place.
func applyRules(units []*unit, sets []*RuleSet, titleKeys []string, minRepeat int) ([]string, Report) {
	var rep Report
	// Strip first: it changes what the other rules and repeats see.
	for _, u := range units {
		n, lower := utf8.RuneCountInString(u.text), ""
		for _, rs := range sets {
			for i := range rs.Rules {
				r := &rs.Rules[i]
				if r.Strip == "" || !r.matches(u.text, n, &lower) {
					continue
				}
				for _, tn := range u.textNodes() {
					body := strings.TrimRightFunc(tn.Data, unicode.IsSpace)
					if out := r.re.ReplaceAllString(body, r.Replace); out != body {
						tn.Data = out + tn.Data[len(body):]
					}
				}
				var b strings.Builder
				for _, n := range u.nodes {
					appendText(&b, n)
				}
				u.text = foldSpace(cleanString(b.String()))
				n, lower = utf8.RuneCountInString(u.text), ""
			}
		}
	}

	reason := make([]string, len(units))
	cutAt := -1
	seen := make(map[string]bool, len(units))
	anyKept := false
	for i, u := range units {
		if u.text == "" {
			reason[i] = "strip"
			continue
		}
		if cutAt >= 0 {
			reason[i] = "after:" + reason[cutAt]
			continue
		}
		if name, cut := matchRules(u.text, sets); name != "" {
			reason[i] = name
			if cut && anyKept {
				cutAt = i
			}
			continue
		}
		k := Key(u.text)
		if containsString(titleKeys, k) {
			reason[i] = "title-repeat"
			continue
		}
		if seen[k] && utf8.RuneCountInString(u.text) >= minRepeat {
			reason[i] = "repeat"
			continue
		}
		seen[k] = true
		anyKept = true
	}
	if !anyKept && len(units) > 0 {
		// Never empty an item: keep everything but exact repeats.
		rep.KeptAll = true
		clear(seen)
		cutAt = -1
		for i, u := range units {
			reason[i] = ""
			k := Key(u.text)
			if u.text == "" || seen[k] {
				reason[i] = "repeat"
			}
			seen[k] = true
		}
	}

	var text []string
	for i, u := range units {
		if reason[i] == "" {
			text = append(text, u.text)
			continue
		}
		if u.text != "" {
			rep.Removed = append(rep.Removed, Removal{Rule: reason[i], Text: u.text})
		}
		if i == cutAt {
			removeFollowing(u.nodes[0])
		}
		if i < cutAt || cutAt < 0 || i == cutAt {
			u.remove()
		}
	}
	return text, rep
}

// matchRules returns the name of the first drop or cut rule matching text,
// and whether it is a cut.
func matchRules(text string, sets []*RuleSet) (string, bool) {
	n, lower := utf8.RuneCountInString(text), ""
	for _, rs := range sets {
		for i := range rs.Rules {
			r := &rs.Rules[i]
			if r.Strip == "" && r.matches(text, n, &lower) {
				return r.Name, r.Cut != ""
			}
		}
	}
	return "", false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stripAltTexts applies the strip rules to image alt texts, which often
// carry the caption with its photo credit.
func stripAltTexts(n *html.Node, sets []*RuleSet) {
	if n.Type == html.ElementNode && n.DataAtom == atom.Img {
		if alt := attr(n, "alt"); alt != "" {
			a := foldSpace(alt)
			for _, rs := range sets {
				for i := range rs.Rules {
					r := &rs.Rules[i]
					if lower := ""; r.Strip != "" && r.matches(a, utf8.RuneCountInString(a), &lower) {
						a = r.re.ReplaceAllString(a, r.Replace)
					}
				}
			}
			setAttr(n, "alt", a)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		stripAltTexts(c, sets)
	}
}
