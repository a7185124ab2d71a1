package publish

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseOPML(t *testing.T) {
	tests := []struct {
		file    string
		want    []OPMLOutlet
		wantErr string
	}{
		{"feedly.opml", []OPMLOutlet{
			{"The Moscow Times", "https://www.themoscowtimes.com/rss/news"},
			{"Meduza", "https://meduza.io/rss/en/all"},
			{"Iran Front Page", "https://ifpnews.com/feed/"},
		}, ""},
		{"sloppy.opml", []OPMLOutlet{
			{"Asharq Al-Awsat English", "https://english.aawsat.com/feed?x=1&y=2"},
			{"Al Mayadeen", "https://english.almayadeen.net/rss"},
			{"Kyiv Independent", "https://kyivindependent.com/feed/"},
		}, ""},
		{"cp1251.opml", []OPMLOutlet{
			{"ТАСС", "https://tass.ru/rss/v2.xml"},
			{"rbc.ru", "https://www.rbc.ru/rss/"},
		}, ""},
		{"not-opml.rss", nil, "no <opml> element"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := ParseOPML(f)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseOPMLGarbage(t *testing.T) {
	for _, in := range []string{"", "not xml at all", "<html><body>hi</body></html>", "<opml><body><outline xmlUrl='http://a.example/f'/><outline xmlUrl='http://b.exa"} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseOPML(strings.NewReader(in))
			if strings.HasPrefix(in, "<opml") {
				if err != nil || len(got) != 1 {
					t.Errorf("truncated export: %v %v", got, err)
				}
				return
			}
			if err == nil {
				t.Errorf("no error for %q (got %v)", in, got)
			}
		})
	}
}

// TestOPMLRoundTrip: what OPML writes, ParseOPML reads back.
func TestOPMLRoundTrip(t *testing.T) {
	in := []OPMLOutlet{
		{"The Moscow Times", "https://www.themoscowtimes.com/rss/news"},
		{"Asharq Al-Awsat & co \x00", "https://english.aawsat.com/feed?a=1&b=2"},
		{"", "https://www.rbc.ru/rss/"},
		{"bad", "ftp://x"},
	}
	b, err := OPML("topicfeed outlets", in)
	if err != nil {
		t.Fatal(err)
	}
	checkWellFormed(t, b)
	golden(t, "outlets.opml.golden", b)
	got, err := ParseOPML(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	want := []OPMLOutlet{
		{"The Moscow Times", "https://www.themoscowtimes.com/rss/news"},
		{"Asharq Al-Awsat & co", "https://english.aawsat.com/feed?a=1&b=2"},
		{"rbc.ru", "https://www.rbc.ru/rss/"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("round trip: %q", got)
	}
}

func FuzzParseOPML(f *testing.F) {
	for _, name := range []string{"feedly.opml", "sloppy.opml", "cp1251.opml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseOPML(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		for _, o := range got {
			if absURL(o.URL) != o.URL || o.Name == "" {
				t.Fatalf("bad outlet %+v", o)
			}
		}
	})
}
