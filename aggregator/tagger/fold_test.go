package tagger

import (
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"case and punctuation", "Iran, RUSSIA; ukraine!", "iran russia ukraine"},
		{"possessive splits", "Russia's war", "russia s war"},
		{"curly apostrophe", "Iran’s drones", "iran s drones"},
		{"hyphen splits", "Amir-Abdollahian", "amir abdollahian"},
		{"latin diacritics", "Zelenskyy Ćosić café São Łódź Straße", "zelenskyy cosic cafe sao lodz strasse"},
		{"cyrillic case and yo", "Ёлка РОССИЯ Київ", "елка россия киів"},
		{"cyrillic short i", "Зеленский", "зеленскии"},
		{"ukrainian ghe", "Ґрунт", "грунт"},
		{"ukrainian apostrophes alike", "об'єкт об’єкт обʼєкт", "об єкт об єкт об єкт"},
		{"arabic yeh and kaf to persian", "كييف", "کییف"},
		{"arabic alef maksura", "موسى", "موسی"},
		{"hamza carriers", "رئيسي أوكرانيا إيران", "رییسی اوکرانیا ایران"},
		{"teh marbuta", "الطاقة", "الطاقه"},
		{"harakat dropped", "إِيرَان", "ایران"},
		{"tatweel dropped", "ايـــران", "ایران"},
		{"zwnj separates like a space", "هسته\u200cای", "هسته ای"},
		{"persian digits", "شاهد-۱۳۶ و ٣٦٠", "شاهد 136 و 360"},
		{"soft hyphen and zwj vanish", "Teh\u00adran Ira\u200dn", "tehran iran"},
		{"fullwidth compatibility", "ＩＲＡＮ", "iran"},
		// textfold's tables, shared with normalize's keys and the story index:
		{"greek final sigma", "ΣΟΦΙΑΣ σοφίας", "σοφιασ σοφιασ"},
		{"bidi marks vanish inside a word", "Ira\u200en \u202bتهران\u202c", "iran تهران"},
		{"devanagari vowel signs stay", "नमस्ते नमस्त", "नमस्ते नमस्त"},
		{"japanese voicing marks stay", "が か", "か\u3099 か"},
		{"empty", "", ""},
		{"only punctuation", "— … «»", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Fold(tc.in); got != tc.want {
				t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// The tokeniser's table must agree with the reference folding.
func TestFoldTableMatchesReference(t *testing.T) {
	f := newFolder()
	for r := rune(0); r < foldTableSize; r++ {
		if got, want := f.table[r], foldRune(r); got != want {
			t.Fatalf("table[%U] = %+v, want %+v", r, got, want)
		}
	}
}

func TestTokensOffsets(t *testing.T) {
	f := newFolder()
	s := "Iran’s Київ, Kyiv"
	buf, toks := f.tokens(s, nil, nil)
	want := []struct{ key, src string }{{"iran", "Iran"}, {"s", "s"}, {"киів", "Київ"}, {"kyiv", "Kyiv"}}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens, want %d", len(toks), len(want))
	}
	for i, w := range want {
		if k, src := string(buf[toks[i].fs:toks[i].fe]), s[toks[i].ss:toks[i].se]; k != w.key || src != w.src {
			t.Errorf("token %d = %q from %q, want %q from %q", i, k, src, w.key, w.src)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Iran’s", "هسته\u200cای", "Зеленський", "\xff\xfe", "a\u0301"} {
		f.Add(s)
	}
	fl := newFolder()
	f.Fuzz(func(t *testing.T, s string) {
		k := Fold(s)
		if !utf8.ValidString(k) {
			t.Fatalf("Fold(%q) = %q is not valid UTF-8", s, k)
		}
		buf, toks := fl.tokens(s, nil, nil)
		for _, tk := range toks {
			if tk.fs >= tk.fe || tk.ss >= tk.se || int(tk.se) > len(s) || int(tk.fe) > len(buf) {
				t.Fatalf("bad token %+v for %q", tk, s)
			}
		}
		if Fold(k) != k {
			t.Fatalf("Fold is not idempotent on %q: %q → %q", s, k, Fold(k))
		}
	})
}
