package normalize

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"
)

// A raw hash fingerprints a feed entry as the normaliser reads it: equal
// hashes (with one seed) mean Item would make the same item of the entry,
// up to the poll time, which only fills in missing dates. The poller stores
// it with the item and skips entries whose hash is already stored.
//
// RawHashes must read every field that Item reads, from the entry, the
// feed and the Source: TestRawHashCoversItem changes each field of rich
// entries in turn and fails when Item's result changes but the hash does
// not. Reading more than Item only costs a reprocessed entry.

// rawVersion is part of every raw seed. Bump it when what the pipeline
// makes of a raw entry changes in a way a new build alone would not tell
// (RawSeed already changes with every build's VCS revision), so that
// stored entries are processed again once. Changing how RawHashes hashes
// changes every stored hash: that, too, reprocesses every entry once, and
// TestRawHashesStable says so.
const rawVersion = 1

// RawSeed returns the seed of raw entry hashes for the rules r, the build
// (module and VCS revision, so that a new binary reprocesses entries once)
// and rawVersion. Equal inputs give equal seeds in every process.
func RawSeed(r Rules) (uint64, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return 0, fmt.Errorf("raw seed: %w", err)
	}
	h := newRawHasher(rawVersion)
	h.str(string(b))
	if bi, ok := debug.ReadBuildInfo(); ok {
		h.str(bi.Main.Path)
		h.str(bi.Main.Version)
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				h.str(s.Key + "=" + s.Value)
			}
		}
	}
	return h.sum(), nil
}

// RawHashes returns the raw hash of each entry of f (0 for a nil entry,
// never 0 otherwise) with seed (see RawSeed): a 64-bit fingerprint of
// every field Item reads from the entry and, for context, from the feed
// and src.
func (n *Normalizer) RawHashes(seed uint64, src Source, f *gofeed.Feed) []uint64 {
	ctx := newRawHasher(seed)
	ctx.str(src.Outlet)
	ctx.str(src.FeedURL)
	ctx.str(src.Language)
	if src.Location != nil {
		ctx.str(src.Location.String())
	}
	ctx.str(f.Title)
	ctx.str(f.Link)
	ctx.str(f.FeedLink)
	ctx.str(f.Language)
	ctx.dc(f.DublinCoreExt)
	// the Atom entries' links, which Item reads (feedCanonicalHint) when
	// they line up with the items
	var entries []*atom.Entry
	if af, ok := f.OriginalFeed().(*atom.Feed); ok && af != nil && len(af.Entries) == len(f.Items) {
		entries = af.Entries
	}
	out := make([]uint64, len(f.Items))
	for i, it := range f.Items {
		if it == nil {
			continue
		}
		h := ctx
		h.str(it.Title)
		h.str(it.Description)
		h.str(it.Content)
		h.str(it.Link)
		h.strs(it.Links)
		h.str(it.GUID)
		h.str(it.Published)
		h.time(it.PublishedParsed)
		h.str(it.Updated)
		h.time(it.UpdatedParsed)
		h.num(len(it.Authors))
		for _, a := range it.Authors {
			if a != nil {
				h.str(a.Name)
				h.str(a.Email)
			}
		}
		h.strs(it.Categories)
		h.num(len(it.Enclosures))
		for _, e := range it.Enclosures {
			if e != nil {
				h.str(e.URL)
				h.str(e.Type)
				h.str(e.Length)
			}
		}
		if it.Image != nil {
			h.str(it.Image.URL)
		}
		h.dc(it.DublinCoreExt)
		h.exts(it.Extensions)
		if entries != nil && entries[i] != nil {
			for _, l := range entries[i].Links {
				if l != nil {
					h.str(l.Rel)
					h.str(l.Href)
				}
			}
		}
		out[i] = max(h.sum(), 1) // 0 means unset
	}
	return out
}

// Published is the publication time Item gives entry i of f (its
// Published field), without normalising the entry: for entries the poller
// skips, whose dates still count in the outlet's publishing rate. It is
// the zero time for an entry Item cannot read (nil, or an index out of
// range).
func (n *Normalizer) Published(src Source, f *gofeed.Feed, i int, now time.Time) time.Time {
	if f == nil || i < 0 || i >= len(f.Items) || f.Items[i] == nil {
		return time.Time{}
	}
	pub, _ := itemDates(f.Items[i], src.Location, now.UTC())
	return pub
}

// KeepNewest keeps the keep newest entries of f, newest first, by the
// publication time Item gives them (see Published: an undated entry counts
// as published now); entries of equal time keep the feed's order, and nil
// entries count as the oldest.
func (n *Normalizer) KeepNewest(src Source, f *gofeed.Feed, keep int, now time.Time) {
	if f == nil || keep < 0 || len(f.Items) <= keep {
		return
	}
	type dated struct {
		it  *gofeed.Item
		pub time.Time
	}
	items := make([]dated, len(f.Items))
	for i, it := range f.Items {
		items[i] = dated{it, n.Published(src, f, i, now)}
	}
	slices.SortStableFunc(items, func(a, b dated) int { return b.pub.Compare(a.pub) })
	for i := range keep {
		f.Items[i] = items[i].it
	}
	clear(f.Items[keep:])
	f.Items = f.Items[:keep]
}

// rawHasher is a fast, process-independent 64-bit hash of a sequence of
// fields, each length-prefixed: 8 bytes at a time, multiply and shift, a
// splitmix finaliser.
type rawHasher struct{ x uint64 }

const rawMul = 0x9e3779b97f4a7c15

func newRawHasher(seed uint64) rawHasher { return rawHasher{x: seed ^ 0x72617768617368} }

func (h *rawHasher) word(w uint64) {
	x := (h.x ^ w) * rawMul
	h.x = x ^ x>>29
}

func (h *rawHasher) num(n int) { h.word(uint64(n)) }

func (h *rawHasher) str(s string) {
	h.word(uint64(len(s)) | 1<<63)
	for len(s) >= 8 {
		h.word(binary.LittleEndian.Uint64([]byte(s[:8])))
		s = s[8:]
	}
	if len(s) > 0 {
		var b [8]byte
		copy(b[:], s)
		h.word(binary.LittleEndian.Uint64(b[:]))
	}
}

func (h *rawHasher) strs(v []string) {
	h.num(len(v))
	for _, s := range v {
		h.str(s)
	}
}

func (h *rawHasher) time(t *time.Time) {
	if t == nil {
		h.num(0)
		return
	}
	h.num(1)
	h.word(uint64(t.UnixNano()))
	_, off := t.Zone()
	h.num(off)
}

func (h *rawHasher) dc(d *ext.DublinCoreExtension) {
	if d == nil {
		h.num(0)
		return
	}
	h.num(1)
	h.strs(d.Language)
	h.strs(d.Date)
}

// exts hashes extensions in a fixed order (map keys sorted).
func (h *rawHasher) exts(m ext.Extensions) {
	h.num(len(m))
	for _, ns := range slices.Sorted(maps.Keys(m)) {
		h.str(ns)
		h.extMap(m[ns])
	}
}

func (h *rawHasher) extMap(m map[string][]ext.Extension) {
	h.num(len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		h.str(name)
		h.num(len(m[name]))
		for _, e := range m[name] {
			h.str(e.Name)
			h.str(e.Value)
			h.num(len(e.Attrs))
			for _, k := range slices.Sorted(maps.Keys(e.Attrs)) {
				h.str(k)
				h.str(e.Attrs[k])
			}
			h.extMap(e.Children)
		}
	}
}

func (h *rawHasher) sum() uint64 { return mix64(h.x) }

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
