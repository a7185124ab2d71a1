package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL the revisions come from a cache that LISTEN/NOTIFY keeps
// current, so that the web server's frequent Revision and ContentRevision
// calls do not each cost a round trip to the database, and a node learns
// of another node's write as soon as it commits.
//
// Every write transaction that bumps the revisions notifies
// revisionChannel in the same transaction (PostgreSQL delivers it at
// commit). Each DB keeps one connection of its own listening on the
// channel; a notification, this node's own commits, and any loss of the
// listening connection invalidate the cache, and the next read reads the
// database again. While the listener is not connected the cache is not
// used at all: every read reads the database, as on SQLite.

const revisionChannel = "topicfeed_revision"

// revCache holds the revisions read last and whether they are current.
type revCache struct {
	mu        sync.Mutex
	listening bool   // the listener holds LISTEN: notifications arrive
	gen       uint64 // invalidations so far
	validGen  uint64 // gen when rev and content were read; valid if == gen
	read      bool   // rev and content were read once
	rev       int64
	content   int64
}

// invalidate marks the cached revisions stale.
func (c *revCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

// setListening records whether notifications arrive; either change
// invalidates what was read before (notifications may have been missed).
func (c *revCache) setListening(on bool) {
	c.mu.Lock()
	c.listening = on
	c.gen++
	c.mu.Unlock()
}

// get returns the cached revisions when they are current.
func (c *revCache) get() (rev, content int64, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.listening && c.read && c.validGen == c.gen {
		return c.rev, c.content, true, c.gen
	}
	return 0, 0, false, c.gen
}

// put stores revisions read from the database when nothing invalidated
// them since gen was taken (before the read).
func (c *revCache) put(gen uint64, rev, content int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && c.listening {
		c.rev, c.content, c.read, c.validGen = rev, content, true, gen
	}
}

// revisions returns the stored revision and content revision: from the
// cache on PostgreSQL while it is current, else from the database.
func (db *DB) revisions(ctx context.Context) (rev, content int64, err error) {
	var gen uint64
	if db.revs != nil {
		var ok bool
		if rev, content, ok, gen = db.revs.get(); ok {
			return rev, content, nil
		}
	}
	if err := db.revisionStmt.QueryRowContext(ctx).Scan(&rev, &content); err != nil {
		return 0, 0, err
	}
	if db.revs != nil {
		db.revs.put(gen, rev, content)
	}
	return rev, content, nil
}

// listen keeps a connection listening on revisionChannel until ctx ends,
// reconnecting with back-off (up to 30 s) when the connection is lost.
func (db *DB) listen(ctx context.Context, cfg *pgx.ConnConfig) {
	backoff := 250 * time.Millisecond
	for {
		err := db.listenOnce(ctx, cfg)
		db.revs.setListening(false)
		if ctx.Err() != nil {
			return
		}
		db.log.Warn("revision listener lost its connection; feeds are read from the database until it is back",
			"database", db.path, "retry_in", backoff, "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// listenOnce connects, listens and invalidates the cache at each
// notification until the connection fails or ctx ends.
func (db *DB) listenOnce(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+revisionChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	db.revs.setListening(true)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("wait for notification: %w", err)
		}
		db.revs.invalidate()
	}
}

// bumpSQL is the statement that advances the revisions by set; on
// PostgreSQL it also notifies revisionChannel, delivered when the
// transaction commits.
func (e engine) bumpSQL(set string) string {
	update := `UPDATE meta SET ` + set + ` WHERE id = 1`
	if e == enginePostgres {
		return `WITH bumped AS (` + update + ` RETURNING id) SELECT pg_notify('` + revisionChannel + `', '') FROM bumped`
	}
	return update
}
