package storage

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver for the test cluster's admin connection
)

// The behaviour tests run once per engine: eachEngine runs its function
// as the subtests "sqlite" and "postgres", and openTest and newDatabase,
// called from within one, open a database of that engine. The PostgreSQL
// subtest needs a cluster (TOPICFEED_TEST_POSTGRES, see scripts/pg); each
// database it opens is a new one, dropped at the end of the test.

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
				testCluster(t)
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
		return newPostgresDatabase(tb)
	}
	return filepath.Join(tb.TempDir(), "db", "topicfeed.db")
}

var (
	clusterOnce sync.Once
	clusterDB   *sql.DB
	clusterErr  error
	databaseSeq atomic.Int64
)

// testCluster returns the admin connection of the test cluster named by
// TOPICFEED_TEST_POSTGRES. Without it the test is skipped, or fails when
// CI is set (CI must run every engine).
func testCluster(tb testing.TB) *sql.DB {
	tb.Helper()
	url := os.Getenv("TOPICFEED_TEST_POSTGRES")
	if url == "" {
		msg := `no PostgreSQL cluster for the tests: start one with eval "$(scripts/pg start)" (sets TOPICFEED_TEST_POSTGRES)`
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	clusterOnce.Do(func() {
		clusterDB, clusterErr = sql.Open("pgx", url)
		if clusterErr == nil {
			clusterErr = clusterDB.PingContext(context.Background())
		}
	})
	if clusterErr != nil {
		tb.Fatalf("PostgreSQL test cluster at %s: %v", Redact(url), clusterErr)
	}
	return clusterDB
}

// newPostgresDatabase creates an empty database in the test cluster and
// returns its URL; the database is dropped when the test ends.
func newPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	admin := testCluster(tb)
	name := fmt.Sprintf("topicfeed_test_%d_%d", os.Getpid(), databaseSeq.Add(1))
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	return databaseURL(tb, os.Getenv("TOPICFEED_TEST_POSTGRES"), name)
}

// databaseURL is base (a postgres:// URL) naming database name instead.
func databaseURL(tb testing.TB, base, name string) string {
	tb.Helper()
	scheme, rest, ok := strings.Cut(base, "://")
	if !ok {
		tb.Fatalf("TOPICFEED_TEST_POSTGRES %q: want a postgres:// URL", Redact(base))
	}
	host, query, _ := strings.Cut(rest, "?")
	host, _, _ = strings.Cut(host, "/")
	u := scheme + "://" + host + "/" + name
	if query != "" {
		u += "?" + query
	}
	return u
}
