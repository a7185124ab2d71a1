// Package storage keeps topicfeed's outlets, items, sources and tagging in
// one database: a SQLite file (modernc.org/sqlite, pure Go), the default,
// or PostgreSQL (github.com/jackc/pgx/v5, pure Go) when several nodes
// share one store. Open picks the engine from its argument: a
// postgres:// or postgresql:// URL, or a file path.
//
// One type, DB, and one contract, its exported methods: the SQL is written
// once, in what both engines accept, and the engine supplies what differs
// (connections; placeholders, rebound from SQLite's ? and ?NNN to $N when a
// statement is prepared; the schema; JSON arrays as tables; and what one
// engine alone has). The behaviour tests run on both (eachEngine).
//
// SQLite: the database runs in WAL mode with foreign keys on. Writes go
// through a pool of exactly one connection (SQLite allows one writer;
// queuing in Go is cheaper than SQLITE_BUSY retries) whose transactions
// start IMMEDIATE; reads use a separate read-only pool, so readers never
// wait for the writer and the writer never waits for readers. A background
// connection checkpoints the WAL so that commits do not; a clean Close is
// recorded so that the next Open can skip quick_check (sqlite.go).
//
// PostgreSQL: the same two pools, and every write transaction first takes
// one transaction-scoped advisory lock (pg_advisory_xact_lock), so that
// one transaction writes at a time across all nodes on the database, as
// SQLite's file lock makes one process write at a time. Dedupe (a lookup
// then an insert), the revision counters and the story assigner lease
// keep their single-writer semantics across nodes; this lock is where
// PostgreSQL's write throughput is bounded. Migrations run under it too,
// so nodes starting at once on an empty database migrate it once. The
// schema version is kept in topicfeed_schema. PostgreSQL's text holds
// valid UTF-8 without NULs: other strings are stored made valid (pgText).
// Backup is SQLite's; PostgreSQL has pg_dump.
//
// Tables: outlets (configuration and polling state, with a maintained
// item count), items (one row per distinct article, with its tagging),
// sources (every outlet and GUID that carried an item), and the lookup
// tables item_outlets, item_tags and item_topics, keyed so that feed
// queries filtered by outlet, tag or topic read rows already in published
// order. meta holds the revision counters. The schema is migrated with an
// ordered list of steps per engine, numbered alike (schemaSteps,
// postgresSchemaSteps); see testdata/schema.sql.
//
// All SQL of topicfeed lives in this package.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"
)

// DB is an open topicfeed database. It is safe for concurrent use.
type DB struct {
	eng     engine
	path    string  // the SQLite file, or the PostgreSQL URL without its password
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

	revs       *revCache // PostgreSQL: revisions kept current by LISTEN (notify.go)
	stopListen func()    // ends the listener and waits for it

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

// Open opens the database named by database (config's database:): a
// postgres:// or postgresql:// URL opens that PostgreSQL database, anything
// else is the path of a SQLite file (see openSQLite). Either is migrated
// to the schema version this binary knows; a database written by a newer
// topicfeed is refused with a *SchemaVersionError.
func Open(ctx context.Context, database string, opts ...Option) (*DB, error) {
	o := options{now: time.Now, readers: max(4, runtime.NumCPU()), log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	if IsPostgresURL(database) {
		return openPostgres(ctx, database, o)
	}
	return openSQLite(ctx, database, o)
}

// prepareReads prepares the statements of the read pool.
func (db *DB) prepareReads(ctx context.Context) error {
	var err error
	if db.revisionStmt, err = db.r.PrepareContext(ctx, `SELECT revision, content_revision FROM meta WHERE id = 1`); err != nil {
		return fmt.Errorf("prepare revision query: %w", err)
	}
	if db.outletStmt, err = db.r.PrepareContext(ctx, `SELECT `+outletColumns+` FROM outlets WHERE name = ?`); err != nil {
		return fmt.Errorf("prepare outlet query: %w", err)
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
	if db.stopListen != nil {
		db.stopListen()
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
	if db.eng == engineSQLite {
		if _, err := db.w.Exec(`PRAGMA optimize`); err != nil {
			errs = append(errs, fmt.Errorf("optimize: %w", err))
		}
	}
	errs = append(errs, db.w.Close())
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if db.eng == engineSQLite {
		return putCleanMark(db.path)
	}
	return nil
}

// Revision returns a number that grows whenever anything the published
// feeds or pages show changes: items, their sources and tagging, and outlet
// health. It is one indexed read of one row, plus the outlet states this
// process saved (queued or written since: both terms only grow).
func (db *DB) Revision(ctx context.Context) (int64, error) {
	rev, _, err := db.revisions(ctx)
	if err != nil {
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
	_, rev, err := db.revisions(ctx)
	if err != nil {
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

// writeTx runs fn in one write transaction on the writer and commits it
// if fn returns nil. On SQLite the transaction is IMMEDIATE: it holds the
// file's write lock from its start. On PostgreSQL it takes the advisory
// write lock (writeLockKey) first, so that one transaction writes at a
// time across every node on the database.
func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil && db.eng == enginePostgres && ctx.Err() == nil {
		// A connection the server dropped (a restart, a failover) fails
		// at its first use, this BEGIN, and is discarded: nothing ran, so
		// one more try takes a new connection.
		tx, err = db.w.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if db.eng == enginePostgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writeLockKey); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("take the write lock: %w", err)
		}
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
	if db.revs != nil {
		db.revs.invalidate() // before the notification comes back: reads after this write see it
	}
	return nil
}
