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

func TestSaveStatsAdd(t *testing.T) {
	got := SaveStats{New: 1, Updated: 2, Unchanged: 3, Duplicate: 4}.Add(SaveStats{New: 10, Updated: 20, Unchanged: 30, Duplicate: 40})
	if got != (SaveStats{New: 11, Updated: 22, Unchanged: 33, Duplicate: 44}) {
		t.Errorf("Add = %+v", got)
	}
}
