package news

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestItemUID(t *testing.T) {
	pub := time.Date(2026, 12, 6, 3, 59, 59, 0, time.UTC)
	a := ItemUID("The Moscow Times", "https://www.themoscowtimes.com/a1", pub)
	if len(a) != 24 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Fatalf("ItemUID = %q, want 24 hex digits", a)
	}
	if want := fmt.Sprintf("%08x", pub.Unix()/3600); a[:8] != want {
		t.Errorf("ItemUID = %q, want the publication hour %s first", a, want)
	}
	if a != ItemUID("The Moscow Times", "https://www.themoscowtimes.com/a1", pub.Add(-59*time.Minute)) {
		t.Error("ItemUID is not deterministic within the hour")
	}
	// The separator keeps ("ab", "c") and ("a", "bc") apart.
	if ItemUID("ab", "c", pub) == ItemUID("a", "bc", pub) {
		t.Error("outlet and guid are not separated")
	}
	if ItemUID("TASS", "1", pub) == ItemUID("Meduza", "1", pub) {
		t.Error("one GUID in two outlets gives one UID")
	}
	// uids sort by publication hour, whatever the hash
	var prev string
	for h := range 48 {
		u := ItemUID("TASS", fmt.Sprint(h), pub.Add(time.Duration(h)*time.Hour))
		if u <= prev {
			t.Fatalf("hour %d: uid %s sorts before %s", h, u, prev)
		}
		prev = u
	}
	if u := ItemUID("TASS", "1", time.Unix(-7200, 0)); u[:8] != "00000000" {
		t.Errorf("a time before 1970 gives %q", u)
	}
}

func TestUIDIdentity(t *testing.T) {
	pub := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	a, b := ItemUID("TASS", "1", pub), ItemUID("TASS", "1", pub.Add(5*time.Hour))
	if a == b || UIDIdentity(a) != UIDIdentity(b) {
		t.Errorf("uids %s and %s of one item: identities %s and %s", a, b, UIDIdentity(a), UIDIdentity(b))
	}
	if UIDIdentity(a) == UIDIdentity(ItemUID("TASS", "2", pub)) {
		t.Error("two items share an identity")
	}
	if old := "0123456789abcdef"; UIDIdentity(old) != old {
		t.Errorf("a 16-digit uid's identity is %q", UIDIdentity(old))
	}
	if UIDIdentity(a) != a[8:] {
		t.Errorf("identity %q of %q: want it without the hour", UIDIdentity(a), a)
	}
}

func TestSaveStatsAdd(t *testing.T) {
	got := SaveStats{New: 1, Updated: 2, Unchanged: 3, Duplicate: 4}.Add(SaveStats{New: 10, Updated: 20, Unchanged: 30, Duplicate: 40})
	if got != (SaveStats{New: 11, Updated: 22, Unchanged: 33, Duplicate: 44}) {
		t.Errorf("Add = %+v", got)
	}
}
