package main

import (
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Options describe a simulated set of outlets. Everything feedsim serves is
// a function of these and of the round number.
type Options struct {
	Outlets     int     // number of outlets
	Items       int     // items in each feed document
	NewPerRound int     // items an outlet publishes when it changes
	Churn       float64 // fraction of outlets that change each round
	OnTopic     float64 // fraction of items on topic
	Wire        float64 // fraction of items that are wire copies shared across outlets
	WireSpread  int     // average number of outlets carrying one wire story
	Russian     float64 // fraction of outlets writing in Russian
	Persian     float64 // fraction of outlets writing in Persian
	MinBytes    int     // smallest item HTML
	MaxBytes    int     // largest item HTML
	Seed        uint64
	// Epoch is the publication time of round 0's newest items; later
	// rounds are RoundPeriod apart.
	Epoch       time.Time
	RoundPeriod time.Duration
}

// DefaultOptions returns the options feedsim's flags default to.
func DefaultOptions() Options {
	return Options{
		Outlets: 100, Items: 50, NewPerRound: 3, Churn: 0.05, OnTopic: 0.3, Wire: 0.2, WireSpread: 3,
		Russian: 0.1, Persian: 0.1, MinBytes: 1024, MaxBytes: 8192, Seed: 1,
		Epoch: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), RoundPeriod: 15 * time.Minute,
	}
}

func (o Options) validate() error {
	var errs []error
	if o.Outlets < 1 {
		errs = append(errs, fmt.Errorf("outlets: %d, want at least 1", o.Outlets))
	}
	if o.Items < 1 || o.NewPerRound < 1 {
		errs = append(errs, fmt.Errorf("items %d and new items per round %d: want at least 1", o.Items, o.NewPerRound))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"churn", o.Churn}, {"on-topic", o.OnTopic}, {"wire", o.Wire}, {"ru", o.Russian}, {"fa", o.Persian}} {
		if f.v < 0 || f.v > 1 || math.IsNaN(f.v) {
			errs = append(errs, fmt.Errorf("%s: %v, want a fraction in [0, 1]", f.name, f.v))
		}
	}
	if o.Russian+o.Persian > 1 {
		errs = append(errs, fmt.Errorf("ru %v + fa %v: more than every outlet", o.Russian, o.Persian))
	}
	if o.MinBytes < 256 || o.MaxBytes < o.MinBytes {
		errs = append(errs, fmt.Errorf("item size %d..%d bytes: want 256 <= min <= max", o.MinBytes, o.MaxBytes))
	}
	if o.WireSpread < 1 {
		errs = append(errs, fmt.Errorf("wire spread: %d, want at least 1", o.WireSpread))
	}
	if o.RoundPeriod <= 0 {
		errs = append(errs, fmt.Errorf("round period: %v, want more than 0", o.RoundPeriod))
	}
	return errors.Join(errs...)
}

// Sim is the state of the simulated outlets: the current round and, per
// outlet, how many times it has changed and in which round it last did.
// It is safe for concurrent use.
type Sim struct {
	opts Options

	mu          sync.RWMutex
	round       int
	version     []int // per outlet: rounds in which it changed
	lastChanged []int // per outlet: the round of its last change
	changedLast int   // outlets changed by the latest round
}

// NewSim returns the simulation at round 0.
func NewSim(o Options) (*Sim, error) {
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("feedsim options: %w", err)
	}
	return &Sim{opts: o, version: make([]int, o.Outlets), lastChanged: make([]int, o.Outlets)}, nil
}

// Options returns the options the simulation was made with.
func (s *Sim) Options() Options { return s.opts }

// Round returns the current round.
func (s *Sim) Round() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.round
}

// Advance moves to the next round: exactly round(Churn × Outlets) outlets,
// chosen from the seed and the round number, publish NewPerRound items.
// It returns the new round and the outlets that changed, in order.
func (s *Sim) Advance() (round int, changed []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.round++
	k := int(math.Round(s.opts.Churn * float64(s.opts.Outlets)))
	changed = rng(s.opts.Seed, saltRound, uint64(s.round)).Perm(s.opts.Outlets)[:k]
	for _, n := range changed {
		s.version[n]++
		s.lastChanged[n] = s.round
	}
	s.changedLast = k
	sortInts(changed)
	return s.round, changed
}

// state returns an outlet's version in the current round.
func (s *Sim) state(n int) (version int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.version[n]
}

// ChangedLastRound returns how many outlets the latest Advance changed.
func (s *Sim) ChangedLastRound() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.changedLast
}

// Salts keep the random streams of different purposes apart.
const (
	saltItem = iota + 1
	saltWire
	saltRound
	saltOutlet
)

// rng returns the random stream for (seed, salt, key).
func rng(seed, salt, key uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^(salt*0x9e3779b97f4a7c15), key*0xbf58476d1ce4e5b9+salt))
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// Outlet facts that do not change between rounds.

// Format returns the feed format outlet n publishes: rss, atom or json.
func Format(n int) string { return formats[n%len(formats)] }

var formats = []string{"rss", "atom", "json"}

// langOf returns the index in languages of the language outlet n writes
// in.
func (s *Sim) langOf(n int) int {
	f := rng(s.opts.Seed, saltOutlet, uint64(n)).Float64()
	switch {
	case f < s.opts.Russian:
		return 1
	case f < s.opts.Russian+s.opts.Persian:
		return 2
	}
	return 0
}

// OutletName is the configured name of outlet n.
func OutletName(n int) string { return fmt.Sprintf("Feedsim %05d", n) }

func siteOf(n int) string { return fmt.Sprintf("https://outlet-%05d.feedsim.test", n) }

// Item is one generated item.
type Item struct {
	Seq       int
	GUID      string
	Link      string
	Title     string
	Lead      string // plain text
	HTML      string // the full content, lead included
	Author    string
	Category  string
	Lang      string
	Published time.Time
	OnTopic   bool
	Wire      int // the wire story it copies, or -1
}

// seqTime is the publication time of an outlet's item number seq: items
// are spaced so that a feed's newest item at round r is near Epoch + r ×
// RoundPeriod.
func (s *Sim) seqTime(n, seq int) time.Time {
	step := s.opts.RoundPeriod / time.Duration(s.opts.NewPerRound)
	t := s.opts.Epoch.Add(time.Duration(seq-s.opts.Items+1) * step)
	return t.Add(time.Duration(n%60) * time.Second).Truncate(time.Second)
}

// item generates outlet n's item number seq.
func (s *Sim) item(n, seq int) Item {
	r := rng(s.opts.Seed, saltItem, uint64(n)<<32|uint64(seq))
	li := s.langOf(n)
	l := &languages[li]
	it := Item{
		Seq:       seq,
		GUID:      fmt.Sprintf("%s/articles/%d", siteOf(n), seq),
		Link:      fmt.Sprintf("%s/articles/%d?utm_source=rss", siteOf(n), seq),
		Author:    fmt.Sprintf("Reporter %d", r.IntN(40)),
		Lang:      l.code,
		Published: s.seqTime(n, seq),
		Wire:      -1,
	}
	// The body comes from a wire story (the same text in several outlets
	// of one language) or from the item's own stream.
	body := r
	if r.Float64() < s.opts.Wire {
		pool := max(1, int(float64(s.opts.Outlets*s.opts.Items)*s.opts.Wire)/s.opts.WireSpread)
		it.Wire = r.IntN(pool)
		body = rng(s.opts.Seed, saltWire, uint64(it.Wire)*uint64(len(languages))+uint64(li))
	}
	it.OnTopic = body.Float64() < s.opts.OnTopic
	target := s.opts.MinBytes + body.IntN(s.opts.MaxBytes-s.opts.MinBytes+1)
	var title, lead string
	if it.OnTopic {
		title, lead = pick(body, l.onTitle), pick(body, l.onLead)
		it.Category = "World"
		// The headline's tail is the outlet's own: wire copies differ in it.
		it.Title = fmt.Sprintf(title, pick(r, l.tails))
		it.Lead = fmt.Sprintf(lead, fmt.Sprint(2+body.IntN(60)))
	} else {
		title, lead = pick(body, l.offTitle), pick(body, l.offLead)
		it.Category = pick(body, []string{"Sport", "Economy", "Weather"})
		slot := pick(body, l.slots)
		it.Title = fmt.Sprintf(title, slot)
		if it.Wire >= 0 && r.IntN(2) == 0 {
			it.Title += pick(r, []string{" (update)", " – report", ": what we know"})
		}
		it.Lead = fmt.Sprintf(lead, slot)
	}
	var b strings.Builder
	b.Grow(target + 256)
	fmt.Fprintf(&b, "<p><strong>%s</strong></p>\n", html.EscapeString(it.Lead))
	for p := 0; b.Len() < target; p++ {
		b.WriteString("<p>")
		for range 2 + body.IntN(4) {
			sentence(&b, body, l)
			b.WriteByte(' ')
		}
		b.WriteString("</p>\n")
		switch {
		case p == 1:
			fmt.Fprintf(&b, `<figure><img src="/images/%d.jpg" alt=""><figcaption>Photo %d</figcaption></figure>`+"\n", body.IntN(1e6), body.IntN(100))
		case p == 3:
			fmt.Fprintf(&b, `<p>See <a href="/articles/%d">our earlier report</a>.</p>`+"\n", body.IntN(1e6))
		}
	}
	it.HTML = b.String()
	return it
}

// Items returns outlet n's feed items in the current round, newest first.
func (s *Sim) Items(n int) []Item {
	return s.itemsAt(n, s.state(n))
}

func (s *Sim) itemsAt(n, version int) []Item {
	first := version * s.opts.NewPerRound
	out := make([]Item, 0, s.opts.Items)
	for seq := first + s.opts.Items - 1; seq >= first; seq-- {
		out = append(out, s.item(n, seq))
	}
	return out
}

// validators returns outlet n's ETag (for a format) and Last-Modified at
// a version.
func (s *Sim) validators(n, version int, format string) (etag string, lastModified time.Time) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d/%d/%s", s.opts.Seed, n, version, format)
	newest := version*s.opts.NewPerRound + s.opts.Items - 1
	return fmt.Sprintf(`"%016x"`, h.Sum64()), s.seqTime(n, newest)
}
