package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// openSQLite opens (creating it and its parent directory if needed) the database
// at path, checks it with PRAGMA quick_check unless the last Close was
// clean and the file has not changed since (see cleanclose.go), and
// migrates its schema to the version this binary knows. A database written
// by a newer topicfeed is refused with a *SchemaVersionError.
func openSQLite(ctx context.Context, path string, o options) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("database path %q: want a file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("database path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}

	clean, err := takeCleanMark(abs)
	if err != nil {
		return nil, err
	}

	w, err := sql.Open("sqlite", dsn(abs, connWriter))
	if err != nil {
		return nil, fmt.Errorf("open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	db := &DB{path: abs, w: w, now: o.now, log: o.log}
	if err := db.prepareWriter(ctx, !clean); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.prepareStatements(ctx); err != nil {
		db.Close()
		return nil, err
	}

	// The reader pool opens only after the writer has created the file,
	// switched it to WAL and migrated it.
	r, err := sql.Open("sqlite", dsn(abs, connReader))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open readers: %w", err)
	}
	r.SetMaxOpenConns(o.readers)
	r.SetMaxIdleConns(o.readers)
	db.r, db.readers = r, o.readers
	if err := db.prepareReads(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.ckpt, err = startCheckpointer(abs, func(err error) {
		db.log.Warn("background checkpoint failed", "database", abs, "error", err)
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// connKind says what a pool's connections are for.
type connKind int

const (
	connWriter connKind = iota // the one writer: WAL, IMMEDIATE transactions
	connReader                 // query_only readers
	connBackup                 // VACUUM INTO writes another file, which query_only forbids
)

// Page cache sizes per connection, in KiB. The checkpointer's connection
// keeps SQLite's default.
const (
	writerCacheKiB     = 32000
	readerCacheKiB     = 8000
	checkpointCacheKiB = 2000 // SQLite's default cache_size(-2000)
)

// CacheBytes is the most memory the page caches of db's connections hold
// when full. SQLite allocates it outside the Go heap, so a Go memory limit
// (GOMEMLIMIT) does not count it. On PostgreSQL it is 0.
func (db *DB) CacheBytes() int64 {
	if db.eng == enginePostgres {
		return 0 // PostgreSQL's caches are the server's
	}
	return int64(writerCacheKiB+db.readers*readerCacheKiB+checkpointCacheKiB) * 1024
}

// dsn builds a modernc.org/sqlite URI for path. Pragmas in the DSN apply to
// every connection the pool opens, including ones reopened later.
func dsn(abs string, kind connKind) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// No mmap: mapped pages would count in the process's RSS (quick_check
	// alone reads the whole file), and a mapped writer stored new items
	// no faster at a million stored items (BENCHMARKS.md, store growth);
	// each connection's page cache is bounded instead (cache_size, in KiB
	// when negative).
	switch kind {
	case connReader:
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", readerCacheKiB))
	case connWriter:
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", writerCacheKiB))
		// Statement journals (the pages one statement of a transaction
		// changed, kept to undo that statement alone) in memory, not in a
		// temporary file: with a file, their pwrite calls were 15% of
		// SaveFetch's CPU. They hold the pages of one statement.
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", walBackstopPages))
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "journal_size_limit(67108864)")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String()
}

func (db *DB) prepareWriter(ctx context.Context, check bool) error {
	var mode string
	if err := db.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("read journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, want wal (is the file system local?)", mode)
	}
	var fk int
	if err := db.w.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
		return fmt.Errorf("read foreign_keys: %w", err)
	}
	if fk != 1 {
		return errors.New("foreign keys are off, want on")
	}
	if check {
		start := time.Now()
		if err := db.quickCheck(ctx); err != nil {
			return err
		}
		// Why a start-up took seconds: the last Close was not clean.
		db.log.Debug("checked database integrity", "database", db.path, "duration", time.Since(start))
	}
	return db.migrate(ctx, schemaSteps())
}

func (db *DB) quickCheck(ctx context.Context) error {
	rows, err := db.w.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return fmt.Errorf("quick_check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("quick_check: %w", err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("quick_check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("database is damaged (quick_check: %s); restore it from a backup", strings.Join(problems, "; "))
	}
	return nil
}
