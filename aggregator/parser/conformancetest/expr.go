package conformancetest

// expr.go holds the API of a small evaluator for the Python expressions in feedparser's
// corpus ("Expect: not bozo and entries[0]['title'] == 'x'"). It has two
// halves:
//
//   - Check: a static pass over the expression against the Shape of the keys
//     the harness maps. Any key, name or function outside it makes the case
//     not applicable, whichever branch of an and/or it sits in.
//   - Eval: Python semantics over the mapped values (str, int, float, bool,
//     None, list, tuple, dict); KeyError, IndexError and TypeError are errors,
//     which fail the case.

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
