package conformance

// This file is a small evaluator for the Python expressions in feedparser's
// corpus ("Expect: not bozo and entries[0]['title'] == 'x'"). It has two
// halves:
//
//   - Check: a static pass over the expression against the Shape of the keys
//     the harness maps. Any key, name or function outside it makes the case
//     not applicable, whichever branch of an and/or it sits in.
//   - Eval: Python semantics over the mapped values (str, int, float, bool,
//     None, list, tuple, dict); KeyError, IndexError and TypeError are errors,
//     which fail the case.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Values an expression works on: string, int64, float64, bool, nil, List,
// Tuple and Dict.
type (
	// List is a Python list.
	List []any
	// Tuple is a Python tuple (feedparser's *_parsed dates compare equal to
	// 9-tuples).
	Tuple []any
	// Dict is a Python dict with string keys.
	Dict map[string]any
)

// Expr is a compiled expectation.
type Expr struct {
	src  string
	root *node
}

// Compile parses a Python expression of the subset the corpus uses.
func Compile(src string) (*Expr, error) {
	n, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	return &Expr{src: src, root: n}, nil
}

// String returns the expression's source.
func (e *Expr) String() string { return e.src }

// Check returns an error wrapping ErrUnmapped when the expression uses a name,
// key or function outside names (in any branch).
func (e *Expr) Check(names map[string]*Shape) error {
	_, err := check(e.root, names)
	return err
}

// Eval evaluates the expression against env and reports whether it is true.
// A Python exception (KeyError, IndexError, TypeError...) is an error.
func (e *Expr) Eval(env map[string]any) (bool, error) {
	v, err := eval(e.root, env)
	if err != nil {
		return false, err
	}
	return truthy(v), nil
}

// node is a parsed expression.
type node struct {
	op   string // "lit", "name", "index", "attr", "call", "method", "not", "and", "or", "cmp", "neg", "add", "sub", "tuple", "list", "dict"
	val  any    // literal value, name, attribute or method name
	kids []*node
	ops  []string // comparison operators for "cmp"
}

// ---------------------------------------------------------------- lexer

type token struct {
	kind string // "name", "num", "str", "op", "eof"
	text string
	val  any
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i
			for j < len(src) && (isIdentStart(src[j]) || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			word := src[i:j]
			// String prefixes: u'..', b'..', r'..'.
			if j < len(src) && (src[j] == '\'' || src[j] == '"') && len(word) <= 2 && strings.Trim(strings.ToLower(word), "ubr") == "" {
				s, n, err := lexString(src[j:], strings.ContainsAny(strings.ToLower(word), "r"))
				if err != nil {
					return nil, err
				}
				toks = append(toks, token{kind: "str", val: s})
				i = j + n
				continue
			}
			toks = append(toks, token{kind: "name", text: word})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'x' || src[j] == 'L' || src[j] >= 'a' && src[j] <= 'f' || src[j] >= 'A' && src[j] <= 'F') {
				j++
			}
			text := strings.TrimSuffix(src[i:j], "L")
			if v, err := strconv.ParseInt(text, 0, 64); err == nil {
				toks = append(toks, token{kind: "num", val: v})
			} else if f, err := strconv.ParseFloat(text, 64); err == nil {
				toks = append(toks, token{kind: "num", val: f})
			} else {
				return nil, fmt.Errorf("bad number %q", text)
			}
			i = j
		case c == '\'' || c == '"':
			s, n, err := lexString(src[i:], false)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: "str", val: s})
			i += n
		default:
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "==", "!=", "<=", ">=", "**", "//":
				toks = append(toks, token{kind: "op", text: two})
				i += 2
				continue
			}
			if strings.IndexByte("()[]{},.:<>+-*%", c) < 0 {
				return nil, fmt.Errorf("unexpected %q", c)
			}
			toks = append(toks, token{kind: "op", text: string(c)})
			i++
		}
	}
	return append(toks, token{kind: "eof"}), nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// lexString reads a Python string literal (with its escapes) at the start of
// s and returns its value and length.
func lexString(s string, raw bool) (string, int, error) {
	q := s[0]
	triple := strings.HasPrefix(s, strings.Repeat(string(q), 3))
	start := 1
	if triple {
		start = 3
	}
	var b strings.Builder
	for i := start; i < len(s); {
		c := s[i]
		if triple && strings.HasPrefix(s[i:], strings.Repeat(string(q), 3)) {
			return b.String(), i + 3, nil
		}
		if !triple && c == q {
			return b.String(), i + 1, nil
		}
		if c != '\\' || raw {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			break
		}
		e := s[i+1]
		i += 2
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\', '\'', '"':
			b.WriteByte(e)
		case '\n':
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+n > len(s) {
				return "", 0, errors.New("short escape")
			}
			v, err := strconv.ParseUint(s[i:i+n], 16, 32)
			if err != nil {
				return "", 0, fmt.Errorf("bad escape: %w", err)
			}
			b.WriteRune(rune(v))
			i += n
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return "", 0, errors.New("unterminated string")
}

// ---------------------------------------------------------------- parser

type pyParser struct {
	toks []token
	pos  int
}

func parseExpr(src string) (*node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, fmt.Errorf("lex %q: %w", src, err)
	}
	p := &pyParser{toks: toks}
	n, err := p.expr()
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", src, err)
	}
	if p.peek().kind != "eof" {
		return nil, fmt.Errorf("parse %q: trailing %q", src, p.peek().text)
	}
	return n, nil
}

func (p *pyParser) peek() token { return p.toks[p.pos] }
func (p *pyParser) next() token { t := p.toks[p.pos]; p.pos++; return t }
func (p *pyParser) isOp(s string) bool {
	t := p.peek()
	return t.kind == "op" && t.text == s
}
func (p *pyParser) isName(s string) bool {
	t := p.peek()
	return t.kind == "name" && t.text == s
}
func (p *pyParser) expect(s string) error {
	if !p.isOp(s) {
		return fmt.Errorf("want %q, got %q", s, p.peek().text)
	}
	p.pos++
	return nil
}

func (p *pyParser) expr() (*node, error) { return p.or() }

func (p *pyParser) or() (*node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isName("or") {
		p.pos++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &node{op: "or", kids: []*node{l, r}}
	}
	return l, nil
}

func (p *pyParser) and() (*node, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.isName("and") {
		p.pos++
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &node{op: "and", kids: []*node{l, r}}
	}
	return l, nil
}

func (p *pyParser) not() (*node, error) {
	if p.isName("not") {
		p.pos++
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &node{op: "not", kids: []*node{x}}, nil
	}
	return p.comparison()
}

func (p *pyParser) comparison() (*node, error) {
	first, err := p.arith()
	if err != nil {
		return nil, err
	}
	n := &node{op: "cmp", kids: []*node{first}}
	for {
		var op string
		switch t := p.peek(); {
		case t.kind == "op" && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">="):
			op = t.text
			p.pos++
		case p.isName("in"):
			op = "in"
			p.pos++
		case p.isName("not") && p.toks[p.pos+1].kind == "name" && p.toks[p.pos+1].text == "in":
			op = "not in"
			p.pos += 2
		case p.isName("is"):
			p.pos++
			op = "is"
			if p.isName("not") {
				p.pos++
				op = "is not"
			}
		}
		if op == "" {
			break
		}
		r, err := p.arith()
		if err != nil {
			return nil, err
		}
		n.ops = append(n.ops, op)
		n.kids = append(n.kids, r)
	}
	if len(n.ops) == 0 {
		return first, nil
	}
	return n, nil
}

func (p *pyParser) arith() (*node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op := map[string]string{"+": "add", "-": "sub"}[p.next().text]
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &node{op: op, kids: []*node{l, r}}
	}
	return l, nil
}

func (p *pyParser) unary() (*node, error) {
	if p.isOp("-") {
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: "neg", kids: []*node{x}}, nil
	}
	return p.primary()
}

func (p *pyParser) primary() (*node, error) {
	n, err := p.atom()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isOp("["):
			p.pos++
			if p.isOp(":") {
				return nil, errors.New("slices are not supported")
			}
			idx, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isOp(":") {
				return nil, errors.New("slices are not supported")
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			n = &node{op: "index", kids: []*node{n, idx}}
		case p.isOp("."):
			p.pos++
			t := p.next()
			if t.kind != "name" {
				return nil, fmt.Errorf("want attribute name, got %q", t.text)
			}
			n = &node{op: "attr", val: t.text, kids: []*node{n}}
		case p.isOp("("):
			p.pos++
			args, err := p.list(")")
			if err != nil {
				return nil, err
			}
			if n.op == "attr" {
				n = &node{op: "method", val: n.val, kids: append([]*node{n.kids[0]}, args...)}
			} else {
				n = &node{op: "call", kids: append([]*node{n}, args...)}
			}
		default:
			return n, nil
		}
	}
}

// list parses comma-separated expressions up to the closing token.
func (p *pyParser) list(closing string) ([]*node, error) {
	var out []*node
	for !p.isOp(closing) {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, x)
		if !p.isOp(",") {
			break
		}
		p.pos++
	}
	return out, p.expect(closing)
}

func (p *pyParser) atom() (*node, error) {
	t := p.next()
	switch t.kind {
	case "num":
		return &node{op: "lit", val: t.val}, nil
	case "str":
		s := t.val.(string)
		for p.peek().kind == "str" { // implicit concatenation
			s += p.next().val.(string)
		}
		return &node{op: "lit", val: s}, nil
	case "name":
		switch t.text {
		case "True":
			return &node{op: "lit", val: true}, nil
		case "False":
			return &node{op: "lit", val: false}, nil
		case "None":
			return &node{op: "lit", val: nil}, nil
		}
		return &node{op: "name", val: t.text}, nil
	case "op":
		switch t.text {
		case "(":
			if p.isOp(")") {
				p.pos++
				return &node{op: "tuple"}, nil
			}
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isOp(")") {
				p.pos++
				return x, nil
			}
			if err := p.expect(","); err != nil {
				return nil, err
			}
			rest, err := p.list(")")
			if err != nil {
				return nil, err
			}
			return &node{op: "tuple", kids: append([]*node{x}, rest...)}, nil
		case "[":
			items, err := p.list("]")
			if err != nil {
				return nil, err
			}
			return &node{op: "list", kids: items}, nil
		case "{":
			var kids []*node
			for !p.isOp("}") {
				k, err := p.expr()
				if err != nil {
					return nil, err
				}
				if err := p.expect(":"); err != nil {
					return nil, err
				}
				v, err := p.expr()
				if err != nil {
					return nil, err
				}
				kids = append(kids, k, v)
				if !p.isOp(",") {
					break
				}
				p.pos++
			}
			return &node{op: "dict", kids: kids}, p.expect("}")
		}
	}
	return nil, fmt.Errorf("unexpected %q", t.text)
}

// ---------------------------------------------------------------- schema check

// Shape describes what the harness maps: a dict with known keys, a list of
// one shape, or a scalar (neither).
type Shape struct {
	Keys map[string]*Shape // dict
	Elem *Shape            // list
}

// ErrUnmapped is wrapped by Check's error for an expression that uses a name,
// key or function the harness does not map.
var ErrUnmapped = errors.New("not mapped")

func (s *Shape) isDict() bool { return s != nil && s.Keys != nil }
func (s *Shape) isList() bool { return s != nil && s.Elem != nil }

// check walks the whole expression (every branch) and returns an error
// wrapping ErrUnmapped naming the first key, name or function the harness does
// not map. It returns the shape of the node's value (nil when unknown, e.g.
// literals and computed values).
func check(n *node, names map[string]*Shape) (*Shape, error) {
	switch n.op {
	case "lit":
		return nil, nil
	case "name":
		s, ok := names[n.val.(string)]
		if !ok {
			return nil, fmt.Errorf("%w: name %s", ErrUnmapped, n.val)
		}
		return s, nil
	case "index", "attr":
		base, err := check(n.kids[0], names)
		if err != nil {
			return nil, err
		}
		var key *node
		if n.op == "attr" {
			key = &node{op: "lit", val: n.val}
		} else {
			key = n.kids[1]
			if _, err := check(key, names); err != nil {
				return nil, err
			}
		}
		return member(base, key)
	case "method":
		base, err := check(n.kids[0], names)
		if err != nil {
			return nil, err
		}
		for _, a := range n.kids[1:] {
			if _, err := check(a, names); err != nil {
				return nil, err
			}
		}
		switch n.val {
		case "get", "has_key":
			if len(n.kids) < 2 {
				return nil, fmt.Errorf("%w: %s()", ErrUnmapped, n.val)
			}
			return member(base, n.kids[1])
		case "keys", "values", "items", "startswith", "endswith", "lower", "upper", "strip", "count", "find":
			return nil, nil
		}
		return nil, fmt.Errorf("%w: method %s", ErrUnmapped, n.val)
	case "call":
		fn := n.kids[0]
		for _, a := range n.kids[1:] {
			if _, err := check(a, names); err != nil {
				return nil, err
			}
		}
		if fn.op == "name" && (fn.val == "len" || fn.val == "ord") && len(n.kids) == 2 {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: call", ErrUnmapped)
	case "cmp":
		var shapes []*Shape
		for _, k := range n.kids {
			s, err := check(k, names)
			if err != nil {
				return nil, err
			}
			shapes = append(shapes, s)
		}
		// 'key' in some_dict names a key of that dict.
		for i, op := range n.ops {
			if (op == "in" || op == "not in") && shapes[i+1].isDict() {
				if _, err := member(shapes[i+1], n.kids[i]); err != nil {
					return nil, err
				}
			}
		}
		return nil, nil
	default:
		for _, k := range n.kids {
			if _, err := check(k, names); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
}

// member checks a key or index into a shape.
func member(base *Shape, key *node) (*Shape, error) {
	switch {
	case base.isDict():
		if key.op != "lit" {
			return nil, fmt.Errorf("%w: computed key", ErrUnmapped)
		}
		k, ok := key.val.(string)
		if !ok {
			return nil, fmt.Errorf("%w: non-string key", ErrUnmapped)
		}
		s, ok := base.Keys[k]
		if !ok {
			return nil, fmt.Errorf("%w: key %q", ErrUnmapped, k)
		}
		return s, nil
	case base.isList():
		return base.Elem, nil
	case base == nil:
		// A scalar or computed value: indexing a string is fine.
		return nil, nil
	}
	// A mapped scalar indexed like a dict (e.g. feedparser's
	// entries[0]['title'][0]): fine, Python semantics apply at eval.
	return nil, nil
}

// ---------------------------------------------------------------- eval

func eval(n *node, env map[string]any) (any, error) {
	switch n.op {
	case "lit":
		return n.val, nil
	case "name":
		v, ok := env[n.val.(string)]
		if !ok {
			return nil, fmt.Errorf("NameError: %s", n.val)
		}
		return v, nil
	case "tuple", "list":
		out := make([]any, 0, len(n.kids))
		for _, k := range n.kids {
			v, err := eval(k, env)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if n.op == "tuple" {
			return Tuple(out), nil
		}
		return List(out), nil
	case "dict":
		d := Dict{}
		for i := 0; i+1 < len(n.kids); i += 2 {
			k, err := eval(n.kids[i], env)
			if err != nil {
				return nil, err
			}
			v, err := eval(n.kids[i+1], env)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, errors.New("TypeError: non-string dict key")
			}
			d[ks] = v
		}
		return d, nil
	case "not":
		v, err := eval(n.kids[0], env)
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil
	case "and", "or":
		l, err := eval(n.kids[0], env)
		if err != nil {
			return nil, err
		}
		if truthy(l) == (n.op == "or") {
			return l, nil
		}
		return eval(n.kids[1], env)
	case "neg":
		v, err := eval(n.kids[0], env)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case int64:
			return -x, nil
		case float64:
			return -x, nil
		}
		return nil, errors.New("TypeError: bad operand for unary -")
	case "add", "sub":
		l, err := eval(n.kids[0], env)
		if err != nil {
			return nil, err
		}
		r, err := eval(n.kids[1], env)
		if err != nil {
			return nil, err
		}
		return arith(n.op, l, r)
	case "index", "attr":
		base, err := eval(n.kids[0], env)
		if err != nil {
			return nil, err
		}
		var key any = n.val
		if n.op == "index" {
			if key, err = eval(n.kids[1], env); err != nil {
				return nil, err
			}
		}
		return index(base, key)
	case "method":
		base, err := eval(n.kids[0], env)
		if err != nil {
			return nil, err
		}
		var args []any
		for _, k := range n.kids[1:] {
			v, err := eval(k, env)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		}
		return method(base, n.val.(string), args)
	case "call":
		if len(n.kids) != 2 {
			return nil, errors.New("TypeError: arity")
		}
		arg, err := eval(n.kids[1], env)
		if err != nil {
			return nil, err
		}
		switch n.kids[0].val {
		case "len":
			switch x := arg.(type) {
			case string:
				return int64(utf8.RuneCountInString(x)), nil
			case List:
				return int64(len(x)), nil
			case Tuple:
				return int64(len(x)), nil
			case Dict:
				return int64(len(x)), nil
			}
			return nil, errors.New("TypeError: object has no len()")
		case "ord":
			s, ok := arg.(string)
			if !ok || utf8.RuneCountInString(s) != 1 {
				return nil, fmt.Errorf("TypeError: ord() expected a character, got %q", arg)
			}
			r, _ := utf8.DecodeRuneInString(s)
			return int64(r), nil
		}
		return nil, fmt.Errorf("NameError: %v", n.kids[0].val)
	case "cmp":
		l, err := eval(n.kids[0], env)
		if err != nil {
			return nil, err
		}
		for i, op := range n.ops {
			r, err := eval(n.kids[i+1], env)
			if err != nil {
				return nil, err
			}
			ok, err := compare(op, l, r)
			if err != nil {
				return nil, err
			}
			if !ok {
				return false, nil
			}
			l = r
		}
		return true, nil
	}
	return nil, fmt.Errorf("unknown node %s", n.op)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case List:
		return len(x) > 0
	case Tuple:
		return len(x) > 0
	case Dict:
		return len(x) > 0
	}
	return true
}

func arith(op string, l, r any) (any, error) {
	switch a := l.(type) {
	case int64:
		if b, ok := r.(int64); ok {
			if op == "add" {
				return a + b, nil
			}
			return a - b, nil
		}
	case string:
		if b, ok := r.(string); ok && op == "add" {
			return a + b, nil
		}
	}
	af, aok := toFloat(l)
	bf, bok := toFloat(r)
	if aok && bok {
		if op == "add" {
			return af + bf, nil
		}
		return af - bf, nil
	}
	return nil, fmt.Errorf("TypeError: unsupported operands for %s", op)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func index(base, key any) (any, error) {
	switch b := base.(type) {
	case Dict:
		k, ok := key.(string)
		if !ok {
			return nil, fmt.Errorf("KeyError: %v", key)
		}
		v, ok := b[k]
		if !ok {
			return nil, fmt.Errorf("KeyError: %q", k)
		}
		return v, nil
	case List, Tuple, string:
		i, ok := key.(int64)
		if !ok {
			return nil, fmt.Errorf("TypeError: indices must be integers, not %T", key)
		}
		var items []any
		switch x := b.(type) {
		case List:
			items = x
		case Tuple:
			items = x
		case string:
			for _, r := range x {
				items = append(items, string(r))
			}
		}
		if i < 0 {
			i += int64(len(items))
		}
		if i < 0 || i >= int64(len(items)) {
			return nil, fmt.Errorf("IndexError: %d", i)
		}
		return items[i], nil
	}
	return nil, fmt.Errorf("TypeError: %T is not subscriptable", base)
}

func method(base any, name string, args []any) (any, error) {
	switch b := base.(type) {
	case Dict:
		switch name {
		case "get", "has_key":
			if len(args) == 0 {
				return nil, errors.New("TypeError: get() needs a key")
			}
			k, _ := args[0].(string)
			v, ok := b[k]
			if name == "has_key" {
				return ok, nil
			}
			if !ok {
				if len(args) > 1 {
					return args[1], nil
				}
				return nil, nil
			}
			return v, nil
		case "keys":
			keys := List{}
			for k := range b {
				keys = append(keys, k)
			}
			return keys, nil
		}
	case string:
		arg := ""
		if len(args) > 0 {
			arg, _ = args[0].(string)
		}
		switch name {
		case "startswith":
			return strings.HasPrefix(b, arg), nil
		case "endswith":
			return strings.HasSuffix(b, arg), nil
		case "lower":
			return strings.ToLower(b), nil
		case "upper":
			return strings.ToUpper(b), nil
		case "strip":
			return strings.TrimSpace(b), nil
		case "count":
			return int64(strings.Count(b, arg)), nil
		case "find":
			i := strings.Index(b, arg)
			if i >= 0 {
				i = utf8.RuneCountInString(b[:i])
			}
			return int64(i), nil
		}
	}
	return nil, fmt.Errorf("AttributeError: %T has no method %s", base, name)
}

func compare(op string, l, r any) (bool, error) {
	switch op {
	case "==":
		return pyEqual(l, r), nil
	case "!=":
		return !pyEqual(l, r), nil
	case "is":
		return l == nil && r == nil || pyEqual(l, r) && isSingleton(l), nil
	case "is not":
		ok, err := compare("is", l, r)
		return !ok, err
	case "in", "not in":
		found, err := contains(r, l)
		if err != nil {
			return false, err
		}
		return found == (op == "in"), nil
	}
	// Ordering: numbers and strings only.
	if ls, ok := l.(string); ok {
		rs, ok := r.(string)
		if !ok {
			return false, errors.New("TypeError: cannot order str and non-str")
		}
		c := strings.Compare(ls, rs)
		return orderHolds(op, c), nil
	}
	lf, lok := toFloat(l)
	rf, rok := toFloat(r)
	if !lok || !rok {
		return false, fmt.Errorf("TypeError: cannot order %T and %T", l, r)
	}
	c := 0
	if lf < rf {
		c = -1
	} else if lf > rf {
		c = 1
	}
	return orderHolds(op, c), nil
}

func isSingleton(v any) bool {
	switch v.(type) {
	case nil, bool:
		return true
	}
	return false
}

func orderHolds(op string, c int) bool {
	switch op {
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	}
	return c >= 0
}

func contains(container, item any) (bool, error) {
	switch c := container.(type) {
	case string:
		s, ok := item.(string)
		if !ok {
			return false, errors.New("TypeError: 'in <string>' requires string")
		}
		return strings.Contains(c, s), nil
	case Dict:
		s, ok := item.(string)
		if !ok {
			return false, nil
		}
		_, found := c[s]
		return found, nil
	case List:
		for _, x := range c {
			if pyEqual(x, item) {
				return true, nil
			}
		}
		return false, nil
	case Tuple:
		for _, x := range c {
			if pyEqual(x, item) {
				return true, nil
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("TypeError: %T is not a container", container)
}

func pyEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case List:
		y, ok := b.(List)
		return ok && seqEqual(x, y)
	case Tuple:
		y, ok := b.(Tuple)
		return ok && seqEqual(x, y)
	case Dict:
		y, ok := b.(Dict)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !pyEqual(v, w) {
				return false
			}
		}
		return true
	}
	af, aok := toFloat(a)
	bf, bok := toFloat(b)
	return aok && bok && af == bf
}

func seqEqual(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !pyEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}
