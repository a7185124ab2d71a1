package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFetchLease: fetch.lease is read as a duration, left 0 by default
// (the app derives it from fetch.timeout), and refused, naming the field
// and its line, when negative or shorter than twice fetch.timeout.
func TestFetchLease(t *testing.T) {
	for _, c := range []struct {
		name  string
		fetch string // the fetch section's lines
		want  time.Duration
		err   string // the whole error, "" for none
	}{
		{name: "unset", fetch: "  timeout: 30s\n", want: 0},
		{name: "explicit default", fetch: "  lease: 0s\n", want: 0},
		{name: "long", fetch: "  timeout: 30s\n  lease: 10m\n", want: 10 * time.Minute},
		{name: "exactly twice the timeout", fetch: "  timeout: 5s\n  lease: 10s\n", want: 10 * time.Second},
		{name: "shorter than twice the timeout", fetch: "  timeout: 5s\n  lease: 9s\n",
			err: "line 3: fetch.lease: must be 0 (the default: 2m or 4 × fetch.timeout, the longer) or at least twice fetch.timeout (10s), got 9s"},
		{name: "shorter than twice the default timeout", fetch: "  lease: 59s\n",
			err: "line 2: fetch.lease: must be 0 (the default: 2m or 4 × fetch.timeout, the longer) or at least twice fetch.timeout (1m), got 59s"},
		{name: "negative", fetch: "  lease: -1m\n",
			err: "line 2: fetch.lease: must be 0 (the default: 2m or 4 × fetch.timeout, the longer) or at least twice fetch.timeout (1m), got -1m"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Load(strings.NewReader("fetch:\n" + c.fetch + minimal))
			if c.err != "" {
				var es Errors
				if !errors.As(err, &es) || len(es) != 1 {
					t.Fatalf("Load: %v, want one error", err)
				}
				if got := es[0].Error(); got != c.err {
					t.Errorf("error %q, want %q", got, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Fetch.Lease != c.want {
				t.Errorf("fetch.lease %s, want %s", cfg.Fetch.Lease, c.want)
			}
		})
	}
	for d, want := range map[time.Duration]string{time.Minute: "1m", 90 * time.Second: "1m30s", 2 * time.Hour: "2h", time.Hour + time.Second: "1h0m1s", 10 * time.Second: "10s"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
	// the environment sets it as any other key
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadEnv(path, func(k string) (string, bool) {
		if k == EnvPrefix+"FETCH_LEASE" {
			return "5m", true
		}
		return "", false
	})
	if err != nil || cfg.Fetch.Lease != 5*time.Minute {
		t.Errorf("TOPICFEED_FETCH_LEASE=5m: lease %s (%v), want 5m", cfg.Fetch.Lease, err)
	}
}
