// Package pgtest gives tests a PostgreSQL database of their own in the
// throwaway cluster that scripts/pg starts (TOPICFEED_TEST_POSTGRES).
// Without that variable a test that asks for one is skipped, or fails when
// CI is set: CI runs every engine.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Env names the variable that holds the test cluster's URL.
const Env = "TOPICFEED_TEST_POSTGRES"

var (
	once    sync.Once
	admin   *sql.DB
	openErr error
	seq     atomic.Int64
)

// Cluster returns the test cluster's URL, skipping (or, under CI, failing)
// tb when there is none.
func Cluster(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(Env)
	if u == "" {
		msg := `no PostgreSQL cluster for the tests: start one with eval "$(scripts/pg start)" (sets ` + Env + `)`
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return u
}

// NewDatabase creates an empty database in the test cluster and returns
// its URL; the database is dropped when tb ends. with, if given, is added
// to CREATE DATABASE (e.g. "LOCALE_PROVIDER icu ICU_LOCALE 'en' TEMPLATE
// template0" for a locale's collation; the cluster's is C).
func NewDatabase(tb testing.TB, with ...string) string {
	tb.Helper()
	base := Cluster(tb)
	once.Do(func() {
		admin, openErr = sql.Open("pgx", base)
		if openErr == nil {
			openErr = admin.PingContext(context.Background())
		}
	})
	if openErr != nil {
		tb.Fatalf("PostgreSQL test cluster (%s): %v", Env, openErr)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", Env, err)
	}
	name := fmt.Sprintf("topicfeed_test_%d_%d", os.Getpid(), seq.Add(1))
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` ` + strings.Join(with, " ")); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// WithPassword returns the URL dsn with password set (the test cluster
// trusts loopback, so any password opens it): for tests that check no log
// shows it.
func WithPassword(tb testing.TB, dsn, password string) string {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("database URL: %v", err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return u.String()
}
