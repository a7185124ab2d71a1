package cluster

import (
	"math"
	"reflect"
	"testing"
)

// TestPreparedReleaseReuse: documents prepared in buffers that earlier
// documents released decide exactly as Assign decides on the same texts,
// and their SimHash is SimHash of the text. A buffer handed back while
// still in use, or not cleared, would mix one text's tokens into another's.
func TestPreparedReleaseReuse(t *testing.T) {
	c := newCorpus(7)
	docs := make([]Doc, 400)
	for i := range docs {
		docs[i] = c.next()
	}
	viaAssign, viaPrepared := New(Options{}), New(Options{})
	for i, d := range docs {
		want := viaAssign.Assign(d)
		p := Prepare(d)
		if got := p.SimHash(); got != SimHash(d.Text) {
			t.Fatalf("doc %d: Prepare SimHash %016x, SimHash %016x", i, got, SimHash(d.Text))
		}
		var got Decision
		if i%3 != 0 { // some are only fingerprinted, as off-topic items are
			got = viaPrepared.AssignPrepared(p)
		}
		p.Release()
		p.Release() // twice is harmless
		if i%3 == 0 {
			got = viaPrepared.Assign(d)
		}
		// Similarity may differ in its last bits: centroid sums run in
		// map order.
		if math.Abs(got.Similarity-want.Similarity) > 1e-9 {
			t.Fatalf("doc %d: similarity %v via Prepare, %v via Assign", i, got.Similarity, want.Similarity)
		}
		got.Similarity = want.Similarity
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("doc %d: decision via Prepare\n%+v\nvia Assign\n%+v", i, got, want)
		}
	}
}
