package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// engine is the database a DB runs on. The SQL of this package is written
// once, in the dialect both engines accept; the engine supplies what
// differs: connections, placeholders (rebind), the schema, and what one
// engine alone has (SQLite's WAL checkpoints, clean-close marks and
// quick_check; PostgreSQL's advisory locks).
type engine int

const (
	engineSQLite engine = iota
	enginePostgres
)

func (e engine) String() string {
	if e == enginePostgres {
		return "postgres"
	}
	return "sqlite"
}

// IsPostgresURL reports whether database (config's database:) names a
// PostgreSQL database rather than a SQLite file.
func IsPostgresURL(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// Redact returns database with the password of a URL replaced by "xxxxx",
// for logs and messages; a file path comes back as it is.
func Redact(database string) string {
	if !IsPostgresURL(database) {
		return database
	}
	u, err := url.Parse(database)
	if err != nil {
		return "postgres://(unreadable URL)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// writeLockKey is the pg_advisory_xact_lock every write transaction on
// PostgreSQL takes first, so that writes are serialised across nodes as
// SQLite serialises them across processes.
const writeLockKey int64 = 0x746f70696366_0001 // "topicf", 1

// openPostgres opens the PostgreSQL database at dsn (a postgres:// URL):
// a pool of one connection for writes, as on SQLite, and a pool of readers.
func openPostgres(ctx context.Context, dsn string, o options) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's error repeats the URL, password included
		return nil, errors.New("database URL: cannot parse it (want postgres://user:password@host:port/database?sslmode=...)")
	}
	conn := pgConnector{stdlib.GetConnector(*cfg)}
	w := sql.OpenDB(conn)
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	db := &DB{eng: enginePostgres, path: Redact(dsn), w: w, now: o.now, log: o.log}
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := db.migratePostgres(ctx, postgresSchemaSteps()); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.prepareStatements(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.r = sql.OpenDB(conn)
	db.r.SetMaxOpenConns(o.readers)
	db.r.SetMaxIdleConns(o.readers)
	db.readers = o.readers
	if err := db.prepareReads(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.revs = &revCache{}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.listen(lctx, cfg)
	}()
	db.stopListen = func() { cancel(); <-done }
	return db, nil
}

// pgConnector opens pgx connections that take this package's SQL: each
// query is rebound ($N for ?) before pgx sees it.
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("pgx returned a %T connection, want *stdlib.Conn", dc)
	}
	// Best effort: on a server without lz4, or before PostgreSQL 14 (no
	// such setting, so no row), the values are compressed as configured.
	if _, err := sc.ExecContext(ctx, toastLZ4, nil); err != nil && ctx.Err() != nil {
		sc.Close()
		return nil, err
	}
	return &pgConn{sc}, nil
}

// toastLZ4 makes the session compress large values (an item's text and
// HTML, which TOAST compresses) with lz4 rather than pglz, unless the
// database, role or server sets default_toast_compression itself: lz4
// compresses several times faster, and pglz's share of storing an item is
// large, for somewhat more space. Values compressed either way stay
// readable whatever the setting.
const toastLZ4 = `SELECT set_config('default_toast_compression', 'lz4', false)
	FROM pg_settings WHERE name = 'default_toast_compression' AND source = 'default'`

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is a pgx connection that takes this package's SQL and values:
// queries are rebound once, when they are prepared or run, and string
// arguments are made storable (pgText).
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.Conn.PrepareContext(ctx, rebind(query))
	if err != nil {
		return nil, err
	}
	return &pgStmt{s.(*stdlib.Stmt)}, nil
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), pgArgs(args))
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), pgArgs(args))
}

// pgStmt is a prepared statement of a pgConn.
type pgStmt struct{ *stdlib.Stmt }

func (s *pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.ExecContext(ctx, pgArgs(args))
}

func (s *pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.QueryContext(ctx, pgArgs(args))
}

// pgArgs returns args with each string made storable as PostgreSQL text
// (pgText); args itself when all are already.
func pgArgs(args []driver.NamedValue) []driver.NamedValue {
	var out []driver.NamedValue
	for i, a := range args {
		s, ok := a.Value.(string)
		if !ok {
			continue
		}
		clean := pgText(s)
		if clean == s {
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		out[i].Value = clean
	}
	if out == nil {
		return args
	}
	return out
}

// pgText returns s as PostgreSQL text can hold it: text is valid UTF-8
// without NUL characters, where SQLite keeps any bytes. NULs are dropped
// and each run of invalid bytes becomes U+FFFD. A feed rarely carries
// either; the normaliser's output is valid UTF-8 already.
func pgText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// postgresSchemaSteps returns PostgreSQL's schema migrations, numbered as
// SQLite's (schemaSteps): step 1 creates the schema of version 8 at once,
// steps 2 to 8 are empty, and each later step is appended to both lists
// in its two dialects. Types: BIGINT for SQLite's INTEGER values that are
// 64-bit keys, ids and millisecond times, INTEGER for flags and small
// numbers, DOUBLE PRECISION for REAL, BYTEA for BLOB; ids are identities.
func postgresSchemaSteps() [][]string {
	steps := make([][]string, 8)
	steps[0] = []string{
		`CREATE TABLE meta (
			id               INTEGER PRIMARY KEY CHECK (id = 1),
			revision         BIGINT  NOT NULL,
			content_revision BIGINT  NOT NULL
		)`,
		`INSERT INTO meta (id, revision, content_revision) VALUES (1, 1, 1)`,
		`CREATE TABLE outlets (
			id                 BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
			name               TEXT    NOT NULL UNIQUE CHECK (name <> ''),
			slug               TEXT    NOT NULL,
			config_url         TEXT    NOT NULL,
			feed_url           TEXT    NOT NULL,
			etag               TEXT    NOT NULL DEFAULT '',
			last_modified      TEXT    NOT NULL DEFAULT '',
			last_fetch         BIGINT  NOT NULL DEFAULT 0,
			last_success       BIGINT  NOT NULL DEFAULT 0,
			next_poll          BIGINT  NOT NULL DEFAULT 0,
			last_status        INTEGER NOT NULL DEFAULT 0,
			last_error         TEXT    NOT NULL DEFAULT '',
			consecutive_errors INTEGER NOT NULL DEFAULT 0,
			disabled           INTEGER NOT NULL DEFAULT 0,
			disabled_reason    TEXT    NOT NULL DEFAULT '',
			item_count         BIGINT  NOT NULL DEFAULT 0
		)`,
		`CREATE TABLE items (
			id             BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
			uid            TEXT    NOT NULL UNIQUE CHECK (uid <> ''),
			story_id       TEXT    NOT NULL CHECK (story_id <> ''),
			outlet_id      BIGINT  NOT NULL REFERENCES outlets (id),
			guid           TEXT    NOT NULL CHECK (guid <> ''),
			url            TEXT    NOT NULL,
			url_key        BIGINT  NOT NULL,
			title          TEXT    NOT NULL,
			summary        TEXT    NOT NULL,
			text           TEXT    NOT NULL,
			content_html   TEXT    NOT NULL,
			authors        TEXT    NOT NULL,
			categories     TEXT    NOT NULL,
			language       TEXT    NOT NULL,
			image          TEXT    NOT NULL,
			enclosures     TEXT    NOT NULL,
			published      BIGINT  NOT NULL,
			updated        BIGINT  NOT NULL,
			first_seen     BIGINT  NOT NULL,
			content_hash   TEXT    NOT NULL,
			hash_key       BIGINT  NOT NULL,
			simhash        BIGINT  NOT NULL,
			change_hash    TEXT    NOT NULL,
			on_topic       INTEGER NOT NULL CHECK (on_topic IN (0, 1)),
			topics         TEXT    NOT NULL,
			tags           TEXT    NOT NULL,
			score          DOUBLE PRECISION NOT NULL,
			evidence       TEXT    NOT NULL,
			story_why      TEXT    NOT NULL DEFAULT '',
			related_story  TEXT    NOT NULL DEFAULT '',
			story_changed  BIGINT  NOT NULL DEFAULT 0,
			outlet_updated BIGINT  NOT NULL DEFAULT 0,
			pending_html   TEXT    NOT NULL DEFAULT ''
		)`,
		`CREATE INDEX items_published ON items (published DESC, id DESC)`,
		`CREATE INDEX items_on_topic_published ON items (on_topic, published DESC, id DESC)`,
		`CREATE INDEX items_story ON items (story_id, published DESC, id DESC)`,
		`CREATE INDEX items_url_key ON items (url_key) WHERE url_key <> 0`,
		`CREATE INDEX items_hash_key ON items (hash_key) WHERE hash_key <> 0`,
		`CREATE INDEX items_related ON items (related_story) WHERE related_story <> ''`,
		`CREATE TABLE sources (
			id         BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
			item_id    BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
			outlet_id  BIGINT  NOT NULL REFERENCES outlets (id),
			guid       TEXT    NOT NULL CHECK (guid <> ''),
			guid_key   BIGINT  NOT NULL,
			url        TEXT    NOT NULL,
			title      TEXT    NOT NULL,
			published  BIGINT  NOT NULL,
			first_seen BIGINT  NOT NULL,
			raw_hash   BIGINT  NOT NULL DEFAULT 0
		)`,
		`CREATE INDEX sources_guid ON sources (outlet_id, guid_key)`,
		`CREATE INDEX sources_item ON sources (item_id, first_seen, id)`,
		`CREATE INDEX sources_raw ON sources (outlet_id, raw_hash) WHERE raw_hash <> 0`,
		`CREATE TABLE item_outlets (
			outlet_id BIGINT  NOT NULL REFERENCES outlets (id),
			on_topic  INTEGER NOT NULL,
			published BIGINT  NOT NULL,
			item_id   BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
			PRIMARY KEY (outlet_id, on_topic, published, item_id)
		)`,
		`CREATE INDEX item_outlets_item ON item_outlets (item_id)`,
		`CREATE TABLE item_tags (
			tag       TEXT    NOT NULL,
			on_topic  INTEGER NOT NULL,
			published BIGINT  NOT NULL,
			item_id   BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
			PRIMARY KEY (tag, on_topic, published, item_id)
		)`,
		`CREATE INDEX item_tags_item ON item_tags (item_id)`,
		`CREATE TABLE item_topics (
			topic     TEXT    NOT NULL,
			on_topic  INTEGER NOT NULL,
			published BIGINT  NOT NULL,
			item_id   BIGINT  NOT NULL REFERENCES items (id) ON DELETE CASCADE,
			PRIMARY KEY (topic, on_topic, published, item_id)
		)`,
		`CREATE INDEX item_topics_item ON item_topics (item_id)`,
		`CREATE TABLE settings (
			key   TEXT PRIMARY KEY,
			value TEXT NOT NULL
		)`,
		`CREATE TABLE counts (
			name TEXT   NOT NULL,
			key  TEXT   NOT NULL,
			n    BIGINT NOT NULL,
			PRIMARY KEY (name, key)
		)`,
		`CREATE TABLE story_states (
			item_id   BIGINT  PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
			version   BIGINT  NOT NULL,
			published BIGINT  NOT NULL,
			uid       TEXT    NOT NULL,
			story_id  TEXT    NOT NULL,
			outlet_id BIGINT  NOT NULL,
			state     BYTEA   NOT NULL
		)`,
		`CREATE INDEX story_states_window ON story_states (version, published, item_id)`,
	}
	// 9: host leases (leases.go), the same text on both engines.
	steps = append(steps, []string{
		`CREATE TABLE host_leases (
			host    TEXT   PRIMARY KEY,
			holder  TEXT   NOT NULL CHECK (holder <> ''),
			expires BIGINT NOT NULL
		)`,
	})
	return steps
}

// migratePostgres brings the database to the version of steps, one
// transaction per step. Each step's transaction takes the write lock
// (writeTx) and reads the version again, so that nodes starting at once
// on an empty database migrate it once: the others wait for the lock and
// find the step done. The version is kept in topicfeed_schema
// (PostgreSQL has no user_version).
func (db *DB) migratePostgres(ctx context.Context, steps [][]string) error {
	for v := 0; v < len(steps); v++ {
		var found int
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS topicfeed_schema (
				id      INTEGER PRIMARY KEY CHECK (id = 1),
				version INTEGER NOT NULL
			)`); err != nil {
				return fmt.Errorf("create version table: %w", err)
			}
			err := tx.QueryRowContext(ctx, `SELECT version FROM topicfeed_schema WHERE id = 1`).Scan(&found)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read schema version: %w", err)
			}
			if found > len(steps) {
				return &SchemaVersionError{Found: found, Known: len(steps)}
			}
			if found > v {
				return nil // done, by this node earlier or by another
			}
			for _, stmt := range steps[v] {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%w\nin: %s", err, stmt)
				}
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO topicfeed_schema (id, version) VALUES (1, ?)
				ON CONFLICT (id) DO UPDATE SET version = excluded.version`, v+1)
			return err
		})
		var sv *SchemaVersionError
		if errors.As(err, &sv) {
			return sv
		}
		if err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
		v = max(v, found-1)
	}
	return nil
}

// jsonValues is a table expression with one text column, value: the
// elements of the JSON array bound to param (a string).
func (e engine) jsonValues(param string) string {
	if e == enginePostgres {
		return `json_array_elements_text(CAST(` + param + ` AS json))`
	}
	return `json_each(` + param + `)`
}

// snapshot is the options of a read transaction whose queries must see one
// state of the database: SQLite's read transactions do; PostgreSQL's
// need REPEATABLE READ (READ COMMITTED takes a snapshot per statement).
func (e engine) snapshot() *sql.TxOptions {
	if e == enginePostgres {
		return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// bytewise is col in an ORDER BY that sorts its text by bytes, as SQLite
// does: a PostgreSQL database's collation (often a locale's, which sorts
// "al-Monitor" among the m's) would otherwise order it.
func (e engine) bytewise(col string) string {
	if e == enginePostgres {
		return col + ` COLLATE "C"`
	}
	return col
}
