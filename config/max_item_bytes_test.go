package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestMaxItemBytes: fetch.max_item_bytes defaults to 256 KiB, is at least
// 1024, and is set by the file or by TOPICFEED_FETCH_MAX_ITEM_BYTES.
func TestMaxItemBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	tests := []struct {
		name    string
		yaml    string            // before minimal
		env     map[string]string // nil: Load without the environment
		want    int
		wantErr string // exact error, "" for none
	}{
		{name: "default", want: 256 << 10},
		{name: "from the file", yaml: "fetch:\n  max_item_bytes: 4096\n", want: 4096},
		{name: "minimum", yaml: "fetch:\n  max_item_bytes: 1024\n", want: 1024},
		{name: "too small", yaml: "fetch:\n  max_items: 10\n  max_item_bytes: 1023\n",
			wantErr: path + ":3: fetch.max_item_bytes: must be at least 1024, got 1023"},
		{name: "zero", yaml: "fetch:\n  max_item_bytes: 0\n",
			wantErr: path + ":2: fetch.max_item_bytes: must be at least 1024, got 0"},
		{name: "environment", env: map[string]string{"TOPICFEED_FETCH_MAX_ITEM_BYTES": "65536"}, want: 65536},
		{name: "environment over the file", yaml: "fetch:\n  max_item_bytes: 4096\n",
			env: map[string]string{"TOPICFEED_FETCH_MAX_ITEM_BYTES": "2048"}, want: 2048},
		{name: "environment too small", env: map[string]string{"TOPICFEED_FETCH_MAX_ITEM_BYTES": "512"},
			wantErr: "$TOPICFEED_FETCH_MAX_ITEM_BYTES: fetch.max_item_bytes: must be at least 1024, got 512"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(tc.yaml+minimal), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadEnv(path, lookupFrom(tc.env))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Fetch.MaxItemBytes != tc.want {
				t.Errorf("fetch.max_item_bytes = %d, want %d", cfg.Fetch.MaxItemBytes, tc.want)
			}
		})
	}
	if !slices.Contains(envKeys(), "TOPICFEED_FETCH_MAX_ITEM_BYTES") {
		t.Errorf("EnvKeys lacks TOPICFEED_FETCH_MAX_ITEM_BYTES: %s", strings.Join(envKeys(), " "))
	}
	if got := Default().Fetch.MaxItemBytes; got != 262144 {
		t.Errorf("Default().Fetch.MaxItemBytes = %d, want 262144", got)
	}
}
