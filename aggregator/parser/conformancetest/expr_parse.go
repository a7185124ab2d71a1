package conformancetest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// node is a parsed expression.
type node struct {
	op   string // "lit", "name", "index", "attr", "call", "method", "not", "and", "or", "cmp", "neg", "add", "sub", "tuple", "list", "dict"
	val  any    // literal value, name, attribute or method name
	kids []*node
	ops  []string // comparison operators for "cmp"
}

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
