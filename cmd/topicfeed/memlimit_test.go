package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
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
			want:      ratio(memLimitRatio, 1024*mib-sqlite),
			wantLog:   "source=container container_limit_bytes=1073741824 sqlite_cache_bytes=77594624",
		},
		{
			name:      "a container smaller than twice the caches keeps half of it",
			container: memlimit.Limit(100 * mib),
			want:      ratio(memLimitRatio, 50*mib),
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

// TestMemoryLimitFromContainer runs `topicfeed poll` inside a memory cgroup
// of its own with a 512 MiB limit, as a container runtime would, and checks
// that the binary finds that limit and sets its Go memory limit from it.
// It needs a memory cgroup it may create children in (root on cgroup v1,
// or a delegated cgroup v2 subtree); elsewhere it is skipped.
func TestMemoryLimitFromContainer(t *testing.T) {
	const limit = 512 << 20
	procs := childMemoryCgroup(t, limit)
	srv := newOutletServer(t)
	cfg := writeConfig(t, t.TempDir(), srv.URL)

	cmd := exec.Command("/bin/sh", "-c", `echo $$ > "$0" && exec "$@"`, procs, binary, "-config", cfg, "poll")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "AUTOMEMLIMIT=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if !strings.Contains(string(out), "polled 5 outlets") {
		t.Fatalf("poll in a 512 MiB cgroup: %v\n%s", err, out)
	}
	line := grepLines(string(out), `msg="memory limit"`)
	want := regexp.MustCompile(`source=container container_limit_bytes=536870912 sqlite_cache_bytes=(\d+) go_limit_bytes=(\d+)`)
	m := want.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("memory limit log line %q does not match %v", line, want)
	}
	cache, _ := strconv.ParseInt(m[1], 10, 64)
	got, _ := strconv.ParseInt(m[2], 10, 64)
	if wantLimit := int64(float64(limit-cache) * memLimitRatio); got != wantLimit || cache <= 0 {
		t.Errorf("go_limit_bytes = %d with sqlite_cache_bytes = %d, want %d", got, cache, wantLimit)
	}
}

// childMemoryCgroup creates a memory cgroup below this process's own, with
// a memory limit of limit bytes, removed when the test ends, and returns
// the file a process writes its pid to to join it. It skips the test
// where no memory cgroup can be created.
func childMemoryCgroup(t *testing.T, limit int64) (procs string) {
	t.Helper()
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Skipf("no cgroups: %v", err)
	}
	var dir, limitFile string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		switch {
		case slices.Contains(strings.Split(f[1], ","), "memory"): // cgroup v1
			dir, limitFile = filepath.Join("/sys/fs/cgroup/memory", f[2]), "memory.limit_in_bytes"
		case f[0] == "0" && f[1] == "" && dir == "": // cgroup v2, unless v1 has the memory controller
			ctl, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", f[2], "cgroup.subtree_control"))
			if err == nil && slices.Contains(strings.Fields(string(ctl)), "memory") {
				dir, limitFile = filepath.Join("/sys/fs/cgroup", f[2]), "memory.max"
			}
		}
	}
	if dir == "" {
		t.Skip("no memory cgroup controller available to this process")
	}
	child := filepath.Join(dir, fmt.Sprintf("topicfeed-test-%d", os.Getpid()))
	if err := os.Mkdir(child, 0o755); err != nil {
		t.Skipf("cannot create a memory cgroup: %v", err)
	}
	t.Cleanup(func() {
		if err := os.Remove(child); err != nil {
			t.Errorf("remove cgroup %s: %v", child, err)
		}
	})
	if err := os.WriteFile(filepath.Join(child, limitFile), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
		t.Skipf("cannot limit the memory of cgroup %s: %v", child, err)
	}
	return filepath.Join(child, "cgroup.procs")
}
