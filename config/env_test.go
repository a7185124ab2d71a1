package config

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func lookupFrom(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestEnvKeysCoverEveryScalar(t *testing.T) {
	keys := strings.Join(envKeys(), " ")
	for _, want := range []string{"TOPICFEED_LISTEN", "TOPICFEED_DATABASE", "TOPICFEED_BASE_URL", "TOPICFEED_POLL_INTERVAL",
		"TOPICFEED_ALLOW_PRIVATE_NETWORKS", "TOPICFEED_FETCH_TIMEOUT", "TOPICFEED_LOG_FORMAT", "TOPICFEED_FEED_TITLE",
		"TOPICFEED_FEED_LIMIT", "TOPICFEED_OUTLETS", "TOPICFEED_TOPICS", "TOPICFEED_TAGS"} {
		if !strings.Contains(keys, want) {
			t.Errorf("EnvKeys lacks %s: %s", want, keys)
		}
	}
}

func TestLoadEnvOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadEnv(path, lookupFrom(map[string]string{
		"TOPICFEED_LISTEN":                 "127.0.0.1:9999",
		"TOPICFEED_POLL_INTERVAL":          "2m",
		"TOPICFEED_ALLOW_PRIVATE_NETWORKS": "true",
		"TOPICFEED_FEED_TITLE":             "on", // a YAML bool word stays a string here
		"TOPICFEED_FETCH_CONCURRENCY":      "3",
		"TOPICFEED_DATABASE":               "",  // empty: ignored
		"TOPICFEED_CONFIG":                 "x", // not a key
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:9999" || cfg.PollInterval != 2*time.Minute || !cfg.AllowPrivateNetworks ||
		cfg.Feed.Title != "on" || cfg.Fetch.Concurrency != 3 || cfg.Database != Default().Database {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	if len(cfg.Outlets) != 1 {
		t.Errorf("the file's outlets were lost: %+v", cfg.Outlets)
	}
}

func TestLoadEnvWithoutFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.yaml")
	env := map[string]string{
		"TOPICFEED_OUTLETS": `[{name: TASS, url: "https://tass.com/rss/v2.xml"}]`,
		"TOPICFEED_TOPICS":  `[{name: t, entities: [{name: iran, terms: [Iran]}]}]`,
	}
	cfg, err := LoadEnv(missing, lookupFrom(env))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Outlets) != 1 || cfg.Outlets[0].Name != "TASS" || cfg.Listen != ":8080" {
		t.Errorf("config from the environment: %+v", cfg)
	}
	if _, err := LoadEnv(missing, lookupFrom(nil)); err == nil || !strings.Contains(err.Error(), "none.yaml") {
		t.Errorf("no file and no environment: %v", err)
	}
	delete(env, "TOPICFEED_TOPICS")
	_, err = LoadEnv(missing, lookupFrom(env))
	if err == nil || !strings.Contains(err.Error(), "topics") {
		t.Errorf("environment without topics: %v", err)
	}
}

func TestLoadEnvErrorsNameTheVariable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte(minimal), 0o644)
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TOPICFEED_POLL_INTERVAL": "soon"}, "$TOPICFEED_POLL_INTERVAL:"},
		{map[string]string{"TOPICFEED_POLL_INTERVAL": "5s"}, "$TOPICFEED_POLL_INTERVAL: poll_interval: must be at least 1m"},
		{map[string]string{"TOPICFEED_OUTLETS": "[{name: a, url: /x}]"}, "$TOPICFEED_OUTLETS: outlets[0].url"},
		{map[string]string{"TOPICFEED_OUTLETS": "[{name: a, link: x}]"}, "$TOPICFEED_OUTLETS:"},
		{map[string]string{"TOPICFEED_FETCH_CONCURRENCY": "[1"}, "not valid YAML"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			_, err := LoadEnv(path, lookupFrom(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// envKeys returns the names of the environment variables that override
// configuration keys, sorted.
func envKeys() []string {
	var names []string
	for name := range envPaths() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
