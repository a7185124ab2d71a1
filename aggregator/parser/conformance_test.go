package parser_test

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/topicfeed/topicfeed/aggregator/parser"
	"github.com/topicfeed/topicfeed/aggregator/parser/conformancetest"
)

// corpusDir is the feedparser corpus, beside the repository root.
const corpusDir = "../../../shared/conformance/feedparser"

// knownFailuresFile lists the applicable cases topicfeed fails, with why.
const knownFailuresFile = "testdata/conformance_known_failures.txt"

// minPass is the ratchet: the number of applicable non-sanitize cases
// topicfeed's layer passes. Raise it when the layer gets better; it must
// never go down.
const minPass = 840

var updateKnown = flag.Bool("update-known", false, "add new conformance failures to "+knownFailuresFile)

// outcome of one case under one parser.
type outcome struct {
	pass bool
	err  string // why it failed
}

func TestConformance(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("feedparser corpus not found at %s; CI must run the conformance ratchet: %v", corpusDir, err)
		}
		t.Skipf("feedparser corpus not found at %s (it lives in /work/shared/conformance; CI has it): %v", corpusDir, err)
	}
	cases, err := conformancetest.Load(corpusDir, func(rel string) bool {
		return !strings.HasPrefix(rel, "wellformed/sanitize/")
	})
	if err != nil {
		t.Fatal(err)
	}
	known := readKnownFailures(t)
	schema := conformancetest.Schema()

	type folderStats struct{ cases, applicable, pass, stock, notApplicable, noExpect int }
	stats := map[string]*folderStats{}
	total := &folderStats{}
	var newFailures, fixed []string
	failures := map[string]string{}

	for _, c := range cases {
		fs := stats[c.Folder]
		if fs == nil {
			fs = &folderStats{}
			stats[c.Folder] = fs
		}
		fs.cases++
		total.cases++
		if c.Expect == "" {
			fs.noExpect++
			total.noExpect++
			continue
		}
		expr, err := conformancetest.Compile(c.Expect)
		if err == nil {
			err = expr.Check(schema)
		}
		if err != nil {
			fs.notApplicable++
			total.notApplicable++
			continue
		}
		fs.applicable++
		total.applicable++

		ours := run(expr, topicfeedParse(c))
		stock := run(expr, stockParse(c))
		if stock.pass {
			fs.stock++
			total.stock++
		}
		if ours.pass {
			fs.pass++
			total.pass++
			if _, ok := known[c.Path]; ok {
				fixed = append(fixed, c.Path)
			}
			continue
		}
		failures[c.Path] = ours.err
		if _, ok := known[c.Path]; !ok {
			newFailures = append(newFailures, fmt.Sprintf("%s: %s\n\tExpect: %s", c.Path, ours.err, c.Expect))
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\n%-28s %6s %6s %6s %6s %7s %6s\n", "folder", "cases", "n/a", "appl.", "pass", "fail", "gofeed")
	folders := make([]string, 0, len(stats))
	for f := range stats {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	for _, f := range folders {
		s := stats[f]
		fmt.Fprintf(&b, "%-28s %6d %6d %6d %6d %7d %6d\n", f, s.cases, s.notApplicable+s.noExpect, s.applicable, s.pass, s.applicable-s.pass, s.stock)
	}
	fmt.Fprintf(&b, "%-28s %6d %6d %6d %6d %7d %6d\n", "TOTAL", total.cases, total.notApplicable+total.noExpect, total.applicable, total.pass, total.applicable-total.pass, total.stock)
	fmt.Fprintf(&b, "topicfeed passes %d/%d applicable cases (%.1f%%); stock gofeed %d/%d (%.1f%%); %d cases lack an Expect line, %d read unmapped keys\n",
		total.pass, total.applicable, pct(total.pass, total.applicable),
		total.stock, total.applicable, pct(total.stock, total.applicable), total.noExpect, total.notApplicable)
	t.Log(b.String())

	if *updateKnown {
		writeKnownFailures(t, known, failures)
	}
	for _, f := range newFailures {
		t.Errorf("new conformance failure (fix it, or list it with a reason in %s): %s", knownFailuresFile, f)
	}
	for _, f := range fixed {
		t.Errorf("%s now passes: remove it from %s", f, knownFailuresFile)
	}
	if total.pass < minPass {
		t.Errorf("conformance fell to %d passes, below the ratchet of %d", total.pass, minPass)
	}
}

func pct(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return 100 * float64(n) / float64(d)
}

func run(expr *conformancetest.Expr, p conformancetest.Parsed) outcome {
	ok, err := expr.Eval(conformancetest.Env(p))
	switch {
	case err != nil:
		return outcome{err: err.Error()}
	case !ok:
		return outcome{err: "expectation is false"}
	}
	return outcome{pass: true}
}

// docBase is where feedparser's own test server serves the corpus from; the
// document URL is the base of last resort for relative links.
const docBase = "http://127.0.0.1:8097/tests/"

// options serves a case's HTTP headers as parser options: the Content-Type
// as is, and the Content-Location (resolved against the document URL, as a
// fetcher would) as the URL.
func options(c conformancetest.Case) parser.Options {
	doc, err := url.Parse(docBase + c.Path)
	if err != nil {
		doc, _ = url.Parse(docBase)
	}
	if loc := c.Headers["content-location"]; loc != "" {
		if l, err := url.Parse(loc); err == nil {
			if r := doc.ResolveReference(l); r.Scheme == "http" || r.Scheme == "https" {
				doc = r
			}
		}
	}
	return parser.Options{ContentType: c.Headers["content-type"], URL: doc.String(), ContentLanguage: c.Headers["content-language"]}
}

func topicfeedParse(c conformancetest.Case) conformancetest.Parsed {
	res, err := parser.Parse(c.Body, options(c))
	if err != nil {
		return conformancetest.Parsed{Bozo: true}
	}
	return conformancetest.Parsed{
		Feed: res.Feed, Format: res.Format, Version: res.Version,
		Encoding: res.Encoding, Bozo: !res.WellFormed,
	}
}

// stockParse is gofeed alone: bozo when it fails, and the encoding it reads
// from the prolog (UTF-8 otherwise).
func stockParse(c conformancetest.Case) conformancetest.Parsed {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(c.Body))
	if err != nil {
		return conformancetest.Parsed{Bozo: true}
	}
	enc := "utf-8"
	if i := bytes.Index(c.Body[:min(len(c.Body), 200)], []byte("encoding=")); i >= 0 {
		rest := c.Body[i+len("encoding="):]
		if len(rest) > 1 {
			if j := bytes.IndexByte(rest[1:], rest[0]); j >= 0 {
				enc = strings.ToLower(string(rest[1 : 1+j]))
			}
		}
	}
	version := f.FeedVersion
	if f.FeedType == "json" {
		version = strings.TrimPrefix(strings.TrimPrefix(version, "https://jsonfeed.org/version/"), "http://jsonfeed.org/version/")
		if !strings.Contains(version, ".") {
			version += ".0"
		}
	}
	return conformancetest.Parsed{Feed: f, Format: f.FeedType, Version: version, Encoding: enc}
}

// readKnownFailures reads "path<TAB>reason" lines ('#' starts a comment).
func readKnownFailures(t *testing.T) map[string]string {
	t.Helper()
	known := map[string]string{}
	f, err := os.Open(knownFailuresFile)
	if errors.Is(err, os.ErrNotExist) {
		return known
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		path, reason, _ := strings.Cut(line, "\t")
		known[strings.TrimSpace(path)] = strings.TrimSpace(reason)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return known
}

// writeKnownFailures rewrites the list with the current failures, keeping the
// reasons already written and marking new ones for a human to explain.
func writeKnownFailures(t *testing.T, known, failures map[string]string) {
	t.Helper()
	paths := make([]string, 0, len(failures))
	for p := range failures {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	b.WriteString("# Applicable feedparser corpus cases topicfeed's parsing layer fails, one per line:\n")
	b.WriteString("# path<TAB>reason. TestConformance fails on a failure not listed here and on a listed case that passes.\n")
	for _, p := range paths {
		reason, ok := known[p]
		if !ok {
			reason = "UNEXPLAINED: " + failures[p]
		}
		fmt.Fprintf(&b, "%s\t%s\n", p, reason)
	}
	if err := os.WriteFile(filepath.FromSlash(knownFailuresFile), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
