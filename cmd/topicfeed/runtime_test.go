package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/topicfeed/topicfeed/app"
	"github.com/topicfeed/topicfeed/app/apptest"
)

// The wiring of the runtime's settings in the real binary: they are the
// process's own (its environment, its cgroup), which only a child process
// shows.

// TestGCPaceInBinary checks the wiring in the real binary: `poll` paces
// the collector itself, unless GOGC is set.
func TestGCPaceInBinary(t *testing.T) {
	srv := newOutletServer(t)
	for _, c := range []struct {
		name, gogc, want string
	}{
		{"tuned", "", `msg="gc pace" source="live heap" headroom_bytes=100663296 min_gogc=50`},
		{"tuned, at debug level", "", `msg="gc pace" gogc=100 live_heap_bytes=`},
		{"GOGC wins", "150", `msg="gc pace" source=GOGC gogc=150`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := writeConfig(t, t.TempDir(), srv.URL)
			cmd := exec.Command(binary, "-config", cfg, "poll")
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "GOGC=") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, "TOPICFEED_LOG_LEVEL=debug")
			if c.gogc != "" {
				cmd.Env = append(cmd.Env, "GOGC="+c.gogc)
			}
			out, err := cmd.CombinedOutput()
			if !strings.Contains(string(out), "polled 5 outlets") {
				t.Fatalf("poll: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), c.want) {
				t.Errorf("no %q in the log:\n%s", c.want, apptest.GrepLines(string(out), "gc pace"))
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
	cmd.Env = append(cmd.Env, "TOPICFEED_LOG_LEVEL=debug") // a one-shot poll logs the limit at DEBUG
	out, err := cmd.CombinedOutput()
	if !strings.Contains(string(out), "polled 5 outlets") {
		t.Fatalf("poll in a 512 MiB cgroup: %v\n%s", err, out)
	}
	line := apptest.GrepLines(string(out), `msg="memory limit"`)
	want := regexp.MustCompile(`source=container container_limit_bytes=536870912 sqlite_cache_bytes=(\d+) go_limit_bytes=(\d+)`)
	m := want.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("memory limit log line %q does not match %v", line, want)
	}
	cache, _ := strconv.ParseInt(m[1], 10, 64)
	got, _ := strconv.ParseInt(m[2], 10, 64)
	if wantLimit := int64(float64(limit-cache) * app.MemLimitRatio); got != wantLimit || cache <= 0 {
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
