package conformancetest

import (
	"fmt"
	"html"
	"regexp"
	"sort"
	"strings"

	"github.com/topicfeed/topicfeed/aggregator/parser"
)

// SanitizeCase is one case of the corpus's wellformed/sanitize folder, reduced
// to what a sanitiser test needs: the HTML as topicfeed's parser hands it on,
// and the HTML feedparser's sanitiser makes of it.
type SanitizeCase struct {
	Path        string
	Description string
	Expect      string
	// Field is the feedparser key the expectation reads, e.g.
	// "entries[0]['description']".
	Field string
	// Content is that field's value as parser.Parse returns it, before any
	// sanitising.
	Content string
	// Want is the value the expectation requires.
	Want string
	// Dangerous names the kinds of dangerous markup present in Content and
	// absent from Want ("script", "event-handler", "javascript-url",
	// "style-expression", "embedding"): the expectation is about removing
	// them, and a sanitiser must remove them too.
	Dangerous []string
}

// dangerousMarkup returns the dangerous-markup detectors by kind. Each
// pattern is matched case-insensitively.
func dangerousMarkup() map[string]*regexp.Regexp {
	return map[string]*regexp.Regexp{
		"script":           regexp.MustCompile(`(?i)<\s*script`),
		"event-handler":    regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`),
		"javascript-url":   regexp.MustCompile(`(?i)(java|vb)script\s*:`),
		"style-expression": regexp.MustCompile(`(?i)expression\s*\(|-moz-binding|behavior\s*:`),
		"embedding":        regexp.MustCompile(`(?i)<\s*(iframe|object|embed|applet|frame|frameset)\b`),
	}
}

// DangerousIn returns the kinds of dangerous markup found in html, sorted.
// URLs are also checked with entities decoded and blanks removed
// ("&#106;ava script:" is "javascript:" to a browser).
func DangerousIn(markup string) []string {
	var kinds []string
	decoded := strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, html.UnescapeString(markup))
	for kind, re := range dangerousMarkup() {
		if re.MatchString(markup) || kind == "javascript-url" && re.MatchString(decoded) {
			kinds = append(kinds, kind)
		}
	}
	sort.Strings(kinds)
	return kinds
}

// SanitizeCases loads the sanitize folder of the corpus at dir and extracts
// each case whose expectation compares one field with a string. Cases that
// do not parse, or whose field topicfeed does not map, are skipped and
// counted in skipped.
func SanitizeCases(dir string) (cases []SanitizeCase, skipped int, err error) {
	all, err := Load(dir, func(rel string) bool { return strings.HasPrefix(rel, "wellformed/sanitize/") })
	if err != nil {
		return nil, 0, err
	}
	schema := Schema()
	for _, c := range all {
		sc, ok := sanitizeCase(c, schema)
		if !ok {
			skipped++
			continue
		}
		cases = append(cases, sc)
	}
	if len(cases) == 0 {
		return nil, skipped, fmt.Errorf("no sanitize cases under %s", dir)
	}
	return cases, skipped, nil
}

func sanitizeCase(c Case, schema map[string]*Shape) (SanitizeCase, bool) {
	e, err := Compile(c.Expect)
	if err != nil || e.Check(schema) != nil {
		return SanitizeCase{}, false
	}
	field, want, ok := fieldEquals(e.root)
	if !ok {
		return SanitizeCase{}, false
	}
	res, err := parser.Parse(c.Body, parser.Options{ContentType: c.Headers["content-type"]})
	if err != nil {
		return SanitizeCase{}, false
	}
	env := Env(Parsed{Feed: res.Feed, Format: res.Format, Version: res.Version, Encoding: res.Encoding, Bozo: !res.WellFormed})
	v, err := eval(field, env)
	if err != nil {
		return SanitizeCase{}, false
	}
	content, ok := v.(string)
	if !ok {
		return SanitizeCase{}, false
	}
	sc := SanitizeCase{
		Path: c.Path, Description: c.Description, Expect: c.Expect,
		Field: source(field), Content: content, Want: want,
	}
	wantKinds := map[string]bool{}
	for _, k := range DangerousIn(want) {
		wantKinds[k] = true
	}
	for _, k := range DangerousIn(content) {
		if !wantKinds[k] {
			sc.Dangerous = append(sc.Dangerous, k)
		}
	}
	return sc, true
}

// fieldEquals finds "<field> == '<string>'" in an expression (possibly
// after "not bozo and").
func fieldEquals(n *node) (*node, string, bool) {
	switch n.op {
	case "and":
		for _, k := range []*node{n.kids[1], n.kids[0]} {
			if f, w, ok := fieldEquals(k); ok {
				return f, w, true
			}
		}
	case "cmp":
		if len(n.ops) == 1 && n.ops[0] == "==" && (n.kids[0].op == "index" || n.kids[0].op == "attr") {
			// The expected value is a literal or a constant expression
			// ('a' + 'b'); evaluating it without names proves it constant.
			if v, err := eval(n.kids[1], nil); err == nil {
				if w, ok := v.(string); ok {
					return n.kids[0], w, true
				}
			}
		}
	}
	return nil, "", false
}

// source prints a field access back as Python.
func source(n *node) string {
	switch n.op {
	case "name":
		return n.val.(string)
	case "attr":
		return source(n.kids[0]) + "['" + n.val.(string) + "']"
	case "index":
		switch k := n.kids[1].val.(type) {
		case string:
			return source(n.kids[0]) + "['" + k + "']"
		case int64:
			return fmt.Sprintf("%s[%d]", source(n.kids[0]), k)
		}
	}
	return "?"
}
