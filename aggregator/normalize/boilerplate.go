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
	// Truncated is true when the item was larger than the normaliser's
	// cap (Rules.MaxItemBytes, or the title's own cap) and was cut.
	Truncated bool `json:"truncated,omitempty"`
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
// It also returns the comparison keys (Key) of the kept paragraphs.
func applyRules(units []*unit, ix *ruleIndex, titleKeys []string, minRepeat int) (texts, keys []string, rep Report) {
	// Strip first: it changes what the other rules and repeats see.
	// What both passes know of each text: lower-cased (once computed),
	// its length in characters and its candidate rules.
	type textInfo struct {
		lower string
		n     int
		mask  uint64
	}
	infos := make([]textInfo, len(units))
	for ui, u := range units {
		n, lower, mask := utf8.RuneCountInString(u.text), "", ix.candidates(u.text)
		for i, r := range ix.rules {
			if r.Strip == "" || !ix.has(mask, i) || !r.matches(u.text, n, &lower) {
				continue
			}
			u.strip(r)
			var b strings.Builder
			for _, n := range u.nodes {
				appendText(&b, n)
			}
			u.text = cleanLine(b.String())
			n, lower, mask = utf8.RuneCountInString(u.text), "", ix.candidates(u.text)
		}
		infos[ui] = textInfo{lower, n, mask}
	}

	reason := make([]string, len(units))
	cutAt, afterCut := -1, ""
	seen := make(map[string]bool, len(units))
	anyKept := false
	for i, u := range units {
		if u.text == "" {
			reason[i] = "strip"
			continue
		}
		if cutAt >= 0 {
			reason[i] = afterCut
			continue
		}
		if name, cut := ix.matchRules(u.text, infos[i].n, infos[i].lower, infos[i].mask); name != "" {
			reason[i] = name
			if cut && anyKept {
				cutAt, afterCut = i, "after:"+name
			}
			continue
		}
		u.key = Key(u.text)
		k := u.key
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
			if u.key == "" {
				u.key = Key(u.text)
			}
			k := u.key
			if u.text == "" || seen[k] {
				reason[i] = "repeat"
			}
			seen[k] = true
		}
	}

	texts, keys = make([]string, 0, len(units)), make([]string, 0, len(units))
	for i, u := range units {
		if reason[i] == "" {
			texts = append(texts, u.text)
			keys = append(keys, u.key)
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
	return texts, keys, rep
}

// strip applies strip rule r to the unit's text as one string, so a match
// may span elements ("Caption. <span>Photo: AFP</span>", "text. <a>Read
// more</a>"), and writes the result back into the text nodes it covers.
// Text nodes left empty are removed with the elements they leave empty.
func (u *unit) strip(r *Rule) {
	nodes := u.textNodes()
	offs := make([]int, len(nodes)+1)
	var b strings.Builder
	for i, tn := range nodes {
		offs[i] = b.Len()
		b.WriteString(tn.Data)
	}
	offs[len(nodes)] = b.Len()
	full := b.String()
	body := strings.TrimRightFunc(full, unicode.IsSpace)
	base := 0
	if r.tail {
		head, tail := splitTail(body)
		base, body = len(head), tail
	}
	matches := r.re.FindAllStringSubmatchIndex(body, -1)
	// Edit from the last match backwards so earlier offsets stay valid.
	for k := len(matches) - 1; k >= 0; k-- {
		m := matches[k]
		repl := string(r.re.ExpandString(nil, r.Replace, body, m))
		start, end := base+m[0], base+m[1]
		inserted := false
		for i, tn := range nodes {
			lo, hi := offs[i], offs[i+1]
			if hi < start || lo > end || hi == lo {
				continue
			}
			a, z := max(start-lo, 0), min(end-lo, hi-lo)
			if a > z {
				continue
			}
			ins := ""
			if !inserted {
				ins, inserted = repl, true
			}
			tn.Data = tn.Data[:a] + ins + tn.Data[z:]
		}
		// Recompute offsets for the next (earlier) match.
		b.Reset()
		for i, tn := range nodes {
			offs[i] = b.Len()
			b.WriteString(tn.Data)
		}
		offs[len(nodes)] = b.Len()
	}
	for _, tn := range nodes {
		if tn.Data == "" && tn.Parent != nil {
			p := tn.Parent
			p.RemoveChild(tn)
			pruneEmpty(p)
		}
	}
}

// matchRules returns the name of the first drop or cut rule matching text
// (n characters, candidate rules mask), and whether it is a cut.
// lower is the lower-cased text if already known, else "".
func (ix *ruleIndex) matchRules(text string, n int, lower string, mask uint64) (string, bool) {
	for i, r := range ix.rules {
		if r.Strip == "" && ix.has(mask, i) && r.matches(text, n, &lower) {
			return r.Name, r.Cut != ""
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
						a = r.replace(a)
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
