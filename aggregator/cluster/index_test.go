package cluster

import (
	"bytes"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2022, 12, 17, 8, 0, 0, 0, time.UTC)

// burnsText is the body of seed 001 (Iran Front Page), shortened.
const burnsText = `CIA Director William Burns has expressed concern over the “growing cooperation between Tehran and Moscow” amid the Ukraine war. The White House is continuing to sound the alarm at the flourishing military partnership between Iran and Russia.

“What’s beginning to emerge is at least the beginnings of a full-fledged defense partnership between Russia and Iran, with the Iranians supplying drones to the Russians, which are killing Ukrainian civilians as we speak today,” Burns told PBS’s Judy Woodruff in an interview.

Foreign Minister Hossein Amirabdollahian has reiterated Iran’s opposition to the dispatch of weapons to the parties involved in the war which he said would only increase human losses and financial costs for both sides.`

func doc(key, outlet, title, text string, at time.Time) Doc {
	return Doc{Key: key, Outlet: outlet, Title: title, Text: text, Published: at}
}

func TestAssignCopyAndStory(t *testing.T) {
	ix := New(Options{})
	first := ix.Assign(doc("ifp", "Iran Front Page", "CIA director says Iran-Russia cooperation worrying", burnsText, t0))
	if first.StoryID != NewStoryID("ifp") || first.DuplicateOf != "" {
		t.Fatalf("first doc: %+v, want a new story", first)
	}
	copyText := strings.Replace(burnsText, "has expressed concern", "voiced concern", 1) + "\n\nFollow us on Telegram."
	cp := ix.Assign(doc("tt", "Tehran Times", "US spy chief voices concern over Tehran-Moscow ties", copyText, t0.Add(time.Hour)))
	if cp.DuplicateOf != "ifp" || cp.StoryID != first.StoryID {
		t.Errorf("wire copy: %+v, want duplicate of ifp in %s", cp, first.StoryID)
	}
	cp2 := ix.Assign(doc("pt", "Press TV", "CIA chief alleges partnership", copyText, t0.Add(2*time.Hour)))
	if cp2.DuplicateOf != "ifp" {
		t.Errorf("copy of a copy: DuplicateOf = %q, want the first copy ifp", cp2.DuplicateOf)
	}
	rewrite := `The director of the CIA, William Burns, told PBS interviewer Judy Woodruff that Moscow and Tehran are building what could become a full-fledged defense partnership.

Burns said Iranian drones sold to Russia are killing Ukrainian civilians, and that Russian help for Iran's military would threaten its neighbours.`
	st := ix.Assign(doc("ap", "AP", "CIA chief: Russia and Iran edging toward full-fledged defense pact", rewrite, t0.Add(3*time.Hour)))
	if st.StoryID != first.StoryID || st.DuplicateOf != "" {
		t.Errorf("rewrite: %+v, want story %s and no duplicate", st, first.StoryID)
	}
	if !strings.Contains(st.Reason, "joins story") || st.Similarity <= 0 {
		t.Errorf("rewrite reason %q similarity %v", st.Reason, st.Similarity)
	}
	other := ix.Assign(doc("ruble", "The Moscow Times", "Ruble slides to weakest level since May",
		"The Russian ruble fell past 68 to the dollar on Monday as the G7 price cap on Russian seaborne oil began to weigh on export revenues, analysts said.", t0.Add(4*time.Hour)))
	if other.StoryID != NewStoryID("ruble") {
		t.Errorf("unrelated item joined %s: %s", other.StoryID, other.Reason)
	}
	if ix.Len() != 5 {
		t.Errorf("Len = %d, want 5", ix.Len())
	}
}

func TestAssignSameKeyReindexes(t *testing.T) {
	ix := New(Options{})
	a := ix.Assign(doc("k1", "o", "CIA director says Iran-Russia cooperation worrying", burnsText, t0))
	b := ix.Assign(doc("k1", "o", "CIA director says Iran-Russia cooperation worrying (updated)", burnsText+"\n\nUpdated.", t0.Add(time.Hour)))
	if b.StoryID != a.StoryID {
		t.Errorf("re-assigned key moved from %s to %s", a.StoryID, b.StoryID)
	}
	if ix.Len() != 1 {
		t.Errorf("Len = %d after re-assigning one key, want 1", ix.Len())
	}
}

// TestAssignSameKeyKeepsCopy: a near-duplicate copy assigned again under
// its key stays a copy of the same first copy, its state saying so.
func TestAssignSameKeyKeepsCopy(t *testing.T) {
	ix := New(Options{})
	ix.Assign(doc("ifp", "Iran Front Page", "CIA director says Iran-Russia cooperation worrying", burnsText, t0))
	copyText := strings.Replace(burnsText, "has expressed concern", "voiced concern", 1)
	for i := range 2 {
		cp := ix.Assign(doc("tt", "Tehran Times", "US spy chief voices concern over Tehran-Moscow ties", copyText, t0.Add(time.Hour)))
		if cp.DuplicateOf != "ifp" || cp.StoryID != NewStoryID("ifp") {
			t.Fatalf("assignment %d of the copy: %+v, want a duplicate of ifp in its story", i+1, cp)
		}
		var p analysis
		if root, err := decodeState(cp.State, &p); err != nil || root != "ifp" {
			t.Fatalf("assignment %d of the copy: state's first copy %q (%v), want ifp", i+1, root, err)
		}
	}
}

func TestEvictionBoundsIndex(t *testing.T) {
	ix := New(Options{Window: 24 * time.Hour})
	c := newCorpus(7)
	var first Doc
	for i := range 10 * 24 {
		d := c.next()
		d.Published = t0.Add(time.Duration(i) * time.Hour)
		if i == 0 {
			first = d
		}
		ix.Assign(d)
		if n := ix.Len(); n > 25 {
			t.Fatalf("after %d hourly docs the index holds %d, want ≤ 25 with a 24h window", i+1, n)
		}
	}
	// a copy of an evicted doc cannot be matched
	again := first
	again.Key, again.Published = "late-copy", t0.Add(10*24*time.Hour)
	if d := ix.Assign(again); d.DuplicateOf != "" || strings.Contains(d.Reason, "via "+first.Key+" ") || strings.Contains(d.Reason, "write-up "+first.Key+" ") {
		t.Errorf("copy of an evicted doc: %+v, want no match with %s", d, first.Key)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.feats.each(func(k fkey) {
		if live := ix.feats.live(k); live <= 0 || live > ix.docs.len() {
			t.Fatalf("feature %x: %d live postings with %d docs", k, live, ix.docs.len())
		}
	})
}

func TestWindowSeparatesDays(t *testing.T) {
	ix := New(Options{Window: 72 * time.Hour})
	ix.Assign(doc("a", "o1", "CIA director says Iran-Russia cooperation worrying", burnsText, t0))
	// the same text four days later is outside the window of the first
	d := ix.Assign(doc("b", "o2", "CIA director says Iran-Russia cooperation worrying", burnsText, t0.Add(96*time.Hour)))
	if d.DuplicateOf != "" || d.StoryID != NewStoryID("b") {
		t.Errorf("doc four days later: %+v, want a new story", d)
	}
}

func TestClockClampsFutureDates(t *testing.T) {
	now := t0.Add(time.Hour)
	ix := New(Options{Window: 24 * time.Hour, Now: func() time.Time { return now }})
	ix.Assign(doc("a", "o1", "CIA director says Iran-Russia cooperation worrying", burnsText, t0))
	ix.Assign(doc("future", "o2", "Ruble slides", "The Russian ruble fell past 68 to the dollar on Monday.", t0.AddDate(1, 0, 0)))
	if n := ix.Len(); n != 2 {
		t.Errorf("a doc dated a year ahead evicted the index: Len = %d, want 2", n)
	}
}

func TestRestartKeepsStoryIDs(t *testing.T) {
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
	for _, cut := range []int{len(items) / 3, len(items) / 2, 2 * len(items) / 3} {
		t.Run(fmt.Sprintf("restart after %d items", cut), func(t *testing.T) {
			// the daemon that never restarts
			live := New(Options{})
			stored := make(map[string]string) // key → story id as storage keeps it
			for _, it := range items[:cut] {
				stored[it.Key] = live.Assign(toDoc(it)).StoryID
			}
			// restart: rebuild from storage, then carry on
			restarted := New(Options{})
			for _, it := range items[:cut] {
				restarted.Restore(toDoc(it), stored[it.Key])
			}
			if live.Len() != restarted.Len() {
				t.Errorf("restored index holds %d docs, live one %d", restarted.Len(), live.Len())
			}
			// a re-polled stored item still in the window keeps its story
			// (older ones are storage's business: the index forgot them)
			horizon := items[cut-1].Published.Add(-DefaultWindow)
			for _, it := range items[:cut] {
				if it.Published.Before(horizon) {
					continue
				}
				if d := restarted.Assign(toDoc(it)); d.StoryID != stored[it.Key] {
					t.Errorf("re-polled %s: story %s, stored %s", it.Key, d.StoryID, stored[it.Key])
				}
			}
			for _, it := range items[cut:] {
				want, got := live.Assign(toDoc(it)), restarted.Assign(toDoc(it))
				if want.StoryID != got.StoryID || want.DuplicateOf != got.DuplicateOf {
					t.Errorf("%s after restart: story %s dup %q, without restart: story %s dup %q",
						it.Key, got.StoryID, got.DuplicateOf, want.StoryID, want.DuplicateOf)
				}
			}
		})
	}
}

func TestConcurrentAssign(t *testing.T) {
	ix := New(Options{})
	c := newCorpus(3)
	docs := make([]Doc, 400)
	for i := range docs {
		docs[i] = c.next()
	}
	// every tenth doc is published again by another outlet
	for i := 0; i < len(docs); i += 10 {
		cp := docs[i]
		cp.Key, cp.Outlet = docs[i].Key+"-copy", "wire"
		docs = append(docs, cp)
	}
	decisions := make([]Decision, len(docs))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(docs); i += 4 {
				decisions[i] = ix.Assign(docs[i])
			}
		})
	}
	wg.Wait()
	if ix.Len() != len(docs) {
		t.Errorf("Len = %d, want %d", ix.Len(), len(docs))
	}
	byKey := make(map[string]Decision)
	for i, d := range decisions {
		if d.StoryID == "" {
			t.Fatalf("doc %s got no story", docs[i].Key)
		}
		byKey[docs[i].Key] = d
	}
	for i := 0; i < 400; i += 10 {
		orig, cp := byKey[docs[i].Key], byKey[docs[i].Key+"-copy"]
		so, _ := ix.StoryOf(docs[i].Key)
		sc, _ := ix.StoryOf(docs[i].Key + "-copy")
		if so != sc || (orig.DuplicateOf == "" && cp.DuplicateOf == "") {
			t.Errorf("%s and its copy: %+v / %+v, want one story and one a duplicate", docs[i].Key, orig, cp)
		}
	}
}

func TestSimHash(t *testing.T) {
	edited := strings.Replace(burnsText, "has expressed concern", "voiced concern", 1)
	other := "The Russian ruble fell past 68 to the dollar on Monday, its weakest level since May, as the G7 price cap on Russian seaborne oil and the EU embargo began to weigh on export revenues, analysts said."
	a, b, c := SimHash(burnsText), SimHash(edited), SimHash(other)
	if d := bits.OnesCount64(a ^ b); d > 12 {
		t.Errorf("lightly edited copy differs in %d bits, want ≤ 12", d)
	}
	if d := bits.OnesCount64(a ^ c); d < 16 {
		t.Errorf("unrelated text differs in only %d bits, want ≥ 16", d)
	}
	if SimHash("") != 0 {
		t.Error("SimHash of empty text is not 0")
	}
	if SimHash("Iran’s DRONES") != SimHash("iran's drones") {
		t.Error("SimHash does not fold case and apostrophes")
	}
	// storage keeps the value: it must not change between versions
	const golden = uint64(0x1b5b94d26f633c18)
	if got := SimHash(burnsText); got != golden {
		t.Errorf("SimHash changed: %#x, want %#x", got, golden)
	}
}

func TestMinHashEstimate(t *testing.T) {
	h := newHasher()
	set := func(from, to uint64) []uint64 {
		var s []uint64
		for i := from; i < to; i++ {
			s = append(s, mix64(i))
		}
		return s
	}
	cases := []struct {
		name    string
		a, b    []uint64
		jaccard float64
	}{
		{"identical", set(0, 400), set(0, 400), 1},
		{"three quarters", set(0, 400), set(57, 457), 343.0 / 457},
		{"half", set(0, 300), set(100, 400), 200.0 / 400},
		{"disjoint", set(0, 300), set(1000, 1300), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := h.sign(tc.a).jaccard(h.sign(tc.b))
			if d := got - tc.jaccard; d > 0.12 || d < -0.12 {
				t.Errorf("estimated jaccard %.2f, exact %.2f", got, tc.jaccard)
			}
		})
	}
}

func TestOutletBoilerplateIgnored(t *testing.T) {
	appeal := "Dear readers, we are facing unprecedented challenges and the authorities have designated us an undesirable organization, criminalizing our work.\n\n" +
		"Your support, no matter how small, makes a world of difference. If you can, please support us monthly starting from just $2, it is quick to set up.\n\n" +
		"By supporting us you are defending open, independent journalism in the face of repression. Thank you for standing with us."
	ruble := "The Russian ruble fell past 68 to the dollar on Monday, its weakest level since May, as the price cap on seaborne oil began to weigh on export revenues, analysts said."
	court := "A Moscow court on Thursday extended the pre-trial detention of a journalist charged with spreading false information about the army for another three months, her lawyer said."
	ix := New(Options{})
	ix.Assign(doc("mt-1", "The Moscow Times", "Ruble slides to weakest level since May", ruble+"\n\n"+appeal, t0))
	d := ix.Assign(doc("mt-2", "The Moscow Times", "Moscow court extends journalist's arrest", court+"\n\n"+appeal, t0.Add(time.Hour)))
	if d.DuplicateOf != "" || d.StoryID != NewStoryID("mt-2") {
		t.Errorf("two articles sharing the outlet's appeal: %+v, want a new story", d)
	}
	if !strings.Contains(d.Reason, "3 lines ignored as The Moscow Times boilerplate") {
		t.Errorf("reason %q does not report the appeal as boilerplate", d.Reason)
	}
	// another outlet's identical lines are not its boilerplate
	other := ix.Assign(doc("x-1", "Other", "Ruble slides", ruble+"\n\n"+appeal, t0.Add(2*time.Hour)))
	if strings.Contains(other.Reason, "boilerplate") {
		t.Errorf("another outlet's text lost lines: %q", other.Reason)
	}
	// a repost of a whole article by the same outlet stays a copy
	again := ix.Assign(doc("mt-3", "The Moscow Times", "Ruble at weakest since May", ruble+"\n\n"+appeal, t0.Add(3*time.Hour)))
	if again.DuplicateOf == "" {
		t.Errorf("same-outlet repost: %+v, want a duplicate", again)
	}
}

func TestRepeatedLinesCountOnce(t *testing.T) {
	caption := "Iranian drones on display in a photo released by the Iranian army. Iranian Army/AP"
	body := "The US is pushing Iran to stop selling armed drones to Russia as part of discussions on a broader unwritten understanding, the Financial Times said on Wednesday."
	ix := New(Options{})
	p := ix.prepare(doc("a", "Asharq", "US asks Iran to stop selling drones", caption+"\n"+caption+"\n\n"+body+"\n\n"+caption, t0))
	once := ix.prepare(doc("b", "Asharq", "US asks Iran to stop selling drones", caption+"\n\n"+body, t0))
	if !slices.Equal(words(p.text), words(once.text)) {
		t.Errorf("repeated caption kept:\n%q\nwant\n%q", words(p.text), words(once.text))
	}
}

// TestIdentityRekeyedDocument: with Options.Identity, a document assigned
// again under another key of the same identity (an edit that moved the
// item's publication hour, which topicfeed's keys carry) is the document
// already indexed: re-indexed in its story under its first key, not a
// second document; its state is found under either key. Without Identity
// the keys are two documents.
func TestIdentityRekeyedDocument(t *testing.T) {
	ident := func(key string) string { return key[strings.IndexByte(key, '/')+1:] }
	const title = "CIA director: Iran-Russia ties worrying"
	for _, tc := range []struct {
		name     string
		identity func(string) string
		wantLen  int
	}{
		{"identity", ident, 1},
		{"whole key", nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix := New(Options{Identity: tc.identity})
			first := ix.Assign(doc("h1/a", "o1", title, burnsText, t0))
			again := ix.Assign(doc("h5/a", "o1", title+" (updated)", burnsText+" Updated.", t0.Add(5*time.Hour)))
			if ix.Len() != tc.wantLen {
				t.Fatalf("%d documents indexed, want %d", ix.Len(), tc.wantLen)
			}
			if tc.identity == nil {
				return
			}
			if again.StoryID != first.StoryID || again.DuplicateOf != "" || !strings.Contains(again.Reason, "re-indexed") {
				t.Errorf("again: %+v, want re-indexed in story %s", again, first.StoryID)
			}
			if e := ix.docs.get(ix.mustLookup("a")); e == nil || e.key != "h1/a" || !e.publishedAt().Equal(t0.Add(5*time.Hour)) {
				t.Errorf("indexed entry %+v, want the new version under the first key h1/a", e)
			}
			if ix.State("h1/a") == nil || !bytes.Equal(ix.State("h1/a"), ix.State("h5/a")) || !bytes.Equal(again.State, ix.State("h1/a")) {
				t.Error("the state is not found under both keys")
			}
			// a copy of it names the first key, the one storage holds
			copyDoc := ix.Assign(doc("h6/b", "o2", title, burnsText+" Updated.", t0.Add(6*time.Hour)))
			if copyDoc.DuplicateOf != "h1/a" {
				t.Errorf("a copy: %+v, want DuplicateOf h1/a", copyDoc)
			}
		})
	}
}
