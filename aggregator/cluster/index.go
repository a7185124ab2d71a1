package cluster

import (
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

	mu     sync.Mutex
	docs   map[uint32]*entry
	byKey  map[string]uint32
	nextID uint32
	feats  map[uint64]*posting // feature → documents having it
	bands  map[uint64]*posting // LSH band bucket → documents
	ages   ageHeap
	newest time.Time
}

// entry is one indexed document.
type entry struct {
	id        uint32
	key       string
	outlet    string
	story     string
	root      string // key of the first copy of its near-duplicate group
	published time.Time
	feats     []feature // sorted by hash
	sig       *signature
	bands     []uint64
	norm      float64 // vector norm with the idf of an index of normN docs
	normN     int
}

// posting lists the documents having a feature or sharing a band bucket.
// Evicted documents are removed lazily: dead counts them until the list is
// compacted, so live = len(ids) - dead is exact at all times.
type posting struct {
	ids  []uint32
	dead int
}

func (p *posting) live() int { return len(p.ids) - p.dead }

// New returns an empty Index.
func New(o Options) *Index {
	return &Index{
		o:      o.withDefaults(),
		hasher: newHasher(),
		docs:   make(map[uint32]*entry),
		byKey:  make(map[string]uint32),
		feats:  make(map[uint64]*posting),
		bands:  make(map[uint64]*posting),
	}
}

// Len returns the number of documents indexed (those within the window).
func (ix *Index) Len() int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return len(ix.docs)
}

// prepared is a document's analysis, computed outside the lock.
type prepared struct {
	doc         Doc
	title, text []token
	feats       []feature
	sig         *signature
	bands       []uint64
}

func (ix *Index) prepare(d Doc) *prepared {
	text := tokenize(d.Text, make([]token, 0, min(len(d.Text)/5+8, maxTokens)), maxTokens)
	title := tokenize(d.Title, make([]token, 0, min(len(d.Title)/5+4, maxTokens)), maxTokens)
	p := &prepared{doc: d, title: title, text: text, feats: extract(title, text)}
	if shs := shingles(text, nil); len(shs) >= minShingles {
		p.sig = ix.hasher.sign(shs)
		keys := p.sig.bandKeys()
		p.bands = keys[:]
	}
	return p
}

// Assign decides which story d belongs to and whether it is a
// near-duplicate copy of an indexed document, then records d so later
// documents can match it. A Key already indexed is re-indexed with the new
// content and keeps its story.
func (ix *Index) Assign(d Doc) Decision {
	p := ix.prepare(d)
	ix.mu.Lock()
	defer ix.mu.Unlock()

	if id, ok := ix.byKey[d.Key]; ok {
		old := ix.docs[id]
		ix.remove(old)
		ix.insert(p, old.story, old.root)
		return Decision{StoryID: old.story, Reason: "key already indexed: re-indexed in its story"}
	}
	ix.advance(d.Published)

	dec, root := ix.decide(p)
	if dec.DuplicateOf != "" {
		// a copy adds nothing to story matching and must not make its
		// own words look common: only its signature is kept
		p.feats = nil
	}
	ix.insert(p, dec.StoryID, root)
	return dec
}

// Restore adds an already stored document with its known story id, as when
// the index is rebuilt at start-up. It never changes story ids; documents
// older than the window are not indexed.
func (ix *Index) Restore(d Doc, storyID string) {
	p := ix.prepare(d)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if id, ok := ix.byKey[d.Key]; ok {
		ix.remove(ix.docs[id])
	}
	ix.advance(d.Published)
	root := d.Key
	if e, _ := ix.bestCopy(p); e != nil {
		// as Assign would have recorded it
		p.feats, root = nil, e.root
	}
	ix.insert(p, storyID, root)
}

// decide finds the best near-duplicate or story match of p; it returns the
// decision and the duplicate-group root for p.
func (ix *Index) decide(p *prepared) (Decision, string) {
	if e, j := ix.bestCopy(p); e != nil {
		return Decision{
			StoryID:     e.story,
			DuplicateOf: e.root,
			Similarity:  j,
			Reason:      fmt.Sprintf("near-duplicate of %s (estimated shingle jaccard %.2f)", e.key, j),
		}, e.root
	}
	m := ix.bestStory(p)
	if m.e != nil && m.cos >= ix.o.StoryThreshold && m.shared >= ix.o.MinShared {
		return Decision{
			StoryID:    m.e.story,
			Similarity: m.cos,
			Reason:     fmt.Sprintf("joins story via %s (cosine %.2f, %d shared): %s", m.e.key, m.cos, m.shared, m.why),
		}, p.doc.Key
	}
	reason := "new story: no candidate"
	if m.e != nil {
		reason = fmt.Sprintf("new story: best %s (cosine %.2f, %d shared) below threshold: %s", m.e.key, m.cos, m.shared, m.why)
	}
	return Decision{StoryID: NewStoryID(p.doc.Key), Similarity: 0, Reason: reason}, p.doc.Key
}

// inWindow reports whether two publication times are close enough to
// belong to one story.
func (ix *Index) inWindow(a, b time.Time) bool {
	d := a.Sub(b)
	return d <= ix.o.Window && d >= -ix.o.Window
}

// bestCopy returns the indexed document whose MinHash signature is closest
// to p's, among those sharing an LSH band, if close enough.
func (ix *Index) bestCopy(p *prepared) (*entry, float64) {
	if p.sig == nil {
		return nil, 0
	}
	var (
		best  *entry
		bestJ float64
		seen  = make(map[uint32]struct{}, 8)
	)
	for _, k := range p.bands {
		pl := ix.bands[k]
		if pl == nil {
			continue
		}
		// a crowded bucket is shared boilerplate: only its newest
		// documents are compared, which keeps the cost per document flat
		ids := pl.ids
		if len(ids) > maxBucketScan {
			ids = ids[len(ids)-maxBucketScan:]
		}
		for _, id := range ids {
			if _, dup := seen[id]; dup {
				continue
			}
			seen[id] = struct{}{}
			e := ix.docs[id]
			if e == nil || e.sig == nil || !ix.inWindow(e.published, p.doc.Published) {
				continue
			}
			if j := p.sig.jaccard(e.sig); j > bestJ || (j == bestJ && best != nil && e.id < best.id) {
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

// storyMatch is the best story candidate of a document.
type storyMatch struct {
	e      *entry
	cos    float64
	shared int
	why    string
}

// idf is the inverse document frequency of a feature found in df of n
// indexed documents, smoothed with priorDocs pseudo-documents in which it
// occurs priorDF times: while the index is small (at a cold start, or when
// one story fills it) every feature counts as moderately rare instead of
// the few documents deciding that a story's own names are common.
func idf(df, n int) float64 {
	return math.Log((float64(n) + priorDocs + 1) / (float64(df) + priorDF + 0.5))
}

const (
	priorDocs = 20
	priorDF   = 0.5
)

// maxProbe caps the rare features whose postings are scanned per document.
const maxProbe = 48

// bestStory scores the documents that share p's rarest features and returns
// the most similar.
func (ix *Index) bestStory(p *prepared) storyMatch {
	n := len(ix.docs)
	if n == 0 {
		return storyMatch{}
	}
	type probe struct {
		i  int // index in p.feats
		df int
	}
	weights := make([]float64, len(p.feats)) // p's weights × idf
	idfs := make([]float64, len(p.feats))
	probes := make([]probe, 0, len(p.feats))
	var norm2 float64
	for i, f := range p.feats {
		df := 0
		if pl := ix.feats[f.hash]; pl != nil {
			df = pl.live()
		}
		idfs[i] = idf(df, n)
		weights[i] = float64(f.w) * idfs[i]
		norm2 += weights[i] * weights[i]
		if df >= 1 && df <= ix.o.MaxPostings {
			probes = append(probes, probe{i, df})
		}
	}
	if len(probes) == 0 || norm2 == 0 {
		return storyMatch{}
	}
	slices.SortFunc(probes, func(a, b probe) int { return a.df - b.df })
	if len(probes) > maxProbe {
		probes = probes[:maxProbe]
	}
	acc := make(map[uint32]float64, 64)
	for _, pr := range probes {
		for _, id := range ix.feats[p.feats[pr.i].hash].ids {
			acc[id] += weights[pr.i] * idfs[pr.i]
		}
	}
	type cand struct {
		id    uint32
		score float64
	}
	cands := make([]cand, 0, len(acc))
	for id, s := range acc {
		cands = append(cands, cand{id, s})
	}
	slices.SortFunc(cands, func(a, b cand) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return int(a.id) - int(b.id)
	})
	norm := math.Sqrt(norm2)
	var best storyMatch
	scored := 0
	for _, c := range cands {
		if scored >= ix.o.MaxCandidates {
			break
		}
		e := ix.docs[c.id]
		if e == nil || !ix.inWindow(e.published, p.doc.Published) {
			continue
		}
		scored++
		dot, shared := 0.0, 0
		for i, j := 0, 0; i < len(p.feats) && j < len(e.feats); {
			a, b := p.feats[i].hash, e.feats[j].hash
			switch {
			case a < b:
				i++
			case a > b:
				j++
			default:
				dot += weights[i] * float64(e.feats[j].w) * idfs[i]
				shared++
				i++
				j++
			}
		}
		cos := dot / (norm * ix.norm(e, n)) * decay(p.doc.Published.Sub(e.published))
		if e.outlet == p.doc.Outlet && e.outlet != "" {
			cos *= sameOutlet
		}
		if cos > best.cos || (cos == best.cos && best.e != nil && e.id < best.e.id) {
			best = storyMatch{e: e, cos: cos, shared: shared}
		}
	}
	if best.e != nil {
		best.why = ix.explain(p, best.e, weights, idfs)
	}
	return best
}

// decay discounts the similarity of documents published far apart: write-ups
// of one event follow it within a day or so, while the same actors return
// in new events every few days. It is 1 up to a day apart and halves with
// every further day.
func decay(d time.Duration) float64 {
	if d < 0 {
		d = -d
	}
	if d <= 24*time.Hour {
		return 1
	}
	return math.Exp2(-float64(d-24*time.Hour) / float64(24*time.Hour))
}

// sameOutlet discounts the similarity of two documents from one outlet: an
// outlet's own stock phrases make its texts alike, and an outlet rarely
// writes one event up twice (an update is the same item, found by storage).
const sameOutlet = 0.7

// norm returns e's vector norm under the idf of an index of n documents,
// recomputing it when the index size has changed by more than a quarter
// since it was last computed.
func (ix *Index) norm(e *entry, n int) float64 {
	if e.normN > 0 && n*4 <= e.normN*5 && n*5 >= e.normN*4 {
		return e.norm
	}
	var s float64
	for _, f := range e.feats {
		df := 0
		if pl := ix.feats[f.hash]; pl != nil {
			df = pl.live()
		}
		w := float64(f.w) * idf(df, n)
		s += w * w
	}
	e.norm, e.normN = math.Sqrt(s), n
	if e.norm == 0 {
		e.norm = 1
	}
	return e.norm
}

// explain names the heaviest features p shares with e.
func (ix *Index) explain(p *prepared, e *entry, weights, idfs []float64) string {
	type contrib struct {
		hash uint64
		v    float64
	}
	var cs []contrib
	for i, j := 0, 0; i < len(p.feats) && j < len(e.feats); {
		a, b := p.feats[i].hash, e.feats[j].hash
		switch {
		case a < b:
			i++
		case a > b:
			j++
		default:
			cs = append(cs, contrib{a, weights[i] * float64(e.feats[j].w) * idfs[i]})
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
		return cmpU64(a.hash, b.hash)
	})
	if len(cs) > 6 {
		cs = cs[:6]
	}
	wanted := make(map[uint64]bool, len(cs))
	for _, c := range cs {
		wanted[c.hash] = true
	}
	named := names(p.title, p.text, wanted)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = named[c.hash]
	}
	return strings.Join(out, ", ")
}

// insert records p in the index under the given story and duplicate root.
func (ix *Index) insert(p *prepared, story, root string) {
	if ix.o.Window > 0 && !ix.newest.IsZero() && p.doc.Published.Before(ix.newest.Add(-ix.o.Window)) {
		return // already outside the window: it would be evicted at once
	}
	ix.nextID++
	e := &entry{
		id:        ix.nextID,
		key:       p.doc.Key,
		outlet:    p.doc.Outlet,
		story:     story,
		root:      root,
		published: p.doc.Published,
		feats:     p.feats,
		sig:       p.sig,
		bands:     p.bands,
	}
	ix.docs[e.id] = e
	ix.byKey[e.key] = e.id
	for _, f := range e.feats {
		addPosting(ix.feats, f.hash, e.id)
	}
	ix.norm(e, len(ix.docs))
	for _, k := range e.bands {
		addPosting(ix.bands, k, e.id)
	}
	heap.Push(&ix.ages, age{at: e.published.UnixNano(), id: e.id})
}

func addPosting(m map[uint64]*posting, k uint64, id uint32) {
	pl := m[k]
	if pl == nil {
		pl = &posting{ids: make([]uint32, 0, 1)}
		m[k] = pl
	}
	pl.ids = append(pl.ids, id)
}

// remove deletes e from the index.
func (ix *Index) remove(e *entry) {
	delete(ix.docs, e.id)
	if ix.byKey[e.key] == e.id {
		delete(ix.byKey, e.key)
	}
	for _, f := range e.feats {
		ix.dropPosting(ix.feats, f.hash)
	}
	for _, k := range e.bands {
		ix.dropPosting(ix.bands, k)
	}
}

// dropPosting records that one document of k's list is gone, compacting the
// list once half of it is dead (amortised O(1) per removal).
func (ix *Index) dropPosting(m map[uint64]*posting, k uint64) {
	pl := m[k]
	if pl == nil {
		return
	}
	pl.dead++
	if pl.live() <= 0 {
		delete(m, k)
		return
	}
	if pl.dead*2 >= len(pl.ids) {
		live := pl.ids[:0]
		for _, id := range pl.ids {
			if _, ok := ix.docs[id]; ok {
				live = append(live, id)
			}
		}
		clear(pl.ids[len(live):])
		pl.ids = live
		pl.dead = 0
	}
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
	for ix.ages.Len() > 0 && ix.ages[0].at < cutoff {
		a := heap.Pop(&ix.ages).(age)
		if e := ix.docs[a.id]; e != nil {
			ix.remove(e)
		}
	}
}

// age orders documents by publication time for eviction.
type age struct {
	at int64
	id uint32
}

type ageHeap []age

func (h ageHeap) Len() int           { return len(h) }
func (h ageHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h ageHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *ageHeap) Push(x any)        { *h = append(*h, x.(age)) }
func (h *ageHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
