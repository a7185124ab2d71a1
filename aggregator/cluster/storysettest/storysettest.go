// Package storysettest reads the labelled story sets of real articles
// (../shared/stories beside the checkout) and replays and scores them the
// same way for the tests that use them: the story index's own
// (aggregator/cluster) and the whole pipeline's (aggregator). It is used
// by tests only. The articles' terms are read at run time, never copied
// into the project.
package storysettest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Sets are the topics of the story sets.
var Sets = []string{"iru", "mideast", "tariffs"}

// Article is one labelled article of a story set.
type Article struct {
	ID       string     `json:"id"`
	Topic    string     `json:"topic"`
	Outlet   string     `json:"outlet"`
	URL      string     `json:"url"`
	Title    string     `json:"title"`
	Date     string     `json:"published"`
	Time     *string    `json:"published_time"`
	Language string     `json:"language"`
	Terms    [][]string `json:"paragraph_terms"`
	Story    string     `json:"story"`
	Related  []string   `json:"related"`
	Split    string     `json:"split"`
	// Published is its publication time: its date and time, or a stable
	// time between 06:00 and 18:00 when the set gives no time of day.
	Published time.Time `json:"-"`
}

// Paragraphs are the article's paragraphs as the set allows to rebuild
// them: each list of terms joined with spaces.
func (a Article) Paragraphs() []string {
	paras := make([]string, len(a.Terms))
	for i, ts := range a.Terms {
		paras[i] = strings.Join(ts, " ")
	}
	return paras
}

// Text is the article's paragraphs separated by blank lines.
func (a Article) Text() string { return strings.Join(a.Paragraphs(), "\n\n") }

// Load reads one topic's articles from dir, skipping the test when the
// folder is not there, unless the CI environment variable is set.
func Load(tb testing.TB, dir, topic string) []Article {
	tb.Helper()
	path := filepath.Join(dir, topic+".jsonl")
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("story set: %v", err)
		}
		tb.Skipf("story set not found (it lives in /work/shared/stories; CI has it): %v", err)
	}
	defer f.Close()
	var out []Article
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var a Article
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
			a.Published = day.Add(time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute)
		} else {
			h := fnv.New32a()
			h.Write([]byte(a.ID))
			a.Published = day.Add(6*time.Hour + time.Duration(h.Sum32()%720)*time.Minute)
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

// Timing is how a replay dates the articles.
type Timing int

const (
	RealDates Timing = iota // their own dates
	BusyDay                 // in publication order, spread evenly over one day
)

func (t Timing) String() string { return [...]string{"real dates", "one busy day"}[t] }

// Timings are both timings.
var Timings = []Timing{RealDates, BusyDay}

// Lag is how late articles arrive in the replays: at real dates within a
// day of their publication (a poll that comes late, a cold start catching
// up), on the busy day in any order.
var Lag = map[Timing]time.Duration{RealDates: 24 * time.Hour, BusyDay: 0}

// Dated returns the articles of one split ("" for all), sorted by
// publication, with their dates as the timing gives them.
func Dated(arts []Article, split string, t Timing) []Article {
	var out []Article
	for _, a := range arts {
		if split == "" || a.Split == split {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b Article) int {
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if t == BusyDay && len(out) > 0 {
		day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		step := 24 * time.Hour / time.Duration(len(out))
		for i := range out {
			out[i].Published = day.Add(time.Duration(i) * step)
		}
	}
	return out
}

// Order is one arrival order: the articles' indices in the order they
// arrive, and the clock at each arrival (by article index).
type Order struct {
	Seq []int
	At  []time.Time
}

// Orders returns n arrival orders of the articles (sorted by publication),
// from a fixed seed: publication order first, then orders in which each
// article arrives up to lag after its publication; lag 0 shuffles them
// all. An article arrives at its arrival time, or, in a shuffle, when the
// clock has reached its publication (the clock never goes back).
func Orders(arts []Article, n int, lag time.Duration) []Order {
	rng := rand.New(rand.NewPCG(20, 26))
	orders := make([]Order, n)
	for k := range orders {
		seq := make([]int, len(arts))
		at := make([]time.Time, len(arts))
		for i, a := range arts {
			seq[i], at[i] = i, a.Published
		}
		switch {
		case k == 0:
		case lag == 0:
			rng.Shuffle(len(arts), func(i, j int) { seq[i], seq[j] = seq[j], seq[i] })
		default:
			for i, a := range arts {
				at[i] = a.Published.Add(time.Duration(rng.Int64N(int64(lag))))
			}
			slices.SortStableFunc(seq, func(a, b int) int { return at[a].Compare(at[b]) })
		}
		var clock time.Time
		for _, i := range seq {
			if at[i].After(clock) {
				clock = at[i]
			}
			at[i] = clock
		}
		orders[k] = Order{Seq: seq, At: at}
	}
	return orders
}

// Score is pairwise precision and recall and BCubed F1 of a grouping.
type Score struct {
	TP, FP, FN       int
	BCubedP, BCubedR float64
}

// Precision is the share of the pairs grouped together that are one story.
func (s Score) Precision() float64 {
	if s.TP+s.FP == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FP)
}

// Recall is the share of the pairs of one story that are grouped together.
func (s Score) Recall() float64 {
	if s.TP+s.FN == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.TP+s.FN)
}

// F1 is BCubed F1.
func (s Score) F1() float64 {
	if s.BCubedP+s.BCubedR == 0 {
		return 0
	}
	return 2 * s.BCubedP * s.BCubedR / (s.BCubedP + s.BCubedR)
}

func (s Score) String() string {
	return fmt.Sprintf("pairwise P %.3f R %.3f (tp %d fp %d fn %d), BCubed F1 %.3f", s.Precision(), s.Recall(), s.TP, s.FP, s.FN, s.F1())
}

// Worse reports whether s is worse than o: lower precision, then lower
// recall.
func (s Score) Worse(o Score) bool {
	return s.Precision() < o.Precision() || s.Precision() == o.Precision() && s.Recall() < o.Recall()
}

// Grouping compares predicted groups (got) with labels (want), article by
// article, and returns the score and the wrong pairs. An empty label or
// prediction is a group of its own.
func Grouping(ids, want, got []string) (Score, []string) {
	var s Score
	var wrong []string
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			w, g := same(want, i, j), same(got, i, j)
			switch {
			case w && g:
				s.TP++
			case g:
				s.FP++
				wrong = append(wrong, fmt.Sprintf("false pair %s + %s", ids[i], ids[j]))
			case w:
				s.FN++
				wrong = append(wrong, fmt.Sprintf("missed pair %s + %s", ids[i], ids[j]))
			}
		}
	}
	for i := range ids {
		both, w, g := 0, 0, 0
		for j := range ids {
			sw, sg := i == j || same(want, i, j), i == j || same(got, i, j)
			if sw {
				w++
			}
			if sg {
				g++
			}
			if sw && sg {
				both++
			}
		}
		s.BCubedP += float64(both) / float64(g)
		s.BCubedR += float64(both) / float64(w)
	}
	if len(ids) > 0 {
		s.BCubedP /= float64(len(ids))
		s.BCubedR /= float64(len(ids))
	}
	return s, wrong
}

// same reports whether items i and j have one non-empty label.
func same(labels []string, i, j int) bool {
	return labels[i] != "" && labels[i] == labels[j]
}
