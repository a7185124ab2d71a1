package normalize

import (
	"strings"
	"testing"
)

func TestExcerpt(t *testing.T) {
	article := "Iran and Russia signed a drone cooperation agreement on Tuesday, the Iranian President's office said.\n\n" +
		"The agreement covers joint production."
	for _, tc := range []struct {
		name, s, article, want string
	}{
		{"caption twice in one paragraph",
			"Drones on display in Tehran. Drones on display in Tehran. Iran and Russia signed a deal.", "",
			"Drones on display in Tehran. Iran and Russia signed a deal."},
		{"cut mid-word by the outlet",
			"Iran and Russia signed a drone cooperation agreement on Tuesday, the Iranian Presiden", article,
			"Iran and Russia signed a drone cooperation agreement on Tuesday, the Iranian…"},
		{"cut after a word by the outlet",
			"Iran and Russia signed a drone cooperation agreement on Tuesday, the Iranian", article,
			"Iran and Russia signed a drone cooperation agreement on Tuesday, the Iranian…"},
		{"cut after a comma",
			"Iran and Russia signed a drone cooperation agreement on Tuesday,", article,
			"Iran and Russia signed a drone cooperation agreement on Tuesday…"},
		{"whole sentence", "Iran and Russia signed a drone cooperation agreement on Tuesday.", article,
			"Iran and Russia signed a drone cooperation agreement on Tuesday."},
		{"no article: an ending without a full stop is kept", "Watch: Putin meets Raisi in Tehran", "",
			"Watch: Putin meets Raisi in Tehran"},
		{"not in the article", "A description the article does not contain and that stops here", article,
			"A description the article does not contain and that stops here"},
		{"too long: cut on a word", strings.Repeat("sanctions drones ", 30), "",
			strings.Repeat("sanctions drones ", 17) + "sanctions…"},
		{"abbreviations are not sentence ends", "The U.S. said so. The U.S. said so again.", "",
			"The U.S. said so. The U.S. said so again."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := excerpt(tc.s, tc.article, summaryMax); got != tc.want {
				t.Errorf("excerpt(%q)\n got %q\nwant %q", tc.s, got, tc.want)
			}
		})
	}
}
