// Package cluster recognises near-duplicate copies of news items and groups
// the reports of one event into stories, incrementally and in memory.
//
// The story rule: a story is one event or one statement (an action,
// attack, meeting, vote, interview, report, announcement), told by one or
// many outlets. A reply or reaction by another party is a new story, linked
// to the first as related (Decision.Related). The same actors recurring in
// other events do not make one story. A false merge hides a story from the
// reader while a missed one shows a duplicate: precision comes first.
//
// It is the second and third level of topicfeed's deduplication (the first,
// exact identity by outlet+GUID, canonical URL and content hash, lives in
// storage). An Index holds the documents of a sliding time window:
//
//   - Near-duplicates (syndicated wire copies, reposts with another headline or
//     extra boilerplate) are found with MinHash signatures (96 hashes) over
//     word 3-shingles of the folded text and an LSH index of 32 bands of 3
//     rows. A copy joins the story of what it copies; DuplicateOf names the
//     first copy seen.
//   - Stories (event.go): a document's features come from its title and its
//     lead (the first leadTokens words): content words (plurals folded),
//     capitalised names (joined runs, hyphenated names also joined),
//     numbers, word trigrams inside quotation marks, and the days it dates
//     the event to (weekdays, "May 20"). Candidates are the documents that
//     share its rarest features. For each, the evidence that the two report
//     one event — title and lead tf-idf cosines (the idf of the window, where
//     the topic's actors are common), the rare specific things they share,
//     the same or different days named, different numbers in the titles,
//     different speakers in the titles ("Iran says" vs "CIA director
//     says": two statements), a reaction, one outlet — goes through a
//     logistic model fitted on labelled real articles, discounted for
//     documents published more than a day apart. A document joins the story
//     whose members it matches best on average (average link: a story must
//     not grow by chaining from one event to the next) when that mean
//     reaches Options.StoryThreshold; otherwise it starts a story, related to
//     its closest story when that one differs only by speaker or reaction.
//   - Arrival order (recluster.go): outlets answer in any order, so a
//     document published before documents already decided is decided, and
//     then those later documents its arrival could change are decided
//     again, in publication order. Decision.Moved lists the documents that
//     changed story; a story keeps its id when an earlier document joins it.
//   - Features common in all news (countries, capitals, institutions, the
//     vocabulary of war and diplomacy; more through Options.Common) follow a
//     background model: until the index has seen enough documents they count
//     as present in many documents, so that "Iran", "Russia" and "drones"
//     weigh little, even at a cold start. Near-duplicate copies do not count
//     in document frequencies.
//   - Lines repeated within a text count once, and lines that other indexed
//     documents of the same outlet carry too (donation appeals, newsletter
//     boxes) are ignored, unless every line is known (a repost).
//
// Every decision keeps its evidence in Decision.Reason ("joins story …:
// same event 0.83 ≥ 0.70 (mean over 2 write-ups; best …: title 0.55, lead
// 0.40, …, 2 specific, same day named): e:williamburns, q:full fledged
// defense, …"), which topicfeed stores with the item and shows on story
// pages, in the JSON Feed and in explain.
//
// Documents older than the window (relative to the newest publication time
// seen) are evicted, so memory stays bounded, and the work per document is
// capped by the features probed, the postings scanned, the candidates and
// the story members compared.
//
// The package is pure: it knows nothing of storage. At start-up the caller
// rebuilds the index with RestoreState (or Restore) from the stored items of
// the recent window, then calls Assign for each new item before storing it,
// stores Decision.StoryID, DuplicateOf, Reason and Related, and writes the
// stories of the documents in Decision.Moved (StoryOf gives a document's
// story now). AssignState decides an item another process stored, from its
// state.
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
	// StoryThreshold is the mean probability, over a story's members, that
	// a document reports the same event (eventModel), from which it joins
	// the story. Default 0.7.
	StoryThreshold float64
	// MinShared is the number of distinct features (entities, quotes,
	// terms) of their titles and leads a document must share with its best
	// match to join its story. Default 3.
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
	// a duplicate, the story's mean same-event probability for a story
	// match, 0 for a new story.
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
