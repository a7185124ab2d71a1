package storage

import (
	"strconv"
	"strings"
)

// rebind rewrites the SQLite placeholders of query (? and ?NNN) into
// PostgreSQL's ($N), so that the SQL of this package is written once. A
// bare ? takes the number after the largest one so far, as SQLite numbers
// it; ?NNN keeps its number. Placeholders inside string literals,
// quoted identifiers and comments are left alone; a query without any
// (already in PostgreSQL's form) comes back as it is.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	highest := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			// a literal or identifier runs to its closing quote; a doubled
			// quote inside it is an escaped one and continues it
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(query))
			b.WriteString(query[i:end])
			i = end - 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			end := strings.Index(query[i+2:], "*/")
			stop := len(query)
			if end >= 0 {
				stop = i + 2 + end + 2
			}
			b.WriteString(query[i:stop])
			i = stop - 1
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n := highest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(query[i+1 : j]) // digits only: cannot fail but for overflow, which SQLite refuses too
			}
			highest = max(highest, n)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
