package normalize

import (
	"testing"
)

// TestContentHash: identical normalised content gives one hash, whatever the
// script variants (Arabic vs Persian yeh/kaf), markup or white space; a
// changed word gives another.
func TestContentHash(t *testing.T) {
	items, _ := loadCase(t, "multilingual")
	byURL := map[string]string{}
	for _, it := range items {
		byURL[it.URL] = it.ContentHash
	}
	if a, b := byURL["https://example.org/fa/3"], byURL["https://example.org/fa/3-copy"]; a == "" || a != b {
		t.Errorf("Arabic-yeh and Persian-yeh copies hash differently: %s vs %s", a, b)
	}

	n := New(DefaultRules())
	hash := func(title, html string) string {
		it, _, ok := n.Item(Source{Outlet: "X"}, feedOf(itemOf(title, "https://example.com/a", html)), 0, goldenNow)
		if !ok {
			t.Fatal("item skipped")
		}
		return it.ContentHash
	}
	base := hash("Iran and Russia", "<p>Tehran and Moscow signed a deal.</p>")
	tests := []struct {
		name, title, html string
		same              bool
	}{
		{"markup and spaces", "Iran  and Russia", "<div><p>Tehran and <b>Moscow</b>\n signed a deal.</p></div>", true},
		{"case", "IRAN AND RUSSIA", "<p>Tehran and Moscow signed a deal.</p>", true},
		{"boilerplate added", "Iran and Russia", "<p>Tehran and Moscow signed a deal.</p><p>Read more</p>", true},
		{"word changed", "Iran and Russia", "<p>Tehran and Moscow rejected a deal.</p>", false},
		{"title changed", "Iran and Turkey", "<p>Tehran and Moscow signed a deal.</p>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hash(tt.title, tt.html); (got == base) != tt.same {
				t.Errorf("hash equal = %v, want %v", got == base, tt.same)
			}
		})
	}
}
