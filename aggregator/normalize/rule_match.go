package normalize

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// prefilter is a cheap necessary condition for a rule's regular expression
// to match: at least one of its literals occurs in the text (in the
// lower-cased text for case-insensitive literals). It is derived from the
// expression, so rule authors need not think about it; rules with none
// simply always run their expression.
type prefilter struct {
	lits []string
	fold []bool
	// prefix: the text must start with one of lits (begin-anchored rules).
	prefix bool
	// suffix: the text must end with one of lits (end-anchored rules).
	suffix bool
	// last, for suffix literals, holds the bytes they may end with (both
	// cases of a folding ASCII letter; every byte for other folding
	// literals).
	last byteSet
	// window, when > 0, is how near the end of the text (in characters)
	// a literal must lie, when the expression is anchored at the end and
	// what can follow the literal is bounded: "...(read more)\b[^.!?]{0,40}$".
	window int
}

// newPrefilter derives the prefilter of expr: for an expression anchored at
// the start of the text, the literals a match must start with; for one
// anchored at the end, the literals a match must end with, if there are
// such; otherwise literals a match must contain. ok is false when there are
// none.
func newPrefilter(expr string) (prefilter, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return prefilter{}, false
	}
	var p prefilter
	if beginAnchored(re) {
		p = prefixLits(re)
		if len(p.lits) == 0 || p.weakest() == 0 {
			return prefilter{}, false
		}
		p.prefix = true
	} else if sp := suffixLits(re); endAnchored(re) && len(sp.lits) > 0 && sp.weakest() > 0 {
		p = sp
		p.suffix = true
	} else if wp, ok := endWindow(re); ok && endAnchored(re) {
		p = wp
	} else {
		var ok bool
		if p, ok = requiredLits(re); !ok {
			return prefilter{}, false
		}
	}
	for i, l := range p.lits {
		if !p.fold[i] {
			continue
		}
		if strings.ToLower(l) == l && strings.ToUpper(l) == l {
			p.fold[i] = false // no case to fold ("©", digits, punctuation)
			continue
		}
		// Case-insensitive matching of non-ASCII letters follows Unicode
		// folding, which strings.ToLower does not fully mirror: no prefilter.
		if !foldsLikeASCII(l) {
			return prefilter{}, false
		}
		p.lits[i] = strings.ToLower(l)
	}
	p.setLast()
	return p, true
}

// byteSet is a set of bytes.
type byteSet [4]uint64

func (b *byteSet) add(c byte)      { b[c>>6] |= 1 << (c & 63) }
func (b *byteSet) has(c byte) bool { return b[c>>6]&(1<<(c&63)) != 0 }
func (b *byteSet) addAll()         { *b = byteSet{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)} }

// setLast fills p.last from the (final) suffix literals.
func (p *prefilter) setLast() {
	if !p.suffix {
		return
	}
	for i, l := range p.lits {
		c := l[len(l)-1]
		switch {
		case !p.fold[i]:
			p.last.add(c)
		case 'a' <= c && c <= 'z' && c != 'k' && c != 's':
			p.last.add(c)
			p.last.add(c - ('a' - 'A'))
		default:
			p.last.addAll() // "k" and "s" fold to non-ASCII too; others vary
		}
	}
}

func beginAnchored(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginText:
		return true
	case syntax.OpConcat, syntax.OpCapture:
		return len(re.Sub) > 0 && beginAnchored(re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !beginAnchored(sub) {
				return false
			}
		}
		return true
	}
	return false
}

// prefixLits returns strings one of which every match of re starts with
// (after a leading "^"); a set holding "" constrains nothing.
func prefixLits(re *syntax.Regexp) prefilter {
	none := prefilter{lits: []string{""}, fold: []bool{false}}
	switch re.Op {
	case syntax.OpLiteral:
		return prefilter{lits: []string{string(re.Rune)}, fold: []bool{re.Flags&syntax.FoldCase != 0}}
	case syntax.OpCapture, syntax.OpPlus:
		return prefixLits(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return prefixLits(re.Sub[0])
		}
	case syntax.OpAlternate:
		var all prefilter
		for _, sub := range re.Sub {
			p := prefixLits(sub)
			if p.weakest() == 0 || len(all.lits)+len(p.lits) > maxLitSet {
				return none
			}
			all.lits = append(all.lits, p.lits...)
			all.fold = append(all.fold, p.fold...)
		}
		return all
	case syntax.OpConcat:
		return prefixOfSeq(re.Sub)
	}
	return none
}

// prefixOfSeq is prefixLits of a concatenation: literal runs multiply out,
// and an optional part (x?) gives the union of the prefixes with and
// without it.
func prefixOfSeq(subs []*syntax.Regexp) prefilter {
	none := prefilter{lits: []string{""}, fold: []bool{false}}
	if len(subs) == 0 {
		return none
	}
	first, rest := subs[0], subs[1:]
	switch {
	case first.Op == syntax.OpBeginText:
		return prefixOfSeq(rest)
	case first.Op == syntax.OpCapture:
		return prefixOfSeq(append([]*syntax.Regexp{first.Sub[0]}, rest...))
	case first.Op == syntax.OpConcat:
		return prefixOfSeq(append(append([]*syntax.Regexp{}, first.Sub...), rest...))
	case first.Op == syntax.OpQuest:
		with := prefixOfSeq(append([]*syntax.Regexp{first.Sub[0]}, rest...))
		without := prefixOfSeq(rest)
		if len(with.lits)+len(without.lits) > maxLitSet {
			return none
		}
		return prefilter{lits: append(with.lits, without.lits...), fold: append(with.fold, without.fold...)}
	}
	if p, ok := exactLits(first); ok {
		tail := prefixOfSeq(rest)
		if len(p.lits)*len(tail.lits) <= maxLitSet {
			return p.product(tail)
		}
		return p
	}
	return prefixLits(first)
}

// suffixLits returns strings one of which every match of re ends with
// (before a trailing "$"); a set holding "" constrains nothing. It mirrors
// prefixLits.
func suffixLits(re *syntax.Regexp) prefilter {
	none := prefilter{lits: []string{""}, fold: []bool{false}}
	switch re.Op {
	case syntax.OpLiteral:
		return prefilter{lits: []string{string(re.Rune)}, fold: []bool{re.Flags&syntax.FoldCase != 0}}
	case syntax.OpCapture, syntax.OpPlus:
		return suffixLits(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return suffixLits(re.Sub[0])
		}
	case syntax.OpAlternate:
		var all prefilter
		for _, sub := range re.Sub {
			p := suffixLits(sub)
			if p.weakest() == 0 || len(all.lits)+len(p.lits) > maxLitSet {
				return none
			}
			all.lits = append(all.lits, p.lits...)
			all.fold = append(all.fold, p.fold...)
		}
		return all
	case syntax.OpConcat:
		return suffixOfSeq(re.Sub)
	}
	return none
}

// suffixOfSeq is suffixLits of a concatenation, from its end: literal runs
// multiply out, and an optional part (x?) gives the union of the suffixes
// with and without it.
func suffixOfSeq(subs []*syntax.Regexp) prefilter {
	none := prefilter{lits: []string{""}, fold: []bool{false}}
	if len(subs) == 0 {
		return none
	}
	last, rest := subs[len(subs)-1], subs[:len(subs)-1:len(subs)-1]
	switch {
	case last.Op == syntax.OpEndText:
		return suffixOfSeq(rest)
	case last.Op == syntax.OpCapture:
		return suffixOfSeq(append(rest, last.Sub[0]))
	case last.Op == syntax.OpConcat:
		return suffixOfSeq(append(rest, last.Sub...))
	case last.Op == syntax.OpQuest:
		with := suffixOfSeq(append(rest, last.Sub[0]))
		without := suffixOfSeq(rest)
		if len(with.lits)+len(without.lits) > maxLitSet {
			return none
		}
		return prefilter{lits: append(with.lits, without.lits...), fold: append(with.fold, without.fold...)}
	}
	if p, ok := exactLits(last); ok {
		head := suffixOfSeq(rest)
		if len(head.lits)*len(p.lits) <= maxLitSet {
			return head.product(p)
		}
		return p
	}
	return suffixLits(last)
}

// endWindow returns, for an expression anchored at the end, the literals
// of its last element that matches only literals, when what follows that
// element has a bounded length: a match contains one of them within its
// last window characters.
func endWindow(re *syntax.Regexp) (prefilter, bool) {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat {
		return prefilter{}, false
	}
	after := 0
	for i := len(re.Sub) - 1; i >= 0; i-- {
		if p, ok := exactLits(re.Sub[i]); ok && len(p.lits) > 0 && p.weakest() > 0 {
			longest := 0
			for _, l := range p.lits {
				longest = max(longest, utf8.RuneCountInString(l))
			}
			p.window = after + longest
			return p, true
		}
		n, ok := maxRunes(re.Sub[i])
		if !ok {
			return prefilter{}, false
		}
		after += n
	}
	return prefilter{}, false
}

// maxRunes returns the most characters re can match, if bounded.
func maxRunes(re *syntax.Regexp) (int, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, true
	case syntax.OpLiteral:
		return len(re.Rune), true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, true
	case syntax.OpCapture, syntax.OpQuest:
		return maxRunes(re.Sub[0])
	case syntax.OpRepeat:
		n, ok := maxRunes(re.Sub[0])
		if !ok || re.Max < 0 {
			return 0, false
		}
		return n * re.Max, true
	case syntax.OpConcat, syntax.OpAlternate:
		total := 0
		for _, sub := range re.Sub {
			n, ok := maxRunes(sub)
			if !ok {
				return 0, false
			}
			if re.Op == syntax.OpConcat {
				total += n
			} else {
				total = max(total, n)
			}
		}
		return total, true
	}
	return 0, false
}

// maxLitSet bounds the cross product of literal alternatives.
const maxLitSet = 32

// requiredLits returns literals one of which every match must contain.
// Within a concatenation, runs of literals and literal alternations are
// multiplied out ("A" followed by "P|FP|nadolu" gives AP, AFP, Anadolu), so
// the parser's factoring of common prefixes does not weaken the filter.
func requiredLits(re *syntax.Regexp) (prefilter, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return prefilter{lits: []string{string(re.Rune)}, fold: []bool{re.Flags&syntax.FoldCase != 0}}, true
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLits(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLits(re.Sub[0])
		}
	case syntax.OpConcat:
		var best prefilter
		found := false
		consider := func(p prefilter) {
			if len(p.lits) > 0 && p.weakest() > 0 && (!found || p.weakest() > best.weakest()) {
				best, found = p, true
			}
		}
		run := prefilter{lits: []string{""}, fold: []bool{false}}
		for _, sub := range re.Sub {
			if alts, ok := exactLits(sub); ok && len(run.lits)*len(alts.lits) <= maxLitSet {
				run = run.product(alts)
				continue
			}
			consider(run)
			run = prefilter{lits: []string{""}, fold: []bool{false}}
			if p, ok := requiredLits(sub); ok {
				consider(p)
			}
		}
		consider(run)
		return best, found
	case syntax.OpAlternate:
		var all prefilter
		for _, sub := range re.Sub {
			p, ok := requiredLits(sub)
			if !ok {
				return prefilter{}, false
			}
			all.lits = append(all.lits, p.lits...)
			all.fold = append(all.fold, p.fold...)
		}
		return all, len(all.lits) > 0
	}
	return prefilter{}, false
}

// exactLits returns the complete set of strings re matches, when it matches
// only literals (a literal, an alternation or concatenation of literals).
func exactLits(re *syntax.Regexp) (prefilter, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch: // "EPA(?:|-EFE)", the parser's form of "EPA(-EFE)?"
		return prefilter{lits: []string{""}, fold: []bool{false}}, true
	case syntax.OpLiteral:
		return prefilter{lits: []string{string(re.Rune)}, fold: []bool{re.Flags&syntax.FoldCase != 0}}, true
	case syntax.OpCapture:
		return exactLits(re.Sub[0])
	case syntax.OpAlternate:
		var all prefilter
		for _, sub := range re.Sub {
			p, ok := exactLits(sub)
			if !ok || len(all.lits)+len(p.lits) > maxLitSet {
				return prefilter{}, false
			}
			all.lits = append(all.lits, p.lits...)
			all.fold = append(all.fold, p.fold...)
		}
		return all, true
	case syntax.OpConcat:
		run := prefilter{lits: []string{""}, fold: []bool{false}}
		for _, sub := range re.Sub {
			p, ok := exactLits(sub)
			if !ok || len(run.lits)*len(p.lits) > maxLitSet {
				return prefilter{}, false
			}
			run = run.product(p)
		}
		return run, true
	}
	return prefilter{}, false
}

// product concatenates every literal of p with every literal of q; the
// result folds case if either part does.
func (p prefilter) product(q prefilter) prefilter {
	var out prefilter
	for i, a := range p.lits {
		for j, b := range q.lits {
			out.lits = append(out.lits, a+b)
			out.fold = append(out.fold, p.fold[i] || q.fold[j])
		}
	}
	return out
}

// weakest is the length of the shortest literal: the filter's selectivity.
func (p prefilter) weakest() int {
	m := -1
	for _, l := range p.lits {
		if m < 0 || len(l) < m {
			m = len(l)
		}
	}
	return m
}

// pass reports whether text may match. Literals that fold case are
// compared with text as strings.ToLower would lower it (fold literals are
// lower-cased), without building the lowered text unless a non-ASCII
// literal must be found inside it; lower caches that lowered text.
func (p prefilter) pass(text string, lower *string) bool {
	if len(p.lits) == 0 {
		return true
	}
	if p.window > 0 && len(text) > utf8.UTFMax*p.window {
		// Only the last window characters can hold the literal: they lie
		// within the last UTFMax·window bytes.
		i := len(text) - utf8.UTFMax*p.window
		for i < len(text) && !utf8.RuneStart(text[i]) {
			i++
		}
		text, lower = text[i:], new(string)
	}
	if p.suffix {
		if text == "" || !p.last.has(text[len(text)-1]) {
			return false // no literal ends with the text's last byte
		}
	}
	if p.prefix {
		if text == "" {
			return false // prefix literals are never empty
		}
		// Compare first bytes before whole literals.
		raw, low := text[0], text[0]
		if r, _ := utf8.DecodeRuneInString(text); r >= utf8.RuneSelf || 'A' <= r && r <= 'Z' {
			var b [utf8.UTFMax]byte
			utf8.EncodeRune(b[:], lowerRune(r))
			low = b[0]
		}
		for i, l := range p.lits {
			if l == "" {
				return true
			}
			if p.fold[i] {
				if l[0] == low && hasPrefixLower(text, l) {
					return true
				}
			} else if l[0] == raw && strings.HasPrefix(text, l) {
				return true
			}
		}
		return false
	}
	for i, l := range p.lits {
		var ok bool
		switch {
		case !p.fold[i]:
			ok = p.suffix && strings.HasSuffix(text, l) || !p.suffix && strings.Contains(text, l)
		case p.suffix:
			ok = hasSuffixLower(text, l)
		default:
			ok = containsLower(text, l, lower)
		}
		if ok {
			return true
		}
	}
	return false
}

// lowerRune is unicode.ToLower with an ASCII fast path.
func lowerRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

// hasPrefixLower reports whether strings.ToLower(s) starts with l. Lowering
// maps rune to rune, so the runes compare one by one.
func hasPrefixLower(s, l string) bool {
	for l != "" {
		if s == "" {
			return false
		}
		lr, ln := utf8.DecodeRuneInString(l)
		sr, sn := utf8.DecodeRuneInString(s)
		if lowerRune(sr) != lr {
			return false
		}
		s, l = s[sn:], l[ln:]
	}
	return true
}

// hasSuffixLower reports whether strings.ToLower(s) ends with l, or s ends
// with runes of l's case-folding orbits (as the expression, matching with
// case folding, may see them).
func hasSuffixLower(s, l string) bool {
	for l != "" {
		if s == "" {
			return false
		}
		lr, ln := utf8.DecodeLastRuneInString(l)
		sr, sn := utf8.DecodeLastRuneInString(s)
		if lowerRune(sr) != lr && !sameFold(sr, lr) {
			return false
		}
		s, l = s[:len(s)-sn], l[:len(l)-ln]
	}
	return true
}

// sameFold reports whether a and b are in one simple case-folding orbit.
func sameFold(a, b rune) bool {
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// containsLower reports whether strings.ToLower(s) contains l. An ASCII
// literal is searched for in s itself, ASCII letters matching either case:
// only "İ" and "K" (Kelvin) lower to ASCII, and when s holds either, s is
// lowered after all. lower caches the lowered s.
func containsLower(s, l string, lower *string) bool {
	if isASCII(l) && l != "" {
		if indexFoldASCII(s, l) >= 0 {
			return true
		}
		if !strings.Contains(s, "\u0130") && !strings.Contains(s, "\u212a") {
			return false
		}
	}
	if *lower == "" {
		*lower = strings.ToLower(s)
	}
	return strings.Contains(*lower, l)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// indexFoldASCII returns the first index at which s holds l (lower-case
// ASCII) with ASCII letters in either case, or -1. Candidates are found by
// the rarest byte of l (IndexByte, in either case), then compared.
func indexFoldASCII(s, l string) int {
	if len(l) > len(s) {
		return -1
	}
	a := rarestByte(l)
	lo := l[a]
	up := lo
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	// anchors[p] is s[p+a]: where the anchor byte of a match at p lies.
	anchors := s[a : len(s)-len(l)+a+1]
	// The next candidates in either case; -1: not looked for yet,
	// len(anchors): none left.
	nextLo, nextUp := -1, -1
	for pos := 0; pos < len(anchors); {
		if nextLo < pos {
			nextLo = indexFrom(anchors, lo, pos)
		}
		if up == lo {
			nextUp = nextLo
		} else if nextUp < pos {
			nextUp = indexFrom(anchors, up, pos)
		}
		p := min(nextLo, nextUp)
		if p == len(anchors) {
			return -1
		}
		if equalFoldASCII(s[p:p+len(l)], l) {
			return p
		}
		pos = p + 1
	}
	return -1
}

// letterFrequency lists the letters from the most to the least frequent
// in English text.
const letterFrequency = "etaoinshrdlcumwfgypbvkjxqz"

// rarestByte returns the index of the byte of l (lower-case ASCII) that is
// likely rarest in text: a space is most common, then letters by English
// frequency; digits and punctuation are rare.
func rarestByte(l string) int {
	best := 0
	for i := 1; i < len(l); i++ {
		if byteRarity[l[i]] > byteRarity[l[best]] {
			best = i
		}
	}
	return best
}

// byteRarity ranks bytes for rarestByte: 0 for a space, then letters by
// letterFrequency, every other byte rarest.
var byteRarity = func() (t [256]uint8) {
	for c := range t {
		t[c] = 40
	}
	t[' '] = 0
	for i := 0; i < len(letterFrequency); i++ {
		t[letterFrequency[i]] = uint8(1 + i)
	}
	return t
}()

// indexFrom returns the index of the first c in s at or after from, or
// len(s) when there is none.
func indexFrom(s string, c byte, from int) int {
	if i := strings.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return len(s)
}

// equalFoldASCII reports whether s equals l (lower-case ASCII) with ASCII
// letters of s in either case.
func equalFoldASCII(s, l string) bool {
	for i := 0; i < len(l); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != l[i] {
			return false
		}
	}
	return true
}

// foldsLikeASCII reports whether every non-ASCII rune of s is caseless
// ("…", "«"), so that lower-casing ASCII is all case folding does to s.
func foldsLikeASCII(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && unicode.SimpleFold(r) != r {
			return false
		}
	}
	return true
}

// tailChars is how much of a paragraph's end a strip rule anchored at the
// end ($) and not at the start looks at: credits and "read more" tails are
// short, and a long caption should not cost a scan from every position.
const tailChars = 200

// matches reports whether the rule's expression matches text, whose length
// in characters is n; lower caches the lower-cased text between rules.
func (r *Rule) matches(text string, n int, lower *string) bool {
	if r.MaxChars > 0 && n > r.MaxChars {
		return false
	}
	if r.tail {
		// Only the end is matched, so only the end is filtered.
		if head, tail := splitTail(text); head != "" {
			text, lower = tail, new(string)
		}
		if r.rev != nil {
			if !r.pre.pass(text, lower) {
				return false
			}
			if utf8.ValidString(text) {
				// A match must end at the end of text: match the reversed
				// expression at the start of the reversed text, one
				// position instead of every one.
				return r.rev.MatchString(reverseRunes(text))
			}
			return r.re.MatchString(text)
		}
	}
	return r.pre.pass(text, lower) && r.re.MatchString(text)
}

// reverseExpr returns the reversal of expr (an expression anchored at the
// end): it matches the reverse of every string expr matches, so expr
// matches a suffix of s exactly when the reversal, anchored at the start,
// matches a prefix of s reversed. nil when expr holds something without a
// reversal here.
func reverseExpr(expr string) *regexp.Regexp {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	rev, ok := reverseSyntax(re)
	if !ok {
		return nil
	}
	out, err := regexp.Compile(rev.String())
	if err != nil {
		return nil
	}
	return out
}

func reverseSyntax(re *syntax.Regexp) (*syntax.Regexp, bool) {
	out := *re
	out.Sub = nil
	out.Sub0 = [1]*syntax.Regexp{}
	switch re.Op {
	case syntax.OpNoMatch, syntax.OpEmptyMatch, syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return &out, true
	case syntax.OpLiteral:
		out.Rune = slices.Clone(re.Rune)
		slices.Reverse(out.Rune)
		return &out, true
	case syntax.OpBeginText:
		out.Op = syntax.OpEndText
		return &out, true
	case syntax.OpEndText:
		out.Op = syntax.OpBeginText
		return &out, true
	case syntax.OpBeginLine:
		out.Op = syntax.OpEndLine
		return &out, true
	case syntax.OpEndLine:
		out.Op = syntax.OpBeginLine
		return &out, true
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat,
		syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			r, ok := reverseSyntax(sub)
			if !ok {
				return nil, false
			}
			out.Sub = append(out.Sub, r)
		}
		if re.Op == syntax.OpConcat {
			slices.Reverse(out.Sub)
		}
		return &out, true
	}
	return nil, false
}

// reverseRunes returns s (valid UTF-8) with its characters in reverse
// order.
func reverseRunes(s string) string {
	b := make([]byte, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b[len(s)-1-i] = c
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		copy(b[len(s)-i-size:], s[i:i+size])
		i += size
	}
	return string(b)
}

// replace applies a strip rule to s.
func (r *Rule) replace(s string) string {
	if !r.tail {
		return r.re.ReplaceAllString(s, r.Replace)
	}
	head, tail := splitTail(s)
	return head + r.re.ReplaceAllString(tail, r.Replace)
}

// splitTail splits s so that tail holds at least its last tailChars
// characters (4·tailChars bytes, moved to a character boundary).
func splitTail(s string) (head, tail string) {
	i := len(s) - 4*tailChars
	if i <= 0 {
		return "", s
	}
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// endAnchored reports whether every match of re ends at the end of the
// text ("...$").
func endAnchored(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEndText:
		return true
	case syntax.OpConcat:
		return len(re.Sub) > 0 && endAnchored(re.Sub[len(re.Sub)-1])
	case syntax.OpCapture:
		return endAnchored(re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !endAnchored(sub) {
				return false
			}
		}
		return true
	}
	return false
}

// tailOnly reports whether a strip expression may be matched against the
// end of a paragraph only: anchored at the end and not at the start.
func tailOnly(expr string) bool {
	re, err := syntax.Parse(expr, syntax.Perl)
	return err == nil && endAnchored(re) && !beginAnchored(re)
}
