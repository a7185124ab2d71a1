package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// A document's state is what the index keeps of it once it is indexed —
// its weighted features, MinHash signature, line hashes and copy group —
// encoded so that the caller can store it beside the item and rebuild the
// index after a restart with RestoreState, without tokenising and
// analysing every text again (the bulk of a start-up's work).
//
// Layout (little endian): stateMagic; a flags byte (flagReaction); the
// title's speaker (64 bits, see speakerOf); the root key (uvarint length, bytes;
// empty when the document is its own root); the features (uvarint count,
// then per feature its 32-bit key and 32-bit weight code, see wcode); a byte 1 and the
// signature's 96 8-bit values, or a byte 0; the line hashes (uvarint
// count, 64 bits each).

// stateFormat numbers the encoding and everything that decides what a
// state holds (tokeniser, feature extraction, signatures, line hashing).
// Bump it whenever any of those changes: states of another format are
// ignored and their documents analysed from their text again.
const stateFormat = 4

const stateMagic = 0xC5

// flagReaction, in a state's flags byte: the document reports a reaction.
const flagReaction = 1

// StateVersion identifies the states this index writes and reads: the
// state format and the options that shape a document's analysis (the
// common terms). States stored under another version must be restored
// from their text (Restore) instead of RestoreState.
func (ix *Index) StateVersion() int64 { return ix.stateVersion }

// stateVersionOf derives StateVersion from the format and the folded
// common terms.
func stateVersionOf(common map[string]bool) int64 {
	h := mix64(stateFormat) ^ numHashes<<32 ^ maxFeatures<<16 ^ maxTokens
	h = mix64(h)
	for _, c := range slices.Sorted(maps.Keys(common)) {
		h = mix64(h ^ hashString(c))
	}
	// positive, non-zero: storable as an SQLite integer, 0 left for "none"
	return int64(h>>1) | 1
}

// encodeState encodes e, whose group's first copy is root (see the layout
// above).
func encodeState(e *entry, root string) []byte {
	if root == e.key {
		root = ""
	}
	var kb [maxFeatures]fkey
	keys := e.feats.keys(kb[:0])
	n := 1 + binary.MaxVarintLen64 + len(root) + binary.MaxVarintLen64 + 8*len(keys) + 1 +
		binary.MaxVarintLen64 + 8*len(e.lines)
	if e.lsh != nil {
		n += numHashes
	}
	b := make([]byte, 0, n)
	b = append(b, stateMagic)
	var flags byte
	if e.reaction() {
		flags |= flagReaction
	}
	b = append(b, flags)
	b = binary.LittleEndian.AppendUint64(b, e.speaker)
	b = binary.AppendUvarint(b, uint64(len(root)))
	b = append(b, root...)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for j, h := range keys {
		b = binary.LittleEndian.AppendUint32(b, uint32(h))
		b = binary.LittleEndian.AppendUint32(b, uint32(e.feats.code(j)))
	}
	if e.lsh == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = append(b, e.lsh.sig[:]...)
	}
	b = binary.AppendUvarint(b, uint64(len(e.lines)))
	for _, h := range e.lines {
		b = binary.LittleEndian.AppendUint64(b, h)
	}
	return b
}

// errState reports a state that cannot be decoded.
var errState = errors.New("malformed story index state")

// stateReader reads a state, remembering the first error.
type stateReader struct {
	b   []byte
	err error
}

func (r *stateReader) fail() {
	if r.err == nil {
		r.err = errState
	}
	r.b = nil
}

func (r *stateReader) uvarint(limit uint64) int {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > limit {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *stateReader) bytes(n int) []byte {
	if n > len(r.b) {
		r.fail()
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// decodeState decodes a state into the parts of p that insert reads.
func decodeState(b []byte, p *analysis) (root string, err error) {
	if len(b) == 0 || b[0] != stateMagic {
		return "", errState
	}
	r := stateReader{b: b[1:]}
	if flags := r.bytes(1); r.err == nil {
		if flags[0]&^flagReaction != 0 {
			r.fail()
		}
		p.reaction = flags[0]&flagReaction != 0
	}
	if sp := r.bytes(8); r.err == nil {
		p.speaker = binary.LittleEndian.Uint64(sp)
	}
	root = string(r.bytes(r.uvarint(1 << 16)))
	nf := r.uvarint(maxFeatures)
	if fb := r.bytes(8 * nf); r.err == nil && nf > 0 {
		p.feats = make([]feature, nf)
		for i := range p.feats {
			code := binary.LittleEndian.Uint32(fb[8*i+4:])
			p.feats[i] = feature{hash: fkey(binary.LittleEndian.Uint32(fb[8*i:])), code: wcode(code)}
			if code > maxCode || !wcode(code).valid() || i > 0 && p.feats[i].hash <= p.feats[i-1].hash {
				r.fail() // features are kept sorted by key, each once, with a weight extract gives
			}
		}
	}
	switch flag := r.bytes(1); {
	case r.err != nil:
	case flag[0] == 1:
		sb := r.bytes(numHashes)
		if r.err == nil {
			var sig signature
			copy(sig[:], sb)
			keys := sig.bandKeys()
			p.sig, p.bands = &sig, keys[:]
		}
	case flag[0] != 0:
		r.fail()
	}
	nl := r.uvarint(maxTokens / minLineTokens)
	if lb := r.bytes(8 * nl); r.err == nil && nl > 0 {
		p.lines = make([]line, nl)
		for i := range p.lines {
			p.lines[i] = line{hash: binary.LittleEndian.Uint64(lb[8*i:])}
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail() // trailing bytes
	}
	if r.err != nil {
		return "", r.err
	}
	return root, nil
}

// State returns the encoded state of the indexed document with key (nil
// when it is not indexed), for the caller to store; see RestoreState.
func (ix *Index) State(key string) []byte {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	id, ok := ix.lookup(key)
	if !ok {
		return nil
	}
	e := ix.docs.get(id)
	return encodeState(e, ix.rootOf(e))
}

// RestoreState adds an already stored document, as Restore does, from the
// state Decision.State (or State) gave for it under the same StateVersion,
// instead of from its text: d needs only Key, Outlet and Published. The
// document is indexed exactly as it was when assigned (its features,
// signature, line hashes and copy group), so restoring costs a decode, not
// an analysis. A state that cannot be decoded is an error and changes
// nothing.
func (ix *Index) RestoreState(d Doc, storyID string, state []byte) error {
	p := &analysis{doc: d}
	root, err := decodeState(state, p)
	if err != nil {
		return fmt.Errorf("document %q: %w", d.Key, err)
	}
	if root == "" {
		root = d.Key
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if id, ok := ix.lookup(d.Key); ok {
		ix.remove(ix.docs.get(id))
	}
	ix.advance(d.Published)
	ix.restored = true
	ix.insert(p, storyID, root)
	return nil
}

// stateOf returns the state of the document just inserted under key, or
// nil when insert did not index it (already outside the window).
func (ix *Index) stateOf(key string) []byte {
	id, ok := ix.lookup(key)
	if !ok {
		return nil
	}
	e := ix.docs.get(id)
	return encodeState(e, ix.rootOf(e))
}

// AssignState decides a document stored by another process, from the state
// Decision.State gave for it there (under the same StateVersion), as Assign
// would decide it from its text: d needs only Key, Outlet and Published. It
// is how one process keeps the stories of items other processes stored on
// a shared database (they are decided again here, and the decision, with
// its moves, is what that process writes back). A state that cannot be
// decoded is an error and changes nothing.
func (ix *Index) AssignState(d Doc, state []byte) (Decision, error) {
	p := &analysis{doc: d}
	if _, err := decodeState(state, p); err != nil {
		return Decision{}, fmt.Errorf("document %q: %w", d.Key, err)
	}
	// a copy's state holds no features: it is matched again by its
	// signature, as Assign would
	return ix.assign(p), nil
}
