package conformancetest

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// eval evaluates n over env with Python's semantics.
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
