package storage

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/topicfeed/topicfeed/storage/pgtest"
)

// The behaviour tests run once per engine: eachEngine runs its function
// as the subtests "sqlite" and "postgres", and openTest and newDatabase,
// called from within one, open a database of that engine. The PostgreSQL
// subtest needs a cluster (TOPICFEED_TEST_POSTGRES, see scripts/pg); each
// database it opens is a new one (pgtest), dropped at the end of the test.

var (
	enginesMu sync.Mutex
	enginesOf = map[string]engine{} // subtest name → its engine
)

// eachEngine runs fn once per engine, as subtests named after them.
func eachEngine(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	for _, e := range []engine{engineSQLite, enginePostgres} {
		t.Run(e.String(), func(t *testing.T) {
			enginesMu.Lock()
			enginesOf[t.Name()] = e
			enginesMu.Unlock()
			t.Cleanup(func() {
				enginesMu.Lock()
				delete(enginesOf, t.Name())
				enginesMu.Unlock()
			})
			if e == enginePostgres {
				pgtest.Cluster(t)
			}
			fn(t)
		})
	}
}

// engineOf is the engine of the eachEngine subtest tb runs in (SQLite
// outside of one).
func engineOf(tb testing.TB) engine {
	enginesMu.Lock()
	defer enginesMu.Unlock()
	name := tb.Name()
	for {
		if e, ok := enginesOf[name]; ok {
			return e
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return engineSQLite
		}
		name = name[:i]
	}
}

// newDatabase returns where a new, empty database of tb's engine is: a
// file path in a temporary directory, or the URL of a new PostgreSQL
// database.
func newDatabase(tb testing.TB) string {
	tb.Helper()
	if engineOf(tb) == enginePostgres {
		return pgtest.NewDatabase(tb)
	}
	return filepath.Join(tb.TempDir(), "db", "topicfeed.db")
}
