package app

import (
	"log/slog"
	"math"
	"os"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// MemLimitRatio is the share of what the container leaves for the Go heap
// (its memory limit minus SQLite's page caches) that the collector is told
// to stay within: the rest is for stacks, buffers outside the heap and the
// collector's lag.
const MemLimitRatio = 0.9

// limitMemory gives the Go collector a soft memory limit derived from the
// container's memory limit (cgroup v1 or v2, as container runtimes set it):
// ratio × (the container's limit − sqliteCache), where sqliteCache is the
// memory SQLite's page caches take outside the Go heap. Without it the heap
// grows to twice its live size before each collection, whatever the
// container allows, and the kernel kills the daemon when that crosses the
// limit; with it the collector runs more often as the heap nears the limit.
//
// An explicit GOMEMLIMIT wins, and AUTOMEMLIMIT (a ratio, or "off")
// overrides the ratio, as in automemlimit. Where no limit is found (no
// cgroup, or an unlimited one) nothing changes. It logs what it decided and
// returns the limit in force.
func limitMemory(log *slog.Logger, container memlimit.Provider, sqliteCache int64) int64 {
	var seen uint64
	heap := func() (uint64, error) {
		limit, err := container()
		if err != nil {
			return 0, err
		}
		seen = limit
		// Never below half the container: a container smaller than
		// twice SQLite's caches still gets a limit that bounds the heap.
		room := limit / 2
		if c := uint64(max(sqliteCache, 0)); limit > c && limit-c > room {
			room = limit - c
		}
		return room, nil
	}
	limit, err := memlimit.Set(memlimit.WithProvider(heap), memlimit.WithRatio(MemLimitRatio))
	switch {
	case os.Getenv("GOMEMLIMIT") != "":
		log.Info("memory limit", "source", "GOMEMLIMIT", "go_limit_bytes", limit)
	case os.Getenv("AUTOMEMLIMIT") == "off":
		log.Info("memory limit", "source", "none", "reason", "AUTOMEMLIMIT=off")
	case err != nil:
		log.Info("memory limit", "source", "none", "reason", err.Error())
	case limit == math.MaxInt64:
		log.Info("memory limit", "source", "none", "reason", "the container has no memory limit")
	default:
		log.Info("memory limit", "source", "container", "container_limit_bytes", seen,
			"sqlite_cache_bytes", sqliteCache, "go_limit_bytes", limit)
	}
	return limit
}
