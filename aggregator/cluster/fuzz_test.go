package cluster

import (
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzAssign feeds arbitrary titles and texts (invalid UTF-8, stray quotes,
// digit runs, mixed scripts) through Assign and SimHash: no panic, a story
// for every document, copies of one text found as such.
func FuzzAssign(f *testing.F) {
	f.Add("CIA director says Iran-Russia cooperation “worrying”", burnsText)
	f.Add("", "")
	f.Add("\"\"\"", "«»„“‘’ 2,000,000.5 ,,, ... Amir-Abdollahian -- - ایران می\u200cخواهد \xff\xfe")
	f.Add("Київ", "Захарова назвала соглашение «бесполезным».\n\n\n\"unclosed")
	f.Fuzz(func(t *testing.T, title, text string) {
		ix := New(Options{})
		at := time.Date(2024, 9, 10, 0, 0, 0, 0, time.UTC)
		a := ix.Assign(Doc{Key: "a", Outlet: "o1", Title: title, Text: text, Published: at})
		b := ix.Assign(Doc{Key: "b", Outlet: "o2", Title: title, Text: text, Published: at.Add(time.Minute)})
		if a.StoryID != NewStoryID("a") || b.StoryID == "" {
			t.Fatalf("stories %q, %q", a.StoryID, b.StoryID)
		}
		if b.DuplicateOf != "" && (b.DuplicateOf != "a" || b.StoryID != a.StoryID) {
			t.Fatalf("copy decision %+v", b)
		}
		if !utf8.ValidString(a.Reason) || !utf8.ValidString(b.Reason) {
			t.Fatalf("invalid UTF-8 in reasons %q %q", a.Reason, b.Reason)
		}
		if first, again := SimHash(text), SimHash(text); first != again {
			t.Fatal("SimHash is not deterministic")
		}
		if ix.Len() != 2 {
			t.Fatalf("Len = %d, want 2", ix.Len())
		}
	})
}
