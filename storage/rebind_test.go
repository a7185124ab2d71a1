package storage

import "testing"

func TestRebind(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"none", `SELECT 1`, `SELECT 1`},
		{"bare", `SELECT a FROM t WHERE a = ? AND b = ?`, `SELECT a FROM t WHERE a = $1 AND b = $2`},
		{"numbered", `UPDATE t SET a = ?2 WHERE id = ?1 AND b <> ?2`, `UPDATE t SET a = $2 WHERE id = $1 AND b <> $2`},
		{"bare after numbered", `SELECT ?3, ?`, `SELECT $3, $4`},
		{"numbered past ten", `VALUES (?10, ?11)`, `VALUES ($10, $11)`},
		{"literal", `SELECT '?', a FROM t WHERE b = ?`, `SELECT '?', a FROM t WHERE b = $1`},
		{"escaped quote", `SELECT 'it''s ?' WHERE a = ?`, `SELECT 'it''s ?' WHERE a = $1`},
		{"identifier", `SELECT "a?" FROM t WHERE b = ?`, `SELECT "a?" FROM t WHERE b = $1`},
		{"line comment", "SELECT a -- is it ?\nFROM t WHERE b = ?", "SELECT a -- is it ?\nFROM t WHERE b = $1"},
		{"block comment", `SELECT /* ? */ a WHERE b = ?`, `SELECT /* ? */ a WHERE b = $1`},
		{"postgres form kept", `SELECT $1, $2`, `SELECT $1, $2`},
		{"unterminated literal", `SELECT 'a?`, `SELECT 'a?`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := rebind(c.in); got != c.want {
				t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
