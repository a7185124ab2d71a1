package cluster

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestRestoreStateLikeLive restarts an index from the states Assign gave
// (as the daemon does from storage) and checks that it then decides every
// later document as the index that never restarted, and as one restored
// from the texts.
func TestRestoreStateLikeLive(t *testing.T) {
	items := loadLabelled(t)
	slices.SortStableFunc(items, func(a, b labelled) int {
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	toDoc := func(it labelled) Doc {
		return Doc{Key: it.Key, Outlet: it.Outlet, Title: it.Title, Text: it.Text, Published: it.Published}
	}
	o := Options{Common: []string{"Iran", "Russia", "Ukraine", "Kremlin"}}
	for _, cut := range []int{len(items) / 3, len(items) / 2, 2 * len(items) / 3} {
		t.Run(fmt.Sprintf("restart after %d items", cut), func(t *testing.T) {
			live := New(o)
			type stored struct {
				story string
				state []byte
			}
			store := make(map[string]stored)
			for _, it := range items[:cut] {
				d := live.Assign(toDoc(it))
				if d.State == nil {
					t.Fatalf("%s: no state", it.Key)
				}
				if !bytes.Equal(d.State, live.State(it.Key)) {
					t.Fatalf("%s: Decision.State differs from State", it.Key)
				}
				store[it.Key] = stored{d.StoryID, d.State}
			}
			fromState, fromText := New(o), New(o)
			if fromState.StateVersion() != live.StateVersion() {
				t.Fatal("equal options give different state versions")
			}
			for _, it := range items[:cut] {
				s := store[it.Key]
				// only what storage keeps besides the state
				if err := fromState.RestoreState(Doc{Key: it.Key, Outlet: it.Outlet, Published: it.Published}, s.story, s.state); err != nil {
					t.Fatal(err)
				}
				fromText.Restore(toDoc(it), s.story)
			}
			if fromState.Len() != live.Len() {
				t.Errorf("restored index holds %d docs, live one %d", fromState.Len(), live.Len())
			}
			for _, it := range items[:cut] {
				if got, want := fromState.State(it.Key), live.State(it.Key); !bytes.Equal(got, want) {
					t.Errorf("%s: restored state differs from the live one", it.Key)
				}
			}
			for _, it := range items[cut:] {
				want, got, text := live.Assign(toDoc(it)), fromState.Assign(toDoc(it)), fromText.Assign(toDoc(it))
				if want.StoryID != got.StoryID || want.DuplicateOf != got.DuplicateOf {
					t.Errorf("%s after restart from states: story %s dup %q, without restart: story %s dup %q",
						it.Key, got.StoryID, got.DuplicateOf, want.StoryID, want.DuplicateOf)
				}
				if text.StoryID != got.StoryID || text.DuplicateOf != got.DuplicateOf {
					t.Errorf("%s after restart from states: story %s dup %q, from texts: story %s dup %q",
						it.Key, got.StoryID, got.DuplicateOf, text.StoryID, text.DuplicateOf)
				}
			}
		})
	}
}

func TestStateVersion(t *testing.T) {
	a := New(Options{Common: []string{"Iran", "Russia"}})
	b := New(Options{Common: []string{"Russia", "Iran"}})
	c := New(Options{Common: []string{"Iran", "Russia", "Ukraine"}})
	if a.StateVersion() != b.StateVersion() {
		t.Error("the order of the common terms changes the state version")
	}
	if a.StateVersion() == c.StateVersion() {
		t.Error("another common term keeps the state version")
	}
	if a.StateVersion() <= 0 {
		t.Errorf("state version %d is not a positive integer", a.StateVersion())
	}
}

// TestRestoreStateRejectsMalformed cuts and corrupts a real state: every
// cut is an error that leaves the index as it was, and no corruption
// panics.
func TestRestoreStateRejectsMalformed(t *testing.T) {
	ix := New(Options{})
	d := ix.Assign(doc("a", "o1", "CIA director: Iran-Russia ties worrying", burnsText, t0))
	if d.State == nil {
		t.Fatal("no state")
	}
	for n := range len(d.State) {
		fresh := New(Options{})
		if err := fresh.RestoreState(Doc{Key: "a", Outlet: "o1", Published: t0}, d.StoryID, d.State[:n]); err == nil {
			t.Fatalf("state cut to %d of %d bytes restored", n, len(d.State))
		}
		if fresh.Len() != 0 {
			t.Fatalf("a rejected state indexed a document")
		}
	}
	// a weight code that extract never gives
	var nf [binary.MaxVarintLen64]byte
	first := 11 + binary.PutUvarint(nf[:], uint64(len(ix.docs.get(ix.mustLookup("a")).feats.keys(nil)))) + 4
	if c := wcode(binary.LittleEndian.Uint32(d.State[first:])); !c.valid() {
		t.Fatalf("byte %d of the state is not the first feature's weight code", first)
	}
	odd := slices.Clone(d.State)
	binary.LittleEndian.PutUint32(odd[first:], uint32(maxCode+1))
	if err := New(Options{}).RestoreState(Doc{Key: "a", Published: t0}, d.StoryID, odd); err == nil {
		t.Error("a state with a weight no feature has restored")
	}
	trailing := append(slices.Clone(d.State), 0)
	if err := New(Options{}).RestoreState(Doc{Key: "a", Published: t0}, d.StoryID, trailing); err == nil {
		t.Error("a state with trailing bytes restored")
	}
	for i := range d.State {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			bad := slices.Clone(d.State)
			bad[i] ^= x
			_ = New(Options{}).RestoreState(Doc{Key: "a", Published: t0}, d.StoryID, bad) // must not panic
		}
	}
}

func FuzzRestoreState(f *testing.F) {
	ix := New(Options{})
	f.Add(ix.Assign(doc("a", "o1", "CIA director: Iran-Russia ties worrying", burnsText, t0)).State)
	f.Add([]byte{stateMagic})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, state []byte) {
		fresh := New(Options{})
		err := fresh.RestoreState(Doc{Key: "k", Outlet: "o", Published: t0}, "s-k", state)
		if err != nil {
			if fresh.Len() != 0 {
				t.Fatal("a rejected state indexed a document")
			}
			return
		}
		// what was accepted encodes back to the same bytes (a root spelt
		// out as the document's own key is written empty), and the index
		// goes on working
		own := bytes.Replace(state, []byte{stateMagic, 1, 'k'}, []byte{stateMagic, 0}, 1)
		if got := fresh.State("k"); !bytes.Equal(got, state) && !bytes.Equal(got, own) {
			t.Fatalf("state %x re-encodes as %x", state, got)
		}
		fresh.Assign(doc("b", "o2", "Iran and Russia", burnsText, t0))
	})
}

// TestAssignStateDecidesAsAssign: documents decided by one index and handed
// to another as states are decided there as Assign decides their texts.
func TestAssignStateDecidesAsAssign(t *testing.T) {
	items := loadE2E(t)
	fromText, there, here := New(Options{}), New(Options{}), New(Options{})
	for _, it := range items {
		want := fromText.Assign(it.doc)
		d := there.Assign(it.doc)
		if d.State == nil {
			continue // outside the window: not indexed there either
		}
		got, err := here.AssignState(Doc{Key: it.doc.Key, Outlet: it.doc.Outlet, Published: it.doc.Published}, d.State)
		if err != nil {
			t.Fatal(err)
		}
		if got.StoryID != want.StoryID || got.DuplicateOf != want.DuplicateOf {
			t.Errorf("%s: from its state story %s (copy of %q), from its text %s (copy of %q)", it.name, got.StoryID, got.DuplicateOf, want.StoryID, want.DuplicateOf)
		}
	}
	if _, err := here.AssignState(Doc{Key: "bad", Published: t0}, []byte{1, 2, 3}); err == nil {
		t.Error("a malformed state was assigned")
	}
}
