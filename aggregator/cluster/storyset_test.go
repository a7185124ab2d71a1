package cluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// storySetDir holds the labelled sets of real articles (../shared/stories
// beside the checkout; CI has it). Their terms are read from there, never
// copied into the project.
var storySetDir = filepath.Join("..", "..", "..", "shared", "stories")

// storySets are the topics of ../shared/stories.
var storySets = []string{"iru", "mideast", "tariffs"}

// setArticle is one article of a story set.
type setArticle struct {
	ID        string     `json:"id"`
	Topic     string     `json:"topic"`
	Outlet    string     `json:"outlet"`
	URL       string     `json:"url"`
	Title     string     `json:"title"`
	Date      string     `json:"published"`
	Time      *string    `json:"published_time"`
	Language  string     `json:"language"`
	Terms     [][]string `json:"paragraph_terms"`
	Story     string     `json:"story"`
	Related   []string   `json:"related"`
	Split     string     `json:"split"`
	published time.Time
}

// text is the article as the set allows to rebuild it: one paragraph per
// list of terms, joined with spaces.
func (a setArticle) text() string {
	paras := make([]string, len(a.Terms))
	for i, ts := range a.Terms {
		paras[i] = strings.Join(ts, " ")
	}
	return strings.Join(paras, "\n\n")
}

// loadStorySet reads one topic's articles, skipping the test when the
// shared folder is not there (outside CI).
func loadStorySet(tb testing.TB, topic string) []setArticle {
	tb.Helper()
	path := filepath.Join(storySetDir, topic+".jsonl")
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("story set: %v", err)
		}
		tb.Skipf("story set not found (it lives in /work/shared/stories; CI has it): %v", err)
	}
	defer f.Close()
	var out []setArticle
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var a setArticle
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			tb.Fatalf("%s:%d: %v", path, line, err)
		}
		day, err := time.Parse("2006-01-02", a.Date)
		if err != nil {
			tb.Fatalf("%s:%d: published: %v", path, line, err)
		}
		if a.Time != nil {
			hm, err := time.Parse("15:04", *a.Time)
			if err != nil {
				tb.Fatalf("%s:%d: published_time: %v", path, line, err)
			}
			a.published = day.Add(time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute)
		} else {
			// no time of day: a stable one between 06:00 and 18:00
			h := fnv.New32a()
			h.Write([]byte(a.ID))
			a.published = day.Add(6*time.Hour + time.Duration(h.Sum32()%720)*time.Minute)
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if len(out) < 50 {
		tb.Fatalf("%s: %d articles, want at least 50", path, len(out))
	}
	return out
}

// splitOf returns the articles of one split ("" for all).
func splitOf(arts []setArticle, split string) []setArticle {
	var out []setArticle
	for _, a := range arts {
		if split == "" || a.Split == split {
			out = append(out, a)
		}
	}
	return out
}

// timing is how a replay dates the articles.
type timing int

const (
	realDates timing = iota // their own dates
	busyDay                 // in publication order, spread evenly over one day
)

func (t timing) String() string { return [...]string{"real dates", "one busy day"}[t] }

// dated returns the articles sorted by publication, with their dates as the
// timing gives them.
func dated(arts []setArticle, t timing) []setArticle {
	arts = slices.Clone(arts)
	slices.SortStableFunc(arts, func(a, b setArticle) int {
		if c := a.published.Compare(b.published); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if t == busyDay {
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		step := 24 * time.Hour / time.Duration(len(arts))
		for i := range arts {
			arts[i].published = day.Add(time.Duration(i) * step)
		}
	}
	return arts
}

// groupScore is pairwise precision and recall and BCubed F1 of a grouping.
type groupScore struct {
	pairs   pairScore
	bcubedP float64
	bcubedR float64
}

func (s groupScore) f1() float64 {
	if s.bcubedP+s.bcubedR == 0 {
		return 0
	}
	return 2 * s.bcubedP * s.bcubedR / (s.bcubedP + s.bcubedR)
}

func (s groupScore) String() string {
	return fmt.Sprintf("pairwise P %.3f R %.3f (tp %d fp %d fn %d), BCubed F1 %.3f", s.pairs.precision(), s.pairs.recall(),
		s.pairs.tp, s.pairs.fp, s.pairs.fn, s.f1())
}

// scoreGrouping compares predicted groups with labels.
func scoreGrouping(ids, want, got []string) (groupScore, []string) {
	pairs, wrong := score(ids, want, got)
	var s groupScore
	s.pairs = pairs
	for i := range ids {
		same, w, g := 0, 0, 0
		for j := range ids {
			if want[i] == want[j] {
				w++
			}
			if got[i] == got[j] {
				g++
			}
			if want[i] == want[j] && got[i] == got[j] {
				same++
			}
		}
		s.bcubedP += float64(same) / float64(g)
		s.bcubedR += float64(same) / float64(w)
	}
	s.bcubedP /= float64(len(ids))
	s.bcubedR /= float64(len(ids))
	return s, wrong
}

// replay assigns the articles (dated) in the arrival order given by a
// permutation of their indices and scores the result.
func replay(arts []setArticle, order []int, o Options) (groupScore, []string) {
	ix := New(o)
	got := make([]string, len(arts))
	index := make(map[string]int, len(arts))
	for i, a := range arts {
		index[a.ID] = i
	}
	for _, i := range order {
		a := arts[i]
		d := ix.Assign(Doc{Key: a.ID, Outlet: a.Outlet, Title: a.Title, Text: a.text(), Published: a.published})
		got[i] = d.StoryID
		for _, m := range d.Moved {
			if got[index[m.Key]] != m.From {
				panic(fmt.Sprintf("%s moved from %s, but it was in %s", m.Key, m.From, got[index[m.Key]]))
			}
			got[index[m.Key]] = m.To
		}
	}
	ids, want := make([]string, len(arts)), make([]string, len(arts))
	for i, a := range arts {
		ids[i], want[i] = a.ID, a.Story
	}
	return scoreGrouping(ids, want, got)
}

// arrivalOrders returns n arrival orders of the articles (sorted by
// publication): publication order first, then orders from a fixed seed in
// which each article arrives up to lag after its publication (a poll that
// comes late, a cold start catching up); lag 0 shuffles them all.
func arrivalOrders(arts []setArticle, n int, lag time.Duration) [][]int {
	rng := rand.New(rand.NewPCG(20, 26))
	orders := make([][]int, n)
	for k := range orders {
		orders[k] = make([]int, len(arts))
		for i := range orders[k] {
			orders[k][i] = i
		}
		switch {
		case k == 0:
		case lag == 0:
			rng.Shuffle(len(arts), func(i, j int) { orders[k][i], orders[k][j] = orders[k][j], orders[k][i] })
		default:
			at := make([]time.Time, len(arts))
			for i, a := range arts {
				at[i] = a.published.Add(time.Duration(rng.Int64N(int64(lag))))
			}
			slices.SortStableFunc(orders[k], func(a, b int) int { return at[a].Compare(at[b]) })
		}
	}
	return orders
}

// arrivalLag is how late articles arrive in the replays: at real dates
// within a day of their publication, on the busy day in any order.
var arrivalLag = map[timing]time.Duration{realDates: 24 * time.Hour, busyDay: 0}

// worstOf replays the articles in every order and returns the worst score
// (lowest precision, then lowest recall) and the wrong pairs of that run.
func worstOf(arts []setArticle, orders [][]int, o Options) (worst groupScore, wrong []string, best groupScore) {
	for k, order := range orders {
		s, w := replay(arts, order, o)
		if k == 0 || s.pairs.precision() < worst.pairs.precision() ||
			s.pairs.precision() == worst.pairs.precision() && s.pairs.recall() < worst.pairs.recall() {
			worst, wrong = s, w
		}
		if k == 0 || s.f1() > best.f1() {
			best = s
		}
	}
	return worst, wrong, best
}

// storyTargets are the acceptance targets of story grouping on the test
// split, worst of 20 arrival orders (issue 20).
var storyTargets = map[timing]struct{ precision, recall float64 }{
	realDates: {0.97, 0.90},
	busyDay:   {0.95, 0.85},
}

// storyFloors are what TestStorySets holds the default options to on the
// test split, worst of 20 arrival orders: a little below what they gave
// when last tuned (on dev), so that a change that loses quality fails.
// They are below storyTargets (recall most): see NOTES.md.
var storyFloors = map[string]map[timing]struct{ precision, recall float64 }{
	"iru":     {realDates: {0.95, 0.25}, busyDay: {0.90, 0.28}},
	"mideast": {realDates: {0.95, 0.70}, busyDay: {0.95, 0.50}},
	"tariffs": {realDates: {0.90, 0.70}, busyDay: {0.95, 0.50}},
}

// TestStorySets replays each labelled set of real articles (test split, and
// dev for comparison) through Assign at its real dates and compressed into
// one busy day, in 20 arrival orders, and fails when the worst order falls
// below its floor. It logs whether the targets are met.
func TestStorySets(t *testing.T) {
	for _, topic := range storySets {
		arts := loadStorySet(t, topic)
		for _, tm := range []timing{realDates, busyDay} {
			for _, split := range []string{"dev", "test"} {
				t.Run(fmt.Sprintf("%s/%s/%s", topic, tm, split), func(t *testing.T) {
					items := dated(splitOf(arts, split), tm)
					worst, wrong, best := worstOf(items, arrivalOrders(items, 20, arrivalLag[tm]), Options{})
					t.Logf("%d articles, worst of 20 orders: %v (best order: %v)", len(items), worst, best)
					if testing.Verbose() {
						for _, w := range wrong {
							t.Log(w)
						}
					}
					if split != "test" {
						return
					}
					if want := storyTargets[tm]; worst.pairs.precision() < want.precision || worst.pairs.recall() < want.recall {
						t.Logf("below the target precision %.2f, recall %.2f", want.precision, want.recall)
					}
					if floor := storyFloors[topic][tm]; worst.pairs.precision() < floor.precision || worst.pairs.recall() < floor.recall {
						t.Errorf("story grouping %v, want precision ≥ %.2f and recall ≥ %.2f", worst, floor.precision, floor.recall)
					}
				})
			}
		}
	}
}

// TestStorySweep (STORYSWEEP=1, slow) prints the worst of 20 orders of
// every set, split and timing at story thresholds around the default.
func TestStorySweep(t *testing.T) {
	if os.Getenv("STORYSWEEP") == "" {
		t.Skip("STORYSWEEP not set")
	}
	for _, th := range []float64{0.5, 0.6, 0.7, 0.8} {
		for _, topic := range storySets {
			arts := loadStorySet(t, topic)
			for _, tm := range []timing{realDates, busyDay} {
				for _, split := range []string{"dev", "test"} {
					items := dated(splitOf(arts, split), tm)
					worst, _, _ := worstOf(items, arrivalOrders(items, 20, arrivalLag[tm]), Options{StoryThreshold: th})
					t.Logf("threshold %.2f %-8s %-12s %-4s P %.3f R %.3f BCubed F1 %.3f", th, topic, tm, split,
						worst.pairs.precision(), worst.pairs.recall(), worst.f1())
				}
			}
		}
	}
}

// TestStorySetsDev prints the figures of one split (STORYSPLIT, default dev)
// in publication order with the wrong pairs, for tuning (STORYDEV=1, or v
// for the pairs; STORYTH sets the threshold).
func TestStorySetsDev(t *testing.T) {
	if os.Getenv("STORYDEV") == "" {
		t.Skip("STORYDEV not set")
	}
	split := os.Getenv("STORYSPLIT")
	if split == "" {
		split = "dev"
	}
	for _, topic := range storySets {
		arts := loadStorySet(t, topic)
		for _, tm := range []timing{realDates, busyDay} {
			items := dated(splitOf(arts, split), tm)
			th, _ := strconv.ParseFloat(os.Getenv("STORYTH"), 64)
			s, wrong := replay(items, arrivalOrders(items, 1, 0)[0], Options{StoryThreshold: th})
			t.Logf("%s/%s/%s: %v", topic, tm, split, s)
			if os.Getenv("STORYDEV") == "v" {
				for _, w := range wrong {
					t.Log("   ", w)
				}
			}
		}
	}
}
