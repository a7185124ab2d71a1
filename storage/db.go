// Package storage keeps topicfeed's outlets, items, sources and tagging in
// one SQLite database (modernc.org/sqlite, pure Go).
//
// The database runs in WAL mode with foreign keys on. Writes go through a
// pool of exactly one connection (SQLite allows one writer; queuing in Go is
// cheaper than SQLITE_BUSY retries) whose transactions start IMMEDIATE; reads
// use a separate read-only pool, so readers never wait for the writer and the
// writer never waits for readers.
//
// Tables: outlets (configuration and polling state, with a maintained
// item count), items (one row per distinct article, with its tagging),
// sources (every outlet and GUID that carried an item), and the lookup
// tables item_outlets, item_tags and item_topics, keyed so that feed
// queries filtered by outlet, tag or topic read rows already in published
// order. meta holds the revision counters. The schema is migrated with an
// ordered list of steps recorded in PRAGMA user_version; see
// testdata/schema.sql.
//
// A background connection checkpoints the WAL so that commits do not.
//
// All SQL of topicfeed lives in this package.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DB is an open topicfeed database. It is safe for concurrent use.
type DB struct {
	path    string
	w       *sql.DB // one connection: the only writer
	r       *sql.DB // read-only connections
	readers int     // r's connections at most
	now     func() time.Time

	ws           writeStmts
	revisionStmt *sql.Stmt // on r
	outletStmt   *sql.Stmt // on r: OutletState
	ckpt         *checkpointer
	log          *slog.Logger
	states       stateQueue // outlet states written behind (statebatch.go)

	closeOnce sync.Once
	closeErr  error
}

// Option configures Open.
type Option func(*options)

type options struct {
	now     func() time.Time
	readers int
	log     *slog.Logger
}

// WithClock sets the clock used for first-seen and updated times
// (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithLogger sets where background failures (WAL checkpoints) are logged
// (default: nowhere).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.log = l }
}

// WithReaders sets the number of read connections (default: the number of
// CPUs, at least 4).
func WithReaders(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.readers = n
		}
	}
}

// Open opens (creating it and its parent directory if needed) the database
// at path, checks it with PRAGMA quick_check unless the last Close was
// clean and the file has not changed since (see cleanclose.go), and
// migrates its schema to the version this binary knows. A database written
// by a newer topicfeed is refused with a *SchemaVersionError.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	o := options{now: time.Now, readers: max(4, runtime.NumCPU()), log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
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
	if db.revisionStmt, err = r.PrepareContext(ctx, `SELECT revision FROM meta WHERE id = 1`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare revision query: %w", err)
	}
	if db.outletStmt, err = r.PrepareContext(ctx, `SELECT `+outletColumns+` FROM outlets WHERE name = ?`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare outlet query: %w", err)
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
// (GOMEMLIMIT) does not count it.
func (db *DB) CacheBytes() int64 {
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

// Close closes the database. It runs PRAGMA optimize first; the last
// connection to close checkpoints the WAL into the main file, and then a
// clean Close is recorded so that the next Open can skip quick_check.
// Calls after the first return the first call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.close() })
	return db.closeErr
}

func (db *DB) close() error {
	var errs []error
	if db.r != nil { // opened: the writer's statements are prepared
		errs = append(errs, db.closeStates())
	}
	if db.ckpt != nil {
		errs = append(errs, db.ckpt.close())
	}
	errs = append(errs, db.ws.close())
	for _, s := range []*sql.Stmt{db.revisionStmt, db.outletStmt} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if _, err := db.w.Exec(`PRAGMA optimize`); err != nil {
		errs = append(errs, fmt.Errorf("optimize: %w", err))
	}
	errs = append(errs, db.w.Close())
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return putCleanMark(db.path)
}

// Revision returns a number that grows whenever anything the published
// feeds or pages show changes: items, their sources and tagging, and outlet
// health. It is one indexed read of one row, plus the outlet states this
// process saved (queued or written since: both terms only grow).
func (db *DB) Revision(ctx context.Context) (int64, error) {
	var rev int64
	if err := db.revisionStmt.QueryRowContext(ctx).Scan(&rev); err != nil {
		return 0, fmt.Errorf("read revision: %w", err)
	}
	db.states.mu.Lock()
	saves := db.states.saves
	db.states.mu.Unlock()
	return rev + saves, nil
}

// ContentRevision returns a number that grows whenever stored items, their
// sources or their tagging change, but not for outlet polling state alone.
// Feeds can be rendered once per content revision.
func (db *DB) ContentRevision(ctx context.Context) (int64, error) {
	var rev int64
	if err := db.r.QueryRowContext(ctx, `SELECT content_revision FROM meta WHERE id = 1`).Scan(&rev); err != nil {
		return 0, fmt.Errorf("read content revision: %w", err)
	}
	return rev, nil
}

// bump advances the revision counters inside a write transaction.
func (db *DB) bump(ctx context.Context, tx *sql.Tx, content bool) error {
	s := db.ws.bump
	if content {
		s = db.ws.bumpContent
	}
	if _, err := tx.StmtContext(ctx, s).ExecContext(ctx); err != nil {
		return fmt.Errorf("bump revision: %w", err)
	}
	return nil
}

// writeTx runs fn in one IMMEDIATE transaction on the writer and commits it
// if fn returns nil.
func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Queued outlet states first, so that fn's writes land after them.
	states := db.states.take()
	err = db.writeStates(ctx, tx, states)
	if err == nil {
		err = fn(tx)
	}
	if err != nil {
		_ = tx.Rollback()
		db.putBackStates(states)
		// When ctx ends, database/sql rolls the transaction back on its
		// own, and the statement then running may fail with "statement is
		// closed" rather than with ctx's error: report the cause.
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			return fmt.Errorf("%w: %w", err, cerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		db.putBackStates(states)
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("commit: %w: %w", err, cerr)
		}
		return fmt.Errorf("commit: %w", err)
	}
	if db.ckpt != nil {
		db.ckpt.notify()
	}
	return nil
}
