package cluster

import (
	"math"
	"math/bits"
	"slices"
	"strings"
)

// Feature kinds, the prefix of a feature's name. Their weights say how much
// sharing one says about two texts reporting the same event.
const (
	kindTerm   = 't' // a content word
	kindEntity = 'e' // a capitalised name (one word or several joined)
	kindQuote  = 'q' // a word trigram (or a short phrase) inside quotation marks
	kindNumber = 'n' // a number
	kindDate   = 'd' // a weekday or a day of a month: the event's own date
)

func kindWeight(k byte) float64 {
	switch k {
	case kindEntity:
		return 1.5
	case kindQuote:
		return 1
	case kindNumber:
		return 1
	}
	return 1
}

const (
	// maxTokens caps the words read from one text: the lead carries the
	// story, and the cap bounds the work per document.
	maxTokens = 1500
	// maxFeatures caps the features kept per document (the heaviest).
	maxFeatures = 64
	// titleBoost multiplies the weight of a term found in the title.
	titleBoost = 2
	// leadTokens is how many words of the text make its lead: the
	// paragraphs that say what happened, which write-ups of one event
	// share and which are compared with each other.
	leadTokens = 150
)

// feature is one weighted feature of a document.
type feature struct {
	hash fkey
	code wcode // its weight, see wcode
}

// w is the feature's weight before idf.
func (f feature) w() float32 { return f.code.weight() }

// wcode codes a feature's weight, kind weight × (1 + ln tf) × title
// boost, by what it is made of: the count tf (low 6 bits), whether the
// feature is a name (kind weight 1.5; 1 for the other kinds) and whether
// it occurs in the title. weight looks the value up in a table computed
// with that formula, so a coded weight is exactly the float32 the formula
// gives. An indexed document keeps 1 byte a feature for it instead of 4
// (see featVec).
type wcode uint8

const (
	// maxCount is the largest count a code holds; larger ones are
	// clamped. Features come from a title and the first 150 words of a
	// lead, where no word recurs 63 times (and 1+ln n hardly moves there).
	maxCount   = 1<<6 - 1
	entityCode = wcode(1 << 6)
	titleCode  = wcode(1 << 7)
	maxCode    = 1<<8 - 1
)

// weights holds every code's weight.
var weights = func() *[maxCode + 1]float32 {
	var t [maxCode + 1]float32
	for c := range t {
		n := c & maxCount
		if n == 0 {
			continue // not a count: no feature has this code
		}
		kind := byte(kindTerm)
		if wcode(c)&entityCode != 0 {
			kind = kindEntity
		}
		w := kindWeight(kind) * (1 + math.Log(float64(n)))
		if wcode(c)&titleCode != 0 {
			w *= titleBoost
		}
		t[c] = float32(w)
	}
	return &t
}()

func (c wcode) weight() float32 { return weights[c&maxCode] }

// title reports whether the feature occurs in the title.
func (c wcode) title() bool { return c&titleCode != 0 }

// valid reports whether c is a code codeOf can give.
func (c wcode) valid() bool { return c <= maxCode && c&maxCount != 0 }

// codeOf codes the weight of a feature of the kind counted n times.
func codeOf(kind byte, n int32, title bool) wcode {
	c := wcode(min(max(n, 1), maxCount))
	if kindWeight(kind) != 1 {
		c |= entityCode
	}
	if title {
		c |= titleCode
	}
	return c
}

// featVec is an indexed document's features (a fifth of an indexed
// document's memory): their sorted keys Elias–Fano coded, in 3.5 bytes
// each rather than 4, and their weight codes, a byte each. Words:
//
//   - upperWords words of the keys' high bits (the top 32-lowBits), in
//     unary: key i sets bit high(i)+i; the number of bits set is n;
//   - ⌈n/4⌉ words of weight codes, four to a word, the first in the low
//     byte;
//   - the keys' low lowBits bits, packed one after the other from the
//     low bits of the first word.
//
// 64 features take 72 words, 288 bytes, where keys and codes side by side
// took 80. Empty for no features.
type featVec []uint32

const (
	// lowBits is the number of low bits of a key stored as they are;
	// the rest, at most 63 for 32-bit keys, goes into the unary bitmap.
	lowBits = 26
	// upperWords holds a bitmap of maxFeatures + 2^(32-lowBits) bits.
	upperWords = (maxFeatures + 1<<(32-lowBits) + 31) / 32
)

// newFeatVec codes fs, sorted by key, at most maxFeatures of them.
func newFeatVec(fs []feature) featVec {
	n := len(fs)
	if n == 0 {
		return nil
	}
	v := make(featVec, upperWords+(n+3)/4+(n*lowBits+31)/32)
	codes, lows := v[upperWords:upperWords+(n+3)/4], v[upperWords+(n+3)/4:]
	for i, f := range fs {
		pos := int(f.hash>>lowBits) + i
		v[pos/32] |= 1 << (pos % 32)
		codes[i/4] |= uint32(f.code) << (8 * (i & 3))
		low, bit := uint64(f.hash&(1<<lowBits-1)), i*lowBits
		lows[bit/32] |= uint32(low << (bit % 32))
		if spill := uint32(low << (bit % 32) >> 32); spill != 0 {
			lows[bit/32+1] |= spill
		}
	}
	return v
}

// len returns the number of features.
func (v featVec) len() int {
	if len(v) == 0 {
		return 0
	}
	n := 0
	for _, w := range v[:upperWords] {
		n += bits.OnesCount32(w)
	}
	return n
}

// keys appends the features' keys, sorted, to buf (a [maxFeatures]fkey
// array's slice keeps them off the heap) and returns the result.
func (v featVec) keys(buf []fkey) []fkey {
	if len(v) == 0 {
		return buf
	}
	base := len(buf)
	i := 0
	for w, word := range v[:upperWords] {
		for ; word != 0; word &= word - 1 {
			high := uint32(w*32+bits.TrailingZeros32(word)-i) << lowBits
			buf = append(buf, fkey(high))
			i++
		}
	}
	lows := v[upperWords+(i+3)/4:]
	for j := range i {
		bit := j * lowBits
		x := uint64(lows[bit/32])
		if bit/32+1 < len(lows) {
			x |= uint64(lows[bit/32+1]) << 32
		}
		buf[base+j] |= fkey(x>>(bit%32)) & (1<<lowBits - 1)
	}
	return buf
}

// weight returns the weight of feature i.
func (v featVec) weight(i int) float32 {
	return v.code(i).weight()
}

// code returns the weight code of feature i.
func (v featVec) code(i int) wcode {
	return wcode(v[upperWords+i/4] >> (8 * (i & 3)))
}

// fkey identifies a feature: 30 bits of the hash of its name; in the
// lowest bit whether it belongs to the background model (common in all
// news), in the next whether it is specific evidence of an event (a name of
// several words, a quotation or a number that is not common). Collisions
// among the features of a window are rare and harmless (two rare features
// share a document frequency).
type fkey uint32

const (
	commonBit   fkey = 1
	specificBit fkey = 2
	dateBit     fkey = 4 // a kindDate feature: compared, not weighed
	numberBit   fkey = 8 // a kindNumber feature
	flagBits         = commonBit | specificBit | dateBit | numberBit
)

func (k fkey) common() bool { return k&commonBit != 0 }

// number reports whether the feature is a number (kindNumber).
func (k fkey) number() bool { return k&numberBit != 0 }

// date reports whether the feature is a date of the event (kindDate).
func (k fkey) date() bool { return k&dateBit != 0 }

// specific reports whether sharing the feature is evidence of one event
// rather than of one topic: names of several words, quotations and numbers
// (not years) that are not common in all news. Single words are not: the
// topic's actors (Zelensky, Amirabdollahian) are named in most of its
// stories.
func (k fkey) specific() bool { return k&specificBit != 0 }

func (f feature) common() bool { return f.hash.common() }

// featureHash is the high half of hashString of the feature's name,
// computed without building the name.
func featureHash(kind byte, sep string, words ...string) uint32 {
	h := uint64(14695981039346656037)
	step := func(c byte) {
		h ^= uint64(c)
		h *= 1099511628211
	}
	step(kind)
	step(':')
	for i, w := range words {
		if i > 0 {
			for j := 0; j < len(sep); j++ {
				step(sep[j])
			}
		}
		for j := 0; j < len(w); j++ {
			step(w[j])
		}
	}
	return uint32(mix64(h) >> 32)
}

// featureName is the readable name of a feature, as featureHash hashes it.
func featureName(kind byte, sep string, words ...string) string {
	return string(kind) + ":" + strings.Join(words, sep)
}

// sink receives feature occurrences: it counts them, or, when wanted is
// set, records the names of the wanted ones.
type sink struct {
	counts map[fkey]count
	title  bool            // occurrences come from the title
	extra  map[string]bool // more common terms and joined names (Options.Common)

	wanted map[fkey]bool
	names  map[fkey]string
}

type count struct {
	n     int32
	kind  byte
	title bool
}

// emit records one occurrence of the feature of that kind whose name is
// words joined by sep ("q:full fledged defense", "e:williamburns").
func (s *sink) emit(kind byte, sep string, words ...string) {
	h := fkey(featureHash(kind, sep, words...)) &^ flagBits
	if kind == kindNumber {
		h |= numberBit
	}
	switch {
	case kind == kindDate:
		h |= dateBit
	case s.isCommon(kind, words):
		h |= commonBit
	case kind == kindEntity || kind == kindQuote || kind == kindNumber && !isYear(words[0]):
		h |= specificBit
	}
	if s.wanted != nil {
		if _, done := s.names[h]; !done && s.wanted[h] {
			s.names[h] = featureName(kind, sep, words...)
		}
		return
	}
	c := s.counts[h]
	c.kind = kind
	c.n++
	c.title = c.title || s.title
	s.counts[h] = c
}

// isCommon reports whether a feature belongs to the background model.
func (s *sink) isCommon(kind byte, words []string) bool {
	switch {
	case kind == kindTerm && len(words) == 1:
		return isCommonTerm(words[0]) || s.extra[words[0]]
	case kind == kindEntity || kind == kindTerm:
		var buf [64]byte
		joined := buf[:0]
		for _, w := range words {
			joined = append(joined, w...)
		}
		return isCommonEntity(string(joined)) || s.extra[string(joined)]
	}
	return false
}

// walk emits every feature occurrence of a document.
func walk(title, text []token, s *sink) {
	s.title = true
	for _, t := range title {
		switch {
		case isNumber(t.word):
			if len(t.word) >= 2 {
				s.emit(kindNumber, "", t.word)
			}
		case isTerm(t.word):
			s.emit(kindTerm, "", termOf(t))
		}
	}
	dates(title, s)
	s.title = false
	// only the lead: write-ups of one event share what happened, told
	// first, and a long text shares more words with anything than its lead
	lead := text[:min(len(text), leadTokens)]
	for _, t := range lead {
		switch {
		case isNumber(t.word):
			if len(t.word) >= 2 {
				s.emit(kindNumber, "", t.word)
			}
		case isTerm(t.word):
			s.emit(kindTerm, "", termOf(t))
		}
	}
	entities(lead, s)
	quotes(lead, s)
	dates(lead, s)
}

// dates calls emit for the dates of an event a text names: weekdays
// ("on Tuesday") and days of a month ("May 20", "20 May"), months folded
// to three letters. Two reports that date their events to different days
// report different events.
func dates(toks []token, s *sink) {
	for i, t := range toks {
		if w := weekday(t.word); w != "" {
			s.emit(kindDate, "", w)
			continue
		}
		m := month(t.word)
		if m == "" {
			continue
		}
		switch {
		case i+1 < len(toks) && isDay(toks[i+1].word):
			s.emit(kindDate, " ", m, toks[i+1].word)
		case i > 0 && isDay(toks[i-1].word):
			s.emit(kindDate, " ", m, toks[i-1].word)
		}
	}
}

// weekday returns a folded weekday name ("tuesday", "tuesday's") or "".
func weekday(w string) string {
	w = strings.TrimSuffix(w, "'s")
	switch w {
	case "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday":
		return w
	}
	return ""
}

// month returns the first three letters of a folded month name, or "".
func month(w string) string {
	switch w {
	case "jan", "january", "feb", "february", "mar", "march", "apr", "april", "jun", "june", "jul", "july",
		"aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december":
		return w[:3]
	case "may":
		return w
	}
	return ""
}

// isDay reports whether w is a day of a month (1 to 31, "20th").
func isDay(w string) bool {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		w = strings.TrimSuffix(w, suf)
	}
	if len(w) == 0 || len(w) > 2 || !isNumber(w) || strings.Contains(w, ".") {
		return false
	}
	d := int(w[0] - '0')
	if len(w) == 2 {
		d = 10*d + int(w[1]-'0')
	}
	return d >= 1 && d <= 31
}

// extract computes a document's weighted features, sorted by hash. extra
// holds more common terms and joined names (Options.Common), folded.
func extract(title, text []token, extra map[string]bool) []feature {
	s := &sink{counts: make(map[fkey]count, 256), extra: extra}
	walk(title, text, s)
	// Sorted as packed integers (weight bits, then hash), not through a
	// comparison function: the weights are positive, so their float32
	// bits order like them.
	keys := make([]uint64, 0, len(s.counts))
	for h, c := range s.counts {
		w := codeOf(c.kind, c.n, c.title).weight()
		keys = append(keys, uint64(^math.Float32bits(w))<<32|uint64(h))
	}
	if len(keys) > maxFeatures {
		slices.Sort(keys) // heaviest first, ties by hash
		keys = keys[:maxFeatures]
	}
	for i, k := range keys {
		keys[i] = k & math.MaxUint32 // the hash
	}
	slices.Sort(keys)
	list := make([]feature, len(keys))
	for i, k := range keys {
		h := fkey(k)
		c := s.counts[h]
		list[i] = feature{hash: h, code: codeOf(c.kind, c.n, c.title)}
	}
	return list
}

// names returns the readable names of the wanted features of a document.
func names(title, text []token, wanted map[fkey]bool, extra map[string]bool) map[fkey]string {
	s := &sink{wanted: wanted, names: make(map[fkey]string, len(wanted)), extra: extra}
	walk(title, text, s)
	return s.names
}

// entities calls emit for the names in text: runs of capitalised words
// (joined across hyphens and "of"), without leading stop words. The whole
// run (two to four words) and its last two words (a person's name after
// their title) are emitted as entities, joined without separators; single
// words are terms already.
func entities(toks []token, s *sink) {
	i := 0
	for i < len(toks) {
		if !toks[i].cap {
			i++
			continue
		}
		j := i + 1
		for j < len(toks) {
			t := toks[j]
			if t.gap != gapSpace && t.gap != gapHyphen {
				break
			}
			if t.cap {
				j++
				continue
			}
			// "Sea of Azov", "Islamic Republic of Iran"
			if t.word == "of" && j+1 < len(toks) && toks[j+1].cap && toks[j+1].gap == gapSpace {
				j += 2
				continue
			}
			break
		}
		run := toks[i:j]
		for len(run) > 0 && (isStop(run[0].word) || isCalendar(run[0].word)) {
			run = run[1:]
		}
		emitRun(run, s)
		i = j
	}
}

func emitRun(run []token, s *sink) {
	var buf [8]string
	words := buf[:0]
	lastHyphen := false // the last two words are one hyphenated word
	for k, t := range run {
		if t.word == "of" {
			continue
		}
		// a hyphenated name is also a term: "Amir-Abdollahian" meets
		// "Amirabdollahian"
		lastHyphen = k > 0 && t.gap == gapHyphen
		if lastHyphen {
			s.emit(kindTerm, "", run[k-1].word, t.word)
		}
		words = append(words, t.word)
	}
	// the surname pair: "CIA Director William Burns" meets "CIA chief
	// William Burns"; a pair that is one hyphenated word is a term already
	// (and a single name, not a name of several words)
	pair := !lastHyphen
	switch n := len(words); {
	case n == 2:
		if pair {
			s.emit(kindEntity, "", words...)
		}
	case n >= 3 && n <= 4:
		s.emit(kindEntity, "", words...)
		if pair {
			s.emit(kindEntity, "", words[n-2:]...)
		}
	case n > 4:
		if pair {
			s.emit(kindEntity, "", words[n-2:]...)
		}
	}
}

// quotes calls emit for the word trigrams inside each quotation, and for a
// whole quotation of one to three words ("appalling", "worthless").
func quotes(toks []token, s *sink) {
	i := 0
	for i < len(toks) {
		q := toks[i].quote
		if q == 0 {
			i++
			continue
		}
		j := i
		for j < len(toks) && toks[j].quote == q {
			j++
		}
		span := toks[i:j]
		if len(span) <= 3 {
			content := false
			words := make([]string, len(span))
			for k, t := range span {
				words[k] = t.word
				content = content || isTerm(t.word)
			}
			if content {
				s.emit(kindQuote, " ", words...)
			}
		}
		for k := 0; k+3 <= len(span); k++ {
			a, b, c := span[k].word, span[k+1].word, span[k+2].word
			if isStop(a) && isStop(b) && isStop(c) || !isTerm(a) && !isTerm(b) && !isTerm(c) {
				continue
			}
			s.emit(kindQuote, " ", a, b, c)
		}
		i = j
	}
}

// termOf returns the term of a token: its word, plurals folded unless it is
// capitalised (a name: Burns, Ottawa).
func termOf(t token) string {
	if t.cap {
		return t.word
	}
	return stem(t.word)
}

// stem folds English plurals so that "drone" meets "drones": -ies → -y,
// -es after s/x/ch/sh → dropped, a final -s (not -ss, -us, -is) → dropped.
func stem(w string) string {
	n := len(w)
	switch {
	case n <= 4 || w[n-1] != 's':
		return w
	case strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes"):
		return w[:n-2]
	case strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is"):
		return w
	}
	return w[:n-1]
}

// isTerm reports whether a folded word is a content word worth indexing.
func isTerm(w string) bool {
	return len(w) >= 3 && !isStop(w) && !isCalendar(w) && !isNumber(w)
}

func isNumber(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !isDigit(c) && c != '.' {
			return false
		}
	}
	return true
}

// isYear reports whether a number is a year of recent history ("2022"),
// which texts about different events share as readily as any common word
// (a count of 2,000 folds to the same token and is taken for one too).
func isYear(w string) bool {
	return len(w) == 4 && (strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20")) && isNumber(w) && !strings.Contains(w, ".")
}
