package cluster

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Index is an incremental near-duplicate and story index over the documents
// of a sliding time window. It is safe for concurrent use.
type Index struct {
	o      Options
	hasher *hasher
	common map[string]bool // Options.Common, folded; read-only
	// stateVersion is StateVersion: the format of the states and the
	// common terms they were analysed with
	stateVersion int64

	mu      sync.Mutex
	docs    docTable
	byKey   keyTable // by the identity of the key (Options.Identity), see lookup
	nextID  uint32
	feats   postings  // feature → documents having it
	bands   bandTable // LSH band bucket → newest document in it (chained through entry.lsh.next)
	ages    ageHeap
	newest  time.Time
	stories storyMembers      // story → its documents, in publication order
	lines   lineCounts        // outlet+line → indexed documents of that outlet having it
	roots   map[uint32]string // copy → the key of its group's first copy (entryCopy)
	// outlets names the outlets of entries (entry.outlet), outletIDs
	// numbers them
	outlets   []string
	outletIDs map[string]uint32
	// acc and found are bestStory's scratch space: candidates' weights
	// by id (all 0 between calls) and the ids found
	acc   []float64
	found []uint32
	// restored is set by Restore: the next Assign refreshes every
	// document's norm once, for the index size reached by the rebuild
	restored bool
	// pending counts the documents recluster is deciding again
	pending int
}

// entry is one indexed document, in 128 bytes: its outlet is a number
// (Index.outlets), the key of the first copy of its near-duplicate group
// is kept aside for the few copies (Index.roots), and its cached norms are
// laid out flat beside its flags (a norms field would take 16 bytes with
// its padding).
type entry struct {
	key       string
	story     string
	feats     featVec  // sorted by key
	lines     []uint64 // outlet+line hashes of its lines (boilerplate learning)
	lsh       *lsh     // nil for texts too short to sign
	published int64    // time.Time.UnixMicro: 8 bytes where a time.Time takes 24
	speaker   uint64   // who its title says speaks (see speakerOf)
	id        uint32
	outlet    uint32 // index in Index.outlets
	// its vector's norms, cached (see norms; normN 0: not computed yet)
	normTitle, normLead         float32
	normN                       int32
	normDates, normTitleNumbers uint8
	flags                       uint8 // entryPending, entryReaction, entryCopy
}

// entry flags.
const (
	// entryPending: detached from its story while recluster decides it
	// again (Index.pending counts them)
	entryPending = 1 << iota
	// entryReaction: its title or the start of its lead reports a
	// reaction (see isReaction)
	entryReaction
	// entryCopy: a near-duplicate copy, its group's first copy in
	// Index.roots
	entryCopy
)

func (e *entry) pending() bool  { return e.flags&entryPending != 0 }
func (e *entry) reaction() bool { return e.flags&entryReaction != 0 }

func (e *entry) setPending(on bool) {
	if on {
		e.flags |= entryPending
	} else {
		e.flags &^= entryPending
	}
}

// rootOf returns the key of the first copy of e's near-duplicate group: e's
// own key unless e is a copy.
func (ix *Index) rootOf(e *entry) string {
	if e.flags&entryCopy != 0 {
		return ix.roots[e.id]
	}
	return e.key
}

// outletOf returns the name of e's outlet.
func (ix *Index) outletOf(e *entry) string { return ix.outlets[e.outlet] }

// outletID returns the number of the outlet named name, numbering it if
// new. Outlets are few (the configured ones) and stay numbered for the
// index's life; 0 is the empty name.
func (ix *Index) outletID(name string) uint32 {
	if id, ok := ix.outletIDs[name]; ok {
		return id
	}
	id := uint32(len(ix.outlets))
	ix.outlets = append(ix.outlets, name)
	ix.outletIDs[name] = id
	return id
}

// publishedAt is e's publication time.
func (e *entry) publishedAt() time.Time { return time.UnixMicro(e.published) }

// lsh is a document's MinHash signature and, for each band, the previous
// (older) document in the same bucket, 0 at the end of the chain. Chains
// cost 4 bytes per band and document instead of a list per bucket; a chain
// ends at the first evicted document (eviction takes the oldest first).
type lsh struct {
	sig  signature
	next [numBands]uint32
}

// New returns an empty Index.
func New(o Options) *Index {
	common := make(map[string]bool, len(o.Common))
	for _, c := range o.Common {
		var joined strings.Builder
		toks := tokenize(c, nil, 0)
		for _, t := range toks {
			joined.WriteString(t.word)
		}
		if len(toks) == 1 {
			common[stem(toks[0].word)] = true
		}
		if joined.Len() > 0 {
			common[joined.String()] = true
		}
	}
	ix := &Index{
		o:            o.withDefaults(),
		common:       common,
		stateVersion: stateVersionOf(common),
		hasher:       newHasher(),
		feats:        newPostings(o.withDefaults().MaxPostings),
		roots:        make(map[uint32]string),
		outlets:      []string{""},
		outletIDs:    map[string]uint32{"": 0},
	}
	ix.stories = newStoryMembers(func(id uint32) string {
		if e := ix.docs.get(id); e != nil {
			return e.story
		}
		return ""
	})
	return ix
}

// Len returns the number of documents indexed (those within the window).
func (ix *Index) Len() int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.docs.len()
}

// lookup returns the id of the indexed document whose key has the
// identity of key's.
func (ix *Index) lookup(key string) (uint32, bool) {
	k := ix.ident(key)
	return ix.byKey.lookup(identHash(k), ix.identIs(k))
}

// mustLookup returns the id of the indexed document whose key has the
// identity of key's, 0 when none is.
func (ix *Index) mustLookup(key string) uint32 {
	id, _ := ix.lookup(key)
	return id
}

// identIs returns whether a document's key has the identity k.
func (ix *Index) identIs(k string) func(id uint32) bool {
	return func(id uint32) bool {
		e := ix.docs.get(id)
		return e != nil && ix.ident(e.key) == k
	}
}

// ident is the identity of key (Options.Identity).
func (ix *Index) ident(key string) string {
	if ix.o.Identity == nil {
		return key
	}
	return ix.o.Identity(key)
}

// analysis is a document's analysis, computed outside the lock.
type analysis struct {
	doc         Doc
	raw         []token // the whole text
	lines       []line  // its lines long enough to be tracked
	title, text []token // text: raw without repeated and boilerplate lines
	feats       []feature
	sig         *signature
	bands       []uint32
	boilerplate int      // lines dropped as the outlet's boilerplate
	cands       []uint32 // the documents decide compared it with
	reaction    bool     // its title or the start of its lead reports a reaction (see isReaction)
	speaker     uint64   // who its title says speaks (see speakerOf)
	// storyOnly is set on a document decided again for its story alone
	// (recluster): its decision's reason is not wanted
	storyOnly bool
}

// line is a line (paragraph) of a text: its tokens raw[start:end], a hash
// of the outlet and its words, and whether it repeats an earlier line of
// the same text (captions scraped twice).
type line struct {
	start, end int
	hash       uint64
	repeat     bool
}

// minLineTokens: shorter lines are not tracked as boilerplate.
const minLineTokens = 5

func (ix *Index) prepare(d Doc) *analysis {
	return ix.prepareTokens(d, tokenize(d.Text, make([]token, 0, min(len(d.Text)/5+8, maxTokens)), maxTokens))
}

// prepareTokens analyses d, whose text's first tokens (at most maxTokens)
// are raw.
func (ix *Index) prepareTokens(d Doc, raw []token) *analysis {
	p := &analysis{
		doc:   d,
		raw:   raw,
		title: tokenize(d.Title, make([]token, 0, min(len(d.Title)/5+4, maxTokens)), maxTokens),
	}
	seen := make(map[uint64]bool)
	outlet := hashString(d.Outlet)
	for i := 0; i < len(p.raw); {
		j := i + 1
		for j < len(p.raw) && !p.raw[j].line {
			j++
		}
		if j-i >= minLineTokens {
			h := outlet
			for _, t := range p.raw[i:j] {
				h = mix64(h ^ t.hash)
			}
			p.lines = append(p.lines, line{start: i, end: j, hash: h, repeat: seen[h]})
			seen[h] = true
		}
		i = j
	}
	p.analyse(nil, ix)
	return p
}

// analyse sets p's text, features and signature: the raw text without its
// repeated lines and without the lines in drop.
func (p *analysis) analyse(drop map[uint64]bool, ix *Index) {
	text := p.raw
	skip := 0
	for _, l := range p.lines {
		if l.repeat || drop[l.hash] {
			skip++
		}
	}
	if skip > 0 {
		text = make([]token, 0, len(p.raw))
		next := 0
		for _, l := range p.lines {
			if l.repeat || drop[l.hash] {
				text = append(text, p.raw[next:l.start]...)
				next = l.end
			}
		}
		text = append(text, p.raw[next:]...)
	}
	p.text = text
	p.feats = extract(p.title, text, ix.common)
	p.reaction = isReaction(p.title) || isReaction(text[:min(len(text), reactionLead)])
	p.speaker = speakerOf(p.title)
	p.sig, p.bands = nil, nil
	if shs := shingles(text, nil); len(shs) >= minShingles {
		p.sig = ix.hasher.sign(shs)
		keys := p.sig.bandKeys()
		p.bands = keys[:]
	}
}

// dropBoilerplate removes from p the lines that indexed documents of the
// same outlet have too (donation appeals, newsletter boxes, disclaimers
// that survived normalisation), unless every line is known (a repost of a
// whole article, which must stay comparable).
func (ix *Index) dropBoilerplate(p *analysis) {
	if p.raw == nil {
		return // decoded from a state: analysed, its boilerplate dropped, where it was assigned
	}
	var drop map[uint64]bool
	fresh := 0
	for _, l := range p.lines {
		switch {
		case l.repeat:
		case ix.lines.get(l.hash) > 0:
			if drop == nil {
				drop = make(map[uint64]bool)
			}
			drop[l.hash] = true
		default:
			fresh++
		}
	}
	if len(drop) == 0 || fresh == 0 {
		return
	}
	p.boilerplate = len(drop)
	p.analyse(drop, ix)
}

// Assign decides which story d belongs to and whether it is a
// near-duplicate copy of an indexed document, then records d so later
// documents can match it. A Key already indexed is re-indexed with the new
// content and keeps its story.
func (ix *Index) Assign(d Doc) Decision {
	return ix.assign(ix.prepare(d))
}

// assign is Assign of an analysed document.
func (ix *Index) assign(p *analysis) Decision {
	d := p.doc
	ix.mu.Lock()
	defer ix.mu.Unlock()

	if id, ok := ix.lookup(d.Key); ok {
		old := ix.docs.get(id)
		root := ix.rootOf(old) // before remove forgets it
		ix.remove(old)
		ix.dropBoilerplate(p)
		dup := ""
		if root != old.key {
			dup, p.feats = root, nil // still a copy: see below
		}
		p.doc.Key = old.key // the key the item was first indexed (and stored) under
		ix.insert(p, old.story, root)
		return Decision{StoryID: old.story, DuplicateOf: dup, Reason: "key already indexed: re-indexed in its story",
			State: ix.stateOf(old.key)}
	}
	ix.advance(d.Published)
	ix.dropBoilerplate(p)
	if ix.restored {
		n := ix.docs.len()
		ix.docs.each(func(e *entry) { ix.norms(e, n) })
		ix.restored = false
	}

	later := d.Published.Before(ix.newest)
	dec, root := ix.decide(p)
	if p.boilerplate > 0 {
		dec.Reason += fmt.Sprintf(" [%d lines ignored as %s boilerplate]", p.boilerplate, d.Outlet)
	}
	if dec.DuplicateOf != "" {
		// a copy adds nothing to story matching and must not make its
		// own words look common: only its signature is kept
		p.feats = nil
	}
	ix.insert(p, dec.StoryID, root)
	if later && dec.DuplicateOf == "" {
		// documents published after this one were decided without it:
		// decide them again, in publication order, so that the stories
		// do not depend on which outlet answered first
		dec = ix.recluster(p, dec)
	}
	dec.State = ix.stateOf(d.Key)
	return dec
}

// Restore adds an already stored document with its known story id, as when
// the index is rebuilt at start-up (in publication order). It never changes
// story ids; documents older than the window are not indexed; a document
// that is a near-duplicate of one restored before it is recorded as its
// copy, as Assign would have. The first Assign after a rebuild refreshes
// the weights of every document once (about 10 µs per document, under the
// lock).
func (ix *Index) Restore(d Doc, storyID string) {
	p := ix.prepare(d)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if id, ok := ix.lookup(d.Key); ok {
		ix.remove(ix.docs.get(id))
	}
	ix.advance(d.Published)
	ix.dropBoilerplate(p)
	ix.restored = true
	root := d.Key
	if e, _ := ix.bestCopy(p); e != nil {
		// as Assign would have recorded it
		p.feats, root = nil, ix.rootOf(e)
	}
	ix.insert(p, storyID, root)
}

// decide finds the best near-duplicate or story match of p; it returns the
// decision and the duplicate-group root for p.
func (ix *Index) decide(p *analysis) (Decision, string) {
	if e, j := ix.bestCopy(p); e != nil {
		root := ix.rootOf(e)
		return Decision{
			StoryID:     e.story,
			DuplicateOf: root,
			Similarity:  j,
			Reason:      fmt.Sprintf("near-duplicate of %s (estimated shingle jaccard %.2f)", e.key, j),
		}, root
	}
	m, cands := ix.bestStory(p, false)
	p.cands = cands
	return ix.storyDecision(p, m), p.doc.Key
}

// freeStoryID returns the id of a story started by the document with key:
// NewStoryID(key), unless a story of other documents holds it already (a
// story that kept the id of a document that has since left it, see
// recluster), then that id with a number.
func (ix *Index) freeStoryID(key string) string {
	id := NewStoryID(key)
	for n := 2; ix.storyHasOthers(id, key); n++ {
		id = fmt.Sprintf("%s-%d", NewStoryID(key), n)
	}
	return id
}

// storyHasOthers reports whether story has members other than key.
func (ix *Index) storyHasOthers(story, key string) bool {
	var one [1]uint32
	for _, id := range ix.stories.get(story, &one) {
		if e := ix.docs.get(id); e != nil && ix.ident(e.key) != ix.ident(key) {
			return true
		}
	}
	return false
}

// storyDecision is the decision of p given its best story match: join it
// when it is likely enough to report the same event, else start a story.
func (ix *Index) storyDecision(p *analysis, m storyMatch) Decision {
	if ix.joins(m) {
		return Decision{
			StoryID:    m.e.story,
			Similarity: m.score,
			Reason:     fmt.Sprintf("joins story %s: %s", m.e.story, m.describe(ix.o.StoryThreshold)),
		}
	}
	reason := "new story: no candidate"
	related := ""
	if m.e != nil {
		reason = fmt.Sprintf("new story: best story %s: %s", m.e.story, m.describe(ix.o.StoryThreshold))
		if m.ev.likeness() >= relatedThreshold {
			related = m.e.story
		}
	}
	return Decision{StoryID: ix.freeStoryID(p.doc.Key), Reason: reason, Related: related}
}

// joins reports whether a document joins the story of its best match m.
func (ix *Index) joins(m storyMatch) bool {
	return m.e != nil && m.score >= ix.o.StoryThreshold && m.ev.shared >= ix.o.MinShared
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// inWindow reports whether two publication times are close enough to
// belong to one story.
func (ix *Index) inWindow(a, b time.Time) bool {
	d := a.Sub(b)
	return d <= ix.o.Window && d >= -ix.o.Window
}

// bestCopy returns the indexed document whose MinHash signature is closest
// to p's, among those sharing an LSH band, if close enough.
func (ix *Index) bestCopy(p *analysis) (*entry, float64) {
	if p.sig == nil {
		return nil, 0
	}
	var (
		best  *entry
		bestJ float64
		seen  = make(map[uint32]struct{}, 8)
	)
	for b, k := range p.bands {
		// a crowded bucket is shared boilerplate: only its newest
		// documents are compared, which keeps the cost per document flat
		id := ix.bands.head(b, k)
		for steps := 0; id != 0 && steps < maxBucketScan; steps++ {
			e := ix.docs.get(id)
			if e == nil || e.lsh == nil {
				break // evicted: the rest of the chain is older still
			}
			id = e.lsh.next[b]
			if _, dup := seen[e.id]; dup {
				continue
			}
			seen[e.id] = struct{}{}
			if !ix.inWindow(e.publishedAt(), p.doc.Published) {
				continue
			}
			if j := p.sig.jaccard(&e.lsh.sig); j > bestJ || (j == bestJ && best != nil && e.id < best.id) {
				best, bestJ = e, j
			}
		}
	}
	if best == nil || bestJ < ix.o.DupThreshold {
		return nil, 0
	}
	return best, bestJ
}

// maxBucketScan caps the documents compared per LSH bucket.
const maxBucketScan = 256

// idf is the inverse document frequency of a feature found in df of n
// indexed documents, smoothed with priorDocs pseudo-documents: a feature of
// the background model (common in all news) occurs in priorCommonDF of
// them, any other in priorDF. While the index is small (at a cold start, or
// when one story fills it) the prior decides — every name counts as
// moderately rare, "Iran" or "drones" as common — and the index's own
// frequencies take over as it fills.
func idf(df, n int, common bool) float64 {
	prior := priorDF
	if common {
		prior = priorCommonDF
	}
	return math.Log((float64(n) + priorDocs + 1) / (float64(df) + prior + 0.5))
}

const (
	priorDocs     = 20
	priorDF       = 0.5
	priorCommonDF = 6
)

// maxScanned caps the postings read to find candidates (see bestStory).
const maxScanned = 1000

// maxProbe caps the rare features whose postings are scanned per document.
const maxProbe = 48

// bestStory scores the documents that share p's rarest features and returns
// the most similar.
func (ix *Index) bestStory(p *analysis, indexed bool) (storyMatch, []uint32) {
	n := ix.docs.len()
	if n == 0 {
		return storyMatch{}, nil
	}
	type probe struct {
		i  int // index in p.feats
		df int
	}
	v := ix.vector(p, n, indexed)
	weights, idfs := v.w, v.idf
	probes := make([]probe, 0, len(p.feats))
	minDF := 1 // another document has it
	if indexed {
		minDF = 2 // p itself is listed
	}
	for i, f := range p.feats {
		if df := ix.feats.live(f.hash); df >= minDF && df <= ix.o.MaxPostings {
			probes = append(probes, probe{i, df})
		}
	}
	if len(probes) == 0 || v.lead == 0 {
		return storyMatch{}, nil
	}
	slices.SortFunc(probes, func(a, b probe) int { return a.df - b.df })
	if len(probes) > maxProbe {
		probes = probes[:maxProbe]
	}
	// the MaxCandidates best by accumulated weight, best first (a bounded
	// insertion, linear in the number of documents found)
	type cand struct {
		id    uint32
		score float64
	}
	better := func(a, b cand) bool { return a.score > b.score || (a.score == b.score && a.id < b.id) }
	cands := make([]cand, 0, ix.o.MaxCandidates+1)
	consider := func(id uint32, sc float64) {
		c := cand{id, sc}
		if len(cands) == ix.o.MaxCandidates && !better(c, cands[len(cands)-1]) {
			return
		}
		// only now, as most documents found fall short of the list
		if ix.pending > 0 {
			if e := ix.docs.get(id); e == nil || e.pending() {
				return // being decided again (recluster)
			}
		}
		i := len(cands)
		cands = append(cands, c)
		for i > 0 && better(c, cands[i-1]) {
			cands[i] = cands[i-1]
			i--
		}
		cands[i] = c
		if len(cands) > ix.o.MaxCandidates {
			cands = cands[:ix.o.MaxCandidates]
		}
	}
	// Accumulate the weight of every document found (dead ids are
	// skipped below). Ids are numbered in insertion order, so those of a
	// window lie close together: a slice over their range, kept between
	// calls (under the lock), does it without hashing; a map when the
	// range is sparse. Every term is positive, so 0 means not found yet.
	var one [1]uint32
	// The rarest features are probed first, and probing stops once
	// maxScanned postings are read: the most telling features find the
	// candidates, and the work does not grow with the index.
	lo, hi, total := ^uint32(0), uint32(0), 0
	for k, pr := range probes {
		if total >= maxScanned {
			probes = probes[:k]
			break
		}
		ids := ix.feats.ids(p.feats[pr.i].hash, &one)
		total += len(ids)
		for _, id := range ids {
			lo, hi = min(lo, id), max(hi, id)
		}
	}
	if span := int(hi-lo) + 1; total > 0 && span <= 4*total+4096 {
		if len(ix.acc) < span {
			ix.acc = make([]float64, span)
		}
		acc, found := ix.acc[:span], ix.found[:0]
		for _, pr := range probes {
			w := weights[pr.i] * idfs[pr.i]
			for _, id := range ix.feats.ids(p.feats[pr.i].hash, &one) {
				if acc[id-lo] == 0 {
					found = append(found, id)
				}
				acc[id-lo] += w
			}
		}
		for _, id := range found {
			consider(id, acc[id-lo])
			acc[id-lo] = 0
		}
		ix.found = found[:0]
	} else {
		acc := make(map[uint32]float64, total)
		for _, pr := range probes {
			w := weights[pr.i] * idfs[pr.i]
			for _, id := range ix.feats.ids(p.feats[pr.i].hash, &one) {
				acc[id] += w
			}
		}
		for id, sc := range acc {
			consider(id, sc)
		}
	}
	ids := make([]uint32, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	return ix.scoreStories(p, v, ids, n), ids
}

// explain names the heaviest features p shares with e.
func (ix *Index) explain(p *analysis, e *entry, weights, idfs []float64) string {
	type contrib struct {
		hash fkey
		v    float64
	}
	var cs []contrib
	var kb [maxFeatures]fkey
	keys := e.feats.keys(kb[:0])
	for i, j := 0, 0; i < len(p.feats) && j < len(keys); {
		a, b := p.feats[i].hash, keys[j]
		switch {
		case a < b:
			i++
		case a > b:
			j++
		default:
			cs = append(cs, contrib{a, weights[i] * float64(e.feats.weight(j)) * idfs[i]})
			i++
			j++
		}
	}
	slices.SortFunc(cs, func(a, b contrib) int {
		switch {
		case a.v > b.v:
			return -1
		case a.v < b.v:
			return 1
		}
		return cmp.Compare(a.hash, b.hash)
	})
	if len(cs) > 6 {
		cs = cs[:6]
	}
	wanted := make(map[fkey]bool, len(cs))
	for _, c := range cs {
		wanted[c.hash] = true
	}
	named := names(p.title, p.text, wanted, ix.common)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = named[c.hash]
	}
	return strings.Join(out, ", ")
}

// insert records p in the index under the given story and duplicate root.
func (ix *Index) insert(p *analysis, story, root string) {
	if ix.o.Window > 0 && !ix.newest.IsZero() && p.doc.Published.Before(ix.newest.Add(-ix.o.Window)) {
		return // already outside the window: it would be evicted at once
	}
	ix.nextID++
	key := p.doc.Key
	if len(story) == len(key)+2 && story[:2] == "s-" && story[2:] == key {
		// a story it started (NewStoryID): the key shares the story id's
		// bytes instead of holding the caller's
		key = story[2:]
	}
	e := &entry{
		id:        ix.nextID,
		key:       key,
		outlet:    ix.outletID(p.doc.Outlet),
		story:     story,
		published: p.doc.Published.UnixMicro(),
		feats:     newFeatVec(p.feats),
		speaker:   p.speaker,
	}
	if p.reaction {
		e.flags |= entryReaction
	}
	if root != e.key {
		e.flags |= entryCopy
		ix.roots[e.id] = root
	}
	if p.sig != nil {
		e.lsh = &lsh{sig: *p.sig}
	}
	ix.docs.put(e)
	k := ix.ident(e.key)
	ix.byKey.set(identHash(k), e.id, ix.identIs(k))
	ix.attach(e, story)
	kept := 0
	for _, l := range p.lines {
		if !l.repeat {
			kept++
		}
	}
	if kept > 0 {
		e.lines = make([]uint64, 0, kept) // exactly: most documents keep them for the whole window
	}
	for _, l := range p.lines {
		if !l.repeat {
			e.lines = append(e.lines, l.hash)
			ix.lines.inc(l.hash)
		}
	}
	var kb [maxFeatures]fkey
	for _, h := range e.feats.keys(kb[:0]) {
		ix.feats.add(h, e.id)
	}
	if e.lsh != nil {
		ix.bands.push(e, p.bands, &ix.docs)
	}
	heap.Push(&ix.ages, age{at: e.publishedAt().UnixNano(), id: e.id})
}

// remove deletes e from the index.
func (ix *Index) remove(e *entry) {
	ix.detach(e) // first: story members are told apart by their documents' stories
	ix.docs.del(e.id)
	if e.flags&entryCopy != 0 {
		delete(ix.roots, e.id)
	}
	ix.byKey.del(identHash(ix.ident(e.key)), e.id)
	for _, h := range e.lines {
		ix.lines.dec(h)
	}
	var kb [maxFeatures]fkey
	for _, h := range e.feats.keys(kb[:0]) {
		ix.feats.drop(h, ix.alive)
	}
	if e.lsh != nil {
		ix.bands.unlink(e, ix.alive)
	}
}

// alive reports whether document id is indexed.
func (ix *Index) alive(id uint32) bool {
	return ix.docs.get(id) != nil
}

// advance moves the eviction horizon to t (clamped to the clock when one is
// set) and evicts documents published more than Window before it.
func (ix *Index) advance(t time.Time) {
	if ix.o.Now != nil {
		if now := ix.o.Now(); t.After(now) {
			t = now
		}
	}
	if !t.After(ix.newest) {
		return
	}
	ix.newest = t
	cutoff := t.Add(-ix.o.Window).UnixNano()
	for ix.ages.Len() > 0 && ix.ages.at[0] < cutoff {
		a := heap.Pop(&ix.ages).(age)
		if e := ix.docs.get(a.id); e != nil {
			ix.remove(e)
		}
	}
}

// age orders documents by publication time for eviction.
type age struct {
	at int64
	id uint32
}

// ageHeap is a min-heap of ages by time, kept as two slices (12 bytes an
// age where an []age takes 16 with its padding).
type ageHeap struct {
	at []int64
	id []uint32
}

func (h *ageHeap) Len() int           { return len(h.at) }
func (h *ageHeap) Less(i, j int) bool { return h.at[i] < h.at[j] }
func (h *ageHeap) Swap(i, j int) {
	h.at[i], h.at[j] = h.at[j], h.at[i]
	h.id[i], h.id[j] = h.id[j], h.id[i]
}
func (h *ageHeap) Push(x any) {
	a := x.(age)
	h.at, h.id = append(h.at, a.at), append(h.id, a.id)
}
func (h *ageHeap) Pop() any {
	n := len(h.at) - 1
	a := age{at: h.at[n], id: h.id[n]}
	h.at, h.id = h.at[:n], h.id[:n]
	return a
}
