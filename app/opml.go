package app

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/topicfeed/topicfeed/config"
	"github.com/topicfeed/topicfeed/publish"
)

// OPMLImport is what importing a subscription list into a configuration
// file does to it.
type OPMLImport struct {
	// Config is the configuration file with the new outlets: the old
	// bytes with the new entries' lines inserted after the last outlet.
	Config []byte
	// Added are the outlets added, as "Name (URL)".
	Added []string
	// Skipped are the list's feeds not added, as "Name (URL): why".
	Skipped []string
	// Diff is the change as a unified diff of the file name ("" when
	// nothing is added).
	Diff string
}

// ImportOPML adds the feeds of list that src, a configuration file named
// name, does not have yet (by URL or by name) to its outlets. Nothing but
// the new entries changes: they are inserted as text after the last
// outlet's lines, indented as it is, so that the file's comments, blank
// lines and wrapped lists stay as they are; the result is checked to load
// as src with these outlets appended.
func ImportOPML(name string, src []byte, list publish.OPMLList) (OPMLImport, error) {
	old, err := config.Load(bytes.NewReader(src))
	if err != nil {
		return OPMLImport{}, fmt.Errorf("%s does not load by itself (without TOPICFEED_ variables): %w", name, err)
	}
	var imp OPMLImport
	urls, names := map[string]bool{}, map[string]bool{}
	for _, o := range old.Outlets {
		urls[strings.TrimRight(o.URL, "/")] = true
		names[config.Slug(o.Name)] = true
	}
	var added []config.Outlet
	for _, f := range list.Feeds {
		n := strings.TrimSpace(f.Name)
		switch {
		case urls[strings.TrimRight(f.URL, "/")]:
			imp.Skipped = append(imp.Skipped, fmt.Sprintf("%s (%s): already configured", n, f.URL))
			continue
		case names[config.Slug(n)]:
			imp.Skipped = append(imp.Skipped, fmt.Sprintf("%s (%s): an outlet of that name exists", n, f.URL))
			continue
		}
		urls[strings.TrimRight(f.URL, "/")], names[config.Slug(n)] = true, true
		added = append(added, config.Outlet{Name: n, URL: f.URL})
		imp.Added = append(imp.Added, fmt.Sprintf("%s (%s)", n, f.URL))
	}
	for _, f := range list.Unusable {
		imp.Skipped = append(imp.Skipped, fmt.Sprintf("%s (%s): not an absolute http(s) URL", cmp.Or(f.Name, "(no name)"), f.URL))
	}
	if len(added) == 0 {
		imp.Config = src
		return imp, nil
	}
	out, at, lines, err := insertOutlets(src, added)
	if err != nil {
		return OPMLImport{}, fmt.Errorf("%s: %w", name, err)
	}
	want := old
	want.Outlets = append(append([]config.Outlet(nil), old.Outlets...), added...)
	got, err := config.Load(bytes.NewReader(out))
	if err != nil {
		return OPMLImport{}, fmt.Errorf("%s: with the new outlets it would not load: %w", name, err)
	}
	if !reflect.DeepEqual(got, want) {
		return OPMLImport{}, fmt.Errorf("%s: the new outlets' lines do not read back as the outlets alone: add them by hand", name)
	}
	imp.Config, imp.Diff = out, insertionDiff(name, src, at, lines)
	return imp, nil
}

// insertOutlets inserts block-sequence entries for outlets after the last
// entry of src's top-level outlets list, at its indentation, and returns
// the new bytes, the (0-based) line the entries were inserted before and
// the inserted lines.
func insertOutlets(src []byte, outlets []config.Outlet) (out []byte, at int, inserted []string, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, 0, nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, 0, nil, errors.New("not a YAML mapping")
	}
	root := doc.Content[0]
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "outlets" {
			list = root.Content[i+1]
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode || list.Style&yaml.FlowStyle != 0 || len(list.Content) == 0 {
		return nil, 0, nil, errors.New("outlets is not a list of entries, one per line (- name: ...): add the outlets by hand")
	}
	lines := strings.SplitAfter(string(src), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	last := list.Content[len(list.Content)-1]
	dash, key, ok := entryIndent(lines, last)
	if !ok {
		return nil, 0, nil, errors.New("cannot find where the last outlet's entry starts: add the outlets by hand")
	}
	at = entryEnd(lines, lastLine(last), dash)

	eol := "\n"
	if strings.Contains(string(src), "\r\n") {
		eol = "\r\n"
	}
	for _, o := range outlets {
		name, err := quoted(o.Name)
		if err != nil {
			return nil, 0, nil, err
		}
		u, err := quoted(o.URL)
		if err != nil {
			return nil, 0, nil, err
		}
		inserted = append(inserted, strings.Repeat(" ", dash)+"-"+strings.Repeat(" ", key-dash-1)+"name: "+name+eol,
			strings.Repeat(" ", key)+"url: "+u+eol)
	}
	var b strings.Builder
	for i, l := range lines {
		if i == at {
			b.WriteString(strings.Join(inserted, ""))
		}
		if i == len(lines)-1 && at == len(lines) && !strings.HasSuffix(l, "\n") {
			l += eol // the file ended without one
		}
		b.WriteString(l)
	}
	if at == len(lines) {
		b.WriteString(strings.Join(inserted, ""))
	}
	return []byte(b.String()), at, inserted, nil
}

// entryIndent finds the columns (0-based) of the dash of the sequence
// entry whose content is node and of its content's keys.
func entryIndent(lines []string, node *yaml.Node) (dash, key int, ok bool) {
	line, col := node.Line-1, node.Column-1
	if line < 0 || line >= len(lines) {
		return 0, 0, false
	}
	// the dash is before the content on its line, or alone on a line above
	for l := line; l >= 0 && l >= line-3; l-- {
		text := strings.TrimRight(lines[l], "\r\n")
		end := len(text)
		if l == line {
			end = min(col, len(text))
		}
		head := strings.TrimRight(text[:end], " ")
		if strings.HasSuffix(head, "-") && strings.TrimLeft(head, " ") == "-" {
			dash = len(head) - 1
			if l == line {
				return dash, col, true
			}
			return dash, dash + 2, true
		}
		if strings.TrimSpace(head) != "" {
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// lastLine is the last line (1-based) on which node or one of its
// descendants starts.
func lastLine(node *yaml.Node) int {
	l := node.Line
	for _, c := range node.Content {
		l = max(l, lastLine(c))
	}
	return l
}

// entryEnd is the line (0-based) after the sequence entry whose last
// descendant starts on line from (1-based) and whose dash is at column
// dash: the entry goes on over the lines indented deeper than its dash
// (a wrapped list, a block scalar, a comment of its own), and over blank
// lines only when such a line, not a comment, follows them.
func entryEnd(lines []string, from, dash int) int {
	deeper := func(l string) bool {
		t := strings.TrimLeft(l, " ")
		return strings.TrimSpace(t) != "" && len(l)-len(t) > dash
	}
	end := from
	for i := from; i < len(lines); i++ {
		switch {
		case deeper(lines[i]):
			end = i + 1
		case strings.TrimSpace(lines[i]) == "":
			j := i
			for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
				j++
			}
			if j < len(lines) && deeper(lines[j]) && !strings.HasPrefix(strings.TrimSpace(lines[j]), "#") {
				i = j - 1
				continue
			}
			return end
		default:
			return end
		}
	}
	return end
}

// quoted is s as a YAML double-quoted scalar.
func quoted(s string) (string, error) {
	b, err := yaml.Marshal(&yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: s})
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// insertionDiff is the unified diff of inserting lines before line at
// (0-based) of src, with three lines of context.
func insertionDiff(name string, src []byte, at int, inserted []string) string {
	lines := strings.SplitAfter(string(src), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	from, to := max(0, at-3), min(len(lines), at+3)
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n@@ -%d,%d +%d,%d @@\n", name, name, from+1, to-from, from+1, to-from+len(inserted))
	line := func(prefix, l string) {
		b.WriteString(prefix + strings.TrimRight(l, "\r\n") + "\n")
	}
	for _, l := range lines[from:at] {
		line(" ", l)
	}
	for _, l := range inserted {
		line("+", l)
	}
	for _, l := range lines[at:to] {
		line(" ", l)
	}
	return b.String()
}
