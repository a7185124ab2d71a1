// Package conformancetest runs the Python feedparser project's test corpus
// against topicfeed's parsing layer: it reads the corpus cases, maps a parsed
// feed to feedparser's key names, and evaluates the cases' Python
// expectations with a small evaluator. Only tests import it.
package conformancetest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// Case is one corpus document and its expectation.
type Case struct {
	// Path is the file's path relative to the corpus root, with slashes.
	Path string
	// Folder groups cases for reporting: the path's directory
	// ("wellformed/atom10", "encoding").
	Folder      string
	Description string
	// Expect is the Python expression; empty when the file has none.
	Expect string
	// Headers are the HTTP headers the case is served with, keys
	// lower-cased.
	Headers map[string]string
	// SkipUnless is feedparser's precondition, if any.
	SkipUnless string
	Body       []byte
}

// Load reads every case under dir whose relative path include accepts (nil
// accepts all). Files without an Expect line are returned too, with Expect
// empty.
func Load(dir string, include func(rel string) bool) ([]Case, error) {
	var cases []Case
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		ext := filepath.Ext(path)
		if ext != ".xml" && ext != ".json" && ext != ".rdf" && ext != ".atom" && ext != ".rss" {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if include != nil && !include(rel) {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read corpus case: %w", err)
		}
		c := Case{Path: rel, Folder: filepath.ToSlash(filepath.Dir(rel)), Body: body, Headers: map[string]string{}}
		c.readHeader()
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load corpus %s: %w", dir, err)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Path < cases[j].Path })
	return cases, nil
}

// readHeader parses the leading comment (or, for JSON, the "__TEST__"
// member) that carries the case's metadata.
func (c *Case) readHeader() {
	text := headerText(c.Body)
	if strings.HasSuffix(c.Path, ".json") {
		// "__TEST__": "Description: ... Expect: ... -->"
		i := strings.Index(text, "Expect:")
		if i >= 0 {
			rest := text[i+len("Expect:"):]
			if j := strings.Index(rest, "-->"); j >= 0 {
				rest = rest[:j]
			}
			c.Expect = strings.TrimSpace(rest)
		}
		if i := strings.Index(text, "Description:"); i >= 0 {
			rest := text[i+len("Description:"):]
			if j := strings.Index(rest, "Expect:"); j >= 0 {
				rest = rest[:j]
			}
			c.Description = strings.TrimSpace(rest)
		}
		return
	}
	start := strings.Index(text, "<!--")
	if start < 0 {
		return
	}
	end := strings.Index(text[start:], "-->")
	if end < 0 {
		return
	}
	headerLine := regexp.MustCompile(`(?m)^\s*(Description|Expect|Header|SkipUnless):\s*(.*?)\s*$`)
	for _, m := range headerLine.FindAllStringSubmatch(text[start:start+end], -1) {
		switch m[1] {
		case "Description":
			c.Description = m[2]
		case "Expect":
			c.Expect = m[2]
		case "SkipUnless":
			c.SkipUnless = m[2]
		case "Header":
			k, v, ok := strings.Cut(m[2], ":")
			if ok {
				c.Headers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
	}
}

// headerText returns the document as text good enough to find its leading
// comment in: UTF-16 and UTF-32 documents are decoded, others read as they
// are.
func headerText(b []byte) string {
	type enc struct {
		marks [][]byte
		dec   func([]byte) ([]byte, error)
	}
	encs := []enc{
		{[][]byte{{0x00, 0x00, 0xFE, 0xFF}, {0x00, 0x00, 0x00, '<'}}, utf32.UTF32(utf32.BigEndian, utf32.UseBOM).NewDecoder().Bytes},
		{[][]byte{{0xFF, 0xFE, 0x00, 0x00}, {'<', 0x00, 0x00, 0x00}}, utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewDecoder().Bytes},
		{[][]byte{{0xFE, 0xFF}, {0x00, '<'}}, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder().Bytes},
		{[][]byte{{0xFF, 0xFE}, {'<', 0x00}}, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder().Bytes},
	}
	for _, e := range encs {
		for _, m := range e.marks {
			if bytes.HasPrefix(b, m) {
				if out, err := e.dec(b); err == nil {
					return string(out)
				}
			}
		}
	}
	return string(b)
}
