package news

import "testing"

func TestItemUID(t *testing.T) {
	a := ItemUID("The Moscow Times", "https://www.themoscowtimes.com/a1")
	if len(a) != 16 {
		t.Fatalf("ItemUID = %q, want 16 hex digits", a)
	}
	if a != ItemUID("The Moscow Times", "https://www.themoscowtimes.com/a1") {
		t.Error("ItemUID is not deterministic")
	}
	// The separator keeps ("ab", "c") and ("a", "bc") apart.
	if ItemUID("ab", "c") == ItemUID("a", "bc") {
		t.Error("outlet and guid are not separated")
	}
	if ItemUID("TASS", "1") == ItemUID("Meduza", "1") {
		t.Error("one GUID in two outlets gives one UID")
	}
}

func TestSaveStatsAdd(t *testing.T) {
	got := SaveStats{New: 1, Updated: 2, Unchanged: 3, Duplicate: 4}.Add(SaveStats{New: 10, Updated: 20, Unchanged: 30, Duplicate: 40})
	if got != (SaveStats{New: 11, Updated: 22, Unchanged: 33, Duplicate: 44}) {
		t.Errorf("Add = %+v", got)
	}
}
