package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	block, mutex := filepath.Join(dir, "block.pprof"), filepath.Join(dir, "mutex.pprof")
	tr := filepath.Join(dir, "trace.out")
	_, stderr, code := runBinary(t, "", "-cpuprofile", cpu, "-memprofile", mem, "-blockprofile", block, "-mutexprofile", mutex,
		"-trace", tr, "-config", "../../config.yaml", "check")
	if code != 0 {
		t.Fatalf("check with profiles: exit %d\n%s", code, stderr)
	}
	for _, p := range []string{cpu, mem, block, mutex} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f) // pprof files are gzipped protocol buffers
		if err != nil {
			t.Fatalf("%s is not a pprof file: %v", filepath.Base(p), err)
		}
		n, err := io.Copy(io.Discard, zr)
		f.Close()
		if err != nil || n == 0 {
			t.Errorf("%s: %d bytes, %v", filepath.Base(p), n, err)
		}
	}

	if st, err := os.Stat(tr); err != nil || st.Size() == 0 {
		t.Errorf("trace: %v, %v", st, err)
	}

	bad := filepath.Join(dir, "missing", "cpu.pprof")
	_, stderr, code = runBinary(t, "", "-cpuprofile", bad, "-config", "../../config.yaml", "check")
	if code == 0 || !strings.Contains(stderr, "cpu profile") || !strings.Contains(stderr, bad) {
		t.Errorf("unwritable profile: exit %d, %s", code, stderr)
	}
}
