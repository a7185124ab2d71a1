package cluster

import (
	"math"
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
	maxFeatures = 128
	// titleBoost multiplies the weight of a term found in the title.
	titleBoost = 2
)

// feature is one weighted feature of a document.
type feature struct {
	hash fkey
	w    float32 // kind weight × (1 + ln tf) × title boost, before idf
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
)

func (k fkey) common() bool { return k&commonBit != 0 }

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
	h := fkey(featureHash(kind, sep, words...)) &^ (commonBit | specificBit)
	switch {
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
		if isTerm(t.word) {
			s.emit(kindTerm, "", termOf(t))
		}
	}
	s.title = false
	for _, t := range text {
		switch {
		case isNumber(t.word):
			if len(t.word) >= 2 {
				s.emit(kindNumber, "", t.word)
			}
		case isTerm(t.word):
			s.emit(kindTerm, "", termOf(t))
		}
	}
	entities(text, s)
	quotes(text, s)
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
		w := kindWeight(c.kind) * (1 + math.Log(float64(c.n)))
		if c.title {
			w *= titleBoost
		}
		keys = append(keys, uint64(^math.Float32bits(float32(w)))<<32|uint64(h))
	}
	if len(keys) > maxFeatures {
		slices.Sort(keys) // heaviest first, ties by hash
		keys = keys[:maxFeatures]
	}
	for i, k := range keys {
		keys[i] = k<<32 | uint64(^uint32(k>>32)) // hash, then weight bits
	}
	slices.Sort(keys)
	list := make([]feature, len(keys)) // the index keeps it: no spare capacity
	for i, k := range keys {
		list[i] = feature{hash: fkey(k >> 32), w: math.Float32frombits(uint32(k))}
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
