package app

import (
	"bytes"
	"errors"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

func TestLimitMemory(t *testing.T) {
	const (
		mib    = 1 << 20
		sqlite = 74 * mib
		before = 321 * mib // the limit in force before the call
	)
	ratio := func(r float64, n uint64) int64 { return int64(uint64(float64(n) * r)) }
	for _, c := range []struct {
		name      string
		env       map[string]string // GOMEMLIMIT and AUTOMEMLIMIT; absent: unset
		container memlimit.Provider
		want      int64
		wantLog   string
		noCall    bool // the container's limit must not be read
	}{
		{
			name:      "container limit less SQLite's caches",
			container: memlimit.Limit(1024 * mib),
			want:      ratio(MemLimitRatio, 1024*mib-sqlite),
			wantLog:   "source=container container_limit_bytes=1073741824 sqlite_cache_bytes=77594624",
		},
		{
			name:      "a container smaller than twice the caches keeps half of it",
			container: memlimit.Limit(100 * mib),
			want:      ratio(MemLimitRatio, 50*mib),
			wantLog:   "source=container",
		},
		{
			name:      "AUTOMEMLIMIT sets the ratio",
			env:       map[string]string{"AUTOMEMLIMIT": "0.5"},
			container: memlimit.Limit(1024 * mib),
			want:      ratio(0.5, 1024*mib-sqlite),
			wantLog:   "source=container",
		},
		{
			name:      "no limit on the container",
			container: func() (uint64, error) { return 0, memlimit.ErrNoLimit },
			want:      math.MaxInt64,
			wantLog:   "reason=\"the container has no memory limit\"",
		},
		{
			name:      "no cgroup",
			container: func() (uint64, error) { return 0, errors.New("no cgroup here") },
			want:      before,
			wantLog:   "reason=\"failed to set GOMEMLIMIT: no cgroup here\"",
		},
		{
			name:      "GOMEMLIMIT wins",
			env:       map[string]string{"GOMEMLIMIT": "321MiB"},
			container: memlimit.Limit(1024 * mib),
			want:      before,
			wantLog:   "source=GOMEMLIMIT go_limit_bytes=336592896",
			noCall:    true,
		},
		{
			name:      "AUTOMEMLIMIT=off",
			env:       map[string]string{"AUTOMEMLIMIT": "off"},
			container: memlimit.Limit(1024 * mib),
			want:      before,
			wantLog:   `source=none reason="AUTOMEMLIMIT=off"`,
			noCall:    true,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"GOMEMLIMIT", "AUTOMEMLIMIT"} {
				t.Setenv(k, "") // restored after the test
				if v, ok := c.env[k]; ok {
					os.Setenv(k, v)
				} else {
					os.Unsetenv(k)
				}
			}
			prev := debug.SetMemoryLimit(before)
			t.Cleanup(func() { debug.SetMemoryLimit(prev) })
			called := false
			container := func() (uint64, error) { called = true; return c.container() }
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))

			got := limitMemory(log, container, sqlite)
			if got != c.want {
				t.Errorf("limit = %d, want %d", got, c.want)
			}
			if now := debug.SetMemoryLimit(-1); now != got {
				t.Errorf("runtime limit = %d, returned %d", now, got)
			}
			if called && c.noCall {
				t.Error("the container's limit was read")
			}
			if !strings.Contains(logs.String(), c.wantLog) {
				t.Errorf("log %q does not contain %q", logs.String(), c.wantLog)
			}
			if n := strings.Count(logs.String(), "\n"); n != 1 {
				t.Errorf("%d log lines, want 1: %q", n, logs.String())
			}
		})
	}
}
