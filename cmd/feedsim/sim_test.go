package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/topicfeed/topicfeed/aggregator/tagger"
	"github.com/topicfeed/topicfeed/config"
)

func newTestSim(tb testing.TB, mod func(*Options)) *Sim {
	tb.Helper()
	o := DefaultOptions()
	o.Outlets, o.Items = 40, 12
	if mod != nil {
		mod(&o)
	}
	s, err := NewSim(o)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func newTestServer(tb testing.TB, sim *Sim) (*Server, *httptest.Server) {
	tb.Helper()
	srv := NewServer(sim, slog.New(slog.NewTextHandler(io.Discard, nil)))
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	return srv, hs
}

func get(tb testing.TB, url string, hdr map[string]string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}

// The same seed gives the same bytes, round after round; another seed
// gives other bytes.
func TestDeterministicFromSeed(t *testing.T) {
	a, b := newTestSim(t, nil), newTestSim(t, nil)
	c := newTestSim(t, func(o *Options) { o.Seed = 2 })
	for round := range 3 {
		if round > 0 {
			_, ca := a.Advance()
			_, cb := b.Advance()
			c.Advance()
			if !equalInts(ca, cb) {
				t.Fatalf("round %d: changed outlets differ: %v vs %v", round, ca, cb)
			}
		}
		for n := range a.opts.Outlets {
			for _, format := range formats {
				da, ea, la, err := a.Document(n, format)
				if err != nil {
					t.Fatal(err)
				}
				db, eb, lb, _ := b.Document(n, format)
				if !bytes.Equal(da, db) || ea != eb || !la.Equal(lb) {
					t.Fatalf("round %d outlet %d %s: documents differ for one seed", round, n, format)
				}
				if dc, _, _, _ := c.Document(n, format); bytes.Equal(da, dc) {
					t.Fatalf("round %d outlet %d %s: seeds 1 and 2 give the same document", round, n, format)
				}
			}
		}
	}
}

// Every document parses with gofeed, in every format, with the configured
// number of items, 1–8 KB of HTML each, and unique GUIDs per outlet.
func TestDocumentsParse(t *testing.T) {
	s := newTestSim(t, nil)
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			for n := range 6 {
				doc, _, _, err := s.Document(n, format)
				if err != nil {
					t.Fatal(err)
				}
				f, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
				if err != nil {
					t.Fatalf("outlet %d: %v", n, err)
				}
				if len(f.Items) != s.opts.Items {
					t.Fatalf("outlet %d: %d items, want %d", n, len(f.Items), s.opts.Items)
				}
				seen := map[string]bool{}
				for _, it := range f.Items {
					if seen[it.GUID] {
						t.Errorf("outlet %d: GUID %s twice", n, it.GUID)
					}
					seen[it.GUID] = true
					if it.Title == "" || it.PublishedParsed == nil {
						t.Errorf("outlet %d: item %s lacks a title or date", n, it.GUID)
					}
					html := it.Content
					if l := len(html); l < s.opts.MinBytes || l > s.opts.MaxBytes+2048 {
						t.Errorf("outlet %d: item %s has %d bytes of HTML, want %d..%d", n, it.GUID, l, s.opts.MinBytes, s.opts.MaxBytes)
					}
				}
			}
		})
	}
}

// A request with the validators of the current document gets 304 until the
// outlet changes; a changed outlet answers 200 with new validators.
func TestConditionalGet(t *testing.T) {
	sim := newTestSim(t, func(o *Options) { o.Churn = 0.25 })
	srv, hs := newTestServer(t, sim)
	type seen struct{ etag, lastModified string }
	first := map[int]seen{}
	for n := range sim.opts.Outlets {
		resp, body := get(t, hs.URL+"/o/"+itoa(n)+"."+Format(n), nil)
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Fatalf("outlet %d: status %d, %d bytes", n, resp.StatusCode, len(body))
		}
		first[n] = seen{resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")}
	}
	_, changedList := sim.Advance()
	changed := map[int]bool{}
	for _, n := range changedList {
		changed[n] = true
	}
	tests := []struct {
		name string
		hdr  func(s seen) map[string]string
	}{
		{"if-none-match", func(s seen) map[string]string { return map[string]string{"If-None-Match": s.etag} }},
		{"if-none-match list", func(s seen) map[string]string { return map[string]string{"If-None-Match": `"x", ` + s.etag} }},
		{"if-modified-since", func(s seen) map[string]string { return map[string]string{"If-Modified-Since": s.lastModified} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for n := range sim.opts.Outlets {
				resp, body := get(t, hs.URL+"/o/"+itoa(n)+"."+Format(n), tc.hdr(first[n]))
				want := http.StatusNotModified
				if changed[n] {
					want = http.StatusOK
				}
				if resp.StatusCode != want {
					t.Fatalf("outlet %d (changed %v): status %d, want %d", n, changed[n], resp.StatusCode, want)
				}
				if want == http.StatusNotModified && len(body) != 0 {
					t.Errorf("outlet %d: 304 with a %d-byte body", n, len(body))
				}
				if want == http.StatusOK && resp.Header.Get("ETag") == first[n].etag {
					t.Errorf("outlet %d changed but kept its ETag", n)
				}
			}
		})
	}
	if st := srv.Stats(); st.NotModified == 0 || st.OK == 0 {
		t.Errorf("stats %+v: want both 200s and 304s counted", st)
	}
	for _, path := range []string{"/o/999.rss", "/o/1.xml", "/o/x.rss"} {
		if resp, _ := get(t, hs.URL+path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

// Each round exactly round(churn × outlets) outlets change, each by
// NewPerRound new items at the top of its feed; the others keep their
// document byte for byte.
func TestChurnFraction(t *testing.T) {
	for _, churn := range []float64{0, 0.05, 0.3, 1} {
		t.Run(strconvF(churn), func(t *testing.T) {
			sim := newTestSim(t, func(o *Options) { o.Outlets, o.Churn = 200, churn })
			before := make([][]Item, sim.opts.Outlets)
			for n := range before {
				before[n] = sim.Items(n)
			}
			want := int(churn*200 + 0.5)
			for round := 1; round <= 3; round++ {
				_, changed := sim.Advance()
				if len(changed) != want {
					t.Fatalf("round %d: %d outlets changed, want %d", round, len(changed), want)
				}
				isChanged := map[int]bool{}
				for _, n := range changed {
					isChanged[n] = true
				}
				for n := range before {
					now := sim.Items(n)
					switch {
					case !isChanged[n] && now[0].GUID != before[n][0].GUID:
						t.Fatalf("round %d: outlet %d did not change but its feed did", round, n)
					case isChanged[n] && now[sim.opts.NewPerRound].GUID != before[n][0].GUID:
						t.Fatalf("round %d: outlet %d changed but does not carry %d new items over its old ones", round, n, sim.opts.NewPerRound)
					}
					before[n] = now
				}
			}
		})
	}
}

// Wire stories appear in several outlets with one text and different
// headlines and URLs; the outlets write in English, Russian and Persian.
func TestWireCopiesAndLanguages(t *testing.T) {
	sim := newTestSim(t, func(o *Options) { o.Outlets, o.Items, o.Wire = 100, 20, 0.3 })
	byWire := map[int][]Item{}
	langs := map[string]int{}
	for n := range sim.opts.Outlets {
		langs[languages[sim.langOf(n)].code]++
		for _, it := range sim.Items(n) {
			if it.Wire >= 0 {
				byWire[it.Wire*len(languages)+sim.langOf(n)] = append(byWire[it.Wire*len(languages)+sim.langOf(n)], it)
			}
		}
	}
	shared, differentTitle := 0, 0
	for _, copies := range byWire {
		if len(copies) < 2 {
			continue
		}
		shared++
		a, b := copies[0], copies[1]
		if a.HTML != b.HTML {
			t.Fatalf("wire copies %s and %s differ in text", a.GUID, b.GUID)
		}
		if a.Link == b.Link {
			t.Fatalf("wire copies share a URL: %s", a.Link)
		}
		if a.Title != b.Title {
			differentTitle++
		}
	}
	if shared < 10 || differentTitle == 0 {
		t.Errorf("%d wire stories in several outlets, %d with different headlines: want at least 10 and some", shared, differentTitle)
	}
	for _, code := range []string{"en", "ru", "fa"} {
		if langs[code] == 0 {
			t.Errorf("no outlet writes in %s: %v", code, langs)
		}
	}
	if langs["en"] < langs["ru"]+langs["fa"] {
		t.Errorf("languages %v: want English mostly", langs)
	}
}

// The shipped tagger takes the on-topic items and leaves the others.
func TestOnTopicMixMatchesShippedTagger(t *testing.T) {
	cfg, err := config.LoadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(cfg.Topics, cfg.Tags)
	if err != nil {
		t.Fatal(err)
	}
	sim := newTestSim(t, func(o *Options) { o.Outlets, o.Items, o.Russian, o.Persian = 60, 10, 0.2, 0.2 })
	var tp, fp, fn, on, total int
	for n := range sim.opts.Outlets {
		for _, it := range sim.Items(n) {
			total++
			got := tg.Tag(it.Title, stripTags(it.HTML)).OnTopic
			switch {
			case got && it.OnTopic:
				tp++
			case got:
				fp++
				t.Logf("off-topic item taken: %s", it.Title)
			case it.OnTopic:
				fn++
				t.Logf("on-topic item missed (%s): %s", it.Lang, it.Title)
			}
			if it.OnTopic {
				on++
			}
		}
	}
	if fp > 0 || fn > total/100 {
		t.Errorf("tagger vs labels: %d true positives, %d false positives, %d missed of %d items", tp, fp, fn, total)
	}
	if f := float64(on) / float64(total); f < 0.2 || f > 0.4 {
		t.Errorf("on-topic fraction %.2f, want about %.2f", f, sim.opts.OnTopic)
	}
}

// The printed config loads in topicfeed with every outlet, spread over
// the loopback hosts.
func TestConfigLoads(t *testing.T) {
	urls := outletURLs(7, netip.MustParseAddrPort("127.0.0.1:8099"), 3)
	if urls[0] != "http://127.0.0.1:8099/o/0.rss" || urls[4] != "http://127.0.0.2:8099/o/4.atom" || urls[5] != "http://127.0.0.3:8099/o/5.json" {
		t.Fatalf("urls %v", urls)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := writeConfigFile(path, "../../config.yaml", urls); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Outlets) != 7 || !cfg.AllowPrivateNetworks || len(cfg.Topics) == 0 {
		t.Errorf("config: %d outlets, private networks %v, %d topics", len(cfg.Outlets), cfg.AllowPrivateNetworks, len(cfg.Topics))
	}
	if cfg.Outlets[6].Name != OutletName(6) || cfg.Outlets[6].URL != urls[6] {
		t.Errorf("outlet 6: %+v", cfg.Outlets[6])
	}
}

func TestOptionsRejected(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Options)
	}{
		{"no outlets", func(o *Options) { o.Outlets = 0 }},
		{"churn above 1", func(o *Options) { o.Churn = 1.5 }},
		{"sizes reversed", func(o *Options) { o.MinBytes, o.MaxBytes = 4096, 2048 }},
		{"languages over 1", func(o *Options) { o.Russian, o.Persian = 0.6, 0.6 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.mod(&o)
			if _, err := NewSim(o); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestListenOnlyLoopback(t *testing.T) {
	if _, _, err := listenAll("0.0.0.0:0", 1); err == nil {
		t.Error("listened on 0.0.0.0")
	}
	ls, base, err := listenAll("127.0.0.1:0", 2)
	if err != nil {
		t.Skipf("second loopback address unavailable: %v", err)
	}
	for _, l := range ls {
		defer l.Close()
	}
	if got := ls[1].Addr().String(); got != netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), base.Port()).String() {
		t.Errorf("second listener on %s", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }

func strconvF(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// stripTags is a rough HTML-to-text for feeding the tagger.
func stripTags(h string) string {
	var b strings.Builder
	in := false
	for _, r := range h {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
