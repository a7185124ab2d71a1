package normalize

import (
	"testing"
	"unicode/utf8"
)

func TestKeyUnifies(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"case", "Iran And RUSSIA", "iran and russia"},
		{"whitespace", "  Iran\u00a0and\t\nRussia ", "iran and russia"},
		{"latin diacritics", "Chargé d’affaires Zürich", "charge d'affaires zurich"},
		{"nfkc ligature and fullwidth", "ﬁnal ＩＲＧＣ", "final irgc"},
		{"german sharp s", "Straße", "STRASSE"},
		{"cyrillic case and yo", "Ёлка Москва", "елка москва"},
		{"cyrillic short i keeps identity under both forms", "Зеленский", "зеленскии"},
		{"persian yeh vs arabic yeh", "ایران", "ايران"},
		{"alef maksura", "موسى", "موسی"},
		{"persian kaf vs arabic kaf", "کرملین", "كرملين"},
		{"zwnj", "می\u200cخواهم", "میخواهم"},
		{"tatweel and harakat", "إيـــران", "ایران"},
		{"arabic-indic digits", "۱۴۰۲ و ٢٠٢٣", "1402 و 2023"},
		{"ukrainian apostrophes", "пам’ять пам'ять памʼять пам`ять", "пам'ять пам'ять пам'ять пам'ять"},
		{"quotes and dashes", "“Amir–Abdollahian”", "\"amir-abdollahian\""},
		// textfold's tables, shared with the tagger and the story index:
		{"latin letters without decomposition", "Łódź Øresund Æsir đ œ ı", "lodz oresund aesir d oe i"},
		{"ukrainian ghe with upturn", "Ґрунт", "грунт"},
		{"heh variants and ezafe", "خانۀ ہ ھ", "خانه ه ه"},
		{"alef wasla", "ٱلله", "الله"},
		{"bidi controls vanish", "\u202bتهران\u202c Ira\u2066n\u2069", "تهران iran"},
		{"reversed-comma apostrophe", "Qurʽan", "Qur'an"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ka, kb := Key(tt.a), Key(tt.b); ka != kb {
				t.Errorf("Key(%q) = %q, Key(%q) = %q; want equal", tt.a, ka, tt.b, kb)
			}
		})
	}
}

func TestKeyDistinguishes(t *testing.T) {
	tests := [][2]string{
		{"Iran", "Iraq"},
		{"Russia", "Prussia"},
		{"नमस्ते", "नमस्त"}, // Devanagari vowel signs are letters, not diacritics
	}
	for _, tt := range tests {
		t.Run(tt[0]+"/"+tt[1], func(t *testing.T) {
			if Key(tt[0]) == Key(tt[1]) {
				t.Errorf("Key(%q) == Key(%q) = %q", tt[0], tt[1], Key(tt[0]))
			}
		})
	}
}

func TestKeyIsValidUTF8(t *testing.T) {
	for _, s := range []string{"a\xffb", "\x00\x1b[31m", "ok\u0085"} {
		k := Key(s)
		if !utf8.ValidString(k) || hasControl(k, "") {
			t.Errorf("Key(%q) = %q has invalid UTF-8 or control characters", s, k)
		}
	}
}
