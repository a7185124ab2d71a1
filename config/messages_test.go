package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// goWords are words of Go and YAML types that no message may show.
var goWords = regexp.MustCompile(`config\.[A-Z]|time\.Duration|!!|unmarshal|int64|\bint\b|float64|\[\]|\bstruct\b|not found in type`)

// loadMsg loads doc as the file path and returns the error's text.
func loadMsg(t *testing.T, doc string, env map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadEnv(path, lookupFrom(env))
	if err == nil {
		t.Fatalf("no error for\n%s", doc)
	}
	msg := strings.ReplaceAll(err.Error(), path, "config.yaml")
	if m := goWords.FindString(msg); m != "" {
		t.Errorf("message shows %q, a Go or YAML type word:\n%s", m, msg)
	}
	return msg
}

func wantLines(t *testing.T, msg string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message lacks %q:\n%s", w, msg)
		}
	}
}

func TestUnknownKeySuggestsTheNearest(t *testing.T) {
	msg := loadMsg(t, "poll_intervall: 10m\ntopics: [{name: t, entities: [{name: iran, terms: [Iran]}]}]\n\n\n\n\n\n\n\noutlets:\n  - name: x\n    url: https://x.example/\n  - name: y\n    url: https://y.example/\n    pollinterval: 5m\n    colour: red\nfetch:\n  Time-Out: 3s\n", nil)
	wantLines(t, msg,
		"config.yaml:1: poll_intervall: unknown key; did you mean poll_interval?",
		"config.yaml:15: outlets[1].pollinterval: unknown key; did you mean poll_interval?",
		"config.yaml:16: outlets[1].colour: unknown key; the keys here are language, name, poll_interval, time_zone, url",
		"config.yaml:18: fetch.Time-Out: unknown key; did you mean timeout?")
}

func TestTypedValuesSayTheirFormat(t *testing.T) {
	doc := minimal + `poll_interval: 15 minutes
allow_private_networks: maybe
fetch:
  max_items: lots
  concurrency: [1, 2]
`
	msg := loadMsg(t, doc, nil)
	wantLines(t, msg,
		`config.yaml:9: poll_interval: must be a duration: a number and a unit (s, m or h), such as 90s, 15m or 1h30m, got "15 minutes"`,
		`config.yaml:10: allow_private_networks: must be true or false, got "maybe"`,
		`config.yaml:12: fetch.max_items: must be a whole number, such as 500, got "lots"`,
		`config.yaml:13: fetch.concurrency: must be a whole number, such as 500, got a list`)
	msg = loadMsg(t, "feed: [a]\noutlets: {name: x}\ntopics:\n  - name: t\n    min_score: high\n", nil)
	wantLines(t, msg, `config.yaml:1: feed: must be keys of its own`,
		`config.yaml:2: outlets: must be a list (one "- " line per entry, or [a, b]), got keys`,
		`config.yaml:5: topics[0].min_score: must be a number, such as 2 or 2.5, got "high"`)
	msg = loadMsg(t, minimal+"topics: []\n", nil)
	wantLines(t, msg, `config.yaml:9: topics: is given twice (first on line 4); keep one`)
	if strings.Count(msg, "\n") != 0 {
		t.Errorf("a repeated key hides the rest of the file from the checks:\n%s", msg)
	}
}

func TestLenientScalars(t *testing.T) {
	cfg, err := Load(strings.NewReader(minimal + "retention: 0\nallow_private_networks: Yes\nfetch:\n  max_items: \"1_000\"\n  timeout: '45s'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Retention != 0 || !cfg.AllowPrivateNetworks || cfg.Fetch.MaxItems != 1000 || cfg.Fetch.Timeout != 45*time.Second {
		t.Errorf("got %+v", cfg)
	}
}

func TestSyntaxErrorAtItsOwnLine(t *testing.T) {
	// a key indented less than its siblings: the parser blames "outlets:"
	msg := loadMsg(t, "listen: \":8080\"\noutlets:\n  - name: x\n    url: https://x.example/\n   poll_interval: 10m\n", nil)
	wantLines(t, msg, "config.yaml:5: this line's indentation does not fit the lines above it", "in the block that starts on line 2")
	// indented more: taken as the value's continuation
	msg = loadMsg(t, "listen: \":8080\"\noutlets:\n  - name: x\n    url: https://x.example/\n      poll_interval: 10m\n", nil)
	wantLines(t, msg, "config.yaml:5: this line's indentation does not fit")
	msg = loadMsg(t, "feed:\n\ttitle: x\n", nil)
	wantLines(t, msg, "config.yaml:2: this line has a character a value cannot start with: indent with spaces, not tabs")
}

func TestEveryErrorAtOnce(t *testing.T) {
	doc := "listen: nohost\npoll_intervall: 10m\noutlets:\n  - name: x\n    url: ftp://x.example/\n    poll_interval: often\ntopics: []\n"
	msg := loadMsg(t, doc, nil)
	wantLines(t, msg,
		"config.yaml:1: listen: must be host:port",
		"config.yaml:2: poll_intervall: unknown key",
		"config.yaml:5: outlets[0].url: must be an absolute http(s) URL",
		`config.yaml:6: outlets[0].poll_interval: must be a duration`,
		"config.yaml:7: topics:")
	if strings.Count(msg, "poll_interval:") != 1 {
		t.Errorf("the bad poll_interval is reported twice:\n%s", msg)
	}
}

func TestEnvBooleansAndTypes(t *testing.T) {
	for _, v := range []string{"1", "true", "TRUE", "yes", "On", "on"} {
		cfg, err := LoadEnv(filepath.Join(t.TempDir(), "none.yaml"), lookupFrom(map[string]string{
			"TOPICFEED_ALLOW_PRIVATE_NETWORKS": v,
			"TOPICFEED_OUTLETS":                `[{name: TASS, url: "https://tass.com/rss/v2.xml"}]`,
			"TOPICFEED_TOPICS":                 `[{name: t, entities: [{name: iran, terms: [Iran]}]}]`,
		}))
		if err != nil || !cfg.AllowPrivateNetworks {
			t.Errorf("%s: %v, %v", v, cfg.AllowPrivateNetworks, err)
		}
	}
	msg := loadMsg(t, minimal, map[string]string{"TOPICFEED_ALLOW_PRIVATE_NETWORKS": "2", "TOPICFEED_POLL_INTERVAL": "15 minutes"})
	wantLines(t, msg, `$TOPICFEED_ALLOW_PRIVATE_NETWORKS: allow_private_networks: must be true or false, got "2"`,
		`$TOPICFEED_POLL_INTERVAL: poll_interval: must be a duration`)
}

func TestUnknownEnv(t *testing.T) {
	errs := UnknownEnv([]string{"TOPICFEED_LISTN=:9", "TOPICFEED_LISTEN=:8", "TOPICFEED_CONFIG=x", "TOPICFEED_WHATEVER=1",
		"topicfeed_listen=:7", "HOME=/root", "TOPICFEED_FETCH_TIMOUT=3s"})
	got := errs.Error()
	for _, want := range []string{
		"$TOPICFEED_FETCH_TIMOUT: unknown variable: no configuration key is called that, so it is ignored; did you mean TOPICFEED_FETCH_TIMEOUT?",
		"$TOPICFEED_LISTN: unknown variable: no configuration key is called that, so it is ignored; did you mean TOPICFEED_LISTEN?",
		"$TOPICFEED_WHATEVER: unknown variable: no configuration key is called that, so it is ignored\n",
		"$topicfeed_listen: unknown variable: no configuration key is called that, so it is ignored; did you mean TOPICFEED_LISTEN?",
	} {
		if !strings.Contains(got+"\n", want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if len(errs) != 4 {
		t.Errorf("want 4 errors, got %d:\n%s", len(errs), got)
	}
}

func TestLoadSources(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.yaml")
	_, src, err := LoadSources(missing, []string{
		`TOPICFEED_OUTLETS=[{name: TASS, url: "https://tass.com/rss/v2.xml"}]`,
		`TOPICFEED_TOPICS=[{name: t, entities: [{name: iran, terms: [Iran]}]}]`,
		`TOPICFEED_LISTEN=:9000`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if src.File != "" || len(src.Env) != 3 || src.Env[0] != (EnvSetting{Var: "TOPICFEED_LISTEN", Field: "listen"}) {
		t.Errorf("sources: %+v", src)
	}
}

func TestPollBounds(t *testing.T) {
	c := Default()
	o := Outlet{PollInterval: 10 * time.Minute}
	if lo, hi := c.PollBounds(o); lo != 150*time.Second || hi != 40*time.Minute {
		t.Errorf("default bounds of 10m: %s %s", lo, hi)
	}
	c.MinPollInterval, c.MaxPollInterval = time.Hour, 2*time.Hour
	if lo, hi := c.PollBounds(Outlet{}); lo != 15*time.Minute || hi != 2*time.Hour {
		t.Errorf("bounds clamped to the interval: %s %s", lo, hi)
	}
}
