package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const minimal = `outlets:
  - name: "The Moscow Times"
    url: "https://www.themoscowtimes.com/rss/news"
topics:
  - name: t
    entities:
      - name: iran
        terms: [Iran]
`

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(strings.NewReader(minimal))
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	if cfg.Listen != def.Listen || cfg.Database != def.Database || cfg.PollInterval != def.PollInterval || cfg.Feed.Limit != def.Feed.Limit {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if got := cfg.Interval(cfg.Outlets[0]); got != 15*time.Minute {
		t.Errorf("Interval = %s, want the default 15m", got)
	}
}

func TestLoadOverrides(t *testing.T) {
	cfg, err := Load(strings.NewReader("listen: \"127.0.0.1:9000\"\npoll_interval: 5m\n" + strings.Replace(minimal, "topics:", "  - name: b\n    url: https://b.example/\n    poll_interval: 1h\ntopics:", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9000" || cfg.PollInterval != 5*time.Minute {
		t.Errorf("got listen %q poll_interval %s", cfg.Listen, cfg.PollInterval)
	}
	if got := cfg.Interval(cfg.Outlets[0]); got != 5*time.Minute {
		t.Errorf("outlet without its own interval: %s, want 5m", got)
	}
	if got := cfg.Interval(cfg.Outlets[1]); got != time.Hour {
		t.Errorf("outlet with its own interval: %s, want 1h", got)
	}
}

func TestLoadErrorsNameLineAndField(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"unknown top-level key", "listen: \":8080\"\nlisten_port: 80\n" + minimal, []string{"2:", "listen_port"}},
		{"unknown outlet key", "outlets:\n  - name: a\n    url: https://a.example/feed\n    urll: x\n" + minimal[len("outlets:\n"):],
			[]string{"4:", "urll"}},
		{"bad duration", "poll_interval: often\n" + minimal, []string{"1:", "often"}},
		{"short interval", "poll_interval: 10s\n" + minimal, []string{"1:", "poll_interval", "at least 1m"}},
		{"relative outlet url", strings.Replace(minimal, "https://www.themoscowtimes.com/rss/news", "/rss/news", 1),
			[]string{"3:", "outlets[0].url", "absolute"}},
		{"duplicate outlet", minimal[:strings.Index(minimal, "topics:")] + "  - name: \"The Moscow Times\"\n    url: \"https://x.example/\"\n" + minimal[strings.Index(minimal, "topics:"):],
			[]string{"4:", "outlets[1].name", "already"}},
		{"no outlets", "outlets: []\n" + minimal[strings.Index(minimal, "topics:"):], []string{"1:", "outlets", "at least one"}},
		{"bad log format", "log: {format: xml}\n" + minimal, []string{"1:", "log.format"}},
		{"bad listen", "listen: 8080\n" + minimal, []string{"1:", "listen"}},
		{"not yaml", "outlets: [\n", []string{"line"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadFileNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("feed:\n  limit: 0\n"+minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(path)
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error %v is not Errors", err)
	}
	want := path + ":2: feed.limit: must be at least 1, got 0"
	if es[0].Error() != want {
		t.Errorf("got %q, want %q", es[0].Error(), want)
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"The Moscow Times":     "the-moscow-times",
		"Asharq Al-Awsat":      "asharq-al-awsat",
		"  Meduza (Russian) ":  "meduza-russian",
		"BBC Persian":          "bbc-persian",
		"Радио Свобода":        "радио-свобода",
		"Al Mayadeen English!": "al-mayadeen-english",
	}
	for in, want := range tests {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLoadRejectsWhatValidateRejects: Load validates with Validate, so a
// configuration Validate rejects is rejected by Load with the same errors,
// each also placed at the line of its field.
func TestLoadRejectsWhatValidateRejects(t *testing.T) {
	tests := []struct {
		name   string
		spoil  func(c *Config)
		fields []string
	}{
		{"short poll interval", func(c *Config) { c.PollInterval = 10 * time.Second }, []string{"poll_interval"}},
		{"relative outlet url and bad feed per", func(c *Config) { c.Outlets[0].URL = "/rss/news"; c.Feed.Per = "page" },
			[]string{"feed.per", "outlets[0].url"}},
		{"no outlets", func(c *Config) { c.Outlets = nil }, []string{"outlets"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(strings.NewReader(minimal))
			if err != nil {
				t.Fatal(err)
			}
			tc.spoil(&cfg)
			var want Errors
			if !errors.As(cfg.Validate(), &want) {
				t.Fatalf("Validate() = %v, want Errors", cfg.Validate())
			}
			var fields []string
			for _, e := range want {
				fields = append(fields, e.Field)
			}
			if !slices.Equal(fields, tc.fields) {
				t.Errorf("Validate() fields %q, want %q", fields, tc.fields)
			}
			data, err := yaml.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(bytes.NewReader(data))
			var got Errors
			if !errors.As(err, &got) {
				t.Fatalf("Load of what Validate rejects: %v, want Errors", err)
			}
			if len(got) != len(want) {
				t.Fatalf("Load errors %q, want those of Validate %q", got, want)
			}
			for i, e := range got {
				if e.Field != want[i].Field || e.Msg != want[i].Msg || e.Line == 0 {
					t.Errorf("Load error %d: %+v, want %+v at a line", i, e, want[i])
				}
			}
		})
	}
}
