package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// Times are stored as Unix milliseconds: the range covers any date a feed
// can carry (nanoseconds overflow outside 1678–2262). The zero time.Time is
// stored as 0, so the Unix epoch itself reads back as the zero time.
func toMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// finite maps NaN and ±Inf (which SQLite cannot store as REAL) to 0.
func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// encodeList encodes a string list as a JSON array ("" for none).
func encodeList(v []string) string {
	if len(v) == 0 {
		return ""
	}
	b, _ := json.Marshal(v) // []string always marshals
	return string(b)
}

func decodeList(s, column string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", column, err)
	}
	return v, nil
}

// enclosureJSON is the stored form of news.Enclosure, independent of the
// Go field names.
type enclosureJSON struct {
	URL    string `json:"url"`
	Type   string `json:"type,omitempty"`
	Length int64  `json:"length,omitempty"`
}

func encodeEnclosures(v []news.Enclosure) string {
	if len(v) == 0 {
		return ""
	}
	out := make([]enclosureJSON, len(v))
	for i, e := range v {
		out[i] = enclosureJSON(e)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func decodeEnclosures(s string) ([]news.Enclosure, error) {
	if s == "" {
		return nil, nil
	}
	var v []enclosureJSON
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("decode enclosures: %w", err)
	}
	out := make([]news.Enclosure, len(v))
	for i, e := range v {
		out[i] = news.Enclosure(e)
	}
	return out, nil
}

func encodeEvidence(v []news.Evidence) string {
	if len(v) == 0 {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil { // only for NaN/Inf weights
		return ""
	}
	return string(b)
}

func decodeEvidence(s string) ([]news.Evidence, error) {
	if s == "" {
		return nil, nil
	}
	var v []news.Evidence
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("decode evidence: %w", err)
	}
	return v, nil
}

// lookupKey is the 64-bit FNV-1a hash of s that identity lookups index
// (0 only for the empty string). Collisions cost an extra row to compare,
// never a wrong match: queries compare the full string as well.
func lookupKey(s string) int64 {
	if s == "" {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(s))
	k := int64(h.Sum64())
	if k == 0 {
		k = 1
	}
	return k
}

// rawKey is the stored form of a news.Item.RawHash: its bits as an int64
// (database/sql refuses uint64 values of 2^63 and above). 0 stays 0,
// "unset", which KnownRaw never matches.
func rawKey(h uint64) int64 { return int64(h) }

// changeHash fingerprints everything of an item that an update in place
// would rewrite, so that a re-polled item is compared without reading its
// stored text back.
func changeHash(it news.Item) string {
	h := sha256.New()
	// Fields go through one small buffer: []byte(s) copied every text and
	// HTML body, 5% of the bytes a poll allocated.
	var buf [1024]byte
	field := func(s string) {
		binary.LittleEndian.PutUint64(buf[:8], uint64(len(s)))
		h.Write(buf[:8])
		for len(s) > 0 {
			k := copy(buf[:], s)
			h.Write(buf[:k])
			s = s[k:]
		}
	}
	field(it.URL)
	field(it.Title)
	field(it.Summary)
	field(it.Text)
	field(it.ContentHTML)
	if it.PendingHTML != "" {
		// only then, so that the hash of an item without it is the
		// one stored before the field existed
		field(it.PendingHTML)
	}
	field(encodeList(it.Authors))
	field(encodeList(it.Categories))
	field(it.Language)
	field(it.Image)
	field(encodeEnclosures(it.Enclosures))
	field(it.ContentHash)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// newUID derives an item's public id from its first outlet, GUID and
// publication time (news.ItemUID); attempt > 0 gives the alternatives used
// after a collision, which keep the publication hour.
func newUID(outlet, guid string, published time.Time, attempt int) string {
	uid := news.ItemUID(outlet, guid, published)
	if attempt == 0 {
		return uid
	}
	h := sha256.New()
	h.Write([]byte(outlet))
	h.Write([]byte{0})
	h.Write([]byte(guid))
	fmt.Fprintf(h, "\x00%d", attempt)
	return uid[:len(uid)-16] + hex.EncodeToString(h.Sum(nil)[:8])
}
