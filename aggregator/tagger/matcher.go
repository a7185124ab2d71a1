package tagger

import (
	"fmt"
	"slices"
	"unicode/utf8"
)

// minPrefixRunes is the shortest word a prefix term ("iran*") may have:
// shorter prefixes match too many unrelated words.
const minPrefixRunes = 3

// termRef is what a matched term stands for: a rule (an entity or a tag),
// and whether the term is one of the rule's exception phrases.
type termRef struct {
	rule   int32
	except bool
}

// node is a state of the term trie, whose edges are folded words: exact
// edges match a whole word, prefix edges any word that starts with the key.
type node struct {
	exact  map[string]*node
	prefix map[string]*node
	// plens indexes the prefix keys by their first two bytes (see phash):
	// the distinct byte lengths of the keys in each slot, ascending. A word
	// is looked up only at the lengths of prefixes that start like it.
	plens *[256][]uint8
	// out are the terms that end at this node.
	out []termRef
}

// phash buckets a prefix by its first two bytes: a whole Cyrillic or Arabic
// letter, or two Latin letters.
func phash(b0, b1 byte) uint8 { return b1 ^ (b0 << 3) ^ (b0 >> 5) }

// maxPrefixBytes bounds prefix keys so that their lengths fit plens.
const maxPrefixBytes = 255

// matcher finds every term in a token sequence in one pass: at each word it
// follows the trie's edges (one map lookup for the exact word, one per
// prefix length in use), whatever the number of terms.
type matcher struct {
	root node
}

// add compiles term into the trie.
func (m *matcher) add(f *folder, term string, ref termRef) error {
	buf, toks := f.tokens(term, nil, nil)
	if len(toks) == 0 {
		return fmt.Errorf("term %q has no word", term)
	}
	n := &m.root
	for _, t := range toks {
		key := string(buf[t.fs:t.fe])
		if int(t.se) < len(term) && term[t.se] == '*' {
			if utf8.RuneCountInString(key) < minPrefixRunes {
				return fmt.Errorf("term %q: prefix %q is shorter than %d letters", term, key, minPrefixRunes)
			}
			if len(key) > maxPrefixBytes {
				return fmt.Errorf("term %q: prefix %q is longer than %d bytes", term, key, maxPrefixBytes)
			}
			if n.prefix == nil {
				n.prefix = map[string]*node{}
			}
			c := n.prefix[key]
			if c == nil {
				c = &node{}
				n.prefix[key] = c
				if n.plens == nil {
					n.plens = new([256][]uint8)
				}
				slot := &n.plens[phash(key[0], key[1])]
				if !slices.Contains(*slot, uint8(len(key))) {
					*slot = append(*slot, uint8(len(key)))
					slices.Sort(*slot)
				}
			}
			n = c
			continue
		}
		if n.exact == nil {
			n.exact = map[string]*node{}
		}
		c := n.exact[key]
		if c == nil {
			c = &node{}
			n.exact[key] = c
		}
		n = c
	}
	if !slices.Contains(n.out, ref) {
		n.out = append(n.out, ref)
	}
	return nil
}

// match is one occurrence of a term in a paragraph.
type match struct {
	ref        termRef
	field      field
	para       int32 // paragraph number; the title is 0
	start, end int32 // word indices in the paragraph, end exclusive
	// ss and se are the byte offsets of the occurrence in the paragraph.
	ss, se int32
}

// scan appends every term occurrence in toks (the words of one paragraph,
// folded into buf) to out.
func (m *matcher) scan(buf []byte, toks []token, para int32, fld field, out []match) []match {
	for i := range toks {
		out = m.walk(&m.root, buf, toks, i, i, para, fld, out)
	}
	return out
}

func (m *matcher) walk(n *node, buf []byte, toks []token, start, i int, para int32, fld field, out []match) []match {
	key := buf[toks[i].fs:toks[i].fe]
	if n.exact != nil {
		if c := n.exact[string(key)]; c != nil {
			out = m.visit(c, buf, toks, start, i, para, fld, out)
		}
	}
	if n.plens == nil || len(key) < 2 {
		return out
	}
	for _, l := range n.plens[phash(key[0], key[1])] {
		if int(l) > len(key) {
			break
		}
		if c := n.prefix[string(key[:l])]; c != nil {
			out = m.visit(c, buf, toks, start, i, para, fld, out)
		}
	}
	return out
}

func (m *matcher) visit(c *node, buf []byte, toks []token, start, i int, para int32, fld field, out []match) []match {
	for _, ref := range c.out {
		out = append(out, match{
			ref: ref, field: fld, para: para,
			start: int32(start), end: int32(i + 1),
			ss: toks[start].ss, se: toks[i].se,
		})
	}
	if i+1 < len(toks) && (c.exact != nil || c.prefix != nil) {
		out = m.walk(c, buf, toks, start, i+1, para, fld, out)
	}
	return out
}

// resolve drops the occurrences that must not count, in place, and returns
// the rest: occurrences inside one of their rule's exception phrases, the
// exception phrases themselves, and for each rule the shorter of two
// overlapping occurrences (so "Islamic Republic of Iran" counts once, not
// once more for "Iran"). ms must be ordered by paragraph and start word, as
// scan produces them.
func resolve(ms []match) []match {
	var excepts []match
	for _, m := range ms {
		if m.ref.except {
			excepts = append(excepts, m)
		}
	}
	kept := ms[:0]
	for _, m := range ms {
		if m.ref.except || insideExcept(m, excepts) {
			continue
		}
		// Find the last kept occurrence of the same rule in this paragraph.
		j := len(kept) - 1
		for ; j >= 0 && kept[j].para == m.para; j-- {
			if kept[j].ref.rule == m.ref.rule {
				break
			}
		}
		if j >= 0 && kept[j].para == m.para && kept[j].ref.rule == m.ref.rule && m.start < kept[j].end {
			if m.start == kept[j].start && m.end > kept[j].end {
				kept[j] = m // a longer term from the same word wins
			}
			continue
		}
		kept = append(kept, m)
	}
	return kept
}

func insideExcept(m match, excepts []match) bool {
	for _, e := range excepts {
		if e.ref.rule == m.ref.rule && e.para == m.para && m.start < e.end && e.start < m.end {
			return true
		}
	}
	return false
}
