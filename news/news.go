// Package news holds the domain types that flow through topicfeed: the one
// Item type that the normaliser produces, the tagger annotates, storage keeps
// and the publisher writes out, plus the outlet state the scheduler keeps.
//
// It depends on nothing but the standard library so that every other package
// (aggregator stages, storage, publishing) can share it without cycles.
package news

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// ErrNotFound is the error a store wraps when an outlet or item asked for by
// name, id or uid is not stored; readers tell it apart from failures with
// errors.Is.
var ErrNotFound = errors.New("not found")

// ItemUID is the public id an item from outlet with guid, published at
// that time, is given when it is first stored: the hour of its publication
// (8 hex digits of hours since 1970, UTC) and 16 hex digits of SHA-256 over
// outlet, NUL, guid. The aggregator derives it before storing (stories are
// keyed by it, and new stories are named after it); storage assigns it
// (and an alternative in the unlikely case of a collision).
//
// The hour comes first so that uids and story ids sort by time: new items
// then add to the end of storage's indexes on them instead of to a random
// page each, which keeps the cost of storing an item flat as the store
// grows (BENCHMARKS.md, store growth). Items stored before this scheme
// keep their 16-digit uids. An item keeps its uid when its published time
// later changes: storage matches it by outlet and guid, and the story
// index by UIDIdentity.
func ItemUID(outlet, guid string, published time.Time) string {
	h := sha256.New()
	h.Write([]byte(outlet))
	h.Write([]byte{0})
	h.Write([]byte(guid))
	var b [8 + 16]byte
	hours := max(published.Unix(), 0) / 3600
	hex.Encode(b[:8], []byte{byte(hours >> 24), byte(hours >> 16), byte(hours >> 8), byte(hours)})
	hex.Encode(b[8:], h.Sum(nil)[:8])
	return string(b[:])
}

// UIDIdentity is the part of a uid that names the item: the hash of its
// outlet and GUID, without the publication hour ItemUID puts first. Two
// uids of one identity are one item (an edit that moved its publication to
// another hour); a 16-digit uid, given before the hour was added, is its
// own identity.
func UIDIdentity(uid string) string {
	if len(uid) > 16 {
		return uid[len(uid)-16:]
	}
	return uid
}

// Item is one normalised news item.
type Item struct {
	// ID is the storage row id; 0 until stored.
	ID int64
	// UID is the stable public id of the item, assigned by storage when the
	// item is first stored and never changed afterwards (feeds use it).
	UID string

	// Outlet is the configured name of the outlet the item was fetched from.
	Outlet string
	// GUID is the outlet's own id for the item (guid/id), or, when the feed
	// gives none, the canonical URL.
	GUID string
	// URL is the canonical absolute URL of the article.
	URL string

	Title string
	// Summary is a short plain-text summary (no markup).
	Summary string
	// Text is the cleaned plain text used for matching: entities decoded,
	// whitespace folded, paragraphs separated by a blank line ("\n\n"),
	// boilerplate removed.
	Text string
	// ContentHTML is sanitised HTML, safe to republish, with absolute links.
	ContentHTML string
	// PendingHTML is, for an item ingested off topic, its content prepared
	// for sanitising (boilerplate removed, links absolute) but NOT
	// sanitised, in place of ContentHTML: never publish it. Sanitising
	// costs about as much as tagging and off-topic items are never
	// published, so it is done only when a retag puts the item on topic
	// (normalize.Normalizer.Sanitize), without refetching.
	PendingHTML string

	Authors    []string
	Categories []string
	// Language is a BCP 47 tag ("en", "ru") where known.
	Language string
	// Image is the absolute URL of the item's lead image, if any.
	Image      string
	Enclosures []Enclosure

	// Published and Updated are in UTC. Published falls back to FirstSeen.
	Published time.Time
	Updated   time.Time
	// FirstSeen is when topicfeed first stored the item.
	FirstSeen time.Time
	// OutletUpdated is when the outlet said it last updated the item (its
	// feed's date), zero when it said nothing later than Published; set by
	// storage when reading, from the Updated the normaliser gave. Pages
	// show it; the feeds' Updated moves with every change topicfeed stores
	// (an edit, another outlet's coverage), so that readers see them.
	OutletUpdated time.Time

	// ContentHash identifies identical normalised content (hex).
	ContentHash string
	// SimHash is a 64-bit near-duplicate fingerprint of Text, set for
	// on-topic items (0 = unset).
	SimHash uint64
	// RawHash fingerprints the raw feed entry this Item was normalised
	// from, together with the pipeline's version and rules (0 = unset). A
	// poll that finds the same raw entry already stored for its outlet
	// skips it without normalising it again.
	RawHash uint64
	// StoryID groups items that report one story. It changes only when
	// story clustering moves the item: an item published before it that
	// arrives later can regroup the items published after that one.
	StoryID string
	// DuplicateOf is the UID of a stored item this one is a near-duplicate
	// copy of (a syndicated or lightly edited text), as story clustering
	// found; storage then records this item as another source of that
	// one instead of storing it anew. Empty for most items.
	DuplicateOf string
	// StoryWhy says why story clustering put the item in its story (or
	// started one with it): the evidence it shares with the story's
	// write-ups, the similarity and the threshold (cluster.Decision.Reason).
	StoryWhy string
	// RelatedStory is a story this one is related to but not part of (a
	// reply, a reaction, a follow-up), "" when none.
	RelatedStory string
	// StoryState is what story clustering recorded of the item (opaque
	// bytes, under StoryStateVersion), kept by storage so that a restart
	// rebuilds the story index without analysing every text again; nil
	// when the index did not take the item (off topic, outside its time
	// window). Never read back into an Item.
	StoryState        []byte
	StoryStateVersion int64

	Tagging

	// Sources lists every outlet that carried this item; filled when read
	// from storage.
	Sources []Source
}

// Tagging is the topic tagger's decision about an item.
type Tagging struct {
	OnTopic  bool
	Topics   []string
	Tags     []string
	Score    float64
	Evidence []Evidence
}

// Evidence is one matched term that contributed to a tagging decision.
type Evidence struct {
	// Rule is the entity or tag the term belongs to ("iran", "drones").
	Rule string `json:"rule"`
	// Kind is "entity" or "tag".
	Kind string `json:"kind"`
	// Term is the text as it was matched.
	Term string `json:"term"`
	// Field is where it was found: "title", "lead" or "body".
	Field  string  `json:"field"`
	Count  int     `json:"count"`
	Weight float64 `json:"weight"`
}

// Enclosure is a media attachment of an item.
type Enclosure struct {
	URL    string
	Type   string
	Length int64
}

// Source is one outlet's copy of an item.
type Source struct {
	Outlet string
	URL    string
	GUID   string
	Title  string
	// Published is when this outlet published its copy (UTC).
	Published time.Time
}

// Outlet is a configured outlet as storage knows it.
type Outlet struct {
	Name string
	Slug string
	// URL is the feed URL from the configuration.
	URL string
}

// OutletState is what topicfeed remembers about polling one outlet.
type OutletState struct {
	Outlet
	// FeedURL is the URL polled now: the configured URL, or where a
	// permanent redirect moved it.
	FeedURL string

	ETag         string
	LastModified string

	LastFetch   time.Time
	LastSuccess time.Time
	NextPoll    time.Time

	// LastStatus is the HTTP status of the last fetch (0 when no response).
	LastStatus        int
	LastError         string
	ConsecutiveErrors int

	// Disabled is set when the outlet is gone (410) or removed from config.
	Disabled       bool
	DisabledReason string

	// ItemCount is the number of stored items from this outlet (read only).
	ItemCount int
}

// SaveStats counts what one SaveFetch did.
type SaveStats struct {
	New       int // items stored for the first time
	Updated   int // existing items whose content changed
	Unchanged int // re-polled items with nothing new
	Duplicate int // items already stored from another source (URL or content match)
}

// Fetch is one fetched feed to store: the outlet's new polling state and
// the feed's items, stored together or not at all.
type Fetch struct {
	State OutletState
	Items []Item
}

// FetchResult is what storing one Fetch did, or why it was not stored.
type FetchResult struct {
	Stats SaveStats
	Err   error
}

// Add returns the sum of two SaveStats.
func (s SaveStats) Add(o SaveStats) SaveStats {
	return SaveStats{New: s.New + o.New, Updated: s.Updated + o.Updated, Unchanged: s.Unchanged + o.Unchanged, Duplicate: s.Duplicate + o.Duplicate}
}

// Query selects stored items for publishing.
type Query struct {
	// OnTopic limits to items the tagger judged on topic.
	OnTopic bool
	// Topic, Tag and Outlet filter by topic name, tag name and outlet name.
	Topic  string
	Tag    string
	Outlet string
	// StoryID limits to one story.
	StoryID string
	// PerStory returns one item per story instead of every item: the
	// story's earliest item (of those the other filters select), with the
	// Sources of every item of the story.
	PerStory bool
	// Since limits to items published at or after it (zero: no limit).
	Since time.Time
	// Limit caps the number of items; 0 means no limit.
	Limit int
}
