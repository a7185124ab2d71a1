package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestLibraryFloor(t *testing.T) {
	sim := newTestSim(t, func(o *Options) { o.Outlets, o.Items = 9, 7 })
	r, err := libraryFloor(context.Background(), sim, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if want := 9 * 7; r.Items != want || r.Rows != want {
		t.Errorf("items %d, rows %d, want %d of each", r.Items, r.Rows, want)
	}
	if r.Documents != 9 || r.Bytes <= 0 || r.SanitizedBytes <= 0 {
		t.Errorf("documents %d, bytes %d, sanitised bytes %d", r.Documents, r.Bytes, r.SanitizedBytes)
	}
	for name, us := range map[string]float64{"parse": r.ParseUS, "sanitize": r.SanitizeUS, "insert": r.InsertUS} {
		if us <= 0 {
			t.Errorf("%s: %v µs per item, want > 0", name, us)
		}
	}
	if sum := r.ParseUS + r.SanitizeUS + r.InsertUS; sum < r.TotalUS*0.999 || sum > r.TotalUS*1.001 {
		t.Errorf("total %v µs, stages sum to %v", r.TotalUS, sum)
	}
}

// TestFloorCommand runs the command as the benchmark script does and reads
// its JSON.
func TestFloorCommand(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"-outlets", "6", "-items", "5", "-seed", "3", "-epoch", "2026-12-01T00:00:00Z", "floor"}
	if err := run(context.Background(), args, &out, &errb); err != nil {
		t.Fatalf("feedsim floor: %v (stderr %q)", err, errb.String())
	}
	var r floorReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("output is not a report: %v\n%s", err, out.String())
	}
	if r.Items != 30 || r.Rows != 30 || r.TotalUS <= 0 {
		t.Errorf("report %+v, want 30 items stored and a cost", r)
	}
	if !strings.Contains(out.String(), `"total_us_per_item"`) {
		t.Errorf("no total_us_per_item in %s", out.String())
	}
}
