package cluster

import (
	"bufio"
	"crypto/sha256"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	sets "github.com/topicfeed/topicfeed/aggregator/cluster/storysettest"
)

var updateDecisions = flag.Bool("update-decisions", false, "rewrite testdata/decisions.golden from the current index")

// decisionsGolden holds, per replay, a digest of every decision the index
// made: its story, copy, similarity, reason, related story and every Move,
// and every document's story at the end. It was written by the index before
// recluster's work was cut (go test -run TestDecisionsUnchanged
// -update-decisions), so that changes meant to make the index cheaper are
// shown to decide exactly as before. A change meant to decide differently
// rewrites it, and says so.
var decisionsGolden = filepath.Join("testdata", "decisions.golden")

// decisionReplay is one arrival order of documents.
type decisionReplay struct {
	name string
	docs []Doc
}

// decisionReplays are the replays of TestDecisionsUnchanged: synthetic
// write-ups of events arriving outlet by outlet (a cold start) and
// shuffled, and the labelled story sets in random arrival orders.
func decisionReplays(tb testing.TB) []decisionReplay {
	var out []decisionReplay
	for k, size := range [][2]int{{8, 40}, {20, 25}} {
		docs := coldArrivals(size[0], size[1])
		out = append(out, decisionReplay{fmt.Sprintf("synthetic/cold-%dx%d", size[0], size[1]), docs})
		rng := rand.New(rand.NewPCG(uint64(k), 99))
		shuffled := slices.Clone(docs)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		out = append(out, decisionReplay{fmt.Sprintf("synthetic/shuffled-%dx%d", size[0], size[1]), shuffled})
	}
	if _, err := os.Stat(storySetDir); err != nil && os.Getenv("CI") == "" {
		tb.Logf("labelled story sets not replayed: %v", err)
		return out
	}
	for _, topic := range sets.Sets {
		arts := loadStorySet(tb, topic)
		for _, tm := range sets.Timings {
			dated := sets.Dated(arts, "", tm)
			for k, order := range sets.Orders(dated, 4, sets.Lag[tm]) {
				docs := make([]Doc, len(order.Seq))
				for i, a := range order.Seq {
					art := dated[a]
					docs[i] = Doc{Key: art.ID, Outlet: art.Outlet, Title: art.Title, Text: art.Text(), Published: art.Published}
				}
				out = append(out, decisionReplay{fmt.Sprintf("%s/%s/%d", topic, strings.ReplaceAll(tm.String(), " ", "_"), k), docs})
			}
		}
	}
	return out
}

// decisionDigest replays docs into a new index and digests every decision
// and the stories at the end; moves counts the Moves.
func decisionDigest(docs []Doc) (digest string, moves int) {
	ix := New(Options{})
	h := sha256.New()
	for _, d := range docs {
		dec := ix.Assign(d)
		fmt.Fprintf(h, "%s %q %q %.17g %q %q\n", d.Key, dec.StoryID, dec.DuplicateOf, dec.Similarity, dec.Reason, dec.Related)
		for _, m := range dec.Moved {
			fmt.Fprintf(h, "  %s %s→%s\n", m.Key, m.From, m.To)
			moves++
		}
	}
	for _, d := range docs {
		story, ok := ix.StoryOf(d.Key)
		fmt.Fprintf(h, "%s %s %v\n", d.Key, story, ok)
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:12]), moves
}

// TestDecisionsUnchanged replays documents in many arrival orders and
// checks that every decision and every move is the one in
// decisionsGolden. The digests hold on amd64, where Go does not fuse
// floating-point multiply-adds; elsewhere the test is skipped.
func TestDecisionsUnchanged(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("decision digests are recorded on amd64; %s may round the scores differently", runtime.GOARCH)
	}
	want := map[string]string{}
	if !*updateDecisions {
		f, err := os.Open(decisionsGolden)
		if err != nil {
			t.Fatalf("read decision digests: %v", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if name, digest, ok := strings.Cut(sc.Text(), " "); ok {
				want[name] = digest
			}
		}
	}
	var lines []string
	for _, r := range decisionReplays(t) {
		got, moves := decisionDigest(r.docs)
		t.Logf("%s: %d documents, %d moves", r.name, len(r.docs), moves)
		lines = append(lines, r.name+" "+got)
		if *updateDecisions {
			continue
		}
		if w, ok := want[r.name]; !ok {
			t.Errorf("%s: no recorded digest", r.name)
		} else if w != got {
			t.Errorf("%s: decisions differ from the recorded ones (digest %s, recorded %s)", r.name, got, w)
		}
	}
	if *updateDecisions {
		if err := os.WriteFile(decisionsGolden, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatalf("write decision digests: %v", err)
		}
	}
}
