package storage

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/topicfeed/topicfeed/news"
)

// TestSizeLevelsOffUnderRetention simulates weeks of steady ingestion with
// a fixed retention, as the daemon runs it: every few hours each outlet is
// polled (new items, the previous poll's items again, one of them edited,
// some articles another outlet already carried) and then old items are
// pruned. Once the store holds a full retention period, the space its
// pages use and the size of its files (main file and WAL, after a
// checkpoint) must stay level, not grow day after day: pruned pages are
// reused by the next days' items. After every prune the stories, counts
// and outlets' item counts must agree with what the simulation expects.
func TestSizeLevelsOffUnderRetention(t *testing.T) {
	const (
		retentionDays = 5
		warmupDays    = retentionDays + 2
		measuredDays  = 3 * retentionDays
		roundsPerDay  = 4  // polls of every outlet, each followed by a prune
		perPoll       = 15 // new items per outlet and poll: 300 a day
		tolerance     = 0.15
		levelSlack    = 0.02
	)
	outlets := []string{"Tehran Times", "TASS", "Kyiv Independent", "Al Jazeera", "Reuters"}
	clock := newTestClock()
	s := &growthSim{
		tb:        t,
		db:        openTest(t, clock, outlets...),
		clock:     clock,
		g:         newBenchGen(8),
		outlets:   outlets,
		retention: retentionDays * 24 * time.Hour,
		roundGap:  24 * time.Hour / roundsPerDay,
		last:      map[string][]news.Item{},
		live:      map[string]growthLive{},
	}
	start := time.Now()
	var samples []growthSample
	partial := 0
	for d := range warmupDays + measuredDays {
		s.today = s.today[:0]
		for range roundsPerDay {
			s.clock.Advance(s.roundGap)
			for _, o := range outlets {
				s.poll(d, o, perPoll)
			}
			partial += s.prune()
		}
		s.checkStories()
		samples = append(samples, s.measure(d))
	}
	elapsed := time.Since(start)
	// Pruning left no row behind that refers to a deleted item (a check
	// of every table, so once).
	var fk int
	if err := s.db.r.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Errorf("foreign key check: %d violations, %v", fk, err)
	}

	t.Logf("%d items a day, retention %d days, %d polls and prunes a day; %d stories partly pruned; %v",
		roundsPerDay*len(outlets)*perPoll, retentionDays, roundsPerDay, partial, elapsed.Round(time.Millisecond))
	t.Logf("%4s %6s %10s %10s %8s %10s %12s", "day", "items", "used", "file", "free pg", "wal", "wal before")
	for _, m := range samples {
		t.Logf("%4d %6d %10d %10d %8d %10d %12d", m.day, m.items, m.used, m.file, m.freePages, m.wal, m.walBefore)
	}
	if partial == 0 {
		t.Errorf("no story was ever partly pruned: the consistency checks did not run")
	}

	base := samples[warmupDays-1]
	measured := samples[warmupDays:]
	for _, m := range measured {
		if m.wal != 0 {
			t.Errorf("day %d: WAL is %d bytes after a TRUNCATE checkpoint", m.day, m.wal)
		}
		if r := growthRatio(m.used, base.used); r < 1-tolerance || r > 1+tolerance {
			t.Errorf("day %d: %d bytes used, %.2f× the %d at the end of the warm-up (day %d): want within ±%.0f%%",
				m.day, m.used, r, base.used, base.day, tolerance*100)
		}
		if r := growthRatio(m.file, base.file); r > 1+tolerance {
			t.Errorf("day %d: files are %d bytes, %.2f× the %d at the end of the warm-up (day %d): want at most +%.0f%%",
				m.day, m.file, r, base.file, base.day, tolerance*100)
		}
	}
	// Level, not slowly creeping up within the tolerance: the files of the
	// last retention period are no larger than the largest of the first,
	// give or take levelSlack of the baseline (a day's new items are
	// about 20% of it; the figures are deterministic, the slack is for
	// schema changes that shift them a little).
	first, last := measured[:retentionDays], measured[len(measured)-retentionDays:]
	maxFile := func(ms []growthSample) int64 {
		var m int64
		for _, s := range ms {
			m = max(m, s.file)
		}
		return m
	}
	if a, b := maxFile(first), maxFile(last); b > a+int64(levelSlack*float64(base.file)) {
		t.Errorf("files still grow: at most %d bytes on days %d–%d, up to %d on days %d–%d",
			a, first[0].day, first[len(first)-1].day, b, last[0].day, last[len(last)-1].day)
	}
}

func growthRatio(a, b int64) float64 { return float64(a) / float64(b) }

// growthSim drives TestSizeLevelsOffUnderRetention and keeps what the
// store must hold.
type growthSim struct {
	tb        testing.TB
	db        *DB
	clock     *testClock
	g         *benchGen
	outlets   []string
	retention time.Duration
	roundGap  time.Duration

	last  map[string][]news.Item // each outlet's previous poll, which the next repeats
	today []news.Item            // items stored new today, for other outlets to carry
	live  map[string]growthLive  // by UID: every item the store must hold
}

type growthLive struct {
	story     string // "" for an off-topic item (a story of its own)
	published time.Time
}

// growthResend is how many items of its previous poll an outlet's feed repeats.
const growthResend = 5

// poll stores one fetch of outlet on day d: n new items, some of them
// another outlet's articles (same URL, or a near-duplicate copy), and the
// last poll's items again, the first of them edited.
func (s *growthSim) poll(d int, outlet string, n int) {
	now := s.clock.Now()
	rng := s.g.rng
	var batch []news.Item
	for i, it := range s.last[outlet] {
		if i == 0 {
			it = withText(it, it.Text+" (updated)")
			it.ContentHTML = growthHTML(it.Text)
		}
		batch = append(batch, it)
	}
	fresh := make([]news.Item, 0, n)
	var wantNew, wantDup int
	for range n {
		it := s.g.next(outlet)
		// Whole milliseconds, as stored.
		it.Published = now.Add(-time.Duration(rng.Int64N(int64(s.roundGap)))).Truncate(time.Millisecond)
		it.Updated, it.FirstSeen = it.Published, it.Published
		it.ContentHTML = growthHTML(it.Text)
		it.Image = it.URL + "/lead.jpg"
		it.Authors = []string{outlet + " staff"}
		if it.OnTopic {
			// A story gathers items over three days, so that pruning
			// takes some of its items and leaves the others.
			it.StoryID = fmt.Sprintf("story-%d-%d", d-rng.IntN(3), rng.IntN(8))
			it.StoryState = make([]byte, 1536)
			for i := range it.StoryState {
				it.StoryState[i] = byte(rng.Uint32())
			}
			it.StoryStateVersion = 1
		}
		var other *news.Item
		for _, c := range rng.Perm(len(s.today))[:min(3, len(s.today))] {
			if s.today[c].Outlet != outlet {
				other = &s.today[c]
				break
			}
		}
		switch r := rng.IntN(100); {
		case r < 3 && other != nil: // another outlet's article: a second source of it
			it.URL = other.URL
			wantDup++
		case r < 5 && other != nil: // a near-duplicate of one, as clustering found
			it.DuplicateOf = news.ItemUID(other.Outlet, other.GUID, other.Published)
			wantDup++
		default:
			wantNew++
			story := ""
			if it.OnTopic {
				story = it.StoryID
			}
			s.live[news.ItemUID(outlet, it.GUID, it.Published)] = growthLive{story: story, published: it.Published}
			s.today = append(s.today, it)
		}
		fresh = append(fresh, it)
	}
	batch = append(batch, fresh...)
	s.last[outlet] = fresh[len(fresh)-min(growthResend, len(fresh)):]
	stats := mustSave(s.tb, s.db, outlet, batch...)
	if stats.New != wantNew || stats.Duplicate != wantDup {
		s.tb.Fatalf("day %d, %s: %+v, want %d new and %d duplicates", d, outlet, stats, wantNew, wantDup)
	}
}

// growthHTML makes an article's HTML from its text: paragraphs, a figure
// and a link, about as large again as the text.
func growthHTML(text string) string {
	var b strings.Builder
	b.WriteString(`<figure><img src="https://cdn.example/img/lead.jpg" alt="" width="1200" height="800"><figcaption>` + text[:80] + `</figcaption></figure>`)
	for len(text) > 0 {
		n := min(400, len(text))
		b.WriteString(`<p class="article-body__paragraph">` + text[:n] + `</p>`)
		text = text[n:]
	}
	b.WriteString(`<p><a href="https://example.org/more" rel="noopener">Read more</a></p>`)
	return b.String()
}

// prune deletes what the retention period leaves behind, checks the store
// against what it must hold, and returns how many stories it pruned only
// some items of.
func (s *growthSim) prune() int {
	tb, db, ctx := s.tb, s.db, context.Background()
	tb.Helper()
	cutoff := s.clock.Now().Add(-s.retention)
	touched := map[string]bool{}
	want := 0
	for uid, it := range s.live {
		if it.published.Before(cutoff) {
			delete(s.live, uid)
			want++
			if it.story != "" {
				touched[it.story] = true
			}
		}
	}
	n, err := db.Prune(ctx, cutoff)
	if err != nil || n != want {
		tb.Fatalf("Prune(%v): %d, %v; want %d items", cutoff, n, err, want)
	}

	// The counts Stats keeps agree with a recount, and with the
	// simulation.
	got, err := db.Stats(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	recount, err := db.countStats(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if !equalStats(got, recount) {
		tb.Errorf("after Prune(%v): Stats\n %+v\nrecount\n %+v", cutoff, got, recount)
	}
	stories := s.stories()
	var on, off int
	for _, it := range s.live {
		if it.story != "" {
			on++
		} else {
			off++
		}
	}
	if got.Items != len(s.live) || got.OnTopic != on || got.Stories != len(stories)+off {
		tb.Errorf("after Prune(%v): Stats %d items, %d on topic, %d stories; want %d, %d, %d",
			cutoff, got.Items, got.OnTopic, got.Stories, len(s.live), on, len(stories)+off)
	}

	// Each outlet's item count agrees with its rows.
	outlets, err := db.Outlets(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, o := range outlets {
		var n int
		if err := db.r.QueryRow(`SELECT count(*) FROM item_outlets x JOIN outlets o ON o.id = x.outlet_id WHERE o.name = ?`, o.Name).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		if o.ItemCount != n {
			tb.Errorf("after Prune(%v): outlet %s item count %d, rows %d", cutoff, o.Name, o.ItemCount, n)
		}
	}

	// A story pruned in part still lists its remaining items, and a
	// story pruned whole lists none.
	partial := 0
	for _, story := range slices.Sorted(maps.Keys(touched)) {
		want := stories[story]
		if len(want) > 0 {
			partial++
		}
		got := uids(mustItems(tb, db, news.Query{StoryID: story}))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			tb.Errorf("after Prune(%v): story %s lists %d items %v, want %d %v", cutoff, story, len(got), got, len(want), want)
		}
	}
	return partial
}

// stories returns the UIDs of the live on-topic items of each story,
// sorted.
func (s *growthSim) stories() map[string][]string {
	out := map[string][]string{}
	for uid, it := range s.live {
		if it.story != "" {
			out[it.story] = append(out[it.story], uid)
		}
	}
	for _, u := range out {
		slices.Sort(u)
	}
	return out
}

// checkStories checks the per-story feed (one entry per story, its
// earliest remaining item) and that every on-topic item, and only those,
// keeps its story state.
func (s *growthSim) checkStories() {
	tb, db := s.tb, s.db
	tb.Helper()
	earliest := map[string]time.Time{}
	for _, it := range s.live {
		if it.story == "" {
			continue
		}
		if e, ok := earliest[it.story]; !ok || it.published.Before(e) {
			earliest[it.story] = it.published
		}
	}
	feed := mustItems(tb, db, news.Query{OnTopic: true, PerStory: true})
	got := map[string]time.Time{}
	for _, it := range feed {
		if _, dup := got[it.StoryID]; dup {
			tb.Errorf("per-story feed lists story %s twice", it.StoryID)
		}
		got[it.StoryID] = it.Published
	}
	if !maps.EqualFunc(got, earliest, time.Time.Equal) {
		tb.Errorf("per-story feed has %d stories, want %d, each with its earliest remaining item", len(got), len(earliest))
	}
	var states, onTopic int
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM story_states`:             &states,
		`SELECT count(*) FROM items WHERE on_topic = 1`: &onTopic,
	} {
		if err := db.r.QueryRow(q).Scan(dst); err != nil {
			tb.Fatal(err)
		}
	}
	if states != onTopic {
		tb.Errorf("%d story states for %d on-topic items", states, onTopic)
	}
}

// growthSample is the size of the store at the end of a simulated day.
type growthSample struct {
	day, items int
	used       int64 // bytes of pages in use: (page_count - freelist_count) × page_size
	freePages  int64
	file       int64 // bytes of the main file and the WAL after a TRUNCATE checkpoint
	wal        int64 // bytes of the WAL after it
	walBefore  int64 // bytes of the WAL before it, as the background checkpointer left it
}

func (s *growthSim) measure(d int) growthSample {
	tb, db := s.tb, s.db
	tb.Helper()
	m := growthSample{day: d, items: len(s.live)}
	m.walBefore = growthFileSize(tb, db.path+"-wal")
	checkpointTruncate(tb, db)
	var pages, free, size int64
	for q, dst := range map[string]*int64{
		`PRAGMA page_count`:     &pages,
		`PRAGMA freelist_count`: &free,
		`PRAGMA page_size`:      &size,
	} {
		if err := db.w.QueryRow(q).Scan(dst); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	m.used, m.freePages = (pages-free)*size, free
	m.wal = growthFileSize(tb, db.path+"-wal")
	m.file = growthFileSize(tb, db.path) + m.wal
	return m
}

func growthFileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Size()
}

// checkpointTruncate copies the whole WAL into the main file and empties
// it. The background checkpointer may hold the checkpoint lock, which
// SQLite does not wait for: it tries again.
func checkpointTruncate(tb testing.TB, db *DB) {
	tb.Helper()
	if db.eng != engineSQLite {
		return // PostgreSQL's server checkpoints on its own
	}
	for try := 0; ; try++ {
		var busy, frames, done int
		if err := db.w.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil {
			tb.Fatalf("wal_checkpoint(TRUNCATE): %v", err)
		}
		if busy == 0 {
			return
		}
		if try == 100 {
			tb.Fatalf("wal_checkpoint(TRUNCATE) still blocked after %d tries", try)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
