package normalize

import (
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// keyReference is Key without its fast paths (ASCII runs, the table of
// two-byte runes): every character through keyBuilder.
func keyReference(s string) string {
	var k keyBuilder
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			k.ascii(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || dropRune(r) {
			i += size
			continue
		}
		if d := norm.NFKD.PropertiesString(s[i:]).Decomposition(); d != nil {
			for _, dr := range string(d) {
				k.rune(dr)
			}
		} else {
			k.rune(r)
		}
		i += size
	}
	out := k.b.String()
	if k.recompose {
		out = norm.NFC.String(out)
	}
	return out
}

// TestKeyFastPathsMatchReference checks Key against keyReference for every
// one- and two-byte character and a sample of others, in the contexts that
// change its output (after a letter, a space, a mark; before a mark).
func TestKeyFastPathsMatchReference(t *testing.T) {
	var runes []rune
	for r := rune(0); r < 0x800; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, '’', '“', '—', 'ﬁ', 'Ｉ', '\u200c', '\u2060', 'K', 'İ', 'ẞ', '가', '\u1100', 0xFFFD, 0x1F600)
	for _, r := range runes {
		c := string(r)
		for _, s := range []string{c, "A" + c + "b", " " + c + " ", "x" + c + "\u0301", "é" + c, "Ab`C" + c + c + "Zz!", "Ё" + c + " \t" + c, "\xff" + c} {
			if got, want := Key(s), keyReference(s); got != want {
				t.Errorf("Key(%q) = %q, reference %q", s, got, want)
			}
		}
	}
	for _, s := range []string{"Iran’s Foreign Minister — «Москва» и Тегеран; وزير الخارجية الإيراني", "  Mixed\u00a0CASE `quotes` and ﬁ ligatures  ", "नमस्ते 한국어",
		"Hello World  Foo\tBar", "A B", "a  b", " X", "x ", "ÀB C", "`A`", "The U.S. said: \"No.\" A", "a \u0301b", "Z", "z Z z\nZ",
		"Привет Мир ЁЖ", "ایران و روسیه", "Iran Иран  IRAN\u00a0Ирана", "ΑΘΗΝΑ Ωμέγα ς", "x\u00adY", "a Ä", "Ä a"} {
		if got, want := Key(s), keyReference(s); got != want {
			t.Errorf("Key(%q) = %q, reference %q", s, got, want)
		}
	}
}

// passReference is the prefilter as first written: fold literals looked
// for in strings.ToLower(text), contains or prefix.
func passReference(p prefilter, text string) bool {
	lower := strings.ToLower(text)
	for i, l := range p.lits {
		t := text
		if p.fold[i] {
			t = lower
		}
		if p.prefix && strings.HasPrefix(t, l) || !p.prefix && strings.Contains(t, l) {
			return true
		}
	}
	return len(p.lits) == 0
}

// TestPrefilterPassMatchesLowering checks that the prefilter, which no
// longer lowers texts, passes exactly the texts it passed when it did (for
// prefix and contains filters), and that a suffix filter passes no fewer
// texts than the expression matches.
func TestPrefilterPassMatchesLowering(t *testing.T) {
	texts := []string{
		"Read More: the story", "READ MORE", "rEaD mOrE", "Read More", "read  more", "more",
		"The opinions expressed DO NOT NECESSARILY REFLECT THE VIEWS of the agency.",
		"It does not necessarily reflect the views", "İt does not necessarılY reflect the opinions", // dotted capital I, dotless i
		"Continue reading\u212a", "\u212aeep reading", "Su\u017fpport us", "Support The Moscow Times!",
		"Photo: AP", "PHOTO © AFP", "©2024", "Subscribe to our newsletter", "Dear readers,",
		"… we have a small favour to ask", "...Before you go, we need", "Подробнее", "Once", "ONE-TIME",
		"Reports and views published in the Media Wire section do not", "Sputnik", "EPA-EFE", "x [...]", "end [\u2026]",
		"a caption. Anadolu Agency", "caption. REUTERS/Gleb Garanich/File Photo", "Iranian Presidency via ZUMA Press Wire.",
		"", "r", "İ", "ﬁ", "\u212a",
		"Read more about it in the long paragraph that goes on and on, well past the window of the read-more rule. The end",
		"A long paragraph that goes on and on, well past the window of the read-more rule, and then ends. Continue reading the full story →",
		"A long paragraph that goes on and on, well past the window of the read-more rule, and then ends. Continue readİng",
	}
	n := New(DefaultRules())
	for _, rs := range append([]*RuleSet{&n.generic}, n.hosted...) {
		for _, r := range rs.Rules {
			for _, s := range texts {
				lower := ""
				got := r.pre.pass(s, &lower)
				if r.pre.suffix || r.pre.window > 0 {
					if r.re.MatchString(s) && !got {
						t.Errorf("rule %s: suffix or window prefilter rejects matching %q", r.Name, s)
					}
					continue
				}
				if want := passReference(r.pre, s); got != want {
					t.Errorf("rule %s: pass(%q) = %v, with lowering %v", r.Name, s, got, want)
				}
			}
		}
	}
}

func TestIndexFoldASCII(t *testing.T) {
	tests := []struct {
		s, l string
		want int
	}{
		{"Read more", "read more", 0},
		{"xx READ MORE", "read more", 3},
		{"rea", "read", -1},
		{"", "a", -1},
		{"aaaaab", "ab", 4},
		{"AaAaAb", "ab", 4},
		{"a b  c", " c", 4},
		{"Ünicode read", "read", 9},
		{"It does NOT NECESSARILY REFLECT THE views", " not necessarily reflect the ", 7},
		{"nearly necessarily, not necessarily", " not necessarily", 19},
		{"zy zY Zy", "zy", 0},
		{"ab xy", "xy", 3},
		{"xyz", "xyzz", -1},
		{"… we have", "… we", 0},
	}
	for _, tt := range tests {
		if got := indexFoldASCII(tt.s, tt.l); got != tt.want {
			t.Errorf("indexFoldASCII(%q, %q) = %d, want %d", tt.s, tt.l, got, tt.want)
		}
	}
}

// TestPlainTextParagraphs checks that plain text is turned into the tree the
// HTML parser builds from its "<p>line</p>" form.
func TestPlainTextParagraphs(t *testing.T) {
	for _, s := range []string{
		"One line.", "First\nSecond\n\n  \nThird", "  leading and trailing  \n\ttab", "quotes \"'` > = / ; :", "Юникод ‘text’ — «ok»",
		"a > b\n", "\n\n", "x\u00a0y", "no tags here: a < c", "entity &amp; here", "cr\r\nlf",
	} {
		got := renderChildren(parseContent(s), 0)
		var b strings.Builder
		for _, line := range strings.Split(s, "\n") {
			if strings.TrimSpace(line) != "" {
				b.WriteString("<p>" + line + "</p>")
			}
		}
		body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
		nodes, err := html.ParseFragmentWithOptions(strings.NewReader(b.String()), body, html.ParseOptionEnableScripting(false))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			body.AppendChild(n)
		}
		if want := renderChildren(body, 0); got != want {
			t.Errorf("parseContent(%q) renders %q, parser %q", s, got, want)
		}
	}
}

// TestItemFeedContext checks that Item's per-feed context follows changes
// to the feed and the source, and that Item for every index, from several
// goroutines at once, gives what Feed gives.
func TestItemFeedContext(t *testing.T) {
	n := New(DefaultRules())
	f := &gofeed.Feed{Title: "Alpha News", Link: "https://alpha.example/", Language: "en", Items: []*gofeed.Item{
		{Title: "Headline - Alpha News", Link: "/a/1", Content: "<p>Body of the first article, long enough.</p>"},
	}}
	src := Source{Outlet: "Alpha", FeedURL: "https://alpha.example/feed"}
	check := func(name, wantTitle, wantOutlet, wantLang, wantURL string) {
		t.Helper()
		it, _, ok := n.Item(src, f, 0, goldenNow)
		if !ok || it.Title != wantTitle || it.Outlet != wantOutlet || it.Language != wantLang || it.URL != wantURL {
			t.Errorf("%s: got ok=%v title %q outlet %q language %q url %q; want %q %q %q %q", name, ok, it.Title, it.Outlet, it.Language, it.URL,
				wantTitle, wantOutlet, wantLang, wantURL)
		}
	}
	check("first", "Headline", "Alpha", "en", "https://alpha.example/a/1")
	f.Title = "Beta"
	check("feed title changed", "Headline - Alpha News", "Alpha", "en", "https://alpha.example/a/1")
	f.Language = "ru"
	check("feed language changed", "Headline - Alpha News", "Alpha", "ru", "https://alpha.example/a/1")
	src.Outlet = "Alpha News"
	check("outlet changed", "Headline", "Alpha News", "ru", "https://alpha.example/a/1")
	src.FeedURL, f.Link = "https://gamma.example/rss", ""
	check("base changed", "Headline", "Alpha News", "ru", "https://gamma.example/a/1")

	var feeds []*gofeed.Feed
	var srcs []Source
	for _, name := range []string{"seed_aawsat", "seed_moscowtimes", "boilerplate_generic", "titles", "urls"} {
		p := gofeed.NewParser()
		p.KeepOriginalFeed = true
		fd, err := p.ParseString(mustRead(t, "testdata/golden/"+name+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		feeds = append(feeds, fd)
		srcs = append(srcs, Source{Outlet: name, FeedURL: "https://example.com/feed/"})
	}
	want := make([][]any, len(feeds))
	for k, fd := range feeds {
		for _, it := range New(DefaultRules()).Feed(srcs[k], fd, goldenNow) {
			want[k] = append(want[k], it)
		}
	}
	var wg sync.WaitGroup
	got := make([][][]any, 4)
	for g := range got {
		got[g] = make([][]any, len(feeds))
		wg.Go(func() {
			for k, fd := range feeds {
				for i := range fd.Items {
					if it, _, ok := n.Item(srcs[k], fd, i, goldenNow); ok {
						got[g][k] = append(got[g][k], it)
					}
				}
			}
		})
	}
	wg.Wait()
	for g := range got {
		if !reflect.DeepEqual(got[g], want) {
			t.Errorf("goroutine %d: Item per index differs from Feed", g)
		}
	}
}

func TestPrintableASCII8(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			want := c >= 0x20 && c <= 0x7e
			if got := printableASCII8(string(b)); got != want {
				t.Errorf("printableASCII8(%q) = %v, want %v", b, got, want)
			}
		}
	}
	for _, s := range []string{"        ", "~~~~~~~~", "\x1f~~~~~~~", "~~~~~~~\x7f"} {
		if got, want := printableASCII8(s), !strings.ContainsAny(s, "\x1f\x7f"); got != want {
			t.Errorf("printableASCII8(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestReverseExprAgrees checks that the reversed expressions of tail rules
// match a reversed text exactly when the rules' expressions match the text:
// for the default rules on every golden paragraph and removed text, their
// ends, and crafted captions; and for other end-anchored expressions.
func TestReverseExprAgrees(t *testing.T) {
	texts := []string{
		"", " ", "caption. TASS", "caption.TASS", "caption. Anadolu Agency", "x. EPA-EFE", "x. EPA-", "on Oct. 26. TASS",
		"in Kyiv, January 16, 2025.REUTERS/Gleb Garanich/File Photo", "army. Iranian Army/AP", "a/b",
		"in September. Iranian Presidency via ZUMA Press Wire", "via ZUMA", "He said. Continue reading →", "end. Read more",
		"excerpt ends [...]", "excerpt. […]", "cut off wor […]", "«Цитата». ТАСС", "آخر. IRNA", "x\u00a0[…]", "ab\nc$",
	}
	for _, name := range goldenCases(t) {
		items, reps := loadCase(t, name)
		for i, it := range items {
			texts = append(texts, paragraphs(it.Text)...)
			texts = append(texts, it.Summary, it.Title)
			for _, rm := range reps[i].Removed {
				texts = append(texts, rm.Text)
			}
		}
	}
	for _, s := range texts[:len(texts):len(texts)] {
		for _, cut := range []int{1, 3, 7} {
			if r := []rune(s); len(r) > cut {
				texts = append(texts, string(r[cut:]), string(r[:len(r)-cut]))
			}
		}
	}
	check := func(name string, fwd, rev *regexp.Regexp) {
		t.Helper()
		if rev == nil {
			t.Errorf("%s: no reversed expression", name)
			return
		}
		for _, s := range texts {
			if got, want := rev.MatchString(reverseRunes(s)), fwd.MatchString(s); got != want {
				t.Errorf("%s on %q: reversed %v, forward %v", name, s, got, want)
			}
		}
	}
	tails := 0
	n := New(DefaultRules())
	for _, rs := range append([]*RuleSet{&n.generic}, n.hosted...) {
		for _, r := range rs.Rules {
			if r.tail {
				tails++
				check(r.Name, r.re, r.rev)
			}
		}
	}
	if tails == 0 {
		t.Fatal("no tail rules among the default rules")
	}
	for _, expr := range []string{`(?i)x(ab|cd)+\s*$`, `[a-c]{2,3}\b.?$`, `(?m)end$`, `(?i:Ωμέγα|ş)$`, `(a|b$)$`, `\B..$`, `^?x*$`} {
		check(expr, regexp.MustCompile(expr), reverseExpr(expr))
	}
}

func TestReverseRunes(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "cba", "aБв’": "’вБa", "«ok»": "»ko«"} {
		if got := reverseRunes(in); got != want {
			t.Errorf("reverseRunes(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRuleIndexNarrowsExactly checks that the rules the index leaves out
// for a text never match it: the first matching drop or cut rule, and every
// matching strip rule, are the same with and without the index.
func TestRuleIndexNarrowsExactly(t *testing.T) {
	r := DefaultRules()
	var sets []*RuleSet
	sets = append(sets, &r.Generic)
	for _, rs := range r.Outlets {
		sets = append(sets, &rs)
	}
	ix := newRuleIndex(sets)
	if !ix.indexed {
		t.Fatalf("%d default rules: not indexed", len(ix.rules))
	}
	texts := []string{"Read more", "read more: x", "İt", "Support The Moscow Times!", "«Медуза» нуждается в вашей помощи", "© AFP", "(AFP)", "TT", "…", "... we have a small favour to ask", "Поддержите «Медузу»"}
	for _, name := range goldenCases(t) {
		items, reps := loadCase(t, name)
		for i, it := range items {
			texts = append(texts, paragraphs(it.Text)...)
			for _, rm := range reps[i].Removed {
				texts = append(texts, rm.Text)
			}
		}
	}
	for _, s := range texts {
		n := utf8.RuneCountInString(s)
		mask := ix.candidates(s)
		wantName, wantCut := "", false
		for i, r := range ix.rules {
			lower := ""
			m := r.matches(s, n, &lower)
			if m && !ix.has(mask, i) {
				t.Errorf("rule %s matches %q but is not a candidate", r.Name, s)
			}
			if m && r.Strip == "" && wantName == "" {
				wantName, wantCut = r.Name, r.Cut != ""
			}
		}
		if name, cut := ix.matchRules(s, n, "", mask); name != wantName || cut != wantCut {
			t.Errorf("matchRules(%q) = %q %v, want %q %v", s, name, cut, wantName, wantCut)
		}
	}
}

// foldSpaceReference is foldSpace as first written: rune by rune.
func foldSpaceReference(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isSpace(r) {
			space = b.Len() > 0
		} else {
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func TestFoldSpaceMatchesReference(t *testing.T) {
	parts := []string{"", " ", "  ", "\t", "\n\n", "\u00a0", "\u3000", "a", "Юг", "\xff", "x y", ".", "\u2028"}
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				for _, d := range parts {
					s := a + b + c + d
					if got, want := foldSpace(s), foldSpaceReference(s); got != want {
						t.Errorf("foldSpace(%q) = %q, reference %q", s, got, want)
					}
				}
			}
		}
	}
}

func TestIsFolded(t *testing.T) {
	parts := []string{"", " ", "\t", "\v", "\u00a0", "\u0085", "a", "Юг", "\xff", "x y", "\u2028", "\r"}
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				s := a + b + c
				if got, want := isFolded(s), foldSpaceReference(s) == s; got != want {
					t.Errorf("isFolded(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}

func TestCleanLineFastPath(t *testing.T) {
	parts := []string{"", " ", "\t", "\v", "\f", "\n", "\x00", "\x7f", "\u00a0", "\u200b", "\ufeff", "\u00ad", "\xff", "a", "Юг", "x  y", "\u0085"}
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				for _, d := range parts {
					s := a + b + c + d
					if got, want := cleanLine(s), foldSpace(cleanString(s)); got != want {
						t.Errorf("cleanLine(%q) = %q, want %q", s, got, want)
					}
				}
			}
		}
	}
}

// collapseTagGapsReference is collapseTagGaps as first written.
func collapseTagGapsReference(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '>' {
			continue
		}
		j := i + 1
		nl := false
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			nl = nl || s[j] == '\n'
			j++
		}
		if nl && j < len(s) && s[j] == '<' && j-i > 2 {
			b.WriteString(s[last : i+1])
			b.WriteByte('\n')
			last = j
		}
		i = j - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func TestCollapseTagGapsMatchesReference(t *testing.T) {
	parts := []string{">", "<", " ", "\n", "\t", "\r\n", "a", "<p>", "</p>", ">>"}
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				for _, d := range parts {
					for _, e := range parts {
						s := a + b + c + d + e
						if got, want := collapseTagGaps(s), collapseTagGapsReference(s); got != want {
							t.Errorf("collapseTagGaps(%q) = %q, want %q", s, got, want)
						}
					}
				}
			}
		}
	}
}

func TestIsCleanFoldedChunks(t *testing.T) {
	// Strings of 8–24 bytes exercise the eight-byte path and its borders.
	for _, s := range []string{
		"abcdefgh", "abcdefg ", " bcdefgh", "abcd  gh", "abcdefg  hijklmno", "abcdefg hijklmno", "abcdefgh ijklmno ",
		"abcdefghijklmnop", "abc def ghi jkl mno", "abcdefg\thijklmno", "abcdefgh\u00a0ijk", "abcdefgh ÿ ijklmno", "a b c d e f g h i j",
		"        ", "abcdefgh        ",
	} {
		want := isClean(s) && isFolded(s)
		if got := isCleanFolded(s); got != want {
			t.Errorf("isCleanFolded(%q) = %v, want %v", s, got, want)
		}
	}
	for c := 0; c < 128; c++ {
		for pos := 0; pos < 8; pos++ {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			if got, want := spaces8(string(b)), uint64(0x80)<<(8*pos); (got != 0) != (c == ' ') || c == ' ' && got != want {
				t.Errorf("spaces8(%q) = %#x", b, got)
			}
		}
	}
}

func TestPrefilterWindow(t *testing.T) {
	tests := []struct {
		expr   string
		window int // 0: none
	}{
		{`(?i)([.!?])\s*(continue reading|read more)\b[^.!?]{0,40}$`, 56},
		{`(read more|x)( \d{1,3})?$`, 13},
		{`read more.*$`, 0},
		{`read more.{0,5}`, 0}, // not anchored at the end
	}
	for _, tt := range tests {
		p, _ := newPrefilter(tt.expr)
		if p.window != tt.window {
			t.Errorf("%s: window %d, want %d", tt.expr, p.window, tt.window)
		}
	}
	p, _ := newPrefilter(tests[0].expr)
	long := strings.Repeat("x", 300)
	for s, want := range map[string]bool{
		long + ". Read more":                   true,
		long + ". Read more " + long[:46]:      true, // within 56 characters (224 bytes) of the end
		"Read more " + long:                    false,
		long + ". Continue readİng":            true, // İ lowers to i
		"read more" + strings.Repeat("я", 47):  true,
		"read more" + strings.Repeat("я", 120): false,
	} {
		lower := ""
		if got := p.pass(s, &lower); got != want {
			t.Errorf("pass(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestMayFitNeverSkipsAParse checks that mayFit holds for every layout
// parseDate tries on every string that layout parses: dates written in
// each layout, and the strings of the date tests after their clean-up.
func TestMayFitNeverSkipsAParse(t *testing.T) {
	layouts := append([]string{time.RFC3339Nano, time.RFC1123Z}, dateLayouts...)
	var inputs []string
	for _, when := range []time.Time{time.Date(2024, 3, 7, 9, 5, 4, 0, time.UTC), time.Date(1999, 12, 31, 23, 59, 59, 123456789, time.FixedZone("", 12600))} {
		for _, l := range layouts {
			inputs = append(inputs, when.Format(l))
		}
	}
	inputs = append(inputs, "Thu, 27 Oct 2022 22:46:00 +0300", "2024-03-07", "7 March 2024", "March 7 2024 +0330", "3/7/2024 9:05 PM", "7.3.2024 09.05", "07-Mar-24", "")
	for _, s := range inputs {
		for _, l := range layouts {
			if _, err := time.Parse(l, s); err == nil && !mayFit(l, s) {
				t.Errorf("mayFit(%q, %q) = false, but it parses", l, s)
			}
		}
	}
}

// TestCleanChecksTwoByteRunes checks the two-byte fast path of isClean and
// isCleanFolded against dropRune and unicode.IsSpace for every rune it
// covers, and that broken sequences are still caught.
func TestCleanChecksTwoByteRunes(t *testing.T) {
	for r := rune(0x80); r < 0x800; r++ {
		s := "a" + string(r) + "b"
		if got, want := isClean(s), !dropRune(r); got != want {
			t.Errorf("isClean(%q) = %v, want %v", s, got, want)
		}
		if got, want := isCleanFolded(s), !dropRune(r) && !unicode.IsSpace(r); got != want {
			t.Errorf("isCleanFolded(%q) = %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"\xc3", "a\xc3", "\xc3a", "\xdf\xdf", "\xc3\xc3\xa9"} {
		if isClean(s) || isCleanFolded(s) {
			t.Errorf("%q: invalid UTF-8 taken for clean", s)
		}
	}
}

func TestSuffixPrefilterLastByte(t *testing.T) {
	tests := []struct {
		expr, text string
	}{
		{`(?i)\. read more$`, "x. READ MORE"},
		{`(?i)\. read more$`, "x. read mor"},
		{`(?i)bos$`, "BOſ"}, // ſ folds to s
		{`(?i)kit$`, "Kit"},
		{`(?i)ok$`, "O\u212a"}, // Kelvin sign folds to k
		{`\[(…|\.\.\.)\]$`, "a [...]"},
		{`\[(…|\.\.\.)\]$`, "a [...]."},
	}
	for _, tt := range tests {
		p, ok := newPrefilter(tt.expr)
		if !ok || !p.suffix {
			t.Fatalf("%s: no suffix prefilter", tt.expr)
		}
		lower := ""
		if re := regexp.MustCompile(tt.expr); re.MatchString(tt.text) && !p.pass(tt.text, &lower) {
			t.Errorf("%s: prefilter rejects matching %q", tt.expr, tt.text)
		}
	}
	p, _ := newPrefilter(`\[(…|\.\.\.)\]$`)
	if lower := ""; p.pass("a [...].", &lower) {
		t.Error("suffix prefilter passes a text ending in another byte")
	}
}
