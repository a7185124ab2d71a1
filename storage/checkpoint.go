package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// walBackstopPages is the WAL size (in pages) at which the writer itself
// checkpoints, should the background checkpointer fall behind.
const walBackstopPages = 16384

// checkpointInterval is the least time between background checkpoints.
const checkpointInterval = 500 * time.Millisecond

// checkpointer copies committed WAL frames into the database file on a
// connection of its own, so that the writer does not do it (and wait for
// its fsyncs) inside a commit. PASSIVE checkpoints block neither the
// writer nor readers.
type checkpointer struct {
	conn *sql.DB
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	err  func(error) // reports a failed checkpoint
}

func startCheckpointer(path string, report func(error)) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn(path, connBackup))
	if err != nil {
		return nil, fmt.Errorf("open checkpoint connection: %w", err)
	}
	conn.SetMaxOpenConns(1)
	c := &checkpointer{conn: conn, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), err: report}
	go c.loop()
	return c, nil
}

// notify tells the checkpointer that a transaction committed.
func (c *checkpointer) notify() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		if err := c.checkpoint(context.Background()); err != nil {
			c.err(err)
		}
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointInterval):
		}
	}
}

func (c *checkpointer) checkpoint(ctx context.Context) error {
	var busy, logFrames, done int
	if err := c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("wal checkpoint: %w", err)
	}
	return nil
}

func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}
