package conformancetest

import (
	"errors"
	"fmt"
)

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
