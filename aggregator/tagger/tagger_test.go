package tagger

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/news"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// testRules is a small rule set with the default weights and thresholds.
func testRules() ([]config.Topic, []config.Tag) {
	topics := []config.Topic{{
		Name: "iru",
		Entities: []config.Entity{
			{Name: "iran", Terms: []string{"Iran*", "Tehran", "ایران*"}, Except: []string{"Tehran Times"}},
			{Name: "russia", Terms: []string{"Russia*", "Moscow", "Kremlin", "росси*", "росі*"}, Except: []string{"Moscow Times"}},
			{Name: "ukraine", Terms: []string{"Ukrain*", "Kyiv", "Kiev", "україн*", "украин*"}},
			{Name: "sport", Weight: -2, Terms: []string{"football", "volleyball"}},
		},
		Require:     [][]string{{"iran", "russia"}, {"russia", "ukraine"}, {"iran", "ukraine"}},
		IgnoreAfter: []string{"Recent Posts", "Read more", "Support us!"},
	}}
	tags := []config.Tag{
		{Name: "drones", Terms: []string{"drone*", "Shahed*"}},
		{Name: "sanctions", Terms: []string{"sanction*"}},
	}
	return topics, tags
}

func newTestTagger(tb testing.TB) *Tagger {
	tb.Helper()
	tg, err := New(testRules())
	if err != nil {
		tb.Fatal(err)
	}
	return tg
}

func TestTag(t *testing.T) {
	tg := newTestTagger(t)
	tests := []struct {
		name        string
		title, text string
		onTopic     bool
		tags        []string
	}{
		{"pair in title", "Iran and Russia sign defense pact", "The two countries agreed on Tuesday.", true, nil},
		{"war in lead", "Strikes overnight", "Russia hit Kyiv with Shahed drones, Ukraine's air force said.\n\nMore drones came later.", true, []string{"drones"}},
		{"single country", "Iran holds nuclear talks", "Iran met European negotiators in Vienna.\n\nTehran said talks were useful.", false, nil},
		{"passing mention in body", "Iran holds nuclear talks", "Iran met European negotiators in Vienna.\n\nRussia was not present. Nor was Moscow's envoy.", false, nil},
		{"three body mentions are present", "Talks in Vienna", "Negotiators met.\n\nIran said so. Iran again. Tehran too. Russia said so, Russia again, Moscow too.", true, nil},
		{"sidebar after marker ignored", "Iran holds nuclear talks", "Iran met negotiators.\n\nRecent Posts\n\nRussia and Iran sign pact\n\nRussia hits Kyiv\n\nRussia, Moscow, Kremlin", false, nil},
		{"link lines skipped", "Iran holds nuclear talks", "Iran met negotiators.\n\nRead more: Russia and Iran sign a pact, Moscow says\n\nRead more : Russia hits Kyiv\n\nThe talks go on.", false, nil},
		{"banner before the lead skipped", "Overnight strikes", "Support us!\n\nRussia hit Kyiv, Ukraine said.", true, nil},
		{"marker words inside a paragraph are text", "Overnight strikes", "Ukraine said.\n\nRead more about how Russia hit Kyiv: the Kremlin and Moscow confirmed it.", true, nil},
		{"outlet name is no mention", "Iran holds nuclear talks", "Iran met negotiators, The Moscow Times reported.\n\nThe Moscow Times said. The Moscow Times added.", false, nil},
		{"title repeated as first paragraph", "Russia warns Ukraine", "Russia warns Ukraine\n\nThe Kremlin said more.", true, nil},
		{"counter entity: sport", "Iran beat Russia at volleyball", "Iran's volleyball team beat Russia 3-1 in the volleyball final.", false, nil},
		{"cyrillic", "Россия и Украина", "Война продолжается.", true, nil},
		{"persian and ukrainian", "ایران", "Росія та Україна домовились.", true, nil},
		{"tags without topic", "Sanctions on Venezuela", "The US imposed sanctions on oil firms.", false, []string{"sanctions"}},
		{"one body mention is no tag", "Iran and Russia meet", "They met.\n\nSanctions were not discussed.", true, nil},
		{"windows line ends", "Strikes overnight", "Officials said so.\r\n\r\nRecent Posts\r\n\r\nRussia hit Kyiv\r\n\r\nRussia hit Kyiv again, Ukraine said, and Russia and Ukraine", false, nil},
		{"repeated paragraphs count once", "Strikes overnight", "Officials said so.\n\nRussia and Ukraine.\n\nRussia and Ukraine.\n\nRussia and Ukraine.", false, nil},
		{"empty", "", "", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tg.Tag(tc.title, tc.text)
			if got.OnTopic != tc.onTopic {
				ex, _ := json.MarshalIndent(tg.Explain(tc.title, tc.text), "", " ")
				t.Errorf("OnTopic = %v, want %v\n%s", got.OnTopic, tc.onTopic, ex)
			}
			if !slices.Equal(got.Tags, tc.tags) {
				t.Errorf("Tags = %q, want %q", got.Tags, tc.tags)
			}
			if got.OnTopic != (len(got.Topics) > 0) {
				t.Errorf("OnTopic %v but Topics %q", got.OnTopic, got.Topics)
			}
		})
	}
}

func TestTagScoreAndEvidence(t *testing.T) {
	tg := newTestTagger(t)
	got := tg.Tag("Iran sends drones to Russia", "Iran sent drones. Iran denied it.\n\nRussia used them; Russia, Russia and Russia again.")
	// iran: title 4 + lead 3×2 = 10; russia: title 4 + body 1×3 (capped) = 7.
	if got.Score != 17 {
		t.Errorf("Score = %g, want 17", got.Score)
	}
	want := []news.Evidence{
		{Rule: "iran", Kind: KindEntity, Term: "Iran", Field: "title", Count: 1, Weight: 4},
		{Rule: "iran", Kind: KindEntity, Term: "Iran", Field: "lead", Count: 2, Weight: 6},
		{Rule: "russia", Kind: KindEntity, Term: "Russia", Field: "title", Count: 1, Weight: 4},
		{Rule: "russia", Kind: KindEntity, Term: "Russia", Field: "body", Count: 4, Weight: 3},
		{Rule: "drones", Kind: KindTag, Term: "drones", Field: "title", Count: 1, Weight: 4},
		{Rule: "drones", Kind: KindTag, Term: "drones", Field: "lead", Count: 1, Weight: 3},
	}
	if !slices.Equal(got.Evidence, want) {
		t.Errorf("Evidence =\n%+v\nwant\n%+v", got.Evidence, want)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func([]config.Topic, []config.Tag)
		want   []string
	}{
		{"short prefix", func(tp []config.Topic, _ []config.Tag) { tp[0].Entities[0].Terms = []string{"ir*"} },
			[]string{`topic "iru"`, `entity "iran"`, `"ir*"`, "shorter than 3"}},
		{"wordless tag term", func(_ []config.Topic, tg []config.Tag) { tg[1].Terms = []string{"…"} },
			[]string{`tag "sanctions"`, `"…"`, "no word"}},
		{"unknown entity", func(tp []config.Topic, _ []config.Tag) { tp[0].Require = [][]string{{"iran", "china"}} },
			[]string{`topic "iru"`, `unknown entity "china"`}},
		{"counter entity required", func(tp []config.Topic, _ []config.Tag) { tp[0].Require = [][]string{{"sport"}} },
			[]string{`counter entity "sport"`}},
		{"long marker", func(tp []config.Topic, _ []config.Tag) {
			tp[0].IgnoreAfter = []string{"one two three four five six seven eight nine"}
		}, []string{`ignore_after`, "more than 8"}},
		{"bad except", func(tp []config.Topic, _ []config.Tag) { tp[0].Entities[1].Except = []string{"mo*"} },
			[]string{`entity "russia": except`, "shorter than 3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp, tg := testRules()
			tc.mutate(tp, tg)
			_, err := New(tp, tg)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestRequireDefaultsToAnyEntity(t *testing.T) {
	tg, err := New([]config.Topic{{Name: "t", Entities: []config.Entity{{Name: "iran", Terms: []string{"Iran"}}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !tg.Tag("Iran votes", "").OnTopic {
		t.Error("a title mention of the only entity is not on topic")
	}
	if tg.Tag("Vote", "Nothing.\n\nIran votes. Iran.").OnTopic {
		t.Error("two body mentions (strength 2) are on topic, want off (min_score 3)")
	}
}

// Tag must be safe for concurrent use (run with -race).
func TestTagConcurrent(t *testing.T) {
	tg := newTestTagger(t)
	done := make(chan news.Tagging)
	for i := range 8 {
		go func() {
			var last news.Tagging
			for range 50 {
				last = tg.Tag("Iran sends drones to Russia", strings.Repeat("Russia and Iran. ", i+1))
			}
			done <- last
		}()
	}
	for range 8 {
		if got := <-done; !got.OnTopic {
			t.Error("concurrent Tag lost the decision")
		}
	}
}

func TestExplainGolden(t *testing.T) {
	tg := newTestTagger(t)
	items := []struct{ name, title, text string }{
		{"on_topic", "Iran sends Shahed drones to Russia", "Iran sent drones, Kyiv said.\n\nRussia used them against Ukraine.\n\nRecent Posts\n\nIran and Russia, Iran and Russia"},
		{"off_topic", "Iran holds nuclear talks", "Iran met negotiators.\n\nRussia was not there."},
	}
	for _, it := range items {
		t.Run(it.name, func(t *testing.T) {
			got, err := json.MarshalIndent(tg.Explain(it.title, it.text), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "explain_"+it.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Explain differs from %s:\n%s", path, got)
			}
		})
	}
}

// Explain and Tag must agree.
func TestExplainAgreesWithTag(t *testing.T) {
	tg := newTestTagger(t)
	title, text := "Russia strikes Kyiv", "Ukraine said Shahed drones hit Kyiv.\n\nSanctions followed; sanctions."
	tag := tg.Tag(title, text)
	ex := tg.Explain(title, text)
	if ex.OnTopic != tag.OnTopic || ex.Score != tag.Score || !slices.Equal(ex.Tags, tag.Tags) || !slices.Equal(ex.Topics, tag.Topics) || !slices.Equal(ex.Evidence, tag.Evidence) {
		t.Errorf("Explain %+v disagrees with Tag %+v", ex, tag)
	}
}

func TestFingerprint(t *testing.T) {
	a := newTestTagger(t)
	b := newTestTagger(t)
	if a.Fingerprint() == "" || a.Fingerprint() != b.Fingerprint() {
		t.Fatalf("same rules, fingerprints %q and %q", a.Fingerprint(), b.Fingerprint())
	}
	topics, tags := testRules()
	tags[0].Terms = append(tags[0].Terms, "UAV")
	c, err := New(topics, tags)
	if err != nil {
		t.Fatal(err)
	}
	if c.Fingerprint() == a.Fingerprint() {
		t.Errorf("changed rules kept fingerprint %q", a.Fingerprint())
	}
}

// FuzzTag: no input makes Tag or Explain panic, and they agree.
func FuzzTag(f *testing.F) {
	f.Add("Iran sends drones to Russia", "Kyiv said.\n\nRecent Posts\n\nRead more: x")
	f.Add("", "\n\n\n\n")
	f.Add("هسته\u200cای", "Россия\n\nУкраїна: \xff\xfe")
	tg := newTestTagger(f)
	f.Fuzz(func(t *testing.T, title, text string) {
		got := tg.Tag(title, text)
		ex := tg.Explain(title, text)
		if got.OnTopic != ex.OnTopic || got.Score != ex.Score || !slices.Equal(got.Tags, ex.Tags) {
			t.Fatalf("Tag %+v and Explain %+v disagree", got, ex)
		}
		for _, ev := range got.Evidence {
			if ev.Count < 1 || ev.Term == "" {
				t.Fatalf("bad evidence %+v", ev)
			}
		}
	})
}
