package textfold

import "testing"

// The table must agree with the definitions it is built from.
func TestTableMatchesDefinition(t *testing.T) {
	for r := rune(0); r < tableSize; r++ {
		if got, want := Classify(r), classify(r); got != want {
			t.Fatalf("Classify(%U) = %d, classify %d", r, got, want)
		}
		if got, want := DropsMarksAfter(r), dropsMarksAfter(r); got != want {
			t.Fatalf("DropsMarksAfter(%U) = %v, want %v", r, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		r    rune
		want Class
	}{
		{'a', Letter}, {'Ж', Letter}, {'ی', Letter}, {'۳', Letter}, {'²', Letter},
		{'ा', Letter}, // Devanagari vowel sign (spacing): part of the word
		{'\u0301', Mark}, {'\u064E', Mark}, {'\u0947', Mark}, {'\u3099', Mark}, {'\u20DD', Mark},
		{'\u200D', Invisible}, {'\u00AD', Invisible}, {'\uFEFF', Invisible}, {'\u2060', Invisible},
		{'\u200E', Invisible}, {'\u061C', Invisible}, {'\u202B', Invisible}, {'\u0640', Invisible},
		{ZWNJ, Joiner},
		{' ', Space}, {'\u00A0', Space}, {'\n', Space}, {'\u200B', Space},
		{'ʼ', Punct}, {'ʻ', Punct}, {'’', Punct}, {'«', Punct}, {'—', Punct}, {'.', Punct}, {'\u0600', Punct}, {0x1F600, Punct},
	}
	for _, tc := range tests {
		if got := Classify(tc.r); got != tc.want {
			t.Errorf("Classify(%U %q) = %d, want %d", tc.r, tc.r, got, tc.want)
		}
	}
}

func TestVariant(t *testing.T) {
	tests := map[rune]string{
		'ي': "ی", 'ى': "ی", 'ې': "ی", 'ۍ': "ی", 'ك': "ک", 'ة': "ه", 'ہ': "ه", 'ھ': "ه", 'ە': "ه", 'ٱ': "ا",
		'٣': "3", '۹': "9", 'ß': "ss", 'ẞ': "ss", 'ſ': "s", 'ı': "i", 'Ł': "l", 'đ': "d", 'Ø': "o", 'æ': "ae",
		'Œ': "oe", 'ς': "σ", 'Ґ': "г",
	}
	for r, want := range tests {
		if got, ok := Variant(r); !ok || got != want {
			t.Errorf("Variant(%q) = %q, %v; want %q", r, got, ok, want)
		}
	}
	for _, r := range "aZéیکهاσг3" {
		if v, ok := Variant(r); ok {
			t.Errorf("Variant(%q) = %q, want none", r, v)
		}
	}
}

func TestDropsMarksAfter(t *testing.T) {
	for _, r := range "a e ёйیاאα1" {
		if !DropsMarksAfter(r) {
			t.Errorf("DropsMarksAfter(%q) = false: its marks are diacritics", r)
		}
	}
	for _, r := range "नकか가ก" {
		if DropsMarksAfter(r) {
			t.Errorf("DropsMarksAfter(%q) = true: its marks write sounds", r)
		}
	}
}

func TestUnifyPunct(t *testing.T) {
	for in, want := range map[string]rune{"'`´ʹʻʼʽ‘’‛′＇": '\'', "\"“”„«»″‟": '"', "-‐‑‒–—―−": '-', "a.,!ʾ": 0} {
		for _, r := range in {
			if got := UnifyPunct(r); got != want {
				t.Errorf("UnifyPunct(%q) = %q, want %q", r, got, want)
			}
		}
	}
}
