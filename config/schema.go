package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The YAML decoder's own errors speak of Go and YAML types
// ("cannot unmarshal !!str `15 minutes` into time.Duration", "field x not
// found in type config.Outlet") and stop at the first mistake of some kinds.
// checkNode walks the parsed document against Config's type first and says
// what is wrong in the words of the file: the key path, what the key takes,
// with an example, and the nearest known key for an unknown one. It also
// brings the scalars it accepts in more spellings (booleans as yes/no/on/off/1/0,
// numbers in quotes, a bare 0 for a duration) to the form the decoder takes,
// so that decoding a checked node cannot fail.

var durationType = reflect.TypeOf(time.Duration(0))

// schemaChecker collects the errors of one walk.
type schemaChecker struct {
	errs Errors
}

func (sc *schemaChecker) add(n *yaml.Node, field, format string, args ...any) {
	sc.errs = append(sc.errs, &Error{Line: n.Line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// check walks n as a value of type t found at path.
func (sc *schemaChecker) check(n *yaml.Node, t reflect.Type, path string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value leaves the default
	}
	switch {
	case t == durationType:
		sc.duration(n, path)
	case t.Kind() == reflect.Struct:
		sc.mapping(n, t, path)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			sc.add(n, path, "must be %s, got %s", describeType(t), describeNode(n))
			return
		}
		for i, c := range n.Content {
			sc.check(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case t.Kind() == reflect.String:
		if n.Kind != yaml.ScalarNode {
			sc.add(n, path, "must be %s, got %s", describeType(t), describeNode(n))
		}
	case t.Kind() == reflect.Bool:
		sc.scalar(n, t, path, func(s string) (string, string, bool) {
			b, ok := parseBool(s)
			return "!!bool", strconv.FormatBool(b), ok
		})
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		sc.scalar(n, t, path, func(s string) (string, string, bool) {
			i, ok := parseInt(s, t.Bits())
			return "!!int", strconv.FormatInt(i, 10), ok
		})
	case t.Kind() == reflect.Float64 || t.Kind() == reflect.Float32:
		sc.scalar(n, t, path, func(s string) (string, string, bool) {
			f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), "_", ""), t.Bits())
			ok := err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
			return "!!float", strconv.FormatFloat(f, 'g', -1, t.Bits()), ok
		})
	}
}

// scalar checks a scalar with parse, which returns the tag and value the
// decoder takes, and rewrites n to them.
func (sc *schemaChecker) scalar(n *yaml.Node, t reflect.Type, path string, parse func(string) (tag, value string, ok bool)) {
	if n.Kind != yaml.ScalarNode {
		sc.add(n, path, "must be %s, got %s", describeType(t), describeNode(n))
		return
	}
	tag, value, ok := parse(n.Value)
	if !ok {
		sc.add(n, path, "must be %s, got %s", describeType(t), describeNode(n))
		return
	}
	n.Tag, n.Value, n.Style = tag, value, 0
}

func (sc *schemaChecker) duration(n *yaml.Node, path string) {
	if n.Kind == yaml.ScalarNode {
		s := strings.TrimSpace(n.Value)
		if s == "0" {
			s = "0s"
		}
		if d, err := time.ParseDuration(s); err == nil {
			n.Tag, n.Value, n.Style = "!!str", d.String(), 0
			return
		}
	}
	sc.add(n, path, "must be %s, got %s", describeType(durationType), describeNode(n))
}

// mapping checks the keys of a struct's mapping: each must be known (else
// the nearest known key is suggested) and given once.
func (sc *schemaChecker) mapping(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		if path == "" {
			sc.add(n, path, `the configuration must be keys and values, one per line ("listen: :8080"), got %s`, describeNode(n))
			return
		}
		sc.add(n, path, "must be %s, got %s", describeType(t), describeNode(n))
		return
	}
	fields := yamlFields(t)
	seen := map[string]int{}
	kept := n.Content[:0:0]
	defer func() { n.Content = kept }() // without repeated keys, which the decoder would stop at
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if line, dup := seen[k.Value]; dup {
			sc.add(k, joinPath(path, k.Value), "is given twice (first on line %d); keep one", line)
			continue
		}
		seen[k.Value] = k.Line
		kept = append(kept, k, v)
		if k.Value == "<<" && k.Tag == "!!merge" {
			for v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			if v.Kind == yaml.SequenceNode {
				for _, m := range v.Content {
					sc.check(m, t, path)
				}
			} else {
				sc.check(v, t, path)
			}
			continue
		}
		p := joinPath(path, k.Value)
		f, ok := fields[k.Value]
		if !ok {
			sc.add(k, p, "%s", unknownKey(k.Value, fields))
			continue
		}
		sc.check(v, f.Type, p)
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps a struct's YAML keys to its fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			out[tag] = f
		}
	}
	return out
}

// unknownKey says that key is not one of fields, suggesting the nearest
// one when it is close enough to be a misspelling, else listing them.
func unknownKey(key string, fields map[string]reflect.StructField) string {
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	slices.Sort(known)
	if s := nearest(key, known); s != "" {
		return fmt.Sprintf("unknown key; did you mean %s?", s)
	}
	return fmt.Sprintf("unknown key; the keys here are %s", strings.Join(known, ", "))
}

// nearest returns the candidate closest to s by edit distance (ignoring
// case, and "-" for "_"), or "" when none is close enough to be a
// misspelling of it: at most 1 edit for short words, 2 from 5 letters, 3
// from 12.
func nearest(s string, candidates []string) string {
	fold := func(x string) string { return strings.ReplaceAll(strings.ToLower(x), "-", "_") }
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		if d := editDistance(fold(s), fold(c)); d < bestD {
			best, bestD = c, d
		}
	}
	limit := 1
	switch n := len([]rune(s)); {
	case n >= 12:
		limit = 3
	case n >= 5:
		limit = 2
	}
	if bestD > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and transpositions of adjacent letters.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range y {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// parseBool accepts the usual spellings of a yes/no value, in any case.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1", "y":
		return true, true
	case "false", "no", "off", "0", "n":
		return false, true
	}
	return false, false
}

// parseInt accepts a whole number as YAML writes it (1000, 1_000, 0x400),
// also in quotes, and one written with an exponent or ".0" when it is
// whole (1e6).
func parseInt(s string, bits int) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	if i, err := strconv.ParseInt(s, 0, bits); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) >= math.Pow(2, float64(bits-1)) {
		return 0, false
	}
	return int64(f), true
}

// describeType says what a value of t is written as, with an example.
func describeType(t reflect.Type) string {
	switch {
	case t == durationType:
		return "a duration: a number and a unit (s, m or h), such as 90s, 15m or 1h30m"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return "a whole number, such as 500"
	case t.Kind() == reflect.Float64 || t.Kind() == reflect.Float32:
		return "a number, such as 2 or 2.5"
	case t.Kind() == reflect.String:
		return "a single value (text), not a list or keys"
	case t.Kind() == reflect.Slice:
		return `a list (one "- " line per entry, or [a, b])`
	case t.Kind() == reflect.Struct:
		return `keys of its own (lines "key: value", indented below it)`
	}
	return "a value"
}

// describeNode names what the file gave.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "keys (key: value)"
	}
	return strconv.Quote(n.Value)
}

// typeAt returns the type of the field at a key path of Config.
func typeAt(path []string) (reflect.Type, bool) {
	t := reflect.TypeOf(Config{})
	for _, name := range path {
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		f, ok := yamlFields(t)[name]
		if !ok {
			return nil, false
		}
		t = f.Type
	}
	return t, true
}
