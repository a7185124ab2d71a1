package normalize

import "unicode/utf8"

// ruleIndex lists the rules of an item's rule sets in the order they apply
// and narrows, by a paragraph's first character, which of them can match:
// a rule whose prefilter is a set of prefixes cannot match a paragraph that
// starts with none of their first bytes.
type ruleIndex struct {
	sets  []*RuleSet
	rules []*Rule // every rule of sets, in order
	// indexed: at most 64 rules, so that the masks below name them all.
	indexed bool
	// strip has the bits of strip rules; always those of rules without a
	// prefix filter.
	strip, always uint64
	// byRaw[c] has the rules with a case-sensitive prefix starting with
	// byte c; byFold[c] those with a case-folding prefix whose (lower-case)
	// first byte is c.
	byRaw, byFold [256]uint64
}

func newRuleIndex(sets []*RuleSet) *ruleIndex {
	ix := &ruleIndex{sets: sets}
	for _, rs := range sets {
		for i := range rs.Rules {
			ix.rules = append(ix.rules, &rs.Rules[i])
		}
	}
	ix.indexed = len(ix.rules) <= 64
	if !ix.indexed {
		return ix
	}
	for i, r := range ix.rules {
		bit := uint64(1) << i
		if r.Strip != "" {
			ix.strip |= bit
		}
		if !r.pre.prefix || len(r.pre.lits) == 0 {
			ix.always |= bit
			continue
		}
		for k, l := range r.pre.lits {
			if l == "" {
				ix.always |= bit
				continue
			}
			if r.pre.fold[k] {
				ix.byFold[l[0]] |= bit
			} else {
				ix.byRaw[l[0]] |= bit
			}
		}
	}
	return ix
}

// candidates returns the rules that may match text, as a mask over rules
// (every bit set when the index cannot narrow them).
func (ix *ruleIndex) candidates(text string) uint64 {
	if !ix.indexed {
		return ^uint64(0)
	}
	if text == "" {
		return ix.always
	}
	m := ix.always | ix.byRaw[text[0]]
	r, _ := utf8.DecodeRuneInString(text)
	if lr := lowerRune(r); lr < utf8.RuneSelf {
		m |= ix.byFold[lr]
	} else {
		var b [utf8.UTFMax]byte
		utf8.EncodeRune(b[:], lr)
		m |= ix.byFold[b[0]]
	}
	return m
}

// has reports whether mask holds rule i.
func (ix *ruleIndex) has(mask uint64, i int) bool {
	return !ix.indexed || mask&(1<<i) != 0
}
