package conformancetest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/topicfeed/topicfeed/aggregator/parser"
)

func TestEval(t *testing.T) {
	env := map[string]any{
		"bozo":     false,
		"encoding": "utf-8",
		"feed":     Dict{"title": "Café", "tags": List{Dict{"term": "a"}, Dict{"term": "b"}}},
		"entries": List{
			Dict{"title": "x", "updated_parsed": Tuple{int64(2004), int64(1), int64(1)}, "n": int64(3)},
			Dict{"title": "x"},
		},
	}
	tests := []struct {
		expr string
		want bool
		err  string // substring of the error, if one is expected
	}{
		{`not bozo and feed['title'] == 'Caf\xe9'`, true, ""},
		{`feed['title'] == u'Caf\u00e9'`, true, ""},
		{`feed.title == "Caf" "\u00e9"`, true, ""},
		{`feed['title'] != 'Cafe'`, true, ""},
		{`bozo or encoding == 'utf-8'`, true, ""},
		{`bozo and feed['missing']`, false, ""}, // short-circuit: no KeyError
		{`feed['missing'] == 1`, false, "KeyError"},
		{`entries[5]['title']`, false, "IndexError"},
		{`entries[-1]['title'] == 'x'`, true, ""},
		{`entries[0]['title'] == entries[1]['title'] == 'x'`, true, ""},
		{`entries[0]['updated_parsed'] == (2004, 1, 1)`, true, ""},
		{`entries[0]['updated_parsed'] == [2004, 1, 1]`, false, ""}, // tuple != list, as in Python
		{`len(entries) == 2 and len(feed['tags']) == 2`, true, ""},
		{`feed['tags'][1]['term'] == 'b'`, true, ""},
		{`'title' in entries[0] and 'nope' not in entries[0]`, true, ""},
		{`'af' in feed['title']`, true, ""},
		{`entries[0].get('nope') is None`, true, ""},
		{`entries[0].get('nope', 7) == 7`, true, ""},
		{`ord(entries[0]['title']) == 120`, true, ""},
		{`entries[0]['n'] - 1 == 2 and -entries[0]['n'] < 0`, true, ""},
		{`feed['tags'] == [{'term': 'a'}, {'term': 'b'}]`, true, ""},
		{`encoding.startswith('utf')`, true, ""},
		{`1 < 2 <= 2`, true, ""},
		{`feed['title'] < 1`, false, "TypeError"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Compile(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Eval(env)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Eval = %v, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Eval = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, src := range []string{`feed['title'`, `'unterminated`, `a ==`, `entries[0][1:2]`, "feed @ 1"} {
		t.Run(src, func(t *testing.T) {
			if _, err := Compile(src); err == nil {
				t.Errorf("Compile(%q) succeeded, want an error", src)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	schema := Schema()
	tests := []struct {
		expr   string
		mapped bool
	}{
		{`not bozo and entries[0]['title'] == 'x'`, true},
		{`feed['title_detail']['value'] == 'x'`, true},
		{`entries[0]['enclosures'][0]['href'] == 'x'`, true},
		{`len(entries[0].tags) == 2 and entries[0].tags[1].term == 'b'`, true},
		{`entries[0].get('title') == 'x'`, true},
		{`'title' in entries[0]`, true},
		// Unmapped anywhere, even in a branch a short-circuit would skip:
		{`bozo and feed['title_detail']['language'] == 'en'`, false},
		{`entries[0]['where'] == {}`, false},
		{`'where' in entries[0]`, false},
		{`isinstance(bozo_exception, feedparser.CharacterEncodingOverride)`, false},
		{`entries[0]['tags'][0]['label'] == 'x'`, false},
		{`headers['x'] == 1`, false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Compile(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			err = e.Check(schema)
			if tt.mapped && err != nil {
				t.Errorf("Check = %v, want mapped", err)
			}
			if !tt.mapped && !errors.Is(err, ErrUnmapped) {
				t.Errorf("Check = %v, want ErrUnmapped", err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	cases, err := Load(filepath.Join("testdata", "corpus"), nil)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Case{}
	for _, c := range cases {
		byPath[c.Path] = c
	}
	if len(byPath) != 4 {
		t.Fatalf("loaded %d cases, want 4: %v", len(byPath), slices.Collect(func(yield func(string) bool) {
			for p := range byPath {
				if !yield(p) {
					return
				}
			}
		}))
	}
	u16 := byPath["encoding/utf16.xml"]
	if u16.Expect != `not bozo and feed['title'] == '\u0416'` || u16.Folder != "encoding" {
		t.Errorf("utf-16 case: Expect %q, Folder %q", u16.Expect, u16.Folder)
	}
	if u16.Headers["content-type"] != "application/xml" || u16.Headers["content-location"] != "http://example.com/" {
		t.Errorf("utf-16 case headers = %v", u16.Headers)
	}
	if j := byPath["json/basic.json"]; j.Expect != `not bozo and feed.title == 'T' and len(entries) == 1` || j.Description != "basic JSON" {
		t.Errorf("json case: Expect %q, Description %q", j.Expect, j.Description)
	}
	if c := byPath["wellformed/rss/no_expect.xml"]; c.Expect != "" {
		t.Errorf("case without Expect has %q", c.Expect)
	}
	// Every case with an expectation passes through topicfeed's parser.
	for _, c := range cases {
		if c.Expect == "" {
			continue
		}
		t.Run(c.Path, func(t *testing.T) {
			e, err := Compile(c.Expect)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Check(Schema()); err != nil {
				t.Fatal(err)
			}
			res, err := parser.Parse(c.Body, parser.Options{ContentType: c.Headers["content-type"]})
			if err != nil {
				t.Fatal(err)
			}
			ok, err := e.Eval(Env(Parsed{Feed: res.Feed, Format: res.Format, Version: res.Version, Encoding: res.Encoding, Bozo: !res.WellFormed}))
			if err != nil || !ok {
				t.Errorf("expectation %q: %v, %v", c.Expect, ok, err)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	when := time.Date(2003, 12, 31, 10, 14, 55, 0, time.UTC)
	f := &gofeed.Feed{
		Title: "T", Language: "en", FeedType: "rss", FeedVersion: "2.0",
		Items: []*gofeed.Item{{
			Title: "I", GUID: "g", Description: "d", Content: "c",
			Authors:         []*gofeed.Person{{Name: "N", Email: "e@x"}},
			Published:       "Wed, 31 Dec 2003 10:14:55 GMT",
			PublishedParsed: &when,
			Categories:      []string{"a", "b"},
			Enclosures:      []*gofeed.Enclosure{{URL: "u", Type: "audio/mpeg", Length: "5"}},
		}},
	}
	env := Env(Parsed{Feed: f, Format: "rss", Version: "2.0", Encoding: "utf-8"})
	checks := []string{
		`version == 'rss20' and encoding == 'utf-8' and not bozo`,
		`feed['title_detail']['value'] == 'T' and feed['language'] == 'en'`,
		`entries[0]['id'] == entries[0]['guid'] == 'g'`,
		`entries[0]['summary'] == entries[0]['description'] == 'd' and entries[0]['content'][0]['value'] == 'c'`,
		`entries[0]['author'] == 'N (e@x)' and entries[0]['author_detail']['email'] == 'e@x'`,
		`entries[0]['published_parsed'] == (2003, 12, 31, 10, 14, 55, 2, 365, 0)`,
		`entries[0]['issued'] == entries[0]['published']`,
		`entries[0]['tags'][1]['term'] == 'b' and entries[0]['category'] == 'a'`,
		`entries[0]['enclosures'][0]['length'] == '5'`,
		`'updated' not in entries[0]`,
	}
	for _, src := range checks {
		e, err := Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Check(Schema()); err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if ok, err := e.Eval(env); err != nil || !ok {
			t.Errorf("%s: %v, %v", src, ok, err)
		}
	}
}

// TestSanitizeCases checks the extraction a sanitiser test builds on: the
// corpus's sanitize cases come out with content, expectation and the
// dangerous markup they are about.
func TestSanitizeCases(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "shared", "conformance", "feedparser")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("feedparser corpus not found at %s (it lives in /work/shared/conformance; CI has it): %v", dir, err)
	}
	cases, skipped, err := SanitizeCases(dir)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, c := range cases {
		if c.Field == "" || c.Expect == "" {
			t.Errorf("%s: empty field or expectation", c.Path)
		}
		for _, k := range c.Dangerous {
			kinds[k]++
		}
	}
	t.Logf("%d sanitize cases extracted, %d skipped; dangerous markup to remove, by kind: %v", len(cases), skipped, kinds)
	if len(cases) < 700 {
		t.Errorf("only %d sanitize cases extracted", len(cases))
	}
	// (The corpus has no CSS expression() case; DangerousIn still looks.)
	for _, k := range []string{"script", "event-handler", "javascript-url", "embedding"} {
		if kinds[k] == 0 {
			t.Errorf("no sanitize case is about %s", k)
		}
	}
	byPath := map[string]SanitizeCase{}
	for _, c := range cases {
		byPath[c.Path] = c
	}
	c, ok := byPath["wellformed/sanitize/acceptable_attribute_abbr.xml"]
	if !ok || c.Content != `<span abbr=""></span>` || c.Want != `<span abbr=""></span>` || len(c.Dangerous) != 0 {
		t.Errorf("acceptable_attribute_abbr = %+v", c)
	}
}

func TestDangerousIn(t *testing.T) {
	tests := []struct {
		html string
		want []string
	}{
		{`<p>fine <a href="http://x/">x</a></p>`, nil},
		{`<SCRIPT>alert(1)</SCRIPT>`, []string{"script"}},
		{`<img src=x onerror="alert(1)">`, []string{"event-handler"}},
		{`<a href="JavaScript:alert(1)">x</a>`, []string{"javascript-url"}},
		{`<div style="width: expression(alert(1))">`, []string{"style-expression"}},
		{`<iframe src="http://x/"></iframe>`, []string{"embedding"}},
	}
	for _, tt := range tests {
		if got := DangerousIn(tt.html); !slices.Equal(got, tt.want) {
			t.Errorf("DangerousIn(%q) = %v, want %v", tt.html, got, tt.want)
		}
	}
}
