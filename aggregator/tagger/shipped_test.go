package tagger

import (
	"slices"
	"testing"

	"github.com/topicfeed/topicfeed/config"
)

// shippedConfig is the default configuration the project ships.
const shippedConfig = "../../config.yaml"

func newShippedTagger(tb testing.TB) *Tagger {
	tb.Helper()
	cfg, err := config.LoadFile(shippedConfig)
	if err != nil {
		tb.Fatal(err)
	}
	tg, err := New(cfg.Topics, cfg.Tags)
	if err != nil {
		tb.Fatalf("compile the shipped rules: %v", err)
	}
	return tg
}

// The shipped entities know the spelling variants of their names in every
// script the outlets write.
func TestShippedEntityVariants(t *testing.T) {
	tg := newShippedTagger(t)
	tests := []struct {
		entity string
		names  []string
	}{
		{"ukraine", []string{"Kyiv", "Kiev", "Київ", "Києва", "Киев", "Киеве", "Zelensky", "Zelenskiy", "Zelenskyy",
			"Зеленский", "Зеленського", "Зеленський", "زلنسکی", "زيلينسكي", "Ukrainian", "украинского", "України", "اوکراین", "أوكرانيا", "Kharkiv", "Харкові"}},
		{"iran", []string{"Iran", "Iranian", "Iran's", "Tehran", "Amir-Abdollahian", "Amirabdollahian", "Raisi", "Raeisi",
			"رئیسی", "رئيسي", "IRGC", "Revolutionary Guards", "КСИР", "سپاه", "Ирана", "іранські", "ایرانی", "إيران", "Khamenei", "Хаменеи"}},
		{"russia", []string{"Russia", "Russia's", "Russian", "Kremlin", "Moscow", "Putin", "российского", "России", "Росії",
			"російські", "Кремль", "Путину", "روسیه", "روسيا", "مسکو", "الكرملين", "Lavrov"}},
		{"iranian-weapons", []string{"Shahed", "Shahed-136", "Shaheds", "Geran-2", "Герань-2", "Шахеды", "шахедів", "شاهد-۱۳۶"}},
	}
	for _, tc := range tests {
		for _, name := range tc.names {
			t.Run(tc.entity+"/"+name, func(t *testing.T) {
				ex := tg.Explain(name, "")
				found := false
				for _, ev := range ex.Evidence {
					found = found || (ev.Rule == tc.entity && ev.Field == "title")
				}
				if !found {
					t.Errorf("%q does not match entity %s; evidence %+v", name, tc.entity, ex.Evidence)
				}
			})
		}
	}
}

// Words that merely contain a name, or a name in an outlet's name, are no
// mention.
func TestShippedNonMatches(t *testing.T) {
	tg := newShippedTagger(t)
	for _, s := range []string{"woman", "Iraq", "The Moscow Times", "Kyiv Independent", "Islamic Republic of Pakistan",
		"criminal", "криминальный", "кримінальний", "Львовна", "русский", "Prussian"} {
		t.Run(s, func(t *testing.T) {
			for _, ev := range tg.Explain(s, "").Evidence {
				if ev.Kind == KindEntity {
					t.Errorf("%q matches entity %s via %q", s, ev.Rule, ev.Term)
				}
			}
		})
	}
}

// The seed articles (../shared/seeds) in short: all five stories are on
// topic, with the tags their subject calls for.
func TestShippedSeedStories(t *testing.T) {
	tg := newShippedTagger(t)
	tests := []struct {
		title, text string
		tags        []string
	}{
		{"US Asks Iran to Stop Selling Drones to Russia",
			"The US is pushing Iran to stop selling armed drones to Russia as part of discussions on a broader unwritten understanding between Washington and Tehran to de-escalate tensions.\n\nThe US is pressing Iran to stop selling armed drones to Russia, which Moscow is using in the war in Ukraine.",
			[]string{"drones", "military"}},
		{"Russia Says it Will Counter Any UK-Ukraine Cooperation in Sea of Azov",
			"The Russian Foreign Ministry said on Saturday Ukraine and Britain \"had no room\" for cooperation in the Sea of Azov, commenting on a new 100-year partnership agreement between Kyiv and London.\n\nThe Kremlin said on Friday that any placement of British military assets in Ukraine would be of concern to Moscow.",
			[]string{"diplomacy"}},
		{"CIA director says Iran-Russia cooperation “worrying”",
			"CIA Director William Burns has expressed concern over the “growing cooperation between Tehran and Moscow” amid the Ukraine war. The White House is continuing to sound the alarm at the flourishing military partnership between Iran and Russia.",
			[]string{"military"}},
	}
	for _, tc := range tests {
		t.Run(tc.title, func(t *testing.T) {
			got := tg.Tag(tc.title, tc.text)
			if !got.OnTopic {
				t.Errorf("off topic, want on; %+v", tg.Explain(tc.title, tc.text).TopicDetails)
			}
			if !slices.Equal(got.Tags, tc.tags) {
				t.Errorf("tags %q, want %q", got.Tags, tc.tags)
			}
		})
	}
}
