// Package cluster recognises near-duplicate copies of news items and groups
// different write-ups of one event into stories, incrementally and in memory.
//
// It is the second and third level of topicfeed's deduplication (the first,
// exact identity by outlet+GUID, canonical URL and content hash, lives in
// storage). An Index holds the documents of a sliding time window:
//
//   - Near-duplicates (syndicated wire copies, reposts with another headline or
//     extra boilerplate) are found with MinHash signatures (96 hashes) over
//     word 3-shingles of the folded text and an LSH index of 32 bands of 3
//     rows, so a new document is compared only with documents sharing a
//     band bucket. A copy joins the story of what it copies; DuplicateOf
//     names the first copy seen.
//   - Stories are found through an inverted index over the document's
//     features: content words (plurals folded), capitalised names (joined
//     runs: "William Burns", "Sea of Azov"; hyphenated names joined so that
//     Amir-Abdollahian meets Amirabdollahian), numbers, and word trigrams
//     inside quotation marks ("full-fledged defense partnership"). Features
//     are weighted by tf-idf against the index's own document frequencies
//     (title words count double). Only documents sharing one of the new
//     document's rarest features become candidates; the best are scored by
//     weighted cosine similarity, discounted for documents published more
//     than a day apart and for two documents of one outlet (unless they
//     share names or quotations of the event), and the three best stories
//     are also scored as a whole (the centroid of their newest write-ups).
//     The document joins the story of its best match when the score and
//     the number of shared features are high enough, and the match rests
//     on more than the topic: it shares specific evidence (a name of
//     several words, a quotation, a number) or comes within 12 hours of
//     the write-up it matched. Since outlets are polled concurrently, the
//     order in which items arrive is arbitrary; the end-to-end feeds are
//     checked in every arrival order (arrival_order_test.go).
//   - Features common in all news (countries, capitals, institutions, the
//     vocabulary of war and diplomacy; more through Options.Common) follow a
//     background model: until the index has seen enough documents they count
//     as present in many documents, so that "Iran", "Russia" and "drones"
//     weigh little, even at a cold start. Near-duplicate
//     copies do not count in document frequencies (a wire story in five
//     outlets must not make its own names look common).
//   - Lines repeated within a text (captions scraped twice) count once, and
//     lines that other indexed documents of the same outlet carry too
//     (donation appeals, newsletter boxes, disclaimers that survived
//     normalisation) are ignored, unless every line is known (a repost):
//     an outlet's boilerplate makes neither copies nor stories.
//
// Documents older than the window (relative to the newest publication time
// seen) are evicted, so memory stays bounded and the cost of Assign does not
// grow with the number of documents seen: the work per document is capped by
// the number of rare features probed, the length of the posting lists
// scanned and the number of candidates scored.
//
// The package is pure: it knows nothing of storage. At start-up the caller
// rebuilds the index with Restore from the stored items of the recent window
// (in publication order), then calls Assign for each new item before storing
// it, and stores Decision.StoryID (and DuplicateOf, to credit the copy's
// outlet as a source of the original). Story ids never change once given.
// Items older than the window are forgotten: a re-polled old item must be
// recognised by storage (level 1), not by Assign.
package cluster

import (
	"time"
)

// Default option values.
const (
	DefaultWindow         = 72 * time.Hour
	DefaultDupThreshold   = 0.5
	DefaultStoryThreshold = 0.7
	DefaultMinShared      = 3
	DefaultMaxPostings    = 400
	DefaultMaxCandidates  = 40
)

// Options tune an Index. The zero value of every field selects its default.
type Options struct {
	// Window: a document only joins stories or duplicates of documents
	// published within Window of it, and documents older than Window before
	// the newest publication time seen are evicted. Default 72h.
	Window time.Duration
	// DupThreshold is the estimated Jaccard similarity of word 3-shingles
	// above which a document is a near-duplicate copy. Default 0.5.
	DupThreshold float64
	// StoryThreshold is the weighted cosine similarity of features above
	// which a document joins the story of its best match. Default 0.14.
	StoryThreshold float64
	// MinShared is the number of distinct features (entities, quotes,
	// terms) a document must share with its best match to join its story.
	// Default 4.
	MinShared int
	// MaxPostings: features found in more indexed documents than this are
	// too common to find candidates with (they still count in scoring).
	// It bounds the work per document. Default 400.
	MaxPostings int
	// MaxCandidates is how many candidates found through rare features are
	// scored in full. Default 40.
	MaxCandidates int
	// Common lists more words and names that most documents of the
	// stream share and that therefore weigh little in story matching,
	// such as the configured topics' entity names ("Iran", "Russia",
	// "Shahed"). A built-in background model already covers countries,
	// capitals, institutions and the common vocabulary of news.
	Common []string
	// Now, when set, is the clock: publication times after Now() do not
	// advance the eviction horizon (a bogus future date cannot evict the
	// whole index).
	Now func() time.Time
	// Identity, when set, gives the part of a key that names the item,
	// whatever else the key encodes: two keys of one identity are one
	// document, indexed under the key it was first given. topicfeed's
	// keys carry the item's publication hour (news.ItemUID), and an edit
	// may move it; news.UIDIdentity drops it. Default: the whole key.
	Identity func(key string) string
}

func (o Options) withDefaults() Options {
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.DupThreshold <= 0 {
		o.DupThreshold = DefaultDupThreshold
	}
	if o.StoryThreshold <= 0 {
		o.StoryThreshold = DefaultStoryThreshold
	}
	if o.MinShared <= 0 {
		o.MinShared = DefaultMinShared
	}
	if o.MaxPostings <= 0 {
		o.MaxPostings = DefaultMaxPostings
	}
	if o.MaxCandidates <= 0 {
		o.MaxCandidates = DefaultMaxCandidates
	}
	return o
}

// Doc is one item as the index sees it.
type Doc struct {
	// Key is the item's stable, non-empty id, the same before and after
	// the item is stored (storage's UID is derived from outlet, GUID and
	// publication hour, so the caller can compute it before storing).
	// Story ids of new stories are derived from it.
	Key    string
	Outlet string
	Title  string
	// Text is the normalised plain text, paragraphs separated by "\n\n".
	Text      string
	Published time.Time
}

// Decision is what Assign decided about a document.
type Decision struct {
	// StoryID is the story the document joins: an existing story, or
	// NewStoryID(Key) when it starts one.
	StoryID string
	// DuplicateOf is the Key of the indexed document this one is a
	// near-duplicate copy of (the first copy seen, when the match is itself
	// a copy), or "" when it is not a copy.
	DuplicateOf string
	// Similarity is the similarity to the best match: estimated Jaccard for
	// a duplicate, weighted cosine for a story match, 0 for a new story.
	Similarity float64
	// Reason is a short human-readable explanation (shared entities, quotes
	// and terms), for explain-style debugging.
	Reason string
	// Related is the story the document came closest to without joining
	// it, when it is likely related (a reply, a reaction, a follow-up by
	// the same actors), else "".
	Related string
	// Moved lists the other indexed documents whose story changed because
	// of this one: documents published after it, decided before it
	// arrived, decided again with it (see Index.Assign). The caller stores
	// their new stories; each keeps its key.
	Moved []Move
	// State is what the index recorded of the document, encoded for the
	// caller to store with the item and give back to RestoreState after a
	// restart (with StateVersion); nil when the document was not indexed
	// (published before the window).
	State []byte
}

// Move is an indexed document that changed story.
type Move struct {
	Key      string // the document's key
	From, To string // its story before and after
}

// NewStoryID returns the id of a story started by the document with that
// key.
func NewStoryID(key string) string { return "s-" + key }
